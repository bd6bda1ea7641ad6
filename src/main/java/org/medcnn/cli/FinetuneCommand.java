package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Models;
import org.medcnn.pipeline.FineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code finetune}: continues training a segmentation package from its weights on image/mask folders and writes a
 * new package recording its parent (see {@link FineTuning}).
 */
@Command(name = "finetune", header = "continue training a segmentation package on more (or corrected) cases",
	footer = {"The new package's card records its parent (name, SHA-256 of its card and weights), every case (name, "
		+ "SHA-256 of its voxels) and the cases new to the lineage."})
final class FinetuneCommand implements Main.Command {

	@Option(names = "--model", paramLabel = "MODEL", required = true, description = "the segmentation package to start "
		+ "from (a folder); it is only read")
	Path model;

	@Mixin
	TrainingOptions.Cases cases;

	@Option(names = "--out", paramLabel = "MODEL2", required = true, description = "the new package (never MODEL; new or "
		+ "empty folder)")
	Path output;

	@Option(names = "--overwrite", description = "replace the package at MODEL2 if there is one")
	boolean overwrite;

	@Mixin
	TrainingOptions.AssumeGeometry assumeGeometry;

	@Option(names = "--epochs", paramLabel = "N", description = "default ${bundle:v.epochs}")
	@Cli.Range(min = 1, max = 100000)
	Integer epochs;

	@Option(names = "--lr", paramLabel = "X", description = "learning rate, default the parent's")
	@Cli.Range(min = 1e-9, max = 10)
	Double lr;

	@Option(names = "--seed", paramLabel = "N", description = "random seed, default the parent's")
	Long seed;

	@Option(names = "--refit", description = "plan normalisation and spacing from the new set instead of keeping the "
		+ "parent's (the card says which was done)")
	boolean refit;

	@Override
	public Map<String, String> helpValues() {
		return Cli.values("v.epochs", FineTuning.DEFAULT_EPOCHS, "images", "one case per entry, as train-segmenter reads "
			+ "them (the enlarged set: the cases the model learnt from and the corrected ones)");
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		FineTuning.Request request;
		try {
			request = new FineTuning.Request(model, epochs, lr, refit, overwrite, seed,
				assumeGeometry.assumeGeometry);
		} catch (IllegalArgumentException e) {
			throw new Cli.UsageException("finetune: " + e.getMessage());
		}
		Path outDir = output;
		FineTuning.check(request, outDir);
		CliProgress progress = new CliProgress(err);
		List<Datasets.Case> cases = Datasets.loadCases(this.cases.images, this.cases.masks, this.cases.roi, progress,
			new Cancellation());
		progress.done();
		FineTuning.Plan plan = FineTuning.plan(request, cases, outDir);
		err.println("Fine-tuning " + request.parent() + " on " + cases.size() + " cases with TensorFlow on " + Models.device());
		try (CliCancellation cancel = new CliCancellation()) {
			Path pkg = FineTuning.fineTune(plan, cases, new EpochPrinter("finetune", err), cancel.token(), outDir);
			out.println(pkg.toAbsolutePath());
		}
		return 0;
	}
}
