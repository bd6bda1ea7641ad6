package org.medcnn.dicom;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link SeriesScanner#scanDetailed} found: the image series, and every file that was not used as a slice
 * with the reason (not DICOM, unreadable, DICOMDIR, localizer, or a non-image object such as a structured
 * report, RT plan, RT structure set, presentation state or segmentation). Immutable.
 *
 * @param series the image series, sorted as {@link SeriesScanner#scan} sorts them
 * @param skipped the files skipped, in scanning order
 */
public record ScanResult(List<DicomSeries> series, List<Skipped> skipped) {

	/**
	 * One skipped file.
	 *
	 * @param file the file
	 * @param reason why it is not part of any series, e.g. "localizer (ImageType LOCALIZER)"
	 */
	public record Skipped(Path file, String reason) {

		/** "file: reason", as the CLI prints it. */
		@Override
		public String toString() {
			return file + ": " + reason;
		}
	}

	public ScanResult {
		series = List.copyOf(series);
		skipped = List.copyOf(skipped);
	}

	/** The JSON list of skipped files: objects with "file" and "reason". */
	public List<Object> skippedJson() {
		List<Object> out = new ArrayList<>();
		for (Skipped s : skipped) {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("file", s.file().toString());
			m.put("reason", s.reason());
			out.add(m);
		}
		return out;
	}
}
