package org.medcnn.ij;

import ij.ImagePlus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.ResampleOption;
import org.medcnn.dicom.SeriesReader;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * The headless part of {@code Open DICOM...}: finds the series under a file or folder, picks one by
 * SeriesInstanceUID or 1-based index, reads it and makes the ImagePlus (see {@link IjVolumes} for pixels and
 * coordinates). Used by {@link OpenDicomPlugin}, tests and scripts. Stateless.
 * <p>
 * The image gets the series' window (or the CT soft-tissue / automatic preset), the {@code Info} property
 * (shown by Image&gt;Show Info) with geometry, SeriesInstanceUID, modality, warnings and the first file's header
 * with patient identifiers hidden, and the {@link IjVolumes} geometry properties plus
 * {@link IjVolumes#PROP_SERIES_UID}, and {@link #PROP_SOURCE_FILES} (what {@code Save DICOM SEG...} references).
 * <p>
 * A damaged series still opens when the geometry allows ({@link SeriesReader.DamagedSlices#SKIP}): slices whose
 * pixels cannot be decoded at either end of the stack are left out, and each is named, with the reason, in the
 * Info's warnings and in {@link #PROP_READ_WARNINGS} (which {@link OpenDicomPlugin} writes to the Log); a damaged
 * slice inside the stack is refused with a message naming the file, since the image would have a gap.
 */
public final class OpenDicomTool {

	/** Image property: the series' files in spatial order, one absolute path a line. */
	public static final String PROP_SOURCE_FILES = "medcnn.sourceFiles";
	/** Image property: "true" when the slices were resampled onto a uniform grid when the series was opened. */
	public static final String PROP_RESAMPLED = "medcnn.resampled";
	/**
	 * Image property: what reading did beyond decoding (damaged slices left out, resampling), one warning a line;
	 * absent when there is none. The series' own warnings are in the Info only.
	 */
	public static final String PROP_READ_WARNINGS = "medcnn.readWarnings";
	/** The calibration value unit of CT images (Hounsfield units). */
	public static final String HU = "HU";

	private OpenDicomTool() {}

	/**
	 * The series under a file or folder (folders recursively), in the scanner's order.
	 *
	 * @throws NoSuchFileException when the path does not exist
	 * @throws IOException when no DICOM image series is found, or reading fails (the message names the file)
	 */
	public static List<DicomSeries> scan(Path path, ProgressListener progress, Cancellation cancel) throws IOException {
		if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such file or folder");
		List<DicomSeries> found = SeriesScanner.scan(List.of(path), progress, cancel);
		if (found.isEmpty()) throw new IOException("No DICOM image series found in " + path);
		return found;
	}

	/**
	 * Picks a series.
	 *
	 * @param key a SeriesInstanceUID, a 1-based index into {@code series}, or blank
	 * @return the series; for a blank key the only series, or null when there are several (the caller asks)
	 * @throws IllegalArgumentException when the key matches nothing; the message lists the series found
	 */
	public static DicomSeries select(List<DicomSeries> series, String key) {
		String k = key == null ? "" : key.trim();
		if (k.isEmpty()) return series.size() == 1 ? series.get(0) : null;
		for (DicomSeries s : series)
			if (s.seriesInstanceUID().equals(k)) return s;
		if (k.matches("\\d{1,9}")) {
			int i = Integer.parseInt(k);
			if (i >= 1 && i <= series.size()) return series.get(i - 1);
		}
		throw new IllegalArgumentException("No series \"" + k + "\" (give a SeriesInstanceUID or a number 1…"
			+ series.size() + "). Found:\n" + describe(series));
	}

	/** One line per series: "index: modality columns×rows×slices description (SeriesInstanceUID)". */
	public static String describe(List<DicomSeries> series) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < series.size(); i++) {
			if (i > 0) sb.append('\n');
			sb.append(i + 1).append(": ").append(label(series.get(i)));
		}
		return sb.toString();
	}

	/** "modality columns×rows×slices description (SeriesInstanceUID)", for choice lists. */
	public static String label(DicomSeries s) {
		String d = s.seriesDescription() == null || s.seriesDescription().isBlank() ? "" : " " + s.seriesDescription().trim();
		return s.modality() + " " + s.columns() + "×" + s.rows() + "×" + s.files().size() + d + " ("
			+ s.seriesInstanceUID() + ")";
	}

	/** Reads a series and makes its image (not shown), with the series' own window. */
	public static ImagePlus open(DicomSeries series, ProgressListener progress, Cancellation cancel) throws IOException {
		return open(series, progress, cancel, WindowPresets.AUTO);
	}

	/**
	 * Reads a series and makes its image (not shown), displayed with a window preset (see {@link WindowPresets}),
	 * leaving damaged slices out when the geometry allows ({@link SeriesReader.DamagedSlices#SKIP}).
	 *
	 * @throws IllegalArgumentException for an unknown preset (checked before reading)
	 * @throws DicomReadException for a slice that cannot be read and cannot be left out (the message names the files)
	 */
	public static ImagePlus open(DicomSeries series, ProgressListener progress, Cancellation cancel, String windowPreset)
		throws IOException {
		return open(series, progress, cancel, windowPreset, SeriesReader.DamagedSlices.SKIP);
	}

	/**
	 * Reads a series and makes its image (not shown), displayed with a window preset (see {@link WindowPresets}).
	 * When slices were left out, the image's Info, {@link #PROP_SOURCE_FILES} and geometry describe the slices that
	 * were read, and {@link #PROP_READ_WARNINGS} names the damaged files.
	 *
	 * @param damaged what to do with slices whose pixels cannot be decoded
	 * @throws IllegalArgumentException for an unknown preset (checked before reading)
	 * @throws DicomReadException for a slice that cannot be read (and, with SKIP, cannot be left out)
	 */
	public static ImagePlus open(DicomSeries series, ProgressListener progress, Cancellation cancel, String windowPreset,
		SeriesReader.DamagedSlices damaged) throws IOException {
		return open(series, progress, cancel, windowPreset, damaged, ResampleOption.NONE);
	}

	/**
	 * As {@link #open(DicomSeries, ProgressListener, Cancellation, String, SeriesReader.DamagedSlices)}, with
	 * {@link ResampleOption#UNIFORM} to interpolate unevenly spaced slices onto a uniform grid (and to accept a
	 * damaged slice inside the stack, interpolated from its neighbours; see {@link SeriesReader}). A resampled image
	 * has no {@link #PROP_SOURCE_FILES} (its slices are no longer the files'), so {@code Save DICOM SEG...} refuses
	 * it, and {@link #PROP_RESAMPLED} says why.
	 */
	public static ImagePlus open(DicomSeries series, ProgressListener progress, Cancellation cancel, String windowPreset,
		SeriesReader.DamagedSlices damaged, ResampleOption resample) throws IOException {
		WindowPresets.check(windowPreset);
		SeriesReader.Loaded loaded = SeriesReader.load(series, progress, cancel, resample, damaged);
		Volume v = loaded.volume();
		DicomSeries read = asRead(series, loaded);
		String header;
		Path first = read.files().get(0);
		try {
			header = DicomReader.readHeader(first).dump(false);
		} catch (DicomReadException e) {
			// The pixels were read, so the image is usable; the Info just says why the header is missing.
			header = "(header not available: " + e.getMessage() + ")";
		}
		ImagePlus imp = toImagePlus(read, v, header, windowPreset);
		if (!loaded.warnings().isEmpty()) imp.setProp(PROP_READ_WARNINGS, String.join("\n", loaded.warnings()));
		if (loaded.resampled()) {
			imp.setProp(PROP_SOURCE_FILES, "");
			imp.setProp(PROP_RESAMPLED, "true");
		}
		return imp;
	}

	/** The reading warnings of an image opened by {@link #open}, one per element; empty when there are none. */
	public static List<String> readWarnings(ImagePlus imp) {
		String w = imp.getProp(PROP_READ_WARNINGS);
		if (w == null || w.isBlank()) return List.of();
		return List.of(w.split("\n"));
	}

	/**
	 * The series as it was read: its own files and origin less the slices left out, its warnings plus the reading
	 * warnings; the series itself when reading changed nothing.
	 */
	private static DicomSeries asRead(DicomSeries s, SeriesReader.Loaded l) {
		if (l.warnings().isEmpty() && l.damaged().isEmpty()) return s;
		List<String> warnings = new ArrayList<>(s.warnings());
		warnings.addAll(l.warnings());
		boolean trimmed = !l.files().isEmpty() && l.files().size() != s.files().size();
		List<Path> files = trimmed ? l.files() : s.files();
		int slices = trimmed ? files.size() : s.slices();
		double[] origin = trimmed ? l.volume().geometry().originMm() : s.origin();
		return new DicomSeries(s.seriesInstanceUID(), s.modality(), s.rows(), s.columns(), files, s.spacing(), origin,
			s.direction(), warnings, s.seriesDescription(), s.windowCenterWidth(), slices);
	}

	/**
	 * The image of a series that has been read.
	 *
	 * @param headerDump the first file's header with identifiers hidden, for the Info
	 */
	public static ImagePlus toImagePlus(DicomSeries series, Volume v, String headerDump) {
		return toImagePlus(series, v, headerDump, WindowPresets.AUTO);
	}

	/**
	 * The image of a series that has been read, displayed with a window preset; CT images get the value unit
	 * {@code HU} (shown by Image>Show Info and in measurements).
	 *
	 * @param headerDump the first file's header with identifiers hidden, for the Info
	 * @param windowPreset a {@link WindowPresets} name
	 */
	public static ImagePlus toImagePlus(DicomSeries series, Volume v, String headerDump, String windowPreset) {
		ImagePlus imp = IjVolumes.toImagePlus(v, title(series));
		if ("CT".equalsIgnoreCase(v.modality())) imp.getCalibration().setValueUnit(HU);
		double[] window = WindowPresets.window(windowPreset, v, series.windowCenterWidth());
		IjVolumes.setWindow(imp, window[0], window[1]);
		imp.setProp(IjVolumes.PROP_SERIES_UID, series.seriesInstanceUID());
		List<String> files = new ArrayList<>(series.files().size());
		for (Path f : series.files()) files.add(f.toAbsolutePath().toString());
		imp.setProp(PROP_SOURCE_FILES, String.join("\n", files));
		imp.setProperty("Info", info(series, v, window, headerDump));
		return imp;
	}

	/**
	 * The window title: the series description, else the modality and the SeriesInstanceUID's last component
	 * (never a patient identifier: folder and file names often hold patient names).
	 */
	public static String title(DicomSeries s) {
		String d = s.seriesDescription();
		if (d != null && !d.isBlank()) return d.trim();
		String uid = s.seriesInstanceUID();
		int dot = uid.lastIndexOf('.');
		return s.modality() + " " + (dot >= 0 ? uid.substring(dot + 1) : uid);
	}

	/** The text of the {@code Info} property. */
	public static String info(DicomSeries s, Volume v, double[] window, String headerDump) {
		Geometry g = v.geometry();
		double[] d = g.direction();
		StringBuilder sb = new StringBuilder();
		sb.append("MedCNN DICOM series\n");
		sb.append("SeriesInstanceUID: ").append(s.seriesInstanceUID()).append('\n');
		sb.append("Modality: ").append(s.modality()).append('\n');
		if (s.seriesDescription() != null && !s.seriesDescription().isBlank())
			sb.append("Series description: ").append(s.seriesDescription().trim()).append('\n');
		sb.append("Size (x, y, z): ").append(g.nx()).append(" × ").append(g.ny()).append(" × ").append(g.nz()).append('\n');
		sb.append("Spacing (x, y, z): ").append(numbers(g.spacingMm())).append(" mm\n");
		sb.append("Origin (LPS, first voxel centre): ").append(numbers(g.originMm())).append(" mm\n");
		sb.append("Direction cosines: row ").append(numbers(Arrays.copyOfRange(d, 0, 3))).append(", column ")
			.append(numbers(Arrays.copyOfRange(d, 3, 6))).append(", normal ").append(numbers(Arrays.copyOfRange(d, 6, 9)))
			.append('\n');
		sb.append("ImageJ coordinates: patient position along the row, column and normal axes (mm); "
			+ "for axial images X, Y, Z = L, P, S\n");
		sb.append("Values: ").append("CT".equalsIgnoreCase(v.modality()) ? "Hounsfield units" : "real-world values")
			.append(" (32-bit)\n");
		sb.append(String.format(Locale.ROOT, "Window: centre %.1f, width %.1f%n", window[0], window[1]));
		List<String> warnings = s.warnings() == null ? List.of() : s.warnings();
		sb.append("Warnings: ").append(warnings.isEmpty() ? "none" : "").append('\n');
		for (String w : warnings) sb.append("  - ").append(w).append('\n');
		sb.append("\nHeader of ").append(s.files().get(0).getFileName()).append(" (patient identifiers hidden):\n");
		sb.append(headerDump);
		return sb.toString();
	}

	private static String numbers(double[] values) {
		List<String> parts = new ArrayList<>(values.length);
		for (double x : values) parts.add(String.format(Locale.ROOT, "%.6g", x));
		return "(" + String.join(", ", parts) + ")";
	}
}
