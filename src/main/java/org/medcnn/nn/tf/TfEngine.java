package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.medcnn.common.Cancellation;
import org.medcnn.common.CpuThreads;
import org.medcnn.common.SystemProperties;
import org.medcnn.common.Versions;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Engine;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ParentPackage;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Segmenter;
import org.medcnn.nn.Throughput;
import org.medcnn.nn.TrainingListener;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * The TensorFlow Java 1.1.0 implementation of {@link Engine}. Constructing it loads the native library.
 * <p>
 * Threads: {@link CpuThreads#configured()} ({@code -Dmedcnn.threads}, default one per physical core this process
 * may use) intra-op threads and one inter-op thread per session, which measured fastest for these
 * small convolutions;
 * {@code -Dmedcnn.threads=1} makes training bitwise reproducible (see {@link #trainingConfig()});
 * {@code medcnn.intraOpThreads}/{@code medcnn.interOpThreads} override the training setting for experiments.
 * Thread-safe.
 */
public final class TfEngine implements Engine {

	private volatile String device;

	/** Loads the native library. */
	public TfEngine() {
		TensorFlow.version();
	}

	static int threads() {
		return CpuThreads.configured();
	}

	/**
	 * Training sessions: multi-threaded kernels, one op at a time (measured fastest here). Multi-threaded kernels
	 * sum in a schedule-dependent order and Adam magnifies the differences, so two runs with the same seed start
	 * from identical weights but drift apart slightly. TensorFlow keeps one process-wide intra-op pool sized by
	 * the first session, so bitwise reproducible training needs {@code -Dmedcnn.threads=1} from the start. With one
	 * thread, every op runs in the calling thread ({@value #CALLER_THREAD}): with a one-thread pool beside the
	 * caller, which of the two ran an op still varied, and seeded runs occasionally parted (measured: about one
	 * 2D U-Net run in three with augmentation and a cosine schedule; none in 16 in the calling thread).
	 */
	static ConfigProto trainingConfig() {
		int intra = intProperty("medcnn.intraOpThreads", threads());
		int inter = threads() == 1 && System.getProperty("medcnn.interOpThreads") == null ? CALLER_THREAD
			: intProperty("medcnn.interOpThreads", 1);
		return ConfigProto.newBuilder().setIntraOpParallelismThreads(intra).setInterOpParallelismThreads(inter).build();
	}

	/** TensorFlow's inter-op setting that runs every op in the thread that called {@code Session.run}. */
	static final int CALLER_THREAD = -1;

	/** Inference sessions: multi-threaded kernels, one op at a time (with one thread: in the calling thread). */
	static ConfigProto inferenceConfig() {
		return ConfigProto.newBuilder().setIntraOpParallelismThreads(threads())
			.setInterOpParallelismThreads(threads() == 1 ? CALLER_THREAD : 1).build();
	}

	private static int intProperty(String key, int fallback) {
		return SystemProperties.intValue(key, fallback, 1, CpuThreads.MAX_THREADS);
	}

	@Override
	public Path trainSegmenter(List<Volume> images, List<Mask> masks, SegmenterConfig cfg, TrainingListener l,
		Cancellation c, Path out) throws IOException {
		return TfTraining.trainSegmenter(images, masks, cfg, l, c, out);
	}

	@Override
	public Path trainClassifier(List<Volume> items, int[] labels, List<String> classNames, ClassifierConfig cfg,
		TrainingListener l, Cancellation c, Path out) throws IOException {
		return TfTraining.trainClassifier(items, labels, classNames, cfg, l, c, out);
	}

	@Override
	public Path trainSegmenter3d(List<Volume> images, List<Mask> masks, Segmenter3dConfig cfg, TrainingListener l,
		Cancellation c, Path out) throws IOException {
		return TfTraining3d.train(images, masks, cfg, l, c, out);
	}

	@Override
	public Path fineTuneSegmenter(List<Volume> images, List<Mask> masks, Record cfg, ParentPackage parent,
		TrainingListener l, Cancellation c, Path out) throws IOException {
		if (cfg instanceof SegmenterConfig s) return TfTraining.trainSegmenter(images, masks, s, parent, l, c, out);
		if (cfg instanceof Segmenter3dConfig s) return TfTraining3d.train(images, masks, s, parent, l, c, out);
		throw new IllegalArgumentException("fine-tuning needs a segmenter configuration, not " + cfg.getClass().getSimpleName());
	}

	@Override
	public Throughput benchmark(Record config, int size, int classes, double seconds, Cancellation c) {
		return TfBenchmark.run(config, size, classes, seconds, c);
	}

	/** A {@code unet3d} card (or any card with a patch size) opens as a sliding-window 3D segmenter. */
	@Override
	public Segmenter openSegmenter(Path pkg, ModelCard card) throws IOException {
		if (TfTraining3d.ARCHITECTURE.equals(card.architecture()) || card.dims() == 3) return new TfSegmenter3d(pkg, card);
		return new TfSegmenter(pkg, card);
	}

	@Override
	public Classifier openClassifier(Path pkg, ModelCard card) throws IOException {
		return new TfClassifier(pkg, card);
	}

	@Override
	public Segmenter openSegmenter(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		if (TfTraining3d.ARCHITECTURE.equals(card.architecture()) || card.dims() == 3) return new TfSegmenter3d(pkg, card, engine);
		return new TfSegmenter(pkg, card, engine);
	}

	@Override
	public Classifier openClassifier(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		return new TfClassifier(pkg, card, engine);
	}

	@Override
	public String device() throws IOException {
		String d = device;
		if (d == null) device = d = probeDevice();
		return d;
	}

	@Override
	public String version() {
		return "TensorFlow " + TensorFlow.version() + " (TensorFlow Java " + Versions.TENSORFLOW_JAVA + ")";
	}

	/** Whether the native library on the class path is TensorFlow Java's GPU build ({@code -Pgpu}). */
	static boolean gpuBuild() {
		return TfEngine.class.getClassLoader().getResource("org/tensorflow/internal/c_api/linux-x86_64-gpu/") != null;
	}

	/** Runs a tiny matrix product with step tracing and reports the device types that ran it. */
	private static String probeDevice() throws IOException {
		ConfigProto config = inferenceConfig(); // outside the try: a refused property is not TensorFlow's failure
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			var m = tf.linalg.matMul(tf.constant(new float[][] {{1, 2}, {3, 4}}), tf.constant(new float[][] {{1}, {1}}));
			RunOptions ro = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build();
			try (Session s = new Session(g, config); Result r = s.runner().fetch(m).setOptions(ro).runAndFetchMetadata()) {
				TreeSet<String> types = new TreeSet<>();
				RunMetadata md = r.getMetadata().orElse(null);
				if (md != null) for (DeviceStepStats ds : md.getStepStats().getDevStatsList()) {
					// e.g. /job:localhost/replica:0/task:0/device:CPU:0
					String name = ds.getDevice();
					int i = name.lastIndexOf("device:");
					String t = i >= 0 ? name.substring(i + 7) : name;
					int colon = t.indexOf(':');
					types.add(colon > 0 ? t.substring(0, colon) : t);
				}
				if (types.contains("GPU")) return "GPU";
				String device = types.isEmpty() ? "CPU" : String.join(",", types);
				// The fallback is said out loud: a GPU build that computes on the CPU is a set-up problem.
				return gpuBuild() ? device + " (GPU build, but no usable GPU: check the NVIDIA driver and the CUDA 12 /"
					+ " cuDNN 9 libraries TensorFlow " + TensorFlow.version() + " needs)" : device;
			}
		} catch (RuntimeException e) {
			throw new IOException("TensorFlow could not run a probe computation: " + e.getMessage(), e);
		}
	}
}
