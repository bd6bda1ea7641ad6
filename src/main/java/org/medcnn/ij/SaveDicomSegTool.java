package org.medcnn.ij;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ImageProcessor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.common.Versions;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.seg.SegOptions;
import org.medcnn.dicom.seg.SegWriter;
import org.medcnn.nn.Models;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * The headless part of {@code Save DICOM SEG...}: takes the mask of an image opened with {@code Open DICOM...}
 * — the label image "&lt;title&gt;-mask" when there is one, else the filled lesions that
 * {@code Segment Tumors...} drew into the image's overlay ({@link SegmentationOverlay#FILL_NAME}, all lesions
 * as label 1) — and writes it as a DICOM Segmentation referencing the image's source series (found again from
 * {@link OpenDicomTool#PROP_SOURCE_FILES} and {@link IjVolumes#PROP_SERIES_UID}). Stateless.
 */
public final class SaveDicomSegTool {

	/** Suffix of the mask image's title that {@code Segment Tumors...} opens. */
	public static final String MASK_SUFFIX = "-mask";

	private SaveDicomSegTool() {}

	/**
	 * The mask to save: {@code maskImage}'s labels when given, else the overlay of {@code image}.
	 *
	 * @param maskImage an 8- or 16-bit label image on the image's grid, or null
	 * @throws IllegalArgumentException when there is no mask, or the mask image does not fit the image's grid
	 */
	public static Mask mask(ImagePlus image, ImagePlus maskImage) {
		Geometry g = IjVolumes.geometry(image);
		if (maskImage != null) {
			Mask m = IjVolumes.toMask(maskImage);
			String mismatch = g.describeMismatch(m.geometry(), SegWriter.GEOMETRY_TOLERANCE_MM);
			if (!mismatch.isEmpty())
				throw new IllegalArgumentException("Mask image \"" + maskImage.getTitle() + "\" does not fit \""
					+ image.getTitle() + "\" (" + mismatch + ")");
			return m;
		}
		Mask m = fromOverlay(image, g);
		if (m == null)
			throw new IllegalArgumentException("\"" + image.getTitle() + "\" has no mask: run Segment Tumors... first, or "
				+ "open a label image titled \"" + image.getTitle() + MASK_SUFFIX + "\".");
		return m;
	}

	/** The filled lesions of the overlay as label 1, or null when the overlay has none. */
	private static Mask fromOverlay(ImagePlus image, Geometry g) {
		Overlay overlay = image.getOverlay();
		if (overlay == null) return null;
		byte[] labels = new byte[g.voxelCount()];
		boolean any = false;
		for (Roi r : overlay.toArray()) {
			if (!(r instanceof ImageRoi fill) || !SegmentationOverlay.FILL_NAME.equals(r.getName())) continue;
			int z = r.getPosition() - 1;
			if (z < 0 || z >= g.nz()) continue;
			ImageProcessor ip = fill.getProcessor();
			int x0 = (int) Math.round(r.getXBase()), y0 = (int) Math.round(r.getYBase());
			for (int y = 0; y < ip.getHeight(); y++)
				for (int x = 0; x < ip.getWidth(); x++) {
					int gx = x0 + x, gy = y0 + y;
					// The fill is zero-transparent: every non-zero pixel is segmented.
					if (gx < 0 || gy < 0 || gx >= g.nx() || gy >= g.ny() || (ip.get(x, y) & 0xFFFFFF) == 0) continue;
					labels[g.index(gx, gy, z)] = 1;
					any = true;
				}
		}
		return any ? new Mask(g, labels) : null;
	}

	/**
	 * The series an image was opened from.
	 *
	 * @throws IllegalArgumentException when the image was not opened with Open DICOM...
	 * @throws IOException when its files cannot be read again or no longer form the series
	 */
	public static DicomSeries sourceSeries(ImagePlus image, Cancellation cancel) throws IOException {
		String files = image.getProp(OpenDicomTool.PROP_SOURCE_FILES);
		String uid = image.getProp(IjVolumes.PROP_SERIES_UID);
		if ("true".equals(image.getProp(OpenDicomTool.PROP_RESAMPLED)))
			throw new IllegalArgumentException("\"" + image.getTitle() + "\" was resampled onto a uniform slice grid when "
				+ "it was opened, so its slices are not the series' own and a DICOM SEG cannot reference them; open the "
				+ "series again without Resample to save a SEG.");
		if (files == null || files.isBlank() || uid == null)
			throw new IllegalArgumentException("\"" + image.getTitle() + "\" was not opened with Open DICOM..., so there is "
				+ "no DICOM series for the SEG to reference.");
		List<Path> paths = new ArrayList<>();
		for (String f : files.split("\n")) if (!f.isBlank()) paths.add(Path.of(f));
		for (DicomSeries s : SeriesScanner.scan(paths, ProgressListener.NONE, cancel))
			if (s.seriesInstanceUID().equals(uid) && s.files().size() == paths.size()) return s;
		throw new IOException("The source files of \"" + image.getTitle() + "\" no longer form series " + uid
			+ " (moved or changed since Open DICOM...?)");
	}

	/**
	 * Writes the SEG.
	 *
	 * @param maskImage the label image, or null to take the overlay's lesions
	 * @return the written file
	 * @throws IllegalArgumentException when there is no mask or no source series, or the mask is empty
	 * @throws IOException when the source cannot be read or the SEG cannot be written
	 */
	public static Path save(ImagePlus image, ImagePlus maskImage, Path output, ProgressListener progress,
		Cancellation cancel) throws IOException {
		Mask mask = mask(image, maskImage);
		DicomSeries series = sourceSeries(image, cancel);
		return SegWriter.write(mask, series, output, SegOptions.forModel("", Versions.MEDCNN), progress, cancel);
	}
}
