package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.dicom.DicomWriter;

/**
 * {@code bench dicom DIR}: with series under DIR, the headline times the series path of Open DICOM (scan, then each
 * series read into one volume) and the per-file decode stands beside it; without a series, the per-file decode is
 * the headline. Tiny generated series, so that it runs in a second or two; the figures themselves are not judged.
 */
class BenchDicomTest {

	@TempDir
	Path tmp;

	private static Map<String, Object> json(MainTest.Run r) {
		assertEquals(0, r.code(), r.err());
		return Json.asObject(Json.parse(r.out()), "stdout");
	}

	private static double number(Map<String, Object> m, String key) {
		assertTrue(m.get(key) instanceof Number, key + " in " + m);
		return ((Number) m.get(key)).doubleValue();
	}

	@Test
	void seriesPathIsTheHeadlineWithThePerFileDecodeBesideIt() throws Exception {
		Path dir = tmp.resolve("study");
		DicomWriter.writeSeries(BenchCommand.synthetic(24, 20, 6, 0), dir.resolve("a"),
			DicomWriter.SeriesInfo.synthetic("bench-test/a", "BENCH^TEST", "B1", "a"));
		DicomWriter.writeSeries(BenchCommand.synthetic(16, 16, 4, 10), dir.resolve("b"),
			DicomWriter.SeriesInfo.synthetic("bench-test/b", "BENCH^TEST", "B1", "b"));

		Map<String, Object> r = json(MainTest.run("bench", "dicom", dir.toString(), "--json"));
		assertEquals("series", r.get("mode"));
		assertEquals(2.0, number(r, "series"));
		assertEquals(10.0, number(r, "files"));
		assertEquals(24 * 20 * 6 + 16 * 16 * 4, number(r, "voxels"));
		assertEquals(0.0, number(r, "failedSeries"));
		assertEquals(number(r, "scanSeconds") + number(r, "loadSeconds"), number(r, "seconds"), 0.0015,
			"seconds = scanSeconds + loadSeconds");
		for (String k : new String[] {"bytes", "filesPerSecond", "megabytesPerSecond", "voxelsPerSecond", "threads",
			"seriesTimesFaster"})
			number(r, k);
		Map<String, Object> perFile = Json.asObject(r.get("perFileDecode"), "perFileDecode");
		assertEquals(10.0, number(perFile, "files"));
		assertEquals(0.0, number(perFile, "failed"));
		assertEquals(number(r, "bytes"), number(perFile, "bytes"), "the same files");
		number(perFile, "seconds");

		MainTest.Run human = MainTest.run("bench", "dicom", dir.toString());
		assertEquals(0, human.code(), human.err());
		assertTrue(human.out().contains("mode: series") && human.out().contains("perFileDecode:"), human.out());
	}

	@Test
	void withoutASeriesThePerFileDecodeIsTheHeadline() throws Exception {
		// A DICOM SEG is an image file but no image series (the scanner lists it as skipped).
		Path dir = Files.createDirectories(tmp.resolve("seg-only"));
		Files.copy(Path.of(BenchDicomTest.class.getResource("/dicom/deflated/liver_deflate.dcm").toURI()),
			dir.resolve("liver_deflate.dcm"));
		Map<String, Object> r = json(MainTest.run("bench", "dicom", dir.toString(), "--json"));
		assertEquals("files", r.get("mode"));
		assertEquals(1.0, number(r, "files"));
		assertEquals(0.0, number(r, "failed"));
		assertFalse(r.containsKey("perFileDecode"));
	}

	@Test
	void helpDescribesBothModes() {
		MainTest.Run help = MainTest.run("bench", "--help");
		assertTrue(help.out().contains("perFileDecode") && help.out().contains("scanSeconds")
			&& help.out().contains("mode: \"files\""), help.out());
	}
}
