package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/** The threshold baseline on hand-computed cases. */
class ThresholdBaselineTest {

	private static final ThresholdBaseline EDGES = new ThresholdBaseline(new double[] {1.5, 2.5, 3.5, 4.5});

	/** A 1-row case: the values, lesion where the label string has '1'. */
	private static ThresholdBaseline.Counts counts(float[] values, String labels) {
		byte[] l = new byte[values.length];
		for (int i = 0; i < l.length; i++) l[i] = (byte) (labels.charAt(i) - '0');
		return EDGES.count(values, new Mask(Geometry.axial(values.length, 1, 1, 1, 1, 1), l));
	}

	@Test
	void brightLesionsAreFoundAboveTheirThreshold() {
		// Values 1..5, lesion = {4, 5}: "≥ 3.5" is exact (Dice 1); "≥ 2.5" adds one voxel: 2·2 / (3 + 2) = 0.8.
		ThresholdBaseline.Counts c = counts(new float[] {1, 2, 3, 4, 5}, "00011");
		assertEquals(2, c.lesionVoxels());
		ThresholdBaseline.Fit fit = EDGES.fit(List.of(c));
		assertEquals(3.5, fit.threshold());
		assertTrue(fit.above());
		assertEquals(1, fit.meanDice(), 1e-12);
		assertEquals(1, EDGES.oracleDice(c), 1e-12);
		assertEquals(0.8, EDGES.meanDice(List.of(c), new ThresholdBaseline.Fit(2.5, true, Double.NaN)), 1e-12);
	}

	@Test
	void darkLesionsAreFoundBelowAndDiceIsAveragedOverCases() {
		ThresholdBaseline.Counts a = counts(new float[] {1, 2, 3, 4, 5}, "11000"); // "< 2.5" exact
		ThresholdBaseline.Counts b = counts(new float[] {1, 2, 3, 4, 5}, "10000"); // "< 2.5": 2·1 / (2 + 1)
		// With a twice: "< 2.5" gives (1 + 1 + 2/3) / 3, "< 1.5" only (2/3 + 2/3 + 1) / 3.
		ThresholdBaseline.Fit fit = EDGES.fit(List.of(a, a, b));
		assertFalse(fit.above());
		assertEquals(2.5, fit.threshold());
		assertEquals((2 + 2.0 / 3) / 3, fit.meanDice(), 1e-12);
		assertEquals(1, EDGES.oracleDice(b), 1e-12, "b alone: < 1.5 is exact");
	}

	@Test
	void aThresholdChosenOnOneScaleFailsOnAnother() {
		// The same anatomy at twice the intensity: the threshold of the first case misses the second.
		ThresholdBaseline.Counts train = counts(new float[] {1, 1, 2, 2}, "0011");
		ThresholdBaseline.Counts test = counts(new float[] {2, 2, 4, 4}, "0011");
		ThresholdBaseline.Fit fit = EDGES.fit(List.of(train));
		assertEquals(1, fit.meanDice(), 1e-12);
		assertEquals(2 * 2.0 / (4 + 2), EDGES.meanDice(List.of(test), fit), 1e-12);
	}

	@Test
	void emptyCasesAndNaN() {
		ThresholdBaseline.Counts none = counts(new float[] {1, Float.NaN, 3}, "000");
		assertEquals(2, java.util.Arrays.stream(none.all()).sum(), "NaN counts nowhere");
		assertEquals(1, EDGES.oracleDice(none), 1e-12, "no lesion and nothing predicted above the top edge");
	}

	@Test
	void logarithmicEdgesAndBadArguments() {
		ThresholdBaseline log = ThresholdBaseline.logarithmic(1, 1000, 4);
		ThresholdBaseline.Counts c = log.count(new float[] {5, 50, 500, 5000},
			new Mask(Geometry.axial(4, 1, 1, 1, 1, 1), new byte[] {0, 0, 1, 1}));
		ThresholdBaseline.Fit fit = log.fit(List.of(c));
		assertEquals(100, fit.threshold(), 1e-9);
		assertEquals(1, fit.meanDice(), 1e-12);
		assertThrows(IllegalArgumentException.class, () -> new ThresholdBaseline(new double[] {2, 1}));
		assertThrows(IllegalArgumentException.class, () -> new ThresholdBaseline(new double[0]));
		assertThrows(IllegalArgumentException.class, () -> ThresholdBaseline.logarithmic(0, 10, 5));
		assertThrows(IllegalArgumentException.class, () -> EDGES.fit(List.of()));
		assertThrows(IllegalArgumentException.class, () -> EDGES.meanDice(List.of(c), new ThresholdBaseline.Fit(2, true, 0)));
	}
}
