package org.medcnn.nn;

import org.medcnn.volume.Volume;

/**
 * Turns image data into network input: HU windowing to [0, 1], bilinear resampling, padding and cropping of
 * row-major {@code [y][x]} slices (see {@link Preprocessing} for the normalisation and resampling of whole volumes). Shared by training and prediction so that both see the same input. Stateless.
 */
public final class Inputs {

	private Inputs() {}

	/**
	 * Maps real-world values linearly so that {@code center - width/2} → 0 and {@code center + width/2} → 1,
	 * clipping outside. NaN becomes 0.
	 */
	public static float[] window(float[] values, double centerHu, double widthHu) {
		return Normalisation.window(centerHu, widthHu).forImage(values, null).apply(values);
	}

	/**
	 * Bilinear resampling of a {@code w × h} image to {@code outW × outH}, aligning pixel centres (the
	 * half-pixel convention), clamping at the borders.
	 */
	public static float[] resizeBilinear(float[] src, int w, int h, int outW, int outH) {
		if (src.length != w * h) throw new IllegalArgumentException("image has " + src.length + " values, expected " + w + "×" + h);
		if (w == outW && h == outH) return src.clone();
		float[] out = new float[outW * outH];
		double sx = (double) w / outW, sy = (double) h / outH;
		for (int y = 0; y < outH; y++) {
			double fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
			int y0 = (int) fy, y1 = Math.min(y0 + 1, h - 1);
			double ty = fy - y0;
			for (int x = 0; x < outW; x++) {
				double fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
				int x0 = (int) fx, x1 = Math.min(x0 + 1, w - 1);
				double tx = fx - x0;
				double top = src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx;
				double bottom = src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx;
				out[y * outW + x] = (float) (top * (1 - ty) + bottom * ty);
			}
		}
		return out;
	}

	/** The smallest multiple of {@code multiple} that is ≥ n. */
	public static int roundUp(int n, int multiple) {
		return (n + multiple - 1) / multiple * multiple;
	}

	/** Copies a {@code w × h} image into the top-left corner of a zero {@code pw × ph} image. */
	public static float[] pad(float[] src, int w, int h, int pw, int ph) {
		if (pw == w && ph == h) return src;
		float[] out = new float[pw * ph];
		for (int y = 0; y < h; y++) System.arraycopy(src, y * w, out, y * pw, w);
		return out;
	}

	/** The top-left {@code w × h} corner of a {@code pw × ph} image. */
	public static float[] crop(float[] src, int pw, int ph, int w, int h) {
		if (pw == w && ph == h) return src;
		float[] out = new float[w * h];
		for (int y = 0; y < h; y++) System.arraycopy(src, y * pw, out, y * w, w);
		return out;
	}

	/**
	 * The slices that make up the 2.5D input of slice {@code z} of an {@code nz}-slice volume, one per channel:
	 * {@code z - context … z + context}, each clamped to {@code 0 … nz-1} (at the ends of the volume the nearest
	 * existing slice is repeated). {@code context} 0 gives {@code [z]}.
	 */
	public static int[] contextSlices(int z, int nz, int context) {
		if (z < 0 || z >= nz) throw new IllegalArgumentException("slice " + z + " is outside 0…" + (nz - 1));
		int[] out = new int[2 * context + 1];
		for (int k = 0; k < out.length; k++) out[k] = Math.min(nz - 1, Math.max(0, z - context + k));
		return out;
	}

	/**
	 * Channel-planar {@code [c][i]} (c images of {@code n} pixels one after another) to channels-last
	 * {@code [i][c]}, the layout of an NHWC tensor. One channel is returned as it is.
	 */
	public static float[] interleave(float[] planar, int channels) {
		if (channels == 1) return planar;
		if (planar.length % channels != 0)
			throw new IllegalArgumentException(planar.length + " values do not split into " + channels + " channels");
		int n = planar.length / channels;
		float[] out = new float[planar.length];
		for (int k = 0; k < channels; k++)
			for (int i = 0; i < n; i++) out[i * channels + k] = planar[k * n + i];
		return out;
	}

	/** Slice 0 of a single-slice volume, else the middle slice {@code nz / 2}. */
	public static float[] representativeSlice(Volume v) {
		int nz = v.geometry().nz();
		return v.slice(nz == 1 ? 0 : nz / 2);
	}

	/**
	 * A classifier input: the representative slice resampled to {@code size × size}, then normalised with the mapping
	 * {@code n} gives that slice (for a window: windowed, as card format 1 did).
	 */
	public static float[] classifierInput(Volume v, int size, Normalisation n) {
		float[] s = representativeSlice(v);
		float[] r = resizeBilinear(s, v.geometry().nx(), v.geometry().ny(), size, size);
		return n.forImage(s, v.modality()).apply(r);
	}
}
