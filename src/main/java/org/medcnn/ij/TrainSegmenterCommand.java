package org.medcnn.ij;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.pipeline.SegmenterRequest;
import org.medcnn.pipeline.TrainingPlanner;
import org.medcnn.pipeline.Trainings;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Train Segmenter...} for scripts and headless runs: trains a 2D or 3D U-Net from an images
 * folder and a masks folder and writes a model package, with the same data loading and the same training monitor
 * ({@link TrainingRun}: the live plot with Stop when there is a display outside batch mode, else Log lines) as
 * the ImageJ plugin. No menu entry (the menu item is {@link TrainSegmenterPlugin}).
 * <p>
 * Inputs are the plugin's macro keys: {@code images}, {@code masks}, {@code out}, {@code epochs}, {@code dims}
 * (2: 2D U-Net on axial slices, 3: 3D U-Net on patches), {@code batch}, {@code learning}, {@code clip_norm},
 * {@code optimizer}, {@code loss}, {@code activation}, {@code filters}, {@code validation}, {@code normalise},
 * {@code overwrite}, {@code assume_geometry}; left out,
 * they are planned from the data by the same {@link Trainings} pipeline as the CLI and the plugin use (epochs, batch
 * and filters 0 mean "auto"). Outputs
 * {@code model} (the package folder; null when stopped before an epoch finished) and {@code status}. A setting
 * out of range throws an {@link IllegalArgumentException} naming it; unreadable data an
 * {@link UncheckedIOException} naming the file.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Train Segmenter")
public class TrainSegmenterCommand implements Command {

	private static final TrainingConfig DEFAULTS = TrainingConfig.segmenterDefaults();

	@Parameter(label = "Images folder", style = "directory", persist = false)
	private File images;

	@Parameter(label = "Masks folder", style = "directory", persist = false)
	private File masks;

	@Parameter(label = "Out (model package folder)", style = "directory", persist = false)
	private File out;

	@Parameter(label = "Epochs (0: auto)", required = false, min = "0", max = "10000", persist = false)
	private int epochs;

	@Parameter(label = "Dims (2: 2D U-Net, 3: 3D U-Net on patches)", required = false, min = "2", max = "3", persist = false)
	private int dims = 2;

	@Parameter(label = "Batch size (patches per step; 0: auto)", required = false,
		min = "0", max = "4096", persist = false)
	private int batch;

	@Parameter(label = "Learning rate", required = false, persist = false)
	private double learning = DEFAULTS.learningRate();

	@Parameter(label = "Clip norm (gradient clipping at this global norm; 0 = off)", required = false, min = "0",
		persist = false)
	private double clip_norm = DEFAULTS.clipNorm();

	@Parameter(label = "Optimizer", required = false, choices = {"sgd", "momentum", "adam"}, persist = false)
	private String optimizer = DEFAULTS.optimizer();

	@Parameter(label = "Loss", required = false, choices = {"cross-entropy", "mse", "dice", "dice-ce"}, persist = false)
	private String loss = DEFAULTS.loss();

	@Parameter(label = "Activation", required = false, choices = {"relu", "tanh", "sigmoid", "elu"}, persist = false)
	private String activation = DEFAULTS.activation();

	@Parameter(label = "Filters (first U-Net level; 0: auto)", required = false, min = "0",
		max = "256", persist = false)
	private int filters;

	@Parameter(label = "Validation fraction (of cases)", required = false, persist = false)
	private double validation = DEFAULTS.valFraction();

	@Parameter(label = "Normalise (auto, ct, zscore, none or window C/W)", required = false, persist = false)
	private String normalise = "auto";

	@Parameter(label = "Overwrite (replace a model package already at out)", required = false, persist = false)
	private boolean overwrite;

	@Parameter(label = "Assume geometry (train on images without a recorded pixel spacing or position)", required = false,
		persist = false)
	private boolean assume_geometry;

	@Parameter(type = ItemIO.OUTPUT)
	private File model;

	@Parameter(type = ItemIO.OUTPUT)
	private String status;

	@Override
	public void run() {
		if (dims != 2 && dims != 3) throw new IllegalArgumentException("dims = " + dims + " is not 2 or 3");
		SegmenterRequest request = SegmenterRequest.builder().dims(dims).epochs(epochs == 0 ? null : epochs)
			.batch(batch == 0 ? null : batch).learningRate(learning).clipNorm(clip_norm).optimizer(optimizer).loss(loss)
			.activation(activation).filters(filters == 0 ? null : filters).valFraction(validation)
			.normalise(normalise == null || normalise.isBlank() ? null : normalise).overwrite(overwrite)
			.assumeGeometry(assume_geometry).build();
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TrainSegmenterPlugin.TITLE, cancel);
		try {
			Trainings.checkTarget(out.toPath(), overwrite);
			List<Datasets.Case> cases;
			try {
				cases = Datasets.loadCases(images.toPath(), masks.toPath(), progress, cancel);
			} finally {
				progress.done();
			}
			Path outDir = out.toPath();
			TrainingPlanner.SegmenterPlan plan = Trainings.planSegmenter(request, cases);
			TrainingRun.Result r = TrainingRun.run(TrainSegmenterPlugin.TITLE, plan.training().epochs(), outDir,
				(l, c) -> Trainings.trainSegmenter(plan, cases, l, c, outDir), cancel);
			model = r.model() == null ? null : r.model().toFile();
			status = r.status();
		} catch (IOException e) {
			throw new UncheckedIOException(TrainSegmenterPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
