package org.medcnn.dicom;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the attributes that place and size pixels in patient space (PixelSpacing, ImagerPixelSpacing,
 * ImageOrientationPatient, ImagePositionPatient) and refuses values that cannot be measured with: a spacing that is
 * zero, negative or not a number, an orientation whose row and column vectors are not unit vectors at right angles
 * (an all-zero ImageOrientationPatient among them), a position that is not three finite numbers. A missing
 * attribute is not an error here: the caller decides what to assume and says so in a warning. Stateless.
 */
final class DicomGeometry {

	/**
	 * How far the row and column vectors of ImageOrientationPatient may be from unit length, and their dot product
	 * from 0 (cosine of the angle: 0.01 is about 0.6°). Values written with 6 decimals, or rounded to fewer, stay
	 * well inside; a vector of length 0 or two vectors 45° apart do not.
	 */
	static final double ORTHONORMAL_TOLERANCE = 0.01;

	private DicomGeometry() {}

	/**
	 * A spacing pair [row, column] in mm from {@code item}'s {@code tag} (PixelSpacing or ImagerPixelSpacing), or
	 * null when the attribute is absent or empty.
	 *
	 * @param where where the item sits, for the message (e.g. " (shared functional groups)"), or ""
	 * @throws DicomReadException when present but not two finite numbers greater than 0
	 */
	static double[] spacing(DicomObject item, int tag, Path file, String where) throws DicomReadException {
		String[] raw = item.getStrings(tag);
		if (raw == null || raw.length == 0) return null;
		double[] v = item.getDoubles(tag);
		if (v == null || v.length < 2 || !(v[0] > 0) || !(v[1] > 0) || Double.isInfinite(v[0]) || Double.isInfinite(v[1]))
			throw new DicomReadException(file, tag, "is '" + String.join("\\", raw) + "'" + where + ": a pixel spacing "
				+ "must be two finite numbers greater than 0 (mm); lengths, areas and volumes cannot be measured with it");
		return new double[] {v[0], v[1]};
	}

	/**
	 * ImageOrientationPatient of {@code item} (6 values), or null when absent or empty.
	 *
	 * @throws DicomReadException when present but not 6 finite numbers whose row and column vectors are unit
	 *         vectors at right angles (within {@link #ORTHONORMAL_TOLERANCE})
	 */
	static double[] orientation(DicomObject item, Path file, String where) throws DicomReadException {
		String[] raw = item.getStrings(Tag.ImageOrientationPatient);
		if (raw == null || raw.length == 0) return null;
		double[] v = item.getDoubles(Tag.ImageOrientationPatient);
		String shown = "'" + String.join("\\", raw) + "'" + where;
		if (v == null || v.length < 6)
			throw new DicomReadException(file, Tag.ImageOrientationPatient, "is " + shown + ": it must hold 6 numbers "
				+ "(row and column direction cosines), not " + (v == null ? 0 : v.length));
		for (int i = 0; i < 6; i++)
			if (!Double.isFinite(v[i]))
				throw new DicomReadException(file, Tag.ImageOrientationPatient, "is " + shown + ": not finite numbers");
		double lr = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
		double lc = Math.sqrt(v[3] * v[3] + v[4] * v[4] + v[5] * v[5]);
		double dot = v[0] * v[3] + v[1] * v[4] + v[2] * v[5];
		if (Math.abs(lr - 1) > ORTHONORMAL_TOLERANCE || Math.abs(lc - 1) > ORTHONORMAL_TOLERANCE)
			throw new DicomReadException(file, Tag.ImageOrientationPatient, String.format(Locale.ROOT, "is %s: the row "
				+ "and column direction cosines must be unit vectors, but their lengths are %.4f and %.4f; the slice "
				+ "orientation and the slice normal cannot be known", shown, lr, lc));
		if (Math.abs(dot) / (lr * lc) > ORTHONORMAL_TOLERANCE)
			throw new DicomReadException(file, Tag.ImageOrientationPatient, String.format(Locale.ROOT, "is %s: the row "
				+ "and column directions are %.1f° apart, not at right angles; the pixel grid cannot be placed in space",
				shown, Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, dot / (lr * lc)))))));
		return java.util.Arrays.copyOf(v, 6);
	}

	/**
	 * ImagePositionPatient of {@code item} (3 values), or null when absent or empty.
	 *
	 * @throws DicomReadException when present but not 3 finite numbers
	 */
	static double[] position(DicomObject item, Path file, String where) throws DicomReadException {
		String[] raw = item.getStrings(Tag.ImagePositionPatient);
		if (raw == null || raw.length == 0) return null;
		double[] v = item.getDoubles(Tag.ImagePositionPatient);
		if (v == null || v.length < 3 || !Double.isFinite(v[0]) || !Double.isFinite(v[1]) || !Double.isFinite(v[2]))
			throw new DicomReadException(file, Tag.ImagePositionPatient, "is '" + String.join("\\", raw) + "'" + where
				+ ": it must be 3 finite numbers (x, y, z in mm)");
		return java.util.Arrays.copyOf(v, 3);
	}
}
