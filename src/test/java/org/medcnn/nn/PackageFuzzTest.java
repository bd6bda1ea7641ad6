package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ChildJvm;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * Seeded fuzzing of model packages, which are shared between sites and therefore untrusted: mutated cards
 * ({@code medcnn.json}: fields removed, hostile numbers and strings, flipped bytes, truncation, deep nesting), mutated
 * graphs ({@code saved_model.pb}: flipped and random bytes, truncation) and mutated or crafted zips (flipped bytes,
 * truncation, entries that climb out of the folder, a compression bomb). Each case opens the package as
 * {@code predict} does and, when that succeeds, segments a small volume. Every case must end in a result or a clear
 * refusal (an {@link IOException}, {@link IllegalArgumentException} or {@link IllegalStateException} with a message),
 * within its time limit, never another exception, a hang, a crash of the JVM, a file written outside the output or
 * a temporary folder left behind.
 * <p>
 * The graph cases run in a child JVM ({@link GraphChild}): a mutated graph reaches TensorFlow's native code, and
 * should that abort the process, the test fails naming the case instead of taking the build down. The seed is fixed
 * so a failing case can be replayed.
 */
class PackageFuzzTest {

	private static final long SEED = 0xFACADE_5EEDL;
	static final Path SEGMENTER = Path.of("src", "test", "resources", "legacy", "format1-segmenter");
	static final Path CLASSIFIER = Path.of("src", "test", "resources", "legacy", "format1-classifier");
	private static final int CARD_CASES = 1500, OPENED_CARDS = 60, GRAPH_CASES = 50, ZIP_CASES = 60;
	private static final Pattern NUMBER = Pattern.compile("(\"[A-Za-z0-9]+\"\\s*:\\s*)(-?[0-9][0-9.eE+-]*)");
	private static final Pattern STRING = Pattern.compile("(\"[A-Za-z0-9]+\"\\s*:\\s*)(\"[^\"]*\")");
	private static final Pattern FIELD = Pattern.compile("\\s*\"[A-Za-z0-9]+\"\\s*:\\s*(\"[^\"]*\"|-?[0-9][0-9.eE+-]*|true|false|null)\\s*,?");
	private static final String[] HOSTILE_NUMBERS = {"0", "-1", "-0", "1e308", "-1e308", "65536", "2147483647",
		"2147483648", "9223372036854775807", "1e-320", "0.5", "3.7", "999999999999999999999999"};
	private static final String[] HOSTILE_VALUES = {"\"\"", "null", "true", "[]", "{}", "\"../../../../tmp/x\"",
		"\"NaN\"", "\"Infinity\"", "\"\\u0000\"", "\"" + "x".repeat(10_000) + "\"", "[1,2,3]", "{\"a\": 1}"};

	/** A volume for the opened models: CT-like values, odd sizes. */
	static Volume volume() {
		Geometry g = new Geometry(37, 29, 2, new double[] {0.9, 0.9, 3}, new double[] {10, -4, 7}, Geometry.AXIAL);
		Random r = new Random(7);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextInt(4) * 400 - 1000 + r.nextGaussian() * 60);
		return new Volume(g, v, "CT");
	}

	/** Whether {@code t} is a clean refusal: a checked I/O error or a rejected argument or state, with a message. */
	static boolean clean(Throwable t) {
		return (t instanceof IOException || t instanceof IllegalArgumentException || t instanceof IllegalStateException)
			&& t.getMessage() != null && !t.getMessage().isBlank();
	}

	/** Opens a package as predict does and segments (or classifies) the small volume. */
	static String use(Path pkg) throws IOException {
		if (!Models.isZip(pkg) && Models.readCard(pkg).task().equals(ModelCard.CLASSIFICATION)) {
			try (Classifier c = Models.openClassifier(pkg)) {
				c.classify(org.medcnn.volume.Volumes.slice(volume(), 0));
			}
		} else {
			try (Segmenter s = Models.openSegmenter(pkg)) {
				s.segment(volume(), ProgressListener.NONE, null);
			}
		}
		return "ok";
	}

	// ---------------------------------------------------------------------------------------------- cards

	@Test
	void mutatedCardsAreParsedOrRefusedCleanly(@TempDir Path dir) throws Exception {
		List<String> seeds = List.of(Files.readString(SEGMENTER.resolve(ModelCard.FILE_NAME)),
			Files.readString(CLASSIFIER.resolve(ModelCard.FILE_NAME)));
		Random r = new Random(SEED);
		ExecutorService worker = worker();
		List<String> failures = new ArrayList<>();
		List<String> parsed = new ArrayList<>();
		int refused = 0;
		Map<String, Integer> opened = new java.util.TreeMap<>();
		try {
			for (int i = 0; i < CARD_CASES && failures.size() < 10; i++) {
				String text = mutateCard(seeds.get(r.nextInt(seeds.size())), r);
				Path pkg = Path.of("fuzzed-card-" + i);
				Future<ModelCard> f = worker.submit(() -> ModelCard.parse(text, pkg));
				try {
					f.get(2, TimeUnit.SECONDS);
					if (parsed.size() < OPENED_CARDS && r.nextInt(4) == 0) parsed.add(text);
				} catch (ExecutionException e) {
					if (e.getCause() instanceof ModelFormatException m && m.getMessage().contains(pkg.toString())) refused++;
					else failures.add("card case " + i + ": " + describe(e.getCause()));
				} catch (TimeoutException e) {
					f.cancel(true);
					failures.add("card case " + i + ": no answer within 2 s");
					worker.shutdownNow();
					worker = worker();
				}
			}
			// cards that parse are opened with the real weights and run
			for (int i = 0; i < parsed.size() && failures.size() < 10; i++) {
				String text = parsed.get(i);
				Path pkg = copy(text.contains("\"classification\"") ? CLASSIFIER : SEGMENTER, dir.resolve("opened-" + i));
				Files.writeString(pkg.resolve(ModelCard.FILE_NAME), text);
				String outcome = run(worker, () -> use(pkg), 30);
				if (outcome.startsWith("FAILED")) failures.add("opened card " + i + ": " + outcome);
				opened.merge(outcome.replaceAll(":.*", ""), 1, Integer::sum);
			}
		} finally {
			worker.shutdownNow();
		}
		System.out.println("card fuzz: " + CARD_CASES + " cases, " + refused + " refused on parsing; of " + parsed.size()
			+ " parsed cards opened and run: " + opened);
		assertTrue(failures.isEmpty(), failures.size() + " card cases failed:\n" + String.join("\n", failures));
		assertTrue(refused > CARD_CASES / 3, "most mutations must be refused: " + refused + " of " + CARD_CASES);
	}

	/** One mutation of a card's text. */
	static String mutateCard(String s, Random r) {
		switch (r.nextInt(8)) {
			case 0: { // a field removed
				List<int[]> spans = spans(FIELD.matcher(s));
				int[] sp = spans.get(r.nextInt(spans.size()));
				return s.substring(0, sp[0]) + s.substring(sp[1]);
			}
			case 1: return replaceOne(NUMBER.matcher(s), s, r, HOSTILE_NUMBERS);
			case 2: return replaceOne(NUMBER.matcher(s), s, r, HOSTILE_VALUES);
			case 3: return replaceOne(STRING.matcher(s), s, r, HOSTILE_VALUES);
			case 4: { // bytes flipped
				byte[] b = s.getBytes(StandardCharsets.UTF_8);
				for (int k = 1 + r.nextInt(4); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
				return new String(b, StandardCharsets.UTF_8);
			}
			case 5: return s.substring(0, r.nextInt(s.length()));
			case 6: { // deep nesting where a value was
				int depth = r.nextBoolean() ? 100 : 100_000;
				String deep = (r.nextBoolean() ? "[" : "{\"a\":").repeat(depth);
				return replaceOne(NUMBER.matcher(s), s, r, new String[] {deep});
			}
			default: return replaceOne(STRING.matcher(s), s, r, HOSTILE_NUMBERS);
		}
	}

	private static List<int[]> spans(Matcher m) {
		List<int[]> out = new ArrayList<>();
		while (m.find()) out.add(new int[] {m.start(), m.end()});
		return out;
	}

	private static String replaceOne(Matcher m, String s, Random r, String[] values) {
		List<int[]> spans = new ArrayList<>();
		while (m.find()) spans.add(new int[] {m.start(2), m.end(2)});
		int[] sp = spans.get(r.nextInt(spans.size()));
		return s.substring(0, sp[0]) + values[r.nextInt(values.length)] + s.substring(sp[1]);
	}

	// ---------------------------------------------------------------------------------------------- graphs

	@Test
	void mutatedGraphsAreRunOrRefusedWithoutCrashingTheJvm(@TempDir Path dir) throws Exception {
		try (ChildJvm child = ChildJvm.start(List.of("-Xmx1g"), GraphChild.class.getName(),
			List.of(SEGMENTER.toString(), dir.toString(), Integer.toString(GRAPH_CASES)), Map.of())) {
			Integer rc = child.await(300);
			List<String> lines = child.transcript().lines().toList();
			String last = lines.stream().filter(l -> l.startsWith("out: case ")).reduce((a, b) -> b).orElse("none");
			if (rc == null) fail("the graph fuzz did not finish within 300 s; last case: " + last);
			assertEquals(0, rc, "the child JVM ended with " + rc + " (a crash?) after " + last + "\n" + String.join("\n",
				lines.subList(Math.max(0, lines.size() - 30), lines.size())));
			List<String> bad = lines.stream().filter(l -> l.contains("FAILED")).toList();
			assertTrue(bad.isEmpty(), String.join("\n", bad));
			long done = lines.stream().filter(l -> l.startsWith("out: case ")).count();
			assertEquals(GRAPH_CASES, done, "every graph case reports");
			System.out.println("graph fuzz: " + done + " cases, " + lines.stream().filter(l -> l.contains(": refused")).count()
				+ " refused, " + lines.stream().filter(l -> l.endsWith(": ok")).count() + " ran");
			assertTrue(lines.stream().anyMatch(l -> l.contains(": refused")), "some mutations must be refused");
		}
	}

	/** The graph cases, in their own JVM: prints "case N: ok", "case N: refused: …" or "case N: FAILED …". */
	public static final class GraphChild {

		public static void main(String[] args) throws Exception {
			Path seed = Path.of(args[0]), dir = Path.of(args[1]);
			int n = Integer.parseInt(args[2]);
			byte[] pb = Files.readAllBytes(seed.resolve(Models.SAVED_MODEL_DIR).resolve("saved_model.pb"));
			Random r = new Random(SEED + 1);
			ExecutorService worker = worker();
			for (int i = 0; i < n; i++) {
				byte[] b = pb.clone();
				int kind = r.nextInt(4);
				if (kind == 0) for (int k = 1 + r.nextInt(8); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
				else if (kind == 1) for (int k = 1 + r.nextInt(32); k > 0; k--) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
				else if (kind == 2) b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
				else { // a run of random bytes somewhere in the middle
					int at = r.nextInt(b.length - 64);
					for (int k = 0; k < 64; k++) b[at + k] = (byte) r.nextInt(256);
				}
				Path pkg = copy(seed, dir.resolve("graph-" + i));
				Files.write(pkg.resolve(Models.SAVED_MODEL_DIR).resolve("saved_model.pb"), b);
				System.out.println("case " + i + " (kind " + kind + "): " + run(worker, () -> use(pkg), 60));
				System.out.flush();
				delete(pkg);
			}
			worker.shutdownNow();
			System.exit(0);
		}
	}

	// ---------------------------------------------------------------------------------------------- zips

	@Test
	void mutatedAndCraftedZipsAreRefusedWithoutWritingOutsideOrLeavingTemporaryFolders(@TempDir Path dir)
		throws Exception {
		Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
		List<String> tempBefore = tempFolders(tmp);
		Path zip = Models.zip(SEGMENTER, dir.resolve("model.zip"));
		byte[] good = Files.readAllBytes(zip);
		Random r = new Random(SEED + 2);
		ExecutorService worker = worker();
		List<String> failures = new ArrayList<>();
		List<Path> cases = new ArrayList<>();
		Map<String, Integer> outcomes = new java.util.TreeMap<>();
		String cap = System.getProperty(Zips.MAX_BYTES_PROPERTY);
		System.setProperty(Zips.MAX_BYTES_PROPERTY, Long.toString(64L << 20)); // so that a 100 MB bomb is enough
		try {
			for (int i = 0; i < ZIP_CASES; i++) {
				byte[] b = good.clone();
				if (i % 3 == 0) b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
				else for (int k = 1 + r.nextInt(16); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
				cases.add(Files.write(dir.resolve("mutated-" + i + ".zip"), b));
			}
			cases.add(crafted(dir.resolve("climbs.zip"), "../escaped.txt", "x".getBytes(StandardCharsets.UTF_8)));
			cases.add(crafted(dir.resolve("absolute.zip"), tmp.resolve("medcnn-escaped.txt").toString(), new byte[] {1}));
			cases.add(crafted(dir.resolve("bomb.zip"), "saved_model/variables/variables.data-00000-of-00001", null));
			for (int i = 0; i < cases.size() && failures.size() < 10; i++) {
				Path z = cases.get(i);
				String outcome = run(worker, () -> use(z), 60);
				if (outcome.startsWith("FAILED")) failures.add(z.getFileName() + ": " + outcome);
				outcomes.merge(outcome.replaceAll(":.*", ""), 1, Integer::sum);
				if (z.getFileName().toString().startsWith("mutated") || outcome.equals("ok")) continue;
				assertTrue(outcome.startsWith("refused"), z.getFileName() + " must be refused: " + outcome);
			}
		} finally {
			worker.shutdownNow();
			if (cap == null) System.clearProperty(Zips.MAX_BYTES_PROPERTY);
			else System.setProperty(Zips.MAX_BYTES_PROPERTY, cap);
		}
		System.out.println("zip fuzz: " + cases.size() + " cases: " + outcomes);
		assertTrue(failures.isEmpty(), String.join("\n", failures));
		try (Stream<Path> s = Files.list(dir)) {
			List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".zip")).toList();
			assertEquals(List.of(), names, "nothing may be written beside the zips");
		}
		assertTrue(Files.notExists(dir.getParent().resolve("escaped.txt")) && Files.notExists(tmp.resolve("medcnn-escaped.txt")),
			"an entry escaped its folder");
		assertEquals(tempBefore, tempFolders(tmp), "every temporary folder of a refused zip is removed");
	}

	/**
	 * The segmenter package zipped with one extra entry {@code name}: {@code content}, or, when null, a compression
	 * bomb (100 MB of zeros in place of the weights, over the 64 MB limit the test sets).
	 */
	private static Path crafted(Path zip, String name, byte[] content) throws IOException {
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> s = Files.walk(SEGMENTER)) {
			for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
				String n = SEGMENTER.relativize(f).toString().replace('\\', '/');
				if (content == null && n.equals(name)) continue;
				out.putNextEntry(new ZipEntry(n));
				Files.copy(f, out);
				out.closeEntry();
			}
			out.putNextEntry(new ZipEntry(name));
			if (content != null) out.write(content);
			else {
				byte[] zeros = new byte[1 << 20];
				for (int k = 0; k < 100; k++) out.write(zeros);
			}
			out.closeEntry();
		}
		return zip;
	}

	private static List<String> tempFolders(Path tmp) throws IOException {
		try (Stream<Path> s = Files.list(tmp)) {
			return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("medcnn-model-")).sorted().toList();
		}
	}

	// ---------------------------------------------------------------------------------------------- shared

	/**
	 * Runs a case on the worker: "ok", "refused: message" for a clean refusal, or "FAILED …" for any other
	 * exception or no answer within {@code seconds}.
	 */
	static String run(ExecutorService worker, Callable<String> c, int seconds) {
		Future<String> f = worker.submit(c);
		try {
			return f.get(seconds, TimeUnit.SECONDS);
		} catch (ExecutionException e) {
			return clean(e.getCause()) ? "refused: " + e.getCause().getMessage().lines().findFirst().orElse("")
				: "FAILED " + describe(e.getCause());
		} catch (TimeoutException e) {
			f.cancel(true);
			return "FAILED: no answer within " + seconds + " s";
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return "FAILED: interrupted";
		}
	}

	private static String describe(Throwable t) {
		java.io.StringWriter w = new java.io.StringWriter();
		t.printStackTrace(new java.io.PrintWriter(w));
		return w.toString().lines().limit(8).reduce((a, b) -> a + "\n  " + b).orElse(String.valueOf(t));
	}

	static ExecutorService worker() {
		return Executors.newSingleThreadExecutor(task -> {
			Thread t = new Thread(task, "package-fuzz");
			t.setDaemon(true);
			return t;
		});
	}

	static Path copy(Path from, Path to) throws IOException {
		try (Stream<Path> s = Files.walk(from)) {
			for (Path p : s.sorted().toList()) {
				Path t = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
		return to;
	}

	static void delete(Path root) throws IOException {
		try (Stream<Path> s = Files.walk(root)) {
			for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
		}
	}
}
