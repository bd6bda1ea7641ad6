package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.measure.ResultsTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Models;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;

/**
 * {@code Train Segmenter...}, {@code Model Info...} and {@code Batch Process...} through ImageJ's real macro
 * interpreter in batch mode (commands installed from {@code plugins.config}, see {@link IjHarness}), on a tiny
 * synthetic data set written here as DICOM series and NIfTI masks; and the example macros in {@code macros/}.
 * Needs a display (Xvfb); skipped when headless.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrainBatchMacroTest {

	@TempDir
	static Path tmp;
	private static Path images, masks, model, batchInput;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		images = tmp.resolve("images");
		masks = tmp.resolve("masks");
		TinyCases.write(images, masks, 3);
		// The batch input: two good series and a folder with a truncated DICOM file.
		batchInput = Files.createDirectories(tmp.resolve("batch-in"));
		for (String c : new String[] {"case0", "case1"}) copyTree(images.resolve(c), batchInput.resolve(c));
		TinyCases.writeBroken(batchInput, tmp.resolve("broken-source"));
		List<Datasets.Case> cases = Datasets.loadCases(images, masks, org.medcnn.common.ProgressListener.NONE, new org.medcnn.common.Cancellation());
		model = Training.trainSegmenter(cases.stream().map(Datasets.Case::image).toList(),
			cases.stream().map(Datasets.Case::mask).toList(),
			new SegmenterConfig(2, 4, 40, 400, new TrainingConfig(40, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0)), null, null,
			tmp.resolve("model"));
	}

	private static void copyTree(Path from, Path to) throws IOException {
		Files.createDirectories(to);
		try (Stream<Path> s = Files.list(from)) {
			for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()));
		}
	}

	/** Runs a macro after clearing the Log and the dialog record; returns its result. */
	private static String macro(String code) {
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		return IJ.runMacro("setBatchMode(true);\n" + code + "\nreturn \"ran\";");
	}

	private static String log() {
		String log = IJ.getLog();
		return log == null ? "" : log;
	}

	@Test
	void menuCommandsAreInstalled() {
		Hashtable<?, ?> commands = IjHarness.commands();
		assertEquals(TrainSegmenterPlugin.class.getName(), commands.get("Train Segmenter..."));
		assertEquals(TrainClassifierPlugin.class.getName(), commands.get("Train Classifier..."));
		assertEquals(BatchProcessPlugin.class.getName(), commands.get("Batch Process..."));
		assertEquals(ModelInfoPlugin.class.getName(), commands.get("Model Info..."));
	}

	@Test
	void trainSegmenterFromFoldersLogsEveryEpoch() throws IOException {
		Path out = tmp.resolve("trained-by-macro");
		String result = macro("run(\"Train Segmenter...\", \"images=[" + images + "] masks=[" + masks + "] out=[" + out
			+ "] epochs=2 dims=2 batch=4 learning=0.01 optimizer=adam loss=dice-ce activation=relu filters=4 validation=0.34\");");
		assertEquals("ran", result, "the macro ran to its end; dialogs: " + IjHarness.DIALOGS);
		assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog in batch mode: " + IjHarness.DIALOGS);
		assertTrue(Files.isRegularFile(out.resolve("medcnn.json")), "the package was written");
		assertTrue(Files.isDirectory(out.resolve(Models.SAVED_MODEL_DIR)));
		assertEquals("segmentation", Models.readCard(out).task());
		String log = log();
		assertTrue(log.contains("Train Segmenter: epoch 1/2  loss "), log);
		assertTrue(log.contains("Train Segmenter: epoch 2/2  loss "), log);
		assertTrue(log.contains("val dice"), "validation with 1 of 3 cases: " + log);
		assertTrue(log.contains("Train Segmenter: Model saved to " + out), log);
	}

	@Test
	void trainClassifierFromClassFolders() throws IOException {
		Path data = tmp.resolve("classes");
		for (int k = 0; k < 6; k++) {
			org.medcnn.volume.Mask m = org.medcnn.volume.Mask.empty(TinyCases.GRID);
			org.medcnn.volume.Volume v = TinyCases.phantom(k, m);
			String cls = k % 2 == 0 ? "high" : "low";
			Files.createDirectories(data.resolve(cls));
			org.medcnn.dicom.DicomWriter.writeSingleSlice(v, k % 2 == 0 ? 1 : 3, data.resolve(cls).resolve("item" + k + ".dcm"),
				org.medcnn.dicom.DicomWriter.SeriesInfo.synthetic("cls-" + k, "Tiny^Class", "C" + k, "Class " + k));
		}
		Path out = tmp.resolve("classifier-by-macro");
		String result = macro("run(\"Train Classifier...\", \"data=[" + data + "] out=[" + out
			+ "] epochs=2 architecture=mlp batch=2 learning=0.01 optimizer=sgd loss=mse activation=tanh pooling=avg validation=0\");");
		assertEquals("ran", result, IjHarness.DIALOGS.toString());
		org.medcnn.nn.ModelCard card = Models.readCard(out);
		assertEquals("classification", card.task());
		assertEquals("mlp", card.architecture());
		assertEquals(List.of("high", "low"), card.classNames());
		String log = log();
		assertTrue(log.contains("Train Classifier: 6 items in classes [high, low]"), log);
		assertTrue(log.contains("Train Classifier: epoch 2/2  loss ") && log.contains("accuracy"), log);
		assertFalse(log.contains("val accuracy"), "no validation set: " + log);
	}

	@Test
	void withoutBatchModeTheLiveWindowAndTheCardWindowOpen() throws Exception {
		Path out = tmp.resolve("trained-with-window");
		IjHarness.clearDialogs();
		String result = IJ.runMacro("run(\"Train Segmenter...\", \"images=[" + images + "] masks=[" + masks + "] out=[" + out
			+ "] epochs=2 filters=4 validation=0\");\nrun(\"Model Info...\", \"model=[" + out + "]\");\nreturn \"ran\";");
		assertEquals("ran", result, IjHarness.DIALOGS.toString());
		java.awt.EventQueue.invokeAndWait(() -> { });
		TrainingWindow training = null;
		for (java.awt.Frame f : java.awt.Frame.getFrames())
			if (f instanceof TrainingWindow t && t.isShowing()) training = t;
		assertTrue(training != null, "the live training window is open");
		assertEquals("Model saved to " + out, training.statusText());
		ij.text.TextWindow info = (ij.text.TextWindow) ij.WindowManager.getWindow("Model Info - trained-with-window");
		assertTrue(info != null, "the card is shown in a text window");
		assertTrue(info.getTextPanel().getText().contains("Task: segmentation"));
		Thread.sleep(500);
		java.awt.image.BufferedImage shot = new java.awt.Robot().createScreenCapture(info.getBounds());
		javax.imageio.ImageIO.write(shot, "png", Path.of("target", "model-info.png").toFile());
		TrainingWindow t = training;
		java.awt.EventQueue.invokeAndWait(() -> {
			t.dispose();
			info.close(false);
		});
	}

	@Test
	void threeDimensionsTrainA3dUNet() throws IOException {
		Path out = tmp.resolve("unet3d-by-macro");
		String result = macro("run(\"Train Segmenter...\", \"images=[" + images + "] masks=[" + masks + "] out=[" + out
			+ "] epochs=1 dims=3 filters=2 batch=1\");");
		assertEquals("ran", result, IjHarness.DIALOGS.toString());
		assertEquals(3, org.medcnn.nn.Models.readCard(out).dims(), "a 3D U-Net package");
		// the planner's patch: the cases' own 4 × 32 × 32 voxels (they are smaller than any default patch)
		assertTrue(log().contains("3D U-Net on [4, 32, 32] patches"), log());
	}

	@Test
	void unknownKeyStopsTheMacro() {
		String result = macro("run(\"Train Segmenter...\", \"images=[" + images + "] masks=[" + masks + "] out=["
			+ tmp.resolve("never") + "] epoch=2\");");
		assertNotEquals("ran", result, "a misspelt key must stop the macro, not train 30 epochs");
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("Unknown macro key epoch")), IjHarness.DIALOGS.toString());
		result = macro("run(\"Batch Process...\", \"input=[" + batchInput + "] modell=[" + model + "]\");");
		assertNotEquals("ran", result);
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("Unknown macro key modell")), IjHarness.DIALOGS.toString());
	}

	@Test
	void modelInfoPrintsTheCardToTheLog() {
		String result = macro("run(\"Model Info...\", \"model=[" + model + "]\");");
		assertEquals("ran", result, IjHarness.DIALOGS.toString());
		String log = log();
		assertTrue(log.contains("Task: segmentation"), log);
		assertTrue(log.contains("Intended use: research only"), log);
		assertTrue(log.contains("type: unet2d"), log);
		assertTrue(log.contains("history:"), log);
	}

	@Test
	void batchProcessWritesMasksAndASummaryWithTheBrokenCase() throws IOException {
		Path out = tmp.resolve("batch-out");
		List<String> before = listing(batchInput);
		String result = macro("run(\"Batch Process...\", \"input=[" + batchInput + "] model=[" + model + "] output=[" + out
			+ "]\");");
		assertEquals("ran", result, "a broken case does not stop the batch: " + IjHarness.DIALOGS);
		assertTrue(Files.isRegularFile(out.resolve("case0.nii.gz")));
		assertTrue(Files.isRegularFile(out.resolve("case1.nii.gz")));
		// case0 has a lesion: its DICOM SEG is written and reads back to the NIfTI mask.
		Path seg = out.resolve("case0_seg.dcm");
		assertTrue(Files.isRegularFile(seg), "a DICOM SEG per DICOM case with lesions");
		org.medcnn.volume.Mask nifti = org.medcnn.volume.Nifti.readMask(out.resolve("case0.nii.gz"));
		assertArrayEquals(nifti.labels(), org.medcnn.dicom.seg.SegReader.read(seg, nifti.geometry()).labels());
		assertTrue(Files.isRegularFile(out.resolve("case0_lesions.csv")));
		assertTrue(Files.isRegularFile(out.resolve("case0_overlay.png")), "the model finds the lesion: " + listing(out));
		assertFalse(Files.exists(out.resolve("caseBroken.nii.gz")));
		List<String> summary = Files.readAllLines(out.resolve(BatchProcessTool.SUMMARY_FILE));
		assertEquals(4, summary.size(), summary.toString());
		assertEquals(BatchProcessTool.SUMMARY_HEADER, summary.get(0));
		assertTrue(summary.get(1).matches("case0,[0-9.]+,1,[0-9.]+,[0-9.]+,"), "UID, 1 lesion, no error: " + summary.get(1));
		assertTrue(summary.get(2).matches("case1,[0-9.]+,\\d+,[0-9.]+,[0-9.]+,"), summary.get(2));
		assertTrue(summary.get(3).startsWith("caseBroken,,,,,"), summary.get(3));
		assertTrue(summary.get(3).contains("no readable DICOM image series"), summary.get(3));
		try (Stream<Path> s = Files.list(out)) {
			assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temporary files left");
		}
		assertEquals(before, listing(batchInput), "the input is not modified");
		ResultsTable rt = Tables.named(BatchProcessPlugin.TABLE_TITLE);
		assertEquals(3, rt.size());
		assertEquals("caseBroken", rt.getStringValue("case", 2));
		assertTrue(rt.getStringValue("error", 2).contains("no readable DICOM"));
		assertTrue(log().contains("Batch Process: 3 case(s), 1 failed"), log());

		String inside = macro("run(\"Batch Process...\", \"input=[" + batchInput + "] model=[" + model + "] output=["
			+ batchInput.resolve("results") + "]\");");
		assertNotEquals("ran", inside);
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("is inside the input folder")), IjHarness.DIALOGS.toString());
	}

	@Test
	void exampleMacrosRun() throws IOException {
		Path batchOut = tmp.resolve("example-batch");
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		String r = IJ.runMacroFile(Path.of("macros", "batch_segment_folder.ijm").toAbsolutePath().toString(),
			"input=[" + batchInput + "] model=[" + model + "] output=[" + batchOut + "]");
		assertNotEquals("[aborted]", r, IjHarness.DIALOGS.toString());
		assertTrue(Files.isRegularFile(batchOut.resolve(BatchProcessTool.SUMMARY_FILE)), log());
		assertTrue(log().contains("MedCNN batch finished"), log());

		Path trained = tmp.resolve("example-model");
		IJ.log("\\Clear");
		r = IJ.runMacroFile(Path.of("macros", "train_and_segment.ijm").toAbsolutePath().toString(),
			"images=[" + images + "] masks=[" + masks + "] model=[" + trained + "] series=[" + images.resolve("case2")
				+ "] epochs=2");
		assertNotEquals("[aborted]", r, IjHarness.DIALOGS.toString());
		assertTrue(IjHarness.DIALOGS.isEmpty(), IjHarness.DIALOGS.toString());
		String log = log();
		assertTrue(log.contains("Train Segmenter: epoch 2/2"), log);
		assertTrue(log.contains("Task: segmentation"), log);
		assertTrue(log.contains("Segmented Tiny case 2 with " + trained), log);
		IJ.run("Close All");
	}

	private static List<String> listing(Path dir) throws IOException {
		List<String> out = new ArrayList<>();
		try (Stream<Path> s = Files.walk(dir)) {
			for (Path p : s.sorted().toList())
				out.add(dir.relativize(p) + (Files.isRegularFile(p) ? " " + Files.size(p) : ""));
		}
		return out;
	}
}
