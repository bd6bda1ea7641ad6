package org.medcnn.ij;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.pipeline.TrainingSets;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The ImageJ part of {@code Add to Training Set...}: reads the corrected mask from where the user edited it (the ROI
 * Manager's outlines, the image's overlay outlines, or a mask image), hands image, mask, the prediction of the last
 * Segment Tumors run and the DICOM files to {@link TrainingSets#add}, and redraws the overlay from the corrected mask
 * so that it shows what was saved. Used by {@link AddToTrainingSetPlugin}, its command and tests. Stateless.
 */
public final class AddToTrainingSetTool {

	/** Mask sources besides a mask image's title. */
	public static final String AUTO = "auto", ROI_MANAGER = "ROI Manager", OVERLAY = "Overlay";

	private AddToTrainingSetTool() {}

	/**
	 * The corrected mask of {@code imp}. {@value #AUTO}: the ROI Manager's area ROIs when it holds any, else the
	 * overlay's lesion outlines, else the open image titled {@code <title>-mask}; {@value #ROI_MANAGER} and
	 * {@value #OVERLAY} take only that source; any other value is the title of an open mask image on the image's grid.
	 *
	 * @param managerRois the ROI Manager's ROIs (may be null)
	 * @param images looks up an open image by title
	 * @throws IllegalArgumentException when the chosen source holds nothing usable (the message says what to do)
	 */
	public static Mask correctedMask(ImagePlus imp, String source, Roi[] managerRois, Function<String, ImagePlus> images) {
		String s = source == null || source.isBlank() ? AUTO : source.trim();
		boolean manager = managerRois != null && managerRois.length > 0;
		if (s.equals(ROI_MANAGER) || s.equals(AUTO) && manager) {
			if (!manager)
				throw new IllegalArgumentException("The ROI Manager holds no ROIs: after Segment Tumors its lesion outlines are"
					+ " there to edit; or choose another mask source (key mask)");
			return ImageTrainingData.fromRois(imp, areaRois(managerRois));
		}
		Roi[] outlines = overlayOutlines(imp);
		if (s.equals(OVERLAY) || s.equals(AUTO) && outlines.length > 0) {
			if (outlines.length == 0)
				throw new IllegalArgumentException("\"" + imp.getTitle() + "\" has no lesion outlines in its overlay: run"
					+ " Segment Tumors first, or draw the lesions into the ROI Manager (key mask)");
			return ImageTrainingData.fromRois(imp, outlines);
		}
		String title = s.equals(AUTO) ? imp.getTitle() + "-mask" : s;
		ImagePlus labels = images.apply(title);
		if (labels == null)
			throw new IllegalArgumentException(s.equals(AUTO) ? "No mask to add for \"" + imp.getTitle() + "\": run Segment"
				+ " Tumors and correct its outlines (ROI Manager), or open a mask image" : "No open image is called \"" + title
				+ "\" (key mask: auto, " + ROI_MANAGER + ", " + OVERLAY + " or a mask image's title)");
		if (labels == imp) throw new IllegalArgumentException("The mask image \"" + title + "\" is the image itself");
		return ImageTrainingData.fromLabelImage(imp, labels);
	}

	/** The overlay's "Lesion k" outlines (not the fill). */
	static Roi[] overlayOutlines(ImagePlus imp) {
		Overlay o = imp.getOverlay();
		List<Roi> out = new ArrayList<>();
		if (o != null)
			for (Roi r : o.toArray())
				if (!(r instanceof ImageRoi) && SegmentTumorsTool.isSegmentationRoi(r) && r.isArea()) out.add(r);
		return out.toArray(new Roi[0]);
	}

	private static Roi[] areaRois(Roi[] rois) {
		List<Roi> out = new ArrayList<>();
		for (Roi r : rois) if (r.isArea()) out.add(r);
		if (out.isEmpty())
			throw new IllegalArgumentException("The ROI Manager holds no area ROIs (lines and points cannot outline lesions)");
		return out.toArray(new Roi[0]);
	}

	/**
	 * Adds the image and its corrected mask to the training set {@code project} as case {@code caseName}, then redraws
	 * the image's overlay from the corrected mask.
	 *
	 * @param copy copy the image even when its DICOM files could be referenced
	 * @param replace replace the case if the project holds it
	 */
	public static TrainingSets.Added add(ImagePlus imp, Mask corrected, Path project, String caseName, boolean copy,
		boolean replace) throws IOException {
		Volume image = IjVolumes.toVolume(imp);
		Mask predicted = imp.getProperty(SegmentTumorsTool.PROP_PREDICTION) instanceof Mask m
			&& m.geometry().describeMismatch(image.geometry(), 1e-3).isEmpty() ? m : null;
		ModelCard card = null;
		String cardSha = null;
		String model = imp.getProp(SegmentTumorsTool.PROP_MODEL);
		if (predicted != null && model != null && !model.isBlank()) {
			Path pkg = Path.of(model);
			card = Models.readCard(pkg);
			Path cardFile = pkg.resolve(ModelCard.FILE_NAME);
			if (Files.isRegularFile(cardFile)) cardSha = org.medcnn.pipeline.FineTuning.sha256Hex(Files.readAllBytes(cardFile));
		}
		TrainingSets.Added added = TrainingSets.add(new TrainingSets.Addition(project, caseName, image, sourceFiles(imp),
			corrected, predicted, card, cardSha, copy, replace));
		showCorrected(imp, corrected);
		return added;
	}

	/**
	 * Redraws the image's lesion overlay (fills and "Lesion k" outlines, numbered by connected component as Segment
	 * Tumors numbers them) from a corrected mask and keeps the mask as {@link LiveCorrection#PROP_CORRECTED}: the one
	 * place where an edit becomes what the image shows, for {@link #add} and {@link LiveCorrection}.
	 *
	 * @return the outline ROIs drawn, in overlay order
	 */
	static List<Roi> showCorrected(ImagePlus imp, Mask corrected) {
		List<Roi> outlines = SegmentTumorsTool.annotate(imp, new SegmentTumorsTool.Outcome(corrected,
			Lesions.label(corrected, 1), List.of()));
		imp.setProperty(LiveCorrection.PROP_CORRECTED, corrected);
		return outlines;
	}

	/** The image's DICOM files in slice order, or none when it was resampled or not opened from DICOM. */
	static List<Path> sourceFiles(ImagePlus imp) {
		String files = imp.getProp(OpenDicomTool.PROP_SOURCE_FILES);
		if (files == null || files.isBlank() || "true".equals(imp.getProp(OpenDicomTool.PROP_RESAMPLED))) return List.of();
		List<Path> out = new ArrayList<>();
		for (String line : files.split("\n")) if (!line.isBlank()) out.add(Path.of(line.trim()));
		return out.size() == imp.getStackSize() ? out : List.of();
	}
}
