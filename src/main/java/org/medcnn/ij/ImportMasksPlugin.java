package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.io.OpenDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.volume.Mask;

/**
 * {@code Plugins>MedCNN>Import Masks...}: loads a DICOM SEG, an RTSTRUCT ROI or a NIfTI label image onto the
 * current image (opened with {@code Open DICOM...}), shows it in the overlay as {@code Segment Tumors...} does and
 * opens the label image "&lt;title&gt;-mask". The work is done by {@link ImportMasksTool}.
 * <p>
 * Macro keys: {@value #KEY_PATH} (the mask file) and {@value #KEY_ROI} (the RTSTRUCT ROI name; needed when the
 * structure set holds several ROIs, else an error lists them). Interactively, several ROIs give a choice. Example:
 * {@code run("Import Masks...", "path=[/data/case01_rtstruct.dcm] roi=GTV");}
 */
public class ImportMasksPlugin implements PlugIn {

	static final String TITLE = "Import Masks";
	/** Macro key: the mask file. */
	public static final String KEY_PATH = "path";
	/** Macro key: the RTSTRUCT ROI name. */
	public static final String KEY_ROI = "roi";

	@Override
	public void run(String arg) {
		ImagePlus image = WindowManager.getCurrentImage();
		if (image == null) {
			IJ.error(TITLE, SegmentTumorsPlugin.NO_IMAGE);
			return;
		}
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, List.of(KEY_PATH, KEY_ROI));
			String dir = OpenDialog.getDefaultDirectory();
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addFileField("Path", dir == null ? "" : dir, 40);
			gd.addMessage("DICOM SEG, RTSTRUCT (.dcm) or NIfTI label image (.nii, .nii.gz) on the grid of \""
				+ image.getTitle() + "\"");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			Path file = DialogValues.path("Path", KEY_PATH, gd.getNextString());
			if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such mask file");
			String roi = null;
			if (ImportMasksTool.isRtStruct(file)) {
				List<String> names = ImportMasksTool.roiNames(file);
				if (options != null) {
					roi = Macro.getValue(options, KEY_ROI, null);
				} else if (names.size() > 1) {
					GenericDialog choice = new GenericDialog(TITLE);
					choice.addChoice("ROI", names.toArray(String[]::new), names.get(0));
					choice.showDialog();
					if (choice.wasCanceled()) return;
					roi = choice.getNextChoice();
				}
			}
			IJ.showStatus(TITLE + ": reading " + file.getFileName());
			Mask mask = ImportMasksTool.load(file, image, roi);
			ImagePlus labels = ImportMasksTool.show(image, mask);
			labels.show();
			IJ.showStatus(TITLE + ": " + mask.foregroundCount() + " voxels from " + file.getFileName());
		} catch (IOException | RuntimeException e) {
			Errors.report(TITLE, e);
		}
	}
}
