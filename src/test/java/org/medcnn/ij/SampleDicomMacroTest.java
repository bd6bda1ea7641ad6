package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.measure.ResultsTable;

import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Toolkit;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * The spine as a Fiji user runs it, on the bundled {@code sample-dicom/} data: a real ImageJ macro opens a phantom
 * CT series with {@code Open DICOM...} and segments it with {@code Segment Tumors...}; the test checks the
 * calibration (mm, spacing, origin), the HU values and that the overlay covers the lesions. It also captures the
 * screen (image with overlay, lesion table) to {@code target/ij-sample-screenshot.png} for a person to look at.
 * Needs a display (run under xvfb-run).
 */
class SampleDicomMacroTest {

	private static final Path CASE = Path.of("sample-dicom", "phantom", "train", "images", "case03");
	private static final Path MASK = Path.of("sample-dicom", "phantom", "train", "masks", "case03.nii.gz");

	@TempDir
	static Path tmp;

	@Test
	@Timeout(180)
	void openAndSegmentSampleSeries() throws Exception {
		assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		assumeTrue(Files.isDirectory(CASE), "sample-dicom/ not present");
		IjHarness.start(tmp);
		Volume image = Datasets.loadImage(CASE, ProgressListener.NONE, new Cancellation());
		Mask truth = Datasets.loadMask(MASK, image.geometry());
		// A small U-Net fitted to this case: the test is about the ImageJ path, not about generalisation.
		TrainingConfig t = new TrainingConfig(150, 8, 3e-3, "adam", "dice-ce", "relu", 42, 0);
		Path model = Training.trainSegmenter(List.of(image), List.of(truth), new SegmenterConfig(3, 8, 40, 400, t), null,
			null, tmp.resolve("segmenter"));

		String macro = "setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + CASE.toAbsolutePath() + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + model + "]\");\n"
			+ "title = getTitle();\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return title;";
		IjHarness.clearDialogs();
		String title = IJ.runMacro(macro);
		assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog opens in batch mode: " + IjHarness.DIALOGS);
		assertFalse(title == null || title.equals("[aborted]"), "the macro failed: " + title);
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp, "the image is open");

		Geometry g = image.geometry();
		Calibration cal = imp.getCalibration();
		assertEquals("mm", cal.getUnit());
		assertEquals(2.5, cal.pixelWidth, 1e-9);
		assertEquals(2.5, cal.pixelHeight, 1e-9);
		assertEquals(5.0, cal.pixelDepth, 1e-9);
		assertEquals(g.originMm()[0], cal.getX(0), 1e-6, "ImageJ x of pixel 0 = patient L of the first voxel");
		assertEquals(g.originMm()[2], cal.getZ(0), 1e-6, "ImageJ z of slice 1 = lowest slice position");
		assertEquals(16, imp.getStackSize());
		assertEquals("IM0001.dcm", imp.getStack().getSliceLabel(1).split("\n")[0].trim(),
			"slice labels carry the file names, in spatial order");
		assertEquals(image.get(64, 64, 8), imp.getStack().getProcessor(9).getf(64, 64), 0, "HU values");

		// Overlay fill pixels per slice make up the predicted mask; compare it with the reference.
		byte[] predicted = new byte[g.voxelCount()];
		int outlines = 0;
		for (Roi r : imp.getOverlay().toArray()) {
			int z = r.getPosition() - 1;
			if (r instanceof ImageRoi fill) {
				Rectangle b = fill.getBounds();
				for (int y = 0; y < b.height; y++)
					for (int x = 0; x < b.width; x++)
						if (fill.getProcessor().get(x, y) != 0) predicted[g.index(b.x + x, b.y + y, z)] = 1;
			} else if (r.getName() != null && r.getName().startsWith("Lesion")) {
				outlines++;
			}
		}
		Mask modelMask;
		try (org.medcnn.nn.Segmenter s = org.medcnn.nn.Models.openSegmenter(model)) {
			// Segment Tumors drops components below min_lesion (default 10 voxels), as Batch Process does
			modelMask = org.medcnn.volume.Lesions.removeSmall(s.segment(image, null, null).mask(),
				org.medcnn.ij.BatchProcessTool.MIN_LESION_VOXELS);
		}
		assertEquals(modelMask.foregroundCount(), new Mask(g, predicted).foregroundCount(),
			"overlay pixels = predicted mask voxels (without components under min_lesion)");
		double dice = Volumes.dice(new Mask(g, predicted), truth);
		assertTrue(dice > 0.5, "the overlay covers the reference lesion: Dice " + dice + " (model alone: "
			+ Volumes.dice(modelMask, truth) + ")");
		assertTrue(outlines > 0, "one outline per lesion and slice");
		ResultsTable rt = ResultsTable.getResultsTable(SegmentTumorsTool.TABLE_TITLE);
		assertNotNull(rt, "lesion table");
		assertTrue(rt.size() > 0, "lesion rows");

		screenshot(imp, truth);
	}

	/** Shows the slice with the most lesion, zoomed, beside the lesion table, and captures the screen. */
	private static void screenshot(ImagePlus imp, Mask truth) throws Exception {
		int best = 0;
		long most = -1;
		int n = truth.geometry().sliceSize();
		for (int z = 0; z < truth.geometry().nz(); z++) {
			long c = 0;
			for (int i = z * n; i < (z + 1) * n; i++) if (truth.labels()[i] != 0) c++;
			if (c > most) {
				most = c;
				best = z;
			}
		}
		imp.setSlice(best + 1);
		for (int i = 0; i < 50 && (imp.getWindow() == null || !imp.getWindow().isShowing()); i++) Thread.sleep(100);
		assertNotNull(imp.getWindow(), "the image has a window after leaving batch mode");
		IJ.run(imp, "Set... ", "zoom=300 x=64 y=64");
		EventQueue.invokeAndWait(() -> imp.getWindow().setLocation(0, 0));
		java.awt.Window table = WindowManager.getWindow(SegmentTumorsTool.TABLE_TITLE);
		if (table != null) {
			int x = imp.getWindow().getWidth() + 10;
			EventQueue.invokeAndWait(() -> {
				table.setLocation(x, 0);
				table.toFront();
			});
		}
		EventQueue.invokeAndWait(imp.getWindow()::toFront);
		Thread.sleep(800);
		EventQueue.invokeAndWait(() -> { });
		java.awt.Dimension screen = Toolkit.getDefaultToolkit().getScreenSize();
		int w = Math.min(screen.width, imp.getWindow().getWidth() + 10 + (table == null ? 0 : table.getWidth()));
		int h = Math.min(screen.height, Math.max(imp.getWindow().getHeight(), table == null ? 0 : table.getHeight()));
		BufferedImage shot = new Robot().createScreenCapture(new Rectangle(0, 0, w, h));
		Path file = Path.of("target", "ij-sample-screenshot.png");
		Files.createDirectories(file.getParent());
		ImageIO.write(shot, "png", file.toFile());
		assertTrue(Files.size(file) > 1000, "screenshot written");
	}
}
