package org.medcnn.nn.tf;

import java.util.Random;
import org.medcnn.common.Cancellation;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Throughput;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.onnx.OnnxNet;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Times training and inference steps of a fresh network on random data (see {@code Engine.benchmark}). The
 * input and target tensors are built once and fed to every step, so the figures measure the network, not data
 * preparation. Stateless.
 */
final class TfBenchmark {

	/** Untimed steps before the inference measurement (the first runs also optimise the graph). */
	static final int WARM_UP_STEPS = 2;
	/** Fewest timed steps of each kind, however slow a step is. */
	static final int MIN_STEPS = 2;

	private TfBenchmark() {}

	static Throughput run(Record config, int size, int classes, double seconds, Cancellation c) {
		if (!(seconds > 0)) throw new IllegalArgumentException("seconds = " + seconds + " is out of range: allowed (0, ∞)");
		TrainingConfig tc;
		Shape xShape, yShape, netIn, netTarget;
		boolean binary;
		TrainableNet.Architecture arch;
		if (config instanceof ClassifierConfig cfg) {
			if (classes < 2) throw new IllegalArgumentException("classes = " + classes + " is out of range: allowed 2…");
			tc = cfg.training();
			int s = cfg.inputSize(), b = tc.batchSize();
			xShape = Shape.of(b, s, s, 1);
			yShape = Shape.of(b, classes);
			netIn = Shape.of(-1, s, s, 1);
			netTarget = Shape.of(-1, classes);
			binary = false;
			arch = Architectures.classifier(cfg, classes);
		} else if (config instanceof SegmenterConfig cfg) {
			if (size < 1 || size % cfg.sizeMultiple() != 0)
				throw new IllegalArgumentException("size = " + size + " must be a positive multiple of " + cfg.sizeMultiple());
			tc = cfg.training();
			xShape = yShape = Shape.of(tc.batchSize(), size, size, 1);
			netIn = netTarget = Shape.of(-1, -1, -1, 1);
			binary = true;
			arch = Architectures.unet2d(cfg);
		} else if (config instanceof Segmenter3dConfig cfg) {
			tc = cfg.training();
			int[] p = cfg.patchZyx();
			xShape = yShape = Shape.of(tc.batchSize(), p[0], p[1], p[2], 1);
			netIn = netTarget = Shape.of(-1, -1, -1, -1, 1);
			binary = true;
			arch = Architectures.unet3d(cfg);
		} else {
			throw new IllegalArgumentException("config must be a ClassifierConfig, SegmenterConfig or Segmenter3dConfig, got "
				+ (config == null ? "null" : config.getClass().getSimpleName()));
		}
		Random rng = new Random(tc.seed());
		float[] x = new float[(int) xShape.size()], y = new float[(int) yShape.size()];
		for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();
		if (binary) {
			for (int i = 0; i < y.length; i++) y[i] = x[i] > 0.7f ? 1 : 0;
		} else {
			for (int i = 0; i < tc.batchSize(); i++) y[i * classes + rng.nextInt(classes)] = 1;
		}
		int b = tc.batchSize();
		try (TrainableNet net = new TrainableNet(netIn, netTarget, binary, arch, tc);
			TFloat32 xt = TFloat32.tensorOf(xShape, DataBuffers.of(x));
			TFloat32 yt = TFloat32.tensorOf(yShape, DataBuffers.of(y))) {
			// A training step as the loop runs it: in training mode (batch norm on the batch's statistics and updating
			// its moving averages, dropout on), which costs more than the inference mode a bare runner defaults to.
			Runnable train = () -> net.feedTraining(net.session.runner().feed(net.input, xt).feed(net.target, yt))
				.addTarget(net.train).run().close();
			Runnable infer = () -> {
				try (Result r = net.session.runner().feed(net.input, xt).fetch(net.output).run()) {
					r.get(0).shape(); // the output was computed
				}
			};
			// Training warms up for a sixth of the time as well (oneDNN and the allocator settle over the first
			// dozens of steps), so that the bare graph and MedCNN's loop after it are timed alike.
			timed(train, seconds / 6, c);
			for (int i = 0; i < WARM_UP_STEPS; i++) step(infer, c);
			long[] inf = timed(infer, seconds / 2, c);
			long[] onnx = onnxInference(net, x, xShape, seconds / 2, c);
			// The bare graph and MedCNN's loop take turns, ROUNDS times, each loop turn as many steps as the bare
			// turn before it ran, so that a drift of the machine's speed (clock, neighbours) over the run falls on
			// both alike instead of on whichever was timed last.
			long[] tr = {0, 0};
			double pipeImages = 0, pipeSeconds = 0, outsideSeconds = 0;
			for (int round = 0; round < ROUNDS; round++) {
				long[] bare = timed(train, seconds / (2 * ROUNDS), c);
				tr[0] += bare[0];
				tr[1] += bare[1];
				double[] pipe = pipeline(net, tc, xShape, binary, classes, (int) bare[0], c);
				pipeImages += pipe[0];
				pipeSeconds += pipe[1];
				outsideSeconds += pipe[1] * pipe[2];
			}
			return new Throughput(b, (int) tr[0], tr[0] * b / (tr[1] / 1e9), (int) inf[0], inf[0] * b / (inf[1] / 1e9),
				net.parameterCount, pipeImages / pipeSeconds, outsideSeconds / pipeSeconds, (int) onnx[0], onnx[0] * b / (onnx[1] / 1e9));
		}
	}

	/**
	 * {steps, nanoseconds} of inference on ONNX Runtime: the network exported as a package's weights/model.onnx would be
	 * ({@link TrainableNet#onnxModel}), with {@link TfEngine#threads()} intra-op threads as TensorFlow's inference
	 * sessions, on the same input batch, after the same warm-up.
	 */
	static long[] onnxInference(TrainableNet net, float[] x, Shape shape, double seconds, Cancellation c) {
		try (OnnxNet onnx = new OnnxNet(net.onnxModel("benchmark"), TfEngine.threads(), "the benchmark network")) {
			long[] dims = shape.asArray();
			Runnable infer = () -> onnx.run(x, dims);
			for (int i = 0; i < WARM_UP_STEPS; i++) step(infer, c);
			return timed(infer, seconds, c);
		}
	}

	/** Turns of the bare graph and of MedCNN's loop in the training measurement. */
	static final int ROUNDS = 3;

	/** Most distinct batches the pipeline measurement keeps in memory; further steps repeat them. */
	static final int PIPELINE_BATCHES = 12;

	/**
	 * {images, seconds, share of step time outside TensorFlow} of about {@code steps} training steps (whole epochs of
	 * at most {@link #PIPELINE_BATCHES} batches) through {@link Trainer} (the product's
	 * loop: shuffling, the augmentation training gives this model by default (flips for a U-Net, standard for a
	 * classifier) in the background thread, packing, metric), on distinct random
	 * samples of the benchmark's shape, with the already warm network.
	 */
	static double[] pipeline(TrainableNet net, TrainingConfig tc, Shape xShape, boolean binary, int classes, int steps,
		Cancellation c) {
		int b = tc.batchSize(), batches = Math.max(1, Math.min(PIPELINE_BATCHES, steps));
		int epochs = Math.max(1, (steps + batches - 1) / batches);
		boolean threeD = xShape.numDimensions() == 5;
		int d = threeD ? (int) xShape.get(1) : 0, h = (int) xShape.get(threeD ? 2 : 1), w = (int) xShape.get(threeD ? 3 : 2);
		Random rng = new Random(tc.seed() + 1);
		java.util.List<Trainer.Sample> samples = new java.util.ArrayList<>();
		for (int i = 0; i < batches * b; i++) {
			float[] x = new float[w * h * Math.max(1, d)];
			for (int k = 0; k < x.length; k++) x[k] = rng.nextFloat();
			float[] y;
			if (binary) {
				y = new float[x.length];
				for (int k = 0; k < x.length; k++) y[k] = x[k] > 0.7f ? 1 : 0;
			} else {
				y = new float[classes];
				y[rng.nextInt(classes)] = 1;
			}
			samples.add(new Trainer.Sample(x, y, w, h, d));
		}
		Trainer.Metric metric = binary ? new Trainer.Dice() : new Trainer.Accuracy(classes);
		TrainingConfig run = tc.withEpochs(epochs).withValFraction(0).withPatience(0).withResume(false);
		long t0 = System.nanoTime();
		Trainer.Outcome o;
		try {
			o = new Trainer(net, run, metric, null, c).augmenter(Augmentations.of(tc.augment(), binary)).fit(samples, java.util.List.of());
		} catch (java.io.IOException e) {
			throw new IllegalStateException("the training loop failed while timing: " + e.getMessage(), e);
		}
		double secs = (System.nanoTime() - t0) / 1e9;
		return new double[] {(double) epochs * batches * b, secs, o.outsideShare()};
	}

	private static void step(Runnable r, Cancellation c) {
		if (c != null) c.check();
		r.run();
	}

	/** {steps, nanoseconds}: steps until at least {@code seconds} have passed and {@link #MIN_STEPS} have run. */
	private static long[] timed(Runnable r, double seconds, Cancellation c) {
		long t0 = System.nanoTime(), steps = 0, elapsed;
		do {
			step(r, c);
			steps++;
			elapsed = System.nanoTime() - t0;
		} while (steps < MIN_STEPS || elapsed < seconds * 1e9);
		return new long[] {steps, elapsed};
	}
}
