package org.medcnn.volume;

/**
 * Parameters of {@link PhantomGenerator}: the grid, the noise and the lesions.
 *
 * @param nx columns (≥ 32)
 * @param ny rows (≥ 32)
 * @param nz slices (≥ 4)
 * @param pixelSpacingMm in-plane spacing, the same along x and y (&gt; 0)
 * @param sliceSpacingMm slice spacing and thickness (&gt; 0)
 * @param noiseSigmaHu standard deviation of the added Gaussian noise (≥ 0)
 * @param minLesions fewest lesions per case (≥ 1)
 * @param maxLesions most lesions per case (≥ minLesions, ≤ 5)
 * @param riskLevel the risk level to draw ("low", "intermediate", "high"), or null to draw it from the seed
 */
public record PhantomConfig(int nx, int ny, int nz, double pixelSpacingMm, double sliceSpacingMm,
	double noiseSigmaHu, int minLesions, int maxLesions, String riskLevel) {

	/** 128 × 128 pixels of 2.5 mm (FOV 320 mm), 16 axial slices of 5 mm, noise σ 12 HU, 1–3 lesions. */
	public static final PhantomConfig DEFAULT = new PhantomConfig(128, 128, 16, 2.5, 5, 12, 1, 3, null);

	public PhantomConfig {
		if (nx < 32 || ny < 32) throw new IllegalArgumentException("nx and ny must be >= 32 but are " + nx + ", " + ny);
		if (nz < 4) throw new IllegalArgumentException("nz must be >= 4 but is " + nz);
		if (!(pixelSpacingMm > 0) || !(sliceSpacingMm > 0) || Double.isInfinite(pixelSpacingMm)
			|| Double.isInfinite(sliceSpacingMm))
			throw new IllegalArgumentException("spacings must be positive but are " + pixelSpacingMm + ", "
				+ sliceSpacingMm + " mm");
		if (!(noiseSigmaHu >= 0) || Double.isInfinite(noiseSigmaHu))
			throw new IllegalArgumentException("noiseSigmaHu must be >= 0 but is " + noiseSigmaHu);
		if (minLesions < 1 || maxLesions < minLesions || maxLesions > 5)
			throw new IllegalArgumentException("lesion count range must satisfy 1 <= min <= max <= 5 but is "
				+ minLesions + ".." + maxLesions);
		if (riskLevel != null && !PhantomGenerator.RISK_LEVELS.contains(riskLevel))
			throw new IllegalArgumentException("riskLevel must be one of " + PhantomGenerator.RISK_LEVELS
				+ " or null but is '" + riskLevel + "'");
	}

	/** The same configuration drawing the given risk level (null: from the seed). */
	public PhantomConfig withRiskLevel(String level) {
		return new PhantomConfig(nx, ny, nz, pixelSpacingMm, sliceSpacingMm, noiseSigmaHu, minLesions, maxLesions,
			level);
	}
}
