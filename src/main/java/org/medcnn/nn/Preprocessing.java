package org.medcnn.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Intensities;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Resampling;
import org.medcnn.volume.Volume;

/**
 * What happens to an image before the network sees it, the same in training, validation and every consumer of a
 * model package: the intensity {@link Normalisation}, then resampling onto the target voxel spacing
 * ({@link Resampling}: same field of view, linear interpolation); a prediction made on that grid is brought back
 * onto the image's own grid with {@link #restore}, so masks, DICOM SEG and RTSTRUCT stay on the original voxels.
 * <p>
 * The normalisation's per-image statistics come from the image's own voxels, before resampling; NaN voxels become
 * 0 before resampling (so they do not spread). Regions outside the image (padding to the network's size multiple,
 * patches at the border) take {@link Prepared#padValue()}: 0 for a window (its lower bound, air in CT), else the
 * normalised 0.5 percentile of the image (its background). Immutable and thread-safe.
 *
 * @param normalisation the intensity mapping
 * @param targetSpacingMm the spacing {x, y, z} in mm the network works at; a NaN axis is not resampled (a 2D model
 *        never resamples z; anisotropic data keeps its slice spacing)
 * @param fingerprint the training set's fingerprint this was chosen from, or null (recorded in the model card)
 */
public record Preprocessing(Normalisation normalisation, double[] targetSpacingMm, Fingerprint fingerprint) {

	private static final double[] KEEP = {Double.NaN, Double.NaN, Double.NaN};

	public Preprocessing {
		if (normalisation == null) throw new IllegalArgumentException("normalisation is missing");
		targetSpacingMm = targetSpacingMm == null ? KEEP.clone() : targetSpacingMm.clone();
		if (targetSpacingMm.length != 3)
			throw new IllegalArgumentException("targetSpacingMm must have 3 values {x, y, z}, got " + targetSpacingMm.length);
		for (double s : targetSpacingMm)
			if (!Double.isNaN(s) && (!(s > 0) || Double.isInfinite(s)))
				throw new IllegalArgumentException("targetSpacingMm = " + Arrays.toString(targetSpacingMm)
					+ " is out of range: each (0, ∞) or NaN (keep)");
	}

	/** A window and no resampling: the preprocessing of card format 1. */
	public static Preprocessing window(double centerHu, double widthHu) {
		return new Preprocessing(Normalisation.window(centerHu, widthHu), null, null);
	}

	/** The same with another target spacing. */
	public Preprocessing withTargetSpacing(double[] t) {
		return new Preprocessing(normalisation, t, fingerprint);
	}

	/** The same recording another fingerprint. */
	public Preprocessing withFingerprint(Fingerprint f) {
		return new Preprocessing(normalisation, targetSpacingMm, f);
	}

	@Override
	public double[] targetSpacingMm() {
		return targetSpacingMm.clone();
	}

	/** Whether any axis is resampled. */
	public boolean resamples() {
		for (double s : targetSpacingMm) if (!Double.isNaN(s)) return true;
		return false;
	}

	/** The grid the network works on for an image on {@code g}. */
	public Geometry grid(Geometry g) {
		return resamples() ? Resampling.grid(g, targetSpacingMm) : g;
	}

	/**
	 * An image ready for the network: its normalised values on the network's grid.
	 *
	 * @param grid the network's grid ({@link #grid} of the image's)
	 * @param values normalised values, flattened {@code [z][y][x]} on {@code grid}
	 * @param padValue the value of regions outside the image
	 * @param map the image's intensity mapping
	 */
	public record Prepared(Geometry grid, float[] values, float padValue, Normalisation.IntensityMap map) {

		/** Slice z of the values, row-major {@code [y][x]}. */
		public float[] slice(int z) {
			int n = grid.sliceSize();
			return Arrays.copyOfRange(values, z * n, (z + 1) * n);
		}
	}

	/** Normalises and resamples an image (see the class comment). */
	public Prepared prepare(Volume v) {
		Normalisation.IntensityMap map = normalisation.forImage(v.voxels(), v.modality());
		float[] values = map.apply(v.voxels());
		float pad = 0;
		if (!map.windowOutput()) {
			float[] s = Intensities.sample(values, Intensities.MAX_SAMPLE);
			Arrays.sort(s);
			pad = s.length == 0 ? 0 : (float) Intensities.percentile(s, 0.5);
		}
		Geometry g = v.geometry(), t = grid(g);
		if (t != g) values = Resampling.resize(values, g.nx(), g.ny(), g.nz(), t.nx(), t.ny(), t.nz());
		return new Prepared(t, values, pad, map);
	}

	/** A training mask on the network's grid of its image ({@link Resampling#resample(Mask, Geometry)}). */
	public Mask prepare(Mask m) {
		Geometry t = grid(m.geometry());
		return Resampling.resample(m, t);
	}

	/**
	 * Brings per-voxel values computed on the network's grid {@code from} (e.g. probabilities) back onto the image's
	 * grid {@code to} by linear interpolation; the same array when the grids agree.
	 */
	public static float[] restore(float[] values, Geometry from, Geometry to) {
		if (from.equals(to)) return values;
		return Resampling.resize(values, from.nx(), from.ny(), from.nz(), to.nx(), to.ny(), to.nz());
	}

	/** The card's {@code input} fields for this preprocessing: {@code normalisation} and {@code targetSpacingMm}. */
	public Map<String, Object> cardFields() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("normalisation", normalisation.cardRecord());
		List<Object> t = new ArrayList<>();
		for (double s : targetSpacingMm) t.add(Double.isNaN(s) ? null : s);
		m.put("targetSpacingMm", t);
		m.put("resampling", resamples() ? "linear onto the target spacing (null: axis kept), same field of view;"
			+ " predictions interpolated back onto the image's grid" : "none");
		return m;
	}

	/** e.g. {@code z-score per image over its body voxels; resampled to 1.30×1.30 mm in-plane, slices kept} */
	public String describe() {
		return normalisation.describe() + "; " + (resamples() ? "resampled to " + spacingText() : "no resampling");
	}

	private String spacingText() {
		String[] a = new String[3];
		for (int i = 0; i < 3; i++)
			a[i] = Double.isNaN(targetSpacingMm[i]) ? "kept" : String.format(Locale.ROOT, "%.2f", targetSpacingMm[i]);
		return a[0] + "×" + a[1] + "×" + a[2] + " mm (x×y×z)";
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Preprocessing p && normalisation.equals(p.normalisation)
			&& Arrays.equals(targetSpacingMm, p.targetSpacingMm);
	}

	@Override
	public int hashCode() {
		return normalisation.hashCode() * 31 + Arrays.hashCode(targetSpacingMm);
	}

	@Override
	public String toString() {
		return "Preprocessing[" + describe() + "]";
	}
}
