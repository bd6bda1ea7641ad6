package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.Models;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Grad-CAM on a tiny CNN trained here (seconds) to tell "a bright 6×6 blob somewhere" ({@code blob}) from plain
 * noise ({@code none}): the map equals the formula computed in Java from the fetched feature maps and gradients,
 * the gradients agree with finite differences of the logit when the feature map is fed, the map's peak lies on the
 * blob for most images, and an MLP is refused.
 */
class GradCamTest {

	private static final int N = 32, BLOB = 6, BLOB_CLASS = 1;

	@TempDir
	static Path dir;
	private static Path cnn;

	/** Soft tissue (0 ± 15 HU); with {@code bx ≥ 0} a 6×6 blob of 250 HU at (bx, by). */
	static Volume image(Random rng, int bx, int by) {
		float[] v = new float[N * N];
		for (int y = 0; y < N; y++)
			for (int x = 0; x < N; x++) {
				boolean in = bx >= 0 && x >= bx && x < bx + BLOB && y >= by && y < by + BLOB;
				v[y * N + x] = (float) ((in ? 250 : 0) + 15 * rng.nextGaussian());
			}
		return new Volume(Geometry.axial(N, N, 1, 1, 1, 1), v, "CT", List.of(""));
	}

	private static Path train(String architecture, int epochs, Path out) throws IOException {
		return train(architecture, epochs, "relu", "max", out);
	}

	private static Path train(String architecture, int epochs, String activation, String pooling, Path out) throws IOException {
		Random rng = new Random(11);
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[64];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			items.add(image(rng, labels[i] == BLOB_CLASS ? rng.nextInt(N - BLOB + 1) : -1, rng.nextInt(N - BLOB + 1)));
		}
		TrainingConfig tc = new TrainingConfig(epochs, 8, 5e-3, "adam", "cross-entropy", activation, 7, 0);
		ClassifierConfig cfg = new ClassifierConfig(architecture, N, new int[] {4, 8}, 16, pooling, 40, 400, tc);
		return Training.trainClassifier(items, labels, List.of("none", "blob"), cfg, null, null, out);
	}

	@BeforeAll
	static void trainCnn() throws IOException {
		cnn = train("cnn", 12, dir.resolve("cnn"));
	}

	@Test
	void camIsTheFormulaOnTheFetchedMapsAndGradients() throws IOException {
		Volume v = image(new Random(3), 20, 4);
		try (TfClassifier c = new TfClassifier(cnn, Models.readCard(cnn))) {
			GradCam.Maps m = c.gradCamMaps(v, BLOB_CLASS);
			GradCam ops = c.gradCamOps();
			// The last conv activation before its pooling: 32 → pool → 16×16 with 8 channels.
			assertEquals(16, m.height());
			assertEquals(16, m.width());
			assertEquals(8, m.channels());
			assertEquals("Relu", ops.featureMap().op().type(), ops.featureOpName());

			float[] x = Inputs.classifierInput(v, N, new org.medcnn.nn.Normalisation.Window(40, 400));
			int hw = m.height() * m.width(), k = m.channels();
			c.onBundle(b -> {
				Output<?> a = ops.featureMap(), logits = b.graph().operation(TrainableNet.LOGITS).output(0);
				// The feature maps, fetched on their own.
				float[] fetched = fetch(b.session().runner().feed(b.graph().operation(TrainableNet.INPUT).output(0), tensor(x,
					Shape.of(1, N, N, 1))).fetch(a));
				assertArrayEquals(fetched, m.features());
				// α_k·hw = Σ_ij ∂y/∂A_ijk is the derivative of the logit along "add ε to all of channel k".
				Shape as = Shape.of(1, m.height(), m.width(), k);
				double eps = 1e-3, maxSum = 0;
				double[] sums = new double[k], fd = new double[k];
				for (int ch = 0; ch < k; ch++) {
					for (int i = 0; i < hw; i++) sums[ch] += m.gradients()[i * k + ch];
					maxSum = Math.max(maxSum, Math.abs(sums[ch]));
					float[] plus = m.features().clone(), minus = m.features().clone();
					for (int i = 0; i < hw; i++) {
						plus[i * k + ch] += (float) eps;
						minus[i * k + ch] -= (float) eps;
					}
					float yp = fetch(b.session().runner().feed(a, tensor(plus, as)).fetch(logits))[BLOB_CLASS];
					float ym = fetch(b.session().runner().feed(a, tensor(minus, as)).fetch(logits))[BLOB_CLASS];
					fd[ch] = (yp - ym) / (2 * eps);
				}
				assertTrue(maxSum > 1e-3, "the logit depends on the feature map");
				// Shifting a whole channel by ε can flip a hidden ReLU unit of the dense head (a kink the analytic
				// gradient does not see), so one channel in k may disagree; a wrong gradient fails most of them.
				List<String> off = new java.util.ArrayList<>();
				for (int ch = 0; ch < k; ch++)
					if (Math.abs(sums[ch] - fd[ch]) > 0.02 * maxSum + 2e-3) off.add("channel " + ch + ": " + sums[ch] + " vs " + fd[ch]);
				assertTrue(off.size() <= 1, "gradient vs finite difference: " + off);
				return null;
			});

			// The formula, computed here: α_k = mean G_k, cam = ReLU(Σ α_k A_k), bilinear up, ÷ max.
			double[] alpha = new double[k];
			for (int i = 0; i < hw; i++)
				for (int ch = 0; ch < k; ch++) alpha[ch] += m.gradients()[i * k + ch] / (double) hw;
			float[] cam = new float[hw];
			for (int i = 0; i < hw; i++) {
				double s = 0;
				for (int ch = 0; ch < k; ch++) s += alpha[ch] * m.features()[i * k + ch];
				cam[i] = (float) Math.max(0, s);
			}
			float[] up = Inputs.resizeBilinear(cam, 16, 16, N, N);
			float max = 0;
			for (float f : up) max = Math.max(max, f);
			assertTrue(max > 0, "some location speaks for the blob");
			for (int i = 0; i < up.length; i++) up[i] /= max;
			float[] got = c.gradCam(v, BLOB_CLASS);
			assertArrayEquals(up, got, 1e-5f);
			float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
			for (float f : got) {
				lo = Math.min(lo, f);
				hi = Math.max(hi, f);
			}
			assertEquals(1, hi, 1e-6);
			assertTrue(lo >= 0);
			assertThrows(IllegalArgumentException.class, () -> c.gradCam(v, 2));
		}
	}

	private static TFloat32 tensor(float[] v, Shape s) {
		return TFloat32.tensorOf(s, DataBuffers.of(v));
	}

	private static float[] fetch(org.tensorflow.Session.Runner runner) {
		try (Result r = runner.run()) {
			float[] v = new float[(int) r.get(0).shape().size()];
			((TFloat32) r.get(0)).copyTo(DataBuffers.of(v));
			return v;
		}
	}

	@Test
	void camPeaksOnTheBlob() throws IOException {
		Random rng = new Random(99);
		int hits = 0, n = 20;
		StringBuilder misses = new StringBuilder();
		try (Classifier c = Models.openClassifier(cnn)) {
			for (int t = 0; t < n; t++) {
				int bx = rng.nextInt(N - BLOB + 1), by = rng.nextInt(N - BLOB + 1);
				float[] map = c.gradCam(image(rng, bx, by), BLOB_CLASS);
				int best = 0;
				for (int i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
				int px = best % N, py = best / N;
				// One feature-map cell (2 pixels) of slack around the blob.
				if (px >= bx - 2 && px < bx + BLOB + 2 && py >= by - 2 && py < by + BLOB + 2) hits++;
				else misses.append(String.format(" blob (%d,%d) peak (%d,%d);", bx, by, px, py));
			}
		}
		assertTrue(hits >= 0.7 * n, hits + " of " + n + " peaks on the blob;" + misses);
	}

	@Test
	void tanhActivationAndAveragePoolingFindTheSameLayer() throws IOException {
		Path pkg = train("cnn", 1, "tanh", "avg", dir.resolve("tanh-avg"));
		try (TfClassifier c = new TfClassifier(pkg, Models.readCard(pkg))) {
			GradCam.Maps m = c.gradCamMaps(image(new Random(5), 9, 9), BLOB_CLASS);
			assertEquals("Tanh", c.gradCamOps().featureMap().op().type(), "the activation before the last AvgPool");
			assertEquals(16, m.height());
			assertEquals(8, m.channels());
			float[] map = c.gradCam(image(new Random(5), 9, 9), 0);
			assertEquals(N * N, map.length);
			for (float f : map) assertTrue(f >= 0 && f <= 1, "in [0, 1]: " + f);
		}
	}

	@Test
	void dropoutBeforeTheOutputLayerIsWalkedThrough() throws IOException {
		// dropout puts Select(training, x·keep, x) in front of the output layer: its data is the inference branch
		Random rng = new Random(11);
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[16];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			items.add(image(rng, labels[i] == BLOB_CLASS ? rng.nextInt(N - BLOB + 1) : -1, rng.nextInt(N - BLOB + 1)));
		}
		TrainingConfig tc = new TrainingConfig(1, 8, 5e-3, "adam", "cross-entropy", "relu", 7, 0);
		ClassifierConfig cfg = new ClassifierConfig("cnn", N, new int[] {4, 8}, 16, "max", 40, 400, tc,
			new org.medcnn.nn.LayerConfig(false, 0.5, null));
		Path pkg = Training.trainClassifier(items, labels, List.of("none", "blob"), cfg, null, null, dir.resolve("dropout"));
		try (TfClassifier c = new TfClassifier(pkg, Models.readCard(pkg))) {
			assertEquals("Relu", c.gradCamOps().featureMap().op().type());
			float[] cam = c.gradCam(image(new Random(5), 8, 8), BLOB_CLASS);
			assertEquals(N * N, cam.length);
		}
	}

	@Test
	void mlpIsRefusedWithAHintAtSaliency() throws IOException {
		Path mlp = train("mlp", 1, dir.resolve("mlp"));
		Volume v = image(new Random(4), 3, 3);
		try (Classifier c = Models.openClassifier(mlp)) {
			UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> c.gradCam(v, 0));
			assertTrue(e.getMessage().contains("saliency") && e.getMessage().contains("no convolutional layer"), e.getMessage());
			assertEquals(N * N, c.saliency(v, 0).length, "saliency still works for the MLP");
		}
	}
}
