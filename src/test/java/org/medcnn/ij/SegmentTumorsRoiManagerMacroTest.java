package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.plugin.frame.RoiManager;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch-mode macro sees the lesion outlines of {@code Segment Tumors...} in its ROI Manager (issue 12 item 7):
 * ImageJ keeps a hidden ROI Manager per batch-mode macro, and {@code roiManager("count")} reads that one, not a
 * window. A real macro on sample case 21 with the bundled golden segmenter (no training). Needs a display (Xvfb).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SegmentTumorsRoiManagerMacroTest {

	private static final Path CASE21 = Path.of("sample-dicom", "phantom", "test", "images", "case21");
	private static final Path SEGMENTER = Path.of("src", "test", "resources", "golden", "models", "segmenter");

	@TempDir
	static Path tmp;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
	}

	@Test
	void batchModeMacroCountsAndNamesTheLesionOutlines() {
		// No ROI Manager window, as in a batch run (another test in this JVM may have opened one).
		RoiManager open = RoiManager.getRawInstance();
		if (open != null) open.close();
		IjHarness.clearDialogs();
		String result = IJ.runMacro("setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE21.toAbsolutePath() + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + SEGMENTER.toAbsolutePath() + "]\");\n"
			+ "n = roiManager(\"count\");\n"
			+ "names = \"\";\n"
			+ "for (i = 0; i < n; i++) { roiManager(\"select\", i); names = names + Roi.getName + \"@\" + getSliceNumber() + \";\"; }\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return \"\" + n + \"|\" + names;");
		assertTrue(result != null && result.contains("|"), "the macro failed: " + result + " " + IjHarness.DIALOGS);
		int count = Integer.parseInt(result.substring(0, result.indexOf('|')));
		assertTrue(count > 0, "roiManager(\"count\") after Segment Tumors in batch mode: " + result);

		// The macro's ROIs are the lesion outlines of the overlay, name and slice, in the same order.
		ImagePlus imp = WindowManager.getCurrentImage();
		List<String> outlines = Arrays.stream(imp.getOverlay().toArray()).filter(r -> !(r instanceof ImageRoi))
			.filter(SegmentTumorsTool::isSegmentationRoi).map(r -> r.getName() + "@" + r.getPosition()).toList();
		List<String> seen = Arrays.asList(result.substring(result.indexOf('|') + 1).split(";"));
		assertEquals(outlines, seen);
		assertTrue(seen.stream().allMatch(n -> n.startsWith("Lesion ")), seen.toString());
		assertNull(RoiManager.getRawInstance(), "no ROI Manager window was opened in batch mode");
		imp.changes = false;
		imp.close();
		// Leave no lesion rows behind for the next macro test in this JVM (the lesion table is shared).
		Tables.clear(SegmentTumorsTool.TABLE_TITLE);
	}
}
