package org.medcnn.data;

/**
 * The ranges {@link MrPhantomGenerator} draws each case's parameters from (uniformly unless said otherwise).
 *
 * @param minPixelMm smallest in-plane pixel spacing, mm (rows and columns share it)
 * @param maxPixelMm largest in-plane pixel spacing, mm
 * @param minSliceMm smallest slice spacing (= thickness), mm
 * @param maxSliceMm largest slice spacing, mm
 * @param minFovMm smallest field of view along the column (y) axis, mm; the row (x) axis gets 85…100 % of it
 * @param maxFovMm largest field of view, mm
 * @param maxVoxels most voxels per case: a slab longer than this allows is cut to it around the brain's middle
 * @param maxObliqueDeg largest rotation of the slice grid about each patient axis, degrees (the slice normal is
 *        always at least 5° from every patient axis)
 * @param maxHeadTiltDeg largest rotation of the head about each patient axis, degrees
 * @param maxScaling largest relative change of the head's size along each of its axes (0.08 = ±8 %)
 * @param deformationMm largest displacement of the smooth random deformation, mm
 * @param minIntensityScale smallest global intensity scale; scales are spread log-uniformly over the range
 *        (see {@link MrPhantomGenerator})
 * @param maxIntensityScale largest global intensity scale
 * @param minBias smallest amplitude of the multiplicative bias field (0.2 = ±20 % over the grid)
 * @param maxBias largest amplitude of the bias field
 * @param minNoise smallest Rician noise σ as a fraction of the white-matter level
 * @param maxNoise largest noise σ as a fraction of the white-matter level
 * @param minLesions fewest lesions per case (≥ 1)
 * @param maxLesions most lesions per case (≤ 5)
 * @param minDiameterMm smallest equivalent lesion diameter, mm (the first lesion of a case is drawn from the
 *        upper 60 % of the range, log-uniformly; the others from the lower 60 %)
 * @param maxDiameterMm largest equivalent lesion diameter, mm
 */
public record MrPhantomConfig(double minPixelMm, double maxPixelMm, double minSliceMm, double maxSliceMm,
	double minFovMm, double maxFovMm, int maxVoxels, double maxObliqueDeg, double maxHeadTiltDeg, double maxScaling,
	double deformationMm, double minIntensityScale, double maxIntensityScale, double minBias, double maxBias,
	double minNoise, double maxNoise, int minLesions, int maxLesions, double minDiameterMm, double maxDiameterMm) {

	/**
	 * The benchmark's cases: pixels of 1.1–1.6 mm, slices of 1.5–3.5 mm, field of view 215–235 mm (about
	 * 135–215 pixels, 45–110 slices), at most 3.6 M voxels; grid oblique up to 22° about each axis, head tilted up
	 * to 8°, scaled ±8 %, deformed up to 4 mm; intensity scale 0.4–4.0 (10×); bias field ±20–35 %; noise σ 2–4.5 %
	 * of white matter; 1–3 lesions of 8–40 mm.
	 */
	public static final MrPhantomConfig DEFAULT = new MrPhantomConfig(1.1, 1.6, 1.5, 3.5, 215, 235, 3_600_000, 22, 8,
		0.08, 4, 0.4, 4.0, 0.2, 0.35, 0.02, 0.045, 1, 3, 8, 40);

	public MrPhantomConfig {
		range("pixel spacing", minPixelMm, maxPixelMm, 0.1, 10);
		range("slice spacing", minSliceMm, maxSliceMm, 0.1, 20);
		range("field of view", minFovMm, maxFovMm, 50, 600);
		range("oblique angle", 5, maxObliqueDeg, 5, 45);
		range("head tilt", 0, maxHeadTiltDeg, 0, 45);
		range("scaling", 0, maxScaling, 0, 0.5);
		range("deformation", 0, deformationMm, 0, 20);
		range("intensity scale", minIntensityScale, maxIntensityScale, 1e-3, 1e3);
		range("bias amplitude", minBias, maxBias, 0, 0.8);
		range("noise", minNoise, maxNoise, 0, 1);
		range("lesion diameter", minDiameterMm, maxDiameterMm, 2, 120);
		if (minLesions < 1 || maxLesions < minLesions || maxLesions > 5)
			throw new IllegalArgumentException("lesion count range must satisfy 1 <= min <= max <= 5 but is " + minLesions
				+ ".." + maxLesions);
		if (maxVoxels < 4096) throw new IllegalArgumentException("maxVoxels must be >= 4096 but is " + maxVoxels);
	}

	/**
	 * The same ranges on another grid: e.g. coarse pixels and slices for fast tests. The field of view stays, so
	 * coarser pixels mean fewer of them.
	 */
	public MrPhantomConfig withGrid(double minPixel, double maxPixel, double minSlice, double maxSlice, int voxels) {
		return new MrPhantomConfig(minPixel, maxPixel, minSlice, maxSlice, minFovMm, maxFovMm, voxels, maxObliqueDeg,
			maxHeadTiltDeg, maxScaling, deformationMm, minIntensityScale, maxIntensityScale, minBias, maxBias, minNoise,
			maxNoise, minLesions, maxLesions, minDiameterMm, maxDiameterMm);
	}

	private static void range(String name, double min, double max, double lo, double hi) {
		if (!(min >= lo) || !(max <= hi) || !(min <= max))
			throw new IllegalArgumentException(name + " range must satisfy " + lo + " <= min <= max <= " + hi + " but is "
				+ min + ".." + max);
	}
}
