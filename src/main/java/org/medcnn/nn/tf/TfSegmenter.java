package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Closeables;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * A 2D segmentation package run slice by slice in batches, after the card's {@link Preprocessing} (normalisation,
 * resampling onto the target spacing); the probabilities are brought back onto the image's grid. A 2.5D package
 * ({@link ModelCard#context()} &gt; 0) gets each slice z with its neighbours z−context … z+context as channels, as in
 * training; beyond the first and last slice the nearest existing slice is repeated ({@link Inputs#contextSlices}).
 * Slices larger than {@value #MAX_TILE_PIXELS} pixels are covered by overlapping tiles blended with Gaussian weights
 * (the network is fully convolutional), so a 4096² slice needs no more memory than a 1024² one. Thread-safe.
 */
final class TfSegmenter extends LoadedModel implements Segmenter {

	/** Pixels per batch (8 slices of 256×256): bounds memory on large slices. */
	static final int BATCH_PIXELS = 8 * 256 * 256;
	static final int MAX_BATCH = 8;
	static final float THRESHOLD = 0.5f;
	/** Largest tile (pixels) run at once; larger slices are tiled. */
	static final int MAX_TILE_PIXELS = 1024 * 1024;

	private final Preprocessing preprocessing;

	TfSegmenter(Path pkg, ModelCard card) throws IOException {
		this(pkg, card, InferenceEngine.TENSORFLOW);
	}

	TfSegmenter(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		super(pkg, card, engine);
		try {
			preprocessing = card.preprocessing();
		} catch (Throwable t) {
			Closeables.closeAfter(t, this);
			throw t;
		}
	}

	@Override
	public Segmentation segment(Volume v, ProgressListener p, Cancellation c) {
		Preprocessing.Prepared in = preprocessing.prepare(v);
		Geometry g = in.grid();
		int nx = g.nx(), ny = g.ny(), nz = g.nz(), n = nx * ny;
		int m = Math.max(1, card.sizeMultiple());
		int pw = Inputs.roundUp(nx, m), ph = Inputs.roundUp(ny, m), pn = pw * ph;
		int ch = card.channels(), context = card.context();
		float[] prob = new float[nx * ny * nz];
		if (pn > MAX_TILE_PIXELS) {
			for (int z = 0; z < nz; z++) {
				if (c != null) c.check();
				float[] slice = tiled(in, z, context, m, c);
				System.arraycopy(slice, 0, prob, z * n, n);
				if (p != null) p.progress((double) (z + 1) / nz, "Segmenting slice " + (z + 1) + "/" + nz);
			}
		} else {
			int batch = Math.max(1, Math.min(MAX_BATCH, BATCH_PIXELS / (pn * ch)));
			for (int z0 = 0; z0 < nz; z0 += batch) {
				if (c != null) c.check();
				int b = Math.min(batch, nz - z0);
				float[] x = batchInput(in, z0, b, context, pw, ph);
				float[] y = run(x, Shape.of(b, ph, pw, ch));
				for (int i = 0; i < b; i++) {
					float[] slice = new float[pn];
					System.arraycopy(y, i * pn, slice, 0, pn);
					System.arraycopy(Inputs.crop(slice, pw, ph, nx, ny), 0, prob, (z0 + i) * n, n);
				}
				if (p != null) p.progress((double) (z0 + b) / nz, "Segmenting slice " + (z0 + b) + "/" + nz);
			}
		}
		return threshold(v.geometry(), Preprocessing.restore(prob, g, v.geometry()));
	}

	/** The mask (probability ≥ {@value #THRESHOLD}) and probabilities on the image's grid. */
	static Segmentation threshold(Geometry g, float[] prob) {
		byte[] labels = new byte[prob.length];
		for (int i = 0; i < prob.length; i++) if (prob[i] >= THRESHOLD) labels[i] = 1;
		return new Segmentation(new Mask(g, labels), prob);
	}

	/**
	 * The NHWC input of slices {@code z0 … z0+b-1} of a prepared image: each padded (with the image's pad value) to
	 * {@code pw × ph}, with {@code 2 · context + 1} channels holding slices {@code z-context … z+context} (clamped to
	 * the volume).
	 */
	static float[] batchInput(Preprocessing.Prepared in, int z0, int b, int context, int pw, int ph) {
		Geometry g = in.grid();
		int nx = g.nx(), ny = g.ny(), nz = g.nz(), pn = pw * ph, ch = 2 * context + 1;
		int lo = Math.max(0, z0 - context), hi = Math.min(nz - 1, z0 + b - 1 + context);
		float[][] padded = new float[hi - lo + 1][];
		for (int z = lo; z <= hi; z++) padded[z - lo] = pad(in.slice(z), nx, ny, pw, ph, in.padValue());
		float[] x = new float[b * pn * ch];
		float[] planar = new float[pn * ch];
		for (int i = 0; i < b; i++) {
			int[] zs = Inputs.contextSlices(z0 + i, nz, context);
			for (int k = 0; k < ch; k++) System.arraycopy(padded[zs[k] - lo], 0, planar, k * pn, pn);
			System.arraycopy(Inputs.interleave(planar, ch), 0, x, i * pn * ch, pn * ch);
		}
		return x;
	}

	/** {@link Inputs#pad} with a fill value other than 0. */
	static float[] pad(float[] src, int w, int h, int pw, int ph, float fill) {
		if (fill == 0 || (pw == w && ph == h)) return Inputs.pad(src, w, h, pw, ph);
		float[] out = new float[pw * ph];
		java.util.Arrays.fill(out, fill);
		for (int y = 0; y < h; y++) System.arraycopy(src, y * w, out, y * pw, w);
		return out;
	}

	/** Slice z of a large prepared image, by overlapping tiles blended with Gaussian weights. */
	private float[] tiled(Preprocessing.Prepared in, int z, int context, int m, Cancellation c) {
		Geometry g = in.grid();
		int nx = g.nx(), ny = g.ny(), ch = 2 * context + 1;
		int side = Math.max(m, (int) Math.sqrt(MAX_TILE_PIXELS) / m * m);
		int th = Math.min(side, Inputs.roundUp(ny, m)), tw = Math.min(side, Inputs.roundUp(nx, m));
		int gh = Math.max(ny, th), gw = Math.max(nx, tw);
		int[] zs = Inputs.contextSlices(z, g.nz(), context);
		float[][] planes = new float[ch][];
		for (int k = 0; k < ch; k++) planes[k] = pad(in.slice(zs[k]), nx, ny, gw, gh, in.padValue());
		float[] weights = TfSegmenter3d.gaussianWeights(new int[] {1, th, tw});
		float[] acc = new float[gw * gh], wsum = new float[gw * gh];
		List<Integer> ys = Patches.positions(gh, th, th - Patches.overlap(th, m)), xs = Patches.positions(gw, tw, tw - Patches.overlap(tw, m));
		float[] planar = new float[ch * th * tw];
		for (int y0 : ys)
			for (int x0 : xs) {
				if (c != null) c.check();
				for (int k = 0; k < ch; k++)
					for (int y = 0; y < th; y++) System.arraycopy(planes[k], (y0 + y) * gw + x0, planar, (k * th + y) * tw, tw);
				float[] out = run(Inputs.interleave(planar, ch), Shape.of(1, th, tw, ch));
				for (int y = 0; y < th; y++)
					for (int x = 0; x < tw; x++) {
						int src = y * tw + x, dst = (y0 + y) * gw + x0 + x;
						acc[dst] += weights[src] * out[src];
						wsum[dst] += weights[src];
					}
			}
		float[] slice = new float[nx * ny];
		for (int y = 0; y < ny; y++)
			for (int x = 0; x < nx; x++) slice[y * nx + x] = acc[y * gw + x] / wsum[y * gw + x];
		return slice;
	}
}
