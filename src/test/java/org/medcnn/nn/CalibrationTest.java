package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.nn.metrics.TemperatureScaling;
import org.medcnn.volume.Volume;

/** Temperature scaling after classifier training: fitted on validation outputs, recorded, applied at prediction. */
class CalibrationTest {

	@TempDir
	Path dir;

	@Test
	void overConfidentModelGetsTemperatureAboveOneThatIsRecordedAndApplied() throws IOException {
		// Random labels and a large learning rate: the model memorises noise and is over-confident on validation.
		Random rng = new Random(5);
		int n = 64;
		int[] labels = new int[n];
		List<Volume> items = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			labels[i] = rng.nextInt(2);
			items.add(Synthetic.shape(24, rng.nextInt(2), rng));
		}
		TrainingConfig tc = new TrainingConfig(1, 4, 0.05, "adam", "cross-entropy", "relu", 5, 0.5);
		ClassifierConfig cfg = new ClassifierConfig("mlp", 16, null, 32, "avg", 40, 400, tc);
		Path out = Training.trainClassifier(items, labels, List.of("a", "b"), cfg, null, null, dir.resolve("cal"));

		ModelCard card = Models.readCard(out);
		Map<?, ?> cal = (Map<?, ?>) card.json().get("calibration");
		double t = ((Number) cal.get("temperature")).doubleValue();
		double before = ((Number) cal.get("nllBefore")).doubleValue(), after = ((Number) cal.get("nllAfter")).doubleValue();
		assertTrue(t > 1, "temperature " + t);
		assertTrue(after < before, "validation NLL " + before + " → " + after);
		assertEquals(((Number) ((Map<?, ?>) card.json().get("training")).get("valItems")).intValue(),
			((Number) cal.get("items")).intValue());
		assertEquals(t, TemperatureScaling.temperatureOf(card), 0);

		// The same package without calibration gives the raw softmax; the calibrated one gives it rescaled by T.
		Path raw = dir.resolve("raw");
		copyTree(out, raw);
		Map<String, Object> json = new LinkedHashMap<>(card.json());
		json.remove("calibration");
		Files.writeString(raw.resolve(ModelCard.FILE_NAME), Json.writePretty(json), StandardCharsets.UTF_8);
		try (Classifier c = Models.openClassifier(out); Classifier r = Models.openClassifier(raw)) {
			for (int i = 0; i < 4; i++) {
				Classification a = c.classify(items.get(i)), b = r.classify(items.get(i));
				float[] expected = TemperatureScaling.rescale(b.probabilities(), t);
				for (int k = 0; k < 2; k++) assertEquals(expected[k], a.probabilities()[k], 1e-6);
				assertEquals(b.classIndex(), a.classIndex());
			}
		}
	}

	@Test
	void withoutValidationTheTemperatureIsOneAndSaysSo() throws IOException {
		Random rng = new Random(2);
		int[] labels = {0, 1, 0, 1};
		List<Volume> items = new ArrayList<>();
		for (int l : labels) items.add(Synthetic.shape(16, l, rng));
		TrainingConfig tc = new TrainingConfig(1, 4, 1e-3, "adam", "cross-entropy", "relu", 5, 0);
		Path out = Training.trainClassifier(items, labels, List.of("a", "b"), new ClassifierConfig("mlp", 8, null, 4, "avg",
			40, 400, tc), null, null, dir.resolve("nocal"));
		ModelCard card = Models.readCard(out);
		Map<?, ?> cal = (Map<?, ?>) card.json().get("calibration");
		assertEquals(1.0, ((Number) cal.get("temperature")).doubleValue(), 0);
		assertTrue(String.valueOf(cal.get("note")).contains("not calibrated"));
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (var s = Files.walk(from)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path d = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(d);
				else Files.copy(p, d);
			}
		}
	}
}
