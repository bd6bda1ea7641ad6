package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.ResampleOption;
import org.medcnn.dicom.SeriesReader;

/**
 * {@code Plugins>MedCNN>Open DICOM...}: opens a DICOM series from a file or folder as a calibrated 32-bit
 * stack of real-world values (HU for CT); see {@link OpenDicomTool} and {@link IjVolumes}.
 * <p>
 * Macro keys: {@value #KEY_PATH} (a file or folder; interactively, an empty path opens a folder chooser),
 * {@value #KEY_SERIES} (SeriesInstanceUID or 1-based index, needed when the folder holds several series: without
 * it a dialog asks, and a macro stops with the list of series) and {@value #KEY_WINDOW} (display window:
 * auto, soft-tissue, lung, bone, brain, liver; see {@link WindowPresets}) and the flag {@value #KEY_RESAMPLE}
 * (interpolate uneven slice spacing onto a uniform grid and fill a damaged inner slice). Series warnings go to the Log, and so
 * does each damaged slice left out of the image (file name and reason; see {@link OpenDicomTool}), without a dialog
 * that would stop a macro. Example:
 * {@code run("Open DICOM...", "path=[/data/case01] series=1 window=lung");}
 */
public class OpenDicomPlugin implements PlugIn {

	static final String TITLE = "Open DICOM";
	/** Macro key: file or folder. */
	public static final String KEY_PATH = "path";
	/** Macro key: SeriesInstanceUID or 1-based index. */
	public static final String KEY_SERIES = "series";
	/** Macro key: display window preset, one of {@link WindowPresets#names()} (default auto: the series' window). */
	public static final String KEY_WINDOW = "window";
	/**
	 * Macro flag: interpolate unevenly spaced slices onto a uniform grid at the median spacing, and accept a damaged
	 * slice inside the stack by interpolating it from its neighbours (both said in the Log); off by default.
	 */
	public static final String KEY_RESAMPLE = "resample";
	private static final String PREF_PATH = "medcnn.open.path";

	@Override
	public void run(String arg) {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, List.of(KEY_PATH, KEY_SERIES, KEY_WINDOW, KEY_RESAMPLE));
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Path", Prefs.get(PREF_PATH, ""), 40);
			gd.addStringField("Series", "", 40);
			String[] presets = WindowPresets.names().toArray(new String[0]);
			gd.addChoice("Window", presets, WindowPresets.AUTO);
			gd.addCheckbox("Resample (uneven slice spacing, damaged inner slice)", false);
			gd.addMessage("Path: a DICOM file or a folder (searched recursively); empty: choose a folder.\n"
				+ "Series: SeriesInstanceUID or number, when the folder holds several series.\n"
				+ "Window: display window (auto: the series' own, else soft tissue for CT).\n"
				+ "Resample: interpolate unevenly spaced slices onto a uniform grid, and a damaged slice\n"
				+ "inside the stack from its neighbours (the Log says so; no DICOM SEG from such an image).");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String pathText = gd.getNextString().trim();
			String seriesKey = gd.getNextString().trim();
			String windowPreset = gd.getNextChoice();
			boolean resample = gd.getNextBoolean();
			if (pathText.isEmpty()) {
				if (options != null) throw new IllegalArgumentException("Please give a file or folder (macro key path).");
				pathText = IJ.getDirectory("Choose a DICOM folder");
				if (pathText == null) return;
			}
			Prefs.set(PREF_PATH, pathText);
			Path path = Path.of(pathText);
			List<DicomSeries> all = OpenDicomTool.scan(path, progress, cancel);
			DicomSeries series = OpenDicomTool.select(all, seriesKey);
			if (series == null) {
				if (options != null)
					throw new IllegalArgumentException(all.size() + " series found in " + path
						+ "; choose one with the macro key series (UID or number):\n" + OpenDicomTool.describe(all));
				series = choose(all);
				if (series == null) return;
			}
			ImagePlus imp = OpenDicomTool.open(series, progress, cancel, windowPreset, SeriesReader.DamagedSlices.SKIP,
				resample ? ResampleOption.UNIFORM : ResampleOption.NONE);
			for (String w : series.warnings()) IJ.log(TITLE + ": " + imp.getTitle() + ": " + w);
			for (String w : OpenDicomTool.readWarnings(imp)) IJ.log(TITLE + ": " + imp.getTitle() + ": " + w);
			progress.done();
			imp.show();
			IJ.showStatus(TITLE + ": " + imp.getTitle() + " (" + imp.getWidth() + "×" + imp.getHeight() + "×"
				+ imp.getStackSize() + ")");
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}

	/** Asks which series to open; null when cancelled. */
	private static DicomSeries choose(List<DicomSeries> all) {
		String[] labels = new String[all.size()];
		for (int i = 0; i < labels.length; i++) labels[i] = (i + 1) + ": " + OpenDicomTool.label(all.get(i));
		GenericDialog gd = new GenericDialog(TITLE);
		gd.addChoice("Series", labels, labels[0]);
		gd.showDialog();
		if (gd.wasCanceled()) return null;
		return all.get(gd.getNextChoiceIndex());
	}
}
