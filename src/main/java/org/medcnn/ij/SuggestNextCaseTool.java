package org.medcnn.ij;

import ij.ImagePlus;

import java.io.IOException;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.pipeline.Suggestions;

/** Opens a suggested case as Open DICOM (a DICOM series, with its files for a reference) or as an image file does. */
final class SuggestNextCaseTool {

	private SuggestNextCaseTool() {}

	static ImagePlus open(Suggestions.Suggestion s, ProgressListener p, Cancellation c) throws IOException {
		if (!s.seriesUid().isEmpty()) {
			List<DicomSeries> found = OpenDicomTool.scan(s.entry(), p, c);
			DicomSeries series = OpenDicomTool.select(found, s.seriesUid());
			if (series != null) return OpenDicomTool.open(series, p, c);
		}
		return IjVolumes.toImagePlus(Datasets.load(s.entry(), p, c).image(), s.name());
	}
}
