package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.Normalisations;
import org.medcnn.pipeline.SegmenterRequest;
import org.medcnn.pipeline.TrainingPlanner;
import org.medcnn.pipeline.Trainings;

/**
 * {@code train-segmenter}: trains a 2D U-Net (axial slices) or, with {@code --dims 3}, a 3D U-Net on patches, on
 * image/mask folders and writes a model package.
 */
final class TrainSegmenterCommand implements Main.Command {

	@Override
	public String name() {
		return "train-segmenter";
	}

	@Override
	public String summary() {
		return "train a segmenter (2D or 3D U-Net) on image and mask folders";
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public String usage() {
		TrainingConfig d = TrainingConfig.segmenterDefaults();
		return """
			usage: medcnn train-segmenter --images DIR --masks DIR --out MODEL [options]
			  --images DIR        one case per entry: a DICOM series folder or a NIfTI file
			  --masks DIR         per case the entry with the same name: a NIfTI label image (0 = background),
			                      a DICOM SEG or an RTSTRUCT .dcm (with --roi)
			  --roi NAME          the ROI to train on from RTSTRUCT masks (e.g. GTV)
			  --out MODEL         model package folder to write (new or empty; checked before training)
			  --overwrite         replace the package at MODEL if there is one
			  --assume-geometry   train on images whose pixel spacing, slice spacing or position is not recorded
			                      (1 mm or the instance order assumed); without it they are refused. The card
			                      records what was assumed (fingerprint.readWarnings)
			  Settings marked "auto" follow the data: MedCNN measures a dataset fingerprint (modality, spacing,
			  sizes, intensities of body and lesions, lesion sizes) and plans from it; both are printed first.
			  --normalise NAME    auto (default: CT → clip to the set's 0.5-99.5 percentiles and z-score with
			                      its statistics; MR and other relative units → z-score per image over its body)
			                      | ct | zscore | none | 'window C/W' (a fixed HU window mapped to [0, 1])
			  --window C,W        the same as --normalise 'window C/W'
			  --dims 2|3          2: 2D U-Net on axial slices (default); 3: 3D U-Net on patches, tiled
			                      inference over the volume. Cases are resampled to the median spacing (2D and
			                      anisotropic 3D keep each case's slice spacing); masks come back on each
			                      case's own grid
			  --context N         2.5D: feed each slice with its N neighbouring slices on either side as
			                      channels (1 → 3 channels z-1, z, z+1; the nearest slice is repeated at
			                      the ends of a volume); 0…%d, default 0 (plain 2D); not with --dims 3
			  --patch Y,X | Z,Y,X training patch in voxels (2D: Y,X; 3D: Z,Y,X), default auto (2D: the median
			                      slice up to 256; 3D: the median volume shrunk to about 64k voxels)
			  --samples N         2D training patches per epoch, default auto (one per training slice, at
			                      most 800; every third centred on a lesion)
			  --epochs N          default %d (3D: %d)
			  --batch N           mini-batch size (patches), default auto (2D: about 128k pixels per batch;
			                      3D: %d)
			  --lr X              learning rate, default %s
			  --optimizer NAME    sgd | momentum | adam, default %s
			  --schedule NAME     learning rate over the epochs: constant (default) | step (halved every
			                      epochs/3 epochs) | cosine (cosine decay to 1 %% at the last epoch)
			  --augment NAME      training-time augmentation, prepared in a background thread: auto (default:
			                      flips) | none | flips | standard (flips, 90° turns, rotations up to
			                      ±15°, scaling 0.85-1.15, intensity scale/shift, Gaussian noise) | mild
			  --clip-norm X       gradient clipping: scale a step's gradients down to global L2 norm X when
			                      they exceed it; 0 = off (default %s, see the README)
			  --resume            continue an interrupted run from MODEL.checkpoint/ (written after every
			                      epoch; same data and settings; --epochs may be raised)
			  --loss NAME         dice | dice-ce | cross-entropy | mse, default %s
			  --activation NAME   relu | tanh | sigmoid | elu, default %s
			  --batch-norm        batch normalisation after each convolution (before the activation)
			  --dropout R         dropout rate 0…0.9 in training, at the U-Net bottleneck; default 0 (off)
			  --init NAME         weight initialisation: he-normal | glorot-normal | he-uniform | glorot-uniform;
			                      default he-normal for relu/elu, glorot-normal for tanh/sigmoid
			  --depth N           U-Net levels, default auto (3-5: the receptive field covers twice the larger
			                      lesions)
			  --filters N         filters of the first level (doubling per level), default %d (3D: %d)
			  --seed N            random seed, default %d
			  --val-fraction X    share of cases held out for validation, default %s"""
			.formatted(SegmenterConfig.MAX_CONTEXT, SegmenterConfig.DEFAULT_EPOCHS, d.epochs(),
				Segmenter3dConfig.defaults().training().batchSize(), d.learningRate(), d.optimizer(), d.clipNorm(), d.loss(),
				d.activation(), SegmenterConfig.defaults().baseFilters(), Segmenter3dConfig.defaults().baseFilters(), d.seed(),
				d.valFraction());
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args a = new Args(name(), argv, Set.of("images", "masks", "out", "dims", "epochs", "batch", "lr", "optimizer",
			"loss", "activation", "depth", "filters", "window", "seed", "val-fraction", "patch", "roi", "schedule", "augment",
			"dropout", "init", "context", "clip-norm", "normalise", "samples"), Set.of("resume", "batch-norm", "overwrite",
			"assume-geometry"));
		if (!a.positional().isEmpty()) throw new Args.UsageException(name() + ": unexpected argument " + a.positional());
		SegmenterRequest request;
		try {
			request = request(a);
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": " + e.getMessage());
		}
		Path outDir = a.path("out");
		Trainings.checkTarget(outDir, request.common().overwrite() || request.common().resume());
		CliProgress progress = new CliProgress(err);
		List<Datasets.Case> cases = Datasets.loadCases(a.path("images"), a.path("masks"), a.string("roi", null), progress,
			new Cancellation());
		progress.done();
		TrainingPlanner.SegmenterPlan plan = Trainings.planSegmenter(request, cases);
		err.println("Training a " + (plan.dims() == 3 ? "3D U-Net on " + java.util.Arrays.toString(plan.config3d().patchZyx())
			+ " patches" : plan.config2d().context() > 0 ? "2.5D U-Net (" + plan.config2d().channels() + " slices as channels)"
			: "2D U-Net") + " on " + cases.size() + " cases with TensorFlow on " + Models.device());
		try (CliCancellation cancel = new CliCancellation()) {
			Path pkg = Trainings.trainSegmenter(plan, cases, new EpochPrinter("segmenter", err), cancel.token(), outDir);
			out.println(pkg.toAbsolutePath());
		}
		return 0;
	}

	/** The user's settings; absent options stay null for the planner. */
	static SegmenterRequest request(Args a) throws Args.UsageException {
		Integer dims = a.integerOrNull("dims", 2, 3);
		boolean threeD = dims != null && dims == 3;
		if (threeD && a.string("context", null) != null)
			throw new Args.UsageException("train-segmenter: --context (neighbouring slices as channels) is for the 2D U-Net only;"
				+ " leave it out with --dims 3, whose 3D convolutions see the neighbouring slices already");
		return SegmenterRequest.builder().dims(dims).epochs(a.integerOrNull("epochs", 1, 100000))
			.batch(a.integerOrNull("batch", 1, 4096)).learningRate(a.numberOrNull("lr", 1e-9, 10))
			.optimizer(a.choiceOrNull("optimizer", "sgd", "momentum", "adam"))
			.loss(a.choiceOrNull("loss", "dice", "dice-ce", "cross-entropy", "mse"))
			.activation(a.choiceOrNull("activation", "relu", "tanh", "sigmoid", "elu")).seed(a.longOrNull("seed"))
			.valFraction(a.numberOrNull("val-fraction", 0, 0.9)).schedule(a.choiceOrNull("schedule", "constant", "step", "cosine"))
			.augment(a.choiceOrNull("augment", TrainingConfig.AUGMENTATIONS.toArray(String[]::new))).resume(a.flag("resume"))
			.clipNorm(a.numberOrNull("clip-norm", 0, 1e6)).depth(a.integerOrNull("depth", 1, threeD ? 5 : 6))
			.filters(a.integerOrNull("filters", 1, 512)).context(a.integerOrNull("context", 0, SegmenterConfig.MAX_CONTEXT))
			.patch(patch(a, threeD)).layers(layers(a)).normalise(normalise(a))
			.samplesPerEpoch(a.integerOrNull("samples", 1, 1_000_000)).overwrite(a.flag("overwrite"))
			.assumeGeometry(a.flag("assume-geometry")).build();
	}

	/** Parses {@code --batch-norm}, {@code --dropout R} and {@code --init NAME}. */
	static LayerConfig layers(Args a) throws Args.UsageException {
		List<String> inits = LayerConfig.INITS.subList(1, LayerConfig.INITS.size());
		String init = a.string("init", null) == null ? LayerConfig.AUTO : a.choice("init", null, inits.toArray(new String[0]));
		return new LayerConfig(a.flag("batch-norm"), a.number("dropout", 0, 0, LayerConfig.MAX_DROPOUT), init);
	}

	/** Parses {@code --patch Y,X} (2D) or {@code --patch Z,Y,X} (3D), positive integers; null when absent. */
	static int[] patch(Args a, boolean threeD) throws Args.UsageException {
		String s = a.string("patch", null);
		if (s == null) return null;
		String[] p = s.split(",");
		int n = threeD ? 3 : 2;
		try {
			if (p.length == n) {
				int[] out = new int[n];
				for (int i = 0; i < n; i++) out[i] = Integer.parseInt(p[i].trim());
				if (java.util.Arrays.stream(out).allMatch(v -> v > 0)) return out;
			}
		} catch (NumberFormatException e) {
			// reported below
		}
		throw new Args.UsageException("--patch expects " + (threeD ? "Z,Y,X" : "Y,X") + " in voxels, each > 0, e.g. "
			+ (threeD ? "16,64,64" : "128,128") + "; got '" + s + "'");
	}

	/** {@code --normalise NAME}, or {@code --window C,W} as {@code window C/W}; null when neither is given. */
	static String normalise(Args a) throws Args.UsageException {
		String n = a.string("normalise", null), w = a.string("window", null);
		if (n != null && w != null) throw new Args.UsageException("give --normalise or --window, not both");
		if (w != null) {
			double[] cw = window(a, 0, 1);
			return "window " + cw[0] + "/" + cw[1];
		}
		if (n != null) {
			try {
				Normalisations.parse(n);
			} catch (IllegalArgumentException e) {
				throw new Args.UsageException("--" + e.getMessage().replaceFirst("^normalise = ", "normalise "));
			}
		}
		return n;
	}

	/** Parses {@code --window C,W}. */
	static double[] window(Args a, double c, double w) throws Args.UsageException {
		String s = a.string("window", null);
		if (s == null) return new double[] {c, w};
		String[] p = s.split(",");
		try {
			if (p.length == 2) {
				double wc = Double.parseDouble(p[0].trim()), ww = Double.parseDouble(p[1].trim());
				if (ww > 0) return new double[] {wc, ww};
			}
		} catch (NumberFormatException e) {
			// reported below
		}
		throw new Args.UsageException("--window expects CENTER,WIDTH in HU with WIDTH > 0, e.g. 40,400; got '" + s + "'");
	}
}
