package org.medcnn.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Cancellation;
import org.medcnn.common.IoMessages;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.dicom.seg.SegCompression;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.pipeline.CaseMarker;
import org.medcnn.pipeline.CasePredictor;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.volume.Lesions;

/**
 * {@code bin/medcnn-spark [--master URL] --model M --out DIR INPUT…}, or {@code spark-submit --class
 * org.medcnn.spark.BatchSegment medcnn.jar …}: segments an archive of series on Apache Spark, one task per series,
 * each running the same code as {@code predict} ({@link CasePredictor#run}) and writing the same outputs per case into
 * {@code DIR} (a folder every executor sees, e.g. on a shared file system).
 * <p>
 * INPUT is a folder of cases, found as {@code Batch Process...} finds them (each entry a DICOM series folder or file,
 * a NIfTI image or a TIFF stack; an entry with several series gives a case per series), or a list of inputs as
 * {@code predict} takes them ({@code .txt}, {@code .csv}, {@code .lst}: one path per line, the first column of a CSV,
 * relative to the list's folder; blank lines, {@code #} comments and a header {@code path} are skipped), or one such
 * input. Folder entries are scanned on the executors; case names are made unique over the whole run with the code that
 * {@code predict} and {@code Batch Process...} use.
 * <p>
 * The model packages are zipped (when folders) and shipped once with {@code SparkContext.addFile}; each executor opens
 * them once ({@link ExecutorModels}) with TensorFlow's threads set to its cores. Each case's outputs are written
 * through a temporary folder and renamed into place, then its completion marker ({@link CaseMarker}) last; a rerun
 * skips the cases whose marker matches the packages, the settings and the input's files. A case that fails (a broken
 * series, an unreadable file) is listed with its reason; the job goes on.
 * <p>
 * The run's results in {@code DIR}: {@value #LESIONS_CSV} and {@value #LESIONS_PARQUET}/ (one row per lesion of every
 * finished case, done or skipped: case, lesion, volume mL, mean/max HU, longest axial diameter, risk and its
 * probability when a lesion classifier is given) and {@value #SUMMARY} (done, skipped, failed with reasons), which is
 * also printed on stdout. Exit code 0 when no case failed, 1 when some did, 2 for a usage error.
 */
public final class BatchSegment {

	/** The run's lesion table, CSV. */
	public static final String LESIONS_CSV = "batch-lesions.csv";
	/** The run's lesion table, Parquet (one file). */
	public static final String LESIONS_PARQUET = "batch-lesions.parquet";
	/** The run summary. */
	public static final String SUMMARY = "batch-summary.json";

	private static final String USAGE = """
		usage: medcnn-spark [--master URL] --model MODEL --out DIR [--classifier M] [--min-lesion N] [--tta]
		                    [--seg [--seg-compression none|deflate]] [--rtstruct] INPUT...
		  Segments every series of the INPUTs on Apache Spark, one task per series, with the code of predict:
		  per case in DIR the outputs of predict (CASE.nii.gz, CASE_lesions.json/.csv, pictures, optional SEG and
		  RTSTRUCT) and a completion marker CASE_done.json; for the run batch-lesions.csv and batch-lesions.parquet
		  (one row per lesion) and batch-summary.json (done, skipped, failed with the reason; also on stdout).
		  A rerun skips the cases that are finished (same model, settings and input files).
		  INPUT: a folder of cases (as Batch Process: each entry a DICOM series folder or file, a NIfTI image or a TIFF
		         stack; a folder that is one series itself goes in a list), a list of inputs (.txt, .csv, .lst: one
		         path per line, relative to the list), or one input.
		  --master URL     Spark master (default: spark.master when spark-submit sets it, else local[*])
		  --model M        segmentation model package (folder or .zip)
		  --out DIR        output folder, on a file system every executor sees
		  --classifier M, --min-lesion N, --tta, --seg, --seg-compression, --rtstruct: as for predict""";

	private BatchSegment() {}

	/**
	 * What to run.
	 *
	 * @param model the segmentation package
	 * @param classifier a lesion classifier package, or null
	 * @param outDir the output folder
	 * @param inputs folders of cases, lists of inputs or inputs
	 * @param settings what {@code predict} lets the user choose
	 */
	public record Config(Path model, Path classifier, Path outDir, List<Path> inputs, CasePredictor.Settings settings) {

		public Config {
			inputs = List.copyOf(inputs);
		}
	}

	/** Thrown for a wrong command line; the message says what is wrong. */
	static final class UsageException extends Exception {
		UsageException(String message) {
			super(message);
		}
	}

	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	/** Runs the command line; returns the exit code. */
	static int run(String[] argv, PrintStream out, PrintStream err) {
		String master;
		Config cfg;
		try {
			if (List.of(argv).contains("--help") || List.of(argv).contains("-h")) {
				out.println(USAGE);
				return 0;
			}
			Map<String, String> opts = new LinkedHashMap<>();
			List<Path> inputs = new ArrayList<>();
			List<String> valued = List.of("master", "model", "out", "classifier", "min-lesion", "seg-compression");
			List<String> flags = List.of("tta", "seg", "rtstruct");
			for (int i = 0; i < argv.length; i++) {
				String a = argv[i];
				if (!a.startsWith("--")) {
					inputs.add(Path.of(a));
					continue;
				}
				String name = a.substring(2);
				String value = null;
				int eq = name.indexOf('=');
				if (eq > 0) {
					value = name.substring(eq + 1);
					name = name.substring(0, eq);
				}
				if (flags.contains(name) && value == null) opts.put(name, "true");
				else if (valued.contains(name)) {
					if (value == null) {
						if (i + 1 >= argv.length) throw new UsageException("--" + name + " needs a value");
						value = argv[++i];
					}
					opts.put(name, value);
				} else throw new UsageException("unknown option " + a);
			}
			if (opts.get("model") == null) throw new UsageException("give --model MODEL");
			if (opts.get("out") == null) throw new UsageException("give --out DIR");
			if (inputs.isEmpty()) throw new UsageException("give at least one INPUT");
			int minLesion = Lesions.DEFAULT_MIN_VOXELS;
			if (opts.get("min-lesion") != null) {
				try {
					minLesion = Integer.parseInt(opts.get("min-lesion"));
				} catch (NumberFormatException e) {
					minLesion = 0;
				}
				if (minLesion < 1) throw new UsageException("--min-lesion must be a whole number >= 1, was " + opts.get("min-lesion"));
			}
			String compression = opts.getOrDefault("seg-compression", SegCompression.NONE.key());
			if (!compression.equals(SegCompression.NONE.key()) && !compression.equals(SegCompression.DEFLATE.key()))
				throw new UsageException("--seg-compression must be one of none, deflate, was " + compression);
			if (opts.containsKey("seg-compression") && !opts.containsKey("seg"))
				throw new UsageException("--seg-compression applies to the DICOM SEG; add --seg");
			master = opts.get("master");
			cfg = new Config(Path.of(opts.get("model")), opts.get("classifier") == null ? null : Path.of(opts.get("classifier")),
				Path.of(opts.get("out")), inputs, new CasePredictor.Settings(opts.containsKey("tta"), minLesion,
					opts.containsKey("seg"), opts.containsKey("rtstruct"), SegCompression.of(compression)));
		} catch (UsageException e) {
			err.println("medcnn-spark: " + e.getMessage());
			err.println(USAGE);
			return 2;
		}
		try { // before Spark starts: the packages and the INPUTs (run checks them again, for callers of the API)
			CasePredictor.check(cfg.model(), cfg.classifier());
			for (Path p : cfg.inputs()) if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "INPUT not found");
		} catch (IOException | IllegalArgumentException e) {
			err.println("medcnn-spark: " + (e instanceof IOException io ? IoMessages.describe(io) : e.getMessage()));
			return 1;
		}
		SparkConf conf = new SparkConf().setAppName("MedCNN BatchSegment");
		if (master != null) conf.setMaster(master);
		else if (!conf.contains("spark.master")) conf.setMaster("local[*]");
		if (conf.get("spark.master").startsWith("local")) {
			// one machine: no network name needed, and no web UI port to hold
			conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
			conf.setIfMissing("spark.driver.host", "127.0.0.1");
			conf.setIfMissing("spark.ui.enabled", "false");
		}
		JavaSparkContext sc = new JavaSparkContext(conf);
		try {
			sc.setLogLevel("WARN");
			Map<String, Object> summary = run(sc, cfg, err);
			out.println(Json.writePretty(summary));
			return ((Number) summary.get("failed")).intValue() > 0 ? 1 : 0;
		} catch (IOException | IllegalArgumentException e) {
			err.println("medcnn-spark: " + (e instanceof IOException io ? IoMessages.describe(io) : e.getMessage()));
			return 1;
		} finally {
			sc.stop();
		}
	}

	/**
	 * Runs a batch on a Spark session: finds the cases, ships the packages, processes every case in its own task and
	 * writes the run's lesion table and summary into {@code cfg.outDir()}.
	 *
	 * @param err progress lines
	 * @return the summary, as written to {@value #SUMMARY}
	 * @throws IOException when an INPUT, a package or the output folder cannot be used (the message names it)
	 * @throws IllegalArgumentException when the model is not a segmentation model
	 */
	public static Map<String, Object> run(JavaSparkContext sc, Config cfg, PrintStream err) throws IOException {
		long t0 = System.nanoTime();
		ModelCard card = CasePredictor.check(cfg.model(), cfg.classifier());
		Path outDir = cfg.outDir().toAbsolutePath();
		if (Files.exists(outDir) && !Files.isDirectory(outDir))
			throw new IOException(outDir + ": is a file; --out needs a folder");
		Files.createDirectories(outDir);

		String runKey = sha256(packageDigest(cfg.model()) + "\n" + (cfg.classifier() == null ? "-" : packageDigest(cfg.classifier()))
			+ "\n" + cfg.settings().describe());
		Path staging = outDir.resolve(".medcnn-spark-" + runKey.substring(0, 12));
		try {
			String segmenterFile = ship(sc, cfg.model(), staging, "medcnn-segmenter-" + runKey.substring(0, 12));
			String classifierFile = cfg.classifier() == null ? null
				: ship(sc, cfg.classifier(), staging, "medcnn-classifier-" + runKey.substring(0, 12));
			BatchJob job = new BatchJob(outDir.toString(), runKey, segmenterFile, classifierFile, cfg.settings(),
				executorCores(sc.getConf()));

			long tScan = System.nanoTime();
			List<CaseTask> tasks = cases(sc, cfg.inputs(), outDir, err);
			err.printf(Locale.ROOT, "medcnn-spark: %d case(s), model %s, master %s%n", tasks.size(), card.name(), sc.master());
			long tCases = System.nanoTime();
			List<CaseOutcome> outcomes = List.of();
			if (!tasks.isEmpty()) {
				String group = "medcnn-cases-" + runKey.substring(0, 12) + "-" + System.nanoTime();
				CaseProgress progress = new CaseProgress(group, tasks.size(), err);
				sc.sc().addSparkListener(progress);
				sc.setJobGroup(group, "MedCNN: segment " + tasks.size() + " case(s)", false);
				try {
					outcomes = sc.parallelize(tasks, tasks.size()).map(job::process).collect();
				} finally {
					sc.clearJobGroup();
					sc.sc().removeSparkListener(progress);
				}
			}
			long tTables = System.nanoTime();

			List<LesionRow> rows = new ArrayList<>();
			for (CaseOutcome o : outcomes) {
				rows.addAll(o.lesions());
				if (o.status().equals(CaseOutcome.FAILED)) err.println("medcnn-spark: " + o.name() + ": failed: " + o.reason());
			}
			AtomicFiles.writeString(outDir.resolve(LESIONS_CSV), csv(rows));
			writeParquet(rows, outDir.resolve(LESIONS_PARQUET));
			Map<String, Object> phases = new LinkedHashMap<>();
			phases.put("prepare", seconds(tScan - t0));
			phases.put("findCases", seconds(tCases - tScan));
			phases.put("cases", seconds(tTables - tCases));
			phases.put("tables", seconds(System.nanoTime() - tTables));
			Map<String, Object> summary = summary(card, sc.master(), outcomes, rows.size(), (System.nanoTime() - t0) / 1e9);
			summary.put("phaseSeconds", phases);
			AtomicFiles.writeString(outDir.resolve(SUMMARY), Json.writePretty(summary) + "\n");
			err.printf(Locale.ROOT, "medcnn-spark: %s done, %s skipped, %s failed, %d lesion(s), %.1f s%n", summary.get("done"),
				summary.get("skipped"), summary.get("failed"), rows.size(), (System.nanoTime() - t0) / 1e9);
			return summary;
		} finally {
			AtomicFiles.deleteTree(staging);
		}
	}

	/**
	 * The run's cases in INPUT order: lists and single inputs as given, folder entries scanned into their series on
	 * the executors ({@link CaseSegmentation#entryInputs}), except the output folder itself; then names made unique over
	 * the run.
	 */
	static List<CaseTask> cases(JavaSparkContext sc, List<Path> inputs, Path outDir, PrintStream err) throws IOException {
		List<String> entries = new ArrayList<>(); // folder entries to scan, in order
		List<Object> plan = new ArrayList<>(); // per item: a CaseTask (as given) or an Integer (index into entries)
		for (Path input : inputs) {
			if (!Files.exists(input)) throw new NoSuchFileException(input.toString(), null, "INPUT not found");
			if (Files.isDirectory(input)) {
				for (Path e : Datasets.entries(input)) {
					if (e.toAbsolutePath().normalize().equals(outDir.normalize())) continue; // --out inside the INPUT folder
					plan.add(entries.size());
					entries.add(e.toString());
				}
			} else if (isList(input)) {
				for (Path p : readList(input)) plan.add(new CaseTask(Datasets.caseName(p), p.toString(), null, null, null));
			} else plan.add(new CaseTask(Datasets.caseName(input), input.toString(), null, null, null));
		}
		List<List<CaseTask>> scanned = entries.isEmpty() ? List.of()
			: sc.parallelize(entries, Math.min(entries.size(), 4 * sc.defaultParallelism())).map(BatchSegment::scanEntry).collect();
		List<CaseTask> raw = new ArrayList<>();
		for (Object o : plan) {
			if (o instanceof CaseTask t) raw.add(t);
			else raw.addAll(scanned.get((Integer) o));
		}
		List<CaseSegmentation.Input> named = CaseSegmentation.withUniqueNames(raw.stream()
			.map(t -> new CaseSegmentation.Input(t.name(), Path.of(t.entry()), null, t.error())).toList());
		List<CaseTask> out = new ArrayList<>();
		for (int i = 0; i < raw.size(); i++) {
			CaseTask t = raw.get(i);
			String name = named.get(i).name();
			if (!name.equals(t.name()))
				err.println("medcnn-spark: " + t.entry() + ": another input is also called '" + t.name() + "'; its outputs are named '"
					+ name + "'");
			out.add(t.named(name));
		}
		return out;
	}

	/** The scanning stage's task: one folder entry's cases, as {@code Batch Process...} finds them. */
	private static List<CaseTask> scanEntry(String entry) {
		List<CaseTask> out = new ArrayList<>();
		for (CaseSegmentation.Input in : CaseSegmentation.entryInputs(Path.of(entry), ProgressListener.NONE, new Cancellation()))
			out.add(CaseTask.of(in));
		return out;
	}

	/** Whether a file is a list of inputs (by its suffix). */
	static boolean isList(Path p) {
		String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		return Files.isRegularFile(p) && (n.endsWith(".txt") || n.endsWith(".csv") || n.endsWith(".lst") || n.endsWith(".list"));
	}

	/**
	 * The paths of a list: one per line (a CSV's first column, quotes removed), relative paths against the list's
	 * folder; blank lines, lines starting with {@code #} and a first line {@code path} (a header) are skipped.
	 */
	static List<Path> readList(Path list) throws IOException {
		List<Path> out = new ArrayList<>();
		List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
		Path base = list.toAbsolutePath().getParent();
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i).strip();
			if (line.isEmpty() || line.startsWith("#")) continue;
			String first;
			if (line.startsWith("\"")) {
				int end = line.indexOf('"', 1);
				if (end < 0) throw new IOException(list + ": line " + (i + 1) + ": a quote is not closed");
				first = line.substring(1, end);
			} else {
				int comma = list.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? line.indexOf(',') : -1;
				first = (comma >= 0 ? line.substring(0, comma) : line).strip();
			}
			if (out.isEmpty() && (first.equalsIgnoreCase("path") || first.equalsIgnoreCase("series")) && !Files.exists(base.resolve(first)))
				continue;
			if (first.isEmpty()) throw new IOException(list + ": line " + (i + 1) + ": no path in the first column");
			out.add(base.resolve(first));
		}
		return out;
	}

	/**
	 * Ships a package to the executors once: a folder is zipped (Spark ships files, and folders only from a Hadoop file
	 * system), a zip copied, under {@code name}.zip in the staging folder.
	 *
	 * @return the name for {@code SparkFiles.get}
	 */
	private static String ship(JavaSparkContext sc, Path pkg, Path staging, String name) throws IOException {
		Files.createDirectories(staging);
		Path zip = staging.resolve(name + ".zip");
		if (!Files.exists(zip)) {
			if (Models.isZip(pkg)) AtomicFiles.write(zip, tmp -> Files.copy(pkg, tmp, StandardCopyOption.REPLACE_EXISTING));
			else Models.zip(pkg, zip);
		}
		sc.addFile(zip.toUri().toString());
		return zip.getFileName().toString();
	}

	/**
	 * TensorFlow threads per executor: N of {@code local[N]} (all processors for {@code local[*]}), else
	 * {@code spark.executor.cores} when set; 0 (leave MedCNN's default: the physical cores the executor may use) when
	 * unknown.
	 */
	static int executorCores(SparkConf conf) {
		String master = conf.get("spark.master", "");
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?\\])?").matcher(master);
		if (m.matches()) {
			if (m.group(1) == null) return 1;
			return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
		}
		return conf.contains("spark.executor.cores") ? conf.getInt("spark.executor.cores", 0) : 0;
	}

	/**
	 * A digest of a package's content: SHA-256 over its files' relative paths and bytes (a folder, in sorted order) or
	 * over the zip's bytes, so that the same package gives the same run key wherever it is.
	 */
	static String packageDigest(Path pkg) throws IOException {
		MessageDigest md = sha256();
		if (Files.isDirectory(pkg)) {
			List<Path> files;
			try (Stream<Path> walk = Files.walk(pkg)) {
				files = walk.filter(Files::isRegularFile).sorted().toList();
			}
			for (Path f : files) {
				md.update(pkg.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
				md.update((byte) 0);
				digest(md, f);
			}
		} else digest(md, pkg);
		return HexFormat.of().formatHex(md.digest());
	}

	private static void digest(MessageDigest md, Path f) throws IOException {
		try (InputStream in = Files.newInputStream(f)) {
			byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;) md.update(buf, 0, n);
		}
	}

	private static String sha256(String text) {
		return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("this Java has no SHA-256", e);
		}
	}

	/** The run's lesion table as CSV (numbers with up to 4 decimals, empty for none). */
	static String csv(List<LesionRow> rows) {
		StringBuilder sb = new StringBuilder(String.join(",", LesionRow.COLUMNS)).append('\n');
		for (LesionRow r : rows) {
			sb.append(csvText(r.caseName())).append(',').append(r.lesion()).append(',').append(CaseSegmentation.num(r.volumeMl()))
				.append(',').append(CaseSegmentation.num(r.meanHu())).append(',').append(CaseSegmentation.num(r.maxHu())).append(',')
				.append(CaseSegmentation.num(r.diameterMm())).append(',').append(r.risk() == null ? "" : csvText(r.risk())).append(',')
				.append(r.riskProbability() == null ? "" : CaseSegmentation.num(r.riskProbability())).append('\n');
		}
		return sb.toString();
	}

	private static String csvText(String s) {
		return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
	}

	/** The Parquet schema of the lesion table ({@link LesionRow#COLUMNS}). */
	static final MessageType PARQUET_SCHEMA = MessageTypeParser.parseMessageType("message lesions {"
		+ " required binary case (STRING); required int32 lesion; optional double volumeMl; optional double meanHu;"
		+ " optional double maxHu; optional double longestAxialDiameterMm; optional binary risk (STRING);"
		+ " optional double riskProbability; }");

	/**
	 * Writes the lesion table as one Parquet file (through a temporary file and a rename), with Parquet's own writer on
	 * the driver: the table is small beside the images, and Spark SQL's start-up took longer than all the skipped cases
	 * of a rerun. A missing measurement (NaN) is a null.
	 */
	static void writeParquet(List<LesionRow> rows, Path target) throws IOException {
		AtomicFiles.write(target, tmp -> {
			try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(tmp)).withType(PARQUET_SCHEMA)
				.withConf(new Configuration(false)).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
				.withCompressionCodec(CompressionCodecName.UNCOMPRESSED).build()) {
				SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET_SCHEMA);
				for (LesionRow r : rows) {
					Group g = groups.newGroup().append(LesionRow.COLUMNS[0], r.caseName()).append(LesionRow.COLUMNS[1], r.lesion());
					double[] values = {r.volumeMl(), r.meanHu(), r.maxHu(), r.diameterMm()};
					for (int i = 0; i < values.length; i++) if (!Double.isNaN(values[i])) g.append(LesionRow.COLUMNS[2 + i], values[i]);
					if (r.risk() != null) g.append(LesionRow.COLUMNS[6], r.risk());
					if (r.riskProbability() != null) g.append(LesionRow.COLUMNS[7], r.riskProbability());
					w.write(g);
				}
			}
		});
	}

	private static double seconds(long nanos) {
		return Math.round(nanos / 1e6) / 1000.0;
	}

	private static Map<String, Object> summary(ModelCard card, String master, List<CaseOutcome> outcomes, int lesions,
		double seconds) {
		int done = 0, skipped = 0, failed = 0;
		List<Object> cases = new ArrayList<>();
		for (CaseOutcome o : outcomes) {
			switch (o.status()) {
				case CaseOutcome.DONE -> done++;
				case CaseOutcome.SKIPPED -> skipped++;
				default -> failed++;
			}
			Map<String, Object> c = new LinkedHashMap<>();
			c.put("case", o.name());
			c.put("status", o.status());
			if (o.reason() != null) c.put("reason", o.reason());
			c.put("lesions", o.lesions().size());
			c.put("seconds", Math.round(o.seconds() * 1000) / 1000.0);
			cases.add(c);
		}
		Map<String, Object> s = new LinkedHashMap<>();
		s.put("model", card.name());
		s.put("master", master);
		s.put("cases", outcomes.size());
		s.put("done", done);
		s.put("skipped", skipped);
		s.put("failed", failed);
		s.put("lesions", lesions);
		s.put("seconds", Math.round(seconds * 1000) / 1000.0);
		s.put("lesionTable", List.of(LESIONS_CSV, LESIONS_PARQUET));
		s.put("results", cases);
		return s;
	}
}
