package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
	 * for a 3D net ({@code d > 0}) a {@code w × h × d} patch and its mask, flattened {@code [z][y][x]}. A 2D input
	 * may have {@code c > 1} channels (2.5D: neighbouring slices), stored channel-planar {@code [c][y][x]} so that
	 * augmentation treats each channel as one more slice; {@link #pack} makes them channels-last.
	 */
	record Sample(float[] x, float[] y, int w, int h, int d, int c) {

		Sample {
			if (c < 1) throw new IllegalArgumentException("channels = " + c + " must be >= 1");
		}

		/** A 2D sample with one channel. */
		Sample(float[] x, float[] y, int w, int h) {
			this(x, y, w, h, 0, 1);
		}

		/** A sample with one channel (3D when {@code d > 0}). */
		Sample(float[] x, float[] y, int w, int h, int d) {
			this(x, y, w, h, d, 1);
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

	/**
	 * Draws an epoch's training samples one at a time, when their batch is prepared in the background thread (so an
	 * epoch's patches are never all held in memory): {@link #perEpoch()} samples per epoch, sample {@code i} drawn
	 * with the batch's seeded random source.
	 */
	interface PatchSource {
		int perEpoch();

		Sample draw(int index, Random rng);

		/** A source of {@code perEpoch} samples drawn by {@code draw}. */
		static PatchSource of(int perEpoch, java.util.function.BiFunction<Integer, Random, Sample> draw) {
			return new PatchSource() {
				@Override
				public int perEpoch() {
					return perEpoch;
				}

				@Override
				public Sample draw(int index, Random rng) {
					return draw.apply(index, rng);
				}
			};
		}
	}

	/**
	 * Sees the validation samples' outputs after each epoch, in the order they were run, to measure what a per-batch
	 * metric cannot (e.g. lesion-wise detection over whole cases).
	 */
	interface Validator {
		void reset();

		/** The batch's samples and the network's output for them, concatenated in batch order. */
		void add(List<Sample> batch, float[] output);

		/** {lesion sensitivity, lesion precision} of everything added since {@link #reset()} (NaN when undefined). */
		double[] finish();
	}

	/** Changes a training sample on the fly (data augmentation); never applied to validation samples. */
	@FunctionalInterface
	interface Augmenter {
		Sample augment(Sample s, Random rng);
	}

	/** No augmentation. */
	static final Augmenter NONE = (s, rng) -> s;

	/**
	 * Random left-right and up-down mirroring of image and target together (each with probability 1/2); a
	 * classification target (one-hot vector) is kept. A lesion is a lesion whichever way it faces.
	 */
	static final Augmenter FLIPS = (s, rng) -> {
		boolean fx = rng.nextBoolean(), fy = rng.nextBoolean();
		if (!fx && !fy) return s;
		int slices = Math.max(1, s.d());
		boolean segmentation = s.y().length * s.c() == s.x().length; // a classifier's target is a one-hot vector
		return new Sample(flipSlices(s.x(), s.w(), s.h(), slices * s.c(), fx, fy),
			segmentation ? flipSlices(s.y(), s.w(), s.h(), slices, fx, fy) : s.y(), s.w(), s.h(), s.d(), s.c());
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
	 * What training produced: per-epoch history, the epoch whose weights the net now holds, whether training was
	 * cancelled or stopped early (validation loss without improvement for {@code patience} epochs), the epoch a
	 * resumed run started after (0 for a fresh run), and the share of the training steps' wall time spent outside
	 * TensorFlow (waiting for the next batch, bookkeeping): the data pipeline's cost.
	 */
	record Outcome(List<EpochMetrics> history, int bestEpoch, boolean cancelled, boolean stoppedEarly, int resumedAfter,
		double outsideShare, GradientNorms gradientNorms) {

		Outcome(List<EpochMetrics> history, int bestEpoch, boolean cancelled) {
			this(history, bestEpoch, cancelled, false, 0, Double.NaN, null);
		}

		EpochMetrics best() {
			return history.get(bestEpoch - 1);
		}
	}

	/**
	 * The global gradient norms of the training steps of this run (not of the epochs before a resume), when the net
	 * clips them: how many steps, how many were clipped, the median and the largest norm (before clipping).
	 */
	record GradientNorms(int steps, int clipped, double median, double max) {

		static GradientNorms of(List<Float> norms, double clipNorm) {
			if (norms.isEmpty()) return null;
			float[] sorted = new float[norms.size()];
			int clipped = 0;
			for (int i = 0; i < sorted.length; i++) {
				sorted[i] = norms.get(i);
				if (sorted[i] > clipNorm) clipped++;
			}
			java.util.Arrays.sort(sorted);
			int n = sorted.length;
			double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
			return new GradientNorms(n, clipped, median, sorted[n - 1]);
		}
	}

	/** The outcome of this run, with the gradient norms of its steps. */
	private Outcome outcome(List<EpochMetrics> history, int bestEpoch, boolean cancelled, boolean stoppedEarly, int resumedAfter,
		double outsideShare) {
		return new Outcome(history, bestEpoch, cancelled, stoppedEarly, resumedAfter, outsideShare,
			GradientNorms.of(gradNorms, tc.clipNorm()));
	}

	/** A batch packed into the arrays TensorFlow is fed. */
	private record Packed(float[] xs, float[] ys, Shape xShape, Shape yShape, int size) {}

	private final TrainableNet net;
	private final TrainingConfig tc;
	private final Metric metric;
	private final TrainingListener listener;
	private final Cancellation cancellation;
	/** The global gradient norm of each training step, when the net clips gradients. */
	private final List<Float> gradNorms = new ArrayList<>();
	private EpochSampler sampler = ALL;
	private PatchSource patches;
	private Validator validator;
	private float[] lastOutput;
	private Augmenter augmenter = NONE;
	private Path checkpointFolder;
	private String dataFingerprint = "";

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

	/**
	 * Draws each epoch's training samples from {@code p} instead of the list given to {@link #fit} (which is then
	 * ignored for training).
	 */
	Trainer patches(PatchSource p) {
		this.patches = p;
		return this;
	}

	/** Reports lesion-wise validation metrics through {@code v} (default: none, NaN in the history). */
	Trainer validator(Validator v) {
		this.validator = v;
		return this;
	}

	/** Sets the on-the-fly augmentation of training samples (default: none). */
	Trainer augmenter(Augmenter a) {
		this.augmenter = a;
		return this;
	}

	/**
	 * Writes a {@link Checkpoint} to {@code folder} after every epoch and, with {@link TrainingConfig#resume()},
	 * starts from the one found there. {@code dataFingerprint} identifies the training data beyond what
	 * {@link #fit} sees (e.g. the volumes that 3D patches are drawn from); the samples given to {@code fit} are
	 * fingerprinted too.
	 */
	Trainer checkpoint(Path folder, String dataFingerprint) {
		this.checkpointFolder = folder;
		this.dataFingerprint = dataFingerprint == null ? "" : dataFingerprint;
		return this;
	}

	/**
	 * Trains for the configured epochs and leaves the best epoch's weights in the net. With a validation set and
	 * {@link TrainingConfig#patience()} &gt; 0, stops early once the validation loss has not improved for that
	 * many epochs (see {@link #stopsEarly}). On cancellation after at least one epoch, returns an outcome marked
	 * {@code cancelled} with the best weights so far; before the first epoch ends, the
	 * {@link CancellationException} propagates.
	 * <p>
	 * Each epoch's batches are drawn and their augmentation seeds fixed up front from the seeded random source;
	 * a background thread augments and packs the next batch while TensorFlow runs the current one, so the data
	 * pipeline costs little time and the result does not depend on thread timing.
	 *
	 * @throws TrainingException when the loss is not finite or TensorFlow fails during a step
	 * @throws IOException when a checkpoint cannot be written, or cannot be resumed (missing, damaged, or made by
	 *         another network, settings or data; the message says which)
	 */
	Outcome fit(List<Sample> train, List<Sample> val) throws TrainingException, IOException {
		Random rng = new Random(tc.seed() * 0x9E3779B97F4A7C15L + 1);
		List<EpochMetrics> history = new ArrayList<>();
		float[][] best = null;
		int bestEpoch = 0, first = 1;
		double bestLoss = Double.POSITIVE_INFINITY;
		String data = checkpointFolder == null ? "" : fingerprint(train, val, dataFingerprint);
		if (checkpointFolder != null && tc.resume()) {
			Checkpoint.State st = Checkpoint.read(checkpointFolder);
			Path file = checkpointFolder.resolve(Checkpoint.STATE_FILE);
			if (!st.graphFingerprint().equals(net.fingerprint()))
				throw new IOException(file + ": the checkpoint was made by another network (architecture, loss, optimizer, "
					+ "learning rate or seed differ); resume with the settings of the interrupted run, or delete the folder "
					+ "to start afresh");
			if (!st.dataFingerprint().equals(data))
				throw new IOException(file + ": the checkpoint was made with other training data (or another validation "
					+ "split); resume with the data of the interrupted run, or delete the folder to start afresh");
			if (st.epoch() >= tc.epochs())
				throw new IOException(file + ": the checkpoint is at epoch " + st.epoch() + " of " + tc.epochs()
					+ "; ask for more epochs to continue training");
			net.restoreFullState(st.names(), st.variables());
			rng = st.random();
			history.addAll(st.history());
			best = st.best();
			bestEpoch = st.bestEpoch();
			bestLoss = st.bestScore();
			first = st.epoch() + 1;
		}
		long outsideNanos = 0, stepNanos = 0;
		ExecutorService prep = Executors.newSingleThreadExecutor(r -> {
			Thread t = new Thread(r, "MedCNN batch preparation");
			t.setDaemon(true);
			return t;
		});
		try {
			for (int epoch = first; epoch <= tc.epochs(); epoch++) {
				long t0 = System.nanoTime();
				List<List<Sample>> batches = patches != null ? null : batches(sampler.sample(train, rng), tc.batchSize(), rng);
				int nBatches = patches != null ? (patches.perEpoch() + tc.batchSize() - 1) / tc.batchSize() : batches.size();
				long[] seeds = new long[nBatches];
				for (int i = 0; i < seeds.length; i++) seeds[i] = rng.nextLong();
				metric.reset();
				double lossSum = 0;
				int seen = 0;
				Future<Packed> next = nBatches == 0 ? null : prep.submit(() -> prepare(batches, 0, seeds[0]));
				for (int step = 1; step <= nBatches; step++) {
					long s0 = System.nanoTime();
					try {
						if (cancellation != null) cancellation.check();
					} catch (CancellationException e) {
						if (history.isEmpty()) throw e;
						net.restore(best);
						return outcome(history, bestEpoch, true, false, first - 1, share(outsideNanos, stepNanos));
					}
					Packed batch = await(next, epoch, step);
					int following = step;
					next = step < nBatches ? prep.submit(() -> prepare(batches, following, seeds[following])) : null;
					long tf0 = System.nanoTime();
					double loss = run(batch, true, epoch, step);
					long tf1 = System.nanoTime();
					if (!Double.isFinite(loss))
						throw new TrainingException(epoch, step, "the loss is " + loss + "; try a lower learning rate (now "
							+ tc.learningRate() + ") or another loss");
					lossSum += loss * batch.size();
					seen += batch.size();
					listener.stepEnded(epoch, step, nBatches, loss);
					long s1 = System.nanoTime();
					stepNanos += s1 - s0;
					outsideNanos += (s1 - s0) - (tf1 - tf0);
				}
				double trainLoss = seen == 0 ? Double.NaN : lossSum / seen, trainMetric = metric.value();
				double valLoss = Double.NaN, valMetric = Double.NaN;
				double[] lesionWise = {Double.NaN, Double.NaN};
				if (!val.isEmpty()) {
					metric.reset();
					if (validator != null) validator.reset();
					double vs = 0;
					int vstep = 0;
					for (List<Sample> batch : batches(val, tc.batchSize(), null)) {
						vs += run(pack(batch), false, epoch, --vstep) * batch.size();
						if (validator != null) validator.add(batch, lastOutput);
					}
					valLoss = vs / val.size();
					valMetric = metric.value();
					if (validator != null) lesionWise = validator.finish();
				}
				EpochMetrics m = new EpochMetrics(epoch, tc.epochs(), trainLoss, valLoss, metric.name(), trainMetric, valMetric,
					(System.nanoTime() - t0) / 1e9, lesionWise[0], lesionWise[1]);
				history.add(m);
				double score = val.isEmpty() ? Double.NEGATIVE_INFINITY : valLoss;
				if (score <= bestLoss || best == null) {
					bestLoss = score;
					bestEpoch = epoch;
					best = net.snapshot();
				}
				if (checkpointFolder != null)
					Checkpoint.write(checkpointFolder, new Checkpoint.State(net.fingerprint(), data, epoch, bestEpoch, bestLoss,
						history, rng, net.stateNames(), net.fullState(), best));
				listener.epochEnded(m);
				if (!val.isEmpty() && stopsEarly(epoch, bestEpoch, tc.patience()) && epoch < tc.epochs()) {
					net.restore(best);
					return outcome(history, bestEpoch, false, true, first - 1, share(outsideNanos, stepNanos));
				}
			}
		} finally {
			prep.shutdownNow();
		}
		if (bestEpoch != history.size()) net.restore(best);
		return outcome(history, bestEpoch, false, false, first - 1, share(outsideNanos, stepNanos));
	}

	private static double share(long part, long whole) {
		return whole == 0 ? Double.NaN : (double) part / whole;
	}

	/** The prepared batch, or the preparation's failure as a {@link TrainingException}. */
	private static Packed await(Future<Packed> f, int epoch, int step) throws TrainingException {
		try {
			return f.get();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new CancellationException("interrupted while preparing epoch " + epoch + ", step " + step);
		} catch (ExecutionException e) {
			throw new TrainingException(epoch, step, "preparing the batch failed: " + e.getCause(), e.getCause());
		}
	}

	/**
	 * Batch {@code index} of the epoch, ready for TensorFlow: its samples (drawn from the patch source, or taken from
	 * {@code batches}), each augmented with a random source seeded from {@code seed}, packed.
	 */
	private Packed prepare(List<List<Sample>> batches, int index, long seed) {
		Random r = new Random(seed);
		List<Sample> batch;
		if (batches != null) {
			batch = batches.get(index);
		} else {
			int first = index * tc.batchSize(), n = Math.min(tc.batchSize(), patches.perEpoch() - first);
			batch = new ArrayList<>(n);
			for (int i = 0; i < n; i++) batch.add(patches.draw(first + i, r));
		}
		List<Sample> out = new ArrayList<>(batch.size());
		for (Sample smp : batch) out.add(augmenter.augment(smp, r));
		return pack(out);
	}

	/**
	 * SHA-256 over the training and validation samples and the caller's data fingerprint: resuming with other
	 * data, another split or another preprocessing is refused.
	 */
	static String fingerprint(List<Sample> train, List<Sample> val, String extra) {
		try {
			MessageDigest md = MessageDigest.getInstance("SHA-256");
			md.update(extra.getBytes(StandardCharsets.UTF_8));
			for (List<Sample> part : List.of(train, val)) {
				ByteBuffer head = ByteBuffer.allocate(12);
				md.update(head.putInt(part.size()).array(), 0, 4);
				for (Sample s : part) {
					ByteBuffer bb = ByteBuffer.allocate(12 + 4 * (s.x().length + s.y().length));
					bb.putInt(s.w()).putInt(s.h()).putInt(s.d());
					bb.asFloatBuffer().put(s.x()).put(s.y());
					md.update(bb.array());
				}
			}
			return "sha256:" + HexFormat.of().formatHex(md.digest());
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}

	/**
	 * The early-stopping rule: after {@code epoch}, stop when the best validation loss is {@code patience} or
	 * more epochs old. {@code patience} 0 never stops.
	 */
	static boolean stopsEarly(int epoch, int bestEpoch, int patience) {
		return patience > 0 && epoch - bestEpoch >= patience;
	}

	/**
	 * Packs a batch of equal-sized samples into the arrays and shapes TensorFlow is fed; channel-planar inputs
	 * become channels-last (NHWC).
	 */
	private Packed pack(List<Sample> batch) {
		Sample s0 = batch.get(0);
		int n = batch.size(), xLen = s0.x().length, yLen = s0.y().length;
		float[] xs = new float[n * xLen], ys = new float[n * yLen];
		for (int i = 0; i < n; i++) {
			System.arraycopy(org.medcnn.nn.Inputs.interleave(batch.get(i).x(), s0.c()), 0, xs, i * xLen, xLen);
			System.arraycopy(batch.get(i).y(), 0, ys, i * yLen, yLen);
		}
		Shape xShape = s0.d() > 0 ? Shape.of(n, s0.d(), s0.h(), s0.w(), 1) : Shape.of(n, s0.h(), s0.w(), s0.c());
		Shape yShape = !net.binary ? Shape.of(n, yLen)
			: s0.d() > 0 ? xShape : Shape.of(n, s0.h(), s0.w(), 1);
		return new Packed(xs, ys, xShape, yShape, n);
	}

	/**
	 * Runs one batch (a training step when {@code learn}); adds to the metric and returns the batch loss.
	 * Validation batches pass a negative {@code step}, reported as validation batch {@code -step}.
	 */
	private double run(Packed b, boolean learn, int epoch, int step) throws TrainingException {
		try (TFloat32 tx = TFloat32.tensorOf(b.xShape(), DataBuffers.of(b.xs()));
			TFloat32 ty = TFloat32.tensorOf(b.yShape(), DataBuffers.of(b.ys()))) {
			Session.Runner r = net.session.runner().feed(net.input, tx).feed(net.target, ty).fetch(net.loss).fetch(net.output);
			if (learn) net.feedTraining(r.addTarget(net.train));
			boolean norm = learn && net.gradNorm != null;
			if (norm) r.fetch(net.gradNorm);
			float scale = (float) (tc.learningRateAt(epoch) / tc.learningRate());
			boolean scaled = learn && net.hasSchedule() && scale != 1f;
			if (scaled) net.keepWeightsBeforeStep();
			try (Result res = r.run()) {
				if (scaled) net.scaleLastStep(scale);
				float loss = ((TFloat32) res.get(0)).getFloat();
				float[] prob = new float[b.ys().length];
				((TFloat32) res.get(1)).copyTo(DataBuffers.of(prob));
				metric.add(prob, b.ys());
				lastOutput = prob;
				if (norm) gradNorms.add(((TFloat32) res.get(2)).getFloat());
				return loss;
			}
		} catch (RuntimeException e) { // TF's exceptions extend several JDK runtime exceptions
			if (!fromTensorFlow(e)) throw e; // our own defect, not TensorFlow's report: keep its type and trace
			throw new TrainingException(epoch, Math.abs(step), (step < 0 ? "validation: " : "") + "TensorFlow reported: "
				+ e.getMessage(), e);
		}
	}

	/** Whether TensorFlow raised {@code e} (its exceptions live in {@code org.tensorflow.exceptions}). */
	static boolean fromTensorFlow(RuntimeException e) {
		return e.getClass().getName().startsWith("org.tensorflow.");
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
