package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Closeables;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * A 3D segmentation package ({@code unet3d}) run by tiles: the image is prepared by the card's {@link Preprocessing}
 * (normalisation, resampling onto the target spacing), overlapping tiles cover it, and the probabilities of
 * overlapping tiles are blended with Gaussian weights (σ = a quarter of the tile per axis, centred on the tile), which
 * favours the tile centres over their borders, where 'same' padding makes the net less sure; the result is brought
 * back onto the image's grid. The network is fully convolutional, so tiles are as large as memory allows
 * ({@link #MAX_TILE_VOXELS} at most, never smaller than the training patch), overlapping by about an eighth
 * ({@link Patches#overlap}); a package of card format 1 keeps the tiling it was made with (patch-sized tiles
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
		super(pkg, card);
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
		int[] tile, step;
		if (legacyTiling) {
			tile = patch;
			step = new int[] {patch[0] / 2, patch[1] / 2, patch[2] / 2};
		} else {
			int m = Math.max(1, card.sizeMultiple());
			int zm = card.input().get("zMultiple") instanceof Number n ? Math.max(1, n.intValue()) : 1;
			int[] mult = {zm, m, m};
			tile = Patches.largestTile(new int[] {nz, ny, nx}, mult, patch, maxTileVoxels());
			step = new int[3];
			for (int a = 0; a < 3; a++) step[a] = tile[a] - Patches.overlap(tile[a], mult[a]);
		}
		Patches.Grid g = new Patches.Grid(in.values(), null, nz, ny, nx, tile, in.padValue());
		List<Integer> zs = Patches.positions(g.nz, tile[0], step[0]), ys = Patches.positions(g.ny, tile[1], step[1]),
			xs = Patches.positions(g.nx, tile[2], step[2]);
		float[] w = legacyTiling ? weights : gaussianWeights(tile);
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
		float[] prob = new float[nx * ny * nz];
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) prob[(z * ny + y) * nx + x] = acc[(z * g.ny + y) * g.nx + x] / weight[(z * g.ny + y) * g.nx + x];
		return TfSegmenter.threshold(v.geometry(), Preprocessing.restore(prob, geo, v.geometry()));
	}

	/** The tile size limit: {@link #MAX_TILE_VOXELS}, less when the memory budget is smaller. */
	private long maxTileVoxels() {
		int f0 = card.json().get("architecture") instanceof java.util.Map<?, ?> a && a.get("baseFilters") instanceof Number n
			? Math.max(1, n.intValue()) : 8;
		long budget = org.medcnn.nn.MemoryPlan.availableBudget();
		return Math.max((long) patch[0] * patch[1] * patch[2], Math.min(MAX_TILE_VOXELS, budget / ((long) BYTES_PER_VOXEL_AND_FILTER * f0)));
	}
}
