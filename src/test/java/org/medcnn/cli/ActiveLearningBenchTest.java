package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The statistics {@code bench active-learning} reports (the benchmark itself is minutes long: run by hand). */
class ActiveLearningBenchTest {

	@Test
	void spearmanRanksWithTiesAtTheirMeanRank() {
		assertEquals(1, ActiveLearningBench.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 35, 100}), 1e-12);
		assertEquals(-1, ActiveLearningBench.spearman(new double[] {1, 2, 3, 4}, new double[] {9, 7, 5, 0}), 1e-12);
		// ties: ranks of a are 0, 1.5, 1.5, 3; of b 0, 1, 2, 3 -> covariance 4.5 / sqrt(4.5 * 5)
		assertEquals(4.5 / Math.sqrt(4.5 * 5), ActiveLearningBench.spearman(new double[] {1, 2, 2, 3},
			new double[] {1, 2, 3, 4}), 1e-12);
		// a constant score says nothing: 0, not NaN
		assertEquals(0, ActiveLearningBench.spearman(new double[] {0, 0, 0}, new double[] {1, 2, 3}), 0);
	}
}
