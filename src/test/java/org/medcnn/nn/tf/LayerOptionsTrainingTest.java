package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Synthetic;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Volume;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Every architecture trains with batch norm and dropout on (the training loss falls), and a package with batch
 * norm gives, after reload, exactly the in-memory network's inference-mode predictions.
 */
class LayerOptionsTrainingTest {

	private static final LayerConfig BN_DROPOUT = new LayerConfig(true, 0.3, null);

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

	/** Random images; segmentation targets threshold a smoothed image, classification targets its mean. */
	private static List<Trainer.Sample> samples(int n, int w, int h, int d, int classes, Random rng) {
		List<Trainer.Sample> out = new ArrayList<>();
		int len = w * h * Math.max(1, d);
		for (int i = 0; i < n; i++) {
			float[] x = new float[len];
			float base = rng.nextFloat() * 0.5f;
			for (int j = 0; j < len; j++) x[j] = base + 0.5f * rng.nextFloat();
			float[] y;
			if (classes == 0) {
				y = new float[len];
				for (int j = 0; j < len; j++) y[j] = x[j] > base + 0.3f ? 1 : 0;
			} else {
				y = new float[classes];
				y[base < 0.25f ? 0 : 1] = 1;
			}
			out.add(new Trainer.Sample(x, y, w, h, d));
		}
		return out;
	}

	private static void assertLossFalls(List<EpochMetrics> h, String what) {
		double first = h.get(0).trainLoss(), last = h.get(h.size() - 1).trainLoss();
		assertTrue(Double.isFinite(last) && last < 0.9 * first, what + ": training loss " + first + " → " + last);
	}

	private static Map<String, Object> card(String task, Map<String, Object> input, List<String> classes) {
		Map<String, Object> c = new LinkedHashMap<>();
		c.put("formatVersion", "1"); // the window in the input record is card format 1's
		c.put("task", task);
		c.put("architecture", Map.of("type", task.equals(ModelCard.SEGMENTATION) ? "unet2d" : "cnn"));
		c.put("name", "bn");
		c.put("classNames", classes);
		c.put("input", input);
		return c;
	}

	@Test
	void unet2dTrainsWithBatchNormAndDropoutAndSurvivesExport() throws IOException {
		TrainingConfig tc = new TrainingConfig(10, 4, 1e-2, "adam", "dice-ce", "relu", 9, 0);
		SegmenterConfig cfg = new SegmenterConfig(2, 4, 40, 400, tc, BN_DROPOUT);
		Random rng = new Random(4);
		float[] x = samples(3, 16, 12, 0, 0, rng).stream().map(Trainer.Sample::x).reduce(new float[0], (a, b) -> {
			float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
			System.arraycopy(b, 0, c, a.length, b.length);
			return c;
		});
		Shape shape = Shape.of(3, 12, 16, 1);
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), tc)) {
			Trainer.Outcome o = new Trainer(net, tc, new Trainer.Dice(), null, null).fit(samples(8, 16, 12, 0, 0, rng),
				samples(2, 16, 12, 0, 0, rng));
			assertLossFalls(o.history(), "2D U-Net");
			float[] before = predict(net, x, shape);
			assertArrayEquals(before, predict(net, x, shape), "inference is deterministic (no dropout)");
			Path pkg = PackageWriter.write(dir.resolve("unet"), card(ModelCard.SEGMENTATION,
				Map.of("windowCenterHu", 40, "windowWidthHu", 400, "sizeMultiple", 2), List.of("background", "lesion")),
				d -> TfTraining.export(net, d));
			try (TfSegmenter s = new TfSegmenter(pkg, Models.readCard(pkg))) {
				assertArrayEquals(before, s.run(x, shape));
			}
		}
	}

	@Test
	void unet3dTrainsWithBatchNormAndDropout() throws IOException {
		TrainingConfig tc = new TrainingConfig(5, 2, 1e-2, "adam", "dice-ce", "relu", 9, 0);
		Segmenter3dConfig cfg = new Segmenter3dConfig(2, 2, new int[] {4, 8, 8}, 40, 400, tc, BN_DROPOUT);
		Random rng = new Random(5);
		float[] x = samples(1, 8, 8, 4, 0, rng).get(0).x();
		Shape shape = Shape.of(1, 4, 8, 8, 1);
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, -1, 1), Shape.of(-1, -1, -1, -1, 1), true,
			Architectures.unet3d(cfg), tc)) {
			Trainer.Outcome o = new Trainer(net, tc, new Trainer.Dice(), null, null).fit(samples(6, 8, 8, 4, 0, rng), List.of());
			assertLossFalls(o.history(), "3D U-Net");
			float[] before = predict(net, x, shape);
			Map<String, Object> input = new LinkedHashMap<>(Map.of("windowCenterHu", 40, "windowWidthHu", 400, "sizeMultiple",
				2, "zMultiple", 1, "patchZyx", List.of(4, 8, 8)));
			Map<String, Object> c = card(ModelCard.SEGMENTATION, input, List.of("background", "lesion"));
			c.put("architecture", Map.of("type", TfTraining3d.ARCHITECTURE, "dims", 3));
			Path pkg = PackageWriter.write(dir.resolve("unet3d"), c, d -> TfTraining.export(net, d));
			try (TfSegmenter3d s = new TfSegmenter3d(pkg, Models.readCard(pkg))) {
				assertArrayEquals(before, s.run(x, shape));
			}
		}
	}

	@Test
	void mlpTrainsWithBatchNormAndDropout() throws IOException {
		TrainingConfig tc = new TrainingConfig(8, 8, 1e-2, "adam", "cross-entropy", "tanh", 9, 0);
		ClassifierConfig cfg = new ClassifierConfig("mlp", 16, null, 16, "max", 40, 400, tc,
			new LayerConfig(true, 0.3, "glorot-uniform"));
		try (TrainableNet net = new TrainableNet(Shape.of(-1, 16, 16, 1), Shape.of(-1, 2), false,
			Architectures.classifier(cfg, 2), tc)) {
			assertTrue(net.hasTrainingMode());
			Trainer.Outcome o = new Trainer(net, tc, new Trainer.Accuracy(2), null, null).fit(
				samples(16, 16, 16, 0, 2, new Random(6)), List.of());
			assertLossFalls(o.history(), "MLP");
		}
	}

	@Test
	void cnnClassifierTrainsWithBatchNormAndDropoutAndRecordsThemInTheCard() throws IOException {
		int[] labels = new int[48];
		Random rng = new Random(11);
		List<Volume> items = new ArrayList<>();
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			items.add(Synthetic.shape(40, labels[i], rng));
		}
		TrainingConfig tc = new TrainingConfig(8, 8, 3e-3, "adam", "cross-entropy", "relu", 5, 0.25).withAugment("none");
		ClassifierConfig cfg = new ClassifierConfig("cnn", 16, new int[] {4, 8}, 16, "max", 40, 400, tc,
			new LayerConfig(true, 0.25, "he-uniform"));
		List<EpochMetrics> history = new ArrayList<>();
		Path out = Training.trainClassifier(items, labels, List.of("disc", "square"), cfg, history::add, null,
			dir.resolve("cls"));
		assertLossFalls(history, "CNN");
		Map<?, ?> arch = (Map<?, ?>) Models.readCard(out).json().get("architecture");
		assertEquals(true, arch.get("batchNorm"));
		assertEquals(0.25, ((Number) arch.get("dropout")).doubleValue());
		assertEquals("he-uniform", arch.get("init"));
		try (Classifier c = Models.openClassifier(out)) {
			Classification a = c.classify(items.get(0)), b = c.classify(items.get(0));
			assertArrayEquals(a.probabilities(), b.probabilities());
			assertEquals(1.0, a.probabilities()[0] + a.probabilities()[1], 1e-5);
			float[] saliency = c.saliency(items.get(0), 1); // input gradients through batch norm and dropout
			double sum = 0;
			for (float v : saliency) sum += v;
			assertTrue(Double.isFinite(sum) && sum > 0, "saliency sum " + sum);
		}
	}
}
