package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.nn.Classifier;
import org.medcnn.nn.Models;

/**
 * {@code Plugins>MedCNN>Explain Prediction...}: classifies the current slice (or the square around the
 * selection) with a classifier package and overlays a heat map of the pixels that drove the prediction, with a
 * colour bar. The work is done by {@link ExplainTool}.
 * <p>
 * Macro keys: {@value #KEY_MODEL} (model package folder or .zip), {@value #KEY_METHOD} ({@code grad-cam}: Grad-CAM
 * of the last convolutional feature map, CNN classifiers only; {@code saliency}: input gradient of the predicted
 * class's logit; {@code occlusion}: occlusion sensitivity). A macro without {@value #KEY_METHOD} gets
 * {@link ExplainTool#defaultMethod}: {@code grad-cam} for a CNN, {@code saliency} for an MLP. Example:
 * {@code run("Explain Prediction...", "model=[/models/risk] method=grad-cam");}
 */
public class ExplainPredictionPlugin implements PlugIn {

	static final String TITLE = "Explain Prediction";
	/** Macro key: the classifier model package. */
	public static final String KEY_MODEL = "model";
	/** Macro key: the explanation method, one of {@link ExplainTool#METHODS}. */
	public static final String KEY_METHOD = "method";
	private static final String PREF_MODEL = "medcnn.classify.model";
	private static final String PREF_METHOD = "medcnn.explain.method";

	@Override
	public void run(String arg) {
		ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) {
			IJ.error(TITLE, SegmentTumorsPlugin.NO_IMAGE);
			return;
		}
		try {
			MacroOptions.checkKeys(TITLE + "...", Macro.getOptions(), List.of(KEY_MODEL, KEY_METHOD));
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Model", Prefs.get(PREF_MODEL, ""), 40);
			String[] methods = ExplainTool.METHODS.toArray(new String[0]);
			String macroOptions = Macro.getOptions();
			String method = macroOptions != null ? ExplainTool.GRAD_CAM : Prefs.get(PREF_METHOD, ExplainTool.GRAD_CAM);
			gd.addChoice("Method", methods, ExplainTool.METHODS.contains(method) ? method : ExplainTool.GRAD_CAM);
			gd.addMessage("grad-cam: last conv. feature map weighted by its gradient (CNN only)\n"
				+ "saliency: |gradient| of the predicted class's logit per pixel\n"
				+ "occlusion: drop of its probability when a patch is hidden\n"
				+ "Explains slice " + imp.getCurrentSlice() + " of \"" + imp.getTitle() + "\".");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String model = gd.getNextString().trim();
			method = gd.getNextChoice();
			if (model.isEmpty()) throw new IllegalArgumentException("Please choose a model package (macro key model).");
			Prefs.set(PREF_MODEL, model);
			Prefs.set(PREF_METHOD, method);
			int slice = imp.getCurrentSlice();
			IJ.showStatus(TITLE + ": loading " + model);
			try (Classifier classifier = Models.openClassifier(Path.of(model))) {
				// A macro that names no method gets the model's default (an MLP has no feature map for Grad-CAM).
				if (macroOptions != null && !MacroOptions.keys(macroOptions).contains(KEY_METHOD))
					method = ExplainTool.defaultMethod(classifier.card());
				ExplainTool.Explanation e = ExplainTool.explain(classifier, imp, slice, method);
				ExplainTool.annotate(imp, e, slice);
				IJ.showStatus(TITLE + ": " + ExplainTool.summary(e));
			}
		} catch (UnsupportedOperationException e) {
			IJ.error(TITLE, e.getMessage() + "\nMethod occlusion works with any classifier.");
		} catch (IOException | RuntimeException e) {
			Errors.report(TITLE, e);
		}
	}
}
