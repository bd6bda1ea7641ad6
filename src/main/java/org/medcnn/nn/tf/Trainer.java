package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.medcnn.common.Cancellation;
import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.TrainingException;
import org.medcnn.nn.TrainingListener;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The mini-batch training loop shared by segmenters and classifiers: seeded shuffling, per-epoch metrics,
 * validation, NaN guard, cancellation, and keeping the weights of the best epoch (lowest validation loss, or
 * the last epoch without validation). Not thread-safe; one instance per training run.
 */
final class Trainer {

	/**
	 * One training item: a {@code w × h} input image and its target ({@code w × h} mask or one-hot vector), or
	 * for a 3D net ({@code d > 0}) a {@code w × h × d} patch and its mask, flattened {@code [z][y][x]}.
	 */
	record Sample(float[] x, float[] y, int w, int h, int d) {

		/** A 2D sample. */
		Sample(float[] x, float[] y, int w, int h) {
			this(x, y, w, h, 0);
		}

		/** Whether the target has any positive value (a slice that shows lesion). */
		boolean hasForeground() {
			for (float v : y) if (v > 0) return true;
			return false;
		}
	}

	/** Chooses the training samples of one epoch from all of them. */
	@FunctionalInterface
	interface EpochSampler {
		List<Sample> sample(List<Sample> all, Random rng);
	}

	/** Changes a training sample on the fly (data augmentation); never applied to validation samples. */
	@FunctionalInterface
	interface Augmenter {
		Sample augment(Sample s, Random rng);
	}

	/** No augmentation. */
	static final Augmenter NONE = (s, rng) -> s;

	/**
	 * Random left-right and up-down mirroring of image and target together (each with probability 1/2), for
	 * segmentation samples whose target is an image of the same size. A lesion is a lesion whichever way it faces.
	 */
	static final Augmenter FLIPS = (s, rng) -> {
		boolean fx = rng.nextBoolean(), fy = rng.nextBoolean();
		if (!fx && !fy) return s;
		int slices = Math.max(1, s.d());
		return new Sample(flipSlices(s.x(), s.w(), s.h(), slices, fx, fy), flipSlices(s.y(), s.w(), s.h(), slices, fx, fy),
			s.w(), s.h(), s.d());
	};

	/** {@link #flip} applied to each of {@code slices} consecutive {@code w × h} slices. */
	static float[] flipSlices(float[] a, int w, int h, int slices, boolean fx, boolean fy) {
		if (slices == 1) return flip(a, w, h, fx, fy);
		float[] out = new float[a.length];
		float[] slice = new float[w * h];
		for (int z = 0; z < slices; z++) {
			System.arraycopy(a, z * w * h, slice, 0, w * h);
			System.arraycopy(flip(slice, w, h, fx, fy), 0, out, z * w * h, w * h);
		}
		return out;
	}

	static float[] flip(float[] a, int w, int h, boolean fx, boolean fy) {
		float[] out = new float[a.length];
		for (int y = 0; y < h; y++) {
			int sy = fy ? h - 1 - y : y;
			for (int x = 0; x < w; x++) out[y * w + x] = a[sy * w + (fx ? w - 1 - x : x)];
		}
		return out;
	}

	/** Every sample, every epoch. */
	static final EpochSampler ALL = (all, rng) -> all;

	/**
	 * Foreground-aware sampling for segmentation: every slice that shows lesion, plus a fresh random draw of
	 * background-only slices so that about {@code foregroundShare} of each epoch shows lesion. Lesions fill a
	 * small part of a CT series; without this, most batches hold no lesion at all and a Dice loss pushes the
	 * net towards predicting nothing.
	 */
	static EpochSampler foregroundAware(double foregroundShare) {
		if (!(foregroundShare > 0 && foregroundShare < 1))
			throw new IllegalArgumentException("foregroundShare = " + foregroundShare + " is outside (0, 1)");
		return new EpochSampler() {
			private List<Sample> source, fg, bg;

			@Override
			public List<Sample> sample(List<Sample> all, Random rng) {
				if (all != source) {
					source = all;
					fg = new ArrayList<>();
					bg = new ArrayList<>();
					for (Sample s : all) (s.hasForeground() ? fg : bg).add(s);
				}
				if (fg.isEmpty() || bg.isEmpty()) return all;
				int nBg = (int) Math.min(bg.size(), Math.max(1, Math.round(fg.size() * (1 - foregroundShare)
					/ foregroundShare)));
				List<Sample> pool = new ArrayList<>(bg);
				Collections.shuffle(pool, rng);
				List<Sample> out = new ArrayList<>(fg);
				out.addAll(pool.subList(0, nBg));
				return out;
			}
		};
	}

	/** A metric accumulated over an epoch from (probability, target) batches. */
	interface Metric {
		String name();

		void reset();

		void add(float[] prob, float[] target);

		double value();
	}

	/** Hard Dice at threshold 0.5 over all pixels seen since {@link #reset()}; 1 when both are empty. */
	static final class Dice implements Metric {
		private long inter, sumP, sumY;

		@Override
		public String name() {
			return "dice";
		}

		@Override
		public void reset() {
			inter = sumP = sumY = 0;
		}

		@Override
		public void add(float[] prob, float[] target) {
			for (int i = 0; i < prob.length; i++) {
				boolean p = prob[i] >= 0.5f, y = target[i] >= 0.5f;
				if (p) sumP++;
				if (y) sumY++;
				if (p && y) inter++;
			}
		}

		@Override
		public double value() {
			return sumP + sumY == 0 ? 1 : 2.0 * inter / (sumP + sumY);
		}
	}

	/** Fraction of items whose most probable class is the target's class. */
	static final class Accuracy implements Metric {
		private final int classes;
		private long right, total;

		Accuracy(int classes) {
			this.classes = classes;
		}

		@Override
		public String name() {
			return "accuracy";
		}

		@Override
		public void reset() {
			right = total = 0;
		}

		@Override
		public void add(float[] prob, float[] target) {
			for (int n = 0; n < prob.length / classes; n++) {
				int bp = 0, by = 0;
				for (int k = 1; k < classes; k++) {
					if (prob[n * classes + k] > prob[n * classes + bp]) bp = k;
					if (target[n * classes + k] > target[n * classes + by]) by = k;
				}
				if (bp == by) right++;
				total++;
			}
		}

		@Override
		public double value() {
			return total == 0 ? Double.NaN : (double) right / total;
		}
	}

	/**
	 * What training produced: per-epoch history, the epoch whose weights the net now holds, and whether training
	 * was cancelled or stopped early (validation loss without improvement for {@code patience} epochs).
	 */
	record Outcome(List<EpochMetrics> history, int bestEpoch, boolean cancelled, boolean stoppedEarly) {

		Outcome(List<EpochMetrics> history, int bestEpoch, boolean cancelled) {
			this(history, bestEpoch, cancelled, false);
		}

		EpochMetrics best() {
			return history.get(bestEpoch - 1);
		}
	}

	private final TrainableNet net;
	private final TrainingConfig tc;
	private final Metric metric;
	private final TrainingListener listener;
	private final Cancellation cancellation;
	private EpochSampler sampler = ALL;
	private Augmenter augmenter = NONE;

	Trainer(TrainableNet net, TrainingConfig tc, Metric metric, TrainingListener listener, Cancellation cancellation) {
		this.net = net;
		this.tc = tc;
		this.metric = metric;
		this.listener = listener == null ? TrainingListener.NONE : listener;
		this.cancellation = cancellation;
	}

	/** Sets how each epoch's training samples are chosen (default: all). */
	Trainer sampler(EpochSampler s) {
		this.sampler = s;
		return this;
	}

	/** Sets the on-the-fly augmentation of training samples (default: none). */
	Trainer augmenter(Augmenter a) {
		this.augmenter = a;
		return this;
	}

	/**
	 * Trains for the configured epochs and leaves the best epoch's weights in the net. With a validation set and
	 * {@link TrainingConfig#patience()} &gt; 0, stops early once the validation loss has not improved for that
	 * many epochs (see {@link #stopsEarly}). On cancellation after at
	 * least one epoch, returns an outcome marked {@code cancelled} with the best weights so far; before the first
	 * epoch ends, the {@link CancellationException} propagates.
	 *
	 * @throws TrainingException when the loss is not finite or TensorFlow fails during a step
	 */
	Outcome fit(List<Sample> train, List<Sample> val) throws TrainingException {
		Random rng = new Random(tc.seed() * 0x9E3779B97F4A7C15L + 1);
		List<EpochMetrics> history = new ArrayList<>();
		float[][] best = null;
		int bestEpoch = 0;
		double bestLoss = Double.POSITIVE_INFINITY;
		for (int epoch = 1; epoch <= tc.epochs(); epoch++) {
			long t0 = System.nanoTime();
			List<List<Sample>> batches = batches(sampler.sample(train, rng), tc.batchSize(), rng);
			metric.reset();
			double lossSum = 0;
			int seen = 0;
			for (int step = 1; step <= batches.size(); step++) {
				try {
					if (cancellation != null) cancellation.check();
				} catch (CancellationException e) {
					if (history.isEmpty()) throw e;
					net.restore(best);
					return new Outcome(history, bestEpoch, true);
				}
				List<Sample> batch = new ArrayList<>(batches.get(step - 1));
				batch.replaceAll(smp -> augmenter.augment(smp, rng));
				double loss = run(batch, true, epoch, step);
				if (!Double.isFinite(loss))
					throw new TrainingException(epoch, step, "the loss is " + loss + "; try a lower learning rate (now "
						+ tc.learningRate() + ") or another loss");
				lossSum += loss * batch.size();
				seen += batch.size();
				listener.stepEnded(epoch, step, batches.size(), loss);
			}
			double trainLoss = lossSum / seen, trainMetric = metric.value();
			double valLoss = Double.NaN, valMetric = Double.NaN;
			if (!val.isEmpty()) {
				metric.reset();
				double vs = 0;
				for (List<Sample> batch : batches(val, tc.batchSize(), null)) vs += run(batch, false, epoch, 0) * batch.size();
				valLoss = vs / val.size();
				valMetric = metric.value();
			}
			EpochMetrics m = new EpochMetrics(epoch, tc.epochs(), trainLoss, valLoss, metric.name(), trainMetric, valMetric,
				(System.nanoTime() - t0) / 1e9);
			history.add(m);
			double score = val.isEmpty() ? Double.NEGATIVE_INFINITY : valLoss;
			if (score <= bestLoss || best == null) {
				bestLoss = score;
				bestEpoch = epoch;
				best = net.snapshot();
			}
			listener.epochEnded(m);
			if (!val.isEmpty() && stopsEarly(epoch, bestEpoch, tc.patience()) && epoch < tc.epochs()) {
				net.restore(best);
				return new Outcome(history, bestEpoch, false, true);
			}
		}
		if (bestEpoch != history.size()) net.restore(best);
		return new Outcome(history, bestEpoch, false);
	}

	/**
	 * The early-stopping rule: after {@code epoch}, stop when the best validation loss is {@code patience} or
	 * more epochs old. {@code patience} 0 never stops.
	 */
	static boolean stopsEarly(int epoch, int bestEpoch, int patience) {
		return patience > 0 && epoch - bestEpoch >= patience;
	}

	/** Runs one batch (a training step when {@code learn}); adds to the metric and returns the batch loss. */
	private double run(List<Sample> batch, boolean learn, int epoch, int step) throws TrainingException {
		Sample s0 = batch.get(0);
		int n = batch.size(), xLen = s0.x().length, yLen = s0.y().length;
		float[] xs = new float[n * xLen], ys = new float[n * yLen];
		for (int i = 0; i < n; i++) {
			System.arraycopy(batch.get(i).x(), 0, xs, i * xLen, xLen);
			System.arraycopy(batch.get(i).y(), 0, ys, i * yLen, yLen);
		}
		Shape xShape = s0.d() > 0 ? Shape.of(n, s0.d(), s0.h(), s0.w(), 1) : Shape.of(n, s0.h(), s0.w(), 1);
		Shape yShape = net.binary ? xShape : Shape.of(n, yLen);
		try (TFloat32 tx = TFloat32.tensorOf(xShape, DataBuffers.of(xs));
			TFloat32 ty = TFloat32.tensorOf(yShape, DataBuffers.of(ys))) {
			Session.Runner r = net.session.runner().feed(net.input, tx).feed(net.target, ty).fetch(net.loss).fetch(net.output);
			if (learn) net.feedTraining(r.addTarget(net.train));
			float scale = (float) (tc.learningRateAt(epoch) / tc.learningRate());
			boolean scaled = learn && net.hasSchedule() && scale != 1f;
			if (scaled) net.keepWeightsBeforeStep();
			try (Result res = r.run()) {
				if (scaled) net.scaleLastStep(scale);
				float loss = ((TFloat32) res.get(0)).getFloat();
				float[] prob = new float[n * yLen];
				((TFloat32) res.get(1)).copyTo(DataBuffers.of(prob));
				metric.add(prob, ys);
				return loss;
			}
		} catch (RuntimeException e) { // TF's exceptions extend several JDK runtime exceptions
			throw new TrainingException(epoch, step, "TensorFlow reported: " + e.getMessage(), e);
		}
	}

	/**
	 * Groups samples of equal size into batches. With a random source, the order within each size group and the
	 * order of the batches are shuffled; without one, the order is kept.
	 */
	static List<List<Sample>> batches(List<Sample> samples, int batchSize, Random rng) {
		Map<Long, List<Sample>> groups = new LinkedHashMap<>();
		for (Sample s : samples)
			groups.computeIfAbsent(((long) s.d() << 42) | ((long) s.w() << 21) | s.h(), k -> new ArrayList<>()).add(s);
		List<List<Sample>> out = new ArrayList<>();
		for (List<Sample> g : groups.values()) {
			List<Sample> order = new ArrayList<>(g);
			if (rng != null) Collections.shuffle(order, rng);
			for (int i = 0; i < order.size(); i += batchSize)
				out.add(order.subList(i, Math.min(order.size(), i + batchSize)));
		}
		if (rng != null) Collections.shuffle(out, rng);
		return out;
	}
}
