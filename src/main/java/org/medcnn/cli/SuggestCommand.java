package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medcnn.common.Json;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.Suggestions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code suggest}: ranks the unlabelled cases of folders by how much labelling them should help a segmentation model
 * (see {@link Suggestions}), most useful first.
 */
@Command(name = "suggest", header = "rank unlabelled cases by how much labelling them should help a segmentation model",
	footer = {"Every case is segmented plain and mirrored (4 passes); its score is the volume (mL) of the prediction that "
		+ "the model expects an expert to correct, by its own probabilities over the voxels it gives p >= 0.05 (0 = "
		+ "confident); the reason gives the expected Dice beside it. Most useful first; cases that cannot be read come "
		+ "last with their error."})
final class SuggestCommand implements Main.Command {

	@Option(names = "--model", paramLabel = "MODEL", required = true, description = "a segmentation package")
	Path model;

	@Mixin
	SharedOptions.Json json;

	@Parameters(paramLabel = "DIR", arity = "1..*", description = "folders of unlabelled cases, one per entry (DICOM "
		+ "series folders, NIfTI, TIFF)")
	List<Path> dirs;

	@Override
	public Map<String, String> helpValues() {
		return Cli.values("json", "print a JSON array [{case, input, score, expectedDice, doubtVoxels, "
			+ "flipDisagreement, lesions, burdenMl, reason[, error]}] instead of a table");
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		List<Suggestions.Suggestion> ranked;
		try (Segmenter seg = Models.openSegmenter(model); CliCancellation cancel = new CliCancellation()) {
			CliProgress progress = new CliProgress(err);
			ranked = Suggestions.rank(seg, dirs, progress, cancel.token());
			progress.done();
		}
		if (json.json) {
			List<Object> json = new ArrayList<>();
			for (Suggestions.Suggestion s : ranked) json.add(s.toJson());
			out.println(Json.writePretty(json));
		} else {
			out.println(String.format(Locale.ROOT, "%-4s %-24s %7s  %s", "rank", "case", "score", "reason"));
			int rank = 1;
			for (Suggestions.Suggestion s : ranked)
				out.println(String.format(Locale.ROOT, "%-4d %-24s %7s  %s", rank++, s.name(),
					Double.isNaN(s.score()) ? "-" : String.format(Locale.ROOT, "%.4f", s.score()), s.reason()));
		}
		return ranked.stream().anyMatch(s -> s.error() != null) ? 1 : 0;
	}
}
