package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Models;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.ClassifierRequest;
import org.medcnn.pipeline.Trainings;

/** {@code train-classifier}: trains a CNN (or MLP) classifier on a class-folder layout. */
final class TrainClassifierCommand implements Main.Command {

	@Override
	public String name() {
		return "train-classifier";
	}

	@Override
	public String summary() {
		return "train a classifier (CNN or MLP) on class folders";
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public String usage() {
		ClassifierConfig c = ClassifierConfig.defaults();
		TrainingConfig d = c.training();
		return """
			usage: medcnn train-classifier --data DIR --out MODEL [options]
			  --data DIR          one sub-folder per class (sorted names = class order, e.g. high/ intermediate/ low/);
			                      items: DICOM files, DICOM series folders or NIfTI files (middle slice)
			  --out MODEL         model package folder to write (new or empty; checked before training)
			  --overwrite         replace the package at MODEL if there is one
			  --assume-geometry   train on images whose pixel spacing, slice spacing or position is not recorded
			                      (1 mm or the instance order assumed); without it they are refused. The card
			                      records what was assumed (fingerprint.readWarnings)
			  Settings marked "auto" follow the data (a dataset fingerprint, printed first, with the plan).
			  --normalise NAME    auto (default: CT → clip to the set's 0.5-99.5 percentiles and z-score; other
			                      modalities → z-score per image over its body) | ct | zscore | none | 'window C/W'
			  --window C,W        the same as --normalise 'window C/W'
			  --crop-mm X         the items are lesion-centred crops of X mm (recorded in the card, so that
			                      Classify Risk and predict crop each lesion so); default 0: whole images
			  --arch NAME         cnn | mlp (plain fully connected network, for comparison), default %s
			  --size N            input size in pixels (items are resampled to N×N), default auto (small
			                      images keep their size, larger ones are resampled to %d)
			  --filters A,B,...   CNN: filters of each conv block (one block per number), default auto (%s;
			                      32,64 for %d items or more)
			  --dense N           units of the hidden dense layer, default auto (%d; 128 for large sets)
			  --pooling NAME      max | avg, default %s
			  --epochs N          default auto (%d, fewer for large sets: about %d samples in all, at least 10)
			  --batch N           mini-batch size, default auto (%d; 64 for large sets)
			  --lr X              learning rate, default %s
			  --optimizer NAME    sgd | momentum | adam, default %s
			  --schedule NAME     learning rate over the epochs: constant (default) | step (halved every
			                      epochs/3 epochs) | cosine (cosine decay to 1 %% at the last epoch)
			  --augment NAME      training-time augmentation, prepared in a background thread: auto (default:
			                      standard for medical images, mild for others) | none | flips | standard
			                      (flips, 90° turns, rotations up to ±15°, scaling 0.85-1.15, intensity
			                      scale/shift, Gaussian noise) | mild (left-right flips, rotations ±10°,
			                      scaling 0.9-1.1, intensity changes: for images with an up and a down)
			  --clip-norm X       gradient clipping: scale a step's gradients down to global L2 norm X when
			                      they exceed it; 0 = off (the default for classifiers)
			  --resume            continue an interrupted run from MODEL.checkpoint/ (written after every
			                      epoch; same data and settings; --epochs may be raised)
			  --loss NAME         cross-entropy | mse, default %s
			  --activation NAME   relu | tanh | sigmoid | elu, default %s
			  --batch-norm        batch normalisation after each convolution and the hidden dense layer
			                      (before the activation)
			  --dropout R         dropout rate 0…0.9 in training, on the output layer's input; default 0 (off)
			  --init NAME         weight initialisation: he-normal | glorot-normal | he-uniform | glorot-uniform;
			                      default he-normal for relu/elu, glorot-normal for tanh/sigmoid
			  --seed N            random seed, default %d
			  --val-fraction X    share of items held out for validation, default %s"""
			.formatted(c.architecture(), c.inputSize(),
				java.util.Arrays.stream(c.filters()).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")),
				5000, c.denseUnits(), c.pooling(), d.epochs(), 600_000, d.batchSize(), d.learningRate(),
				d.optimizer(), d.loss(), d.activation(), d.seed(), d.valFraction());
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args a = new Args(name(), argv, Set.of("data", "out", "arch", "size", "filters", "dense", "pooling", "epochs", "batch", "lr",
			"optimizer", "loss", "activation", "window", "seed", "val-fraction", "schedule", "augment", "dropout", "init", "clip-norm",
			"normalise", "crop-mm"), Set.of("resume", "batch-norm", "overwrite",
			"assume-geometry"));
		if (!a.positional().isEmpty()) throw new Args.UsageException(name() + ": unexpected argument " + a.positional());
		ClassifierRequest request;
		try {
			request = ClassifierRequest.builder().architecture(a.choiceOrNull("arch", "cnn", "mlp"))
				.inputSize(a.integerOrNull("size", 8, 1024)).filters(filters(a, null)).denseUnits(a.integerOrNull("dense", 1, 65536))
				.pooling(a.choiceOrNull("pooling", "max", "avg")).epochs(a.integerOrNull("epochs", 1, 100000))
				.batch(a.integerOrNull("batch", 1, 4096)).learningRate(a.numberOrNull("lr", 1e-9, 10))
				.optimizer(a.choiceOrNull("optimizer", "sgd", "momentum", "adam")).loss(a.choiceOrNull("loss", "cross-entropy", "mse"))
				.activation(a.choiceOrNull("activation", "relu", "tanh", "sigmoid", "elu")).seed(a.longOrNull("seed"))
				.valFraction(a.numberOrNull("val-fraction", 0, 0.9))
				.schedule(a.choiceOrNull("schedule", "constant", "step", "cosine"))
				.augment(a.choiceOrNull("augment", TrainingConfig.AUGMENTATIONS.toArray(String[]::new))).resume(a.flag("resume"))
				.clipNorm(a.numberOrNull("clip-norm", 0, 1e6)).layers(TrainSegmenterCommand.layers(a))
				.normalise(TrainSegmenterCommand.normalise(a)).cropMm(a.numberOrNull("crop-mm", 0, 10_000))
				.overwrite(a.flag("overwrite")).assumeGeometry(a.flag("assume-geometry")).build();
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": " + e.getMessage());
		}
		Path data = a.path("data");
		Trainings.checkTarget(a.path("out"), request.common().overwrite() || request.common().resume());
		CliProgress progress = new CliProgress(err);
		List<String> classes = Datasets.classNames(data);
		List<Datasets.Item> items = Datasets.loadItems(data, progress, new Cancellation());
		progress.done();
		err.println("Training a " + (request.architecture() == null ? "CNN" : request.architecture().toUpperCase())
			+ " classifier on " + items.size() + " items of " + classes.size() + " classes " + classes + " with TensorFlow on "
			+ Models.device());
		try (CliCancellation cancel = new CliCancellation()) {
			Path pkg = Trainings.trainClassifier(request, items, classes, new EpochPrinter("classifier", err), cancel.token(),
				a.path("out"));
			out.println(pkg.toAbsolutePath());
		}
		return 0;
	}

	/** Parses {@code --filters A,B,…} (positive integers, one per conv block). */
	static int[] filters(Args a, int[] def) throws Args.UsageException {
		String s = a.string("filters", null);
		if (s == null) return def;
		try {
			int[] f = java.util.Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
			if (f.length > 0 && java.util.Arrays.stream(f).allMatch(v -> v >= 1 && v <= 1024)) return f;
		} catch (NumberFormatException e) {
			// reported below
		}
		throw new Args.UsageException("--filters expects filters per conv block, e.g. 16,32,64 (each 1…1024); got '" + s + "'");
	}
}
