package org.medcnn.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;
import org.medcnn.common.Parallel;

/**
 * Loads a {@link DicomSeries} into a {@link Volume} of real-world values (HU for CT: stored × RescaleSlope +
 * RescaleIntercept, or the Modality LUT), slices in the series' spatial order, with the series' geometry and
 * modality; slice labels are the file names (with the frame number for a multi-frame file). Every slice must
 * have the series' size and a single frame; a slice that does not, or that cannot be decoded, gives a
 * {@link DicomReadException} naming its file. The frames of a multi-frame file (enhanced CT/MR, RT Dose in Gy)
 * are placed in the order of its {@link MultiFrameLayout}, along the normal, with each frame's rescale. With
 * {@link ResampleOption#UNIFORM}, unevenly spaced slices are interpolated onto a uniform grid ({@link #load}
 * returns the warning that says so). Stateless and thread-safe.
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
		return load(s, p, c, ResampleOption.NONE).volume();
	}

	/**
	 * As {@link #read(DicomSeries, ProgressListener, Cancellation)}, resampling uneven slices when asked.
	 *
	 * @throws DicomReadException for a slice that cannot be read or does not fit the series
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static Volume read(DicomSeries s, ProgressListener p, Cancellation c, ResampleOption option) throws IOException {
		return load(s, p, c, option).volume();
	}

	/**
	 * A volume read from a series with the warnings of reading it (the resampling, when done).
	 *
	 * @param volume the volume
	 * @param warnings what was done to it beyond decoding, e.g. "resampled 5 unevenly spaced slices …"
	 */
	public record Loaded(Volume volume, List<String> warnings) {
		public Loaded {
			warnings = List.copyOf(warnings);
		}
	}

	/**
	 * Reads a series, resampling uneven slices onto a uniform z grid when {@code option} is
	 * {@link ResampleOption#UNIFORM}.
	 *
	 * @param p progress per slice (may be null); slices are decoded on up to min(cores, 4) threads, so it may be
	 *     called from a reading thread, but one call at a time and with a fraction that never goes back
	 * @param c cancellation, checked per slice (may be null)
	 * @param option resampling (null = NONE)
	 * @throws DicomReadException for a slice that cannot be read or does not fit the series
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static Loaded load(DicomSeries s, ProgressListener p, Cancellation c, ResampleOption option)
		throws IOException {
		ProgressListener progress = p == null ? ProgressListener.NONE : p;
		Geometry g = s.geometry();
		float[] voxels = new float[g.voxelCount()];
		int plane = g.sliceSize();
		List<String> labels = new ArrayList<>();
		List<Path> files = s.files();
		double[] positions = new double[s.slices()];
		double[] dir = s.direction();
		boolean positioned = true;
		if (files.size() == 1 && s.slices() > 1) {
			Path f = files.get(0);
			progress.progress(0, "Reading " + f.getFileName());
			if (c != null) c.check();
			DicomObject o = DicomReader.read(f);
			float[][] frames = decode(o, f, s, s.slices());
			MultiFrameLayout layout = MultiFrameLayout.of(o);
			int[] order = layout.order();
			double[] pos = MultiFrameLayout.slicePositions(o);
			if (pos == null) positioned = false;
			else positions = pos;
			String name = f.getFileName().toString();
			for (int z = 0; z < frames.length; z++) {
				System.arraycopy(frames[order[z]], 0, voxels, z * plane, plane);
				labels.add(name + " [frame " + (order[z] + 1) + "]");
			}
		} else {
			if (files.size() != s.slices())
				throw new IllegalArgumentException("series has " + files.size() + " files for " + s.slices() + " slices");
			String[] names = new String[files.size()];
			boolean[] missing = new boolean[files.size()];
			double[] slicePositions = positions;
			Parallel.forEachIndex(files.size(), progress, c, "Reading slice", z -> {
				Path f = files.get(z);
				DicomObject o = DicomReader.read(f);
				float[][] frames = decode(o, f, s, 1);
				double[] ipp = o.getDoubles(Tag.ImagePositionPatient);
				if (ipp == null || ipp.length < 3) missing[z] = true;
				else slicePositions[z] = dir[6] * ipp[0] + dir[7] * ipp[1] + dir[8] * ipp[2];
				System.arraycopy(frames[0], 0, voxels, z * plane, plane);
				names[z] = f.getFileName().toString();
			});
			for (int z = 0; z < files.size(); z++) {
				if (missing[z]) positioned = false;
				labels.add(names[z]);
			}
		}
		progress.progress(1, "Read " + s.slices() + " slices");
		Volume v = new Volume(g, voxels, s.modality(), labels);
		List<String> warnings = new ArrayList<>();
		if (option == ResampleOption.UNIFORM && positioned && s.slices() > 2) v = resample(v, positions, warnings);
		else if (option == ResampleOption.UNIFORM && !positioned)
			warnings.add("slices have no positions: not resampled");
		return new Loaded(v, warnings);
	}

	/**
	 * Linear interpolation along z onto a uniform grid from the first to the last position with the median
	 * positive spacing, when the spacing is uneven; the volume itself otherwise.
	 */
	static Volume resample(Volume v, double[] positions, List<String> warnings) {
		int n = positions.length;
		List<Double> steps = new ArrayList<>();
		for (int i = 0; i + 1 < n; i++) {
			double d = positions[i + 1] - positions[i];
			if (d >= SeriesScanner.DUPLICATE_MM) steps.add(d);
		}
		if (steps.isEmpty()) return v;
		double med = SeriesScanner.median(steps.stream().mapToDouble(Double::doubleValue).toArray());
		boolean uneven = steps.size() != n - 1;
		for (double d : steps) uneven |= Math.abs(d - med) > Math.max(0.01, 0.01 * med);
		if (!uneven) return v;
		double first = positions[0];
		double extent = positions[n - 1] - first;
		int m = (int) Math.round(extent / med) + 1;
		if (m > 4 * n + 16) {
			warnings.add(String.format(Locale.ROOT, "not resampled: a uniform grid at the median spacing %.3f mm would "
				+ "need %d slices for %d", med, m, n));
			return v;
		}
		Geometry g = v.geometry();
		double[] sp = g.spacingMm();
		Geometry out = new Geometry(g.nx(), g.ny(), m, new double[] {sp[0], sp[1], med}, g.originMm(), g.direction());
		int plane = g.sliceSize();
		float[] src = v.voxels();
		float[] dst = new float[out.voxelCount()];
		List<String> labels = new ArrayList<>();
		int lo = 0;
		for (int k = 0; k < m; k++) {
			double z = first + k * med;
			while (lo + 1 < n - 1 && positions[lo + 1] <= z) lo++;
			int hi = Math.min(lo + 1, n - 1);
			double span = positions[hi] - positions[lo];
			double t = span > SeriesScanner.DUPLICATE_MM ? Math.max(0, Math.min(1, (z - positions[lo]) / span)) : 0;
			int a = lo * plane;
			int b = hi * plane;
			int o = k * plane;
			for (int i = 0; i < plane; i++) dst[o + i] = (float) (src[a + i] * (1 - t) + src[b + i] * t);
			labels.add(String.format(Locale.ROOT, "z %.3f mm (resampled)", z));
		}
		warnings.add(String.format(Locale.ROOT, "resampled %d unevenly spaced slices (%.3f to %.3f mm apart) onto %d "
			+ "slices at a uniform %.3f mm (the median spacing) by linear interpolation", n,
			steps.stream().mapToDouble(Double::doubleValue).min().orElse(0),
			steps.stream().mapToDouble(Double::doubleValue).max().orElse(0), m, med));
		return new Volume(out, dst, v.modality(), labels);
	}

	private static float[][] decode(DicomObject o, Path f, DicomSeries s, int frames) throws DicomReadException {
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
