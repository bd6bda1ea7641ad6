package org.medcnn.dicom;

/**
 * How {@link DicomWriter} codes real-world values as stored pixel values: BitsAllocated 16, BitsStored
 * {@code bitsStored} (HighBit = BitsStored − 1), PixelRepresentation 1 when {@code signed}, and
 * {@code stored = round((value − intercept) / slope)} clamped to what BitsStored holds, so that a reader's
 * {@code stored × RescaleSlope + RescaleIntercept} (PS3.3 §C.11.1.1.2) gives back the value within half a slope.
 * <p>
 * Without rescale tags ({@code rescaleTags = false}, typical of MR, whose MR Image module has no Modality LUT
 * attributes) the stored values are the real-world values: slope 1 and intercept 0 are then the only allowed
 * ones. NaN is coded as the smallest stored value. Immutable and thread-safe.
 *
 * @param bitsStored BitsStored, 8…16 (in 16 allocated bits)
 * @param signed PixelRepresentation 1 (two's complement, sign-extended to 16 bits) or 0 (unsigned)
 * @param slope RescaleSlope, finite and &gt; 0
 * @param intercept RescaleIntercept, finite
 * @param rescaleTags whether RescaleSlope/RescaleIntercept (and RescaleType) are written
 * @param rescaleType RescaleType (CS, e.g. "HU", or "US" for unspecified) when rescale tags are written; null or ""
 *        for none
 */
public record PixelCoding(int bitsStored, boolean signed, double slope, double intercept, boolean rescaleTags,
	String rescaleType) {

	/** CT in Hounsfield units: signed 16 bits, slope 1, intercept −1024, RescaleType HU. */
	public static final PixelCoding CT_HU = new PixelCoding(16, true, 1, -1024, true, "HU");

	public PixelCoding {
		if (bitsStored < 8 || bitsStored > 16)
			throw new IllegalArgumentException("bitsStored must be in 8..16 but is " + bitsStored);
		if (!(slope > 0) || Double.isInfinite(slope))
			throw new IllegalArgumentException("slope must be finite and > 0 but is " + slope);
		if (!Double.isFinite(intercept)) throw new IllegalArgumentException("intercept must be finite but is " + intercept);
		if (!rescaleTags && (slope != 1 || intercept != 0))
			throw new IllegalArgumentException("without rescale tags slope must be 1 and intercept 0 but are " + slope
				+ " and " + intercept);
		if (rescaleType == null) rescaleType = "";
		if (!rescaleType.matches("[A-Z0-9 _]{0,16}"))
			throw new IllegalArgumentException("rescaleType must be a DICOM code string (CS) but is '" + rescaleType + "'");
		if (!rescaleTags && !rescaleType.isEmpty())
			throw new IllegalArgumentException("rescaleType '" + rescaleType + "' needs rescale tags");
	}

	/** Stored values are the real-world values, unsigned, no rescale tags (BitsStored 12 or 16 is typical of MR). */
	public static PixelCoding unsigned(int bitsStored) {
		return new PixelCoding(bitsStored, false, 1, 0, false, "");
	}

	/** Real-world value = stored × slope + intercept, written as RescaleSlope/RescaleIntercept with RescaleType US. */
	public static PixelCoding rescaled(int bitsStored, boolean signed, double slope, double intercept) {
		return new PixelCoding(bitsStored, signed, slope, intercept, true, "US");
	}

	/** The smallest stored value BitsStored holds. */
	public int minStored() {
		return signed ? -(1 << (bitsStored - 1)) : 0;
	}

	/** The largest stored value BitsStored holds. */
	public int maxStored() {
		return signed ? (1 << (bitsStored - 1)) - 1 : (1 << bitsStored) - 1;
	}

	/** The stored value of a real-world value: rounded, clamped to the stored range; NaN gives {@link #minStored()}. */
	public int stored(double value) {
		if (Double.isNaN(value)) return minStored();
		long s = Math.round((value - intercept) / slope);
		return (int) Math.max(minStored(), Math.min(maxStored(), s));
	}

	/** The real-world value of a stored value. */
	public double realWorld(int stored) {
		return stored * slope + intercept;
	}

	/** What a reader gets back for a value: {@code realWorld(stored(value))}. */
	public double quantise(double value) {
		return realWorld(stored(value));
	}

	/** Whether every value in [min, max] is coded without clamping (within half a slope). */
	public boolean holds(double min, double max) {
		return min >= realWorld(minStored()) - slope / 2 && max <= realWorld(maxStored()) + slope / 2;
	}
}
