package org.medcnn.ij;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.FineTuning;

/**
 * {@code Plugins>MedCNN>Fine-tune Model...}: continues training a segmentation package on an enlarged training set
 * (e.g. the folder {@code Add to Training Set...} fills) and writes a new package recording its parent (see
 * {@link FineTuning}), with the live training window of {@code Train Segmenter...} (Stop keeps the best model so far;
 * in batch mode, Log lines).
 * <p>
 * Macro keys: {@value #KEY_MODEL} (the parent package), {@value #KEY_IMAGES} and {@value #KEY_MASKS} (the set's
 * folders; a training-set folder's {@code images}/{@code masks}), {@value #KEY_OUT} (the new package, never the
 * parent), {@value #KEY_EPOCHS} (default {@value FineTuning#DEFAULT_EPOCHS}), {@value #KEY_REFIT} (checkbox: plan the
 * normalisation and spacing from the new set), {@value #KEY_OVERWRITE} (checkbox: replace a package at out) and {@value #KEY_ASSUME_GEOMETRY} (checkbox: train on
 * images whose pixel spacing or position is not recorded; refused without). Example:
 * {@code run("Fine-tune Model...", "model=[/models/v1] images=[/set/images] masks=[/set/masks] out=[/models/v2] epochs=5");}
 */
public class FineTuneModelPlugin implements PlugIn {

	static final String TITLE = "Fine-tune Model";
	public static final String KEY_MODEL = "model", KEY_IMAGES = "images", KEY_MASKS = "masks", KEY_OUT = "out",
		KEY_EPOCHS = "epochs", KEY_REFIT = "refit", KEY_OVERWRITE = "overwrite",
		KEY_ASSUME_GEOMETRY = org.medcnn.pipeline.AssumedGeometry.KEY;
	static final List<String> KEYS = List.of(KEY_MODEL, KEY_IMAGES, KEY_MASKS, KEY_OUT, KEY_EPOCHS, KEY_REFIT, KEY_OVERWRITE,
		KEY_ASSUME_GEOMETRY);
	private static final String PREF = "medcnn.finetune.";

	@Override
	public void run(String arg) {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, KEYS);
			boolean macro = options != null;
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Model (package to start from)", macro ? "" : Prefs.get(PREF + KEY_MODEL, ""), 40);
			gd.addDirectoryField("Images folder", macro ? "" : Prefs.get(PREF + KEY_IMAGES, ""), 40);
			gd.addDirectoryField("Masks folder", macro ? "" : Prefs.get(PREF + KEY_MASKS, ""), 40);
			gd.addDirectoryField("Out (new model package folder)", "", 40);
			gd.addNumericField("Epochs", FineTuning.DEFAULT_EPOCHS, 0);
			gd.addCheckbox("Refit (normalisation and spacing from the new set, not the parent's)", false);
			gd.addCheckbox("Overwrite (replace a package already at Out; never the parent)", false);
			gd.addCheckbox("Assume_geometry (train on images without a recorded pixel spacing or position)", false);
			gd.addMessage("Starts from the model's weights and keeps its preprocessing; the new card records the parent\n"
				+ "and the cases added. A live plot shows loss and Dice per epoch; Stop keeps the best model.");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String model = gd.getNextString().trim(), images = gd.getNextString().trim(), masks = gd.getNextString().trim();
			String out = gd.getNextString().trim();
			int epochs = DialogValues.whole("Epochs", KEY_EPOCHS, gd.getNextNumber(), 1, 100000);
			boolean refit = gd.getNextBoolean(), overwrite = gd.getNextBoolean();
			boolean assumeGeometry = gd.getNextBoolean(); // never remembered: an explicit choice each time
			Path parent = DialogValues.path("Model", KEY_MODEL, model);
			Path imagesDir = DialogValues.folder("Images folder", KEY_IMAGES, images);
			Path masksDir = DialogValues.folder("Masks folder", KEY_MASKS, masks);
			Path outDir = DialogValues.path("Out", KEY_OUT, out);
			if (!macro) {
				Prefs.set(PREF + KEY_MODEL, model);
				Prefs.set(PREF + KEY_IMAGES, images);
				Prefs.set(PREF + KEY_MASKS, masks);
			}
			FineTuning.Request request = new FineTuning.Request(parent, epochs, null, refit, overwrite, null,
				assumeGeometry);
			FineTuning.check(request, outDir);
			List<Datasets.Case> cases = Datasets.loadCases(imagesDir, masksDir, progress, cancel);
			progress.done();
			FineTuning.Plan plan = FineTuning.plan(request, cases, outDir);
			IJ.log(TITLE + ": " + parent.getFileName() + " on " + cases.size() + " cases, " + epochs + " epochs → " + outDir);
			TrainingRun.Result r = TrainingRun.run(TITLE, plan.plan().training().epochs(), outDir,
				(l, c) -> FineTuning.fineTune(plan, cases, l, c, outDir), cancel);
			IJ.showStatus(TITLE + ": " + r.status());
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}
}
