package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.tensorflow.ndarray.Shape;

/** The seed fixes the initial weights exactly (He/Glorot draws in Java). */
class DeterminismTest {

	private static float[][] initialWeights(long seed) {
		SegmenterConfig cfg = new SegmenterConfig(2, 4, 40, 400, TrainingConfig.segmenterDefaults().withSeed(seed));
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), cfg.training())) {
			return net.snapshot();
		}
	}

	@Test
	void sameSeedSameInitialWeights() {
		float[][] a = initialWeights(7), b = initialWeights(7), c = initialWeights(8);
		assertArrayEquals(a, b);
		assertFalse(Arrays.deepEquals(a, c));
	}
}
