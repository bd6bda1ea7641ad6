package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.medcnn.pipeline.TrainingSets;
import org.medcnn.volume.Mask;

/**
 * {@code Plugins>MedCNN>Add to Training Set...}: saves the current image (its DICOM files by reference, or a copy) and
 * its corrected mask into a training-set folder that {@code Train Segmenter...} and {@code Fine-tune Model...} read
 * (PROJECT/images, PROJECT/masks), with a manifest (PROJECT/manifests/CASE.json: when, by whom, from which model, the
 * voxels the correction added and removed; no patient identifiers). See {@link TrainingSets}.
 * <p>
 * Correcting: after {@code Segment Tumors...} the lesion outlines are in the ROI Manager (one per lesion and slice).
 * Edit them with ImageJ's tools (select one, reshape it or paint with the brush, Update; draw a missed lesion and Add;
 * Delete a false one), or paint the mask image; the overlay follows each edit at once ({@link LiveCorrection}). This
 * command takes that edited state, and redraws the overlay from it.
 * <p>
 * Macro keys: {@value #KEY_PROJECT} (the training-set folder), {@value #KEY_CASE} (the case's name; letters, digits,
 * {@code . _ -}), {@value #KEY_MASK} (where the corrected mask is: {@code auto}, {@code ROI Manager}, {@code Overlay}
 * or a mask image's title), {@value #KEY_COPY} (checkbox: copy the image instead of referencing its files),
 * {@value #KEY_REPLACE} (checkbox: replace a case of that name). Example:
 * {@code run("Add to Training Set...", "project=[/data/liver-set] case=case07");}
 */
public class AddToTrainingSetPlugin implements PlugIn {

	static final String TITLE = "Add to Training Set";
	public static final String KEY_PROJECT = "project", KEY_CASE = "case", KEY_MASK = "mask", KEY_COPY = "copy",
		KEY_REPLACE = "replace";
	static final List<String> KEYS = List.of(KEY_PROJECT, KEY_CASE, KEY_MASK, KEY_COPY, KEY_REPLACE);
	private static final String PREF_PROJECT = "medcnn.trainingset.project";

	@Override
	public void run(String arg) {
		ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) {
			IJ.error(TITLE, SegmentTumorsPlugin.NO_IMAGE);
			return;
		}
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, KEYS);
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Project (training-set folder)", options != null ? "" : Prefs.get(PREF_PROJECT, ""), 40);
			gd.addStringField("Case (name of the case's files)", "case-"
				+ LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")), 24);
			List<String> sources = new ArrayList<>(List.of(AddToTrainingSetTool.AUTO, AddToTrainingSetTool.ROI_MANAGER,
				AddToTrainingSetTool.OVERLAY));
			for (String t : WindowManager.getImageTitles()) if (!t.equals(imp.getTitle())) sources.add(t);
			gd.addChoice("Mask (where the corrected outlines are)", sources.toArray(String[]::new), AddToTrainingSetTool.AUTO);
			gd.addCheckbox("Copy (save a copy of the image, not a reference to its DICOM files)", false);
			gd.addCheckbox("Replace (a case of that name in the project)", false);
			gd.addMessage("Adds \"" + imp.getTitle() + "\" and its corrected mask. auto: the ROI Manager's outlines, else the\n"
				+ "overlay's, else the image \"" + imp.getTitle() + "-mask\".");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String project = gd.getNextString().trim(), name = gd.getNextString().trim(), source = gd.getNextChoice();
			boolean copy = gd.getNextBoolean(), replace = gd.getNextBoolean();
			Path projectDir = DialogValues.path("Project", KEY_PROJECT, project);
			if (options == null) Prefs.set(PREF_PROJECT, project);
			LiveCorrection.settle();
			RoiManager rm = RoiManager.getInstance();
			if (rm == null && !java.awt.GraphicsEnvironment.isHeadless()) rm = SegmentTumorsPlugin.roiManager();
			Mask mask = AddToTrainingSetTool.correctedMask(imp, source, rm == null ? null : rm.getRoisAsArray(),
				WindowManager::getImage);
			TrainingSets.Added added = AddToTrainingSetTool.add(imp, mask, projectDir, name, copy, replace);
			Object change = added.manifest().get("correction");
			IJ.log(TITLE + ": " + name + " → " + added.image() + (added.referenced() ? " (reference)" : " (copy)") + ", mask "
				+ added.mask() + "; correction " + change);
			IJ.showStatus(TITLE + ": " + name + " added to " + projectDir);
		} catch (IOException | RuntimeException e) {
			Errors.report(TITLE, e);
		}
	}
}
