package org.medcnn.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * Loads a {@link DicomSeries} into a {@link Volume} of real-world values (HU for CT: stored × RescaleSlope +
 * RescaleIntercept, or the Modality LUT), slices in the series' spatial order, with the series' geometry and
 * modality; slice labels are the file names (with the frame number for a multi-frame file). Every slice must
 * have the series' size and a single frame; a slice that does not, or that cannot be decoded, gives a
 * {@link DicomReadException} naming its file. Stateless and thread-safe.
 */
public final class SeriesReader {

	private SeriesReader() {}

	/**
	 * @param p progress per slice (may be null)
	 * @param c cancellation, checked per slice (may be null)
	 * @throws DicomReadException for a slice that cannot be read or does not fit the series
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static Volume read(DicomSeries s, ProgressListener p, Cancellation c) throws IOException {
		ProgressListener progress = p == null ? ProgressListener.NONE : p;
		Geometry g = s.geometry();
		float[] voxels = new float[g.voxelCount()];
		int plane = g.sliceSize();
		List<String> labels = new ArrayList<>();
		List<Path> files = s.files();
		if (files.size() == 1 && s.slices() > 1) {
			Path f = files.get(0);
			progress.progress(0, "Reading " + f.getFileName());
			if (c != null) c.check();
			float[][] frames = decode(f, s, s.slices());
			String name = f.getFileName().toString();
			for (int z = 0; z < frames.length; z++) {
				System.arraycopy(frames[z], 0, voxels, z * plane, plane);
				labels.add(name + " [frame " + (z + 1) + "]");
			}
		} else {
			if (files.size() != s.slices())
				throw new IllegalArgumentException("series has " + files.size() + " files for " + s.slices() + " slices");
			for (int z = 0; z < files.size(); z++) {
				if (c != null) c.check();
				Path f = files.get(z);
				progress.progress((double) z / files.size(), "Reading slice " + (z + 1) + "/" + files.size());
				float[][] frames = decode(f, s, 1);
				System.arraycopy(frames[0], 0, voxels, z * plane, plane);
				labels.add(f.getFileName().toString());
			}
		}
		progress.progress(1, "Read " + s.slices() + " slices");
		return new Volume(g, voxels, s.modality(), labels);
	}

	private static float[][] decode(Path f, DicomSeries s, int frames) throws DicomReadException {
		DicomObject o = DicomReader.read(f);
		int rows = o.getInt(Tag.Rows, -1);
		int cols = o.getInt(Tag.Columns, -1);
		if (rows != s.rows() || cols != s.columns())
			throw new DicomReadException(f, Tag.Rows, "slice is " + cols + "×" + rows + " (columns × rows) but the series is "
				+ s.columns() + "×" + s.rows());
		int n = o.getInt(Tag.NumberOfFrames, 1);
		if (n != frames)
			throw new DicomReadException(f, Tag.NumberOfFrames, "slice has " + n + " frames where the series expects "
				+ frames);
		return DicomPixels.realWorldValues(o);
	}
}
