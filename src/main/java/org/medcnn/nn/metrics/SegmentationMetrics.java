package org.medcnn.nn.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;

/**
 * Overlap, surface-distance, lesion-wise and volume metrics between a predicted and a reference mask on the
 * same grid (foreground = label &gt; 0). Distances are in millimetres and honour anisotropic spacing. Stateless.
 * <p>
 * Empty cases: when both masks are empty, Dice and IoU are 1 and HD95 is 0 (perfect agreement); when exactly
 * one is empty, Dice and IoU are 0 and HD95 is NaN (undefined; written as {@code null} in JSON). Lesion-wise
 * sensitivity is NaN without reference lesions, precision NaN without predicted lesions; the relative volume
 * error is NaN when the reference is empty.
 */
public final class SegmentationMetrics {

	private SegmentationMetrics() {}

	/**
	 * Metrics of one case.
	 *
	 * @param dice 2|P∩R| / (|P| + |R|)
	 * @param iou |P∩R| / |P∪R|
	 * @param hd95Mm 95th percentile (nearest rank) of the pooled symmetric surface distances, mm
	 * @param referenceLesions connected components (26-connected, see {@link Lesions}) of the reference
	 * @param detectedLesions reference components overlapped by at least one predicted voxel
	 * @param predictedLesions connected components of the prediction
	 * @param truePredictedLesions predicted components overlapping at least one reference voxel
	 * @param predictedMl predicted foreground volume, mL
	 * @param referenceMl reference foreground volume, mL
	 */
	public record Result(double dice, double iou, double hd95Mm, int referenceLesions, int detectedLesions,
		int predictedLesions, int truePredictedLesions, double predictedMl, double referenceMl) {

		/** detected / reference lesions; NaN without reference lesions. */
		public double lesionSensitivity() {
			return referenceLesions == 0 ? Double.NaN : detectedLesions / (double) referenceLesions;
		}

		/** true predicted / predicted lesions; NaN without predicted lesions. */
		public double lesionPrecision() {
			return predictedLesions == 0 ? Double.NaN : truePredictedLesions / (double) predictedLesions;
		}

		/** predicted − reference volume, mL. */
		public double volumeErrorMl() {
			return predictedMl - referenceMl;
		}

		/** (predicted − reference) / reference volume; NaN when the reference is empty. */
		public double relativeVolumeError() {
			return referenceMl == 0 ? Double.NaN : (predictedMl - referenceMl) / referenceMl;
		}

		/** The metrics as a JSON-ready map (NaN becomes {@code null} when written). */
		public Map<String, Object> toMap() {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("dice", dice);
			m.put("iou", iou);
			m.put("hd95Mm", hd95Mm);
			m.put("referenceLesions", referenceLesions);
			m.put("detectedLesions", detectedLesions);
			m.put("predictedLesions", predictedLesions);
			m.put("truePredictedLesions", truePredictedLesions);
			m.put("lesionSensitivity", lesionSensitivity());
			m.put("lesionPrecision", lesionPrecision());
			m.put("predictedMl", predictedMl);
			m.put("referenceMl", referenceMl);
			m.put("volumeErrorMl", volumeErrorMl());
			m.put("relativeVolumeError", relativeVolumeError());
			return m;
		}
	}

	/**
	 * Compares a prediction with its reference.
	 *
	 * @throws IllegalArgumentException when the masks do not share a grid (names the difference)
	 */
	public static Result compare(Mask predicted, Mask reference) {
		Geometry g = reference.geometry();
		String d = g.describeMismatch(predicted.geometry(), 1e-3);
		if (!d.isEmpty()) throw new IllegalArgumentException("The predicted mask does not lie on the reference's grid (" + d + ")");
		byte[] p = predicted.labels(), r = reference.labels();
		long np = 0, nr = 0, both = 0;
		for (int i = 0; i < p.length; i++) {
			boolean a = p[i] != 0, b = r[i] != 0;
			if (a) np++;
			if (b) nr++;
			if (a && b) both++;
		}
		double dice = np + nr == 0 ? 1 : 2.0 * both / (np + nr);
		double iou = np + nr == 0 ? 1 : both / (double) (np + nr - both);
		double hd95 = np + nr == 0 ? 0 : np == 0 || nr == 0 ? Double.NaN : hd95(predicted, reference);
		int[] lc = lesionCounts(p, r, g);
		double voxelMl = g.voxelVolumeMm3() / 1000.0;
		return new Result(dice, iou, hd95, lc[0], lc[1], lc[2], lc[3], np * voxelMl, nr * voxelMl);
	}

	/**
	 * Lesion-wise counts of a prediction against its reference on one grid (26-connected components):
	 * {reference lesions, reference lesions touched by the prediction, predicted lesions, predicted lesions touching
	 * a reference lesion}.
	 */
	public static int[] lesionCounts(byte[] predicted, byte[] reference, Geometry g) {
		int[] refLabels = Lesions.label(new Mask(g, reference), 0), predLabels = Lesions.label(new Mask(g, predicted), 0);
		int[] ref = overlapCounts(refLabels, predicted), pred = overlapCounts(predLabels, reference);
		return new int[] {ref[0], ref[1], pred[0], pred[1]};
	}

	/** {number of components, number of components with a voxel where {@code other} is foreground}. */
	private static int[] overlapCounts(int[] labels, byte[] other) {
		int n = 0;
		for (int l : labels) n = Math.max(n, l);
		boolean[] hit = new boolean[n + 1];
		for (int i = 0; i < labels.length; i++) if (labels[i] > 0 && other[i] != 0) hit[labels[i]] = true;
		int hits = 0;
		for (int k = 1; k <= n; k++) if (hit[k]) hits++;
		return new int[] {n, hits};
	}

	/**
	 * HD95 between two non-empty masks on one grid: the surface of a mask is its foreground voxels with at least
	 * one 6-neighbour in the background (voxels on the grid's border count as surface); for each surface voxel
	 * the distance (between voxel centres, mm) to the nearest surface voxel of the other mask is taken, both
	 * directions are pooled, and the nearest-rank 95th percentile is returned. Uses an exact Euclidean distance
	 * transform over the bounding box of both surfaces.
	 */
	public static double hd95(Mask a, Mask b) {
		boolean[] sa = surface(a), sb = surface(b);
		Geometry g = a.geometry();
		int[] box = boundingBox(g, sa, sb);
		if (box == null) return Double.NaN;
		double[] da = directed(g, sa, sb, box), db = directed(g, sb, sa, box);
		double[] all = new double[da.length + db.length];
		System.arraycopy(da, 0, all, 0, da.length);
		System.arraycopy(db, 0, all, da.length, db.length);
		return percentile(all, 95);
	}

	/** Nearest-rank percentile (the smallest value with at least q % of the values at or below it). */
	static double percentile(double[] values, double q) {
		if (values.length == 0) return Double.NaN;
		double[] s = values.clone();
		Arrays.sort(s);
		int rank = (int) Math.ceil(q / 100.0 * s.length);
		return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
	}

	/** Foreground voxels with a background (or out-of-grid) 6-neighbour. */
	static boolean[] surface(Mask m) {
		Geometry g = m.geometry();
		int nx = g.nx(), ny = g.ny(), nz = g.nz();
		byte[] l = m.labels();
		boolean[] s = new boolean[l.length];
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) {
					int i = g.index(x, y, z);
					if (l[i] == 0) continue;
					s[i] = x == 0 || x == nx - 1 || y == 0 || y == ny - 1 || z == 0 || z == nz - 1 || l[i - 1] == 0
						|| l[i + 1] == 0 || l[i - nx] == 0 || l[i + nx] == 0 || l[i - nx * ny] == 0 || l[i + nx * ny] == 0;
				}
		return s;
	}

	/** {x0, y0, z0, x1, y1, z1} (inclusive) around the true voxels of both arrays, or null when none. */
	private static int[] boundingBox(Geometry g, boolean[] a, boolean[] b) {
		int[] box = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1, -1};
		int nx = g.nx(), n = g.sliceSize();
		for (int i = 0; i < a.length; i++) {
			if (!a[i] && !b[i]) continue;
			int z = i / n, y = (i % n) / nx, x = i % nx;
			box[0] = Math.min(box[0], x);
			box[1] = Math.min(box[1], y);
			box[2] = Math.min(box[2], z);
			box[3] = Math.max(box[3], x);
			box[4] = Math.max(box[4], y);
			box[5] = Math.max(box[5], z);
		}
		return box[3] < 0 ? null : box;
	}

	/** For each true voxel of {@code from}, the distance in mm to the nearest true voxel of {@code to}. */
	private static double[] directed(Geometry g, boolean[] from, boolean[] to, int[] box) {
		int bx = box[3] - box[0] + 1, by = box[4] - box[1] + 1, bz = box[5] - box[2] + 1;
		double[] sp = g.spacingMm();
		double[] f = new double[bx * by * bz];
		int count = 0;
		for (int z = 0; z < bz; z++)
			for (int y = 0; y < by; y++)
				for (int x = 0; x < bx; x++) {
					int i = g.index(x + box[0], y + box[1], z + box[2]);
					f[(z * by + y) * bx + x] = to[i] ? 0 : INF;
					if (from[i]) count++;
				}
		squaredEdt(f, bx, by, bz, sp);
		double[] out = new double[count];
		int k = 0;
		for (int z = 0; z < bz; z++)
			for (int y = 0; y < by; y++)
				for (int x = 0; x < bx; x++)
					if (from[g.index(x + box[0], y + box[1], z + box[2])]) out[k++] = Math.sqrt(f[(z * by + y) * bx + x]);
		return out;
	}

	/** Larger than any squared distance on a grid, yet finite so that the envelope arithmetic stays exact. */
	private static final double INF = 1e30;

	/** In place: squared Euclidean distance (mm²) to the nearest zero, separable along x, y and z. */
	static void squaredEdt(double[] f, int nx, int ny, int nz, double[] spacing) {
		int n = Math.max(nx, Math.max(ny, nz));
		double[] line = new double[n], d = new double[n], zz = new double[n + 1];
		int[] v = new int[n];
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++) {
				int base = (z * ny + y) * nx;
				for (int x = 0; x < nx; x++) line[x] = f[base + x];
				edt1d(line, nx, spacing[0], d, v, zz);
				for (int x = 0; x < nx; x++) f[base + x] = d[x];
			}
		for (int z = 0; z < nz; z++)
			for (int x = 0; x < nx; x++) {
				for (int y = 0; y < ny; y++) line[y] = f[(z * ny + y) * nx + x];
				edt1d(line, ny, spacing[1], d, v, zz);
				for (int y = 0; y < ny; y++) f[(z * ny + y) * nx + x] = d[y];
			}
		for (int y = 0; y < ny; y++)
			for (int x = 0; x < nx; x++) {
				for (int z = 0; z < nz; z++) line[z] = f[(z * ny + y) * nx + x];
				edt1d(line, nz, spacing[2], d, v, zz);
				for (int z = 0; z < nz; z++) f[(z * ny + y) * nx + x] = d[z];
			}
	}

	/**
	 * Lower envelope of parabolas (Felzenszwalb &amp; Huttenlocher): d[q] = min_p (s·(q − p))² + f[p], with the
	 * sample spacing s in mm.
	 */
	private static void edt1d(double[] f, int n, double s, double[] d, int[] v, double[] z) {
		int k = 0;
		v[0] = 0;
		z[0] = Double.NEGATIVE_INFINITY;
		z[1] = Double.POSITIVE_INFINITY;
		for (int q = 1; q < n; q++) {
			double sq = intersection(f, s, q, v[k]);
			while (sq <= z[k]) { // z[0] is -infinity, so k stays >= 0
				k--;
				sq = intersection(f, s, q, v[k]);
			}
			k++;
			v[k] = q;
			z[k] = sq;
			z[k + 1] = Double.POSITIVE_INFINITY;
		}
		k = 0;
		for (int q = 0; q < n; q++) {
			while (z[k + 1] < q) k++;
			double t = s * (q - v[k]);
			d[q] = t * t + f[v[k]];
		}
	}

	/** Where the parabolas rooted at samples q and p (p &lt; q) intersect, in sample units. */
	private static double intersection(double[] f, double s, int q, int p) {
		return ((f[q] + (s * q) * (s * q)) - (f[p] + (s * p) * (s * p))) / (2 * s * s * (q - p));
	}

	/**
	 * Overall figures of several cases: means of Dice, IoU, HD95 (over the cases where it is defined) and of the
	 * absolute volume error; lesion-wise sensitivity and precision from the pooled lesion counts.
	 */
	public static Map<String, Object> summarise(List<Result> cases) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("cases", cases.size());
		m.put("meanDice", mean(cases.stream().mapToDouble(Result::dice).toArray()));
		m.put("meanIou", mean(cases.stream().mapToDouble(Result::iou).toArray()));
		m.put("meanHd95Mm", mean(cases.stream().mapToDouble(Result::hd95Mm).toArray()));
		int ref = 0, det = 0, pred = 0, tp = 0;
		for (Result r : cases) {
			ref += r.referenceLesions();
			det += r.detectedLesions();
			pred += r.predictedLesions();
			tp += r.truePredictedLesions();
		}
		m.put("referenceLesions", ref);
		m.put("detectedLesions", det);
		m.put("predictedLesions", pred);
		m.put("lesionSensitivity", ref == 0 ? Double.NaN : det / (double) ref);
		m.put("lesionPrecision", pred == 0 ? Double.NaN : tp / (double) pred);
		m.put("meanAbsVolumeErrorMl", mean(cases.stream().mapToDouble(r -> Math.abs(r.volumeErrorMl())).toArray()));
		return m;
	}

	/** Mean of the finite values; NaN when there are none. */
	static double mean(double[] v) {
		double s = 0;
		int n = 0;
		for (double x : v)
			if (Double.isFinite(x)) {
				s += x;
				n++;
			}
		return n == 0 ? Double.NaN : s / n;
	}
}
