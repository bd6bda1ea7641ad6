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

/** A 2D segmentation package run slice by slice in batches. Thread-safe. */
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
		int batch = Math.max(1, Math.min(MAX_BATCH, BATCH_PIXELS / pn));
		float[] prob = new float[v.voxels().length];
		for (int z0 = 0; z0 < nz; z0 += batch) {
			if (c != null) c.check();
			int b = Math.min(batch, nz - z0);
			float[] x = new float[b * pn];
			for (int i = 0; i < b; i++) {
				float[] s = Inputs.window(v.slice(z0 + i), card.windowCenterHu(), card.windowWidthHu());
				System.arraycopy(Inputs.pad(s, nx, ny, pw, ph), 0, x, i * pn, pn);
			}
			float[] y = run(x, Shape.of(b, ph, pw, 1));
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
}
