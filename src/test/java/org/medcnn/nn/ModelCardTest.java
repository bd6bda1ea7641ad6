package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {

	private static final String CARD = """
		{"formatVersion": "%s", "task": "%s", "name": "toy", "classNames": ["low", "high"],
		 "architecture": {"type": "cnn"}, "riskLevels": ["low", "high"],
		 "input": {"modality": "CT", "channels": 1, "windowCenterHu": 40, "windowWidthHu": 400, "inputSize": 64,
		           "sizeMultiple": 1, "axes": "byxc"}}
		""";

	@TempDir
	Path dir;

	private Path pkg(String version, String task) throws IOException {
		Path p = dir.resolve("model-" + version + "-" + task);
		Files.createDirectories(p);
		Files.writeString(p.resolve(ModelCard.FILE_NAME), CARD.formatted(version, task));
		return p;
	}

	@Test
	void validCardIsParsed() throws IOException {
		ModelCard c = Models.readCard(pkg("1", "classification"));
		assertEquals("classification", c.task());
		assertEquals("toy", c.name());
		assertEquals(List.of("low", "high"), c.classNames());
		assertEquals(64, c.inputSize());
		assertEquals(new org.medcnn.nn.Normalisation.Window(40, 400), c.preprocessing().normalisation());
		assertArrayEquals(new double[] {40, 400}, c.displayWindow());
		assertEquals("cnn", c.architecture());
		assertEquals(List.of("low", "high"), c.riskLevels());
	}

	@Test
	void wrongFormatVersionIsRefusedNamingPackageAndField() throws IOException {
		Path p = pkg("9", "classification");
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.readCard(p));
		assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
		assertTrue(e.getMessage().contains("formatVersion") && e.getMessage().contains("\"9\""), e.getMessage());
		// opening refuses it before TensorFlow is touched
		assertThrows(ModelFormatException.class, () -> Models.openClassifier(p));
	}

	@Test
	void wrongTaskIsRefused() throws IOException {
		Path p = pkg("1", "classification");
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(p));
		assertTrue(e.getMessage().contains("task") && e.getMessage().contains("segmentation"), e.getMessage());
		Path q = pkg("1", "regression");
		e = assertThrows(ModelFormatException.class, () -> Models.readCard(q));
		assertTrue(e.getMessage().contains("task") && e.getMessage().contains("regression"), e.getMessage());
	}

	@Test
	void missingOrMalformedPackagesAreRefused() throws IOException {
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.readCard(dir.resolve("absent")));
		assertTrue(e.getMessage().contains("absent"), e.getMessage());
		Path empty = Files.createDirectories(dir.resolve("empty"));
		e = assertThrows(ModelFormatException.class, () -> Models.readCard(empty));
		assertTrue(e.getMessage().contains(ModelCard.FILE_NAME), e.getMessage());
		Path bad = Files.createDirectories(dir.resolve("bad"));
		Files.writeString(bad.resolve(ModelCard.FILE_NAME), "{\"formatVersion\": \"1\", ");
		e = assertThrows(ModelFormatException.class, () -> Models.readCard(bad));
		assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
		Path noWindow = Files.createDirectories(dir.resolve("nowindow"));
		Files.writeString(noWindow.resolve(ModelCard.FILE_NAME),
			"{\"formatVersion\": \"1\", \"task\": \"segmentation\", \"architecture\": {\"type\": \"unet2d\"},"
				+ " \"input\": {\"sizeMultiple\": 4}}");
		e = assertThrows(ModelFormatException.class, () -> Models.readCard(noWindow));
		assertTrue(e.getMessage().contains("input.windowCenterHu"), e.getMessage());
	}
}
