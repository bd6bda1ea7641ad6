package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * A 2D segmentation package run slice by slice in batches. A 2.5D package ({@link ModelCard#context()} &gt; 0) gets
 * each slice z with its neighbours z−context … z+context as channels, as in training; beyond the first and last
 * slice the nearest existing slice is repeated ({@link Inputs#contextSlices}). Thread-safe.
 */
final class TfSegmenter extends LoadedModel implements Segmenter {

	/** Pixels per batch (8 slices of 256×256): bounds memory on large slices. */
	static final int BATCH_PIXELS = 8 * 256 * 256;
	static final int MAX_BATCH = 8;
	static final float THRESHOLD = 0.5f;

	TfSegmenter(Path pkg, ModelCard card) throws IOException {
		super(pkg, card);
	}

	@Override
	public Segmentation segment(Volume v, ProgressListener p, Cancellation c) {
		int nx = v.geometry().nx(), ny = v.geometry().ny(), nz = v.geometry().nz(), n = nx * ny;
		int m = Math.max(1, card.sizeMultiple());
		int pw = Inputs.roundUp(nx, m), ph = Inputs.roundUp(ny, m), pn = pw * ph;
		int ch = card.channels(), context = card.context();
		int batch = Math.max(1, Math.min(MAX_BATCH, BATCH_PIXELS / (pn * ch)));
		float[] prob = new float[v.voxels().length];
		for (int z0 = 0; z0 < nz; z0 += batch) {
			if (c != null) c.check();
			int b = Math.min(batch, nz - z0);
			float[] x = batchInput(v, z0, b, context, card.windowCenterHu(), card.windowWidthHu(), pw, ph);
			float[] y = run(x, Shape.of(b, ph, pw, ch));
			for (int i = 0; i < b; i++) {
				float[] slice = new float[pn];
				System.arraycopy(y, i * pn, slice, 0, pn);
				System.arraycopy(Inputs.crop(slice, pw, ph, nx, ny), 0, prob, (z0 + i) * n, n);
			}
			if (p != null) p.progress((double) (z0 + b) / nz, "Segmenting slice " + (z0 + b) + "/" + nz);
		}
		byte[] labels = new byte[prob.length];
		for (int i = 0; i < prob.length; i++) if (prob[i] >= THRESHOLD) labels[i] = 1;
		return new Segmentation(new Mask(v.geometry(), labels), prob);
	}

	/**
	 * The NHWC input of slices {@code z0 … z0+b-1}: each windowed and padded to {@code pw × ph}, with
	 * {@code 2 · context + 1} channels holding slices {@code z-context … z+context} (clamped to the volume).
	 */
	static float[] batchInput(Volume v, int z0, int b, int context, double centerHu, double widthHu, int pw, int ph) {
		int nx = v.geometry().nx(), ny = v.geometry().ny(), nz = v.geometry().nz(), pn = pw * ph, ch = 2 * context + 1;
		// the windowed, padded slices this batch needs, neighbours included
		int lo = Math.max(0, z0 - context), hi = Math.min(nz - 1, z0 + b - 1 + context);
		float[][] windowed = new float[hi - lo + 1][];
		for (int z = lo; z <= hi; z++) windowed[z - lo] = Inputs.pad(Inputs.window(v.slice(z), centerHu, widthHu), nx, ny, pw, ph);
		float[] x = new float[b * pn * ch];
		float[] planar = new float[pn * ch];
		for (int i = 0; i < b; i++) {
			int[] zs = Inputs.contextSlices(z0 + i, nz, context);
			for (int k = 0; k < ch; k++) System.arraycopy(windowed[zs[k] - lo], 0, planar, k * pn, pn);
			System.arraycopy(Inputs.interleave(planar, ch), 0, x, i * pn * ch, pn * ch);
		}
		return x;
	}
}
