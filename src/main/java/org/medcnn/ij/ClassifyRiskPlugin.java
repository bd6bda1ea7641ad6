package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;

/**
 * {@code Plugins>MedCNN>Classify Risk...}: classifies what the classifier package expects and shows the risk level:
 * for a classifier of lesion-centred crops, each lesion {@code Segment Tumors...} outlined (a label beside it and a row
 * per lesion) or the selection; for a classifier of whole images, the current slice (or the selection) with a label in
 * the top-left corner. Rows go to the {@value ClassifyRiskTool#TABLE_TITLE} table. The work is done by
 * {@link ClassifyRiskTool}.
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
			gd.addMessage("Classifies the lesions Segment Tumors outlined in \"" + imp.getTitle() + "\" (lesion classifiers), or\n"
				+ "slice " + imp.getCurrentSlice() + " or the selection (whole-image classifiers).");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String model = gd.getNextString().trim();
			if (model.isEmpty()) throw new IllegalArgumentException("Please choose a model package (macro key model).");
			Prefs.set(PREF_MODEL, model);
			int slice = imp.getCurrentSlice();
			IJ.showStatus(TITLE + ": loading " + model);
			try (Classifier classifier = Models.openClassifier(Path.of(model))) {
				ModelCard card = classifier.card();
				ResultsTable rt = Tables.named(ClassifyRiskTool.TABLE_TITLE);
				Roi roi = imp.getRoi();
				if (card.cropMm() > 0 && (roi == null || !roi.isArea())) {
					List<ClassifyRiskTool.LesionRisk> risks = ClassifyRiskTool.classifyLesions(classifier, imp);
					if (risks.isEmpty()) throw new IllegalArgumentException(ClassifyRiskTool.needsLesions(card));
					StringBuilder status = new StringBuilder();
					for (ClassifyRiskTool.LesionRisk r : risks) {
						ClassifyRiskTool.annotateLesion(imp, r, card.riskLevels());
						ClassifyRiskTool.addLesionRow(rt, imp.getTitle(), r, card);
						status.append(status.length() == 0 ? "" : ", ").append("lesion ").append(r.lesion()).append(' ')
							.append(r.classification().className());
					}
					Tables.show(rt, ClassifyRiskTool.TABLE_TITLE);
					IJ.showStatus(TITLE + ": " + status);
				} else {
					Classification c = ClassifyRiskTool.classify(classifier, imp, slice);
					ClassifyRiskTool.annotate(imp, c, card.riskLevels(), slice);
					ClassifyRiskTool.addRow(rt, imp.getTitle(), slice, c, card);
					Tables.show(rt, ClassifyRiskTool.TABLE_TITLE);
					IJ.showStatus(TITLE + ": " + ClassifyRiskTool.labelText(c));
				}
			}
		} catch (IOException | RuntimeException e) {
			Errors.report(TITLE, e);
		}
	}
}
