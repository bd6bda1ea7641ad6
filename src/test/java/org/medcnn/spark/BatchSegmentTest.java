package org.medcnn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.CpuThreads;
import org.medcnn.common.Json;
import org.medcnn.data.Datasets;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.seg.SegCompression;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.pipeline.CaseMarker;
import org.medcnn.pipeline.CasePredictor;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.pipeline.ClassifierRequest;
import org.medcnn.pipeline.LesionCrops;
import org.medcnn.pipeline.Trainings;
import org.medcnn.testing.BallPhantom;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * The Spark job in local mode ({@code local[2]}) against {@code predict} on the same inputs: three DICOM series and a
 * NIfTI image (given through a list file) with bright balls that a tiny trained 2D U-Net finds, and a series whose
 * last slice is cut short. The masks must equal {@code predict}'s voxel for voxel, the lesion table (CSV and Parquet)
 * must hold one row per lesion that {@code predict} reports, the broken series must be listed as failed while the
 * others finish, the model must be opened once, and a rerun must compute nothing (no output touched) until an output
 * of a case goes missing, when that case alone is computed again. With a lesion classifier, every row carries the risk
 * {@code predict} gives that lesion.
 */
class BatchSegmentTest {

	private static final Geometry GRID = new Geometry(32, 32, 4, new double[] {1, 1, 3}, new double[] {-16, -16, 50},
		Geometry.AXIAL);

	@TempDir
	static Path tmp;

	private static SparkSession spark;
	private static String threadsBefore;
	/** A tiny 2D U-Net that finds the balls of {@link #phantom}. */
	private static Path model;

	@BeforeAll
	static void startSparkAndTrain() throws IOException {
		List<Volume> images = new ArrayList<>();
		List<Mask> masks = new ArrayList<>();
		for (int k = 0; k < 2; k++) {
			Mask m = Mask.empty(GRID);
			images.add(phantom(k, m));
			masks.add(m);
		}
		TrainingConfig t = new TrainingConfig(60, 4, 1e-2, "adam", "dice-ce", "relu", 42, 0);
		model = Training.trainSegmenter(images, masks, new SegmenterConfig(2, 8, 40, 400, t), null, null, tmp.resolve("model"));
		threadsBefore = System.getProperty(CpuThreads.PROPERTY);
		SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("BatchSegmentTest")
			.set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false")
			.set("spark.sql.shuffle.partitions", "2");
		spark = SparkSession.builder().config(conf).getOrCreate();
		spark.sparkContext().setLogLevel("ERROR");
	}

	@AfterAll
	static void stopSpark() {
		if (spark != null) spark.stop();
		if (threadsBefore == null) System.clearProperty(CpuThreads.PROPERTY);
		else System.setProperty(CpuThreads.PROPERTY, threadsBefore);
	}

	/** A body (40 HU) with one bright ball (130 HU) at a place that depends on {@code k}, which {@code mask} receives. */
	private static Volume phantom(int k, Mask mask) {
		return BallPhantom.of(GRID, 100 + k, 10 + 4 * (k % 3), 12 + 3 * (k % 3), 1 + k % 2, mask);
	}

	private static String predict(String... args) throws Exception {
		Method run = Class.forName("org.medcnn.cli.Main").getDeclaredMethod("run", String[].class, PrintStream.class,
			PrintStream.class);
		run.setAccessible(true);
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = (int) run.invoke(null, args, new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
		assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
		return out.toString(StandardCharsets.UTF_8);
	}

	@Test
	void sameMasksAsPredictOneRowPerLesionBrokenSeriesFailsAloneRerunComputesNothing() throws Exception {

		Path archive = tmp.resolve("archive");
		List<String> predictInputs = new ArrayList<>();
		for (int k = 0; k < 3; k++) {
			Path dir = archive.resolve("case" + k);
			DicomWriter.writeSeries(phantom(k, Mask.empty(GRID)), dir,
				DicomWriter.SeriesInfo.synthetic("spark-" + k, "P^S" + k, "PS" + k, "case" + k));
			predictInputs.add(dir.toString());
		}
		Path broken = archive.resolve("broken");
		List<Path> slices = DicomWriter.writeSeries(phantom(3, Mask.empty(GRID)), broken,
			DicomWriter.SeriesInfo.synthetic("spark-broken", "P^B", "PB", "broken"));
		for (Path cut : slices) { // every slice's pixel data cut short: the reader skips such slices, and then has none
			byte[] bytes = Files.readAllBytes(cut);
			Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
		}
		Path others = tmp.resolve("others");
		Path nifti = others.resolve("niftiCase.nii.gz");
		Files.createDirectories(others);
		Nifti.writeVolume(phantom(4, Mask.empty(GRID)), nifti, Nifti.DataType.FLOAT32);
		Path list = others.resolve("series.txt");
		Path corrupt = others.resolve("corrupt.nii.gz"); // passes no scan: fails in its segmentation task, when it is read
		Files.write(corrupt, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3});
		Files.writeString(list, "# one path per line, relative to the list\nniftiCase.nii.gz\ncorrupt.nii.gz\n");
		predictInputs.add(nifti.toString());

		Path predicted = tmp.resolve("predict");
		List<String> argv = new ArrayList<>(List.of("predict", "--model", model.toString(), "--out", predicted.toString()));
		argv.addAll(predictInputs);
		List<Object> predictResults = Json.asArray(Json.parse(predict(argv.toArray(String[]::new))), "predict stdout");

		Path out = tmp.resolve("spark");
		BatchSegment.Config cfg = new BatchSegment.Config(model, null, out, List.of(archive, list),
			new CasePredictor.Settings(false, 10, false, false, SegCompression.NONE));
		int loadsBefore = ExecutorModels.LOADS.get();
		Map<String, Object> s = BatchSegment.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), cfg, System.err);

		assertEquals(6, count(s, "cases"), s.toString());
		assertEquals(4, count(s, "done"), s.toString());
		assertEquals(2, count(s, "failed"), s.toString());
		assertEquals(0, count(s, "skipped"), s.toString());
		Map<String, Map<String, Object>> byCase = new TreeMap<>();
		for (Object o : Json.asArray(s.get("results"), "results")) {
			Map<String, Object> c = Json.asObject(o, "result");
			byCase.put((String) c.get("case"), c);
		}
		assertEquals(List.of("broken", "case0", "case1", "case2", "corrupt", "niftiCase"), List.copyOf(byCase.keySet()));
		for (String failed : List.of("broken", "corrupt")) {
			assertEquals("failed", byCase.get(failed).get("status"));
			assertTrue(String.valueOf(byCase.get(failed).get("reason")).contains(failed), byCase.get(failed).toString());
		}
		assertFalse(Files.exists(out.resolve("corrupt.nii.gz")));
		assertFalse(Files.exists(out.resolve("broken.nii.gz")));
		assertFalse(Files.exists(CaseMarker.path(out, "broken")));
		assertEquals(1, ExecutorModels.LOADS.get() - loadsBefore, "the executor opens the model once for all its tasks");
		assertEquals(threadsBefore == null ? "2" : threadsBefore, System.getProperty(CpuThreads.PROPERTY),
			"TensorFlow threads follow local[2]'s cores unless -Dmedcnn.threads says otherwise");

		// the masks of predict, voxel for voxel, and one table row per lesion predict reports
		int lesions = 0;
		List<String> expectedRows = new ArrayList<>();
		for (Object o : predictResults) {
			Map<String, Object> r = Json.asObject(o, "predict result");
			String name = (String) r.get("case");
			Mask p = Nifti.readMask(predicted.resolve(name + ".nii.gz"));
			Mask b = Nifti.readMask(out.resolve(name + ".nii.gz"));
			assertArrayEquals(p.labels(), b.labels(), name);
			assertEquals(p.geometry(), b.geometry(), name);
			assertEquals(Files.readString(predicted.resolve(name + "_lesions.json")), Files.readString(out.resolve(name + "_lesions.json")),
				name);
			for (Object l : Json.asArray(r.get("lesions"), name + " lesions")) {
				Map<String, Object> lj = Json.asObject(l, "lesion");
				expectedRows.add(name + "," + lj.get("id"));
				lesions++;
			}
			assertEquals(Json.asArray(r.get("lesions"), "lesions").size(), ((Number) byCase.get(name).get("lesions")).intValue(), name);
		}
		assertTrue(lesions >= 3, "the model finds the balls: " + lesions);
		List<String> csv = Files.readAllLines(out.resolve(BatchSegment.LESIONS_CSV));
		assertEquals("case,lesion,volumeMl,meanHu,maxHu,longestAxialDiameterMm,risk,riskProbability", csv.get(0));
		assertEquals(lesions, csv.size() - 1, String.join("\n", csv));
		List<String> csvKeys = csv.subList(1, csv.size()).stream().map(l -> l.split(",")[0] + "," + l.split(",")[1]).sorted().toList();
		assertEquals(expectedRows.stream().sorted().toList(), csvKeys);
		List<Row> parquet = spark.read().parquet(out.resolve(BatchSegment.LESIONS_PARQUET).toString()).collectAsList();
		assertEquals(lesions, parquet.size());
		for (Row row : parquet) {
			assertTrue(expectedRows.contains(row.getString(0) + "," + row.getInt(1)), row.toString());
			assertTrue(row.getDouble(2) > 0, "volume mL: " + row);
			assertTrue(row.isNullAt(6), "no classifier, no risk: " + row);
		}

		// a rerun computes nothing and touches no case output
		Map<Path, FileTime> before = times(out);
		Map<String, Object> again = BatchSegment.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), cfg, System.err);
		assertEquals(0, count(again, "done"), again.toString());
		assertEquals(4, count(again, "skipped"), again.toString());
		assertEquals(2, count(again, "failed"), again.toString());
		assertEquals(lesions, Files.readAllLines(out.resolve(BatchSegment.LESIONS_CSV)).size() - 1, "skipped cases keep their rows");
		assertEquals(before, times(out), "no case output rewritten");
		assertEquals(1, ExecutorModels.LOADS.get() - loadsBefore);

		// an incomplete case (an output gone) is computed again, alone
		Files.delete(out.resolve("case1_lesions.csv"));
		Map<String, Object> third = BatchSegment.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), cfg, System.err);
		assertEquals(1, count(third, "done"), third.toString());
		assertEquals(3, count(third, "skipped"), third.toString());
		assertTrue(Files.exists(out.resolve("case1_lesions.csv")));
		Map<Path, FileTime> after = times(out);
		for (Map.Entry<Path, FileTime> e : before.entrySet()) {
			String n = e.getKey().toString();
			if (!n.startsWith("case1")) assertEquals(e.getValue(), after.get(e.getKey()), n + " untouched");
		}
		assertNotNull(CaseMarker.path(out, "case1"));
		assertTrue(Files.exists(CaseMarker.path(out, "case1")));
	}

	private static int count(Map<String, Object> summary, String key) {
		return ((Number) summary.get(key)).intValue();
	}

	/** Modification times of the case outputs (not the run's tables, which every run rewrites). */
	private static Map<Path, FileTime> times(Path out) throws IOException {
		Map<Path, FileTime> m = new TreeMap<>();
		try (Stream<Path> s = Files.list(out)) {
			for (Path f : s.filter(Files::isRegularFile).toList()) {
				String n = f.getFileName().toString();
				if (!n.startsWith("batch-")) m.put(f.getFileName(), Files.getLastModifiedTime(f));
			}
		}
		return m;
	}

	@Test
	void launcherGivesSparkTheJavaOptionsTheTestsUse() throws IOException {
		java.util.regex.Pattern opt = java.util.regex.Pattern.compile("(--add-opens=\\S+|-D[\\w.]+=\\w+|-XX:\\S+)");
		java.util.function.Function<String, java.util.Set<String>> options = text -> {
			java.util.Set<String> found = new java.util.TreeSet<>();
			java.util.regex.Matcher m = opt.matcher(text);
			while (m.find()) found.add(m.group(1).replaceAll("[)\"]+$", ""));
			return found;
		};
		String pom = Files.readString(Path.of("pom.xml"));
		String fromPom = pom.substring(pom.indexOf("<spark.jvm.options>"), pom.indexOf("</spark.jvm.options>"));
		String launcher = Files.readString(Path.of("bin", "medcnn-spark"));
		String fromLauncher = launcher.substring(launcher.indexOf("opens=("), launcher.indexOf("exec java"));
		assertTrue(options.apply(fromPom).size() >= 15, fromPom);
		assertEquals(options.apply(fromPom), options.apply(fromLauncher));
	}

	@Test
	void aLesionClassifierGradesEveryRowAsInPredict() throws Exception {
		List<Datasets.Item> items = new ArrayList<>();
		for (int k = 0; k < 4; k++) {
			Mask m = Mask.empty(GRID);
			Volume v = phantom(k, m);
			Lesion l = Lesions.measure(m, v).get(0);
			items.add(new Datasets.Item("i" + k, LesionCrops.crop(v, l, 16, 16), k % 2));
		}
		Path grader = Trainings.trainClassifier(ClassifierRequest.builder().epochs(2).cropMm(16.0).valFraction(0.0).build(), items,
			List.of("high", "low"), null, null, tmp.resolve("grader"));
		Path in = Files.createDirectories(tmp.resolve("graded")).resolve("g.nii.gz");
		Nifti.writeVolume(phantom(5, Mask.empty(GRID)), in, Nifti.DataType.FLOAT32);
		Path predicted = tmp.resolve("graded-predict");
		Map<String, Object> r = Json.asObject(Json.asArray(Json.parse(predict("predict", "--model", model.toString(),
			"--classifier", grader.toString(), "--out", predicted.toString(), in.toString())), "predict").get(0), "case");
		List<String> expected = new ArrayList<>();
		for (Object o : Json.asArray(r.get("lesions"), "lesions")) {
			Map<String, Object> l = Json.asObject(o, "lesion");
			expected.add("g," + l.get("id") + "," + l.get("risk") + "," + CaseSegmentation.num(((Number) l.get("riskProbability")).doubleValue()));
		}
		assertFalse(expected.isEmpty(), r.toString());

		Path out = tmp.resolve("graded-spark");
		Map<String, Object> s = BatchSegment.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), new BatchSegment.Config(
			model, grader, out, List.of(in), new CasePredictor.Settings(false, 10, false, false, SegCompression.NONE)), System.err);
		assertEquals(1, count(s, "done"), s.toString());
		List<String> rows = new ArrayList<>();
		for (String line : Files.readAllLines(out.resolve(BatchSegment.LESIONS_CSV)).subList(1, expected.size() + 1)) {
			String[] f = line.split(",");
			rows.add(f[0] + "," + f[1] + "," + f[6] + "," + f[7]);
		}
		assertEquals(expected, rows);
		for (Row row : spark.read().parquet(out.resolve(BatchSegment.LESIONS_PARQUET).toString()).collectAsList())
			assertTrue(List.of("high", "low").contains(row.getString(6)) && !row.isNullAt(7), row.toString());
	}

	private static String[] cli(int expectedCode, String... argv) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = BatchSegment.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
			StandardCharsets.UTF_8));
		String[] texts = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
		assertEquals(expectedCode, code, texts[1]);
		return texts;
	}

	@Test
	void commandLineErrorsNameWhatIsWrongBeforeSparkStarts() throws IOException {
		assertTrue(cli(0, "--help")[0].startsWith("usage: medcnn-spark"));
		assertTrue(cli(2, "--model", "m", "in")[1].contains("give --out DIR"));
		assertTrue(cli(2, "--model", "m", "--out", "o", "--bogus", "in")[1].contains("unknown option --bogus"));
		assertTrue(cli(2, "--model", "m", "--out", "o", "--min-lesion", "0", "in")[1].contains("--min-lesion must be"));
		assertTrue(cli(2, "--model", "m", "--out", "o", "--seg-compression", "deflate", "in")[1].contains("add --seg"));
		Path missing = tmp.resolve("no-such-model");
		String err = cli(1, "--model", missing.toString(), "--out", tmp.resolve("o").toString(), tmp.toString())[1];
		assertTrue(err.contains("no-such-model"), err);
	}

	@Test
	void listsAndExecutorCores() throws IOException {
		Path dir = tmp.resolve("lists");
		Files.createDirectories(dir);
		Path csv = dir.resolve("series.csv");
		Files.writeString(csv, "path,site\n\"a, b/c1\",x\n\n# comment\nc2,y\n/abs/c3\n");
		assertEquals(List.of(dir.resolve("a, b/c1"), dir.resolve("c2"), Path.of("/abs/c3")), BatchSegment.readList(csv));
		Path bad = dir.resolve("bad.txt");
		Files.writeString(bad, "\"unclosed\n");
		IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> BatchSegment.readList(bad));
		assertTrue(e.getMessage().contains("bad.txt") && e.getMessage().contains("line 1"), e.getMessage());
		assertEquals(2, BatchSegment.executorCores(new SparkConf().setMaster("local[2]")));
		assertEquals(1, BatchSegment.executorCores(new SparkConf().setMaster("local")));
		assertEquals(3, BatchSegment.executorCores(new SparkConf().setMaster("local[3,2]")));
		assertEquals(Runtime.getRuntime().availableProcessors(), BatchSegment.executorCores(new SparkConf().setMaster("local[*]")));
		assertEquals(4, BatchSegment.executorCores(new SparkConf().setMaster("spark://h:7077").set("spark.executor.cores", "4")));
		assertEquals(0, BatchSegment.executorCores(new SparkConf().setMaster("yarn")));
	}
}
