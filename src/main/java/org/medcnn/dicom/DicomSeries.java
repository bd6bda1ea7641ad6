package org.medcnn.dicom;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.medcnn.volume.Geometry;

/**
 * One image series found by {@link SeriesScanner}: its files in spatial order (ascending along the slice
 * normal {@code row × column}), the grid geometry derived from the headers, and warnings about anything
 * doubtful (gaps, duplicate positions, uneven spacing, mixed geometry, skipped files). A multi-frame file is a
 * series of its own with one file and {@code slices} frames. Immutable (arrays are copied in and out).
 *
 * @param seriesInstanceUID the SeriesInstanceUID ("" when the files have none)
 * @param modality Modality, or "OT" when absent
 * @param rows Rows of every slice
 * @param columns Columns of every slice
 * @param files the files, slice 0 first
 * @param spacing voxel size {x, y, z} in mm (x = PixelSpacing[1], y = PixelSpacing[0], z between slices)
 * @param origin ImagePositionPatient of slice 0 (LPS mm; zeros when unknown)
 * @param direction 9 direction cosines: row, column, normal
 * @param warnings human-readable warnings, never containing patient identifiers
 * @param seriesDescription SeriesDescription, or null
 * @param windowCenterWidth the first WindowCenter and WindowWidth of slice 0, or null
 * @param slices number of slices: files.size(), or the frames of a single multi-frame file
 */
public record DicomSeries(String seriesInstanceUID, String modality, int rows, int columns, List<Path> files,
	double[] spacing, double[] origin, double[] direction, List<String> warnings, String seriesDescription,
	double[] windowCenterWidth, int slices) {

	public DicomSeries {
		files = List.copyOf(files);
		warnings = List.copyOf(warnings);
		spacing = spacing.clone();
		origin = origin.clone();
		direction = direction.clone();
		windowCenterWidth = windowCenterWidth == null ? null : windowCenterWidth.clone();
		if (slices < 1) throw new IllegalArgumentException("slices must be at least 1, was " + slices);
	}

	/** A series of single-frame files: one slice per file. */
	public DicomSeries(String seriesInstanceUID, String modality, int rows, int columns, List<Path> files,
		double[] spacing, double[] origin, double[] direction, List<String> warnings, String seriesDescription,
		double[] windowCenterWidth) {
		this(seriesInstanceUID, modality, rows, columns, files, spacing, origin, direction, warnings, seriesDescription,
			windowCenterWidth, files.size());
	}

	@Override
	public double[] spacing() {
		return spacing.clone();
	}

	@Override
	public double[] origin() {
		return origin.clone();
	}

	@Override
	public double[] direction() {
		return direction.clone();
	}

	@Override
	public double[] windowCenterWidth() {
		return windowCenterWidth == null ? null : windowCenterWidth.clone();
	}

	/** The voxel grid: columns × rows × slices with this series' spacing, origin and direction. */
	public Geometry geometry() {
		return new Geometry(columns, rows, slices, spacing, origin, direction);
	}

	/**
	 * The {@code series --json} object of DESIGN.md: seriesInstanceUID, modality, rows, columns, slices, files
	 * (paths in spatial order), spacing [x, y, z], origin, direction, warnings.
	 */
	public Map<String, Object> toJson() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("seriesInstanceUID", seriesInstanceUID);
		m.put("modality", modality);
		m.put("rows", rows);
		m.put("columns", columns);
		m.put("slices", slices);
		List<Object> names = new ArrayList<>();
		for (Path p : files) names.add(p.toString());
		m.put("files", names);
		m.put("spacing", list(spacing));
		m.put("origin", list(origin));
		m.put("direction", list(direction));
		m.put("warnings", new ArrayList<Object>(warnings));
		return m;
	}

	private static List<Object> list(double[] a) {
		List<Object> l = new ArrayList<>(a.length);
		for (double d : a) l.add(d);
		return l;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof DicomSeries s && seriesInstanceUID.equals(s.seriesInstanceUID) && files.equals(s.files)
			&& slices == s.slices;
	}

	@Override
	public int hashCode() {
		return seriesInstanceUID.hashCode() * 31 + files.hashCode();
	}

	@Override
	public String toString() {
		return "DicomSeries[" + seriesInstanceUID + ", " + modality + ", " + columns + "×" + rows + "×" + slices + "]";
	}
}
