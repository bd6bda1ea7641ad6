package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Volume;

/** Training smoke test of the CNN classifier and MLP baseline: discs (class 0) versus squares (class 1). */
class ClassifierTrainingTest {

	@TempDir
	Path dir;

	private static List<Volume> items(int perClass, int[] labels, long seed) {
		Random rng = new Random(seed);
		List<Volume> out = new ArrayList<>();
		for (int i = 0; i < 2 * perClass; i++) {
			labels[i] = i % 2;
			out.add(Synthetic.shape(40, labels[i], rng)); // resampled to the 32×32 input
		}
		return out;
	}

	@Test
	void cnnLearnsDiscsVersusSquaresAndReloads() throws IOException {
		int[] labels = new int[128];
		List<Volume> items = items(64, labels, 11);
		TrainingConfig tc = new TrainingConfig(40, 8, 3e-3, "adam", "cross-entropy", "relu", 5, 0.25).withAugment("standard");
		ClassifierConfig cfg = new ClassifierConfig("cnn", 32, new int[] {8, 16}, 32, "max", 40, 400, tc);
		List<EpochMetrics> history = new ArrayList<>();
		Path out = Training.trainClassifier(items, labels, List.of("low", "high"), cfg, history::add, null, dir.resolve("cls"));

		EpochMetrics first = history.get(0), last = history.get(history.size() - 1);
		assertEquals("accuracy", last.metricName());
		assertTrue(last.trainLoss() < first.trainLoss(), first.trainLoss() + " → " + last.trainLoss());
		assertTrue(last.trainMetric() >= 0.75, "train accuracy (on augmented images) " + last.trainMetric());
		assertTrue(last.trainMetric() > first.trainMetric(), "accuracy rises");

		ModelCard card = Models.readCard(out);
		assertEquals(List.of("low", "high"), card.classNames());
		assertEquals(List.of("low", "high"), card.riskLevels());
		assertEquals(32, card.inputSize());
		assertEquals("cnn", card.architecture());

		// 60 held-out shapes: with 20, one unlucky draw moved the rate by 5 % (chance is 50 %)
		int[] testLabels = new int[60];
		List<Volume> test = items(30, testLabels, 99);
		int right = 0;
		try (Classifier c = Models.openClassifier(out); Classifier again = Models.openClassifier(out)) {
			for (int i = 0; i < test.size(); i++) {
				Classification a = c.classify(test.get(i));
				assertArrayEquals(a.probabilities(), again.classify(test.get(i)).probabilities());
				assertEquals(1.0, a.probabilities()[0] + a.probabilities()[1], 1e-5);
				if (a.classIndex() == testLabels[i]) right++;
			}
			assertThrows(ModelFormatException.class, () -> Models.openSegmenter(out));
		}
		assertTrue(right >= 48, right + "/60 held-out shapes right (measured 55-57 with augmentation, 38-44 without)");
	}

	@Test
	void mlpBaselineTrainsWithMseAndMomentum() throws IOException {
		int[] labels = new int[16];
		List<Volume> items = items(8, labels, 3);
		TrainingConfig tc = new TrainingConfig(3, 4, 1e-2, "momentum", "mse", "tanh", 5, 0);
		ClassifierConfig cfg = new ClassifierConfig("mlp", 16, null, 8, "avg", 40, 400, tc);
		List<EpochMetrics> history = new ArrayList<>();
		Path out = Training.trainClassifier(items, labels, List.of("disc", "square"), cfg, history::add, null, dir.resolve("mlp"));
		assertEquals(3, history.size());
		assertTrue(Double.isNaN(history.get(2).valLoss()));
		ModelCard card = Models.readCard(out);
		assertEquals("mlp", card.architecture());
		assertTrue(card.riskLevels().isEmpty());
	}

	@Test
	void labelsOutOfRangeAreRefused() {
		int[] labels = new int[4];
		List<Volume> items = items(2, labels, 3);
		labels[3] = 2;
		String m = assertThrows(IllegalArgumentException.class, () -> Training.trainClassifier(items, labels,
			List.of("a", "b"), ClassifierConfig.defaults(), null, null, dir.resolve("x"))).getMessage();
		assertTrue(m.contains("labels[3]") && m.contains("2"), m);
	}
}
