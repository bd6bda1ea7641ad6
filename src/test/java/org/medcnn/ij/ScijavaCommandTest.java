package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.macro.Interpreter;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Lesion;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/**
 * The SciJava commands run headless through a {@link CommandService}, found through the plugin index that the
 * annotation processor writes ({@code META-INF/json/org.scijava.plugin.Plugin}), and have no menu entry. One tiny
 * segmenter (2 cases of {@link TinyCases}, 2 epochs) is trained by {@link TrainSegmenterCommand}; the other
 * commands use it. Batch mode keeps the training window closed under Xvfb.
 */
class ScijavaCommandTest {

	@TempDir
	static Path dir;

	private static Context context;
	private static CommandService commands;
	private static boolean batchMode;
	private static Path images, masks, model;

	@BeforeAll
	static void trainTinyModel() throws Exception {
		batchMode = Interpreter.batchMode;
		Interpreter.batchMode = true;
		context = new Context(CommandService.class);
		commands = context.getService(CommandService.class);
		images = dir.resolve("images");
		masks = dir.resolve("masks");
		TinyCases.write(images, masks, 2);
		CommandModule m = commands.run(TrainSegmenterCommand.class, true, "images", images.toFile(), "masks", masks.toFile(),
			"out", dir.resolve("model").toFile(), "epochs", 2, "filters", 4, "validation", 0.0).get();
		model = ((File) m.getOutput("model")).toPath();
		assertTrue(((String) m.getOutput("status")).startsWith("Model saved to"), (String) m.getOutput("status"));
	}

	@AfterAll
	static void closeContext() {
		Interpreter.batchMode = batchMode;
		if (context != null) context.dispose();
	}

	@Test
	void commandsAreIndexedWithoutMenuEntries() {
		List<CommandInfo> ours = commands.getCommands().stream().filter(c -> c.getClassName().startsWith("org.medcnn.")).toList();
		assertEquals(9, ours.size(), ours.toString());
		for (CommandInfo c : ours) {
			assertTrue(c.getMenuPath() == null || c.getMenuPath().isEmpty(), c.getClassName() + ": " + c.getMenuPath());
			assertTrue(c.canRunHeadless(), c.getClassName());
		}
	}

	@Test
	void trainSegmenterTrainsA3dUNetWithClipping() throws Exception {
		CommandModule m = commands.run(TrainSegmenterCommand.class, true, "images", images.toFile(), "masks", masks.toFile(),
			"out", dir.resolve("model3d").toFile(), "epochs", 1, "dims", 3, "filters", 2, "batch", 1, "clip_norm", 1.0,
			"validation", 0.0).get();
		assertTrue(((String) m.getOutput("status")).startsWith("Model saved to"), (String) m.getOutput("status"));
		String card = java.nio.file.Files.readString(((File) m.getOutput("model")).toPath().resolve("medcnn.json"));
		assertTrue(card.contains("\"unet3d\""), card);
		assertTrue(card.contains("\"clipNorm\": 1.0"), card);
	}

	@Test
	void modelInfoDescribesTheCard() throws Exception {
		String info = (String) commands.run(ModelInfoCommand.class, true, "model", model.toFile()).get().getOutput("info");
		assertTrue(info.startsWith("Model: model\n"), info);
		assertTrue(info.contains("Task: segmentation"), info);
	}

	@Test
	void modelInfoOfAMissingPackageFailsNamingIt() {
		File missing = dir.resolve("no-model").toFile();
		ExecutionException e = assertThrows(ExecutionException.class,
			() -> commands.run(ModelInfoCommand.class, true, "model", missing).get());
		Throwable t = e;
		while (t.getCause() != null && !(t instanceof java.io.UncheckedIOException)) t = t.getCause();
		assertTrue(t instanceof java.io.UncheckedIOException && t.getMessage().startsWith("Model Info: ")
			&& t.getMessage().contains("no-model"), t.toString());
	}

	@Test
	void batchProcessWritesPerCaseOutputsAndASummary() throws Exception {
		Path out = dir.resolve("batch");
		CommandModule m = commands.run(BatchProcessCommand.class, true, Map.of("input", images.toFile(), "model",
			model.toFile(), "output", out.toFile())).get();
		List<?> results = (List<?>) m.getOutput("results");
		assertEquals(2, results.size());
		for (Object r : results) assertTrue(((BatchProcessTool.CaseResult) r).ok(), r.toString());
		assertTrue(Files.isRegularFile(out.resolve(BatchProcessTool.SUMMARY_FILE)));
		assertTrue(Files.isRegularFile(out.resolve("case0.nii.gz")));
		assertEquals(3, Files.readAllLines(out.resolve(BatchProcessTool.SUMMARY_FILE)).size(), "header and two cases");
		assertTrue(((String) m.getOutput("status")).startsWith("2 case(s), 0 failed"), (String) m.getOutput("status"));
	}

	@Test
	void openDicomThenSegmentTumors() throws Exception {
		ImagePlus imp = (ImagePlus) commands.run(OpenDicomCommand.class, true, "path", images.resolve("case1").toFile()).get()
			.getOutput("image");
		assertEquals(4, imp.getStackSize());
		CommandModule m = commands.run(SegmentTumorsCommand.class, true, "image", imp, "model", model.toFile()).get();
		assertEquals(imp, m.getOutput("result"));
		ImagePlus mask = (ImagePlus) m.getOutput("mask");
		assertEquals(imp.getWidth(), mask.getWidth());
		assertEquals(imp.getStackSize(), mask.getStackSize());
		List<?> lesions = (List<?>) m.getOutput("lesions");
		for (Object l : lesions) assertTrue(((Lesion) l).voxelCount() > 0);

		CommandModule fromSeries = commands.run(SegmentTumorsCommand.class, true, "series", images.resolve("case1").toFile(),
			"model", model.toFile()).get();
		assertEquals(lesions.size(), ((List<?>) fromSeries.getOutput("lesions")).size(), "same image, same lesions");

		// engine = onnx: the package's ONNX weights on ONNX Runtime give the same mask (issue 14)
		CommandModule onnx = commands.run(SegmentTumorsCommand.class, true, "series", images.resolve("case1").toFile(),
			"model", model.toFile(), "engine", "onnx").get();
		ImagePlus onnxMask = (ImagePlus) onnx.getOutput("mask"), tfMask = (ImagePlus) fromSeries.getOutput("mask");
		for (int z = 1; z <= tfMask.getStackSize(); z++)
			org.junit.jupiter.api.Assertions.assertArrayEquals((byte[]) tfMask.getStack().getPixels(z),
				(byte[]) onnxMask.getStack().getPixels(z), "slice " + z + " on both engines");
	}

	@Test
	void annotationLoopCommands() throws Exception {
		// Add to Training Set: an opened series with its reference mask as the corrected mask image
		ImagePlus imp = (ImagePlus) commands.run(OpenDicomCommand.class, true, "path", images.resolve("case1").toFile()).get()
			.getOutput("image");
		org.medcnn.volume.Mask truth = org.medcnn.data.Datasets.loadMask(masks.resolve("case1.nii.gz"),
			IjVolumes.geometry(imp));
		Path project = dir.resolve("set");
		File manifest = (File) commands.run(AddToTrainingSetCommand.class, true, Map.of("image", imp, "mask",
			IjVolumes.toImagePlus(truth, "case1-mask"), "project", project.toFile(), "case_name", "c1")).get()
			.getOutput("manifest");
		assertTrue(manifest.isFile(), String.valueOf(manifest));
		List<org.medcnn.data.Datasets.Case> back = org.medcnn.data.Datasets.loadCases(project.resolve("images"),
			project.resolve("masks"), org.medcnn.common.ProgressListener.NONE, new org.medcnn.common.Cancellation());
		org.junit.jupiter.api.Assertions.assertArrayEquals(truth.labels(), back.get(0).mask().labels());

		// Fine-tune the tiny model on the set; then rank the images folder with the new model
		CommandModule ft = commands.run(FineTuneModelCommand.class, true, Map.of("model", model.toFile(), "images",
			project.resolve("images").toFile(), "masks", project.resolve("masks").toFile(), "out", dir.resolve("model-ft")
			.toFile(), "epochs", 1)).get();
		assertTrue(((String) ft.getOutput("status")).startsWith("Model saved to"), (String) ft.getOutput("status"));
		String card = Files.readString(((File) ft.getOutput("result")).toPath().resolve("medcnn.json"));
		assertTrue(card.contains("\"lineage\"") && card.contains("\"casesAdded\""), card);
		CommandModule sg = commands.run(SuggestNextCaseCommand.class, true, "model", ((File) ft.getOutput("result")),
			"folder", images.toFile()).get();
		assertEquals(2, ((List<?>) sg.getOutput("ranking")).size());
		assertTrue(((File) sg.getOutput("next")).getName().startsWith("case"));
	}
}
