package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.TrainingConfig;

/** With {@code medcnn.deterministic=true}, the same seed gives the bitwise same training run on the CPU. */
class DeterminismTest {

	private static List<Double> run() throws Exception {
		ClassifierConfig cfg = new ClassifierConfig("cnn", 16, new int[] {4, 8}, 8, "max", 40, 400,
			new TrainingConfig(3, 4, 1e-2, "adam", "cross-entropy", "relu", 9, 0));
		Random rng = new Random(1);
		List<Trainer.Sample> samples = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			float[] x = new float[256];
			for (int j = 0; j < x.length; j++) x[j] = rng.nextFloat() * (i % 2 + 1);
			float[] y = new float[2];
			y[i % 2] = 1;
			samples.add(new Trainer.Sample(x, y, 16, 16));
		}
		List<Double> losses = new ArrayList<>();
		try (TrainableNet net = new TrainableNet(org.tensorflow.ndarray.Shape.of(-1, 16, 16, 1),
			org.tensorflow.ndarray.Shape.of(-1, 2), false, Architectures.classifier(cfg, 2), cfg.training())) {
			for (EpochMetrics m : new Trainer(net, cfg.training(), new Trainer.Accuracy(2), null, null)
				.fit(samples, samples.subList(0, 4)).history()) {
				losses.add(m.trainLoss());
				losses.add(m.valLoss());
			}
		}
		return losses;
	}

	@Test
	void sameSeedSameLosses() throws Exception {
		String old = System.getProperty("medcnn.deterministic");
		System.setProperty("medcnn.deterministic", "true");
		try {
			assertEquals(run(), run());
		} finally {
			if (old == null) System.clearProperty("medcnn.deterministic");
			else System.setProperty("medcnn.deterministic", old);
		}
	}
}
