package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * 3D patch geometry: a volume held as a flat {@code [z][y][x]} float array, padded at the high end of each
 * axis to at least the patch size; patch extraction, lesion-centred and random patch positions, and the window
 * positions of sliding-window inference. Immutable apart from {@link #add}; not thread-safe.
 */
final class Patches {

	/** A volume ({@code nz × ny × nx}, padded) with an optional target of the same size. */
	static final class Grid {
		final int nz, ny, nx;
		final float[] x;
		final float[] y;
		/** Flat indices of target voxels &gt; 0 (empty without a target). */
		final int[] foreground;

		/**
		 * Pads {@code values} ({@code oz × oy × ox}) with {@code padValue} (and {@code target} with 0) at the high end
		 * of each axis up to at least {@code patch}.
		 */
		Grid(float[] values, float[] target, int oz, int oy, int ox, int[] patch, float padValue) {
			nz = Math.max(oz, patch[0]);
			ny = Math.max(oy, patch[1]);
			nx = Math.max(ox, patch[2]);
			x = pad(values, oz, oy, ox, padValue);
			y = target == null ? null : pad(target, oz, oy, ox, 0f);
			int count = 0;
			if (y != null) for (float v : y) if (v > 0) count++;
			foreground = new int[count];
			if (y != null) for (int i = 0, k = 0; i < y.length; i++) if (y[i] > 0) foreground[k++] = i;
		}

		private float[] pad(float[] src, int oz, int oy, int ox, float value) {
			if (oz == nz && oy == ny && ox == nx) return src;
			float[] out = new float[nz * ny * nx];
			if (value != 0) java.util.Arrays.fill(out, value);
			for (int z = 0; z < oz; z++)
				for (int yy = 0; yy < oy; yy++) System.arraycopy(src, (z * oy + yy) * ox, out, (z * ny + yy) * nx, ox);
			return out;
		}

		/** Copies the patch of size {@code p} starting at {@code (z0, y0, x0)} out of {@code a} (x or y). */
		float[] extract(float[] a, int z0, int y0, int x0, int[] p) {
			float[] out = new float[p[0] * p[1] * p[2]];
			for (int z = 0; z < p[0]; z++)
				for (int yy = 0; yy < p[1]; yy++)
					System.arraycopy(a, ((z0 + z) * ny + y0 + yy) * nx + x0, out, (z * p[1] + yy) * p[2], p[2]);
			return out;
		}

		/** Adds {@code w · patch} to {@code acc} and {@code w} to {@code weight} over the patch's voxels. */
		void add(float[] acc, float[] weight, float[] patch, float[] w, int z0, int y0, int x0, int[] p) {
			for (int z = 0; z < p[0]; z++)
				for (int yy = 0; yy < p[1]; yy++) {
					int src = (z * p[1] + yy) * p[2], dst = ((z0 + z) * ny + y0 + yy) * nx + x0;
					for (int xx = 0; xx < p[2]; xx++) {
						acc[dst + xx] += w[src + xx] * patch[src + xx];
						weight[dst + xx] += w[src + xx];
					}
				}
		}

		/**
		 * A patch start: centred on a random foreground voxel, shifted by up to a quarter patch per axis, when
		 * {@code centred} and there is foreground; else uniformly random. Always inside the grid.
		 */
		int[] start(int[] p, boolean centred, Random rng) {
			int[] n = {nz, ny, nx};
			int[] s = new int[3];
			if (centred && foreground.length > 0) {
				int i = foreground[rng.nextInt(foreground.length)];
				int[] c = {i / (ny * nx), (i / nx) % ny, i % nx};
				for (int a = 0; a < 3; a++) {
					int jitter = p[a] / 4 > 0 ? rng.nextInt(2 * (p[a] / 4) + 1) - p[a] / 4 : 0;
					s[a] = clamp(c[a] - p[a] / 2 + jitter, 0, n[a] - p[a]);
				}
			} else {
				for (int a = 0; a < 3; a++) s[a] = rng.nextInt(n[a] - p[a] + 1);
			}
			return s;
		}
	}

	private Patches() {}

	/**
	 * Window starts along an axis of length {@code n ≥ p}: {@code 0, step, 2·step, …} and finally {@code n − p},
	 * so the windows cover the axis.
	 */
	static List<Integer> positions(int n, int p, int step) {
		List<Integer> out = new ArrayList<>();
		if (n <= p) {
			out.add(0);
			return out;
		}
		for (int s = 0; s + p < n; s += Math.max(1, step)) out.add(s);
		out.add(n - p);
		return out;
	}

	/**
	 * The overlap of neighbouring inference tiles of side {@code t} (a multiple of {@code m}): an eighth of the tile,
	 * at least {@code m} and at least {@value #MIN_OVERLAP} voxels (half the receptive field of a depth-3 U-Net), at
	 * most half the tile, rounded up to a multiple of {@code m} so that tile starts stay aligned.
	 */
	static int overlap(int t, int m) {
		int o = Math.max(Math.max(m, MIN_OVERLAP), t / 8);
		o = (o + m - 1) / m * m;
		return Math.min(o, Math.max(m, t / 2 / m * m));
	}

	/** The smallest overlap of inference tiles, voxels. */
	static final int MIN_OVERLAP = 16;

	/**
	 * The inference tile {z, y, x} for a grid of {@code dims} {z, y, x} that wastes the least work: for every count of
	 * tiles per axis, the smallest tile (a multiple of {@code mult}, at least {@code min}) whose windows
	 * ({@link #positions} with the step {@code tile − }{@link #overlap}) still number that count; of the combinations
	 * whose tile holds at most {@code maxVoxels}, the one computing the fewest voxels in all (tiles × tile voxels,
	 * plus a fixed cost per tile of {@value #TILE_COST_VOXELS} voxels for starting a run). Cutting the grid into tiles
	 * of equal share this way computes far fewer voxels than shrinking the whole grid by quarters (a 300 × 512 × 512
	 * CT: 1.3 instead of 1.8 times its voxels). Falls back to {@code min} where even that is larger than allowed.
	 */
	static int[] inferenceTile(int[] dims, int[] mult, int[] min, long maxVoxels) {
		int[][] sizes = new int[3][];
		for (int a = 0; a < 3; a++) {
			int first = Math.max(min[a], roundUp(dims[a], mult[a]));
			List<Integer> s = new ArrayList<>();
			int lastCount = Integer.MAX_VALUE;
			// tile sizes from the smallest to the whole axis; keep the smallest size for each count of windows
			for (int t = roundUp(Math.max(min[a], mult[a]), mult[a]); t <= first; t += mult[a]) {
				int count = positions(dims[a], t, t - overlap(t, mult[a])).size();
				if (count < lastCount) {
					s.add(t);
					lastCount = count;
				}
			}
			if (s.isEmpty()) s.add(first);
			sizes[a] = s.stream().mapToInt(Integer::intValue).toArray();
		}
		int[] best = null;
		double bestCost = Double.POSITIVE_INFINITY;
		for (int tz : sizes[0])
			for (int ty : sizes[1])
				for (int tx : sizes[2]) {
					if ((long) tz * ty * tx > maxVoxels) continue;
					long tiles = (long) positions(dims[0], tz, tz - overlap(tz, mult[0])).size()
						* positions(dims[1], ty, ty - overlap(ty, mult[1])).size()
						* positions(dims[2], tx, tx - overlap(tx, mult[2])).size();
					double cost = tiles * ((double) tz * ty * tx + TILE_COST_VOXELS);
					if (cost < bestCost) {
						bestCost = cost;
						best = new int[] {tz, ty, tx};
					}
				}
		if (best != null) return best;
		int[] t = new int[3];
		for (int a = 0; a < 3; a++) t[a] = Math.max(min[a], roundUp(Math.min(dims[a], min[a]), mult[a]));
		return t;
	}

	/** The fixed work of one inference run, as voxels computed: a tie-breaker that prefers fewer, larger tiles. */
	static final int TILE_COST_VOXELS = 64 * 64 * 16;

	private static int roundUp(int v, int m) {
		return (v + m - 1) / m * m;
	}

	static int clamp(int v, int lo, int hi) {
		return Math.max(lo, Math.min(hi, v));
	}
}
