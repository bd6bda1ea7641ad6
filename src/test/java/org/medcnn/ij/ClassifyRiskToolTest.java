package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.medcnn.nn.Classification;
import org.medcnn.nn.ModelCard;

class ClassifyRiskToolTest {

	private static final List<String> LEVELS = List.of("low", "intermediate", "high");

	@Test
	void labelSaysLevelAndProbability() {
		Classification c = new Classification(2, "high", new float[] {0.05f, 0.08f, 0.87f});
		assertEquals("Risk: high (0.87)", ClassifyRiskTool.labelText(c));
	}

	@Test
	void coloursFollowRiskOrderThenNames() {
		assertEquals(ClassifyRiskTool.LOW, ClassifyRiskTool.levelColor("low", LEVELS));
		assertEquals(ClassifyRiskTool.INTERMEDIATE, ClassifyRiskTool.levelColor("intermediate", LEVELS));
		assertEquals(ClassifyRiskTool.HIGH, ClassifyRiskTool.levelColor("high", LEVELS));
		assertEquals(ClassifyRiskTool.HIGH, ClassifyRiskTool.levelColor("grade3", List.of("grade1", "grade2", "grade3")));
		assertEquals(ClassifyRiskTool.LOW, ClassifyRiskTool.levelColor("benign", List.of()));
		assertEquals(ClassifyRiskTool.HIGH, ClassifyRiskTool.levelColor("Malignant", null));
		assertEquals(ClassifyRiskTool.NEUTRAL, ClassifyRiskTool.levelColor("cyst", List.of()));
	}

	@Test
	void annotationSitsTopLeftOnTheSliceAndReplacesTheLastOne() {
		ij.ImageStack stack = new ij.ImageStack(64, 64);
		for (int i = 0; i < 3; i++) stack.addSlice(new FloatProcessor(64, 64));
		ImagePlus imp = new ImagePlus("img", stack);
		ClassifyRiskTool.annotate(imp, new Classification(0, "low", new float[] {0.6f, 0.3f, 0.1f}), LEVELS, 2);
		TextRoi label = ClassifyRiskTool.annotate(imp, new Classification(2, "high", new float[] {0.1f, 0.1f, 0.8f}),
			LEVELS, 2);
		ClassifyRiskTool.annotate(imp, new Classification(1, "intermediate", new float[] {0.2f, 0.5f, 0.3f}), LEVELS, 3);
		Roi[] rois = imp.getOverlay().toArray();
		assertEquals(2, rois.length, "one label per slice");
		assertEquals(label, rois[0]);
		assertEquals("Risk: high (0.80)", label.getText().trim());
		assertEquals(ClassifyRiskTool.HIGH, label.getFillColor());
		assertEquals(2, label.getPosition());
		assertEquals(2, label.getBounds().x);
		assertEquals(2, label.getBounds().y);
		assertTrue(label.getBounds().width <= 64, "the label fits the image: " + label.getBounds());
	}

	@Test
	void resultsRowHasOneProbabilityPerClass() throws Exception {
		ModelCard card = new ModelCard("1", ModelCard.CLASSIFICATION, "risk", LEVELS, Map.of());
		ResultsTable rt = new ResultsTable();
		ClassifyRiskTool.addRow(rt, "img", 7, new Classification(1, "intermediate", new float[] {0.2f, 0.5f, 0.3f}), card);
		assertEquals(1, rt.size());
		assertEquals("img", rt.getStringValue("image", 0));
		assertEquals(7, rt.getValue("slice", 0), 0);
		assertEquals("intermediate", rt.getStringValue("class", 0));
		assertEquals(0.5, rt.getValue("probability", 0), 1e-6);
		assertEquals(0.2, rt.getValue("p(low)", 0), 1e-6);
		assertEquals(0.3, rt.getValue("p(high)", 0), 1e-6);
	}
}
