package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.Models;
import org.medcnn.volume.Mask;

/**
 * {@code Train Segmenter...} from the current image through ImageJ's real macro interpreter: with a label image
 * ({@code mask_image}) and with the ROI Manager's outlines ({@code rois}), on a tiny DICOM series from
 * {@link TinyCases}. Needs a display (Xvfb).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrainFromImageMacroTest {

	@TempDir
	static Path tmp;
	private static Path images;
	private static final String SETTINGS = " epochs=1 dims=2 batch=4 learning=0.01 optimizer=adam loss=dice-ce"
		+ " activation=relu filters=4 validation=0";

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		images = tmp.resolve("images");
		TinyCases.write(images, tmp.resolve("masks"), 1);
	}

	@AfterEach
	void closeImages() {
		for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
			ImagePlus imp = WindowManager.getImage(id);
			if (imp != null) {
				imp.changes = false;
				imp.close();
			}
		}
	}

	private static String macro(String code) {
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		return IJ.runMacro("setBatchMode(true);\n" + code + "\nreturn \"ran\";");
	}

	@Test
	void fromALabelImage() throws IOException {
		Mask truth = Mask.empty(TinyCases.GRID);
		TinyCases.phantom(0, truth);
		ImagePlus labels = IjVolumes.toImagePlus(truth, "case0 labels");
		labels.show();
		Path out = tmp.resolve("from-mask-image");
		String r = macro("run(\"Open DICOM...\", \"path=[" + images.resolve("case0") + "]\");\n"
			+ "run(\"Train Segmenter...\", \"mask_image=[case0 labels] out=[" + out + "]" + SETTINGS + "\");");
		assertEquals("ran", r, "dialogs: " + IjHarness.DIALOGS);
		assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog: " + IjHarness.DIALOGS);
		assertEquals("segmentation", Models.readCard(out).task());
		assertTrue(IJ.getLog().contains("with the mask \"case0 labels\""), IJ.getLog());
	}

	@Test
	void fromRoiManagerOutlines() throws IOException {
		Path out = tmp.resolve("from-rois");
		String r = macro("run(\"Open DICOM...\", \"path=[" + images.resolve("case0") + "]\");\n"
			+ "roiManager(\"reset\");\n"
			+ "setSlice(2); makeOval(5, 7, 10, 10); roiManager(\"add\");\n"
			+ "setSlice(3); makeOval(6, 8, 8, 8); roiManager(\"add\");\n"
			+ "run(\"Select None\");\n"
			+ "run(\"Train Segmenter...\", \"rois out=[" + out + "]" + SETTINGS + "\");\n"
			+ "roiManager(\"reset\");");
		assertEquals("ran", r, "dialogs: " + IjHarness.DIALOGS);
		assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog: " + IjHarness.DIALOGS);
		assertTrue(Files.isRegularFile(out.resolve("medcnn.json")));
		assertTrue(IJ.getLog().contains("and 2 ROIs"), IJ.getLog());
	}

	@Test
	void foldersAndImageTogetherAreRefused() {
		String r = macro("run(\"Open DICOM...\", \"path=[" + images.resolve("case0") + "]\");\n"
			+ "run(\"Train Segmenter...\", \"images=[" + images + "] rois out=[" + tmp.resolve("x") + "]" + SETTINGS + "\");");
		assertTrue(r == null || r.equals("[aborted]"), "the macro stops: " + r);
		assertTrue(IjHarness.DIALOGS.toString().contains("not both"), IjHarness.DIALOGS.toString());
	}
}
