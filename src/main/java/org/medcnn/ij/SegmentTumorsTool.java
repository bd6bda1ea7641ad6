package org.medcnn.ij;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.measure.ResultsTable;

import java.util.ArrayList;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The headless part of {@code Segment Tumors...}: runs the per-case pipeline every front end shares
 * ({@link CaseSegmentation#segment}: the model's preprocessing, optional flip TTA, small components dropped, connected
 * lesions measured), draws them into the image's overlay ({@link SegmentationOverlay}) and writes one results
 * row per lesion. Used by {@link SegmentTumorsPlugin}, tests and scripts. Stateless.
 * <p>
 * Slice numbers in the table are ImageJ's (1-based); lesion numbers match the outline names ("Lesion 1" is the
 * largest).
 */
public final class SegmentTumorsTool {

	/**
	 * Image property ({@link ImagePlus#getProperty}): the predicted {@link Mask} of the last Segment Tumors run on the
	 * image, which {@code Add to Training Set...} compares the corrected mask with.
	 */
	public static final String PROP_PREDICTION = "medcnn.prediction";
	/** Image property ({@link ImagePlus#getProp}): the model package of that run. */
	public static final String PROP_MODEL = "medcnn.model";

	/** Title of the results table. */
	public static final String TABLE_TITLE = "MedCNN Lesions";

	/**
	 * A segmentation with its lesions.
	 *
	 * @param mask the predicted mask on the image grid
	 * @param components per voxel 0 or the lesion number (see {@link Lesions#label(Mask, int)})
	 * @param lesions the lesions, number 1 first
	 */
	public record Outcome(Mask mask, int[] components, List<Lesion> lesions) {}

	private SegmentTumorsTool() {}

	/**
	 * Segments the whole image.
	 *
	 * @throws IllegalArgumentException when the image cannot be converted (see {@link IjVolumes#toVolume(ImagePlus)})
	 * @throws java.util.concurrent.CancellationException when cancelled
	 */
	public static Outcome segment(ImagePlus imp, Segmenter segmenter, ProgressListener progress, Cancellation cancel) {
		return segment(imp, segmenter, false, progress, cancel);
	}

	/**
	 * Segments the whole image, with flip test-time augmentation when {@code flipTta} (see {@link Segmenter}), and
	 * drops connected components smaller than {@code minLesionVoxels} (1 keeps all) from the mask and the lesions.
	 */
	public static Outcome segment(ImagePlus imp, Segmenter segmenter, boolean flipTta, int minLesionVoxels,
		ProgressListener progress, Cancellation cancel) {
		CaseSegmentation.Segmented s = CaseSegmentation.segment(segmenter, IjVolumes.toVolume(imp),
			new CaseSegmentation.Options(flipTta, Math.max(1, minLesionVoxels), false, false), progress, cancel);
		return new Outcome(s.mask(), s.components(), s.lesions());
	}

	/** Segments the whole image, keeping every component (see {@link #segment(ImagePlus, Segmenter, boolean, int, ProgressListener, Cancellation)}). */
	public static Outcome segment(ImagePlus imp, Segmenter segmenter, boolean flipTta, ProgressListener progress,
		Cancellation cancel) {
		return segment(imp, segmenter, flipTta, 1, progress, cancel);
	}

	/** Finds and measures the lesions of a segmentation of {@code image}. */
	public static Outcome measure(Volume image, Segmentation s) {
		int[] components = Lesions.label(s.mask(), 1);
		List<Lesion> lesions = Lesions.measure(s.mask(), image, s.probability(), 1);
		return new Outcome(s.mask(), components, lesions);
	}

	/**
	 * Replaces the image's MedCNN segmentation ROIs (fills and "Lesion k" outlines from an earlier run) with
	 * those of this outcome, keeping other overlay elements such as the risk label.
	 *
	 * @return the outline ROIs added, in overlay order
	 */
	public static List<Roi> annotate(ImagePlus imp, Outcome o) {
		Overlay overlay = imp.getOverlay();
		if (overlay == null) overlay = new Overlay();
		for (Roi r : overlay.toArray())
			if (isSegmentationRoi(r)) overlay.remove(r);
		List<Roi> outlines = new ArrayList<>();
		for (Roi r : SegmentationOverlay.rois(o.mask().geometry(), o.components())) {
			overlay.add(r);
			if (!(r instanceof ImageRoi)) outlines.add(r);
		}
		imp.setOverlay(overlay);
		return outlines;
	}

	/**
	 * Remembers on the image what a Segment Tumors run predicted and with which model ({@link #PROP_PREDICTION},
	 * {@link #PROP_MODEL}), for {@code Add to Training Set...}.
	 */
	public static void remember(ImagePlus imp, Mask predicted, java.nio.file.Path model) {
		imp.setProperty(PROP_PREDICTION, predicted);
		imp.setProp(PROP_MODEL, model.toAbsolutePath().normalize().toString());
	}

	/** Whether an overlay element was drawn by {@link SegmentationOverlay}. */
	public static boolean isSegmentationRoi(Roi r) {
		String name = r.getName();
		return name != null && (name.equals(SegmentationOverlay.FILL_NAME)
			|| name.startsWith(SegmentationOverlay.LESION_PREFIX) && name.substring(SegmentationOverlay.LESION_PREFIX.length())
				.chars().allMatch(Character::isDigit));
	}

	/**
	 * Appends one row per lesion: image, lesion, first slice, last slice, key slice, volume (mL), mean HU, max HU,
	 * longest diameter (mm), mean probability.
	 */
	public static void addRows(ResultsTable rt, String imageTitle, List<Lesion> lesions) {
		for (Lesion l : lesions) {
			rt.incrementCounter();
			rt.addValue("image", imageTitle);
			rt.addValue("lesion", l.id());
			rt.addValue("first slice", l.firstSlice() + 1);
			rt.addValue("last slice", l.lastSlice() + 1);
			rt.addValue("key slice", l.keySlice() + 1);
			rt.addValue("volume (mL)", l.volumeMl());
			rt.addValue("mean HU", l.meanHu());
			rt.addValue("max HU", l.maxHu());
			rt.addValue("longest diameter (mm)", l.longestAxialDiameterMm());
			rt.addValue("mean probability", l.meanProbability());
		}
	}
}
