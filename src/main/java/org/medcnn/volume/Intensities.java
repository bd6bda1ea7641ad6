package org.medcnn.volume;

import java.util.Arrays;
import java.util.Locale;

/**
 * Intensity statistics of volumes: the body (non-background) voxels, percentiles, mean and standard deviation.
 * <p>
 * The body of a CT image is every voxel above {@value #CT_BODY_THRESHOLD_HU} HU (air lies near −1000 HU, fat near
 * −100 HU, so the threshold separates them on any scanner). Other modalities have no absolute scale, so their body is
 * what is clearly brighter than their darkest voxels: above {@code p0.1 + 0.1 · (p99 − p0.1)} of a deterministic
 * sample of the voxels. (Otsu's threshold was tried first: on a T1 head it splits dark cerebrospinal fluid and necrotic
 * lesion cores from brain tissue rather than air from head, as the between-class variance is larger there.) Every
 * step — the sample (a fixed stride), the percentiles, the threshold between them — is unchanged by a global positive
 * scale and offset of the intensities, so an MR image and the same image ×8 + 100 get the same body. An image without
 * a clear background (a body under {@value #MIN_BODY_FRACTION} or over {@value #MAX_BODY_FRACTION} of the voxels, or a
 * constant image) uses all its voxels. NaN voxels never count.
 * Stateless.
 */
public final class Intensities {

	/** CT voxels above this are body (HU). */
	public static final double CT_BODY_THRESHOLD_HU = -500;
	/** Most values a statistic looks at per image (a fixed stride over the voxels beyond it). */
	public static final int MAX_SAMPLE = 1 << 20;
	/** Body fractions outside [MIN, MAX] mean "no background": the whole image is body. */
	public static final double MIN_BODY_FRACTION = 0.02, MAX_BODY_FRACTION = 0.98;
	/** Where between the darkest voxels and the bright ones (p0.1 … p99) the body threshold of non-CT images lies. */
	public static final double BODY_FRACTION = 0.1;

	private Intensities() {}

	/**
	 * Summary statistics of a set of values.
	 *
	 * @param count values counted (finite ones)
	 * @param mean arithmetic mean (NaN without values)
	 * @param std population standard deviation (NaN without values)
	 * @param p005 0.5th percentile
	 * @param p50 median
	 * @param p995 99.5th percentile
	 */
	public record Stats(long count, double mean, double std, double p005, double p50, double p995) {

		/** Statistics of no values: count 0, everything else NaN. */
		public static final Stats NONE = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

		/** The statistics of the finite values in {@code values} (all of them; sample first for large arrays). */
		public static Stats of(float[] values) {
			float[] v = finite(values);
			if (v.length == 0) return NONE;
			double sum = 0;
			for (float x : v) sum += x;
			double mean = sum / v.length, ss = 0;
			for (float x : v) ss += (x - mean) * (x - mean);
			Arrays.sort(v);
			return new Stats(v.length, mean, Math.sqrt(ss / v.length), percentile(v, 0.5), percentile(v, 50),
				percentile(v, 99.5));
		}

		/** e.g. {@code p0.5/p50/p99.5 -820/42/1210, mean 37.2 sd 211} */
		public String describe() {
			if (count == 0) return "none";
			return String.format(Locale.ROOT, "p0.5/p50/p99.5 %s/%s/%s, mean %s sd %s", num(p005), num(p50), num(p995),
				num(mean), num(std));
		}

		private static String num(double v) {
			double a = Math.abs(v);
			return a >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
				: a >= 1 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3g", v);
		}
	}

	/**
	 * The value at or below which a voxel is background: {@value #CT_BODY_THRESHOLD_HU} for CT; for other modalities
	 * {@code p0.1 + }{@value #BODY_FRACTION}{@code  · (p99 − p0.1)} of a deterministic sample (clearly brighter than the
	 * darkest voxels: air at the noise floor of an MR, the black surround of a photograph); −∞ (everything is body) when
	 * the image has no clear background (see the class comment).
	 */
	public static double bodyThreshold(float[] voxels, String modality) {
		if ("CT".equalsIgnoreCase(modality)) {
			long above = 0, n = 0;
			for (float v : voxels) {
				if (Float.isNaN(v)) continue;
				n++;
				if (v > CT_BODY_THRESHOLD_HU) above++;
			}
			return n > 0 && above >= MIN_BODY_FRACTION * n ? CT_BODY_THRESHOLD_HU : Double.NEGATIVE_INFINITY;
		}
		float[] s = sample(voxels, MAX_SAMPLE);
		Arrays.sort(s);
		int n = s.length;
		if (n == 0) return Double.NEGATIVE_INFINITY;
		double lo = percentile(s, 0.1), hi = percentile(s, 99);
		if (!(hi > lo)) return Double.NEGATIVE_INFINITY;
		double t = lo + BODY_FRACTION * (hi - lo);
		// the share of samples above t, by binary search in the sorted sample
		int first = upperBound(s, t);
		double fraction = (double) (n - first) / n;
		return fraction < MIN_BODY_FRACTION || fraction > MAX_BODY_FRACTION ? Double.NEGATIVE_INFINITY : t;
	}

	/** The index of the first value &gt; t in ascending {@code s}. */
	private static int upperBound(float[] s, double t) {
		int lo = 0, hi = s.length;
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (s[mid] <= t) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** The body voxels' values (see {@link #bodyThreshold}), sampled with a fixed stride to at most {@code max}. */
	public static float[] bodyValues(float[] voxels, String modality, int max) {
		double t = bodyThreshold(voxels, modality);
		return select(voxels, null, t, max);
	}

	/**
	 * The values of {@code voxels} where {@code mask} is non-zero (all voxels when {@code mask} is null) and the value
	 * is above {@code threshold}, NaN excluded, sampled with a fixed stride to at most {@code max}.
	 */
	public static float[] select(float[] voxels, byte[] mask, double threshold, int max) {
		int count = 0;
		for (int i = 0; i < voxels.length; i++)
			if ((mask == null || mask[i] != 0) && voxels[i] > threshold) count++;
		int stride = Math.max(1, (count + max - 1) / max);
		float[] out = new float[(count + stride - 1) / stride];
		int k = 0, seen = 0;
		for (int i = 0; i < voxels.length && k < out.length; i++)
			if ((mask == null || mask[i] != 0) && voxels[i] > threshold && seen++ % stride == 0) out[k++] = voxels[i];
		return k == out.length ? out : Arrays.copyOf(out, k);
	}

	/** At most {@code max} finite values of {@code values}, every k-th one (deterministic). */
	public static float[] sample(float[] values, int max) {
		return select(values, null, Double.NEGATIVE_INFINITY, max);
	}

	/**
	 * The p-th percentile (0…100) of ascending {@code sorted} values, interpolating linearly between ranks (the
	 * "linear" method of NumPy); NaN when empty.
	 */
	public static double percentile(float[] sorted, double p) {
		if (sorted.length == 0) return Double.NaN;
		double r = p / 100 * (sorted.length - 1);
		int i = (int) Math.floor(r);
		if (i >= sorted.length - 1) return sorted[sorted.length - 1];
		return sorted[i] + (r - i) * ((double) sorted[i + 1] - sorted[i]);
	}

	/** The soft-tissue window CT pictures use, {center, width} in HU. */
	public static final double[] CT_DISPLAY_WINDOW = {40, 400};

	/**
	 * A window {center, width} to show an image with: CT gets the soft-tissue window {@link #CT_DISPLAY_WINDOW};
	 * other modalities, whose scale differs between scanners, the 1st to 99th percentile of their body voxels (of all
	 * voxels when those are constant).
	 */
	public static double[] displayWindow(float[] voxels, String modality) {
		if ("CT".equalsIgnoreCase(modality)) return CT_DISPLAY_WINDOW.clone();
		float[] s = bodyValues(voxels, modality, MAX_SAMPLE);
		if (s.length == 0) s = sample(voxels, MAX_SAMPLE);
		Arrays.sort(s);
		double lo = percentile(s, 1), hi = percentile(s, 99);
		if (!(hi > lo)) {
			lo = s.length == 0 ? 0 : s[0];
			hi = s.length == 0 ? 1 : s[s.length - 1];
		}
		if (!(hi > lo)) hi = lo + 1;
		return new double[] {(lo + hi) / 2, hi - lo};
	}

	/** Mean and standard deviation of the finite values, in double precision: {@code {mean, std}} (NaN when empty). */
	public static double[] meanStd(float[] values) {
		double sum = 0;
		long n = 0;
		for (float v : values)
			if (!Float.isNaN(v) && !Float.isInfinite(v)) {
				sum += v;
				n++;
			}
		if (n == 0) return new double[] {Double.NaN, Double.NaN};
		double mean = sum / n, ss = 0;
		for (float v : values)
			if (!Float.isNaN(v) && !Float.isInfinite(v)) ss += (v - mean) * (v - mean);
		return new double[] {mean, Math.sqrt(ss / n)};
	}

	private static float[] finite(float[] values) {
		int n = 0;
		for (float v : values) if (Float.isFinite(v)) n++;
		if (n == values.length) return values.clone();
		float[] out = new float[n];
		int k = 0;
		for (float v : values) if (Float.isFinite(v)) out[k++] = v;
		return out;
	}
}
