package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Layer options: weight initialisation (statistics, and the default bit-identical to the weights drawn before the
 * options existed), batch norm against a Java oracle (training and inference mode, moving-average update, no
 * optimizer slots for the moving averages) and dropout.
 */
class LayersTest {

	private static final float EPS = (float) LayerConfig.BN_EPSILON;

	// ---- initialisation ----

	private static String fingerprint(float[][] w) throws Exception {
		MessageDigest md = MessageDigest.getInstance("SHA-256");
		for (float[] a : w)
			for (float f : a) {
				int b = Float.floatToRawIntBits(f);
				md.update(new byte[] {(byte) b, (byte) (b >> 8), (byte) (b >> 16), (byte) (b >> 24)});
			}
		return HexFormat.of().formatHex(md.digest());
	}

	/** Initial weights of the four architectures (small) for an activation and layer options. */
	private static List<String> fingerprints(String activation, LayerConfig lc) throws Exception {
		List<String> out = new ArrayList<>();
		TrainingConfig tc = TrainingConfig.classifierDefaults().withSeed(11).withActivation(activation);
		ClassifierConfig c = new ClassifierConfig("cnn", 16, new int[] {4, 8}, 16, "max", 40, 400, tc, lc);
		try (TrainableNet n = new TrainableNet(Shape.of(-1, 16, 16, 1), Shape.of(-1, 3), false, Architectures.classifier(c, 3),
			tc)) {
			out.add(fingerprint(n.snapshot()));
		}
		c = c.withArchitecture("mlp");
		try (TrainableNet n = new TrainableNet(Shape.of(-1, 16, 16, 1), Shape.of(-1, 3), false, Architectures.classifier(c, 3),
			tc)) {
			out.add(fingerprint(n.snapshot()));
		}
		TrainingConfig ts = TrainingConfig.segmenterDefaults().withSeed(11).withActivation(activation);
		try (TrainableNet n = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(new SegmenterConfig(2, 4, 40, 400, ts, lc)), ts)) {
			out.add(fingerprint(n.snapshot()));
		}
		try (TrainableNet n = new TrainableNet(Shape.of(-1, -1, -1, -1, 1), Shape.of(-1, -1, -1, -1, 1), true,
			Architectures.unet3d(new Segmenter3dConfig(2, 2, new int[] {8, 8, 8}, 40, 400, ts, lc)), ts)) {
			out.add(fingerprint(n.snapshot()));
		}
		return out;
	}

	/** SHA-256 of the initial weights as drawn by the code before the layer options (commit b40491f). */
	private static final List<String> BEFORE_RELU = List.of(
		"1d097bbf947220036de77c4ac9c7b681d9f00a60a2605555568f2fae31a751f5",
		"e5a47cddb685ecddceb782050a38a7af13b1fb033fc16269fa22568a8fa163a3",
		"1a1ac8bb310b765570ea37a78207286e373467d69029b333edbeed0b8decb5b3",
		"421a20b3c433ce6fca3be2a8e73685e4f6fa7a4fd9f63fd67b4dc7d3cfc1ed0b");
	private static final List<String> BEFORE_TANH = List.of(
		"b6033e9716d37afe8b7c2959bdc64fe332d32f559b00d576e7cdecb428e892cf",
		"97ce0de13dd296f3fd4496a9f7b9980a836ab3d11cdd2e96385af1b5314a5a8d",
		"10a9745e4f5d4d015d6b14553a7f97eb081bbde15ec43146bb37def7316870da",
		"18adf4db7eb0b9f8f74f22e7fffab89d6c3b6bea659ce0c8b1a8eb22cd165b48");

	@Test
	void defaultInitialisationIsBitIdenticalToBefore() throws Exception {
		assertEquals(BEFORE_RELU, fingerprints("relu", LayerConfig.DEFAULT));
		assertEquals(BEFORE_TANH, fingerprints("tanh", LayerConfig.DEFAULT));
		// the explicit names of the defaults change nothing; an explicit choice overrides the activation's default
		assertEquals(BEFORE_RELU, fingerprints("relu", LayerConfig.DEFAULT.withInit("he-normal")));
		assertEquals(BEFORE_RELU, fingerprints("tanh", LayerConfig.DEFAULT.withInit("he-normal")));
		assertEquals(BEFORE_TANH, fingerprints("relu", LayerConfig.DEFAULT.withInit("glorot-normal")));
		assertNotEquals(BEFORE_RELU.get(0), fingerprints("relu", LayerConfig.DEFAULT.withInit("he-uniform")).get(0));
	}

	private static double[] meanStd(float[] v) {
		double s = 0, s2 = 0;
		for (float f : v) s += f;
		double mean = s / v.length;
		for (float f : v) s2 += (f - mean) * (f - mean);
		return new double[] {mean, Math.sqrt(s2 / v.length)};
	}

	@Test
	void initialisationStatisticsFollowTheFormulas() {
		int fanIn = 3 * 3 * 64, fanOut = 3 * 3 * 128, n = fanIn * 128;
		Random rng = new Random(3);
		double[] he = meanStd(Layers.initialWeights(n, fanIn, fanOut, "he-normal", rng));
		double[] glorot = meanStd(Layers.initialWeights(n, fanIn, fanOut, "glorot-normal", rng));
		assertEquals(Math.sqrt(2.0 / fanIn), he[1], 0.1 * Math.sqrt(2.0 / fanIn));
		assertEquals(Math.sqrt(2.0 / (fanIn + fanOut)), glorot[1], 0.1 * Math.sqrt(2.0 / (fanIn + fanOut)));
		for (String init : List.of("he-uniform", "glorot-uniform")) {
			double limit = Math.sqrt(6.0 / (init.startsWith("he") ? fanIn : fanIn + fanOut));
			float[] w = Layers.initialWeights(n, fanIn, fanOut, init, rng);
			float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
			for (float f : w) {
				lo = Math.min(lo, f);
				hi = Math.max(hi, f);
			}
			assertTrue(lo >= -limit && hi <= limit, init + ": [" + lo + ", " + hi + "] outside ±" + limit);
			assertTrue(lo < -0.99 * limit && hi > 0.99 * limit, init + ": the draws do not fill ±" + limit);
			double[] ms = meanStd(w);
			assertEquals(limit / Math.sqrt(3), ms[1], 0.1 * limit / Math.sqrt(3), init); // σ of U(−l, l)
			assertEquals(0, ms[0], 0.02 * limit, init);
		}
		assertThrows(IllegalArgumentException.class, () -> Layers.initialWeights(4, 2, 2, "auto", rng));
	}

	@Test
	void layerConfigValidatesAndResolves() {
		assertEquals("he-normal", LayerConfig.DEFAULT.initFor("elu"));
		assertEquals("glorot-normal", LayerConfig.DEFAULT.initFor("sigmoid"));
		assertEquals("he-uniform", new LayerConfig(false, 0, "HE-Uniform").initFor("tanh"));
		assertEquals("auto", new LayerConfig(true, 0.5, null).init());
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerConfig(false, 0.95, null));
		assertTrue(e.getMessage().contains("dropout"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class, () -> new LayerConfig(false, 0, "xavier"));
		assertTrue(e.getMessage().contains("init"), e.getMessage());
		// old constructors give the default options; configs compare them
		SegmenterConfig s = SegmenterConfig.defaults();
		assertEquals(LayerConfig.DEFAULT, s.layers());
		assertNotEquals(s, s.withLayers(LayerConfig.DEFAULT.withBatchNorm(true)));
		assertEquals(0.3, s.withLayers(LayerConfig.DEFAULT.withDropout(0.3)).withTraining(s.training()).layers().dropout());
		assertEquals("glorot-uniform", ClassifierConfig.defaults().withLayers(LayerConfig.DEFAULT.withInit("glorot-uniform"))
			.withArchitecture("mlp").layers().init());
		assertNotEquals(Segmenter3dConfig.defaults(), Segmenter3dConfig.defaults().withLayers(new LayerConfig(true, 0, null)));
	}

	// ---- batch norm ----

	private static final int N = 2, H = 3, W = 4, C = 2;

	/** A net whose logits are batch norm of the input (C channels), trained with SGD on MSE. */
	private static TrainableNet bnNet(String optimizer) {
		TrainingConfig tc = new TrainingConfig(1, N, 0.1, optimizer, "mse", "relu", 1, 0);
		return new TrainableNet(Shape.of(-1, H, W, C), Shape.of(-1, H, W, C), true, (layers, input) -> {
			layers.options(new LayerConfig(true, 0, null));
			return layers.batchNorm("bn", input, C, 4);
		}, tc);
	}

	private static float[] run(TrainableNet net, float[] x, float[] y, boolean training, boolean step) {
		try (TFloat32 tx = TFloat32.tensorOf(Shape.of(N, H, W, C), DataBuffers.of(x));
			TFloat32 ty = TFloat32.tensorOf(Shape.of(N, H, W, C), DataBuffers.of(y))) {
			Session.Runner r = net.session.runner().feed(net.input, tx).feed(net.target, ty).fetch(TrainableNet.LOGITS);
			if (training) net.feedTraining(r);
			if (step) r.addTarget(net.train);
			try (Result res = r.run()) {
				float[] out = new float[x.length];
				((TFloat32) res.get(0)).copyTo(DataBuffers.of(out));
				return out;
			}
		}
	}

	@Test
	void batchNormMatchesTheFormulaInBothModesAndUpdatesMovingAverages() {
		Random rng = new Random(8);
		float[] x = new float[N * H * W * C], y = new float[x.length];
		for (int i = 0; i < x.length; i++) {
			x[i] = (float) (rng.nextGaussian() * (i % C == 0 ? 3 : 0.5) + (i % C == 0 ? 1 : -2));
			y[i] = rng.nextFloat();
		}
		float[] gamma = {1.5f, -0.5f}, beta = {0.2f, -1f}, mm = {0.3f, -0.2f}, mv = {2f, 0.5f};
		double[] mean = new double[C], var = new double[C];
		int per = x.length / C;
		for (int i = 0; i < x.length; i++) mean[i % C] += x[i] / (double) per;
		for (int i = 0; i < x.length; i++) var[i % C] += (x[i] - mean[i % C]) * (x[i] - mean[i % C]) / per;
		try (TrainableNet net = bnNet("sgd")) {
			assertTrue(net.hasTrainingMode());
			float[][] w = net.snapshot();
			assertEquals(4, w.length); // gamma, beta, then moving mean and variance
			assertArrayEquals(new float[] {1, 1}, w[0]);
			assertArrayEquals(new float[] {0, 0}, w[1]);
			assertArrayEquals(new float[] {0, 0}, w[2]);
			assertArrayEquals(new float[] {1, 1}, w[3]);
			net.restore(new float[][] {gamma, beta, mm, mv});
			float[] train = run(net, x, y, true, false), infer = run(net, x, y, false, false);
			for (int i = 0; i < x.length; i++) {
				int c = i % C;
				double t = (x[i] - mean[c]) / Math.sqrt(var[c] + EPS) * gamma[c] + beta[c];
				double u = (x[i] - mm[c]) / Math.sqrt(mv[c] + EPS) * gamma[c] + beta[c];
				assertEquals(t, train[i], 1e-4 * (1 + Math.abs(t)), "training mode, value " + i);
				assertEquals(u, infer[i], 1e-4 * (1 + Math.abs(u)), "inference mode, value " + i);
			}
			// a training step blends the batch statistics into the moving averages (m = 0.99)
			run(net, x, y, true, true);
			float[][] after = net.snapshot();
			for (int c = 0; c < C; c++) {
				assertEquals(0.99 * mm[c] + 0.01 * mean[c], after[2][c], 1e-5, "moving mean " + c);
				assertEquals(0.99 * mv[c] + 0.01 * var[c], after[3][c], 1e-5, "moving variance " + c);
			}
			assertNotEquals(gamma[0], after[0][0]); // and the trainable weights moved
			// an inference pass changes nothing
			run(net, x, y, false, false);
			assertArrayEquals(after, net.snapshot());
			// restore covers the moving averages (best-epoch weights)
			net.restore(new float[][] {gamma, beta, mm, mv});
			assertArrayEquals(mv, net.snapshot()[3]);
		}
	}

	@Test
	void movingAveragesGetNoOptimizerSlots() {
		try (TrainableNet net = bnNet("adam")) {
			List<String> moving = new ArrayList<>(), gamma = new ArrayList<>();
			for (var it = net.graph.operations(); it.hasNext();) {
				Operation op = it.next();
				if (!op.type().startsWith("Variable")) continue;
				if (op.name().contains("moving")) moving.add(op.name());
				if (op.name().contains("bn_gamma")) gamma.add(op.name());
			}
			assertEquals(List.of("bn_bn_moving_mean", "bn_bn_moving_variance"), moving.stream().sorted().toList());
			assertTrue(gamma.size() > 1, "Adam should have slots for gamma: " + gamma);
		}
	}

	// ---- dropout ----

	private static TrainableNet dropoutNet(double rate, long seed) {
		TrainingConfig tc = new TrainingConfig(1, 1, 0.1, "sgd", "mse", "relu", seed, 0);
		return new TrainableNet(Shape.of(-1, 50, 50, 1), Shape.of(-1, 50, 50, 1), true, (layers, input) -> {
			layers.options(new LayerConfig(false, rate, null));
			return layers.dropout(layers.conv("c", input, 1, 1, 1, true));
		}, tc);
	}

	private static float[] logits(TrainableNet net, float[] x, boolean training) {
		try (TFloat32 tx = TFloat32.tensorOf(Shape.of(1, 50, 50, 1), DataBuffers.of(x))) {
			Session.Runner r = net.session.runner().feed(net.input, tx).fetch(TrainableNet.LOGITS);
			if (training) net.feedTraining(r);
			try (Result res = r.run()) {
				float[] out = new float[x.length];
				((TFloat32) res.get(0)).copyTo(DataBuffers.of(out));
				return out;
			}
		}
	}

	@Test
	void dropoutDropsAboutTheRateInTrainingOnlyAndRepeats() {
		float[] x = new float[2500];
		java.util.Arrays.fill(x, 1f);
		for (double rate : new double[] {0.25, 0.6}) {
			float[] t1, t2;
			try (TrainableNet net = dropoutNet(rate, 5)) {
				float[] inf = logits(net, x, false);
				assertArrayEquals(inf, logits(net, x, false));
				t1 = logits(net, x, true);
				int zeros = 0;
				for (int i = 0; i < x.length; i++) {
					if (t1[i] == 0) zeros++;
					else assertEquals(inf[i] / (1 - rate), t1[i], 1e-5 * Math.abs(t1[i]));
				}
				assertEquals(rate, zeros / 2500.0, 0.04, "share of dropped values at rate " + rate);
			}
			try (TrainableNet net = dropoutNet(rate, 5)) {
				// the random op runs on every pass (inference too): the same sequence of passes repeats
				logits(net, x, false);
				logits(net, x, false);
				t2 = logits(net, x, true);
			}
			assertArrayEquals(t1, t2, "the same seed drops the same values");
			try (TrainableNet net = dropoutNet(rate, 6)) {
				logits(net, x, false);
				logits(net, x, false);
				assertNotEquals(java.util.Arrays.toString(t1), java.util.Arrays.toString(logits(net, x, true)));
			}
		}
		try (TrainableNet net = new TrainableNet(Shape.of(-1, 50, 50, 1), Shape.of(-1, 50, 50, 1), true,
			(layers, input) -> layers.dropout(layers.conv("c", input, 1, 1, 1, true)),
			new TrainingConfig(1, 1, 0.1, "sgd", "mse", "relu", 5, 0))) {
			assertNull(net.graph.operation(TrainableNet.TRAINING), "rate 0: no training flag, the graph as before");
		}
	}
}
