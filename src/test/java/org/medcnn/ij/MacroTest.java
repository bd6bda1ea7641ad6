package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.ImageWindow;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.Calibration;
import ij.measure.ResultsTable;

import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.nn.Models;
import org.medcnn.nn.Synthetic;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.testing.HeldOut;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The golden path of a Fiji user, through ImageJ 1.x's real macro interpreter and menu-command lookup:
 * {@code run("Open DICOM...")}, {@code run("Segment Tumors...")} and {@code run("Classify Risk...")} in batch
 * mode, on a synthetic CT series written as DICOM files, with small models trained here.
 * <p>
 * The commands are found the way Fiji finds them: a jar holding our {@code plugins.config} sits in the
 * {@code plugins} folder that {@code plugins.dir} names, and ImageJ installs its entries on start-up (the
 * classes come from the class path). Needs a display (run under Xvfb); skipped when headless. Writes a screenshot
 * of the image window with its overlay to {@code target/ij-screenshot.png}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MacroTest {

	private static final Geometry GRID = new Geometry(64, 64, 8, new double[] {0.75, 0.75, 3},
		new double[] {-24, -30, 110}, Geometry.AXIAL);

	@TempDir
	static Path tmp;
	private static Path seriesDir, segmenterDir, classifierDir;
	private static Volume ct;
	private static Mask truth;
	private static final List<Volume> trainImages = new ArrayList<>();
	private static final List<Mask> trainMasks = new ArrayList<>();

	/** Titles and texts of the dialogs that opened (and were closed at once, so that no test waits on one). */
	private static final List<String> DIALOGS = IjHarness.DIALOGS;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp); // reads plugins.dir, as Fiji does on start-up
		ct = phantom(7, truth = Mask.empty(GRID));
		seriesDir = tmp.resolve("case01");
		DicomWriter.writeSeries(ct, seriesDir,
			DicomWriter.SeriesInfo.synthetic("macro-test", "Test^Patient", "ID0001", "Synthetic abdomen"));
		segmenterDir = trainSegmenter(tmp.resolve("segmenter"));
		classifierDir = trainClassifier(tmp.resolve("classifier"));
	}

	/**
	 * A 64×64×8 abdomen: a water-like body (40 HU) in air, with two bright lesions (130 HU) — a ball of radius 6
	 * pixels and one of radius 4 (in-plane; slices are 4 pixels apart), at least 14 pixels apart at places drawn from
	 * the seed — and on each slice a vessel as bright as the lesions ({@link Synthetic#vessels}, inside the body), so
	 * that no threshold finds the lesions; plus Gaussian noise (σ 8 HU). Fills {@code mask} with the lesions.
	 */
	private static Volume phantom(long seed, Mask mask) {
		java.util.Random rnd = new java.util.Random(seed);
		double ax, ay, bx, by;
		do {
			ax = 16 + 32 * rnd.nextDouble();
			ay = 18 + 28 * rnd.nextDouble();
			bx = 16 + 32 * rnd.nextDouble();
			by = 18 + 28 * rnd.nextDouble();
		} while (sq(ax - bx) + sq(ay - by) < 14 * 14);
		int az = 2 + rnd.nextInt(4), bz = 2 + rnd.nextInt(4);
		float[] v = new float[GRID.voxelCount()];
		byte[] m = mask.labels();
		for (int z = 0; z < GRID.nz(); z++) {
			boolean[] vessel = Synthetic.vessels(GRID.nx(), GRID.ny(), 1, rnd);
			for (int y = 0; y < GRID.ny(); y++)
				for (int x = 0; x < GRID.nx(); x++) {
					boolean body = sq((x - 32) / 28.0) + sq((y - 32) / 24.0) <= 1;
					float hu = body ? 40 : -1000;
					if (body && vessel[y * GRID.nx() + x]) hu = 130;
					boolean lesion = sq(x - ax) + sq(y - ay) + sq((z - az) * 4.0) <= 36
						|| sq(x - bx) + sq(y - by) + sq((z - bz) * 4.0) <= 16;
					if (lesion) {
						hu = 130;
						m[GRID.index(x, y, z)] = 1;
					}
					v[GRID.index(x, y, z)] = Math.round(hu + 8 * rnd.nextGaussian());
				}
		}
		List<String> labels = new ArrayList<>();
		for (int z = 0; z < GRID.nz(); z++) labels.add("");
		return new Volume(GRID, v, "CT", labels);
	}

	private static double sq(double a) {
		return a * a;
	}

	/**
	 * A small 2D U-Net fitted to two other phantoms (seeds 8 and 9), so that the series the macro opens (seed 7) is
	 * a case it never saw (a few seconds on a CPU).
	 */
	private static Path trainSegmenter(Path out) throws IOException {
		for (long seed : new long[] {8, 9}) {
			Mask m = Mask.empty(GRID);
			trainImages.add(phantom(seed, m));
			trainMasks.add(m);
		}
		TrainingConfig t = new TrainingConfig(80, 8, 1e-2, "adam", "dice-ce", "relu", 42, 0);
		return Training.trainSegmenter(trainImages, trainMasks, new SegmenterConfig(2, 8, 40, 400, t), null, null, out);
	}

	/** A tiny classifier: slices with a lesion are "high", the others "low". */
	private static Path trainClassifier(Path out) throws IOException {
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[GRID.nz()];
		for (int z = 0; z < GRID.nz(); z++) {
			items.add(org.medcnn.volume.Volumes.slice(ct, z));
			labels[z] = truth.sliceHasForeground(z) ? 0 : 1;
		}
		TrainingConfig t = new TrainingConfig(30, 8, 3e-3, "adam", "cross-entropy", "relu", 42, 0);
		ClassifierConfig cfg = new ClassifierConfig("cnn", 32, new int[] {4}, 8, "max", 40, 400, t);
		return Training.trainClassifier(items, labels, List.of("high", "low"), cfg, null, null, out);
	}

	@Test
	void pluginsConfigInstallsTheMenuCommands() {
		Hashtable<?, ?> commands = commands();
		assertEquals(OpenDicomPlugin.class.getName(), commands.get("Open DICOM..."));
		assertEquals(SegmentTumorsPlugin.class.getName(), commands.get("Segment Tumors..."));
		assertEquals(ClassifyRiskPlugin.class.getName(), commands.get("Classify Risk..."));
	}

	@Test
	void openSegmentAndClassifyInBatchMode() throws Exception {
		commands();
		String macro = "setBatchMode(true);\n"
			+ "run(\"Open DICOM...\", \"path=[" + seriesDir + "]\");\n"
			+ "run(\"Segment Tumors...\", \"model=[" + segmenterDir + "]\");\n"
			+ "setSlice(4);\n"
			+ "run(\"Classify Risk...\", \"model=[" + classifierDir + "]\");\n"
			+ "title = getTitle();\n"
			+ "setBatchMode(\"exit and display\");\n"
			+ "return title;";
		DIALOGS.clear();
		String title = IJ.runMacro(macro);
		assertTrue(DIALOGS.isEmpty(), "no dialog opens in batch mode: " + DIALOGS);
		assertFalse(title == null || title.equals("[aborted]"), "the macro failed: " + title);
		assertEquals("Synthetic abdomen", title);
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp, "the image is open");

		// Calibration and values as read from the DICOM files.
		Calibration cal = imp.getCalibration();
		assertEquals("mm", cal.getUnit());
		assertEquals(0.75, cal.pixelWidth, 1e-9);
		assertEquals(0.75, cal.pixelHeight, 1e-9);
		assertEquals(3, cal.pixelDepth, 1e-9);
		assertEquals(-24, cal.getX(0), 1e-6, "ImageJ x of pixel 0 is the patient's L coordinate");
		assertEquals(110, cal.getZ(0), 1e-6);
		assertEquals(8, imp.getStackSize());
		assertEquals(ct.get(20, 24, 3), imp.getStack().getProcessor(4).getf(20, 24), 0, "HU values as written");
		assertTrue(imp.getInfoProperty().contains("SeriesInstanceUID"));
		assertFalse(imp.getInfoProperty().contains("Test^Patient"), "patient name hidden from the Info");

		// The overlay shows the model's segmentation, slice by slice, without components under min_lesion (default
		// 10 voxels; a stray voxel on a vessel is one).
		Segmentation expected;
		try (Segmenter s = Models.openSegmenter(segmenterDir)) {
			expected = s.segment(IjVolumes.toVolume(imp), null, null);
		}
		Mask mask = Lesions.removeSmall(expected.mask(), BatchProcessTool.MIN_LESION_VOXELS);
		assertTrue(mask.foregroundCount() > 0, "the model finds the lesions");
		Roi[] rois = imp.getOverlay().toArray();
		Set<Integer> outlinedSlices = new HashSet<>();
		for (int z = 0; z < GRID.nz(); z++) {
			int filled = 0;
			for (Roi r : rois)
				if (r instanceof ImageRoi fill && r.getPosition() == z + 1) {
					for (int i = 0; i < fill.getProcessor().getPixelCount(); i++)
						if (fill.getProcessor().get(i) != 0) filled++;
				} else if (r.getName() != null && r.getName().startsWith("Lesion ") && r.getPosition() == z + 1) {
					outlinedSlices.add(z);
				}
			int inMask = 0;
			for (int i = z * GRID.sliceSize(); i < (z + 1) * GRID.sliceSize(); i++) if (mask.labels()[i] != 0) inMask++;
			assertEquals(inMask, filled, "overlay pixels on slice " + (z + 1));
			assertEquals(inMask > 0, outlinedSlices.contains(z), "outlines on slice " + (z + 1));
		}
		// the series is a case the model never saw, whose vessels hold a global threshold to 0.43 (measured: U-Net
		// 0.92; trained on phantoms without vessels, a learnt threshold, 0.46; after 1 epoch 0)
		new HeldOut.Scores(org.medcnn.volume.Volumes.dice(mask, truth),
			HeldOut.thresholdDice(trainImages, trainMasks, List.of(ct), List.of(truth))).assertBeatsThreshold(0.2, 0.75);

		// Lesion table and risk label.
		ResultsTable lesions = Tables.named(SegmentTumorsTool.TABLE_TITLE);
		assertTrue(lesions.size() >= 1, "lesion rows");
		assertEquals(1, lesions.getValue("lesion", 0), 0);
		assertTrue(lesions.getValue("volume (mL)", 0) > 0);
		TextRoi label = (TextRoi) Arrays.stream(rois).filter(r -> ClassifyRiskTool.LABEL_NAME.equals(r.getName()))
			.findFirst().orElseThrow();
		assertTrue(label.getText().trim().matches("Risk: (high|low) \\(\\d\\.\\d\\d\\)"), label.getText());
		assertEquals(4, label.getPosition());
		ResultsTable risk = Tables.named(ClassifyRiskTool.TABLE_TITLE);
		assertEquals(4, risk.getValue("slice", risk.size() - 1), 0);

		screenshot(imp, 4, Path.of("target", "ij-screenshot.png"));

		// Saved as TIFF and opened again: overlay (fills, outlines, risk label), calibration and HU survive.
		Path tif = tmp.resolve("annotated.tif");
		assertTrue(IJ.saveAsTiff(imp, tif.toString()), "saved as TIFF");
		ImagePlus again = IJ.openImage(tif.toString());
		assertNotNull(again.getOverlay(), "overlay saved with the TIFF");
		assertEquals(imp.getOverlay().size(), again.getOverlay().size(), "every overlay element survives");
		assertEquals(imp.getOverlay().toArray().length, again.getOverlay().toArray().length);
		for (int i = 0; i < imp.getOverlay().size(); i++)
			assertEquals(imp.getOverlay().get(i).getPosition(), again.getOverlay().get(i).getPosition(), "slice of element " + i);
		assertEquals("mm", again.getCalibration().getUnit());
		// TIFF stores the pixel size as a rational number: ImageJ's calibration comes back within 1e-6 mm...
		assertEquals(0.75, again.getCalibration().pixelWidth, 1e-6);
		assertEquals(3, again.getCalibration().pixelDepth, 1e-6);
		// ...and MedCNN's own image properties give the exact geometry back.
		assertEquals("", IjVolumes.geometry(imp).describeMismatch(IjVolumes.geometry(again), 1e-9), "exact geometry from the properties");
		assertEquals(imp.getStack().getProcessor(4).getf(20, 24), again.getStack().getProcessor(4).getf(20, 24), 0);
		again.close();
	}

	@Test
	void unknownMacroKeysAbortTheMacro() {
		commands();
		String result = IJ.runMacro("setBatchMode(true);\nrun(\"Open DICOM...\", \"pth=[" + seriesDir + "]\");\nreturn \"ran\";");
		assertNotEquals("ran", result, "a misspelt key must stop the macro, not open a folder chooser");
		assertTrue(DIALOGS.stream().anyMatch(d -> d.contains("Unknown macro key pth")), DIALOGS.toString());
	}

	/** ImageJ's command table, initialised (from plugins.dir) on first use. */
	private static Hashtable<?, ?> commands() {
		if (Menus.getCommands() == null) IJ.run("Close All");
		Hashtable<?, ?> commands = Menus.getCommands();
		assertNotNull(commands, "ImageJ initialised its menus");
		return commands;
	}

	/** Shows slice {@code slice} of the image in its window and captures the window from the screen. */
	private static void screenshot(ImagePlus imp, int slice, Path file) throws Exception {
		imp.setSlice(slice);
		for (int i = 0; i < 50 && (imp.getWindow() == null || !imp.getWindow().isShowing()); i++) Thread.sleep(100);
		ImageWindow win = imp.getWindow();
		assertNotNull(win, "the image has a window after leaving batch mode");
		IJ.run(imp, "Set... ", "zoom=400 x=32 y=32");
		EventQueue.invokeAndWait(win::toFront);
		Thread.sleep(800);
		EventQueue.invokeAndWait(() -> { });
		Rectangle bounds = win.getBounds();
		BufferedImage shot = new Robot().createScreenCapture(bounds);
		Files.createDirectories(file.getParent());
		ImageIO.write(shot, "png", file.toFile());
		assertTrue(Files.size(file) > 1000, "screenshot written");
	}
}
