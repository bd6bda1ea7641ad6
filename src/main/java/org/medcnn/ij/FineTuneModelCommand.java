package org.medcnn.ij;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.FineTuning;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Fine-tune Model...} for scripts and headless runs: the same {@link FineTuning} pipeline
 * and training monitor ({@link TrainingRun}) as the plugin. Inputs are the plugin's macro keys ({@code model},
 * {@code images}, {@code masks}, {@code out}, {@code epochs}, {@code refit}, {@code overwrite}, {@code assume_geometry}); outputs {@code result}
 * (the new package; null when stopped before an epoch finished) and {@code status}. No menu entry.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Fine-tune Model")
public class FineTuneModelCommand implements Command {

	@Parameter(label = "Model (package to start from)", style = "directory", persist = false)
	private File model;

	@Parameter(label = "Images folder", style = "directory", persist = false)
	private File images;

	@Parameter(label = "Masks folder", style = "directory", persist = false)
	private File masks;

	@Parameter(label = "Out (new model package folder)", style = "directory", persist = false)
	private File out;

	@Parameter(label = "Epochs", required = false, min = "1", max = "100000", persist = false)
	private int epochs = FineTuning.DEFAULT_EPOCHS;

	@Parameter(label = "Refit (normalisation and spacing from the new set)", required = false, persist = false)
	private boolean refit;

	@Parameter(label = "Overwrite (a package at out; never the parent)", required = false, persist = false)
	private boolean overwrite;

	@Parameter(label = "Assume geometry (train on images without a recorded pixel spacing or position)", required = false,
		persist = false)
	private boolean assume_geometry;

	@Parameter(type = ItemIO.OUTPUT)
	private File result;

	@Parameter(type = ItemIO.OUTPUT)
	private String status;

	@Override
	public void run() {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(FineTuneModelPlugin.TITLE, cancel);
		try {
			Path outDir = out.toPath();
			FineTuning.Request request = new FineTuning.Request(model.toPath(), epochs, null, refit, overwrite, null,
				assume_geometry);
			FineTuning.check(request, outDir);
			List<Datasets.Case> cases;
			try {
				cases = Datasets.loadCases(images.toPath(), masks.toPath(), progress, cancel);
			} finally {
				progress.done();
			}
			FineTuning.Plan plan = FineTuning.plan(request, cases, outDir);
			TrainingRun.Result r = TrainingRun.run(FineTuneModelPlugin.TITLE, plan.plan().training().epochs(), outDir,
				(l, c) -> FineTuning.fineTune(plan, cases, l, c, outDir), cancel);
			result = r.model() == null ? null : r.model().toFile();
			status = r.status();
		} catch (IOException e) {
			throw new UncheckedIOException(FineTuneModelPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
