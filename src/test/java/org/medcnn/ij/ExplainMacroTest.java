package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Volume;

/**
 * {@code Open DICOM...} with a window preset and {@code Explain Prediction...} through ImageJ's real macro
 * interpreter and menu lookup, on the bundled {@code sample-dicom/} phantom case 21. Needs a display (Xvfb).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExplainMacroTest {

	private static final Path CASE = Path.of("sample-dicom", "phantom", "test", "images", "case21");

	@TempDir
	static Path tmp;
	private static Path classifier, mlp;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		assumeTrue(Files.isDirectory(CASE), "sample-dicom/ not present");
		IjHarness.start(tmp);
		Random rng = new Random(3);
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[16];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			items.add(ExplainToolTest.image(rng, labels[i] == 1 ? rng.nextInt(24) : -1, rng.nextInt(24)));
		}
		TrainingConfig tc = new TrainingConfig(2, 8, 5e-3, "adam", "cross-entropy", "relu", 5, 0);
		classifier = Training.trainClassifier(items, labels, List.of("none", "square"),
			new ClassifierConfig("cnn", 32, new int[] {4}, 8, "max", 40, 400, tc), null, null, tmp.resolve("cls"));
		mlp = Training.trainClassifier(items, labels, List.of("none", "square"),
			new ClassifierConfig("mlp", 32, new int[] {4}, 8, "max", 40, 400, tc), null, null, tmp.resolve("mlp"));
	}

	private static String run(String macro) {
		IjHarness.clearDialogs();
		String result = IJ.runMacro(macro);
		assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog opens in batch mode: " + IjHarness.DIALOGS);
		assertFalse(result == null || result.equals("[aborted]"), "the macro failed: " + result);
		return result;
	}

	@Test
	void openWithLungWindowShowsHuThenExplain() {
		String title = run("setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE.toAbsolutePath() + "] window=lung\");\n"
			+ "setSlice(8);\n"
			+ "run(\"Explain Prediction...\", \"model=[" + classifier + "] method=saliency\");\n"
			+ "title = getTitle();\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return title;");
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp, "the image is open");
		try {
			assertEquals("HU", imp.getCalibration().getValueUnit());
			assertEquals(-600 - 750, imp.getDisplayRangeMin(), 1e-6);
			assertEquals(-600 + 750, imp.getDisplayRangeMax(), 1e-6);
			assertNotNull(imp.getOverlay(), "the explanation is drawn");
			long heat = 0;
			for (Roi r : imp.getOverlay().toArray())
				if (ExplainTool.HEATMAP_NAME.equals(r.getName())) {
					heat++;
					assertEquals(8, r.getPosition(), "on the explained slice");
					assertEquals(imp.getWidth(), r.getBounds().width, "covers the whole slice");
				}
			assertEquals(1, heat);
		} finally {
			imp.changes = false;
			imp.close();
		}
	}

	/** The overlay items of the explanation on the image's slice {@code slice}: {heat maps, colour-bar items}. */
	private static int[] explanationItems(ImagePlus imp, int slice) {
		int[] n = new int[2];
		if (imp.getOverlay() == null) return n;
		for (Roi r : imp.getOverlay().toArray()) {
			if (r.getPosition() != slice) continue;
			if (ExplainTool.HEATMAP_NAME.equals(r.getName())) n[0]++;
			if (ExplainTool.SCALE_NAME.equals(r.getName())) n[1]++;
		}
		return n;
	}

	@Test
	void gradCamByMacroDrawsHeatMapAndColourBar() {
		String title = run("setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE.toAbsolutePath() + "]\");\n"
			+ "setSlice(5);\n"
			+ "run(\"Explain Prediction...\", \"model=[" + classifier + "] method=grad-cam\");\n"
			+ "title = getTitle();\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return title;");
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp, "the image is open");
		try {
			int[] n = explanationItems(imp, 5);
			assertEquals(1, n[0], "one heat map on slice 5");
			assertEquals(3, n[1], "colour bar and its two labels");
			for (Roi r : imp.getOverlay().toArray())
				if (ExplainTool.HEATMAP_NAME.equals(r.getName())) assertEquals(imp.getWidth(), r.getBounds().width);
		} finally {
			imp.changes = false;
			imp.close();
		}
	}

	@Test
	void mlpGetsSaliencyByDefaultAndGradCamIsRefused() {
		String title = run("setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE.toAbsolutePath() + "]\");\n"
			+ "setSlice(3);\n"
			+ "run(\"Explain Prediction...\", \"model=[" + mlp + "]\");\n"
			+ "title = getTitle();\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return title;");
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp, "the image is open");
		try {
			assertEquals(1, explanationItems(imp, 3)[0], "a macro without method explains an MLP (by saliency)");
			IjHarness.clearDialogs();
			IJ.runMacro("selectImage(\"" + title + "\");\nsetSlice(4);\n"
				+ "run(\"Explain Prediction...\", \"model=[" + mlp + "] method=grad-cam\");");
			for (int i = 0; i < 50 && IjHarness.DIALOGS.isEmpty(); i++) sleep(100);
			assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("saliency")), "the error suggests saliency: "
				+ IjHarness.DIALOGS);
			assertEquals(0, explanationItems(imp, 4)[0], "nothing drawn");
		} finally {
			imp.changes = false;
			imp.close();
		}
	}

	private static void sleep(long ms) {
		try {
			Thread.sleep(ms);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void unknownWindowAndMethodAreRefused() {
		assertThrows(IllegalArgumentException.class, () -> WindowPresets.check("abdomen"));
		assertEquals("bone", WindowPresets.check(" Bone "));
		assertEquals(List.of("auto", "soft-tissue", "lung", "bone", "brain", "liver"), WindowPresets.names());
		IjHarness.clearDialogs();
		String r = IJ.runMacro("setBatchMode(true);\nrun(\"Open DICOM...\", \"path=[" + CASE.toAbsolutePath()
			+ "] window=abdomen\");\nreturn \"ran\";");
		assertTrue(r == null || r.equals("[aborted]"), "the macro stops: " + r);
		assertFalse(IjHarness.DIALOGS.isEmpty(), "an error names the choice");
	}
}
