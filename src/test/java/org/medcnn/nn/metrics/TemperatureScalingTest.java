package org.medcnn.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TemperatureScalingTest {

	@Test
	void overConfidentLogitsGetTemperatureAboveOneAndLowerNll() {
		// Logits ±5 (p ≈ 0.9999) but only 80 % of the labels agree with the arg-max: the best T makes the
		// confidence about 0.8, i.e. 2·5/T = ln 4 → T ≈ 7.21.
		int n = 500;
		double[][] z = new double[n][];
		int[] y = new int[n];
		for (int i = 0; i < n; i++) {
			z[i] = i % 2 == 0 ? new double[] {5, -5} : new double[] {-5, 5};
			int argMax = i % 2 == 0 ? 0 : 1;
			y[i] = i % 5 == 0 ? 1 - argMax : argMax;
		}
		TemperatureScaling.Fit f = TemperatureScaling.fit(z, y);
		assertEquals(10 / Math.log(4), f.temperature(), 1e-3);
		assertTrue(f.nllAfter() < f.nllBefore());
		assertEquals(TemperatureScaling.nll(z, y, f.temperature()), f.nllAfter(), 1e-12);
	}

	@Test
	void rescaleMatchesSoftmaxOfScaledLogitsAndKeepsTheClass() {
		double[] z = {2.0, -1.0, 0.5};
		double t = 2.5;
		double[] ls = TemperatureScaling.logSoftmax(z, 1);
		float[] p = new float[3];
		for (int j = 0; j < 3; j++) p[j] = (float) Math.exp(ls[j]);
		float[] q = TemperatureScaling.rescale(p, t);
		double[] expected = TemperatureScaling.logSoftmax(z, t);
		for (int j = 0; j < 3; j++) assertEquals(Math.exp(expected[j]), q[j], 1e-6);
		assertEquals(0, ClassificationMetrics.argMax(q));
	}

	@Test
	void wellCalibratedDataKeepsTemperatureNearOne() {
		Random rng = new Random(3);
		int n = 4000;
		double[][] z = new double[n][];
		int[] y = new int[n];
		for (int i = 0; i < n; i++) {
			double a = rng.nextGaussian() * 2;
			z[i] = new double[] {a, 0};
			y[i] = rng.nextDouble() < 1 / (1 + Math.exp(-a)) ? 0 : 1;
		}
		assertEquals(1.0, TemperatureScaling.fit(z, y).temperature(), 0.15);
	}
}
