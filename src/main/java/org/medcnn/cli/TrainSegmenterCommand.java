package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.SegmenterRequest;
import org.medcnn.pipeline.TrainingPlanner;
import org.medcnn.pipeline.Trainings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code train-segmenter}: trains a 2D U-Net (axial slices) or, with {@code --dims 3}, a 3D U-Net on patches, on
 * image/mask folders and writes a model package.
 */
@Command(name = "train-segmenter", header = "train a segmenter (2D or 3D U-Net) on image and mask folders", description = {
	"Settings marked \"auto\" follow the data: MedCNN measures a dataset fingerprint (modality, spacing, sizes, "
		+ "intensities of body and lesions, lesion sizes) and plans from it; both are printed first."})
final class TrainSegmenterCommand implements Main.Command {

	@Mixin
	TrainingOptions.Cases cases;

	@Mixin
	TrainingOptions.Output output;

	@Mixin
	TrainingOptions.AssumeGeometry assumeGeometry;

	@Mixin
	TrainingOptions.Normalise normalise;

	@Option(names = "--dims", paramLabel = "2|3", description = "2: 2D U-Net on axial slices (default); 3: 3D U-Net on "
		+ "patches, tiled inference over the volume. Cases are resampled to the median spacing (2D and anisotropic 3D "
		+ "keep each case's slice spacing); masks come back on each case's own grid")
	@Cli.Range(min = 2, max = 3)
	Integer dims;

	@Option(names = "--context", paramLabel = "N", description = "2.5D: feed each slice with its N neighbouring slices on "
		+ "either side as channels (1 -> 3 channels z-1, z, z+1; the nearest slice is repeated at the ends of a volume); "
		+ "default 0 (plain 2D); not with --dims 3")
	@Cli.Range(min = 0, max = SegmenterConfig.MAX_CONTEXT)
	Integer context;

	@Option(names = "--patch", paramLabel = "Y,X|Z,Y,X", description = "training patch in voxels (2D: Y,X; 3D: Z,Y,X), "
		+ "default auto (2D: the median slice up to 256; 3D: the median volume shrunk to about 64k voxels)")
	String patch;

	@Option(names = "--samples", paramLabel = "N", description = "2D training patches per epoch, default auto (one per "
		+ "training slice, at most 800; every third centred on a lesion)")
	@Cli.Range(min = 1, max = 1_000_000)
	Integer samples;

	@Mixin
	TrainingOptions.Schedule schedule;

	@Option(names = "--loss", paramLabel = "NAME", completionCandidates = Losses.class, description =
		"${COMPLETION-CANDIDATES}; default ${bundle:v.loss}")
	String loss;

	@Mixin
	TrainingOptions.Layers layers;

	@Option(names = "--depth", paramLabel = "N", description = "U-Net levels, default auto (3-5: the receptive field covers "
		+ "twice the larger lesions); at most 5 with --dims 3")
	@Cli.Range(min = 1, max = 6)
	Integer depth;

	@Option(names = "--filters", paramLabel = "N", description = "filters of the first level (doubling per level), default "
		+ "${bundle:v.filters} (3D: ${bundle:v.filters3d})")
	@Cli.Range(min = 1, max = 512)
	Integer filters;

	/** {@code --loss} of a segmenter. */
	static final class Losses extends Cli.Choices {
		Losses() {
			super("dice", "dice-ce", "cross-entropy", "mse");
		}
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public Map<String, String> helpValues() {
		TrainingConfig d = TrainingConfig.segmenterDefaults();
		return Cli.values("v.lr", d.learningRate(), "v.optimizer", d.optimizer(), "v.loss", d.loss(), "v.activation",
			d.activation(), "v.seed", d.seed(), "v.val-fraction", d.valFraction(), "v.filters",
			SegmenterConfig.defaults().baseFilters(), "v.filters3d", Segmenter3dConfig.defaults().baseFilters(),
			"normalise", "auto (default: CT -> clip to the set's 0.5-99.5 percentiles and z-score with its statistics; MR "
				+ "and other relative units -> z-score per image over its body) | ct | zscore | none | 'window C/W' (a "
				+ "fixed HU window mapped to [0, 1])",
			"epochs", "default " + SegmenterConfig.DEFAULT_EPOCHS + " (3D: " + d.epochs() + ")",
			"batch", "mini-batch size (patches), default auto (2D: about 128k pixels per batch; 3D: "
				+ Segmenter3dConfig.defaults().training().batchSize() + ")",
			"augment", "training-time augmentation, prepared in a background thread: auto (default: flips) | none | flips "
				+ "| standard (flips, 90° turns, rotations up to ±15°, scaling 0.85-1.15, intensity scale/shift, Gaussian "
				+ "noise) | mild",
			"clip-norm", "gradient clipping: scale a step's gradients down to global L2 norm X when they exceed it; 0 = "
				+ "off (default " + d.clipNorm() + ", see the README)",
			"dropout", "dropout rate in training, at the U-Net bottleneck; default 0 (off)",
			"val-fraction", "share of cases held out for validation, default " + d.valFraction());
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		SegmenterRequest request;
		try {
			request = request();
		} catch (IllegalArgumentException e) {
			throw new Cli.UsageException("train-segmenter: " + e.getMessage());
		}
		Path outDir = output.out;
		Trainings.checkTarget(outDir, request.common().overwrite() || request.common().resume());
		CliProgress progress = new CliProgress(err);
		List<Datasets.Case> cases = Datasets.loadCases(this.cases.images, this.cases.masks, this.cases.roi, progress,
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
	SegmenterRequest request() throws Cli.UsageException {
		boolean threeD = dims != null && dims == 3;
		if (threeD && context != null)
			throw new Cli.UsageException("train-segmenter: --context (neighbouring slices as channels) is for the 2D U-Net "
				+ "only; leave it out with --dims 3, whose 3D convolutions see the neighbouring slices already");
		if (threeD && depth != null) Cli.checkRange("train-segmenter", "--depth", depth, 1, 5);
		TrainingOptions.Schedule t = schedule;
		return SegmenterRequest.builder().dims(dims).epochs(t.epochs).batch(t.batch).learningRate(t.lr)
			.optimizer(t.optimizer).loss(loss).activation(layers.activation).seed(t.seed).valFraction(t.valFraction)
			.schedule(t.schedule).augment(t.augment).resume(output.resume).clipNorm(t.clipNorm).depth(depth).filters(filters)
			.context(context).patch(patch(threeD)).layers(layers.layers()).normalise(normalise.value("train-segmenter"))
			.samplesPerEpoch(samples).overwrite(output.overwrite)
			.assumeGeometry(assumeGeometry.assumeGeometry).build();
	}

	/** Parses {@code --patch Y,X} (2D) or {@code --patch Z,Y,X} (3D), positive integers; null when absent. */
	int[] patch(boolean threeD) throws Cli.UsageException {
		int[] p = TrainingOptions.integers(patch);
		if (p == null) return null;
		if (p.length == (threeD ? 3 : 2) && java.util.Arrays.stream(p).allMatch(v -> v > 0)) return p;
		throw new Cli.UsageException("train-segmenter: --patch expects " + (threeD ? "Z,Y,X" : "Y,X") + " in voxels, each "
			+ "> 0, e.g. " + (threeD ? "16,64,64" : "128,128") + "; got '" + patch + "'");
	}
}
