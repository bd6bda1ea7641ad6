package org.medcnn.ij;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.TrainingConfig;
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
 * {@code optimizer}, {@code loss}, {@code activation}, {@code filters}, {@code validation}; left out, they take the
 * defaults of {@link SegmenterConfig#defaults()} or, with dims 3, {@link Segmenter3dConfig#defaults()} (epochs,
 * batch and filters 0 mean "the default of the chosen dims"). Outputs
 * {@code model} (the package folder; null when stopped before an epoch finished) and {@code status}. A setting
 * out of range throws an {@link IllegalArgumentException} naming it; unreadable data an
 * {@link UncheckedIOException} naming the file.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Train Segmenter")
public class TrainSegmenterCommand implements Command {

	private static final SegmenterConfig DEFAULTS = SegmenterConfig.defaults();

	@Parameter(label = "Images folder", style = "directory", persist = false)
	private File images;

	@Parameter(label = "Masks folder", style = "directory", persist = false)
	private File masks;

	@Parameter(label = "Out (model package folder)", style = "directory", persist = false)
	private File out;

	@Parameter(label = "Epochs (0: the default of the chosen dims)", required = false, min = "0", max = "10000", persist = false)
	private int epochs;

	@Parameter(label = "Dims (2: 2D U-Net, 3: 3D U-Net on patches)", required = false, min = "2", max = "3", persist = false)
	private int dims = 2;

	@Parameter(label = "Batch size (slices or patches per step; 0: the default of the chosen dims)", required = false,
		min = "0", max = "4096", persist = false)
	private int batch;

	@Parameter(label = "Learning rate", required = false, persist = false)
	private double learning = DEFAULTS.training().learningRate();

	@Parameter(label = "Clip norm (gradient clipping at this global norm; 0 = off)", required = false, min = "0",
		persist = false)
	private double clip_norm = DEFAULTS.training().clipNorm();

	@Parameter(label = "Optimizer", required = false, choices = {"sgd", "momentum", "adam"}, persist = false)
	private String optimizer = DEFAULTS.training().optimizer();

	@Parameter(label = "Loss", required = false, choices = {"cross-entropy", "mse", "dice", "dice-ce"}, persist = false)
	private String loss = DEFAULTS.training().loss();

	@Parameter(label = "Activation", required = false, choices = {"relu", "tanh", "sigmoid", "elu"}, persist = false)
	private String activation = DEFAULTS.training().activation();

	@Parameter(label = "Filters (first U-Net level; 0: the default of the chosen dims)", required = false, min = "0",
		max = "256", persist = false)
	private int filters;

	@Parameter(label = "Validation fraction (of cases)", required = false, persist = false)
	private double validation = DEFAULTS.training().valFraction();

	@Parameter(type = ItemIO.OUTPUT)
	private File model;

	@Parameter(type = ItemIO.OUTPUT)
	private String status;

	@Override
	public void run() {
		if (dims != 2 && dims != 3) throw new IllegalArgumentException("dims = " + dims + " is not 2 or 3");
		boolean threeD = dims == 3;
		Segmenter3dConfig d3 = Segmenter3dConfig.defaults();
		TrainingConfig td = threeD ? d3.training() : DEFAULTS.training();
		TrainingConfig tc = td.withEpochs(epochs == 0 ? td.epochs() : epochs).withBatchSize(batch == 0 ? td.batchSize() : batch)
			.withLearningRate(learning).withClipNorm(clip_norm).withOptimizer(optimizer).withLoss(loss)
			.withActivation(activation).withValFraction(validation);
		int f = filters == 0 ? (threeD ? d3.baseFilters() : DEFAULTS.baseFilters()) : filters;
		SegmenterConfig cfg = new SegmenterConfig(DEFAULTS.depth(), f, DEFAULTS.windowCenterHu(), DEFAULTS.windowWidthHu(), tc);
		Segmenter3dConfig cfg3 = new Segmenter3dConfig(d3.depth(), f, d3.patchZyx(), d3.windowCenterHu(), d3.windowWidthHu(), tc);
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TrainSegmenterPlugin.TITLE, cancel);
		try {
			List<Datasets.Case> cases;
			try {
				cases = Datasets.loadCases(images.toPath(), masks.toPath(), progress, cancel);
			} finally {
				progress.done();
			}
			Path outDir = out.toPath();
			var vols = cases.stream().map(Datasets.Case::image).toList();
			var labels = cases.stream().map(Datasets.Case::mask).toList();
			TrainingRun.Result r = TrainingRun.run(TrainSegmenterPlugin.TITLE, tc.epochs(), outDir, (l, c) -> threeD
				? Training.trainSegmenter3d(vols, labels, cfg3, l, c, outDir)
				: Training.trainSegmenter(vols, labels, cfg, l, c, outDir), cancel);
			model = r.model() == null ? null : r.model().toFile();
			status = r.status();
		} catch (IOException e) {
			throw new UncheckedIOException(TrainSegmenterPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
