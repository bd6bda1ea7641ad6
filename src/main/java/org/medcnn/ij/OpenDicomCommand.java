package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.ResampleOption;
import org.medcnn.dicom.SeriesReader;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Open DICOM...} for scripts and headless runs: reads one series under a file or folder
 * into an ImagePlus (HU, geometry, window) through {@link OpenDicomTool}, like the ImageJ plugin. No menu entry
 * (the menu item is {@link OpenDicomPlugin}).
 * <p>
 * Inputs {@code path} and {@code series} (SeriesInstanceUID or 1-based index; may be empty when there is only one
 * series) and {@code resample} (interpolate uneven slice spacing and a damaged inner slice, as the plugin's flag);
 * output {@code image} (not shown). Several series without {@code series} throw an
 * {@link IllegalArgumentException} that lists them; unreadable files an {@link UncheckedIOException} naming the file.
 * Damaged slices at either end of the stack are left out and named in the Log (see {@link OpenDicomTool}).
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Open DICOM")
public class OpenDicomCommand implements Command {

	@Parameter(label = "DICOM file or folder", style = "both", persist = false)
	private File path;

	@Parameter(label = "Series (SeriesInstanceUID or number)", required = false, persist = false)
	private String series = "";

	@Parameter(label = "Resample uneven slices (and a damaged inner slice) onto a uniform grid", required = false, persist = false)
	private boolean resample;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus image;

	@Override
	public void run() {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(OpenDicomPlugin.TITLE, cancel);
		try {
			List<DicomSeries> found = OpenDicomTool.scan(path.toPath(), progress, cancel);
			DicomSeries s = OpenDicomTool.select(found, series);
			if (s == null)
				throw new IllegalArgumentException(path + " holds " + found.size() + " series; choose one with series=:\n"
					+ OpenDicomTool.describe(found));
			image = OpenDicomTool.open(s, progress, cancel, WindowPresets.AUTO, SeriesReader.DamagedSlices.SKIP,
				resample ? ResampleOption.UNIFORM : ResampleOption.NONE);
			for (String w : OpenDicomTool.readWarnings(image)) IJ.log(OpenDicomPlugin.TITLE + ": " + image.getTitle() + ": " + w);
		} catch (IOException e) {
			throw new UncheckedIOException(OpenDicomPlugin.TITLE + ": " + e.getMessage(), e);
		} finally {
			progress.done();
		}
	}
}
