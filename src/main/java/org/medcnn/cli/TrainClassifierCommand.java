package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Models;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.data.Datasets;
import org.medcnn.volume.Volume;

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
			  --out MODEL         model package folder to write (must not exist)
			  --arch NAME         cnn | mlp (plain fully connected network, for comparison), default %s
			  --size N            input size in pixels (items are resampled to N×N), default %d
			  --filters A,B,...   CNN: filters of each conv block (one block per number), default %s
			  --dense N           units of the hidden dense layer, default %d
			  --pooling NAME      max | avg, default %s
			  --epochs N          default %d
			  --batch N           mini-batch size, default %d
			  --lr X              learning rate, default %s
			  --optimizer NAME    sgd | momentum | adam, default %s
			  --schedule NAME     learning rate over the epochs: constant (default) | step (halved every
			                      epochs/3 epochs) | cosine (cosine decay to 1 %% at the last epoch)
			  --augment NAME      training-time augmentation, prepared in a background thread: auto (default:
			                      standard) | none | flips | standard (flips, 90° turns, rotations up to
			                      ±15°, scaling 0.85-1.15, intensity scale/shift, Gaussian noise)
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
			  --window C,W        HU window mapped to [0, 1], default %s,%s
			  --seed N            random seed, default %d
			  --val-fraction X    share of items held out for validation, default %s"""
			.formatted(c.architecture(), c.inputSize(),
				java.util.Arrays.stream(c.filters()).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")),
				c.denseUnits(), c.pooling(), d.epochs(), d.batchSize(), d.learningRate(),
				d.optimizer(), d.loss(), d.activation(), c.windowCenterHu(), c.windowWidthHu(), d.seed(), d.valFraction());
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args a = new Args(name(), argv, Set.of("data", "out", "arch", "size", "filters", "dense", "pooling", "epochs", "batch", "lr",
			"optimizer", "loss", "activation", "window", "seed", "val-fraction", "schedule", "augment", "dropout", "init", "clip-norm"),
			Set.of("resume", "batch-norm"));
		if (!a.positional().isEmpty()) throw new Args.UsageException(name() + ": unexpected argument " + a.positional());
		ClassifierConfig def = ClassifierConfig.defaults();
		TrainingConfig td = def.training();
		TrainingConfig tc = new TrainingConfig(a.integer("epochs", td.epochs(), 1, 100000),
			a.integer("batch", td.batchSize(), 1, 4096), a.number("lr", td.learningRate(), 1e-9, 10),
			a.choice("optimizer", td.optimizer(), "sgd", "momentum", "adam"),
			a.choice("loss", td.loss(), "cross-entropy", "mse"),
			a.choice("activation", td.activation(), "relu", "tanh", "sigmoid", "elu"), a.longValue("seed", td.seed()),
			a.number("val-fraction", td.valFraction(), 0, 0.9))
			.withSchedule(a.choice("schedule", td.schedule(), "constant", "step", "cosine"))
			.withAugment(a.choice("augment", td.augment(), "auto", "none", "flips", "standard")).withResume(a.flag("resume"))
			.withClipNorm(a.number("clip-norm", td.clipNorm(), 0, 1e6));
		double[] window = TrainSegmenterCommand.window(a, def.windowCenterHu(), def.windowWidthHu());
		ClassifierConfig cfg = new ClassifierConfig(a.choice("arch", def.architecture(), "cnn", "mlp"),
			a.integer("size", def.inputSize(), 8, 1024), filters(a, def.filters()), a.integer("dense", def.denseUnits(), 1, 65536),
			a.choice("pooling", def.pooling(), "max", "avg"), window[0], window[1], tc, TrainSegmenterCommand.layers(a));
		Path data = a.path("data");
		CliProgress progress = new CliProgress(err);
		List<String> classes = Datasets.classNames(data);
		List<Datasets.Item> items = Datasets.loadItems(data, progress, new Cancellation());
		progress.done();
		err.println("Training a " + cfg.architecture().toUpperCase() + " classifier on " + items.size() + " items of "
			+ classes.size() + " classes " + classes + " with TensorFlow on " + Models.device());
		List<Volume> images = items.stream().map(Datasets.Item::image).toList();
		int[] labels = items.stream().mapToInt(Datasets.Item::label).toArray();
		try (CliCancellation cancel = new CliCancellation()) {
			Path pkg = Training.trainClassifier(images, labels, classes, cfg, new EpochPrinter("classifier", err),
				cancel.token(), a.path("out"));
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
