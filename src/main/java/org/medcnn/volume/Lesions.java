package org.medcnn.volume;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Connected lesions of a mask and their measurements.
 * <p>
 * Every non-zero label counts as foreground, whatever its value; voxels are connected when they touch by a
 * face, an edge or a corner (26-connectivity). Components are numbered 1, 2, … by decreasing voxel count,
 * ties broken by the scan order ([z][y][x]) of their first voxel, so the numbering is deterministic.
 * Components smaller than {@code minVoxels} are dropped (become background). Stateless and thread-safe.
 */
public final class Lesions {

	/**
	 * The smallest lesion, in voxels, that MedCNN's segmentation outputs keep by default (predict, evaluate, Segment
	 * Tumors, Batch Process, demo): smaller components are noise more often than lesions.
	 */
	public static final int DEFAULT_MIN_VOXELS = 10;

	private Lesions() {}

	/**
	 * The component label of every voxel: 0 for background and dropped components, else 1…n.
	 *
	 * @param minVoxels components with fewer voxels are dropped (0 or 1 keeps all)
	 */
	public static int[] label(Mask mask, int minVoxels) {
		if (minVoxels < 0) throw new IllegalArgumentException("minVoxels must be >= 0 but is " + minVoxels);
		Geometry g = mask.geometry();
		int nx = g.nx(), ny = g.ny(), nz = g.nz(), sliceSize = g.sliceSize();
		byte[] in = mask.labels();
		int[] out = new int[in.length];
		// The queue holds one component at a time: it grows to the largest component, not to the volume (4 bytes a voxel
		// of a 4096² × 56 CT were 3.8 GB for lesions of a few thousand voxels).
		int[] queue = new int[Math.min(in.length, 1 << 16)];
		List<Integer> sizes = new ArrayList<>();
		sizes.add(0);
		int next = 1;
		for (int start = 0; start < in.length; start++) {
			if (in[start] == 0 || out[start] != 0) continue;
			int label = next++;
			int head = 0, tail = 0;
			queue[tail++] = start;
			out[start] = label;
			while (head < tail) {
				int i = queue[head++];
				int z = i / sliceSize, y = i / nx % ny, x = i % nx;
				for (int dz = -1; dz <= 1; dz++) {
					int zz = z + dz;
					if (zz < 0 || zz >= nz) continue;
					for (int dy = -1; dy <= 1; dy++) {
						int yy = y + dy;
						if (yy < 0 || yy >= ny) continue;
						int rowBase = (zz * ny + yy) * nx;
						for (int dx = -1; dx <= 1; dx++) {
							int xx = x + dx;
							if (xx < 0 || xx >= nx) continue;
							int j = rowBase + xx;
							if (in[j] != 0 && out[j] == 0) {
								out[j] = label;
								if (tail == queue.length) queue = Arrays.copyOf(queue, (int) Math.min(in.length, 2L * tail));
								queue[tail++] = j;
							}
						}
					}
				}
			}
			sizes.add(tail);
		}
		// Renumber by decreasing size; provisional labels already follow the scan order of first voxels.
		Integer[] order = new Integer[next - 1];
		for (int i = 0; i < order.length; i++) order[i] = i + 1;
		Arrays.sort(order, (a, b) -> sizes.get(a).equals(sizes.get(b)) ? Integer.compare(a, b)
			: Integer.compare(sizes.get(b), sizes.get(a)));
		int[] map = new int[next];
		int id = 0;
		for (int provisional : order) if (sizes.get(provisional) >= minVoxels) map[provisional] = ++id;
		for (int i = 0; i < out.length; i++) out[i] = map[out[i]];
		return out;
	}

	/**
	 * The component label image (1…n by decreasing size).
	 *
	 * @throws IllegalArgumentException if there are more than 255 components, which a mask cannot number;
	 *         use {@link #label(Mask, int)} then
	 */
	public static Mask labelled(Mask mask, int minVoxels) {
		int[] labels = label(mask, minVoxels);
		byte[] b = new byte[labels.length];
		int max = 0;
		for (int i = 0; i < labels.length; i++) {
			max = Math.max(max, labels[i]);
			b[i] = (byte) labels[i];
		}
		if (max > 255)
			throw new IllegalArgumentException("mask has " + max + " components (minVoxels " + minVoxels
				+ "), more than the 255 a label mask can hold");
		return new Mask(mask.geometry(), b);
	}

	/** A copy of the mask without the components smaller than minVoxels; kept voxels keep their labels. */
	public static Mask removeSmall(Mask mask, int minVoxels) {
		return keep(mask, label(mask, minVoxels));
	}

	/**
	 * {@link #keep} in the mask itself, without a copy (a byte a voxel: 235 MB of a 4096² × 14 CT): for a mask its caller
	 * owns, e.g. a segmenter's fresh result.
	 */
	public static void keepInPlace(Mask mask, int[] labels) {
		byte[] b = mask.labels();
		if (labels.length != b.length)
			throw new IllegalArgumentException("labels has " + labels.length + " values but the mask has " + b.length);
		for (int i = 0; i < b.length; i++) if (labels[i] == 0) b[i] = 0;
	}

	/**
	 * A copy of the mask without the voxels whose component label ({@link #label}, computed once by the caller) is 0;
	 * kept voxels keep their labels.
	 */
	public static Mask keep(Mask mask, int[] labels) {
		if (labels.length != mask.labels().length)
			throw new IllegalArgumentException("labels has " + labels.length + " values but the mask has " + mask.labels().length);
		byte[] b = mask.labels().clone();
		for (int i = 0; i < b.length; i++) if (labels[i] == 0) b[i] = 0;
		return new Mask(mask.geometry(), b);
	}

	/** {@link #measure(Mask, Volume, float[], int)} without probabilities, keeping every component. */
	public static List<Lesion> measure(Mask mask, Volume image) {
		return measure(mask, image, null, 0);
	}

	/**
	 * Finds the lesions of a mask and measures them.
	 *
	 * @param mask the lesion mask
	 * @param image values for mean/max HU on the mask's grid, or null (then those are NaN)
	 * @param probability per-voxel lesion probability on the mask's grid (same order as the voxels), or null
	 * @param minVoxels components with fewer voxels are ignored
	 * @return the lesions by decreasing size (id 1 first)
	 * @throws IllegalArgumentException if image or probability do not fit the mask's grid
	 */
	public static List<Lesion> measure(Mask mask, Volume image, float[] probability, int minVoxels) {
		Geometry g = mask.geometry();
		checkFits(g, image, probability); // before the labelling, which is the long part
		return measureLabels(label(mask, minVoxels), g, image, probability);
	}

	/** Refuses an image or probability map that is not on the grid {@code g}. */
	private static void checkFits(Geometry g, Volume image, float[] probability) {
		if (image != null && !image.geometry().matches(g, 1e-2))
			throw new IllegalArgumentException("image grid does not match the mask: "
				+ g.describeMismatch(image.geometry(), 1e-2));
		if (probability != null && probability.length != g.voxelCount())
			throw new IllegalArgumentException("probability has " + probability.length + " values but the mask has "
				+ g.voxelCount() + " voxels");
	}

	/**
	 * Measures the lesions of a component label image ({@link #label}: 0 background, 1…n by decreasing size) on the grid
	 * {@code g}: what {@link #measure(Mask, Volume, float[], int)} does once it has labelled the mask, for callers that
	 * label a large mask once and reuse the labels.
	 *
	 * @throws IllegalArgumentException if the labels, image or probability do not fit the grid
	 */
	public static List<Lesion> measureLabels(int[] labels, Geometry g, Volume image, float[] probability) {
		if (labels.length != g.voxelCount())
			throw new IllegalArgumentException("labels has " + labels.length + " values but the grid has " + g.voxelCount()
				+ " voxels");
		checkFits(g, image, probability);
		int n = 0;
		for (int l : labels) n = Math.max(n, l);
		int nx = g.nx(), ny = g.ny(), nz = g.nz();
		long[] count = new long[n + 1];
		double[] sumHu = new double[n + 1], maxHu = new double[n + 1], sumP = new double[n + 1];
		double[][] sumPos = new double[n + 1][3];
		int[][] area = new int[n + 1][nz];
		double[] diameter = new double[n + 1];
		Arrays.fill(maxHu, Double.NEGATIVE_INFINITY);
		float[] hu = image == null ? null : image.voxels();
		double sx = g.spacingMm()[0], sy = g.spacingMm()[1];

		// Per slice, each lesion's leftmost and rightmost pixel of every row: their convex hull is the hull of
		// the lesion's pixels in that slice, so the longest in-slice distance is found among them.
		int[] rowFirst = new int[n + 1], rowLast = new int[n + 1];
		Arrays.fill(rowFirst, -1);
		int[] touched = new int[n + 1];
		PointList[] points = new PointList[n + 1];
		boolean[] inSlice = new boolean[n + 1];
		int[] sliceLesions = new int[n + 1];
		for (int z = 0; z < nz; z++) {
			int sliceCount = 0;
			for (int y = 0; y < ny; y++) {
				int nTouched = 0;
				for (int x = 0; x < nx; x++) {
					int i = (z * ny + y) * nx + x;
					int l = labels[i];
					if (l == 0) continue;
					count[l]++;
					area[l][z]++;
					sumPos[l][0] += x;
					sumPos[l][1] += y;
					sumPos[l][2] += z;
					if (hu != null) {
						sumHu[l] += hu[i];
						maxHu[l] = Math.max(maxHu[l], hu[i]);
					}
					if (probability != null) sumP[l] += probability[i];
					if (rowFirst[l] < 0) {
						rowFirst[l] = x;
						touched[nTouched++] = l;
					}
					rowLast[l] = x;
				}
				for (int t = 0; t < nTouched; t++) {
					int l = touched[t];
					if (points[l] == null) points[l] = new PointList();
					if (!inSlice[l]) {
						inSlice[l] = true;
						sliceLesions[sliceCount++] = l;
					}
					points[l].add(rowFirst[l] * sx, y * sy);
					if (rowLast[l] != rowFirst[l]) points[l].add(rowLast[l] * sx, y * sy);
					rowFirst[l] = -1;
				}
			}
			for (int s = 0; s < sliceCount; s++) {
				int l = sliceLesions[s];
				diameter[l] = Math.max(diameter[l], points[l].diameter());
				points[l].clear();
				inSlice[l] = false;
			}
		}

		List<Lesion> out = new ArrayList<>(n);
		double voxelMl = g.voxelVolumeMm3() / 1000;
		for (int l = 1; l <= n; l++) {
			int first = -1, last = -1, key = -1;
			for (int z = 0; z < nz; z++) {
				if (area[l][z] == 0) continue;
				if (first < 0) first = z;
				last = z;
				if (key < 0 || area[l][z] > area[l][key]) key = z;
			}
			double c = count[l];
			double[] centroid = {sumPos[l][0] / c, sumPos[l][1] / c, sumPos[l][2] / c};
			out.add(new Lesion(l, (int) count[l], c * voxelMl, hu == null ? Double.NaN : sumHu[l] / c,
				hu == null ? Double.NaN : maxHu[l], diameter[l], first, last, key, centroid,
				g.toPatient(centroid[0], centroid[1], centroid[2]), probability == null ? Double.NaN : sumP[l] / c));
		}
		return out;
	}

	/** Points of one lesion in one slice, in mm; the longest distance via the convex hull. */
	private static final class PointList {
		private double[] xy = new double[64];
		private int size;

		void add(double x, double y) {
			if (2 * size + 2 > xy.length) xy = Arrays.copyOf(xy, xy.length * 2);
			xy[2 * size] = x;
			xy[2 * size + 1] = y;
			size++;
		}

		void clear() {
			size = 0;
		}

		double diameter() {
			double[][] hull = hull();
			double best = 0;
			for (int i = 0; i < hull.length; i++)
				for (int j = i + 1; j < hull.length; j++) {
					double dx = hull[i][0] - hull[j][0], dy = hull[i][1] - hull[j][1];
					best = Math.max(best, dx * dx + dy * dy);
				}
			return Math.sqrt(best);
		}

		/** Andrew's monotone chain convex hull. */
		private double[][] hull() {
			double[][] p = new double[size][];
			for (int i = 0; i < size; i++) p[i] = new double[] {xy[2 * i], xy[2 * i + 1]};
			Arrays.sort(p, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
			if (p.length < 3) return p;
			double[][] h = new double[2 * p.length][];
			int k = 0;
			for (double[] q : p) {
				while (k >= 2 && turn(h[k - 2], h[k - 1], q) <= 0) k--;
				h[k++] = q;
			}
			for (int i = p.length - 2, lower = k + 1; i >= 0; i--) {
				while (k >= lower && turn(h[k - 2], h[k - 1], p[i]) <= 0) k--;
				h[k++] = p[i];
			}
			return Arrays.copyOf(h, Math.max(1, k - 1));
		}

		private static double turn(double[] o, double[] a, double[] b) {
			return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
		}
	}
}
