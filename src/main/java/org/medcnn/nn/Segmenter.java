package org.medcnn.nn;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * A loaded segmentation model. Obtain one with {@link Models#openSegmenter}; the caller owns it and closes it
 * (idempotent). {@link #segment} may be called from several threads at once but not after {@link #close()}.
 */
public interface Segmenter extends AutoCloseable {

	/**
	 * Segments a volume slice by slice (axial slices in batches), padding each slice to the model's size multiple
	 * and cropping back (a 2.5D model, {@link ModelCard#context()} &gt; 0, gets each slice with its neighbours as
	 * channels, the nearest slice repeated at the ends of the volume); a 3D model ({@link ModelCard#dims()} 3)
	 * instead slides a patch-sized window over the volume (see {@link Segmenter3dConfig}). The volume is windowed
	 * with the model card's HU window.
	 *
	 * @param p progress per batch, may be null
	 * @param c checked per batch, may be null; cancellation throws {@link java.util.concurrent.CancellationException}
	 * @throws IllegalStateException if the model was closed, or TensorFlow failed (message says why)
	 */
	Segmentation segment(Volume v, ProgressListener p, Cancellation c);

	/**
	 * Segments with optional flip test-time augmentation: with {@code flipTta}, the volume is also segmented
	 * mirrored left-right, up-down and both (in-plane, as the models were trained), each probability map is
	 * mirrored back, and the mask thresholds the mean of the four maps at 0.5. Four times the work; often a
	 * smoother, slightly more accurate outline. Without {@code flipTta}, the same as {@link #segment(Volume,
	 * ProgressListener, Cancellation)}.
	 */
	default Segmentation segment(Volume v, boolean flipTta, ProgressListener p, Cancellation c) {
		if (!flipTta) return segment(v, p, c);
		int nx = v.geometry().nx(), ny = v.geometry().ny();
		float[] sum = new float[v.voxels().length];
		boolean[][] flips = {{false, false}, {true, false}, {false, true}, {true, true}};
		for (int k = 0; k < flips.length; k++) {
			boolean fx = flips[k][0], fy = flips[k][1];
			int pass = k;
			ProgressListener part = p == null ? null
				: (f, msg) -> p.progress((pass + f) / flips.length, "Flip " + (pass + 1) + "/4: " + msg);
			Volume mirrored = k == 0 ? v : new Volume(v.geometry(), mirror(v.voxels(), nx, ny, fx, fy), v.modality());
			float[] prob = segment(mirrored, part, c).probability();
			float[] back = k == 0 ? prob : mirror(prob, nx, ny, fx, fy);
			for (int i = 0; i < sum.length; i++) sum[i] += back[i];
		}
		byte[] labels = new byte[sum.length];
		for (int i = 0; i < sum.length; i++) {
			sum[i] /= flips.length;
			if (sum[i] >= 0.5f) labels[i] = 1;
		}
		return new Segmentation(new Mask(v.geometry(), labels), sum);
	}

	/** Mirrors every {@code nx × ny} slice of a {@code [z][y][x]} array in x and/or y (its own inverse). */
	static float[] mirror(float[] a, int nx, int ny, boolean fx, boolean fy) {
		float[] out = new float[a.length];
		int n = nx * ny;
		for (int z = 0; z < a.length / n; z++)
			for (int y = 0; y < ny; y++) {
				int sy = fy ? ny - 1 - y : y;
				for (int x = 0; x < nx; x++) out[z * n + y * nx + x] = a[z * n + sy * nx + (fx ? nx - 1 - x : x)];
			}
		return out;
	}

	ModelCard card();

	@Override
	void close();
}
