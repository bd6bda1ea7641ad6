package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.io.OpenDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;

/**
 * {@code Plugins>MedCNN>Save DICOM SEG...}: saves the current image's mask as a DICOM Segmentation that
 * references the DICOM series the image was opened from. The current image may be the DICOM image (its mask
 * is the open "&lt;title&gt;-mask" image, else the lesions Segment Tumors... drew) or the "&lt;title&gt;-mask"
 * image itself. The work is done by {@link SaveDicomSegTool}.
 * <p>
 * Macro key: {@value #KEY_OUTPUT} (the SEG file to write). Example:
 * {@code run("Save DICOM SEG...", "output=[/data/case01_seg.dcm]");}
 */
public class SaveDicomSegPlugin implements PlugIn {

	static final String TITLE = "Save DICOM SEG";
	/** Macro key: the SEG file to write. */
	public static final String KEY_OUTPUT = "output";

	@Override
	public void run(String arg) {
		ImagePlus current = WindowManager.getCurrentImage();
		if (current == null) {
			IJ.error(TITLE, SegmentTumorsPlugin.NO_IMAGE);
			return;
		}
		ImagePlus image = current;
		ImagePlus maskImage = WindowManager.getImage(current.getTitle() + SaveDicomSegTool.MASK_SUFFIX);
		String title = current.getTitle();
		if (title.endsWith(SaveDicomSegTool.MASK_SUFFIX)) {
			ImagePlus source = WindowManager.getImage(title.substring(0, title.length() - SaveDicomSegTool.MASK_SUFFIX.length()));
			if (source != null) {
				image = source;
				maskImage = current;
			}
		}
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			MacroOptions.checkKeys(TITLE + "...", Macro.getOptions(), List.of(KEY_OUTPUT));
			String dir = OpenDialog.getDefaultDirectory();
			String suggested = (dir == null ? "" : dir) + image.getTitle().replaceAll("[^A-Za-z0-9._-]", "_") + "_seg.dcm";
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addFileField("Output", suggested, 40);
			gd.addMessage("Mask: " + (maskImage != null ? "\"" + maskImage.getTitle() + "\"" : "lesions drawn on \""
				+ image.getTitle() + "\""));
			gd.showDialog();
			if (gd.wasCanceled()) return;
			Path out = DialogValues.path("Output", KEY_OUTPUT, gd.getNextString());
			Path written = SaveDicomSegTool.save(image, maskImage, out, progress, cancel);
			progress.done();
			IJ.showStatus(TITLE + ": wrote " + written.getFileName());
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}
}
