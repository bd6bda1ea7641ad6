package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;

/**
 * {@code finetune} and {@code suggest} as a user runs them (issue 13): help, refusals before any work, and
 * {@code suggest --json} on the bundled sample cases with the golden segmenter.
 */
class AnnotationCommandsTest {

	private static final Path SEGMENTER = Path.of("src", "test", "resources", "golden", "models", "segmenter");
	private static final Path CASES = Path.of("sample-dicom", "phantom", "test", "images");

	@TempDir
	Path dir;

	@Test
	void helpNamesTheContractOptions() {
		MainTest.Run f = MainTest.run("finetune", "--help");
		assertEquals(0, f.code());
		assertTrue(f.out().startsWith("usage: medcnn finetune --model MODEL --images DIR --masks DIR --out MODEL2"), f.out());
		MainTest.Run s = MainTest.run("suggest", "--help");
		assertEquals(0, s.code());
		assertTrue(s.out().startsWith("usage: medcnn suggest --model MODEL [--json] DIR..."), s.out());
	}

	@Test
	void finetuneRefusesToWriteOverItsParent() throws IOException {
		Path empty = Files.createDirectories(dir.resolve("empty"));
		MainTest.Run r = MainTest.run("finetune", "--model", SEGMENTER.toString(), "--images", empty.toString(), "--masks",
			empty.toString(), "--out", SEGMENTER.toString(), "--overwrite");
		assertEquals(1, r.code(), r.err());
		assertTrue(r.err().contains("is the parent package"), r.err());
	}

	@Test
	void suggestRanksEveryCaseMostUsefulFirst() throws IOException {
		assumeTrue(Files.isDirectory(CASES), "sample-dicom/ not present");
		MainTest.Run r = MainTest.run("suggest", "--model", SEGMENTER.toString(), "--json", CASES.toString());
		assertEquals(0, r.code(), r.err());
		List<Object> rows = Json.asArray(Json.parse(r.out()), "stdout");
		try (var s = Files.list(CASES)) {
			assertEquals(s.count(), rows.size(), "every case is listed");
		}
		double previous = Double.POSITIVE_INFINITY;
		for (Object o : rows) {
			Map<?, ?> m = (Map<?, ?>) o;
			double score = ((Number) m.get("score")).doubleValue();
			assertTrue(score >= 0 && score <= previous, "sorted scores (mL to correct) from the largest: " + r.out());
			double expectedDice = ((Number) m.get("expectedDice")).doubleValue();
			assertTrue(expectedDice >= 0 && expectedDice <= 1, "expected Dice in [0, 1]: " + m);
			assertTrue(m.get("reason") instanceof String reason && !reason.isBlank(), "a reason: " + m);
			previous = score;
		}
		Path empty = Files.createDirectories(dir.resolve("nothing"));
		MainTest.Run none = MainTest.run("suggest", "--model", SEGMENTER.toString(), empty.toString());
		assertEquals(1, none.code());
		assertTrue(none.err().contains("No images found"), none.err());
	}
}
