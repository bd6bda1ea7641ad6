package org.medcnn.ij;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.volume.Lesions;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Batch Process...} for scripts and headless runs: runs a segmentation model over every
 * case under {@code input} and writes per-case outputs and {@value BatchProcessTool#SUMMARY_FILE} into
 * {@code output}, through {@link BatchProcessTool} like the ImageJ plugin. No menu entry (the menu item is
 * {@link BatchProcessPlugin}).
 * <p>
 * Inputs {@code input}, {@code model}, {@code output}, {@code tta}, {@code min_lesion}, {@code rtstruct},
 * {@code classifier}, {@code engine} (the plugin's macro keys); outputs {@code results} (one
 * {@link BatchProcessTool.CaseResult} per case; failed cases carry their error) and {@code status}. A model or
 * folder that cannot be read throws an {@link UncheckedIOException}; a wrong folder an
 * {@link IllegalArgumentException}, each naming the path.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Batch Process")
public class BatchProcessCommand implements Command {

	@Parameter(label = "Input folder (one case per entry)", style = "directory", persist = false)
	private File input;

	@Parameter(label = "Model (segmentation package)", style = "directory", persist = false)
	private File model;

	@Parameter(label = "Output folder", style = "directory", persist = false)
	private File output;

	@Parameter(label = "Flip test-time augmentation", required = false, persist = false)
	private boolean tta;

	@Parameter(label = "Smallest lesion kept (voxels)", required = false, min = "1", persist = false)
	private int min_lesion = Lesions.DEFAULT_MIN_VOXELS;

	@Parameter(label = "Also an RT Structure Set per DICOM case", required = false, persist = false)
	private boolean rtstruct;

	@Parameter(label = "Classifier of lesion crops (optional)", style = "directory", required = false, persist = false)
	private File classifier;

	@Parameter(label = "Measure cases without a recorded pixel spacing or position", required = false, persist = false)
	private boolean assume_geometry;

	@Parameter(label = "Engine (runtime: TensorFlow SavedModel or the packages' ONNX weights)", choices = {"tensorflow",
		"onnx"}, required = false, persist = false)
	private String engine = "tensorflow";

	@Parameter(type = ItemIO.OUTPUT)
	private List<BatchProcessTool.CaseResult> results;

	@Parameter(type = ItemIO.OUTPUT)
	private String status;

	@Override
	public void run() {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(BatchProcessPlugin.TITLE, cancel);
		InferenceEngine runtime = InferenceEngine.parse(engine);
		try (Segmenter segmenter = Models.openSegmenter(model.toPath(), runtime);
			Classifier grader = classifier == null ? null : Models.openClassifier(classifier.toPath(), runtime)) {
			results = BatchProcessTool.run(input.toPath(), segmenter, segmenter.card(), output.toPath(),
				new CaseSegmentation.Options(tta, min_lesion, true, rtstruct, grader).withAssumeGeometry(assume_geometry), progress,
				cancel);
			long failed = results.stream().filter(r -> !r.ok()).count();
			status = results.size() + " case(s), " + failed + " failed; results in " + output;
		} catch (IOException e) {
			throw new UncheckedIOException(BatchProcessPlugin.TITLE + ": " + e.getMessage(), e);
		} finally {
			progress.done();
		}
	}
}
