package org.medcnn.volume;

import java.util.Arrays;

/**
 * Resampling of volumes and masks onto a grid of another voxel spacing that covers the same field of view.
 * <p>
 * The new grid keeps the orientation and the physical extent of the old one: along each axis of {@code n} voxels of
 * spacing {@code s} it has {@code n' = max(1, round(n · s / t))} voxels for a target spacing {@code t}, of spacing
 * exactly {@code n · s / n'} (so the field of view's edges stay where they were), and its first voxel's centre lies
 * half a new voxel inside the old edge. Values are interpolated linearly along each axis in turn, with pixel centres
 * aligned (voxel {@code i'} of the new grid samples the old axis at {@code (i' + 0.5) · n / n' − 0.5}, clamped at the
 * edges) — the same convention in both directions, so resampling a prediction back onto its original grid uses the
 * same code. Masks are resampled as 0/1 values and thresholded at 0.5. Stateless.
 */
public final class Resampling {

	/** Spacings within this relative difference of the target count as equal: the axis is not resampled. */
	public static final double RELATIVE_TOLERANCE = 0.01;

	private Resampling() {}

	/**
	 * The grid that covers {@code g}'s field of view with spacing close to {@code targetMm} ({x, y, z} mm; a NaN entry
	 * keeps that axis as it is, and so does a spacing within {@value #RELATIVE_TOLERANCE} of the target).
	 */
	public static Geometry grid(Geometry g, double[] targetMm) {
		if (targetMm == null || targetMm.length != 3) throw new IllegalArgumentException("target spacing must have 3 values");
		int[] n = {g.nx(), g.ny(), g.nz()};
		double[] s = g.spacingMm(), o = g.originMm(), d = g.direction();
		int[] m = n.clone();
		double[] t = s.clone();
		for (int a = 0; a < 3; a++) {
			if (Double.isNaN(targetMm[a])) continue;
			if (!(targetMm[a] > 0) || Double.isInfinite(targetMm[a]))
				throw new IllegalArgumentException("target spacing " + Arrays.toString(targetMm) + " mm: each must be > 0 or NaN");
			if (Math.abs(s[a] - targetMm[a]) <= RELATIVE_TOLERANCE * targetMm[a]) continue;
			m[a] = (int) Math.max(1, Math.round(n[a] * s[a] / targetMm[a]));
			t[a] = n[a] * s[a] / m[a];
		}
		if (Arrays.equals(m, n)) return g;
		double[] origin = o.clone();
		for (int a = 0; a < 3; a++)
			for (int i = 0; i < 3; i++) origin[i] += (t[a] - s[a]) / 2 * d[3 * a + i];
		return new Geometry(m[0], m[1], m[2], t, origin, d);
	}

	/** Whether {@link #grid} changes {@code g}. */
	public static boolean changes(Geometry g, double[] targetMm) {
		return grid(g, targetMm) != g;
	}

	/** The volume's values interpolated onto {@code target} (a grid from {@link #grid}); the same volume when equal. */
	public static Volume resample(Volume v, Geometry target) {
		Geometry g = v.geometry();
		if (target.equals(g)) return v;
		float[] out = resize(v.voxels(), g.nx(), g.ny(), g.nz(), target.nx(), target.ny(), target.nz());
		return new Volume(target, out, v.modality(), target.nz() == g.nz() ? v.sliceLabels() : null);
	}

	/** The mask's foreground interpolated onto {@code target} and thresholded at 0.5 (labels become 1). */
	public static Mask resample(Mask m, Geometry target) {
		Geometry g = m.geometry();
		if (target.equals(g)) return m;
		byte[] l = m.labels();
		float[] f = new float[l.length];
		for (int i = 0; i < l.length; i++) f[i] = l[i] != 0 ? 1f : 0f;
		float[] r = resize(f, g.nx(), g.ny(), g.nz(), target.nx(), target.ny(), target.nz());
		byte[] out = new byte[r.length];
		for (int i = 0; i < r.length; i++) if (r[i] >= 0.5f) out[i] = 1;
		return new Mask(target, out);
	}

	/**
	 * Linear resizing of a flattened {@code [z][y][x]} array from {@code nx × ny × nz} to {@code mx × my × mz}, one
	 * axis after the other (pixel centres aligned, edges clamped). The input is returned as it is when the sizes agree.
	 */
	public static float[] resize(float[] src, int nx, int ny, int nz, int mx, int my, int mz) {
		if (src.length != (long) nx * ny * nz)
			throw new IllegalArgumentException(src.length + " values for a " + nx + "×" + ny + "×" + nz + " grid");
		float[] a = src;
		if (mx != nx) a = resizeAxis(a, nx, ny * nz, 1, mx);
		if (my != ny) a = resizeAxis(a, ny, nz, mx, my);
		if (mz != nz) a = resizeAxis(a, nz, 1, mx * my, mz);
		return a;
	}

	/**
	 * Resizes one axis of an array laid out {@code [outer][n][inner]} (row-major) to {@code [outer][m][inner]}.
	 */
	private static float[] resizeAxis(float[] a, int n, int outer, int inner, int m) {
		int[] i0 = new int[m], i1 = new int[m];
		float[] w = new float[m];
		for (int j = 0; j < m; j++) {
			double f = Math.min(Math.max((j + 0.5) * n / m - 0.5, 0), n - 1);
			i0[j] = (int) f;
			i1[j] = Math.min(i0[j] + 1, n - 1);
			w[j] = (float) (f - i0[j]);
		}
		float[] out = new float[outer * m * inner];
		for (int o = 0; o < outer; o++) {
			int src = o * n * inner, dst = o * m * inner;
			for (int j = 0; j < m; j++) {
				int r0 = src + i0[j] * inner, r1 = src + i1[j] * inner, d = dst + j * inner;
				float wj = w[j], vj = 1 - wj;
				if (inner == 1) out[d] = wj == 0 ? a[r0] : a[r0] * vj + a[r1] * wj;
				else if (wj == 0) System.arraycopy(a, r0, out, d, inner);
				else for (int k = 0; k < inner; k++) out[d + k] = a[r0 + k] * vj + a[r1 + k] * wj;
			}
		}
		return out;
	}
}
