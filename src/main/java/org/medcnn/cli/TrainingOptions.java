package org.medcnn.cli;

import java.nio.file.Path;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.pipeline.Normalisations;
import picocli.CommandLine.Option;

/**
 * The options that train-segmenter, train-classifier and finetune share, each declared once as a picocli mixin.
 * Defaults that differ per command are described through the command's {@link Main.Command#helpValues()}
 * ({@code ${bundle:v.…}} and the options' {@code descriptionKey}s).
 */
final class TrainingOptions {

	private TrainingOptions() {}

	/** {@code --images DIR --masks DIR [--roi NAME]}: image/mask folders, one case per entry. */
	static final class Cases {
		@Option(names = "--images", paramLabel = "DIR", required = true, descriptionKey = "images", description =
			"one case per entry: a DICOM series folder or a NIfTI file")
		Path images;

		@Option(names = "--masks", paramLabel = "DIR", required = true, descriptionKey = "masks", description =
			"per case the entry with the same name: a NIfTI label image (0 = background), a DICOM SEG or an RTSTRUCT "
				+ ".dcm (with --roi)")
		Path masks;

		@Option(names = "--roi", paramLabel = "NAME", description = "the ROI to train on from RTSTRUCT masks (e.g. GTV)")
		String roi;
	}

	/** {@code --out MODEL [--overwrite] [--resume]}: the package a training writes. */
	static final class Output {
		@Option(names = "--out", paramLabel = "MODEL", required = true, description =
			"model package folder to write (new or empty; checked before training)")
		Path out;

		@Option(names = "--overwrite", description = "replace the package at MODEL if there is one")
		boolean overwrite;

		@Option(names = "--resume", description = "continue an interrupted run from MODEL.checkpoint/ (written after every "
			+ "epoch; same data and settings; --epochs may be raised)")
		boolean resume;
	}

	/** {@code --assume-geometry} of the training commands (predict's is {@link SharedOptions.AssumeGeometry}). */
	static final class AssumeGeometry {
		@Option(names = "--assume-geometry", description = "train on images whose pixel spacing, slice spacing or "
			+ "position is not recorded (1 mm or the instance order assumed); without it they are refused. The card "
			+ "records what was assumed (fingerprint.readWarnings)")
		boolean assumeGeometry;
	}

	/** {@code --normalise NAME} or {@code --window C,W}. */
	static final class Normalise {
		@Option(names = "--normalise", paramLabel = "NAME", descriptionKey = "normalise", description = "auto (default) | "
			+ "ct | zscore | none | 'window C/W' (a fixed HU window mapped to [0, 1])")
		String normalise;

		@Option(names = "--window", paramLabel = "C,W", description = "the same as --normalise 'window C/W'")
		String window;

		/** {@code --normalise NAME}, or {@code --window C,W} as {@code window C/W}; null when neither is given. */
		String value(String command) throws Cli.UsageException {
			if (normalise != null && window != null)
				throw new Cli.UsageException(command + ": give --normalise or --window, not both");
			if (window != null) {
				double[] cw = window(command, window);
				return "window " + cw[0] + "/" + cw[1];
			}
			if (normalise != null) {
				try {
					Normalisations.parse(normalise);
				} catch (IllegalArgumentException e) {
					throw new Cli.UsageException(command + ": --" + e.getMessage().replaceFirst("^normalise = ", "normalise "));
				}
			}
			return normalise;
		}

		/** Parses {@code C,W} (HU, width > 0). */
		static double[] window(String command, String s) throws Cli.UsageException {
			String[] p = s.split(",");
			try {
				if (p.length == 2) {
					double wc = Double.parseDouble(p[0].trim()), ww = Double.parseDouble(p[1].trim());
					if (ww > 0) return new double[] {wc, ww};
				}
			} catch (NumberFormatException e) {
				// reported below
			}
			throw new Cli.UsageException(command + ": --window expects CENTER,WIDTH in HU with WIDTH > 0, e.g. 40,400; got '"
				+ s + "'");
		}
	}

	/** The optimisation: epochs, batch, learning rate and its schedule, augmentation, clipping, seed, validation share. */
	static final class Schedule {
		@Option(names = "--epochs", paramLabel = "N", descriptionKey = "epochs", description = "training epochs")
		@Cli.Range(min = 1, max = 100000)
		Integer epochs;

		@Option(names = "--batch", paramLabel = "N", descriptionKey = "batch", description = "mini-batch size")
		@Cli.Range(min = 1, max = 4096)
		Integer batch;

		@Option(names = "--lr", paramLabel = "X", description = "learning rate, default ${bundle:v.lr}")
		@Cli.Range(min = 1e-9, max = 10)
		Double lr;

		@Option(names = "--optimizer", paramLabel = "NAME", completionCandidates = Optimizers.class, description =
			"${COMPLETION-CANDIDATES}; default ${bundle:v.optimizer}")
		String optimizer;

		@Option(names = "--schedule", paramLabel = "NAME", completionCandidates = Schedules.class, description = "learning rate over the epochs: "
			+ "constant (default) | step (halved every epochs/3 epochs) | cosine (cosine decay to 1 %% at the last epoch)")
		String schedule;

		@Option(names = "--augment", paramLabel = "NAME", completionCandidates = Augmentations.class, descriptionKey = "augment", description =
			"training-time augmentation, prepared in a background thread: ${COMPLETION-CANDIDATES}")
		String augment;

		@Option(names = "--clip-norm", paramLabel = "X", descriptionKey = "clip-norm", description = "gradient clipping: "
			+ "scale a step's gradients down to global L2 norm X when they exceed it; 0 = off")
		@Cli.Range(min = 0, max = 1e6)
		Double clipNorm;

		@Option(names = "--seed", paramLabel = "N", description = "random seed, default ${bundle:v.seed}")
		Long seed;

		@Option(names = "--val-fraction", paramLabel = "X", descriptionKey = "val-fraction", description =
			"share of cases held out for validation, default ${bundle:v.val-fraction}")
		@Cli.Range(min = 0, max = 0.9)
		Double valFraction;
	}

	/** The network's layers: activation, batch normalisation, dropout, weight initialisation. */
	static final class Layers {
		@Option(names = "--activation", paramLabel = "NAME", completionCandidates = Activations.class, description =
			"${COMPLETION-CANDIDATES}; default ${bundle:v.activation}")
		String activation;

		@Option(names = "--batch-norm", descriptionKey = "batch-norm", description =
			"batch normalisation after each convolution (before the activation)")
		boolean batchNorm;

		@Option(names = "--dropout", paramLabel = "R", descriptionKey = "dropout", description =
			"dropout rate in training; default 0 (off)")
		@Cli.Range(min = 0, max = LayerConfig.MAX_DROPOUT)
		double dropout;

		@Option(names = "--init", paramLabel = "NAME", completionCandidates = Inits.class, description = "weight "
			+ "initialisation: ${COMPLETION-CANDIDATES}; default he-normal for relu/elu, glorot-normal for tanh/sigmoid")
		String init;

		LayerConfig layers() {
			return new LayerConfig(batchNorm, dropout, init == null ? LayerConfig.AUTO : init);
		}
	}

	/** {@code --optimizer}. */
	static final class Optimizers extends Cli.Choices {
		Optimizers() {
			super("sgd", "momentum", "adam");
		}
	}

	/** {@code --schedule}. */
	static final class Schedules extends Cli.Choices {
		Schedules() {
			super("constant", "step", "cosine");
		}
	}

	/** {@code --augment}: {@link TrainingConfig#AUGMENTATIONS}. */
	static final class Augmentations extends Cli.Choices {
		Augmentations() {
			super(TrainingConfig.AUGMENTATIONS);
		}
	}

	/** {@code --activation}. */
	static final class Activations extends Cli.Choices {
		Activations() {
			super("relu", "tanh", "sigmoid", "elu");
		}
	}

	/** {@code --init}: {@link LayerConfig#INITS} but auto, which is what leaving the option out means. */
	static final class Inits extends Cli.Choices {
		Inits() {
			super(LayerConfig.INITS.subList(1, LayerConfig.INITS.size()));
		}
	}

	/** A list of positive integers separated by commas (--patch, --filters); null when {@code s} is. */
	static int[] integers(String s) {
		if (s == null) return null;
		try {
			return java.util.Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
		} catch (NumberFormatException e) {
			return new int[0];
		}
	}
}
