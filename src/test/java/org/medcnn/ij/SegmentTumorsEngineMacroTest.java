package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Synthetic;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * {@code Segment Tumors...} with the macro key {@code engine} (issue 14 item 3): the same image segmented with
 * {@code engine=tensorflow} and {@code engine=onnx} gives the same mask image and the same lesion rows; an unknown
 * engine aborts the macro with a message naming it. Needs a display (Xvfb).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SegmentTumorsEngineMacroTest {

	@TempDir
	static Path tmp;
	static Path model;
	static Volume image;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		List<Mask> masks = new ArrayList<>();
		List<Volume> cases = Synthetic.discCases(3, 24, 4, 5, masks);
		model = Training.trainSegmenter(cases, masks, new SegmenterConfig(2, 4, 40, 400,
			new TrainingConfig(8, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0)).withSamplesPerEpoch(64), null, null, tmp.resolve("seg"));
		image = Synthetic.discCases(1, 32, 5, 17, new ArrayList<>()).get(0);
	}

	/** The mask image and the lesion table's text after Segment Tumors with {@code engine}. */
	private static Object[] segment(String engine) {
		ImagePlus imp = org.medcnn.ij.IjVolumes.toImagePlus(image, "discs-" + engine);
		imp.show();
		IJ.selectWindow(imp.getID());
		Tables.clear(SegmentTumorsTool.TABLE_TITLE);
		IjHarness.clearDialogs();
		String r = IJ.runMacro("run(\"Segment Tumors...\", \"model=[" + model.toAbsolutePath() + "] mask engine=" + engine
			+ "\");\nreturn getTitle();");
		assertEquals("discs-" + engine + "-mask", r, "the mask image is current: " + IjHarness.DIALOGS);
		ImagePlus mask = WindowManager.getCurrentImage();
		assertNotNull(mask);
		List<byte[]> slices = new ArrayList<>();
		for (int z = 1; z <= mask.getStackSize(); z++) slices.add(((byte[]) mask.getStack().getPixels(z)).clone());
		String rows = Tables.named(SegmentTumorsTool.TABLE_TITLE).size() + " rows";
		mask.changes = false;
		mask.close();
		imp.changes = false;
		imp.close();
		return new Object[] {slices, rows};
	}

	@Test
	void bothEnginesGiveTheSameMaskImage() {
		Object[] tf = segment("tensorflow"), onnx = segment("onnx");
		@SuppressWarnings("unchecked")
		List<byte[]> a = (List<byte[]>) tf[0], b = (List<byte[]>) onnx[0];
		assertEquals(a.size(), b.size());
		int fg = 0;
		for (int z = 0; z < a.size(); z++) {
			assertArrayEquals(a.get(z), b.get(z), "slice " + (z + 1));
			for (byte v : a.get(z)) if (v != 0) fg++;
		}
		assertEquals(tf[1], onnx[1], "the same lesion rows");
		System.out.println("Segment Tumors, both engines: " + fg + " mask pixels, " + tf[1]);
		assertTrue(fg > 0, "the masks compared have foreground");
		Tables.clear(SegmentTumorsTool.TABLE_TITLE);
	}

	@Test
	void anUnknownEngineIsRefusedNamingIt() {
		ImagePlus imp = org.medcnn.ij.IjVolumes.toImagePlus(image, "discs-bad");
		imp.show();
		IJ.selectWindow(imp.getID());
		IjHarness.clearDialogs();
		String r = IJ.runMacro("run(\"Segment Tumors...\", \"model=[" + model.toAbsolutePath() + "] engine=torch\");\n"
			+ "return \"ran\";");
		assertTrue(!"ran".equals(r), "the macro was aborted");
		assertTrue(String.join("\n", IjHarness.DIALOGS).contains("torch"), IjHarness.DIALOGS.toString());
		imp.changes = false;
		imp.close();
	}
}
