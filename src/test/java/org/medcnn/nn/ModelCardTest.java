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

	/** Card fields are validated, not trusted (issue 15): each damaged value is refused naming its field. */
	@Test
	void absurdFieldValuesAreRefusedNamingTheField() {
		String seg = """
			{"formatVersion": "1", "task": "segmentation", "name": "toy", "classNames": ["background", "lesion"],
			 "architecture": {"type": "%s"},
			 "input": {"windowCenterHu": %s, "windowWidthHu": %s, "sizeMultiple": %s}}
			""";
		String[][] bad = {
			{"unet2d", "40", "0", "4", "input.windowWidthHu"}, {"unet2d", "40", "-400", "4", "input.windowWidthHu"},
			{"unet2d", "40", "400", "0", "input.sizeMultiple"}, {"unet2d", "40", "400", "-4", "input.sizeMultiple"},
			{"unet2d", "40", "400", "65536", "input.sizeMultiple"}, {"unet2d", "40", "400", "6", "input.sizeMultiple"},
			{"unet2d", "40", "400", "2.5", "input.sizeMultiple"}, {"resnet", "40", "400", "4", "architecture.type"},
			{"cnn", "40", "400", "4", "architecture.type"}, {"unet2d", "1e300", "400", "4", "windowCenterHu"}};
		for (String[] b : bad) {
			ModelFormatException e = assertThrows(ModelFormatException.class,
				() -> ModelCard.parse(seg.formatted(b[0], b[1], b[2], b[3]), Path.of("toy")), String.join(" ", b));
			assertTrue(e.getMessage().contains(b[4]), e.getMessage());
		}
		String cls = """
			{"formatVersion": "1", "task": "classification", "name": "toy", "classNames": ["a", "b"],
			 "architecture": {"type": "cnn"}, "input": {"windowCenterHu": 40, "windowWidthHu": 400, "inputSize": %s},
			 "calibration": {"temperature": %s}}
			""";
		for (String[] b : new String[][] {{"0", "1"}, {"100000", "1"}, {"64", "0"}, {"64", "-2"}}) {
			ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelCard.parse(cls.formatted(b[0], b[1]),
				Path.of("toy")), String.join(" ", b));
			assertTrue(e.getMessage().contains(b[0].equals("64") ? "calibration.temperature" : "input.inputSize"), e.getMessage());
		}
		String v2 = """
			{"formatVersion": "2", "task": "segmentation", "name": "toy", "classNames": ["background", "lesion"],
			 "architecture": {"type": "unet2d"}, "input": {"normalisation": %s, "targetSpacingMm": %s, "sizeMultiple": 4}}
			""";
		for (String[] b : new String[][] {{"{\"scheme\": \"magic\"}", "null"}, {"{\"scheme\": \"ct\", \"clipLowHu\": 5,"
			+ " \"clipHighHu\": 1, \"meanHu\": 0, \"stdHu\": 1}", "null"}, {"{\"scheme\": \"zscore\"}", "[0, 1, 1]"},
			{"{\"scheme\": \"zscore\"}", "[1, 1]"}, {"{\"scheme\": \"window\", \"centerHu\": 40, \"widthHu\": 0}", "null"}}) {
			ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelCard.parse(v2.formatted(b[0], b[1]),
				Path.of("toy")), String.join(" ", b));
			assertTrue(e.getMessage().contains("input.normalisation") || e.getMessage().contains("input.targetSpacingMm"),
				e.getMessage());
		}
	}
	/**
	 * Finite but absurd normalisation values and target spacings are refused naming the package, the field and the value
	 * (issue 15 item 3): before, a width of 1e-300 found 10 bogus lesions, a standard deviation of 1e-30 none, and a
	 * spacing of 0.001 mm failed later with "Volume too large", naming neither.
	 */
	@Test
	void finiteButAbsurdNormalisationAndSpacingAreRefusedNamingPackageFieldAndValue() throws ModelFormatException {
		String v2 = """
			{"formatVersion": "2", "task": "segmentation", "name": "toy", "classNames": ["background", "lesion"],
			 "architecture": {"type": "unet2d"}, "input": {"normalisation": %s, "targetSpacingMm": %s, "sizeMultiple": 4}}
			""";
		String ct = "{\"scheme\": \"ct\", \"clipLowHu\": %s, \"clipHighHu\": %s, \"meanHu\": %s, \"stdHu\": %s}";
		String window = "{\"scheme\": \"window\", \"centerHu\": %s, \"widthHu\": %s}";
		String[][] bad = {
			{window.formatted("40", "1e-300"), "null", "input.normalisation.widthHu", "1.0E-300"},
			{window.formatted("1e300", "400"), "null", "input.normalisation.centerHu", "1.0E300"},
			{ct.formatted("-374", "509", "-2", "1e-30"), "null", "input.normalisation.stdHu", "1.0E-30"},
			{ct.formatted("-374", "509", "-2", "5000"), "null", "input.normalisation.stdHu", "5000"},
			{ct.formatted("-374", "-373.5", "-374", "0.2"), "null", "input.normalisation.clipHighHu", "-373.5"},
			{ct.formatted("-374", "1e308", "-2", "100"), "null", "input.normalisation.clipHighHu", "1.0E308"},
			{ct.formatted("-1e308", "509", "-2", "100"), "null", "input.normalisation.clipLowHu", "-1.0E308"},
			{ct.formatted("600", "500", "550", "10"), "null", "input.normalisation", "600"},
			{ct.formatted("-374", "509", "900", "100"), "null", "input.normalisation.meanHu", "900"},
			{"{\"scheme\": \"zscore\"}", "[0.001, 0.001, null]", "input.targetSpacingMm", "0.001"}};
		for (String[] b : bad) {
			ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelCard.parse(v2.formatted(b[0], b[1]),
				Path.of("hostile-pkg")), String.join(" ", b));
			String m = e.getMessage();
			assertTrue(m.contains("hostile-pkg") && m.contains("field '" + b[2]) && m.contains(b[3]), m);
		}
		String v1 = """
			{"formatVersion": "1", "task": "segmentation", "name": "toy", "classNames": ["background", "lesion"],
			 "architecture": {"type": "unet2d"}, "input": {"windowCenterHu": 40, "windowWidthHu": 1e-300, "sizeMultiple": 4}}
			""";
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelCard.parse(v1, Path.of("old")));
		assertTrue(e.getMessage().contains("input.windowWidthHu") && e.getMessage().contains("1.0E-300"), e.getMessage());
		// what training writes passes
		ModelCard.parse(v2.formatted(ct.formatted("-374", "509", "-1.9", "108.7"), "[2.5, 2.5, null]"), Path.of("ok"));
		ModelCard.parse(v2.formatted(window.formatted("40", "400"), "null"), Path.of("ok"));
	}
}
