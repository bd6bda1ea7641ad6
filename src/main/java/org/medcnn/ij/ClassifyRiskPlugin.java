package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.Models;

/**
 * {@code Plugins>MedCNN>Classify Risk...}: classifies the current slice of the current image with a classifier
 * package and shows the risk level as a label in the image's top-left corner plus a row in the
 * {@value ClassifyRiskTool#TABLE_TITLE} table. The work is done by {@link ClassifyRiskTool}.
 * <p>
 * Macro key: {@value #KEY_MODEL} (model package folder or .zip). Example:
 * {@code run("Classify Risk...", "model=[/models/risk]");}
 */
public class ClassifyRiskPlugin implements PlugIn {

	static final String TITLE = "Classify Risk";
	/** Macro key: the classifier model package. */
	public static final String KEY_MODEL = "model";
	private static final String PREF_MODEL = "medcnn.classify.model";

	@Override
	public void run(String arg) {
		ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) {
			IJ.error(TITLE, SegmentTumorsPlugin.NO_IMAGE);
			return;
		}
		try {
			MacroOptions.checkKeys(TITLE + "...", Macro.getOptions(), List.of(KEY_MODEL));
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Model", Prefs.get(PREF_MODEL, ""), 40);
			gd.addMessage("Classifies slice " + imp.getCurrentSlice() + " of \"" + imp.getTitle() + "\".");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String model = gd.getNextString().trim();
			if (model.isEmpty()) throw new IllegalArgumentException("Please choose a model package (macro key model).");
			Prefs.set(PREF_MODEL, model);
			int slice = imp.getCurrentSlice();
			IJ.showStatus(TITLE + ": loading " + model);
			try (Classifier classifier = Models.openClassifier(Path.of(model))) {
				Classification c = ClassifyRiskTool.classify(classifier, imp, slice);
				ClassifyRiskTool.annotate(imp, c, classifier.card().riskLevels(), slice);
				ResultsTable rt = Tables.named(ClassifyRiskTool.TABLE_TITLE);
				ClassifyRiskTool.addRow(rt, imp.getTitle(), slice, c, classifier.card());
				Tables.show(rt, ClassifyRiskTool.TABLE_TITLE);
				IJ.showStatus(TITLE + ": " + ClassifyRiskTool.labelText(c));
			}
		} catch (IOException | RuntimeException e) {
			Errors.report(TITLE, e);
		}
	}
}
