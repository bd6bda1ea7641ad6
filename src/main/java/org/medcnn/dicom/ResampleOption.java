package org.medcnn.dicom;

/** What {@link SeriesReader} does with slices that are not evenly spaced along the slice normal. */
public enum ResampleOption {
	/** Keep the slices as they are; the volume's z spacing is the series' median spacing. */
	NONE,
	/**
	 * Interpolate linearly along the normal onto a uniform grid from the first to the last slice, spaced by the
	 * median slice distance, when the spacing is uneven (a warning says so); evenly spaced slices are kept.
	 */
	UNIFORM
}
