package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.medcnn.common.Json;

/**
 * The real DICOM files of another project, read by ours: the test files that Debian's {@code python3-pydicom}
 * 2.3.1 package installs ({@value #FOLDER}; {@code bin/test} installs the package for its data only, no Python
 * runs). Their stored values were decoded by pydicom 2.3.1, or by DCMTK where pydicom needs plugins, and recorded
 * in {@code src/test/resources/dicom/pydicom/expected.json} (provenance there); damaged files must be refused with
 * a {@link DicomReadException} that says why. Skipped when the package is not installed.
 */
class DebianTestFilesTest {

	static final String FOLDER = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

	@SuppressWarnings("unchecked")
	private static Map<String, Object> expected() throws IOException {
		try (InputStream in = DebianTestFilesTest.class.getResourceAsStream("/dicom/pydicom/expected.json")) {
			return Json.asObject(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)), "expected.json");
		}
	}

	static Stream<Arguments> decoded() throws IOException {
		List<Arguments> out = new ArrayList<>();
		for (Map.Entry<String, Object> e : Json.asObject(expected().get("files"), "files").entrySet())
			out.add(Arguments.of(e.getKey(), Json.asObject(e.getValue(), e.getKey())));
		return out.stream();
	}

	static Stream<Arguments> refused() throws IOException {
		List<Arguments> out = new ArrayList<>();
		for (Map.Entry<String, Object> e : Json.asObject(expected().get("refused"), "refused").entrySet())
			out.add(Arguments.of(e.getKey(), e.getValue()));
		return out.stream();
	}

	private static Path file(String name) {
		Path f = Path.of(FOLDER, name);
		Assumptions.assumeTrue(Files.isRegularFile(f), "python3-pydicom's test files are not installed: " + f);
		return f;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("decoded")
	void testStoredValuesAgreeWithTheOtherDecoder(String name, Map<String, Object> e) throws Exception {
		Path f = file(name);
		Map<String, Object> d = DicomInfo.describe(f, true);
		assertFalse(d.containsKey("error"), () -> name + ": " + d.get("error"));
		assertEquals(e.get("transferSyntax"), d.get("transferSyntaxUID"), "transfer syntax");
		Map<String, Object> px = Json.asObject(d.get("pixels"), "pixels");
		List<Object> frames = Json.asArray(px.get("frames"), "frames");
		double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
		long n = 0;
		int frameValues = DicomPixels.storedValues(DicomReader.read(f))[0].length;
		for (Object o : frames) {
			Map<String, Object> fr = Json.asObject(o, "frame");
			min = Math.min(min, ((Number) fr.get("min")).doubleValue());
			max = Math.max(max, ((Number) fr.get("max")).doubleValue());
			sum += ((Number) fr.get("mean")).doubleValue() * frameValues;
			n += frameValues;
		}
		assertEquals(((Number) e.get("min")).doubleValue(), min, 0, "min");
		assertEquals(((Number) e.get("max")).doubleValue(), max, 0, "max");
		if (Boolean.TRUE.equals(e.get("lossy"))) {
			// Lossy JPEG 2000: decoders may differ by 1 here and there (the corpus README's tolerance).
			assertEquals(((Number) e.get("mean")).doubleValue(), sum / n, 0.01, "mean");
			return;
		}
		assertFalse(frames.isEmpty());
		assertEquals(e.get("sha256"), px.get("allFramesSha256"), () -> name + " (" + e.get("photometric") + ", decoded by "
			+ e.get("decoder") + ")");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refused")
	void testDamagedFilesAreRefusedWithTheReason(String name, Object why) {
		Path f = file(name);
		DicomReadException ex = assertThrows(DicomReadException.class, () -> DicomPixels.storedValues(DicomReader.read(f)));
		assertTrue(ex.getMessage().contains(f.toString()) && ex.getMessage().contains((String) why), ex.getMessage());
	}
}
