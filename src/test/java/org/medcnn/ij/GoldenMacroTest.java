package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import ij.process.StackStatistics;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;

/**
 * Golden macro tests: every recordable MedCNN command is run by ImageJ 1.x's real macro interpreter (batch mode,
 * under Xvfb) on the bundled {@code sample-dicom/} data, and what it produced is compared with
 * {@code src/test/resources/golden/<command>.json}.
 * <p>
 * <b>What is recorded</b> (the {@code outputs} object of a golden file): the images it opened or made (title,
 * dimensions, bit depth, calibration, value unit, display range, stack statistics), overlay elements counted by
 * name (digits replaced by {@code #}) and the texts of its text items, the rows of the Results tables it filled (column → value), the Log lines
 * (temporary folder → {@code $TMP}, repository → {@code $REPO}, durations and dates → {@code <time>}, the
 * machine-dependent memory budget of a memory plan → {@code <budget>}, inner runs of
 * blanks → one blank, software
 * versions such as {@code 17.0.15} → {@code <version>}, and every
 * decimal number taken out into {@code values}: {@code {"text": "loss {} ({})", "values": [0.69, ...]}}) and the
 * names of the files it wrote. The golden file also holds the macro (with the same placeholders) and
 * {@code tolerances}: per key (a table column, an image field, or {@code values} for the Log numbers) an absolute
 * tolerance ({@code 0.05}), a relative one ({@code "10%"}) or both ({@code "5%+0.1"}); other numbers must match to 1e-9 relative, strings
 * exactly.
 * <p>
 * <b>Determinism.</b> The segmenter and classifier that the model-dependent commands use are bundled packages
 * ({@code golden/models/}, made by {@link GoldenModels} from fixed seeds): TensorFlow's CPU training is not bitwise
 * reproducible, and a segmenter's borderline voxels turn weight noise into other lesions. The two commands that
 * train ({@code Train Segmenter...}, {@code Train Classifier...}) run for one or two epochs of plain SGD (Adam's first
 * steps magnify thread noise); their Log numbers carry a relative tolerance that thread noise stays within and a
 * wrong result does not. Inference is multithreaded too: voxels whose probability is within float noise of 0.5 may
 * flip, so lesion measurements carry small tolerances.
 * <p>
 * <b>Regenerating.</b> After an intended change of a command's output, rewrite the golden files from the current
 * code (keeping their tolerances) and review the diff:
 * <pre>
 * xvfb-run -a mvn test -Dtest=GoldenMacroTest -Dmedcnn.golden.update=true
 * git diff src/test/resources/golden/
 * </pre>
 * A mismatch fails with one line per differing value: its path in the JSON, the golden value (± tolerance) and the
 * actual one.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoldenMacroTest {

	/** Where the golden files live (in the source tree, so that the update mode rewrites the tracked files). */
	static final Path GOLDEN_DIR = Path.of("src", "test", "resources", "golden");
	/** {@code -Dmedcnn.golden.update=true}: rewrite the golden files instead of comparing. */
	static final boolean UPDATE = Boolean.getBoolean("medcnn.golden.update");

	private static final Path PHANTOM = GoldenModels.PHANTOM;
	private static final Path CASE21 = PHANTOM.resolve("test/images/case21");
	private static final Path CASE22 = PHANTOM.resolve("test/images/case22");
	private static final String REPO = Path.of("").toAbsolutePath().toString();
	private static final Pattern DECIMAL = Pattern.compile("(?<![\\w.])-?\\d+\\.\\d+(?:[eE][-+]?\\d+)?");
	private static final Pattern VERSION = Pattern.compile("\\b\\d+\\.\\d+\\.\\d+(?:[-+._]\\w+)*\\b");
	/** A row of Model Info's training history: its last column is the epoch's duration in seconds. */
	private static final Pattern HISTORY_ROW = Pattern.compile("^(\\s+\\d+\\s.*\\S)\\s+\\d+(\\.\\d+)?$");
	private static final Pattern SECONDS = Pattern.compile("(seconds: )\\d+(\\.\\d+)?");
	/** The memory budget of a memory plan depends on the machine's free memory. */
	private static final Pattern BUDGET = Pattern.compile("of a \\d+ MB budget");
	private static final Pattern TIME = Pattern.compile(
		"\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?Z?|\\d+(\\.\\d+)?\\s?(ms|s|min)\\b|\\d+:\\d\\d(:\\d\\d)?");

	@TempDir
	static Path tmp;
	private static Path segmenter, classifier;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		assumeTrue(Files.isDirectory(CASE21), "sample-dicom/ not present");
		IjHarness.start(tmp);
		Path models = GOLDEN_DIR.resolve("models").toAbsolutePath();
		segmenter = models.resolve("segmenter");
		classifier = models.resolve("classifier");
	}

	/** Closes the images the macro left open, so that other test classes find only their own by title. */
	@AfterEach
	void closeImages() {
		int[] ids = WindowManager.getIDList();
		if (ids != null)
			for (int id : ids) {
				ImagePlus imp = WindowManager.getImage(id);
				if (imp != null) {
					imp.changes = false;
					imp.close();
				}
			}
	}

	// ---- one test per recordable command ----

	@Test
	void openDicom() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		String title = run("run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "] window=lung\");", out);
		out.put("image", image(WindowManager.getImage(title)));
		check("open-dicom", "Open DICOM...", out, Map.of());
	}

	@Test
	void importMasks() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		run("run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "run(\"Import Masks...\", \"path=[" + PHANTOM.resolve("test/masks/case21.nii.gz").toAbsolutePath() + "]\");", out);
		ImagePlus source = WindowManager.getImage("Phantom CT case21");
		assertNotNull(source, "the series is open; images: " + titles());
		out.put("images", titles());
		out.put("overlay", overlay(source));
		out.put("mask image", image(WindowManager.getImage("Phantom CT case21-mask")));
		check("import-masks", "Import Masks...", out, Map.of());
	}

	@Test
	void segmentTumors() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		String title = run("run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + segmenter + "]\");", out, SegmentTumorsTool.TABLE_TITLE);
		out.put("overlay", overlay(WindowManager.getImage(title)));
		check("segment-tumors", "Segment Tumors...", out, Map.of("volume (mL)", "5%+0.1", "mean HU", 5.0, "max HU", 10.0,
			"longest diameter (mm)", 3.0, "mean probability", 0.02));
	}

	@Test
	void saveDicomSeg() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		Path dir = Files.createDirectories(tmp.resolve("seg-out"));
		String title = run("run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + segmenter + "]\");\n"
			+ "run(\"Save DICOM SEG...\", \"output=[" + dir.resolve("case21_seg.dcm") + "]\");", out);
		out.put("files", files(dir));
		// The SEG read back on the image's grid.
		org.medcnn.volume.Mask m = org.medcnn.dicom.seg.SegReader.read(dir.resolve("case21_seg.dcm"),
			IjVolumes.geometry(WindowManager.getImage(title)));
		int maxLabel = 0;
		for (byte b : m.labels()) maxLabel = Math.max(maxLabel, b & 0xff);
		Map<String, Object> seg = new LinkedHashMap<>();
		seg.put("voxels", m.foregroundCount());
		seg.put("largest label", maxLabel);
		out.put("seg read back", seg);
		check("save-dicom-seg", "Save DICOM SEG...", out, Map.of("voxels", "3%"));
	}

	@Test
	void classifyRisk() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		String title = run("run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "setSlice(9);\n"
			+ "run(\"Classify Risk...\", \"model=[" + classifier + "]\");", out, ClassifyRiskTool.TABLE_TITLE);
		out.put("overlay", overlay(WindowManager.getImage(title)));
		check("classify-risk", "Classify Risk...", out, Map.of("probability", 0.02, "p(low)", 0.02, "p(intermediate)", 0.02,
			"p(high)", 0.02));
	}

	@Test
	void explainPrediction() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		String title = run("run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "setSlice(9);\n"
			+ "run(\"Explain Prediction...\", \"model=[" + classifier + "] method=grad-cam\");", out);
		out.put("overlay", overlay(WindowManager.getImage(title)));
		check("explain-prediction", "Explain Prediction...", out, Map.of());
	}

	@Test
	void modelInfo() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		run("run(\"Model Info...\", \"model=[" + classifier + "]\");", out);
		check("model-info", "Model Info...", out, Map.of("values", "2%"));
	}

	@Test
	void batchProcess() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		Path input = Files.createDirectories(tmp.resolve("batch-in"));
		for (Path c : List.of(CASE21, CASE22)) copyTree(c, input.resolve(c.getFileName()));
		Path dir = tmp.resolve("batch-out");
		run("run(\"Batch Process...\", \"input=[" + input + "] model=[" + segmenter + "] output=[" + dir + "]\");", out,
			BatchProcessPlugin.TABLE_TITLE);
		out.put("files", files(dir));
		check("batch-process", "Batch Process...", out, Map.of("total volume (mL)", "5%+0.1", "largest diameter (mm)", 3.0));
	}

	@Test
	void trainSegmenter() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		Path model = tmp.resolve("trained-segmenter");
		run("run(\"Train Segmenter...\", \"images=[" + PHANTOM.resolve("test/images").toAbsolutePath() + "] masks=["
			+ PHANTOM.resolve("test/masks").toAbsolutePath() + "] out=[" + model + "] epochs=1 dims=2 batch=8 learning=0.01 "
			+ "optimizer=sgd loss=dice-ce activation=relu filters=4 validation=0.34\");", out);
		out.put("files", files(model));
		check("train-segmenter", "Train Segmenter...", out, Map.of("values", "2%"));
	}

	@Test
	void trainClassifier() throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		Path model = tmp.resolve("trained-classifier");
		run("run(\"Train Classifier...\", \"data=[" + PHANTOM.resolve("train/classes").toAbsolutePath() + "] out=[" + model
			+ "] epochs=2 architecture=cnn batch=4 learning=0.01 optimizer=sgd loss=cross-entropy activation=relu "
			+ "pooling=max validation=0.25\");", out);
		out.put("files", files(model));
		check("train-classifier", "Train Classifier...", out, Map.of("values", "2%"));
	}

	@Test
	void comparisonNamesEveryDifference() {
		Map<String, Object> golden = Map.of("t", List.of(Map.of("volume (mL)", 10.0, "class", "high")), "n", 3L);
		Map<String, Object> actual = Map.of("t", List.of(Map.of("volume (mL)", 10.4, "class", "low"), Map.of()), "m", 3L);
		List<String> diffs = new ArrayList<>();
		compare("outputs", "", golden, actual, Map.of("volume (mL)", "5%"), diffs);
		assertEquals(4, diffs.size(), diffs.toString());
		assertTrue(diffs.stream().anyMatch(d -> d.startsWith("outputs.t: 2 entries instead of 1: [")), diffs.toString());
		assertTrue(diffs.contains("outputs.t[0].class: \"low\" instead of \"high\""), diffs.toString());
		assertTrue(diffs.contains("outputs.n: missing (golden 3)"), diffs.toString());
		assertTrue(diffs.contains("outputs.m: unexpected 3"), diffs.toString());
		diffs.clear();
		compare("outputs", "", golden.get("t"), List.of(Map.of("volume (mL)", 10.6, "class", "high")), Map.of("volume (mL)",
			"5%+0.1"), diffs);
		assertTrue(diffs.isEmpty(), "10.6 is within 5% + 0.1 of 10: " + diffs);
		compare("outputs", "", golden.get("t"), List.of(Map.of("volume (mL)", 10.7, "class", "high")), Map.of("volume (mL)",
			"5%+0.1"), diffs);
		assertEquals(List.of("outputs[0].volume (mL): 10.7 instead of 10.0 ± 5%+0.1"), diffs);
	}

	// ---- running and recording ----

	/**
	 * Runs {@code body} as a batch-mode macro after closing all images and clearing the Log, the dialogs and the
	 * named tables; records the macro, its Log lines and the rows of the tables into {@code out}.
	 *
	 * @return the title of the active image at the end, or "" when none
	 */
	private static String run(String body, Map<String, Object> out, String... tables) {
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		for (String t : tables) Tables.clear(t);
		String macro = "setBatchMode(true);\nclose(\"*\");\n" + body + "\n"
			+ "if (nImages > 0) title = getTitle(); else title = \"\";\nsetBatchMode(\"exit and display\");\nreturn title;";
		String result = IJ.runMacro(macro);
		assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog opens in batch mode: " + IjHarness.DIALOGS);
		assertFalse(result == null || result.equals("[aborted]"), "the macro failed: " + result);
		out.put("macro", normalise(body));
		out.put("log", log());
		for (String t : tables) out.put("table " + t, table(Tables.named(t)));
		return result;
	}

	/** Title, dimensions, calibration, display range and stack statistics. */
	static Map<String, Object> image(ImagePlus imp) {
		assertNotNull(imp, "an image is open");
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("title", imp.getTitle());
		int[] d = imp.getDimensions();
		m.put("dimensions", List.of(d[0], d[1], d[2], d[3], d[4]));
		m.put("bitDepth", imp.getBitDepth());
		Calibration c = imp.getCalibration();
		m.put("unit", c.getUnit());
		m.put("pixelWidth", c.pixelWidth);
		m.put("pixelHeight", c.pixelHeight);
		m.put("pixelDepth", c.pixelDepth);
		m.put("origin", List.of(c.xOrigin, c.yOrigin, c.zOrigin));
		m.put("valueUnit", c.getValueUnit());
		m.put("displayRange", List.of(imp.getDisplayRangeMin(), imp.getDisplayRangeMax()));
		StackStatistics s = new StackStatistics(imp);
		m.put("stackStatistics", List.of(s.min, s.max, s.mean));
		return m;
	}

	/** Overlay elements counted by name, digits replaced by {@code #} ("Lesion #"), and the total. */
	static Map<String, Object> overlay(ImagePlus imp) {
		assertNotNull(imp, "an image is open");
		Map<String, Object> m = new TreeMap<>();
		List<Object> texts = new ArrayList<>();
		int total = 0;
		if (imp.getOverlay() != null)
			for (Roi r : imp.getOverlay().toArray()) {
				String name = r.getName() == null ? "(unnamed " + r.getTypeAsString() + ")" : r.getName().replaceAll("\\d+", "#");
				m.merge(name, 1L, (a, b) -> (Long) a + (Long) b);
				if (r instanceof ij.gui.TextRoi t) texts.add(t.getText().trim());
				total++;
			}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("total", total);
		result.put("byName", m);
		result.put("texts", texts);
		return result;
	}

	/** The rows of a table, column → value (numbers as numbers, NaN as the string "NaN"). */
	static List<Object> table(ResultsTable rt) {
		List<Object> rows = new ArrayList<>();
		String[] headings = rt.getHeadings();
		for (int i = 0; i < rt.size(); i++) {
			Map<String, Object> row = new LinkedHashMap<>();
			for (String h : headings) {
				if (h.equals(" ") || h.equals("Label") && rt.getLabel(i) == null) continue;
				double v = rt.getValue(h, i);
				String s = rt.getStringValue(h, i);
				if (Double.isNaN(v) && s != null && !s.equals("NaN")) row.put(h, normalise(s));
				else row.put(h, Double.isFinite(v) ? (Object) v : String.valueOf(v));
			}
			rows.add(row);
		}
		return rows;
	}

	/** The Log, line by line, normalised (see the class comment). */
	static List<Object> log() {
		String log = IJ.getLog();
		List<Object> lines = new ArrayList<>();
		if (log == null) return lines;
		for (String line : log.split("\n")) {
			if (line.isBlank()) continue;
			String s = normalise(line);
			s = HISTORY_ROW.matcher(s).replaceAll("$1 <time>");
			s = SECONDS.matcher(s).replaceAll("$1<time>");
			s = BUDGET.matcher(s).replaceAll("of a <budget> budget");
			s = VERSION.matcher(s).replaceAll("<version>");
			s = TIME.matcher(s).replaceAll("<time>");
			Matcher m = DECIMAL.matcher(s);
			List<Object> values = new ArrayList<>();
			StringBuilder text = new StringBuilder();
			while (m.find()) {
				values.add(Double.parseDouble(m.group()));
				m.appendReplacement(text, "{}");
			}
			m.appendTail(text);
			// Column widths follow the numbers' digits: inner runs of blanks count as one.
			String indent = text.toString().replaceAll("^(\\s*).*$", "$1");
			String t = indent + text.substring(indent.length()).replaceAll("\\s{2,}", " ");
			if (values.isEmpty()) lines.add(t);
			else {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("text", t);
				entry.put("values", values);
				lines.add(entry);
			}
		}
		return lines;
	}

	/** The files under {@code dir}, relative, sorted. */
	static List<Object> files(Path dir) throws IOException {
		List<Object> out = new ArrayList<>();
		if (!Files.isDirectory(dir)) return out;
		try (Stream<Path> s = Files.walk(dir)) {
			for (Path p : s.filter(Files::isRegularFile).sorted().toList()) out.add(dir.relativize(p).toString().replace('\\', '/'));
		}
		return out;
	}

	private static List<Object> titles() {
		List<Object> out = new ArrayList<>();
		int[] ids = WindowManager.getIDList();
		if (ids != null) for (int id : ids) out.add(WindowManager.getImage(id).getTitle());
		return out;
	}

	/** Temporary folder → {@code $TMP}, repository → {@code $REPO}. */
	static String normalise(String s) {
		return s.replace(tmp.toAbsolutePath().toString(), "$TMP").replace(REPO, "$REPO");
	}

	private static void copyTree(Path from, Path to) throws IOException {
		Files.createDirectories(to);
		try (Stream<Path> s = Files.list(from)) {
			for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()));
		}
	}

	// ---- golden files ----

	/**
	 * Compares {@code outputs} with {@code golden/<name>.json}, or rewrites that file in update mode (keeping its
	 * tolerances; {@code defaultTolerances} for a new file).
	 */
	private static void check(String name, String command, Map<String, Object> outputs, Map<String, Object> defaultTolerances)
		throws IOException {
		Path file = GOLDEN_DIR.resolve(name + ".json");
		Map<String, Object> golden = Files.isRegularFile(file)
			? Json.asObject(Json.parse(Files.readString(file, StandardCharsets.UTF_8)), file.toString()) : null;
		Map<String, Object> tolerances = golden != null && golden.get("tolerances") instanceof Map<?, ?> t
			? Json.asObject(t, "tolerances") : new TreeMap<>(defaultTolerances);
		// Through JSON and back, so that actual values have the types that a parsed golden file has.
		Object actual = Json.parse(Json.write(outputs));
		if (UPDATE) {
			Map<String, Object> doc = new LinkedHashMap<>();
			doc.put("command", command);
			doc.put("regenerate", "xvfb-run -a mvn test -Dtest=GoldenMacroTest -Dmedcnn.golden.update=true");
			doc.put("tolerances", tolerances);
			doc.put("outputs", actual);
			Files.createDirectories(GOLDEN_DIR);
			Files.writeString(file, Json.writePretty(doc) + "\n", StandardCharsets.UTF_8);
			return;
		}
		if (golden == null)
			fail("no golden file " + file.toAbsolutePath() + "; create it with -Dmedcnn.golden.update=true");
		assertEquals(command, golden.get("command"), file + ": command");
		List<String> diffs = new ArrayList<>();
		compare("outputs", "", golden.get("outputs"), actual, tolerances, diffs);
		if (!diffs.isEmpty())
			fail(command + " differs from " + file + " in " + diffs.size() + " place(s) (if intended, regenerate with "
				+ "-Dmedcnn.golden.update=true and review the diff):\n  " + String.join("\n  ", diffs));
	}

	/** Recursive comparison; {@code key} is the nearest map key, which picks the tolerance. */
	static void compare(String path, String key, Object expected, Object actual, Map<String, Object> tolerances,
		List<String> diffs) {
		if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
			for (Object k : e.keySet())
				if (!a.containsKey(k)) diffs.add(path + "." + k + ": missing (golden " + Json.write(e.get(k)) + ")");
				else compare(path + "." + k, (String) k, e.get(k), a.get(k), tolerances, diffs);
			for (Object k : a.keySet())
				if (!e.containsKey(k)) diffs.add(path + "." + k + ": unexpected " + Json.write(a.get(k)));
		} else if (expected instanceof List<?> e && actual instanceof List<?> a) {
			if (e.size() != a.size())
				diffs.add(path + ": " + a.size() + " entries instead of " + e.size() + ": " + abbreviate(Json.write(a)));
			for (int i = 0; i < Math.min(e.size(), a.size()); i++)
				compare(path + "[" + i + "]", key, e.get(i), a.get(i), tolerances, diffs);
		} else if (expected instanceof Number e && actual instanceof Number a) {
			double ev = e.doubleValue(), av = a.doubleValue();
			Object t = tolerances.get(key);
			double tol = t == null ? 1e-9 * Math.max(1, Math.abs(ev)) : tolerance(t, ev, path);
			if (!(Math.abs(ev - av) <= tol))
				diffs.add(path + ": " + av + " instead of " + ev + " ± " + (t == null ? tol : t));
		} else if (expected == null ? actual != null : !expected.equals(actual)) {
			diffs.add(path + ": " + abbreviate(Json.write(actual)) + " instead of " + abbreviate(Json.write(expected)));
		}
	}

	/** A tolerance: a number (absolute), {@code "5%"} (relative to the golden value) or {@code "5%+0.1"} (both added). */
	static double tolerance(Object t, double golden, String path) {
		if (t instanceof Number n) return n.doubleValue();
		String s = t.toString().replace(" ", "");
		Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)%(?:\\+(\\d+(?:\\.\\d+)?))?").matcher(s);
		if (!m.matches()) throw new IllegalArgumentException("tolerance \"" + t + "\" for " + path + " must be a number, "
			+ "\"P%\" or \"P%+A\"");
		return Math.abs(golden) * Double.parseDouble(m.group(1)) / 100 + (m.group(2) == null ? 0 : Double.parseDouble(m.group(2)));
	}

	private static String abbreviate(String s) {
		return s.length() <= 200 ? s : s.substring(0, 200) + "…";
	}
}
