package org.medcnn.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.medcnn.data.ThresholdBaseline;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * Held-out quality checks for the small segmenters that tests train: the model's mean Dice on generated cases it
 * never saw, beside a trivial segmenter's on the same cases, the best single global threshold chosen on the
 * training cases ({@link ThresholdBaseline}). A Dice on a training case proves little (a model that memorised, or
 * one that thresholds, passes it); beating the threshold by a clear margin on unseen cases does.
 * <p>
 * Dice is per case and averaged over cases, as {@code evaluate}'s meanDice and {@link ThresholdBaseline}.
 */
public final class HeldOut {

	/** Candidate CT thresholds: every 2 HU from −1100 to +1100 HU, fine beside the fixtures' noise (σ ≥ 8 HU). */
	public static final ThresholdBaseline CT_THRESHOLDS = ctThresholds();

	private HeldOut() {}

	/**
	 * Held-out mean Dice of a model and of the baseline threshold.
	 *
	 * @param model the model's mean Dice on the held-out cases
	 * @param threshold the mean Dice on the same cases of the global threshold that was best on the training cases
	 */
	public record Scores(double model, double threshold) {

		/**
		 * Fails unless the model reaches {@code floor} and beats the threshold by more than {@code margin}; the
		 * message gives both scores.
		 */
		public void assertBeatsThreshold(double margin, double floor) {
			assertTrue(model > floor && model > threshold + margin,
				"held-out mean Dice must exceed " + floor + " and the threshold's by " + margin + ": " + this);
		}

		@Override
		public String toString() {
			return String.format("held-out mean Dice: model %.3f, best global threshold %.3f", model, threshold);
		}
	}

	/**
	 * Scores a segmenter on held-out cases against the best global CT threshold of the training cases.
	 *
	 * @param s the model, trained on {@code trainImages} (not closed here)
	 */
	public static Scores score(Segmenter s, List<Volume> trainImages, List<Mask> trainMasks, List<Volume> testImages,
		List<Mask> testMasks) {
		return new Scores(meanDice(s, testImages, testMasks), thresholdDice(trainImages, trainMasks, testImages, testMasks));
	}

	/** The mean Dice of a segmenter's masks over cases. */
	public static double meanDice(Segmenter s, List<Volume> images, List<Mask> masks) {
		double sum = 0;
		for (int i = 0; i < images.size(); i++) sum += Volumes.dice(s.segment(images.get(i), null, null).mask(), masks.get(i));
		return sum / images.size();
	}

	/**
	 * The mean Dice on the test cases of the global threshold (level and direction) with the best mean Dice on the
	 * training cases.
	 */
	public static double thresholdDice(List<Volume> trainImages, List<Mask> trainMasks, List<Volume> testImages,
		List<Mask> testMasks) {
		ThresholdBaseline.Fit fit = CT_THRESHOLDS.fit(counts(trainImages, trainMasks));
		return CT_THRESHOLDS.meanDice(counts(testImages, testMasks), fit);
	}

	private static List<ThresholdBaseline.Counts> counts(List<Volume> images, List<Mask> masks) {
		if (images.size() != masks.size())
			throw new IllegalArgumentException(images.size() + " images but " + masks.size() + " masks");
		List<ThresholdBaseline.Counts> out = new ArrayList<>();
		for (int i = 0; i < images.size(); i++) out.add(CT_THRESHOLDS.count(images.get(i).voxels(), masks.get(i)));
		return out;
	}

	private static ThresholdBaseline ctThresholds() {
		double[] edges = new double[1101];
		for (int i = 0; i < edges.length; i++) edges[i] = -1100 + 2 * i;
		return new ThresholdBaseline(edges);
	}
}
