package org.medcnn.dicom;

import java.util.Locale;

/**
 * One VOI window of an image (Window Center (0028,1050) / Window Width (0028,1051) with its explanation and the
 * VOI LUT Function (0028,1056)), in the units of the modality LUT's output (HU for CT, as a {@code Volume}
 * holds them). Immutable.
 *
 * @param center window centre
 * @param width window width (≥ 1 for LINEAR, > 0 otherwise)
 * @param explanation Window Center & Width Explanation for this window, or null
 * @param function "LINEAR", "LINEAR_EXACT" or "SIGMOID"
 */
public record VoiWindow(double center, double width, String explanation, String function) {

	/** VOI LUT Function values (PS3.3 §C.11.2.1.3). */
	public static final String LINEAR = "LINEAR";
	/** PS3.3 §C.11.2.1.3.2. */
	public static final String LINEAR_EXACT = "LINEAR_EXACT";
	/** PS3.3 §C.11.2.1.3.1. */
	public static final String SIGMOID = "SIGMOID";

	public VoiWindow {
		if (!LINEAR.equals(function) && !LINEAR_EXACT.equals(function) && !SIGMOID.equals(function))
			throw new IllegalArgumentException("function must be LINEAR, LINEAR_EXACT or SIGMOID, was " + function);
		if (!Double.isFinite(center) || !Double.isFinite(width) || (LINEAR.equals(function) ? width < 1 : width <= 0))
			throw new IllegalArgumentException(String.format(Locale.ROOT, "window centre %s / width %s is not valid for %s "
				+ "(width must be %s)", center, width, function, LINEAR.equals(function) ? "≥ 1" : "> 0"));
	}

	/**
	 * The input value that maps to the bottom of the output range: {@code c - 0.5 - (w - 1) / 2} for LINEAR
	 * (PS3.3 §C.11.2.1.2.1), {@code c - w / 2} for LINEAR_EXACT and, as a linear approximation, for SIGMOID. This
	 * and {@link #displayMax()} are what an ImageJ display range (setMinAndMax) should get.
	 */
	public double displayMin() {
		return LINEAR.equals(function) ? center - 0.5 - (width - 1) / 2 : center - width / 2;
	}

	/** The input value that maps to the top of the output range (see {@link #displayMin()}). */
	public double displayMax() {
		return LINEAR.equals(function) ? center - 0.5 + (width - 1) / 2 : center + width / 2;
	}

	/** The window's output for a value, in 0..1 (PS3.3 §C.11.2.1.2.1 and §C.11.2.1.3 with ymin 0, ymax 1). */
	public double apply(double x) {
		switch (function) {
			case SIGMOID:
				return 1 / (1 + Math.exp(-4 * (x - center) / width));
			case LINEAR_EXACT:
				if (x <= center - width / 2) return 0;
				if (x > center + width / 2) return 1;
				return (x - center) / width + 0.5;
			default:
				if (x <= center - 0.5 - (width - 1) / 2) return 0;
				if (x > center - 0.5 + (width - 1) / 2) return 1;
				return (x - (center - 0.5)) / (width - 1) + 0.5;
		}
	}
}
