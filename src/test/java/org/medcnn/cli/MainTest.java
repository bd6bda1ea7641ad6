package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.medcnn.common.Json;

/** The command line as a user runs it: exit codes, stdout JSON, stderr messages. */
class MainTest {

	private static final Path CORPUS = Path.of("..", "shared", "dicom-corpus");

	/** Exit code, stdout and stderr of one run. */
	record Run(int code, String out, String err) {}

	static Run run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	@Test
	void testNoArgumentsPrintsUsageAndFails() {
		Run r = run();
		assertEquals(2, r.code());
		assertTrue(r.err().contains("train-segmenter"), r.err());
	}

	@Test
	void testUnknownCommandAndOption() {
		assertEquals(2, run("frobnicate").code());
		Run r = run("info", "--bogus", "x.dcm");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("unknown option --bogus"), r.err());
	}

	@Test
	void testEveryCommandHasHelp() {
		for (String c : List.of("info", "series", "train-segmenter", "train-classifier", "predict", "demo", "evaluate",
			"bench")) {
			Run r = run(c, "--help");
			assertEquals(0, r.code(), c);
			assertTrue(r.out().startsWith("usage: medcnn " + c), c + ": " + r.out());
		}
	}

	@Test
	void testInfoJsonPixelsMatchesManifest() throws Exception {
		assumeTrue(Files.isDirectory(CORPUS), "shared corpus not present");
		Path file = CORPUS.resolve("files/ct_small_explicit_le.dcm");
		Run r = run("info", "--json", "--pixels", file.toString());
		assertEquals(0, r.code(), r.err());
		List<Object> arr = Json.asArray(Json.parse(r.out()), "stdout");
		Map<String, Object> d = Json.asObject(arr.get(0), "info");
		Map<String, Object> expected = manifestEntry("files/ct_small_explicit_le.dcm");
		assertEquals(((Number) expected.get("rows")).longValue(), ((Number) d.get("rows")).longValue());
		assertEquals(expected.get("transfer_syntax_uid"), d.get("transferSyntaxUID"));
		Map<String, Object> px = Json.asObject(d.get("pixels"), "pixels");
		Map<String, Object> ex = Json.asObject(expected.get("pixels"), "manifest pixels");
		assertEquals(ex.get("all_frames_sha256"), px.get("allFramesSha256"));
	}

	@Test
	void testInfoBadFileGivesErrorObjectAndExitCode1() {
		assumeTrue(Files.isDirectory(CORPUS), "shared corpus not present");
		Run r = run("info", "--json", CORPUS.resolve("files/bad_not_dicom.dcm").toString(),
			CORPUS.resolve("files/ct_small_implicit_le.dcm").toString());
		assertEquals(1, r.code());
		List<Object> arr = Json.asArray(Json.parse(r.out()), "stdout");
		assertEquals(2, arr.size(), "every file is printed even when one fails");
		assertTrue(Json.asObject(arr.get(0), "0").containsKey("error"));
		assertFalse(Json.asObject(arr.get(1), "1").containsKey("error"));
	}

	@Test
	void testSeriesJsonOrdersSlicesAlongNormal() throws Exception {
		assumeTrue(Files.isDirectory(CORPUS), "shared corpus not present");
		Run r = run("series", "--json", CORPUS.resolve("files/series_ct").toString());
		assertEquals(0, r.code(), r.err());
		Map<String, Object> s = Json.asObject(Json.asArray(Json.parse(r.out()), "stdout").get(0), "series");
		assertEquals(20L, ((Number) s.get("slices")).longValue());
		List<Object> files = Json.asArray(s.get("files"), "files");
		List<Object> sorted = Json.asArray(Json.asObject(Json.asArray(manifest().get("series"), "series").get(0), "s")
			.get("sorted_files"), "sorted_files");
		for (int i = 0; i < sorted.size(); i++) {
			String want = Json.asString(Json.asObject(sorted.get(i), "f").get("file"), "file");
			assertTrue(Json.asString(files.get(i), "file").endsWith(Path.of(want).getFileName().toString()),
				"slice " + i + ": " + files.get(i) + " vs " + want);
		}
		assertEquals(5.0, Json.asDouble(Json.asArray(s.get("spacing"), "spacing").get(2), "z"), 1e-6);
	}

	@Test
	void testSeriesOfEmptyFolderFails(@org.junit.jupiter.api.io.TempDir Path dir) {
		Run r = run("series", dir.toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("no DICOM image series"), r.err());
	}

	@Test
	void testTrainSegmenterRefusesBadParameter() {
		Run r = run("train-segmenter", "--images", "a", "--masks", "b", "--out", "c", "--lr", "-1");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--lr"), r.err());
	}

	static Map<String, Object> manifest() throws Exception {
		return Json.asObject(Json.parse(Files.readString(CORPUS.resolve("manifest.json"))), "manifest");
	}

	static Map<String, Object> manifestEntry(String file) throws Exception {
		for (Object o : Json.asArray(manifest().get("files"), "files")) {
			Map<String, Object> m = Json.asObject(o, "entry");
			if (file.equals(m.get("file"))) return m;
		}
		throw new AssertionError("not in manifest: " + file);
	}
}
