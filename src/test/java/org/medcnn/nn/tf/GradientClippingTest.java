package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Gradient clipping by global norm ({@link TrainingConfig#clipNorm()}), against its definition with plain SGD, whose
 * step is −lr · g: a step's weight change is that of the unclipped step times {@code min(1, c / ‖g‖)}, and the
 * reported norm is ‖g‖ = ‖unclipped change‖ / lr.
 */
class GradientClippingTest {

	private static final int N = 2, S = 8;
	private static final double LR = 0.1;

	/** Weight changes of one SGD step on fixed data, and the fetched gradient norm (NaN without clipping). */
	private static double[] stepAndNorm(double clip, float[][] delta) {
		TrainingConfig tc = new TrainingConfig(3, N, LR, "sgd", "dice-ce", "relu", 5, 0).withClipNorm(clip);
		float[] x = new float[N * S * S], y = new float[N * S * S];
		Random rng = new Random(1);
		for (int i = 0; i < x.length; i++) {
			x[i] = rng.nextFloat();
			y[i] = x[i] > 0.7f ? 1 : 0;
		}
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(new SegmenterConfig(2, 4, 40, 400, tc)), tc);
			TFloat32 tx = TFloat32.tensorOf(Shape.of(N, S, S, 1), DataBuffers.of(x));
			TFloat32 ty = TFloat32.tensorOf(Shape.of(N, S, S, 1), DataBuffers.of(y))) {
			if (clip == 0) assertNull(net.gradNorm);
			float[][] before = net.snapshot();
			var r = net.session.runner().feed(net.input, tx).feed(net.target, ty).addTarget(net.train);
			if (net.gradNorm != null) r.fetch(net.gradNorm);
			double norm = Double.NaN;
			try (Result res = r.run()) {
				if (net.gradNorm != null) norm = ((TFloat32) res.get(0)).getFloat();
			}
			float[][] after = net.snapshot();
			double sq = 0;
			for (int i = 0; i < before.length; i++) {
				delta[i] = new float[before[i].length];
				for (int j = 0; j < before[i].length; j++) {
					delta[i][j] = after[i][j] - before[i][j];
					sq += (double) delta[i][j] * delta[i][j];
				}
			}
			return new double[] {Math.sqrt(sq), norm};
		}
	}

	@Test
	void clippingScalesTheWholeStepDownToTheLimitAndKeepsItsDirection() {
		float[][] free = new float[64][], clipped = new float[64][], loose = new float[64][];
		double gNorm = stepAndNorm(0, free)[0] / LR;
		assertTrue(gNorm > 0, "the step moves the weights");
		double c = gNorm / 4;
		double[] r = stepAndNorm(c, clipped);
		assertEquals(gNorm, r[1], 1e-3 * gNorm, "the reported norm is the unclipped gradient's");
		assertEquals(c * LR, r[0], 1e-3 * c * LR, "the clipped step has length lr · c");
		for (int i = 0; i < free.length && free[i] != null; i++)
			for (int j = 0; j < free[i].length; j++)
				assertEquals(free[i][j] / 4, clipped[i][j], 1e-4 * Math.abs(free[i][j]) + 1e-7, "same direction, a quarter");
		double[] l = stepAndNorm(10 * gNorm, loose);
		assertEquals(gNorm * LR, l[0], 1e-4 * gNorm * LR, "a limit above the norm changes nothing");
	}

	@Test
	void clipNormIsValidated() {
		TrainingConfig tc = TrainingConfig.segmenterDefaults();
		assertEquals(TrainingConfig.SEGMENTER_CLIP_NORM, tc.clipNorm());
		assertEquals(0, TrainingConfig.classifierDefaults().clipNorm());
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tc.withClipNorm(-1));
		assertTrue(e.getMessage().contains("clipNorm"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> tc.withClipNorm(Double.NaN));
		assertEquals(2.5, tc.withClipNorm(2.5).withEpochs(7).clipNorm());
	}
}
