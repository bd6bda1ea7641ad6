package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.PhantomCase;
import org.medcnn.volume.PhantomConfig;
import org.medcnn.volume.PhantomGenerator;

class SampleDataGeneratorTest {

	@TempDir
	Path tmp;

	@Test
	void testLayoutSplitsAndContent() throws IOException {
		SampleDataGenerator.generate(tmp, ProgressListener.NONE);
		Path phantom = tmp.resolve("phantom");
		Map<String, Object> doc = Json.asObject(Json.parse(Files.readString(phantom.resolve("cases.json"),
			StandardCharsets.UTF_8)), "cases.json");
		List<Object> cases = Json.asArray(doc.get("cases"), "cases");
		assertEquals(SampleDataGenerator.CASES, cases.size());
		Map<String, Integer> counts = new HashMap<>();
		for (Object o : cases) {
			Map<String, Object> c = Json.asObject(o, "case");
			String key = c.get("split") + "/" + c.get("riskLevel");
			counts.merge(key, 1, Integer::sum);
			Path images = phantom.resolve((String) c.get("images"));
			try (Stream<Path> s = Files.list(images)) {
				assertEquals(16, s.count(), images + " holds one file per slice");
			}
			assertTrue(Files.isRegularFile(phantom.resolve((String) c.get("mask"))));
			assertTrue(Files.isRegularFile(phantom.resolve((String) c.get("keySliceImage"))));
			assertTrue(((String) c.get("keySliceImage")).contains("/classes/" + c.get("riskLevel") + "/"));
			assertTrue(!Json.asArray(c.get("lesions"), "lesions").isEmpty());
		}
		assertEquals(Map.of("train/low", 7, "train/intermediate", 7, "train/high", 6, "test/low", 2,
			"test/intermediate", 2, "test/high", 2), counts);

		// Case 1 on disk is exactly what the generator and the writers produce now.
		PhantomCase pc = PhantomGenerator.generate(SampleDataGenerator.seed(1),
			PhantomConfig.DEFAULT.withRiskLevel(SampleDataGenerator.riskLevel(1)));
		Mask mask = Nifti.readMask(phantom.resolve("train/masks/case01.nii.gz"), pc.volume().geometry(), 1e-4);
		assertArrayEquals(pc.mask().labels(), mask.labels());
		byte[] expected = DicomWriter.encodeSlice(pc.volume(), 3,
			DicomWriter.SeriesInfo.synthetic("medcnn-phantom/case01", "PHANTOM^CASE01", "PHANTOM-CASE01",
				"Phantom CT case01"));
		assertArrayEquals(expected, Files.readAllBytes(phantom.resolve("train/images/case01/IM0004.dcm")));

		long bytes;
		try (Stream<Path> s = Files.walk(phantom)) {
			bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
		}
		assertTrue(bytes < 18_000_000, "phantom data set stays small: " + bytes + " bytes");

		// A second run replaces its own output; a foreign folder is never deleted.
		SampleDataGenerator.generate(tmp, ProgressListener.NONE);
		Path foreign = tmp.resolve("other");
		Files.createDirectories(foreign.resolve("phantom"));
		assertThrows(IOException.class, () -> SampleDataGenerator.generate(foreign, ProgressListener.NONE));
	}
}
