package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.Suggestions;

/**
 * {@code Plugins>MedCNN>Suggest Next Case...}: ranks the unlabelled cases of a folder by how much labelling them should
 * help the model ({@link Suggestions}: 1 − the Dice the model expects by its own probabilities, from four mirrored
 * passes), lists every case with its score and reason in the {@value #TABLE_TITLE} table, most useful first, and opens
 * the first one.
 * <p>
 * Macro keys: {@value #KEY_MODEL} (a segmentation package), {@value #KEY_FOLDER} (the folder of unlabelled cases, one
 * per entry), {@value #KEY_KEEP_CLOSED} (checkbox: do not open the first case). Example:
 * {@code run("Suggest Next Case...", "model=[/models/v2] folder=[/data/unlabelled]");}
 */
public class SuggestNextCasePlugin implements PlugIn {

	static final String TITLE = "Suggest Next Case";
	public static final String TABLE_TITLE = "MedCNN Suggestions";
	public static final String KEY_MODEL = "model", KEY_FOLDER = "folder", KEY_KEEP_CLOSED = "keep_closed";
	static final List<String> KEYS = List.of(KEY_MODEL, KEY_FOLDER, KEY_KEEP_CLOSED);
	private static final String PREF = "medcnn.suggest.";

	@Override
	public void run(String arg) {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, KEYS);
			boolean macro = options != null;
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Model (segmentation package)", macro ? "" : Prefs.get(PREF + KEY_MODEL, ""), 40);
			gd.addDirectoryField("Folder (unlabelled cases)", macro ? "" : Prefs.get(PREF + KEY_FOLDER, ""), 40);
			gd.addCheckbox("Keep_closed (do not open the first case)", false);
			gd.addMessage("Each case is segmented 4 times (plain and mirrored); Esc cancels.");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String model = gd.getNextString().trim(), folder = gd.getNextString().trim();
			boolean keepClosed = gd.getNextBoolean();
			Path pkg = DialogValues.path("Model", KEY_MODEL, model);
			Path dir = DialogValues.folder("Folder", KEY_FOLDER, folder);
			if (!macro) {
				Prefs.set(PREF + KEY_MODEL, model);
				Prefs.set(PREF + KEY_FOLDER, folder);
			}
			List<Suggestions.Suggestion> ranked;
			try (Segmenter s = Models.openSegmenter(pkg)) {
				ranked = Suggestions.rank(s, List.of(dir), progress, cancel);
			}
			progress.done();
			ResultsTable rt = Tables.named(TABLE_TITLE);
			rt.reset();
			addRows(rt, ranked);
			Tables.show(rt, TABLE_TITLE);
			Suggestions.Suggestion first = ranked.get(0);
			if (!keepClosed && first.error() == null) {
				ImagePlus imp = SuggestNextCaseTool.open(first, progress, cancel);
				imp.show();
			}
			IJ.showStatus(TITLE + ": " + ranked.size() + " cases ranked; next: " + first.name());
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}

	/** One row per case: rank, case, score (mL expected to be corrected), expected Dice, voxels in doubt, flip disagreement, lesions, burden, reason, input. */
	static void addRows(ResultsTable rt, List<Suggestions.Suggestion> ranked) {
		int rank = 1;
		for (Suggestions.Suggestion s : ranked) {
			rt.incrementCounter();
			rt.addValue("rank", rank++);
			rt.addValue("case", s.name());
			rt.addValue("score (mL to correct)", s.score());
			rt.addValue("expected Dice", s.expectedDice());
			rt.addValue("doubt voxels", s.doubtVoxels());
			rt.addValue("flip disagreement", s.flipDisagreement());
			rt.addValue("lesions", s.lesions());
			rt.addValue("burden (mL)", s.burdenMl());
			rt.addValue("reason", s.reason());
			rt.addValue("input", s.entry().toString());
		}
	}
}
