package org.medcnn.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.pipeline.CaseSegmentation;

/**
 * One case as the driver sends it to an executor: the {@link CaseSegmentation.Input} in plain, serialisable values.
 * A scanned DICOM series travels as its UID and files, and is scanned again from those files on the executor (the
 * header scan is cheap beside the segmentation, and {@link DicomSeries} holds paths, which do not serialise).
 *
 * @param name the unique case name (outputs start with it)
 * @param entry the file or folder the case comes from
 * @param seriesUid the SeriesInstanceUID when the entry was scanned into series, else null (loaded as {@code predict}
 *        loads an input)
 * @param seriesFiles the series' files when scanned, else null
 * @param error why the case cannot be processed (found while scanning), or null
 */
record CaseTask(String name, String entry, String seriesUid, List<String> seriesFiles, String error) implements Serializable {

	CaseTask {
		seriesFiles = seriesFiles == null ? null : List.copyOf(seriesFiles);
	}

	/** The task for an input found on the driver or in the scanning stage. */
	static CaseTask of(CaseSegmentation.Input in) {
		DicomSeries s = in.series();
		return new CaseTask(in.name(), in.entry().toString(), s == null ? null : s.seriesInstanceUID(),
			s == null ? null : s.files().stream().map(Path::toString).toList(), in.error());
	}

	/** The same task under another name. */
	CaseTask named(String newName) {
		return new CaseTask(newName, entry, seriesUid, seriesFiles, error);
	}

	/**
	 * The pipeline's input on the executor: the series scanned again from its files when it was scanned on the
	 * driver; an input with the error when they no longer hold it.
	 */
	CaseSegmentation.Input toInput(Cancellation c) {
		Path e = Path.of(entry);
		if (error != null || seriesFiles == null) return new CaseSegmentation.Input(name, e, null, error);
		try {
			List<DicomSeries> found = SeriesScanner.scan(seriesFiles.stream().map(Path::of).toList(), ProgressListener.NONE, c);
			for (DicomSeries s : found) if (s.seriesInstanceUID().equals(seriesUid)) return new CaseSegmentation.Input(name, e, s, null);
			return new CaseSegmentation.Input(name, e, null, entry + ": its " + seriesFiles.size()
				+ " files no longer hold the series that was found there when the run started");
		} catch (IOException ex) {
			return new CaseSegmentation.Input(name, e, null, ex.getMessage());
		}
	}
}
