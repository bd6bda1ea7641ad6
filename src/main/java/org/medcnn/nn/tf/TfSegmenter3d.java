package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * A 3D segmentation package ({@code unet3d}) run by sliding window: the windowed volume is padded to at least
 * the patch size, patch-sized windows overlapping by half a patch cover it, and the probabilities of
 * overlapping windows are blended with Gaussian weights (σ = a quarter of the patch per axis, centred on the
 * window), which favours the window centres over their borders, where 'same' padding makes the net less sure.
 * Thread-safe.
 */
final class TfSegmenter3d extends LoadedModel implements Segmenter {

	private final int[] patch;
	private final float[] weights;

	TfSegmenter3d(Path pkg, ModelCard card) throws IOException {
		super(pkg, card);
		int[] p = card.patchZyx();
		if (p == null) {
			close();
			throw new ModelFormatException(pkg, "input.patchZyx", "is missing: a 3D model needs its patch size {z, y, x}");
		}
		patch = p;
		weights = gaussianWeights(p);
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
		var geo = v.geometry();
		int nx = geo.nx(), ny = geo.ny(), nz = geo.nz();
		Patches.Grid g = new Patches.Grid(Inputs.window(v.voxels(), card.windowCenterHu(), card.windowWidthHu()), null, nz, ny,
			nx, patch, 0f);
		List<Integer> zs = Patches.positions(g.nz, patch[0], patch[0] / 2), ys = Patches.positions(g.ny, patch[1], patch[1] / 2),
			xs = Patches.positions(g.nx, patch[2], patch[2] / 2);
		float[] acc = new float[g.x.length], weight = new float[g.x.length];
		Shape shape = Shape.of(1, patch[0], patch[1], patch[2], 1);
		int total = zs.size() * ys.size() * xs.size(), done = 0;
		for (int z0 : zs)
			for (int y0 : ys)
				for (int x0 : xs) {
					if (c != null) c.check();
					float[] prob = run(g.extract(g.x, z0, y0, x0, patch), shape);
					g.add(acc, weight, prob, weights, z0, y0, x0, patch);
					done++;
					if (p != null) p.progress((double) done / total, "Segmenting patch " + done + "/" + total);
				}
		float[] prob = new float[v.voxels().length];
		byte[] labels = new byte[prob.length];
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) {
					int src = (z * g.ny + y) * g.nx + x, dst = (z * ny + y) * nx + x;
					prob[dst] = acc[src] / weight[src];
					if (prob[dst] >= TfSegmenter.THRESHOLD) labels[dst] = 1;
				}
		return new Segmentation(new Mask(geo, labels), prob);
	}
}
