package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Models;
import org.medcnn.pipeline.FineTuning;

/**
 * {@code finetune}: continues training a segmentation package from its weights on image/mask folders and writes a
 * new package recording its parent (see {@link FineTuning}).
 */
final class FinetuneCommand implements Main.Command {

	@Override
	public String name() {
		return "finetune";
	}

	@Override
	public String summary() {
		return "continue training a segmentation package on more (or corrected) cases";
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public String usage() {
		return """
			usage: medcnn finetune --model MODEL --images DIR --masks DIR --out MODEL2 [options]
			  --model MODEL       the segmentation package to start from (a folder); it is only read
			  --images DIR        one case per entry, as train-segmenter reads them (the enlarged set: the
			                      cases the model learnt from and the corrected ones)
			  --masks DIR         per case the entry with the same name
			  --roi NAME          the ROI of RTSTRUCT masks
			  --out MODEL2        the new package (never MODEL; new or empty folder)
			  --overwrite         replace the package at MODEL2 if there is one
			  --assume-geometry   train on images whose pixel spacing, slice spacing or position is not recorded
			                      (1 mm or the instance order assumed); without it they are refused. The card
			                      records what was assumed (fingerprint.readWarnings)
			  --epochs N          default %d
			  --lr X              learning rate, default the parent's
			  --seed N            random seed, default the parent's
			  --refit             plan normalisation and spacing from the new set instead of keeping the
			                      parent's (the card says which was done)
			The new package's card records its parent (name, SHA-256 of its card and weights), every case
			(name, SHA-256 of its voxels) and the cases new to the lineage."""
			.formatted(FineTuning.DEFAULT_EPOCHS);
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args a = new Args(name(), argv, Set.of("model", "images", "masks", "out", "epochs", "lr", "seed", "roi"),
			Set.of("refit", "overwrite", "assume-geometry"));
		if (!a.positional().isEmpty()) throw new Args.UsageException(name() + ": unexpected argument " + a.positional());
		FineTuning.Request request;
		try {
			request = new FineTuning.Request(a.path("model"), a.integerOrNull("epochs", 1, 100000),
				a.numberOrNull("lr", 1e-9, 10), a.flag("refit"), a.flag("overwrite"), a.longOrNull("seed"),
				a.flag("assume-geometry"));
		} catch (IllegalArgumentException e) {
			throw new Args.UsageException(name() + ": " + e.getMessage());
		}
		Path outDir = a.path("out");
		FineTuning.check(request, outDir);
		CliProgress progress = new CliProgress(err);
		List<Datasets.Case> cases = Datasets.loadCases(a.path("images"), a.path("masks"), a.string("roi", null), progress,
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
