package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** A scaled step is the step of the configured optimizer with a proportionally scaled learning rate. */
class LearningRateStepTest {

	private static final int N = 2, S = 8;

	/** One training step on fixed data; with {@code scale} ≥ 0 it is bracketed and rescaled. */
	private static float[][] afterOneStep(String optimizer, String schedule, double lr, float scale) {
		TrainingConfig tc = new TrainingConfig(3, N, lr, optimizer, "mse", "relu", 5, 0, 0, schedule);
		SegmenterConfig cfg = new SegmenterConfig(2, 4, 40, 400, tc);
		float[] x = new float[N * S * S], y = new float[N * S * S];
		Random rng = new Random(1);
		for (int i = 0; i < x.length; i++) {
			x[i] = rng.nextFloat();
			y[i] = x[i] > 0.5f ? 1 : 0;
		}
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), tc);
			TFloat32 tx = TFloat32.tensorOf(Shape.of(N, S, S, 1), DataBuffers.of(x));
			TFloat32 ty = TFloat32.tensorOf(Shape.of(N, S, S, 1), DataBuffers.of(y))) {
			assertEquals(scale >= 0, net.hasSchedule());
			if (scale >= 0) net.keepWeightsBeforeStep();
			net.session.runner().feed(net.input, tx).feed(net.target, ty).addTarget(net.train).run().close();
			if (scale >= 0) net.scaleLastStep(scale);
			return net.snapshot();
		}
	}

	private static void assertClose(float[][] expected, float[][] actual, String what) {
		double maxDiff = 0;
		for (int i = 0; i < expected.length; i++)
			for (int j = 0; j < expected[i].length; j++) maxDiff = Math.max(maxDiff, Math.abs(expected[i][j] - actual[i][j]));
		assertTrue(maxDiff < 1e-5, what + ": max difference " + maxDiff);
	}

	@Test
	void halfScaleEqualsHalfTheLearningRate() {
		// Adam is left out here: its first step is lr·g/(|g|+ε), so for gradients near ε the run-to-run noise of
		// multi-threaded TensorFlow reductions moves single weights by up to lr — not a property of the scaling.
		// The scaling itself is checked exactly for Adam below.
		for (String opt : new String[] {"sgd", "momentum"})
			assertClose(afterOneStep(opt, "constant", 0.01, -1), afterOneStep(opt, "step", 0.02, 0.5f), opt);
	}

	@Test
	void scaledStepIsThatFractionOfTheOptimizersStep() {
		TrainingConfig tc = new TrainingConfig(3, N, 0.02, "adam", "mse", "relu", 5, 0, 0, "step");
		float[] x = new float[N * S * S], y = new float[N * S * S];
		Random rng = new Random(1);
		for (int i = 0; i < x.length; i++) {
			x[i] = rng.nextFloat();
			y[i] = x[i] > 0.5f ? 1 : 0;
		}
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(new SegmenterConfig(2, 4, 40, 400, tc)), tc);
			TFloat32 tx = TFloat32.tensorOf(Shape.of(N, S, S, 1), DataBuffers.of(x));
			TFloat32 ty = TFloat32.tensorOf(Shape.of(N, S, S, 1), DataBuffers.of(y))) {
			float[][] before = net.snapshot();
			net.keepWeightsBeforeStep();
			net.session.runner().feed(net.input, tx).feed(net.target, ty).addTarget(net.train).run().close();
			float[][] full = net.snapshot();
			net.scaleLastStep(0.5f);
			float[][] half = net.snapshot();
			float[][] expected = new float[before.length][];
			for (int i = 0; i < before.length; i++) {
				expected[i] = new float[before[i].length];
				for (int j = 0; j < before[i].length; j++) expected[i][j] = before[i][j] + 0.5f * (full[i][j] - before[i][j]);
			}
			assertClose(expected, half, "adam, half step");
		}
	}

	@Test
	void zeroScaleUndoesTheStep() {
		float[][] before;
		TrainingConfig tc = new TrainingConfig(3, N, 0.1, "adam", "mse", "relu", 5, 0, 0, "cosine");
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(new SegmenterConfig(2, 4, 40, 400, tc)), tc)) {
			before = net.snapshot();
		}
		assertClose(before, afterOneStep("adam", "cosine", 0.1, 0f), "scale 0");
	}
}
