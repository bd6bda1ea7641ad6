package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Models;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.ClassifierRequest;
import org.medcnn.pipeline.Trainings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train-classifier}: trains a CNN (or MLP) classifier on a class-folder layout. */
@Command(name = "train-classifier", header = "train a classifier (CNN or MLP) on class folders", description = {
	"Settings marked \"auto\" follow the data (a dataset fingerprint, printed first, with the plan)."})
final class TrainClassifierCommand implements Main.Command {

	@Option(names = "--data", paramLabel = "DIR", required = true, description = "one sub-folder per class (sorted names = "
		+ "class order, e.g. high/ intermediate/ low/); items: DICOM files, DICOM series folders or NIfTI files (middle "
		+ "slice)")
	Path data;

	@Mixin
	TrainingOptions.Output output;

	@Mixin
	TrainingOptions.AssumeGeometry assumeGeometry;

	@Mixin
	TrainingOptions.Normalise normalise;

	@Option(names = "--crop-mm", paramLabel = "X", description = "the items are lesion-centred crops of X mm (recorded in "
		+ "the card, so that Classify Risk and predict crop each lesion so); default 0: whole images")
	@Cli.Range(min = 0, max = 10_000)
	Double cropMm;

	@Option(names = "--arch", paramLabel = "NAME", completionCandidates = Architectures.class, description =
		"${COMPLETION-CANDIDATES} (mlp: a plain fully connected network, for comparison), default ${bundle:v.arch}")
	String arch;

	@Option(names = "--size", paramLabel = "N", description = "input size in pixels (items are resampled to NxN), default "
		+ "auto (small images keep their size, larger ones are resampled to ${bundle:v.size})")
	@Cli.Range(min = 8, max = 1024)
	Integer size;

	@Option(names = "--filters", paramLabel = "A,B,...", description = "CNN: filters of each conv block (one block per "
		+ "number, each 1-1024), default auto (${bundle:v.filters}; 32,64 for 5000 items or more)")
	String filters;

	@Option(names = "--dense", paramLabel = "N", description = "units of the hidden dense layer, default auto "
		+ "(${bundle:v.dense}; 128 for large sets)")
	@Cli.Range(min = 1, max = 65536)
	Integer dense;

	@Option(names = "--pooling", paramLabel = "NAME", completionCandidates = Poolings.class, description =
		"${COMPLETION-CANDIDATES}, default ${bundle:v.pooling}")
	String pooling;

	@Mixin
	TrainingOptions.Schedule schedule;

	@Option(names = "--loss", paramLabel = "NAME", completionCandidates = Losses.class, description =
		"${COMPLETION-CANDIDATES}; default ${bundle:v.loss}")
	String loss;

	@Mixin
	TrainingOptions.Layers layers;

	/** {@code --arch}. */
	static final class Architectures extends Cli.Choices {
		Architectures() {
			super("cnn", "mlp");
		}
	}

	/** {@code --pooling}. */
	static final class Poolings extends Cli.Choices {
		Poolings() {
			super("max", "avg");
		}
	}

	/** {@code --loss} of a classifier. */
	static final class Losses extends Cli.Choices {
		Losses() {
			super("cross-entropy", "mse");
		}
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public Map<String, String> helpValues() {
		ClassifierConfig c = ClassifierConfig.defaults();
		TrainingConfig d = c.training();
		return Cli.values("v.arch", c.architecture(), "v.size", c.inputSize(), "v.filters",
			java.util.Arrays.stream(c.filters()).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")),
			"v.dense", c.denseUnits(), "v.pooling", c.pooling(), "v.lr", d.learningRate(), "v.optimizer", d.optimizer(),
			"v.loss", d.loss(), "v.activation", d.activation(), "v.seed", d.seed(), "v.val-fraction", d.valFraction(),
			"normalise", "auto (default: CT -> clip to the set's 0.5-99.5 percentiles and z-score; other modalities -> "
				+ "z-score per image over its body) | ct | zscore | none | 'window C/W'",
			"epochs", "default auto (" + d.epochs() + ", fewer for large sets: about 600000 samples in all, at least 10)",
			"batch", "mini-batch size, default auto (" + d.batchSize() + "; 64 for large sets)",
			"augment", "training-time augmentation, prepared in a background thread: auto (default: standard for medical "
				+ "images, mild for others) | none | flips | standard (flips, 90° turns, rotations up to ±15°, scaling "
				+ "0.85-1.15, intensity scale/shift, Gaussian noise) | mild (left-right flips, rotations ±10°, scaling "
				+ "0.9-1.1, intensity changes: for images with an up and a down)",
			"clip-norm", "gradient clipping: scale a step's gradients down to global L2 norm X when they exceed it; 0 = "
				+ "off (the default for classifiers)",
			"batch-norm", "batch normalisation after each convolution and the hidden dense layer (before the activation)",
			"dropout", "dropout rate in training, on the output layer's input; default 0 (off)",
			"val-fraction", "share of items held out for validation, default " + d.valFraction());
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		ClassifierRequest request;
		try {
			TrainingOptions.Schedule t = schedule;
			request = ClassifierRequest.builder().architecture(arch).inputSize(size).filters(filters()).denseUnits(dense)
				.pooling(pooling).epochs(t.epochs).batch(t.batch).learningRate(t.lr).optimizer(t.optimizer).loss(loss)
				.activation(layers.activation).seed(t.seed).valFraction(t.valFraction).schedule(t.schedule).augment(t.augment)
				.resume(output.resume).clipNorm(t.clipNorm).layers(layers.layers())
				.normalise(normalise.value("train-classifier")).cropMm(cropMm).overwrite(output.overwrite)
				.assumeGeometry(assumeGeometry.assumeGeometry).build();
		} catch (IllegalArgumentException e) {
			throw new Cli.UsageException("train-classifier: " + e.getMessage());
		}
		Trainings.checkTarget(output.out, request.common().overwrite() || request.common().resume());
		CliProgress progress = new CliProgress(err);
		List<String> classes = Datasets.classNames(data);
		List<Datasets.Item> items = Datasets.loadItems(data, progress, new Cancellation());
		progress.done();
		err.println("Training a " + (request.architecture() == null ? "CNN" : request.architecture().toUpperCase())
			+ " classifier on " + items.size() + " items of " + classes.size() + " classes " + classes + " with TensorFlow on "
			+ Models.device());
		try (CliCancellation cancel = new CliCancellation()) {
			Path pkg = Trainings.trainClassifier(request, items, classes, new EpochPrinter("classifier", err), cancel.token(),
				output.out);
			out.println(pkg.toAbsolutePath());
		}
		return 0;
	}

	/** Parses {@code --filters A,B,…} (each 1…1024, one per conv block); null when absent. */
	int[] filters() throws Cli.UsageException {
		int[] f = TrainingOptions.integers(filters);
		if (f == null || f.length > 0 && java.util.Arrays.stream(f).allMatch(v -> v >= 1 && v <= 1024)) return f;
		throw new Cli.UsageException("train-classifier: --filters expects filters per conv block, e.g. 16,32,64 (each "
			+ "1…1024); got '" + filters + "'");
	}
}
