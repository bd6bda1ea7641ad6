package org.medcnn.ij;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.volume.Lesions;

/**
 * {@code Plugins>MedCNN>Batch Process...}: runs a segmentation model over every case under a folder and writes
 * per case a mask, a lesion table and an overlay picture plus one {@value BatchProcessTool#SUMMARY_FILE} (see
 * {@link BatchProcessTool}); the summary is also shown as the {@value #TABLE_TITLE} table. Failed cases are listed
 * with their error (table, summary and Log) and do not stop the batch.
 * <p>
 * Macro keys: {@value #KEY_INPUT} (folder of cases), {@value #KEY_MODEL} (segmentation package),
 * {@value #KEY_OUTPUT} (output folder, created if needed; not inside the input), and as {@code predict} and
 * {@code Segment Tumors...} have them: {@value #KEY_TTA} (checkbox: flip test-time augmentation),
 * {@value #KEY_MIN_LESION} (smallest lesion kept, voxels; default 10) and {@value #KEY_RTSTRUCT} (checkbox: also an RT
 * Structure Set per DICOM case with a lesion; a DICOM SEG is always written for those), {@value #KEY_CLASSIFIER}
 * (optional: a classifier of lesion crops that grades every lesion into the lesion tables) and {@value #KEY_ENGINE}
 * ({@code tensorflow}, the default, or {@code onnx}: the packages' ONNX weights on ONNX Runtime). Example:
 * {@code run("Batch Process...", "input=[/data/cases] model=[/models/liver] output=[/data/results]");}
 */
public class BatchProcessPlugin implements PlugIn {

	static final String TITLE = "Batch Process";
	/** Title of the results table. */
	public static final String TABLE_TITLE = "MedCNN Batch";
	public static final String KEY_INPUT = "input", KEY_MODEL = "model", KEY_OUTPUT = "output";
	/** Macro keys shared with predict's options: flip TTA, the smallest lesion (voxels), an RT Structure Set too. */
	public static final String KEY_TTA = "tta", KEY_MIN_LESION = "min_lesion", KEY_RTSTRUCT = "rtstruct";
	/** Macro key: an optional classifier of lesion crops that grades every lesion (its risk goes into the lesion tables). */
	public static final String KEY_CLASSIFIER = "classifier";
	/** Macro key: measure cases whose pixel spacing or position is not recorded (refused without it). */
	public static final String KEY_ASSUME_GEOMETRY = org.medcnn.pipeline.AssumedGeometry.KEY;
	/** Macro key (choice): {@code tensorflow} (default) or {@code onnx}, as in Segment Tumors. */
	public static final String KEY_ENGINE = InferenceEngine.KEY;
	private static final String PREF = "medcnn.batch.";

	@Override
	public void run(String arg) {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, List.of(KEY_INPUT, KEY_MODEL, KEY_OUTPUT, KEY_TTA, KEY_MIN_LESION,
				KEY_RTSTRUCT, KEY_CLASSIFIER, KEY_ASSUME_GEOMETRY, KEY_ENGINE));
			boolean macro = options != null;
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Input folder (one case per entry)", macro ? "" : Prefs.get(PREF + KEY_INPUT, ""), 40);
			gd.addDirectoryField("Model (segmentation package)", macro ? "" : Prefs.get(PREF + KEY_MODEL, ""), 40);
			gd.addDirectoryField("Output folder", macro ? "" : Prefs.get(PREF + KEY_OUTPUT, ""), 40);
			gd.addCheckbox("Tta (flip test-time augmentation, 4x the time)", !macro && Prefs.get(PREF + KEY_TTA, false));
			gd.addNumericField("Min_lesion (smallest lesion kept, voxels)", macro ? Lesions.DEFAULT_MIN_VOXELS
				: Prefs.get(PREF + KEY_MIN_LESION, Lesions.DEFAULT_MIN_VOXELS), 0);
			gd.addCheckbox("Rtstruct (also an RT Structure Set per DICOM case)", !macro && Prefs.get(PREF + KEY_RTSTRUCT, false));
			gd.addDirectoryField("Classifier (optional: grades each lesion; a lesion-crop classifier)",
				macro ? "" : Prefs.get(PREF + KEY_CLASSIFIER, ""), 40);
			gd.addCheckbox("Assume_geometry (measure cases without a recorded pixel spacing or position)", false);
			gd.addChoice("Engine (runtime: TensorFlow SavedModel or the packages' ONNX weights)", SegmentTumorsPlugin.ENGINES,
				InferenceEngine.TENSORFLOW.key());
			gd.addMessage("Writes per case CASE.nii.gz, CASE_lesions.csv/.json, CASE_overlay.png and CASE_sliceNN.png,\n"
				+ "CASE_seg.dcm for DICOM cases with a lesion, and summary.csv. Inputs are only read. Esc cancels.");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String inText = gd.getNextString(), modelText = gd.getNextString(), outText = gd.getNextString();
			boolean tta = gd.getNextBoolean();
			int minLesion = DialogValues.whole("Min_lesion", KEY_MIN_LESION, gd.getNextNumber(), 1, Integer.MAX_VALUE);
			boolean rtstruct = gd.getNextBoolean();
			String classifierText = gd.getNextString().trim();
			boolean assumeGeometry = gd.getNextBoolean(); // never remembered: an explicit choice each time
			InferenceEngine engine = InferenceEngine.parse(gd.getNextChoice());
			Path input = DialogValues.folder("Input folder", KEY_INPUT, inText);
			Path model = DialogValues.path("Model", KEY_MODEL, modelText);
			Path output = DialogValues.path("Output folder", KEY_OUTPUT, outText);
			if (!macro) {
				Prefs.set(PREF + KEY_INPUT, inText.trim());
				Prefs.set(PREF + KEY_MODEL, modelText.trim());
				Prefs.set(PREF + KEY_OUTPUT, outText.trim());
				Prefs.set(PREF + KEY_TTA, tta);
				Prefs.set(PREF + KEY_MIN_LESION, minLesion);
				Prefs.set(PREF + KEY_RTSTRUCT, rtstruct);
				Prefs.set(PREF + KEY_CLASSIFIER, classifierText);
			}
			progress.progress(-1, "loading " + model);
			List<BatchProcessTool.CaseResult> results;
			try (Segmenter segmenter = Models.openSegmenter(model, engine);
				Classifier grader = classifierText.isEmpty() ? null : Models.openClassifier(Path.of(classifierText), engine)) {
				ModelCard card = segmenter.card();
				results = BatchProcessTool.run(input, segmenter, card, output,
					new CaseSegmentation.Options(tta, minLesion, true, rtstruct, grader).withAssumeGeometry(assumeGeometry), progress,
					cancel);
			}
			progress.done();
			ResultsTable rt = new ResultsTable();
			int failed = 0;
			for (BatchProcessTool.CaseResult r : results) {
				rt.incrementCounter();
				rt.addValue("case", r.name());
				rt.addValue("series UID", r.seriesUid());
				rt.addValue("lesions", r.ok() ? r.lesions() : Double.NaN);
				rt.addValue("total volume (mL)", r.totalVolumeMl());
				rt.addValue("largest diameter (mm)", r.largestDiameterMm());
				rt.addValue("error", r.ok() ? "" : r.error());
				for (String w : r.warnings()) IJ.log(TITLE + ": " + r.name() + ": warning: " + w);
				if (!r.ok()) {
					failed++;
					IJ.log(TITLE + ": " + r.name() + ": " + r.error());
				}
			}
			Tables.show(rt, TABLE_TITLE);
			String status = results.size() + " case(s), " + failed + " failed; results in " + output;
			IJ.log(TITLE + ": " + status);
			IJ.showStatus(TITLE + ": " + status);
		} catch (CancellationException e) {
			progress.done();
			IJ.showStatus(TITLE + ": cancelled (finished cases keep their outputs)");
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}
}
