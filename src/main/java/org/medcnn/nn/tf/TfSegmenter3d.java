package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Closeables;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Intensities;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * A 3D segmentation package ({@code unet3d}) run by tiles: the image is prepared by the card's {@link Preprocessing}
 * (normalisation, resampling onto the target spacing), overlapping tiles cover it, and the probabilities of
 * overlapping tiles are blended with Gaussian weights (σ = a quarter of the tile per axis, centred on the tile), which
 * favours the tile centres over their borders, where 'same' padding makes the net less sure; the result is brought
 * back onto the image's grid. Only the body's bounding box is run ({@link #bodyBox}; air outside it has
 * probability 0). The network is fully convolutional, so tiles are as large as memory allows
 * ({@link #MAX_TILE_VOXELS} at most, never smaller than the training patch), cut so that the least work is
 * computed ({@link Patches#inferenceTile}), overlapping by about an eighth ({@link Patches#overlap}); a package of card format 1 keeps the tiling it was made with (patch-sized tiles
 * overlapping by half a patch), so it predicts exactly as before. Thread-safe.
 */
final class TfSegmenter3d extends LoadedModel implements Segmenter {

	/** Most voxels of one inference tile. */
	static final long MAX_TILE_VOXELS = 8L << 20;
	/** Bytes of memory an inference tile needs per voxel and first-level filter (feature maps kept, with margin). */
	static final int BYTES_PER_VOXEL_AND_FILTER = 64;

	private final int[] patch;
	private final float[] weights;
	private final Preprocessing preprocessing;
	private final boolean legacyTiling;

	TfSegmenter3d(Path pkg, ModelCard card) throws IOException {
		this(pkg, card, InferenceEngine.TENSORFLOW);
	}

	TfSegmenter3d(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		super(pkg, card, engine);
		try {
			int[] p = card.patchZyx();
			if (p == null)
				throw new ModelFormatException(pkg, "input.patchZyx", "is missing: a 3D model needs its patch size {z, y, x}");
			patch = p;
			weights = gaussianWeights(p);
			preprocessing = card.preprocessing();
			legacyTiling = card.formatVersion().equals("1");
		} catch (Throwable t) {
			Closeables.closeAfter(t, this);
			throw t;
		}
	}

	/** Separable Gaussian window weights, σ = p/4 per axis, 1 at the centre (about 0.14 at the borders). */
	static float[] gaussianWeights(int[] p) {
		double[][] axis = new double[3][];
		for (int a = 0; a < 3; a++) {
			axis[a] = new double[p[a]];
			double c = (p[a] - 1) / 2.0, sigma = Math.max(p[a] / 4.0, 0.5);
			for (int i = 0; i < p[a]; i++) axis[a][i] = StrictMath.exp(-(i - c) * (i - c) / (2 * sigma * sigma));
		}
		float[] w = new float[p[0] * p[1] * p[2]];
		for (int z = 0; z < p[0]; z++)
			for (int y = 0; y < p[1]; y++)
				for (int x = 0; x < p[2]; x++) w[(z * p[1] + y) * p[2] + x] = (float) (axis[0][z] * axis[1][y] * axis[2][x]);
		return w;
	}

	@Override
	public Segmentation segment(Volume v, ProgressListener p, Cancellation c) {
		Preprocessing.Prepared in = preprocessing.prepare(v);
		Geometry geo = in.grid();
		int nx = geo.nx(), ny = geo.ny(), nz = geo.nz();
		float[] prob;
		if (legacyTiling) {
			prob = infer(in.values(), new int[] {nz, ny, nx}, patch, new int[] {patch[0] / 2, patch[1] / 2, patch[2] / 2},
				weights, in.padValue(), p, c);
		} else {
			// Only the body's bounding box (with a margin of the network's reach) is run: outside it is air, where the
			// probability is 0; on a 512² CT the box is about half the slice.
			int[] box = bodyBox(v, geo);
			int[] dims = {box[3] - box[0], box[4] - box[1], box[5] - box[2]};
			int m = Math.max(1, card.sizeMultiple());
			int zm = card.input().get("zMultiple") instanceof Number n ? Math.max(1, n.intValue()) : 1;
			int[] mult = {zm, m, m};
			int[] tile = Patches.inferenceTile(dims, mult, patch, maxTileVoxels());
			int[] step = new int[3];
			for (int a = 0; a < 3; a++) step[a] = tile[a] - Patches.overlap(tile[a], mult[a]);
			float[] values = crop(in.values(), nz, ny, nx, box);
			float[] inBox = infer(values, dims, tile, step, gaussianWeights(tile), in.padValue(), p, c);
			prob = new float[nx * ny * nz];
			for (int z = 0; z < dims[0]; z++)
				for (int y = 0; y < dims[1]; y++)
					System.arraycopy(inBox, (z * dims[1] + y) * dims[2], prob, ((box[0] + z) * ny + box[1] + y) * nx + box[2],
						dims[2]);
		}
		return TfSegmenter.threshold(v.geometry(), Preprocessing.restore(prob, geo, v.geometry()));
	}

	/**
	 * Sliding-window inference over values {@code dims} {z, y, x}: tiles of {@code tile} every {@code step}, blended
	 * with the weights {@code w}; the probabilities, {@code dims} flattened.
	 */
	private float[] infer(float[] values, int[] dims, int[] tile, int[] step, float[] w, float padValue, ProgressListener p,
		Cancellation c) {
		Patches.Grid g = new Patches.Grid(values, null, dims[0], dims[1], dims[2], tile, padValue);
		List<Integer> zs = Patches.positions(g.nz, tile[0], step[0]), ys = Patches.positions(g.ny, tile[1], step[1]),
			xs = Patches.positions(g.nx, tile[2], step[2]);
		float[] acc = new float[g.x.length], weight = new float[g.x.length];
		Shape shape = Shape.of(1, tile[0], tile[1], tile[2], 1);
		int total = zs.size() * ys.size() * xs.size(), done = 0;
		for (int z0 : zs)
			for (int y0 : ys)
				for (int x0 : xs) {
					if (c != null) c.check();
					float[] prob = run(g.extract(g.x, z0, y0, x0, tile), shape);
					g.add(acc, weight, prob, w, z0, y0, x0, tile);
					done++;
					if (p != null) p.progress((double) done / total, "Segmenting tile " + done + "/" + total);
				}
		int nz = dims[0], ny = dims[1], nx = dims[2];
		float[] prob = new float[nx * ny * nz];
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) prob[(z * ny + y) * nx + x] = acc[(z * g.ny + y) * g.nx + x] / weight[(z * g.ny + y) * g.nx + x];
		return prob;
	}

	/** The margin around the body, voxels of the network's grid: the reach of a depth-3 U-Net's receptive field. */
	static final int BODY_MARGIN = 24;

	/**
	 * The body's bounding box on the network's grid {@code geo}, {z0, y0, x0, z1, y1, x1} (ends exclusive): the voxels
	 * of {@code v} above its body threshold ({@link Intensities#bodyThreshold}, the one the normalisation uses),
	 * mapped onto {@code geo} and widened by {@link #BODY_MARGIN}; the whole grid when no body is found.
	 */
	static int[] bodyBox(Volume v, Geometry geo) {
		int[] whole = {0, 0, 0, geo.nz(), geo.ny(), geo.nx()};
		double t = Intensities.bodyThreshold(v.voxels(), v.modality());
		if (t == Double.NEGATIVE_INFINITY) return whole;
		Geometry g = v.geometry();
		int nx = g.nx(), ny = g.ny(), nz = g.nz();
		float[] x = v.voxels();
		int z0 = nz, y0 = ny, x0 = nx, z1 = -1, y1 = -1, x1 = -1;
		for (int z = 0, i = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int xx = 0; xx < nx; xx++, i++)
					if (x[i] > t) {
						if (z < z0) z0 = z;
						if (z > z1) z1 = z;
						if (y < y0) y0 = y;
						if (y > y1) y1 = y;
						if (xx < x0) x0 = xx;
						if (xx > x1) x1 = xx;
					}
		if (z1 < 0) return whole;
		// same field of view: index i of n maps to i · n' / n on the network's grid
		int[] n = {nz, ny, nx}, n2 = {geo.nz(), geo.ny(), geo.nx()}, lo = {z0, y0, x0}, hi = {z1 + 1, y1 + 1, x1 + 1};
		int[] box = new int[6];
		for (int a = 0; a < 3; a++) {
			box[a] = Math.max(0, (int) Math.floor((double) lo[a] * n2[a] / n[a]) - BODY_MARGIN);
			box[a + 3] = Math.min(n2[a], (int) Math.ceil((double) hi[a] * n2[a] / n[a]) + BODY_MARGIN);
		}
		return box;
	}

	private static float[] crop(float[] values, int nz, int ny, int nx, int[] box) {
		if (box[0] == 0 && box[1] == 0 && box[2] == 0 && box[3] == nz && box[4] == ny && box[5] == nx) return values;
		int dz = box[3] - box[0], dy = box[4] - box[1], dx = box[5] - box[2];
		float[] out = new float[dz * dy * dx];
		for (int z = 0; z < dz; z++)
			for (int y = 0; y < dy; y++)
				System.arraycopy(values, ((box[0] + z) * ny + box[1] + y) * nx + box[2], out, (z * dy + y) * dx, dx);
		return out;
	}

	/** The tile size limit: {@link #MAX_TILE_VOXELS}, less when the memory budget is smaller. */
	private long maxTileVoxels() {
		int f0 = card.json().get("architecture") instanceof java.util.Map<?, ?> a && a.get("baseFilters") instanceof Number n
			? Math.max(1, n.intValue()) : 8;
		long budget = org.medcnn.nn.MemoryPlan.availableBudget();
		return Math.max((long) patch[0] * patch[1] * patch[2], Math.min(MAX_TILE_VOXELS, budget / ((long) BYTES_PER_VOXEL_AND_FILTER * f0)));
	}
}
