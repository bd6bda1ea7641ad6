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
import org.medcnn.nn.TrainingConfig;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Train Segmenter...} for scripts and headless runs: trains a 2D U-Net from an images
 * folder and a masks folder and writes a model package, with the same data loading and the same training monitor
 * ({@link TrainingRun}: the live plot with Stop when there is a display outside batch mode, else Log lines) as
 * the ImageJ plugin. No menu entry (the menu item is {@link TrainSegmenterPlugin}).
 * <p>
 * Inputs are the plugin's macro keys: {@code images}, {@code masks}, {@code out}, {@code epochs}, {@code dims}
 * (2 only), {@code batch}, {@code learning}, {@code optimizer}, {@code loss}, {@code activation}, {@code filters},
 * {@code validation}; left out, they take the defaults of {@link SegmenterConfig#defaults()}. Outputs
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

	@Parameter(label = "Epochs", required = false, min = "1", max = "10000", persist = false)
	private int epochs = DEFAULTS.training().epochs();

	@Parameter(label = "Dims (2D U-Net only)", required = false, min = "2", max = "3", persist = false)
	private int dims = 2;

	@Parameter(label = "Batch size (slices per step)", required = false, min = "1", max = "4096", persist = false)
	private int batch = DEFAULTS.training().batchSize();

	@Parameter(label = "Learning rate", required = false, persist = false)
	private double learning = DEFAULTS.training().learningRate();

	@Parameter(label = "Optimizer", required = false, choices = {"sgd", "momentum", "adam"}, persist = false)
	private String optimizer = DEFAULTS.training().optimizer();

	@Parameter(label = "Loss", required = false, choices = {"cross-entropy", "mse", "dice", "dice-ce"}, persist = false)
	private String loss = DEFAULTS.training().loss();

	@Parameter(label = "Activation", required = false, choices = {"relu", "tanh", "sigmoid", "elu"}, persist = false)
	private String activation = DEFAULTS.training().activation();

	@Parameter(label = "Filters (first U-Net level)", required = false, min = "1", max = "256", persist = false)
	private int filters = DEFAULTS.baseFilters();

	@Parameter(label = "Validation fraction (of cases)", required = false, persist = false)
	private double validation = DEFAULTS.training().valFraction();

	@Parameter(type = ItemIO.OUTPUT)
	private File model;

	@Parameter(type = ItemIO.OUTPUT)
	private String status;

	@Override
	public void run() {
		if (dims != 2)
			throw new IllegalArgumentException("dims = " + dims + ": the 3D U-Net is not built yet; use dims=2");
		TrainingConfig tc = DEFAULTS.training().withEpochs(epochs).withBatchSize(batch).withLearningRate(learning)
			.withOptimizer(optimizer).withLoss(loss).withActivation(activation).withValFraction(validation);
		SegmenterConfig cfg = new SegmenterConfig(DEFAULTS.depth(), filters, DEFAULTS.windowCenterHu(),
			DEFAULTS.windowWidthHu(), tc);
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
			TrainingRun.Result r = TrainingRun.run(TrainSegmenterPlugin.TITLE, tc.epochs(), outDir, (l, c) -> Training
				.trainSegmenter(cases.stream().map(Datasets.Case::image).toList(), cases.stream().map(Datasets.Case::mask).toList(),
					cfg, l, c, outDir), cancel);
			model = r.model() == null ? null : r.model().toFile();
			status = r.status();
		} catch (IOException e) {
			throw new UncheckedIOException(TrainSegmenterPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
