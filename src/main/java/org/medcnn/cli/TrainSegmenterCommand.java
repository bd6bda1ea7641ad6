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
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.data.Datasets;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

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
		TrainingConfig d = SegmenterConfig.defaults().training();
		SegmenterConfig s = SegmenterConfig.defaults();
		Segmenter3dConfig d3 = Segmenter3dConfig.defaults();
		int[] p = d3.patchZyx();
		return """
			usage: medcnn train-segmenter --images DIR --masks DIR --out MODEL [options]
			  --images DIR        one case per entry: a DICOM series folder or a NIfTI file
			  --masks DIR         per case the entry with the same name: a NIfTI label image (0 = background),
			                      a DICOM SEG or an RTSTRUCT .dcm (with --roi)
			  --roi NAME          the ROI to train on from RTSTRUCT masks (e.g. GTV)
			  --out MODEL         model package folder to write (must not exist)
			  --dims 2|3          2: 2D U-Net on axial slices (default); 3: 3D U-Net on patches,
			                      sliding-window inference over the volume
			  --context N         2.5D: feed each slice with its N neighbouring slices on either side as
			                      channels (1 → 3 channels z-1, z, z+1; the nearest slice is repeated at
			                      the ends of a volume); 0…%d, default 0 (plain 2D); not with --dims 3
			  --patch Z,Y,X       3D patch size in voxels, default %d,%d,%d (Z a multiple of 4 when
			                      Z >= 16 at depth 3, Y and X multiples of 2^(depth-1))
			  --epochs N          default %d (3D: %d)
			  --batch N           mini-batch size (slices, or patches with --dims 3), default %d (3D: %d)
			  --lr X              learning rate, default %s
			  --optimizer NAME    sgd | momentum | adam, default %s
			  --schedule NAME     learning rate over the epochs: constant (default) | step (halved every
			                      epochs/3 epochs) | cosine (cosine decay to 1 %% at the last epoch)
			  --augment NAME      training-time augmentation, prepared in a background thread: auto (default:
			                      flips) | none | flips | standard (flips, 90° turns, rotations up to
			                      ±15°, scaling 0.85-1.15, intensity scale/shift, Gaussian noise)
			  --clip-norm X       gradient clipping: scale a step's gradients down to global L2 norm X when
			                      they exceed it; 0 = off (default 0.3, see the README)
			  --resume            continue an interrupted run from MODEL.checkpoint/ (written after every
			                      epoch; same data and settings; --epochs may be raised)
			  --loss NAME         dice | dice-ce | cross-entropy | mse, default %s
			  --activation NAME   relu | tanh | sigmoid | elu, default %s
			  --batch-norm        batch normalisation after each convolution (before the activation)
			  --dropout R         dropout rate 0…0.9 in training, at the U-Net bottleneck; default 0 (off)
			  --init NAME         weight initialisation: he-normal | glorot-normal | he-uniform | glorot-uniform;
			                      default he-normal for relu/elu, glorot-normal for tanh/sigmoid
			  --depth N           U-Net levels, default %d (3D: %d)
			  --filters N         filters of the first level (doubling per level), default %d (3D: %d)
			  --window C,W        HU window mapped to [0, 1], default %s,%s
			  --seed N            random seed, default %d
			  --val-fraction X    share of cases held out for validation, default %s"""
			.formatted(SegmenterConfig.MAX_CONTEXT, p[0], p[1], p[2], d.epochs(), d3.training().epochs(), d.batchSize(),
				d3.training().batchSize(), d.learningRate(), d.optimizer(), d.loss(), d.activation(), s.depth(), d3.depth(),
				s.baseFilters(), d3.baseFilters(), s.windowCenterHu(), s.windowWidthHu(), d.seed(), d.valFraction());
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args a = new Args(name(), argv, Set.of("images", "masks", "out", "dims", "epochs", "batch", "lr", "optimizer",
			"loss", "activation", "depth", "filters", "window", "seed", "val-fraction", "patch", "roi", "schedule", "augment",
			"dropout", "init", "context", "clip-norm"), Set.of("resume", "batch-norm"));
		if (!a.positional().isEmpty()) throw new Args.UsageException(name() + ": unexpected argument " + a.positional());
		boolean threeD = a.integer("dims", 2, 2, 3) == 3;
		if (!threeD && a.string("patch", null) != null)
			throw new Args.UsageException(name() + ": --patch needs --dims 3");
		if (threeD && a.string("context", null) != null)
			throw new Args.UsageException(name() + ": --context (neighbouring slices as channels) is for the 2D U-Net only;"
				+ " leave it out with --dims 3, whose 3D convolutions see the neighbouring slices already");
		int context = a.integer("context", 0, 0, SegmenterConfig.MAX_CONTEXT);
		SegmenterConfig def = SegmenterConfig.defaults();
		TrainingConfig td = threeD ? Segmenter3dConfig.defaults().training() : def.training();
		TrainingConfig tc = new TrainingConfig(a.integer("epochs", td.epochs(), 1, 100000),
			a.integer("batch", td.batchSize(), 1, 4096), a.number("lr", td.learningRate(), 1e-9, 10),
			a.choice("optimizer", td.optimizer(), "sgd", "momentum", "adam"),
			a.choice("loss", td.loss(), "dice", "dice-ce", "cross-entropy", "mse"),
			a.choice("activation", td.activation(), "relu", "tanh", "sigmoid", "elu"), a.longValue("seed", td.seed()),
			a.number("val-fraction", td.valFraction(), 0, 0.9))
			.withSchedule(a.choice("schedule", td.schedule(), "constant", "step", "cosine"))
			.withAugment(a.choice("augment", td.augment(), "auto", "none", "flips", "standard")).withResume(a.flag("resume"))
			.withClipNorm(a.number("clip-norm", td.clipNorm(), 0, 1e6));
		double[] window = window(a, def.windowCenterHu(), def.windowWidthHu());
		Segmenter3dConfig def3 = Segmenter3dConfig.defaults();
		int depth = a.integer("depth", threeD ? def3.depth() : def.depth(), 1, threeD ? 5 : 6);
		int filters = a.integer("filters", threeD ? def3.baseFilters() : def.baseFilters(), 1, 512);
		LayerConfig layers = layers(a);
		SegmenterConfig cfg = threeD ? null : new SegmenterConfig(depth, filters, window[0], window[1], tc, layers, context);
		Segmenter3dConfig cfg3 = null;
		if (threeD) {
			try {
				cfg3 = new Segmenter3dConfig(depth, filters, patch(a, Segmenter3dConfig.defaults().patchZyx()), window[0],
					window[1], tc, layers);
			} catch (IllegalArgumentException e) {
				throw new Args.UsageException(name() + ": " + e.getMessage());
			}
		}
		Path outDir = a.path("out");
		CliProgress progress = new CliProgress(err);
		List<Datasets.Case> cases = Datasets.loadCases(a.path("images"), a.path("masks"), a.string("roi", null), progress,
			new Cancellation());
		progress.done();
		err.println("Training a " + (threeD ? "3D U-Net on " + java.util.Arrays.toString(cfg3.patchZyx()) + " patches of "
			: context > 0 ? "2.5D U-Net (" + cfg.channels() + " slices as channels) on " : "2D U-Net on ") + cases.size()
			+ " cases with TensorFlow on " + Models.device());
		List<Volume> images = cases.stream().map(Datasets.Case::image).toList();
		List<Mask> masks = cases.stream().map(Datasets.Case::mask).toList();
		try (CliCancellation cancel = new CliCancellation()) {
			EpochPrinter printer = new EpochPrinter("segmenter", err);
			Path pkg = threeD ? Training.trainSegmenter3d(images, masks, cfg3, printer, cancel.token(), outDir)
				: Training.trainSegmenter(images, masks, cfg, printer, cancel.token(), outDir);
			out.println(pkg.toAbsolutePath());
		}
		return 0;
	}

	/** Parses {@code --batch-norm}, {@code --dropout R} and {@code --init NAME}. */
	static LayerConfig layers(Args a) throws Args.UsageException {
		List<String> inits = LayerConfig.INITS.subList(1, LayerConfig.INITS.size());
		String init = a.string("init", null) == null ? LayerConfig.AUTO : a.choice("init", null, inits.toArray(new String[0]));
		return new LayerConfig(a.flag("batch-norm"), a.number("dropout", 0, 0, LayerConfig.MAX_DROPOUT), init);
	}

	/** Parses {@code --patch Z,Y,X} (positive integers). */
	static int[] patch(Args a, int[] def) throws Args.UsageException {
		String s = a.string("patch", null);
		if (s == null) return def;
		String[] p = s.split(",");
		try {
			if (p.length == 3) {
				int[] out = new int[3];
				for (int i = 0; i < 3; i++) out[i] = Integer.parseInt(p[i].trim());
				if (out[0] > 0 && out[1] > 0 && out[2] > 0) return out;
			}
		} catch (NumberFormatException e) {
			// reported below
		}
		throw new Args.UsageException("--patch expects Z,Y,X in voxels, each > 0, e.g. 16,64,64; got '" + s + "'");
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
