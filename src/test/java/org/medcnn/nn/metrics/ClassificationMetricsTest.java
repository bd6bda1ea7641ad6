package org.medcnn.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

	private static final double EPS = 1e-12;

	@Test
	void confusionAccuracyPrecisionRecall() {
		// true:  0 0 0 1 1 2 ; predicted: 0 0 1 1 2 2
		int[] labels = {0, 0, 0, 1, 1, 2};
		float[][] p = {{.8f, .1f, .1f}, {.6f, .3f, .1f}, {.2f, .7f, .1f}, {.1f, .8f, .1f}, {.1f, .2f, .7f}, {0, .1f, .9f}};
		ClassificationMetrics m = ClassificationMetrics.of(List.of("a", "b", "c"), labels, p);
		long[][] cm = m.confusion();
		assertArrayEquals(new long[] {2, 1, 0}, cm[0]);
		assertArrayEquals(new long[] {0, 1, 1}, cm[1]);
		assertArrayEquals(new long[] {0, 0, 1}, cm[2]);
		assertEquals(4.0 / 6, m.accuracy(), EPS);
		assertEquals((2.0 / 3 + 0.5 + 1) / 3, m.balancedAccuracy(), EPS);
		assertEquals(1.0, m.precision(0), EPS);
		assertEquals(0.5, m.precision(1), EPS);
		assertEquals(0.5, m.precision(2), EPS);
		assertEquals(2.0 / 3, m.recall(0), EPS);
		// class 2 vs rest: the single positive scores highest → AUC 1.
		assertEquals(1.0, m.auc(2), EPS);
	}

	@Test
	void aucCountsTiesAsHalf() {
		// positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5) (0.9>0.1) (0.5=0.5 → ½) (0.5>0.1) → 3.5 / 4.
		assertEquals(3.5 / 4, ClassificationMetrics.rocAuc(new double[] {0.9, 0.5, 0.5, 0.1},
			new boolean[] {true, true, false, false}), EPS);
		assertEquals(0.5, ClassificationMetrics.rocAuc(new double[] {0.3, 0.3, 0.3}, new boolean[] {true, false, false}), EPS);
		assertEquals(0.0, ClassificationMetrics.rocAuc(new double[] {0.1, 0.9}, new boolean[] {true, false}), EPS);
		assertTrue(Double.isNaN(ClassificationMetrics.rocAuc(new double[] {0.1, 0.9}, new boolean[] {true, true})));
	}

	@Test
	void absentClassIsUndefinedNotZero() {
		ClassificationMetrics m = ClassificationMetrics.of(List.of("x", "y", "z"), new int[] {0, 1},
			new float[][] {{.9f, .1f, 0}, {.2f, .8f, 0}});
		assertTrue(Double.isNaN(m.recall(2)));
		assertTrue(Double.isNaN(m.precision(2)));
		assertTrue(Double.isNaN(m.auc(2)));
		assertEquals(1.0, m.balancedAccuracy(), EPS);
		assertEquals(1.0, m.macroAuc(), EPS);
	}
}
