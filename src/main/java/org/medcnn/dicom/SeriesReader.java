package org.medcnn.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.medcnn.common.Cancellation;
import org.medcnn.common.HeapBudget;
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
 * returns the warning that says so).
 * <p>
 * With {@link DamagedSlices#SKIP} (default {@link DamagedSlices#REFUSE}: the first slice whose pixels cannot be
 * read fails the whole series), a file of a multi-file series whose pixel data cannot be read or decoded is left out
 * and named in {@link Loaded#damaged()} and {@link Loaded#warnings()}, when the geometry allows: damaged slices at
 * either end of the stack are dropped (the origin moves to the first good slice, the spacing stays); a damaged slice
 * inside the stack would leave a gap, so it is only accepted with {@link ResampleOption#UNIFORM}, which fills it by
 * linear interpolation between its good neighbours along the normal and says so; otherwise, or when no slices (or
 * fewer than two of several) are left, a {@link DicomReadException} names the damaged files. A slice of the wrong
 * size or frame count is never skipped.
 * <p>
 * Before the volume (one float[] of columns × rows × slices) is allocated, its size is checked against the Java
 * array limit and the heap, and a refusal says how much it needs and which {@code -Xmx} to use (or, when the first
 * file's header declares more pixels than it holds, says that instead). A multi-frame file is read straight into
 * the volume and its frames put in spatial order in place. Slices (or frames) at the same position along the
 * normal are refused, naming them: a volume cannot hold two slices in one place. Stateless and thread-safe.
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

	/** What {@link #load} does with a file of the series whose pixel data cannot be read or decoded. */
	public enum DamagedSlices {
		/** Fail the whole series with the {@link DicomReadException} of the first damaged file (the default). */
		REFUSE,
		/**
		 * Leave damaged slices out when the geometry allows (see {@link SeriesReader}), naming each file in the
		 * warnings; refuse with a message naming them otherwise.
		 */
		SKIP
	}

	/**
	 * A volume read from a series with the warnings of reading it (the resampling, damaged slices left out or
	 * interpolated).
	 *
	 * @param volume the volume
	 * @param warnings what was done to it beyond decoding, e.g. "resampled 5 unevenly spaced slices …"; each
	 *     damaged file is named (file name only, as folders often hold patient names)
	 * @param damaged the files whose pixels could not be read, with the reason (empty unless
	 *     {@link DamagedSlices#SKIP})
	 * @param files the files of the volume's slices before any resampling, slice 0 first (a damaged file inside
	 *     the stack stands for its interpolated slice; a multi-frame series has its one file)
	 * @param resampled whether the slices were interpolated onto a new z grid ({@link ResampleOption#UNIFORM} on
	 *     uneven spacing): the volume's slices then no longer correspond one to one to {@code files}
	 */
	public record Loaded(Volume volume, List<String> warnings, List<ScanResult.Skipped> damaged, List<Path> files,
		boolean resampled) {
		public Loaded {
			warnings = List.copyOf(warnings);
			damaged = List.copyOf(damaged);
			files = List.copyOf(files);
		}

		/** A volume whose slices are the files' own (not resampled). */
		public Loaded(Volume volume, List<String> warnings, List<ScanResult.Skipped> damaged, List<Path> files) {
			this(volume, warnings, damaged, files, false);
		}

		/** A volume with no damaged slices; {@code files} empty (unknown). */
		public Loaded(Volume volume, List<String> warnings) {
			this(volume, warnings, List.of(), List.of());
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
		return load(s, p, c, option, DamagedSlices.REFUSE);
	}

	/**
	 * Reads a series as {@link #load(DicomSeries, ProgressListener, Cancellation, ResampleOption)}, leaving out
	 * damaged slices when {@code damagedSlices} is {@link DamagedSlices#SKIP} and the geometry allows (see
	 * {@link SeriesReader}).
	 *
	 * @param damagedSlices what to do with slices whose pixels cannot be read (null = REFUSE)
	 * @throws DicomReadException for a slice that cannot be read or does not fit the series; with SKIP, when the
	 *     damaged slices leave a gap without {@link ResampleOption#UNIFORM}, or leave fewer than two (or no) slices:
	 *     the message names every damaged file and why
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static Loaded load(DicomSeries s, ProgressListener p, Cancellation c, ResampleOption option,
		DamagedSlices damagedSlices) throws IOException {
		boolean skip = damagedSlices == DamagedSlices.SKIP;
		ProgressListener progress = p == null ? ProgressListener.NONE : p;
		requireMemory(s, skip ? 2 : 1);
		List<Path> files = s.files();
		if (skip && !(files.size() == 1 && s.slices() > 1)) return loadSkipping(s, progress, c, option);
		Geometry g = s.geometry();
		float[] voxels = new float[g.voxelCount()];
		int plane = g.sliceSize();
		List<String> labels = new ArrayList<>();
		double[] positions = new double[s.slices()];
		double[] dir = s.direction();
		boolean positioned = true;
		if (files.size() == 1 && s.slices() > 1) {
			Path f = files.get(0);
			progress.progress(0, "Reading " + f.getFileName());
			if (c != null) c.check();
			// Frames in stored order straight into the volume (streamed for native data), then put in spatial order
			// in place: the volume and one frame, never a second copy of every frame.
			// The layout (and its refusal of duplicate positions) comes from the header, before any pixel is read.
			int[][] orderOf = new int[1][];
			double[][] posOf = new double[1][];
			DicomPixels.readRealWorldValues(f, voxels, 0, h -> {
				check(h, f, s, s.slices());
				int[] order = MultiFrameLayout.of(h).order();
				double[] pos = MultiFrameLayout.slicePositions(h);
				if (pos != null) refuseDuplicates(s, pos, z -> "frame " + (order[z] + 1));
				orderOf[0] = order;
				posOf[0] = pos;
			});
			int[] order = orderOf[0];
			if (posOf[0] == null) positioned = false;
			else positions = posOf[0];
			permuteSlices(voxels, plane, order);
			String name = f.getFileName().toString();
			for (int z = 0; z < order.length; z++) labels.add(name + " [frame " + (order[z] + 1) + "]");
		} else {
			if (files.size() != s.slices())
				throw new IllegalArgumentException("series has " + files.size() + " files for " + s.slices() + " slices");
			String[] names = new String[files.size()];
			boolean[] missing = new boolean[files.size()];
			double[] slicePositions = positions;
			Parallel.forEachIndex(files.size(), progress, c, "Reading slice", z -> {
				Path f = files.get(z);
				DicomObject o = DicomPixels.readRealWorldValues(f, voxels, z * plane, h -> check(h, f, s, 1));
				double[] ipp = o.getDoubles(Tag.ImagePositionPatient);
				if (ipp == null || ipp.length < 3) missing[z] = true;
				else slicePositions[z] = dir[6] * ipp[0] + dir[7] * ipp[1] + dir[8] * ipp[2];
				names[z] = f.getFileName().toString();
			});
			for (int z = 0; z < files.size(); z++) {
				if (missing[z]) positioned = false;
				labels.add(names[z]);
			}
			if (positioned) refuseDuplicates(s, slicePositions, z -> names[z]);
		}
		progress.progress(1, "Read " + s.slices() + " slices");
		Volume v = new Volume(g, voxels, s.modality(), labels);
		List<String> warnings = new ArrayList<>();
		Volume read = v;
		if (option == ResampleOption.UNIFORM && positioned && s.slices() > 2) v = resample(v, positions, warnings);
		else if (option == ResampleOption.UNIFORM && !positioned)
			warnings.add("slices have no positions: not resampled");
		return new Loaded(v, warnings, List.of(), files, v != read);
	}

	/** The multi-file path of {@link #load} with {@link DamagedSlices#SKIP}. */
	private static Loaded loadSkipping(DicomSeries s, ProgressListener progress, Cancellation c, ResampleOption option)
		throws IOException {
		List<Path> files = s.files();
		int n = files.size();
		if (n != s.slices())
			throw new IllegalArgumentException("series has " + n + " files for " + s.slices() + " slices");
		Geometry g = s.geometry();
		int plane = g.sliceSize();
		double[] dir = s.direction();
		float[] read = new float[g.voxelCount()];
		double[][] ipps = new double[n][];
		DicomReadException[] damage = new DicomReadException[n];
		Parallel.forEachIndex(n, progress, c, "Reading slice", z -> {
			Path f = files.get(z);
			DicomReadException[] wrongSize = new DicomReadException[1];
			DicomObject o;
			try {
				o = DicomPixels.readRealWorldValues(f, read, z * plane, h -> {
					try {
						check(h, f, s, 1);
					} catch (DicomReadException e) {
						wrongSize[0] = e;
						throw e;
					}
				});
			} catch (DicomReadException e) {
				if (wrongSize[0] != null) throw e; // a slice of another size is no damaged slice: refused as before
				damage[z] = e;
				ipps[z] = headerPosition(f);
				return;
			}
			ipps[z] = position(o);
		});
		List<ScanResult.Skipped> damaged = new ArrayList<>();
		int first = -1;
		int last = -1;
		for (int z = 0; z < n; z++) {
			if (damage[z] != null) damaged.add(new ScanResult.Skipped(files.get(z), reasonOf(damage[z])));
			else {
				if (first < 0) first = z;
				last = z;
			}
		}
		int good = n - damaged.size();
		if (first < 0)
			throw refusal(damaged, "none of the " + n + " slices of the series could be read");
		if (good < 2 && n >= 2)
			throw refusal(damaged, "only " + good + " of the " + n + " slices of the series could be read");
		List<Integer> inside = new ArrayList<>();
		for (int z = first + 1; z < last; z++) if (damage[z] != null) inside.add(z);
		if (!inside.isEmpty() && option != ResampleOption.UNIFORM) {
			List<ScanResult.Skipped> gaps = new ArrayList<>();
			for (int z : inside) gaps.add(new ScanResult.Skipped(files.get(z), reasonOf(damage[z])));
			throw refusal(gaps, "damaged slices inside the stack would leave a gap, so the series is not opened without "
				+ "resampling: read it with resampling to a uniform slice spacing (ResampleOption.UNIFORM), which "
				+ "interpolates the gap from the neighbouring slices and says so, or repair or replace the damaged files");
		}
		double[] positions = new double[n];
		boolean positioned = true;
		for (int z = first; z <= last; z++) {
			if (ipps[z] == null) positioned = false;
			else positions[z] = dir[6] * ipps[z][0] + dir[7] * ipps[z][1] + dir[8] * ipps[z][2];
		}
		List<String> warnings = new ArrayList<>();
		for (int z = 0; z < n; z++) {
			if (damage[z] == null || (z > first && z < last)) continue;
			warnings.add(String.format(Locale.ROOT, "left out damaged slice %s (slice %d of %d, at the %s of the stack): "
				+ "%s", files.get(z).getFileName(), z + 1, n, z < first ? "start" : "end", reasonOf(damage[z])));
		}
		if (!inside.isEmpty() && !positioned)
			throw refusal(damaged, "damaged slices inside the stack cannot be interpolated: slices have no "
				+ "ImagePositionPatient");
		if (positioned) {
			double[] kept = Arrays.copyOfRange(positions, first, last + 1);
			int from = first;
			refuseDuplicates(s, kept, z -> files.get(from + z).getFileName().toString());
		}
		int m = last - first + 1;
		// The slices read are the volume unless some were left out at the ends: no second copy of a whole series.
		// Interpolation below reads only good slices, so writing the damaged ones in place is safe.
		float[] voxels = m == n ? read : Arrays.copyOfRange(read, first * plane, (last + 1) * plane);
		List<String> labels = new ArrayList<>(m);
		for (int z = first; z <= last; z++) {
			String name = files.get(z).getFileName().toString();
			if (damage[z] == null) {
				labels.add(name);
				continue;
			}
			// Linear interpolation along the normal between the nearest good slices: estimated values, never
			// presented as measured (label and warning say so).
			int lo = z - 1;
			while (damage[lo] != null) lo--;
			int hi = z + 1;
			while (damage[hi] != null) hi++;
			double span = positions[hi] - positions[lo];
			double t = Math.abs(span) > SeriesScanner.DUPLICATE_MM ? (positions[z] - positions[lo]) / span : 0.5;
			t = Math.max(0, Math.min(1, t));
			int o = (z - first) * plane;
			for (int i = 0; i < plane; i++)
				voxels[o + i] = (float) (read[lo * plane + i] * (1 - t) + read[hi * plane + i] * t);
			labels.add(name + " (damaged: interpolated)");
			warnings.add(String.format(Locale.ROOT, "damaged slice %s (slice %d of %d, inside the stack): %s; its "
				+ "pixels were interpolated linearly from the neighbouring slices %s and %s (estimated, not measured)",
				files.get(z).getFileName(), z + 1, n, reasonOf(damage[z]), files.get(lo).getFileName(),
				files.get(hi).getFileName()));
		}
		double[] origin = ipps[first] != null ? ipps[first].clone() : g.originMm();
		if (ipps[first] == null) {
			double dz = g.spacingMm()[2] * first;
			for (int k = 0; k < 3; k++) origin[k] += dz * dir[6 + k];
		}
		Geometry kept = new Geometry(g.nx(), g.ny(), m, g.spacingMm(), origin, dir);
		progress.progress(1, "Read " + good + " slices");
		Volume v = new Volume(kept, voxels, s.modality(), labels);
		double[] keptPositions = Arrays.copyOfRange(positions, first, last + 1);
		Volume unresampled = v;
		if (option == ResampleOption.UNIFORM && positioned && m > 2) v = resample(v, keptPositions, warnings);
		else if (option == ResampleOption.UNIFORM && !positioned) warnings.add("slices have no positions: not resampled");
		return new Loaded(v, warnings, damaged, files.subList(first, last + 1), v != unresampled);
	}

	/**
	 * Refuses a series that needs more than a Java array or the heap can give: its volume is one float[] of
	 * columns × rows × slices values ({@code copies} of them at once).
	 */
	private static void requireMemory(DicomSeries s, int copies) throws DicomReadException {
		long voxels = (long) s.columns() * s.rows() * s.slices();
		String what = String.format(Locale.ROOT, "the %d×%d×%d volume of series %s", s.columns(), s.rows(), s.slices(),
			s.seriesInstanceUID().isEmpty() ? "(no SeriesInstanceUID)" : s.seriesInstanceUID());
		Path first = s.files().isEmpty() ? null : s.files().get(0);
		String why = HeapBudget.arrayLimit(voxels, what + " (a volume is one float[])");
		if (why == null)
			why = HeapBudget.shortfallWithPlan(4 * voxels * copies, s.columns(), s.rows(), s.slices(), s.spacing(), what
				+ " (32-bit floats)");
		if (why == null) return;
		// A header that declares more than its file holds is the better reason (the memory is not needed then).
		if (first != null && java.nio.file.Files.isRegularFile(first)) DicomPixels.checkHeader(DicomReader.readHeader(first));
		throw new DicomReadException(first, s.files().size() == 1 && s.slices() > 1 ? Tag.NumberOfFrames : -1, why);
	}

	/**
	 * Refuses slices that lie at the same place along the normal (duplicate ImagePositionPatient): a volume cannot
	 * hold two slices in one place, and stacking them anyway makes every length along z and every volume wrong.
	 *
	 * @param positions position along the normal of each slice, in volume order
	 * @param name the file name (or frame) of slice z, for the message
	 */
	private static void refuseDuplicates(DicomSeries s, double[] positions, java.util.function.IntFunction<String> name)
		throws DicomReadException {
		Integer[] idx = new Integer[positions.length];
		for (int i = 0; i < idx.length; i++) idx[i] = i;
		Arrays.sort(idx, (a, b) -> Double.compare(positions[a], positions[b]));
		List<String> pairs = new ArrayList<>();
		for (int i = 0; i + 1 < idx.length; i++)
			if (positions[idx[i + 1]] - positions[idx[i]] < SeriesScanner.DUPLICATE_MM)
				pairs.add(String.format(Locale.ROOT, "%s and %s at %.3f mm", name.apply(idx[i]), name.apply(idx[i + 1]),
					positions[idx[i]]));
		if (pairs.isEmpty()) return;
		throw new DicomReadException(s.files().get(0), Tag.ImagePositionPatient, pairs.size() + " pair"
			+ (pairs.size() == 1 ? "" : "s") + " of slices of series " + s.seriesInstanceUID() + " lie at the same "
			+ "position along the slice normal (duplicate ImagePositionPatient): " + String.join("; ", pairs.subList(0,
				Math.min(3, pairs.size()))) + (pairs.size() > 3 ? "; …" : "") + ". A volume cannot hold two slices in one "
			+ "place, so sizes and volumes would be wrong: remove the duplicate files, or split the series (e.g. by "
			+ "acquisition, echo or time point) so that each position occurs once");
	}

	/** Reorders the slices of {@code v} in place so that slice z holds what slice {@code order[z]} held. */
	static void permuteSlices(float[] v, int plane, int[] order) {
		boolean[] done = new boolean[order.length];
		float[] tmp = new float[plane];
		for (int start = 0; start < order.length; start++) {
			if (done[start] || order[start] == start) {
				done[start] = true;
				continue;
			}
			System.arraycopy(v, start * plane, tmp, 0, plane);
			int j = start;
			while (true) {
				done[j] = true;
				int src = order[j];
				if (src == start) {
					System.arraycopy(tmp, 0, v, j * plane, plane);
					break;
				}
				System.arraycopy(v, src * plane, v, j * plane, plane);
				j = src;
			}
		}
	}

	/** ImagePositionPatient of a slice, or null. */
	private static double[] position(DicomObject o) {
		double[] ipp = o.getDoubles(Tag.ImagePositionPatient);
		return ipp == null || ipp.length < 3 ? null : Arrays.copyOf(ipp, 3);
	}

	/** ImagePositionPatient from the header of a file whose pixel data cannot be read, or null. */
	private static double[] headerPosition(Path f) {
		try {
			return position(DicomReader.readHeader(f));
		} catch (DicomReadException e) {
			// The scanner read this header once; if it no longer can, the slice has no known position.
			return null;
		}
	}

	/** The exception's message without the file name it starts with. */
	private static String reasonOf(DicomReadException e) {
		String m = e.getMessage();
		String prefix = e.file() == null ? null : e.file() + ": ";
		return prefix != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
	}

	private static DicomReadException refusal(List<ScanResult.Skipped> damaged, String why) {
		StringBuilder sb = new StringBuilder(why).append("; damaged:");
		for (ScanResult.Skipped d : damaged) sb.append("\n  ").append(d.file()).append(": ").append(d.reason());
		return new DicomReadException(damaged.get(0).file(), -1, sb.toString());
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

	/** The slice's size and frame count against the series'. */
	private static void check(DicomObject o, Path f, DicomSeries s, int frames) throws DicomReadException {
		int rows = o.getInt(Tag.Rows, -1);
		int cols = o.getInt(Tag.Columns, -1);
		if (rows != s.rows() || cols != s.columns())
			throw new DicomReadException(f, Tag.Rows, "slice is " + cols + "×" + rows + " (columns × rows) but the series is "
				+ s.columns() + "×" + s.rows());
		int n = o.getInt(Tag.NumberOfFrames, 1);
		if (n != frames)
			throw new DicomReadException(f, Tag.NumberOfFrames, "slice has " + n + " frames where the series expects "
				+ frames);
	}
}
