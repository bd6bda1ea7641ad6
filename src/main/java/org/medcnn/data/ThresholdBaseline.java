package org.medcnn.data;

import java.util.Arrays;
import java.util.List;

import org.medcnn.volume.Mask;

/**
 * The simplest segmenter, as a floor for learned ones: one global intensity threshold, "lesion = value ≥ t" or
 * "lesion = value &lt; t". A task that such a threshold solves says nothing about a network.
 * <p>
 * Thresholds are taken from a fixed ascending list of candidate edges; each case is reduced to two histograms
 * over the bins the edges delimit (all voxels, lesion voxels), so a threshold is chosen on training cases and
 * applied to test cases without holding their volumes. Dice is per case (2|A∩B| / (|A| + |B|), 1 when both are
 * empty) and averaged over cases, as {@code evaluate}'s meanDice. Immutable and thread-safe.
 */
public final class ThresholdBaseline {

	private final double[] edges;

	/**
	 * @param edges candidate thresholds, strictly ascending and finite (at least one)
	 */
	public ThresholdBaseline(double[] edges) {
		if (edges.length == 0) throw new IllegalArgumentException("at least one candidate threshold is needed");
		for (int i = 0; i < edges.length; i++)
			if (!Double.isFinite(edges[i]) || i > 0 && !(edges[i] > edges[i - 1]))
				throw new IllegalArgumentException("candidate thresholds must be finite and strictly ascending; #" + i + " is "
					+ edges[i]);
		this.edges = edges.clone();
	}

	/** {@code n} candidates spaced geometrically from {@code min} to {@code max} (both &gt; 0): for MR magnitudes. */
	public static ThresholdBaseline logarithmic(double min, double max, int n) {
		if (!(min > 0) || !(max > min) || n < 2)
			throw new IllegalArgumentException("need 0 < min < max and n >= 2 but have " + min + ", " + max + ", " + n);
		double[] e = new double[n];
		for (int i = 0; i < n; i++) e[i] = min * Math.pow(max / min, i / (n - 1.0));
		return new ThresholdBaseline(e);
	}

	/**
	 * One case's voxel counts per bin: bin 0 holds values below the first edge, bin j values in [edge j−1, edge j),
	 * the last bin values from the last edge up (NaN counts nowhere).
	 *
	 * @param all every voxel
	 * @param lesion voxels with a label &gt; 0
	 */
	public record Counts(long[] all, long[] lesion) {

		public Counts {
			all = all.clone();
			lesion = lesion.clone();
		}

		/** Total lesion voxels. */
		public long lesionVoxels() {
			return Arrays.stream(lesion).sum();
		}
	}

	/**
	 * A chosen threshold.
	 *
	 * @param threshold the value t
	 * @param above true: lesion = value ≥ t; false: lesion = value &lt; t
	 * @param meanDice its mean Dice on the cases it was chosen on
	 */
	public record Fit(double threshold, boolean above, double meanDice) {}

	/** The counts of a case: its values and labels on one grid. */
	public Counts count(float[] values, Mask mask) {
		byte[] labels = mask.labels();
		if (values.length != labels.length)
			throw new IllegalArgumentException("values has " + values.length + " voxels but the mask " + labels.length);
		long[] all = new long[edges.length + 1], lesion = new long[edges.length + 1];
		for (int i = 0; i < values.length; i++) {
			float v = values[i];
			if (Float.isNaN(v)) continue;
			int bin = bin(v);
			all[bin]++;
			if (labels[i] != 0) lesion[bin]++;
		}
		return new Counts(all, lesion);
	}

	/** The threshold (edge and direction) with the best mean Dice over the cases; ties go to the lowest edge, above first. */
	public Fit fit(List<Counts> cases) {
		if (cases.isEmpty()) throw new IllegalArgumentException("no cases to choose a threshold on");
		Fit best = null;
		for (int e = 0; e < edges.length; e++)
			for (boolean above : new boolean[] {true, false}) {
				double sum = 0;
				for (Counts c : cases) sum += dice(c, e, above);
				double mean = sum / cases.size();
				if (best == null || mean > best.meanDice()) best = new Fit(edges[e], above, mean);
			}
		return best;
	}

	/** The mean Dice of a threshold (one of this baseline's edges) over cases. */
	public double meanDice(List<Counts> cases, Fit fit) {
		int e = Arrays.binarySearch(edges, fit.threshold());
		if (e < 0) throw new IllegalArgumentException("threshold " + fit.threshold() + " is not a candidate edge");
		double sum = 0;
		for (Counts c : cases) sum += dice(c, e, fit.above());
		return cases.isEmpty() ? Double.NaN : sum / cases.size();
	}

	/**
	 * The best Dice any single threshold reaches on one case, chosen on that case itself: an upper bound for a
	 * threshold after any per-image monotone rescaling (a z-score, a percentile normalisation…).
	 */
	public double oracleDice(Counts c) {
		double best = 0;
		for (int e = 0; e < edges.length; e++) best = Math.max(best, Math.max(dice(c, e, true), dice(c, e, false)));
		return best;
	}

	/** Index of the bin of a value: the number of edges ≤ v. */
	private int bin(double v) {
		int lo = 0, hi = edges.length;
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (edges[mid] <= v) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** Dice of "value ≥ edge e" (above) or "value &lt; edge e" on one case. */
	private static double dice(Counts c, int e, boolean above) {
		long predicted = 0, hit = 0, truth = 0;
		for (int b = 0; b < c.all.length; b++) {
			truth += c.lesion[b];
			if (above == b > e) {
				predicted += c.all[b];
				hit += c.lesion[b];
			}
		}
		return predicted + truth == 0 ? 1 : 2.0 * hit / (predicted + truth);
	}
}
