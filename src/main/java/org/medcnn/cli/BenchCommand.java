package org.medcnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.FashionMnist;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomPixels;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.ResampleOption;
import org.medcnn.dicom.SeriesReader;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Throughput;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;
import org.medcnn.common.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench dicom [DIR] [--json]}: DICOM decoding speed (DESIGN.md "bench"). With DIR, the headline is the series
 * path users run (Open DICOM: scan, then each series read into one volume) when DIR holds series, with every file
 * decoded on its own beside it, or that per-file decode alone when it holds none (see {@link #benchFolder}). Without
 * DIR, a temporary folder (deleted afterwards) gets 1,000 small files, timed as a header scan, and a 512×512×300
 * 16-bit CT series, uncompressed and JPEG lossless (SV1), each timed as a full decode; the uncompressed one also
 * as a raw read of the same bytes.
 * <p>
 * {@code bench train [--json] [--seconds S]}: training and inference throughput of the reference models on
 * synthetic data in memory (see {@link #trainModels()}), through {@link Training}'s benchmark entry points.
 * {@code bench quality}, {@code bench predict} and {@code bench active-learning}: see {@link QualityBench},
 * {@link PredictBench} and {@link ActiveLearningBench}. Each benchmark is a picocli subcommand with its own options.
 */
@Command(name = "bench", header = "speed and quality figures (dicom, train, predict, quality, active-learning)",
	subcommands = {BenchCommand.Dicom.class, BenchCommand.Train.class, BenchCommand.Quality.class, BenchCommand.Predict.class,
		BenchCommand.ActiveLearning.class})
final class BenchCommand implements Main.Command {

	static final int SMALL_FILES = 1000;
	static final int CT_SIZE = 512;
	static final int CT_SLICES = 300;
	private static final int CHUNK = 30;

	/** What {@code bench foo} named when foo is no benchmark; hidden: the benchmarks are the subcommands. */
	@Parameters(paramLabel = "BENCHMARK", arity = "0..1", hidden = true)
	String unknown;

	@Override
	public int call(PrintStream out, PrintStream err) throws Cli.UsageException {
		if (unknown == null) throw new Cli.UsageException("bench: give what to measure: dicom [DIR] (see bench --help)");
		throw new Cli.UsageException("bench: unknown benchmark '" + unknown + "' (dicom, train, quality, predict, "
			+ "active-learning)");
	}

	/** {@code bench dicom [DIR]}. */
	@Command(name = "dicom", description = """
		With DIR holding image series, times what Open DICOM runs on it: the series scan of DIR, then each \
		series read into one volume of real-world values (damaged slices left out), and prints \
		{mode: "series", series, files, bytes, seconds = scanSeconds + loadSeconds, filesPerSecond, \
		megabytesPerSecond, voxels, voxelsPerSecond, scanSeconds, loadSeconds, failedSeries, threads} with \
		perFileDecode beside it: every DICOM file under DIR decoded on its own to real-world values (stored \
		values for colour), in parallel: {files, bytes, seconds, filesPerSecond, megabytesPerSecond, failed, \
		threads}; seriesTimesFaster = perFileDecode seconds / seconds. Without a series under DIR, the \
		per-file decode is the result ({mode: "files", ...}). Both paths run once untimed (warm-up) before \
		either is timed.%n\
		Without DIR, generates (in a temporary folder, deleted afterwards) 1,000 small files for a header scan \
		and a 512x512x300 16-bit CT series for a full decode (the series read of Open DICOM), uncompressed \
		(fullDecode) and JPEG lossless SV1 (fullDecodeJpegLossless, with its compressionRatio = uncompressed \
		bytes / compressed bytes, files in the sibling folder ct-jpeg), and also reports the raw read speed \
		of the uncompressed bytes from the page cache (rawRead; they were just written) and from the disk \
		with O_DIRECT (diskRead, where the file system allows it), each with fullDecodeTimesSlower = full \
		decode time / read time.%n\
		Progress goes to stderr, the result to stdout.""")
	static final class Dicom implements Main.Command {
		@Parameters(paramLabel = "DIR", arity = "0..1", description = "a folder of DICOM files to time")
		Path dir;

		@Mixin
		SharedOptions.Json json;

		@Mixin
		SharedOptions.Keep keep;

		@Override
		public Map<String, String> helpValues() {
			return Cli.values("json", "the result as JSON", "keep", "generate into the empty or new folder DIR and keep the "
				+ "files there (to time other tools on them)");
		}

		@Override
		public int call(PrintStream out, PrintStream err) throws Exception {
			Path keep = this.keep.keep;
			if (keep != null && dir != null) throw new Cli.UsageException("bench dicom: --keep is for the generated data, not DIR");
			if (keep != null && Files.isDirectory(keep)) try (var entries = Files.list(keep)) {
				if (entries.findAny().isPresent()) throw new Cli.UsageException("bench dicom: --keep " + keep + " is not empty");
			}
			try (CliCancellation cancel = new CliCancellation()) {
				CliProgress progress = new CliProgress(err);
				Map<String, Object> result = dir != null ? benchFolder(dir, progress, cancel.token())
					: benchGenerated(keep, progress, cancel.token());
				progress.done();
				if (json.json) out.println(Json.writePretty(result));
				else printHuman(result, out, "");
				return 0;
			}
		}
	}

	/** {@code bench train}. */
	@Command(name = "train", description = """
		Trains and runs the reference models on random data in memory and prints per model \
		{model, batch, trainImagesPerSecond, inferImagesPerSecond, device}: C1 = CNN classifier on 1x64x64 \
		(conv blocks 16, 32; batch 32), U1 = 2D U-Net on 1x128x128 (4 levels from 16 filters; batch 8), \
		U3 = 3D U-Net on 1x32x64x64 patches (depth 3, 8 filters; batch 2). Each model gets 2 warm-up steps, \
		then about S/2 seconds of timed training steps (in three turns that alternate with MedCNN's loop \
		below, so that a drift of the machine's speed falls on both) and S/2 of inference steps; as many \
		training steps through MedCNN's own training loop (distinct samples, the default augmentation in the \
		background thread: flips for the U-Nets, standard for the classifier) give pipelineTrainImagesPerSecond, \
		its share of the bare graph's speed and the share of step time spent outside TensorFlow.%n\
		The same network exported to ONNX (as a package's weights/model.onnx) then runs the same inference \
		batch on ONNX Runtime for another S/2 seconds, with the same threads (-Dmedcnn.threads): \
		onnxInferImagesPerSecond and onnxInferSteps (the --engine onnx path of predict).""")
	static final class Train implements Main.Command {
		@Mixin
		SharedOptions.Json json;

		@Option(names = "--seconds", paramLabel = "S", description = "seconds of timed steps per model (default "
			+ "${DEFAULT-VALUE})")
		@Cli.Range(min = 1, max = 600)
		int seconds = 12;

		@Override
		public boolean usesTensorFlow() {
			return true;
		}

		@Override
		public int call(PrintStream out, PrintStream err) throws Exception {
			try (CliCancellation cancel = new CliCancellation()) {
				CliProgress progress = new CliProgress(err);
				List<Object> rows = benchTrain(seconds, progress, cancel.token());
				progress.done();
				if (json.json) out.println(Json.writePretty(rows));
				else for (Object r : rows) out.println(r instanceof Map<?, ?> m ? humanRow(m) : r);
				return 0;
			}
		}
	}

	/** {@code bench quality}. */
	@Command(name = "quality", description = """
		Checks the accuracy targets with default settings: builds synthetic cases in code, a quarter held \
		out, trains with the real commands and their defaults, then runs evaluate on the held-out cases. \
		Prints per task (each row with its modality) the metric, the target and whether it was reached; \
		exit code 3 when a target is missed.%n\
		ct: phantom CT cases as NIfTI; train-segmenter (2D), train-segmenter --dims 3 and train-classifier \
		(tumour / no-tumour slices); targets mean Dice 0.9, macro ROC AUC 0.95. Takes many minutes on a laptop \
		CPU.%n\
		mr: brain MR cases (30 train, 10 test by default) on a real T1 head (Debian's mricron-data: apt-get \
		install mricron-data), with 1-3 lesions (enhancing rim, necrotic core, non-enhancing), intensity scales \
		over 10x, bias field, Rician noise, oblique grids of 1.1-1.6 mm pixels and 1.5-3.5 mm slices, written as \
		DICOM MR series (four value codings, shuffled instance numbers) under \
		segmentation/{train,test}/images/caseNNN/ with masks/caseNNN.nii.gz; train-segmenter (2D) and --dims 3, \
		target mean Dice 0.85; plus a baseline row (no target): the best single global intensity threshold on \
		the training cases, its mean Dice on the test cases. About an hour on two CPU cores.%n\
		images: Fashion-MNIST (Debian's dataset-fashion-mnist: apt-get install dataset-fashion-mnist; or --data \
		DIR holding its four IDX files) written as 8-bit PNG class folders (images/{train,test}/CLASS/NNNNN.png); \
		train-classifier on the first N training images, evaluate on the 10,000 test images. Targets: accuracy \
		0.90 (published small CNNs: 0.91-0.93) and train-classifier within 900 s (15 minutes on two cores); exit \
		code 3 when either is missed. Also reports how long loading the training PNGs takes.""")
	static final class Quality implements Main.Command {
		@Option(names = "--modality", completionCandidates = Modalities.class, description = "the task (default "
			+ "${DEFAULT-VALUE})")
		String modality = QualityBench.CT;

		@Mixin
		SharedOptions.Json json;

		/** {@code --cases} of ct and mr: phantom cases. */
		static final int MIN_CASES = 8, MAX_CASES = 400;
		/** {@code --cases} of images: Fashion-MNIST's training images, all of them by default. */
		static final int MAX_IMAGES = 60_000;

		@Option(names = "--cases", paramLabel = "N", description = "ct, mr: cases, " + MIN_CASES + "…" + MAX_CASES
			+ ", default " + QualityBench.DEFAULT_CASES + " (ct) and " + QualityBench.DEFAULT_MR_CASES + " (mr); images: training images, " + QualityBench.MIN_IMAGES + "…"
			+ MAX_IMAGES + ", default all " + MAX_IMAGES)
		Integer cases;

		@Mixin
		SharedOptions.Keep keep;

		@Option(names = "--data", paramLabel = "DIR", description = "images: the folder of Fashion-MNIST's IDX files "
			+ "(default " + FashionMnist.DEBIAN_FOLDER + ")")
		Path data;

		/** {@code --modality}. */
		static final class Modalities extends Cli.Choices {
			Modalities() {
				super(QualityBench.CT, QualityBench.MR, QualityBench.IMAGES);
			}
		}

		@Override
		public boolean usesTensorFlow() {
			return true;
		}

		@Override
		public int call(PrintStream out, PrintStream err) throws Exception {
			boolean mr = modality.equals(QualityBench.MR), images = modality.equals(QualityBench.IMAGES);
			// the range depends on --modality: checked here, not by a Cli.Range
			int cases = this.cases != null ? this.cases : images ? MAX_IMAGES : mr ? QualityBench.DEFAULT_MR_CASES
				: QualityBench.DEFAULT_CASES;
			if (images) Cli.checkRange("bench quality", "--cases", cases, QualityBench.MIN_IMAGES, MAX_IMAGES);
			else Cli.checkRange("bench quality", "--cases", cases, MIN_CASES, MAX_CASES);
			if (!images && data != null) throw new Cli.UsageException("bench quality: --data is for --modality images");
			Path dataset = data != null ? data : Path.of(FashionMnist.DEBIAN_FOLDER);
			Path keep = this.keep.keep;
			Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("medcnn-quality");
			try (CliCancellation cancel = new CliCancellation()) {
				List<Object> rows = images ? QualityBench.runImages(cases, dataset, work, err, cancel.token())
					: mr ? QualityBench.runMr(cases, work, err, cancel.token())
					: QualityBench.run(cases, work, err, cancel.token());
				if (json.json) out.println(Json.writePretty(rows));
				else for (Object r : rows) out.println(r);
				// A baseline row has no target: it shows how hard the task is, it is not a verdict.
				boolean all = rows.stream().map(r -> (Map<?, ?>) r).filter(r -> !Boolean.TRUE.equals(r.get("baseline")))
					.allMatch(r -> Boolean.TRUE.equals(r.get("reached")));
				return all ? 0 : 3;
			} finally {
				if (keep == null) org.medcnn.common.AtomicFiles.deleteTree(work);
			}
		}
	}

	/** {@code bench predict}. */
	@Command(name = "predict", description = """
		Times predict end to end (DICOM read, preprocessing, tiled 3D inference, lesions, outputs) on a \
		512x512x300 CT phantom of 0.7x0.7x1 mm with a 3D U-Net of the default architecture, trained for a \
		few epochs on small phantoms of the same spacing first (not timed). Target: 60 s on 2 cores; \
		exit code 3 when missed.""")
	static final class Predict implements Main.Command {
		@Mixin
		SharedOptions.Json json;

		@Mixin
		SharedOptions.Keep keep;

		@Override
		public boolean usesTensorFlow() {
			return true;
		}

		@Override
		public int call(PrintStream out, PrintStream err) throws Exception {
			Path keep = this.keep.keep;
			Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("medcnn-bench-predict");
			try (CliCancellation cancel = new CliCancellation()) {
				Map<String, Object> r = PredictBench.run(work, err, cancel.token());
				out.println(json.json ? Json.writePretty(r) : r.toString());
				return Boolean.TRUE.equals(r.get("reached")) ? 0 : 3;
			} finally {
				if (keep == null) org.medcnn.common.AtomicFiles.deleteTree(work);
			}
		}
	}

	/** {@code bench active-learning}: the options; {@link ActiveLearningBench} describes and runs it. */
	@Command(name = "active-learning", description = "${bundle:v.description}")
	static final class ActiveLearning implements Main.Command {
		@Mixin
		SharedOptions.Json json;

		@Option(names = "--seeds", paramLabel = "N", description = "seeds to average over (default ${DEFAULT-VALUE})")
		@Cli.Range(min = 1, max = 20)
		int seeds = ActiveLearningBench.DEFAULT_SEEDS;

		@Option(names = "--first-seed", paramLabel = "K", description = "number of the first seed (default 1): --first-seed 6 "
			+ "--seeds 5 runs seeds 6-10, extending an earlier run of seeds 1-5 with new cases")
		@Cli.Range(min = 1, max = 1000)
		int firstSeed = 1;

		@Mixin
		SharedOptions.Keep keep;

		@Override
		public Map<String, String> helpValues() {
			return Cli.values("v.description", ActiveLearningBench.usage().strip().replaceAll("\\s+", " "));
		}

		@Override
		public boolean usesTensorFlow() {
			return true;
		}

		@Override
		public int call(PrintStream out, PrintStream err) throws Exception {
			return ActiveLearningBench.command(this, out, err);
		}
	}

	@Override
	public boolean usesTensorFlow() {
		return true; // bench train must time TensorFlow as train does (oneDNN on); bench dicom merely relaunches
	}

	/** A reference model of {@code bench train}: its name and how to time it. */
	record TrainModel(String name, String description, Timer timer) {}

	/** Times one reference model. */
	interface Timer {
		Throughput time(double seconds, Cancellation cancel) throws IOException;
	}

	/** C1, U1 and U3 of DESIGN.md "bench train". */
	static List<TrainModel> trainModels() {
		TrainingConfig cls = TrainingConfig.classifierDefaults().withBatchSize(32);
		ClassifierConfig c1 = new ClassifierConfig("cnn", 64, new int[] {16, 32}, 64, "max", 40, 400, cls);
		SegmenterConfig u1 = new SegmenterConfig(4, 16, 40, 400, TrainingConfig.segmenterDefaults().withBatchSize(8));
		Segmenter3dConfig u3 = new Segmenter3dConfig(3, 8, new int[] {32, 64, 64}, 40, 400,
			TrainingConfig.segmenterDefaults().withBatchSize(2));
		return List.of(
			new TrainModel("C1", "CNN classifier 1x64x64, conv 16-32, dense 64", (s, c) -> Training.benchmarkClassifier(c1, 2, s, c)),
			new TrainModel("U1", "2D U-Net 1x128x128, 4 levels from 16", (s, c) -> Training.benchmarkSegmenter(u1, 128, s, c)),
			new TrainModel("U3", "3D U-Net 1x32x64x64, depth 3, 8 filters", (s, c) -> Training.benchmarkSegmenter3d(u3, s, c)));
	}

	/** Times every reference model; one row per model. */
	static List<Object> benchTrain(double seconds, ProgressListener progress, Cancellation cancel) throws IOException {
		String device = Models.device();
		List<TrainModel> models = trainModels();
		List<Object> rows = new java.util.ArrayList<>();
		for (int i = 0; i < models.size(); i++) {
			TrainModel m = models.get(i);
			progress.progress(i / (double) models.size(), "Timing " + m.name() + " (" + m.description() + ")");
			Throughput t = m.timer().time(seconds, cancel);
			Map<String, Object> r = new LinkedHashMap<>();
			r.put("model", m.name());
			r.put("description", m.description());
			r.put("batch", t.batch());
			r.put("trainImagesPerSecond", round(t.trainImagesPerSecond()));
			r.put("inferImagesPerSecond", round(t.inferImagesPerSecond()));
			r.put("pipelineTrainImagesPerSecond", round(t.pipelineTrainImagesPerSecond()));
			r.put("pipelineShareOfBare", Double.isNaN(t.pipelineTrainImagesPerSecond()) ? null
				: Math.round(1000 * t.pipelineTrainImagesPerSecond() / t.trainImagesPerSecond()) / 1000.0);
			r.put("pipelineStepTimeOutsideTensorFlow", Double.isNaN(t.pipelineOutsideShare()) ? null
				: Math.round(10000 * t.pipelineOutsideShare()) / 10000.0);
			r.put("trainSteps", t.trainSteps());
			r.put("inferSteps", t.inferSteps());
			r.put("onnxInferImagesPerSecond", round(t.onnxInferImagesPerSecond()));
			r.put("onnxInferSteps", t.onnxInferSteps());
			r.put("parameters", t.parameters());
			r.put("device", device);
			rows.add(r);
		}
		progress.progress(1, "Timed " + models.size() + " models");
		return rows;
	}

	private static String humanRow(Map<?, ?> r) {
		return String.format(java.util.Locale.ROOT, "%s (%s): batch %s, train %s images/s, inference %s images/s on %s"
			+ " (ONNX Runtime: %s images/s); MedCNN's training loop with augmentation %s images/s (%s of the bare graph, %s"
			+ " of step time outside TensorFlow)", r.get("model"), r.get("description"), r.get("batch"),
			r.get("trainImagesPerSecond"), r.get("inferImagesPerSecond"), r.get("device"), r.get("onnxInferImagesPerSecond"),
			r.get("pipelineTrainImagesPerSecond"), r.get("pipelineShareOfBare"), r.get("pipelineStepTimeOutsideTensorFlow"));
	}

	/**
	 * {@code bench dicom DIR}. When DIR holds image series, the headline ({@code mode: "series"}) is what Open DICOM
	 * runs on it, through the same calls ({@link SeriesScanner#scan}, then {@link SeriesReader#load} of each series
	 * into one volume in real-world values, damaged slices left out): {@code scanSeconds} + {@code loadSeconds} =
	 * {@code seconds}. Beside it, {@code perFileDecode}: every DICOM file under DIR decoded on its own
	 * ({@link DicomReader#read}, then {@link DicomPixels}), in parallel. Both paths run once untimed before either
	 * is timed.
	 * Without a series (e.g. only single colour images or non-image objects) the per-file decode is the headline
	 * ({@code mode: "files"}).
	 */
	static Map<String, Object> benchFolder(Path dir, ProgressListener progress, Cancellation cancel) throws IOException {
		List<Path> files = InfoCommand.expand(dir);
		if (files.isEmpty()) throw new IllegalArgumentException("bench dicom: no DICOM files under " + dir);
		// Warm-up of both paths before either is timed (JIT, page cache), so that neither gains from running second.
		List<DicomSeries> found = SeriesScanner.scan(List.of(dir), progress, cancel);
		for (DicomSeries s : found) loadSeries(s, progress, cancel);
		decodeAll(files, progress, cancel, "Warm-up");
		Map<String, Object> r = new LinkedHashMap<>();
		if (!found.isEmpty()) {
			long t0 = System.nanoTime();
			List<DicomSeries> series = SeriesScanner.scan(List.of(dir), progress, cancel);
			long scanNanos = System.nanoTime() - t0;
			long loadNanos = 0, voxels = 0, bytes = 0;
			int seriesFiles = 0, failed = 0;
			for (DicomSeries s : series) {
				long t = System.nanoTime();
				long v = loadSeries(s, progress, cancel);
				loadNanos += System.nanoTime() - t;
				if (v < 0) failed++;
				else voxels += v;
				seriesFiles += s.files().size();
				for (Path f : s.files()) bytes += Files.size(f);
			}
			r.put("mode", "series");
			r.put("series", series.size());
			r.putAll(figures(seriesFiles, bytes, scanNanos + loadNanos));
			r.put("voxels", voxels);
			r.put("voxelsPerSecond", Math.round(voxels / (Math.max(scanNanos + loadNanos, 1) / 1e9)));
			r.put("scanSeconds", round(scanNanos / 1e9));
			r.put("loadSeconds", round(loadNanos / 1e9));
			r.put("failedSeries", failed);
			r.put("threads", THREADS);
		}
		long bytes = 0;
		for (Path f : files) bytes += Files.size(f);
		long t0 = System.nanoTime();
		int failed = decodeAll(files, progress, cancel, "Decoding file by file");
		Map<String, Object> perFile = figures(files.size(), bytes, System.nanoTime() - t0);
		perFile.put("failed", failed);
		perFile.put("threads", THREADS);
		if (r.isEmpty()) {
			r.put("mode", "files");
			r.putAll(perFile);
			return r;
		}
		r.put("perFileDecode", perFile);
		r.put("seriesTimesFaster", round(((Number) perFile.get("seconds")).doubleValue()
			/ Math.max(((Number) r.get("seconds")).doubleValue(), 1e-9)));
		return r;
	}

	/**
	 * Loads a series as Open DICOM does (real-world values in one volume, damaged slices left out); returns its voxel
	 * count, or -1 when it cannot be read.
	 */
	private static long loadSeries(DicomSeries s, ProgressListener progress, Cancellation cancel) throws IOException {
		try {
			return SeriesReader.load(s, progress, cancel, ResampleOption.NONE, SeriesReader.DamagedSlices.SKIP).volume()
				.voxels().length;
		} catch (DicomReadException e) {
			return -1;
		}
	}

	/**
	 * Generated data: a header scan of small files, a full decode of a CT series uncompressed ({@code ct}) and as
	 * JPEG lossless ({@code ct-jpeg}), and a raw read of the uncompressed one; in {@code keep} (kept, so other tools
	 * can be timed on the same files) or in a temporary folder (deleted).
	 */
	static Map<String, Object> benchGenerated(Path keep, ProgressListener progress, Cancellation cancel) throws IOException {
		Path tmp = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("medcnn-bench");
		try {
			DicomWriter.SeriesInfo info = DicomWriter.SeriesInfo.synthetic("medcnn-bench", "BENCH^SYNTHETIC", "BENCH",
				"MedCNN bench");
			Path small = tmp.resolve("small");
			DicomWriter.writeSeries(synthetic(16, 16, SMALL_FILES, 0), small, info,
				(f, m) -> progress.progress(f, "Writing " + SMALL_FILES + " small files"), cancel);
			List<Path> smallFiles = InfoCommand.expand(small);
			Path ct = tmp.resolve("ct");
			Path ctJpeg = tmp.resolve("ct-jpeg");
			Files.createDirectories(ct);
			Files.createDirectories(ctJpeg);
			for (int c = 0; c < CT_SLICES; c += CHUNK) {
				int n = Math.min(CHUNK, CT_SLICES - c), first = c;
				Volume v = synthetic(CT_SIZE, CT_SIZE, n, c);
				// Each slice uncompressed and as JPEG lossless, in parallel: the encoder is the slow part.
				Parallel.forEachIndex(n, ProgressListener.NONE, cancel, "Writing", z -> {
					String name = String.format("IM%04d.dcm", first + z + 1);
					DicomWriter.writeSingleSlice(v, z, ct.resolve(name), info);
					DicomWriter.writeSingleSlice(v, z, ctJpeg.resolve(name), info, DicomWriter.JPEG_LOSSLESS_SV1);
				});
				progress.progress((c + n) / (double) CT_SLICES, "Writing a " + CT_SIZE + "x" + CT_SIZE + "x" + CT_SLICES
					+ " CT series, uncompressed and JPEG lossless");
			}
			List<Path> ctFiles = InfoCommand.expand(ct);
			List<Path> ctJpegFiles = InfoCommand.expand(ctJpeg);

			scanHeaders(smallFiles, progress, cancel, "Warm-up header scan");
			long bytes = 0;
			for (Path f : smallFiles) bytes += Files.size(f);
			long t0 = System.nanoTime();
			scanHeaders(smallFiles, progress, cancel, "Header scan");
			Map<String, Object> header = figures(smallFiles.size(), bytes, System.nanoTime() - t0);

			Map<String, Object> decode = fullDecode(ct, ctFiles, progress, cancel);
			Map<String, Object> decodeJpeg = fullDecode(ctJpeg, ctJpegFiles, progress, cancel);
			decodeJpeg.put("compressionRatio", round(((Number) decode.get("bytes")).doubleValue()
				/ ((Number) decodeJpeg.get("bytes")).doubleValue()));

			t0 = System.nanoTime();
			long read = 0;
			for (Path f : ctFiles) {
				cancel.check();
				read += Files.readAllBytes(f).length;
			}
			Map<String, Object> raw = figures(ctFiles.size(), read, System.nanoTime() - t0);
			raw.put("note", "files just written: read from the page cache, not the disk");
			Map<String, Object> disk = diskRead(ctFiles, cancel);
			raw.put("fullDecodeTimesSlower", round(((Number) decode.get("seconds")).doubleValue() / ((Number) raw.get("seconds")).doubleValue()));
			if (disk.get("seconds") instanceof Number d)
				disk.put("fullDecodeTimesSlower", round(((Number) decode.get("seconds")).doubleValue() / d.doubleValue()));

			Map<String, Object> r = new LinkedHashMap<>();
			r.put("headerScan", header);
			r.put("fullDecode", decode);
			r.put("fullDecodeJpegLossless", decodeJpeg);
			r.put("rawRead", raw);
			r.put("diskRead", disk);
			return r;
		} finally {
			if (keep == null) org.medcnn.common.AtomicFiles.deleteTree(tmp);
		}
	}

	/**
	 * The full decode is what Open DICOM and the CLI do with a scanned series: SeriesReader.load, every slice in
	 * Hounsfield units into one volume; one warm-up load, then a timed one.
	 */
	private static Map<String, Object> fullDecode(Path dir, List<Path> files, ProgressListener progress,
		Cancellation cancel) throws IOException {
		List<DicomSeries> series = SeriesScanner.scan(List.of(dir), ProgressListener.NONE, cancel);
		if (series.size() != 1)
			throw new IllegalStateException("bench dicom: the generated CT in " + dir + " is " + series.size() + " series");
		SeriesReader.load(series.get(0), progress, cancel, ResampleOption.NONE);
		long bytes = 0;
		for (Path f : files) bytes += Files.size(f);
		long t0 = System.nanoTime();
		SeriesReader.load(series.get(0), progress, cancel, ResampleOption.NONE);
		Map<String, Object> r = figures(files.size(), bytes, System.nanoTime() - t0);
		r.put("threads", THREADS);
		return r;
	}

	/**
	 * Reads the files with O_DIRECT, bypassing the page cache: the speed of the disk itself, which a cold decode
	 * (a series not read since boot) is bound by. File systems without O_DIRECT (tmpfs, some overlays) get a note.
	 */
	static Map<String, Object> diskRead(List<Path> files, Cancellation cancel) throws IOException {
		Map<String, Object> r;
		try {
			int block = (int) Files.getFileStore(files.get(0)).getBlockSize();
			java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect((4 << 20) + block).alignedSlice(block);
			long read = 0, t0 = System.nanoTime();
			for (Path f : files) {
				cancel.check();
				try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.READ,
					com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
					long pos = 0;
					for (int n = buf.capacity(); n == buf.capacity(); pos += n) {
						buf.clear();
						n = Math.max(0, ch.read(buf, pos));
					}
					read += pos;
				}
			}
			r = figures(files.size(), read, System.nanoTime() - t0);
			r.put("note", "O_DIRECT: from the disk, bypassing the page cache");
		} catch (UnsupportedOperationException | IOException e) {
			r = new LinkedHashMap<>();
			r.put("note", "not measured: this file system does not support O_DIRECT (" + e.getMessage() + ")");
		}
		return r;
	}

	/** A CT-like volume in HU: a smooth pattern, different per slice (z0 = index of the first slice). */
	static Volume synthetic(int nx, int ny, int nz, int z0) {
		float[] v = new float[nx * ny * nz];
		for (int z = 0, i = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++, i++) v[i] = ((x * 7 + y * 13 + (z0 + z) * 3) % 2000) - 1000;
		Geometry g = new Geometry(nx, ny, nz, new double[] {0.7, 0.7, 1.0}, new double[] {0, 0, z0},
			Geometry.AXIAL);
		return new Volume(g, v, "CT");
	}

	/** Threads for the decode: min(cores, 4), as SeriesReader uses for a series (the header scan stays on one). */
	static final int THREADS = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), Parallel.MAX_THREADS));

	private static void scanHeaders(List<Path> files, ProgressListener progress, Cancellation cancel, String what)
		throws DicomReadException {
		for (int i = 0; i < files.size(); i++) {
			cancel.check();
			DicomReader.readHeader(files.get(i));
			if (i % 50 == 49 || i == files.size() - 1)
				progress.progress((i + 1) / (double) files.size(), what + " " + (i + 1) + "/" + files.size());
		}
	}

	/** Decodes each file to real-world values (stored values for colour); returns how many could not be read. */
	private static int decodeAll(List<Path> files, ProgressListener progress, Cancellation cancel, String what)
		throws IOException {
		AtomicInteger failed = new AtomicInteger();
		Parallel.forEachIndex(files.size(), progress, cancel, what, i -> {
			try {
				DicomObject o = DicomReader.read(files.get(i));
				if (o.getInt(org.medcnn.dicom.Tag.SamplesPerPixel, 1) == 1) DicomPixels.realWorldValues(o);
				else DicomPixels.storedValues(o);
			} catch (DicomReadException e) {
				failed.incrementAndGet();
			}
		});
		return failed.get();
	}

	private static Map<String, Object> figures(int files, long bytes, long nanos) {
		double s = Math.max(nanos, 1) / 1e9;
		Map<String, Object> r = new LinkedHashMap<>();
		r.put("files", files);
		r.put("bytes", bytes);
		r.put("seconds", round(s));
		r.put("filesPerSecond", round(files / s));
		r.put("megabytesPerSecond", round(bytes / 1e6 / s));
		return r;
	}

	private static double round(double v) {
		return Math.round(v * 1000) / 1000.0;
	}

	@SuppressWarnings("unchecked")
	private static void printHuman(Map<String, Object> r, PrintStream out, String indent) {
		for (Map.Entry<String, Object> e : r.entrySet()) {
			if (e.getValue() instanceof Map<?, ?> m) {
				out.println(indent + e.getKey() + ":");
				printHuman((Map<String, Object>) m, out, indent + "  ");
			} else {
				out.println(indent + e.getKey() + ": " + e.getValue());
			}
		}
	}
}
