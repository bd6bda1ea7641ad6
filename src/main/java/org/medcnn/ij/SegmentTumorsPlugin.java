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
import ij.plugin.frame.RoiManager;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;

/**
 * {@code Plugins>MedCNN>Segment Tumors...}: segments the current image with a segmenter package, draws the
 * lesions (translucent fill and one outline per lesion and slice) into the image's overlay, adds the outlines to
 * the ROI Manager (in a batch-mode macro, the macro's own hidden one, so that {@code roiManager("count")},
 * {@code roiManager("measure")} and {@code roiManager("save", …)} see them) and one row per lesion to the {@value SegmentTumorsTool#TABLE_TITLE} table. The work is done by
 * {@link SegmentTumorsTool}. The image is then linked to that ROI Manager and to the mask image ({@link LiveCorrection}):
 * editing the outlines (Add, Update, Delete) or painting the mask image redraws the overlay at once.
 * <p>
 * Macro keys: {@value #KEY_MODEL} (model package folder or .zip), {@value #KEY_MASK} (a checkbox: also open
 * the mask as an 8-bit image "&lt;title&gt;-mask", which becomes the current image) and {@value #KEY_TTA} (a
 * checkbox: flip test-time augmentation) and {@value #KEY_MIN_LESION} (connected components smaller than this many
 * voxels are dropped, default {@value BatchProcessTool#MIN_LESION_VOXELS} as in Batch Process) and {@value #KEY_ENGINE}
 * ({@code tensorflow}, the default, or {@code onnx}: the same work on the package's ONNX weights). Example:
 * {@code run("Segment Tumors...", "model=[/models/liver]");}
 */
public class SegmentTumorsPlugin implements PlugIn {

	static final String TITLE = "Segment Tumors";
	static final String NO_IMAGE = "Please open a DICOM series first (Plugins>MedCNN>Open DICOM...).";
	/** Macro key: the segmenter model package. */
	public static final String KEY_MODEL = "model";
	/** Macro key (checkbox): also open the mask image. */
	public static final String KEY_MASK = "mask";
	/** Macro key (checkbox): flip test-time augmentation. */
	public static final String KEY_TTA = "tta";
	/** Macro key: smallest lesion kept, in voxels (default {@value BatchProcessTool#MIN_LESION_VOXELS}, as Batch Process). */
	public static final String KEY_MIN_LESION = "min_lesion";
	/** Macro key (choice): the runtime, {@code tensorflow} (default) or {@code onnx} (the package's weights/model.onnx). */
	public static final String KEY_ENGINE = InferenceEngine.KEY;
	private static final String PREF_MODEL = "medcnn.segment.model";

	/** The engine choices, as the macro key takes them. */
	static final String[] ENGINES = {InferenceEngine.TENSORFLOW.key(), InferenceEngine.ONNX.key()};

	@Override
	public void run(String arg) {
		ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) {
			IJ.error(TITLE, NO_IMAGE);
			return;
		}
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			MacroOptions.checkKeys(TITLE + "...", Macro.getOptions(), List.of(KEY_MODEL, KEY_MASK, KEY_TTA, KEY_MIN_LESION,
				KEY_ENGINE));
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Model", Prefs.get(PREF_MODEL, ""), 40);
			gd.addCheckbox("Mask image (also open the mask as an 8-bit stack)", false);
			gd.addCheckbox("TTA (flip test-time augmentation: mean of 4 mirrored passes, 4x the time)", false);
			gd.addNumericField("Min_lesion (voxels; smaller components are dropped)", BatchProcessTool.MIN_LESION_VOXELS, 0);
			gd.addChoice("Engine (runtime: TensorFlow SavedModel or the package's ONNX weights)", ENGINES,
				InferenceEngine.TENSORFLOW.key());
			gd.addMessage("Segments \"" + imp.getTitle() + "\"; Esc cancels.");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String model = gd.getNextString().trim();
			boolean maskImage = gd.getNextBoolean();
			boolean tta = gd.getNextBoolean();
			int minLesion = DialogValues.whole("Min_lesion", KEY_MIN_LESION, gd.getNextNumber(), 1, Integer.MAX_VALUE);
			InferenceEngine engine = InferenceEngine.parse(gd.getNextChoice());
			if (model.isEmpty()) throw new IllegalArgumentException("Please choose a model package (macro key model).");
			Prefs.set(PREF_MODEL, model);
			progress.progress(-1, "loading " + model);
			SegmentTumorsTool.Outcome outcome;
			try (Segmenter segmenter = Models.openSegmenter(Path.of(model), engine)) {
				outcome = SegmentTumorsTool.segment(imp, segmenter, tta, minLesion, progress, cancel);
			}
			List<Roi> outlines = SegmentTumorsTool.annotate(imp, outcome);
			SegmentTumorsTool.remember(imp, outcome.mask(), Path.of(model));
			ResultsTable rt = Tables.named(SegmentTumorsTool.TABLE_TITLE);
			SegmentTumorsTool.addRows(rt, imp.getTitle(), outcome.lesions());
			Tables.show(rt, SegmentTumorsTool.TABLE_TITLE);
			imp.setProperty(LiveCorrection.PROP_CORRECTED, outcome.mask());
			LiveCorrection.unlink();
			RoiManager rm = null;
			if (!GraphicsEnvironment.isHeadless() && !outlines.isEmpty()) {
				rm = roiManager();
				for (Roi r : outlines) rm.addRoi((Roi) r.clone());
			}
			progress.done();
			ImagePlus labels = null;
			if (maskImage) {
				labels = IjVolumes.toImagePlus(outcome.mask(), imp.getTitle() + "-mask");
				labels.show();
			}
			if (!GraphicsEnvironment.isHeadless()) LiveCorrection.link(imp, rm != null ? rm : RoiManager.getInstance(), labels);
			IJ.showStatus(TITLE + ": " + outcome.lesions().size() + " lesion(s) in " + imp.getTitle());
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}

	/**
	 * The ROI Manager the running macro sees: the open one, else in a batch-mode macro the hidden one ImageJ keeps for
	 * that macro (what its {@code roiManager("count")} reads), else a new visible one. {@link RoiManager#getRoiManager()}
	 * alone is wrong in batch mode: with no window open it constructs a manager that is neither the window nor the
	 * macro's, so the outlines would be lost to a batch macro that measures or saves them.
	 */
	static RoiManager roiManager() {
		RoiManager rm = RoiManager.getInstance();
		return rm != null ? rm : RoiManager.getRoiManager();
	}
}
