package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Export → reload → the same predictions, bit for bit, as the in-memory trained network (CPU). */
class ExportRoundTripTest {

	@TempDir
	Path dir;

	private static float[] predict(TrainableNet net, float[] x, Shape shape) {
		try (TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(x)); Result r = net.session.runner().feed(net.input, t)
			.fetch(net.output).run()) {
			float[] out = new float[(int) r.get(0).shape().size()];
			((TFloat32) r.get(0)).copyTo(DataBuffers.of(out));
			return out;
		}
	}

	private static List<Trainer.Sample> randomSamples(int n, int w, int h, int yLen, Random rng) {
		List<Trainer.Sample> out = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			float[] x = new float[w * h], y = new float[yLen];
			for (int j = 0; j < x.length; j++) x[j] = rng.nextFloat();
			if (yLen == w * h) for (int j = 0; j < y.length; j++) y[j] = x[j] > 0.6f ? 1 : 0;
			else y[i % yLen] = 1;
			out.add(new Trainer.Sample(x, y, w, h));
		}
		return out;
	}

	private static Map<String, Object> card(String task, Map<String, Object> input, List<String> classes) {
		Map<String, Object> c = new LinkedHashMap<>();
		c.put("formatVersion", "1"); // the window in the input record is card format 1's
		c.put("task", task);
		c.put("architecture", Map.of("type", task.equals(ModelCard.SEGMENTATION) ? "unet2d" : "cnn"));
		c.put("name", "roundtrip");
		c.put("classNames", classes);
		c.put("input", input);
		return c;
	}

	@Test
	void unetPredictionsSurviveExport() throws IOException {
		SegmenterConfig cfg = new SegmenterConfig(2, 4, 40, 400, new TrainingConfig(2, 2, 1e-2, "adam", "dice-ce", "relu", 9, 0));
		Random rng = new Random(4);
		float[] x = randomSamples(1, 3 * 16 * 12, 1, 1, rng).get(0).x(); // 3 slices of 16×12
		Shape shape = Shape.of(3, 12, 16, 1);
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), cfg.training())) {
			new Trainer(net, cfg.training(), new Trainer.Dice(), null, null).fit(randomSamples(4, 16, 12, 16 * 12, rng), List.of());
			float[] before = predict(net, x, shape);
			Path pkg = PackageWriter.write(dir.resolve("unet"), card(ModelCard.SEGMENTATION,
				Map.of("windowCenterHu", 40, "windowWidthHu", 400, "sizeMultiple", 2), List.of("background", "lesion")),
				d -> TfTraining.export(net, d));
			try (TfSegmenter s = new TfSegmenter(pkg, Models.readCard(pkg))) {
				assertArrayEquals(before, s.run(x, shape));
			}
		}
	}

	@Test
	void classifierPredictionsSurviveExport() throws IOException {
		ClassifierConfig cfg = new ClassifierConfig("cnn", 16, new int[] {4}, 8, "avg", 40, 400,
			new TrainingConfig(2, 4, 1e-2, "sgd", "cross-entropy", "sigmoid", 9, 0));
		Random rng = new Random(5);
		float[] x = randomSamples(1, 2 * 16 * 16, 1, 1, rng).get(0).x();
		Shape shape = Shape.of(2, 16, 16, 1);
		try (TrainableNet net = new TrainableNet(Shape.of(-1, 16, 16, 1), Shape.of(-1, 3), false,
			Architectures.classifier(cfg, 3), cfg.training())) {
			new Trainer(net, cfg.training(), new Trainer.Accuracy(3), null, null).fit(randomSamples(6, 16, 16, 3, rng), List.of());
			float[] before = predict(net, x, shape);
			assertEquals(6, before.length);
			Path pkg = PackageWriter.write(dir.resolve("cnn"), card(ModelCard.CLASSIFICATION,
				Map.of("windowCenterHu", 40, "windowWidthHu", 400, "inputSize", 16), List.of("a", "b", "c")),
				d -> TfTraining.export(net, d));
			try (TfClassifier c = new TfClassifier(pkg, Models.readCard(pkg))) {
				assertArrayEquals(before, c.run(x, shape));
			}
		}
	}

	@Test
	void deviceIsReported() throws IOException {
		assertEquals("CPU", Models.device());
	}
}
