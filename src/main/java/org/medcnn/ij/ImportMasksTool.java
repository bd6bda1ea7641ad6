package org.medcnn.ij;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.medcnn.data.Datasets;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.rt.RtStructReader;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;

/**
 * The headless part of {@code Import Masks...}: reads a DICOM SEG, one ROI of a DICOM RT Structure Set, or a
 * NIfTI label image onto the grid of an image opened with {@code Open DICOM...} ({@link IjVolumes#geometry}),
 * draws it into the image's overlay as {@code Segment Tumors...} does, and makes the label image
 * "&lt;title&gt;-mask". Stateless.
 */
public final class ImportMasksTool {

	private ImportMasksTool() {}

	/** Whether a file is a DICOM RT Structure Set (by its header). */
	public static boolean isRtStruct(Path file) throws IOException {
		String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
		if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) return false;
		return RtStructReader.isRtStruct(DicomReader.readHeader(file));
	}

	/** The ROI names of an RT Structure Set. */
	public static List<String> roiNames(Path rtstruct) throws IOException {
		return RtStructReader.roiNames(rtstruct);
	}

	/**
	 * Reads a mask file onto an image's grid; the mask's geometry is the image's.
	 *
	 * @param roiName the RTSTRUCT ROI to read; null picks the only ROI, and is refused (with the names) when there
	 *        are several. Ignored for SEG and NIfTI files.
	 * @throws IOException when the file cannot be read, has no such ROI, or does not fit the image's grid
	 * @throws IllegalArgumentException when an RTSTRUCT has several ROIs and none was named
	 */
	public static Mask load(Path file, ImagePlus image, String roiName) throws IOException {
		Geometry g = IjVolumes.geometry(image);
		String roi = roiName;
		if (isRtStruct(file) && (roi == null || roi.isBlank())) {
			List<String> names = roiNames(file);
			if (names.size() != 1)
				throw new IllegalArgumentException(file.getFileName() + " holds " + names.size() + " ROIs; choose one "
					+ "(macro key roi): " + String.join(", ", names));
			roi = names.get(0);
		}
		// on the image's grid exactly (a NIfTI's float header matches only within the tolerance)
		return new Mask(g, Datasets.loadMask(file, g, roi).labels());
	}

	/**
	 * Shows a mask on its image: replaces the image's MedCNN segmentation overlay with the mask's fills and
	 * "Lesion k" outlines (one per connected component, largest first) and returns the label image
	 * "&lt;title&gt;-mask" (not yet shown).
	 */
	public static ImagePlus show(ImagePlus image, Mask mask) {
		int[] components = Lesions.label(mask, 1);
		SegmentTumorsTool.annotate(image, new SegmentTumorsTool.Outcome(mask, components,
			Lesions.measure(mask, IjVolumes.toVolume(image))));
		return IjVolumes.toImagePlus(mask, image.getTitle() + SaveDicomSegTool.MASK_SUFFIX);
	}
}
