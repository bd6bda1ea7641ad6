package org.medcnn.ij;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import ij.text.TextWindow;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;

/**
 * {@code Plugins>MedCNN>Model Info...}: shows a model package's card (task, architecture, classes and risk
 * levels, input spec, training record, validation metrics, versions, intended use) in a text window; in batch
 * mode and headless the text goes to the Log. The text is made by {@link ModelInfoTool}.
 * <p>
 * Macro key: {@value #KEY_MODEL} (the package folder). Example: {@code run("Model Info...", "model=[/models/liver]");}
 */
public class ModelInfoPlugin implements PlugIn {

	static final String TITLE = "Model Info";
	/** Macro key: the model package. */
	public static final String KEY_MODEL = "model";
	private static final String PREF_MODEL = "medcnn.modelinfo.model";

	@Override
	public void run(String arg) {
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, List.of(KEY_MODEL));
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Model", options != null ? "" : Prefs.get(PREF_MODEL, ""), 40);
			gd.showDialog();
			if (gd.wasCanceled()) return;
			Path pkg = DialogValues.path("Model package", KEY_MODEL, gd.getNextString());
			if (options == null) Prefs.set(PREF_MODEL, pkg.toString());
			ModelCard card = Models.readCard(pkg);
			String text = ModelInfoTool.describe(card, pkg);
			if (GraphicsEnvironment.isHeadless() || Interpreter.isBatchMode()) {
				IJ.log("MedCNN model card\n" + text);
			} else {
				TextWindow w = new TextWindow(TITLE + " - " + card.name(), text, 680, 600);
				w.getTextPanel().setFont(new Font(Font.MONOSPACED, Font.PLAIN, 13), true); // aligns the history table
			}
		} catch (IOException | RuntimeException e) {
			Errors.report(TITLE, e);
		}
	}
}
