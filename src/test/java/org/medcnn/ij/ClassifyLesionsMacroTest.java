package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.Models;
import org.medcnn.pipeline.ClassifierRequest;
import org.medcnn.pipeline.LesionCrops;
import org.medcnn.pipeline.Trainings;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Volume;

/**
 * {@code Classify Risk...} follows what the classifier expects (issue 12 item 5): a classifier of lesion-centred crops
 * classifies every lesion {@code Segment Tumors...} outlined, each cropped around it on its key slice as the demo's
 * pipeline crops it, with a label and a row per lesion; with no lesion and no selection it says what it needs.
 * A real ImageJ macro on sample case 21 (two lesions). Needs a display (Xvfb).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClassifyLesionsMacroTest {

	private static final Path PHANTOM = Path.of("sample-dicom", "phantom");
	private static final Path SEGMENTER = Path.of("src", "test", "resources", "golden", "models", "segmenter");

	@TempDir
	static Path tmp;
	private static Path classifier;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		// a small classifier of 160 mm lesion crops (its accuracy does not matter here, what it is fed does)
		List<Datasets.Item> items = new ArrayList<>();
		List<String> levels = List.of("high", "intermediate", "low");
		for (int k = 1; k <= 20; k++) {
			String name = String.format("case%02d", k);
			Volume v = Datasets.loadImage(PHANTOM.resolve("train/images").resolve(name), null, new org.medcnn.common.Cancellation());
			var mask = Datasets.loadMask(PHANTOM.resolve("train/masks").resolve(name + ".nii.gz"), v.geometry());
			Lesion l = Lesions.measure(mask, v).get(0);
			String level = l.longestAxialDiameterMm() > 40 ? "high" : l.longestAxialDiameterMm() >= 25 ? "intermediate" : "low";
			items.add(new Datasets.Item(name, LesionCrops.crop(v, l, 160, 64), levels.indexOf(level)));
		}
		classifier = Trainings.trainClassifier(ClassifierRequest.builder().epochs(3).inputSize(64).cropMm(160.0)
			.valFraction(0.0).augment("none").build(), items, levels, null, null, tmp.resolve("crop-classifier"));
	}

	private static String macro(String code) {
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		// The tables are shared by every macro test in this JVM: count only this test's rows.
		Tables.clear(SegmentTumorsTool.TABLE_TITLE);
		Tables.clear(ClassifyRiskTool.TABLE_TITLE);
		return IJ.runMacro("setBatchMode(true);\n" + code + "\nreturn \"ran\";");
	}

	@Test
	void everySegmentedLesionIsClassifiedOnItsCrop() throws IOException {
		Path case21 = PHANTOM.resolve("test/images/case21");
		String result = macro("run(\"Open DICOM...\", \"path=[" + case21.toAbsolutePath() + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + SEGMENTER.toAbsolutePath() + "]\");\n"
			+ "run(\"Classify Risk...\", \"model=[" + classifier.toAbsolutePath() + "]\");\n"
			+ "setBatchMode(\"exit and display\");");
		assertEquals("ran", result, IjHarness.DIALOGS.toString());
		ImagePlus imp = WindowManager.getCurrentImage();
		ResultsTable lesions = Tables.named(SegmentTumorsTool.TABLE_TITLE), risk = Tables.named(ClassifyRiskTool.TABLE_TITLE);
		assertTrue(lesions.size() >= 1, "Segment Tumors found lesions");
		assertEquals(lesions.size(), risk.size(), "one risk row per lesion");
		// the same crops the demo's pipeline classifies: around each lesion's centroid on its key slice
		Volume v = IjVolumes.toVolume(imp);
		List<Lesion> found = Lesions.measure(ClassifyRiskTool.lesionMask(imp, v.geometry()), v);
		try (Classifier c = Models.openClassifier(classifier)) {
			for (int i = 0; i < risk.size(); i++) {
				Lesion l = found.get(i);
				assertEquals(l.id(), (int) risk.getValue("lesion", i));
				assertEquals(l.keySlice() + 1, (int) risk.getValue("slice", i));
				Classification expected = c.classify(LesionCrops.crop(v, l, 160, 64));
				assertEquals(expected.className(), risk.getStringValue("class", i));
				assertEquals(expected.confidence(), risk.getValue("probability", i), 1e-6);
			}
		}
		long labels = java.util.Arrays.stream(imp.getOverlay().toArray()).map(Roi::getName)
			.filter(n -> n != null && n.startsWith(ClassifyRiskTool.LABEL_NAME + " lesion ")).count();
		assertEquals(risk.size(), labels, "a label per lesion");
		imp.changes = false;
		imp.close();
	}

	@Test
	void withoutLesionsOrASelectionItSaysWhatItNeeds() {
		Path case22 = PHANTOM.resolve("test/images/case22");
		String result = macro("run(\"Open DICOM...\", \"path=[" + case22.toAbsolutePath() + "]\");\n"
			+ "run(\"Classify Risk...\", \"model=[" + classifier.toAbsolutePath() + "]\");");
		assertNotEquals("ran", result);
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("lesion-centred crops of 160 mm")
			&& d.contains("Segment Tumors")), IjHarness.DIALOGS.toString());
		ImagePlus imp = WindowManager.getCurrentImage();
		if (imp != null) {
			imp.changes = false;
			imp.close();
		}
	}
}
