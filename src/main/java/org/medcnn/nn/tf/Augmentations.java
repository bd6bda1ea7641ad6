package org.medcnn.nn.tf;

import java.util.Random;

/**
 * On-the-fly data augmentation of training samples (see {@link org.medcnn.nn.TrainingConfig#augment()}).
 * <p>
 * {@link #STANDARD} draws one in-plane geometric transform per sample — mirroring, a quarter turn, a small rotation
 * and a scaling about the image centre — and applies it with a single resampling to every slice of the input and,
 * for segmentation samples, of the target (bilinear for the image; bilinear then a 0.5 threshold for the binary
 * target, so that a mask stays a mask). Pixels mapped from outside the image become 0, the lower bound of the HU
 * window (air in CT). It then changes the intensities of the input only: a scale and a shift (the window
 * mapped to [0, 1] drifts between scanners and reconstruction kernels) and Gaussian noise. Without rotation or
 * scaling the geometric part is an exact permutation of pixels. Classification targets (one-hot vectors) are left
 * as they are. Each channel of a 2.5D input (neighbouring slices as channels) is transformed like a slice, with
 * the same transform and intensity change. Stateless; the random draws come from the {@link Random} passed in, so
 * a seed gives the same samples.
 */
final class Augmentations {

	/** Largest small rotation, degrees either way. */
	static final double MAX_ROTATION_DEGREES = 15;
	/** Scaling range, as a factor. */
	static final double MIN_SCALE = 0.85, MAX_SCALE = 1.15;
	/** Intensity scale ±, shift ± (in window units) and the largest noise σ (window units). */
	static final double INTENSITY_SCALE = 0.10, INTENSITY_SHIFT = 0.05, MAX_NOISE_SIGMA = 0.03;

	private Augmentations() {}

	/**
	 * The augmenter for a {@link org.medcnn.nn.TrainingConfig#augment()} keyword; {@code auto} is {@code flips} for
	 * segmenters and {@code standard} for classifiers (measured with {@code medcnn bench quality}: lesion patches from
	 * 18 cases, held-out ROC AUC 0.80–0.85 without augmentation, 0.96–0.98 with it).
	 */
	static Trainer.Augmenter of(String keyword, boolean segmenter) {
		return switch (keyword) {
			case "none" -> Trainer.NONE;
			case "flips" -> Trainer.FLIPS;
			case "standard" -> STANDARD;
			case "auto" -> segmenter ? Trainer.FLIPS : STANDARD;
			default -> throw new IllegalArgumentException("augment = '" + keyword + "' is not supported");
		};
	}

	/** The words the model card records for an augmentation keyword. */
	static String describe(String keyword, boolean segmenter) {
		Trainer.Augmenter a = of(keyword, segmenter);
		if (a == Trainer.FLIPS) return "random left-right and up-down flips";
		if (a == STANDARD)
			return "random flips, quarter turns, rotations up to ±" + (int) MAX_ROTATION_DEGREES + "°, scaling " + MIN_SCALE
				+ "…" + MAX_SCALE + ", intensity scale ±" + (int) (INTENSITY_SCALE * 100) + " % and shift ±" + INTENSITY_SHIFT
				+ ", Gaussian noise σ ≤ " + MAX_NOISE_SIGMA + " (window units)";
		return "none";
	}

	/** One in-plane transform: output pixel → input pixel, about the image centre. */
	record Transform(boolean flipX, boolean flipY, int quarterTurns, double radians, double scale) {

		boolean exact() {
			return radians == 0 && scale == 1;
		}
	}

	/** Flips, quarter turns (square images only), small rotations, scaling, intensity changes and noise. */
	static final Trainer.Augmenter STANDARD = (s, rng) -> {
		Transform t = drawTransform(rng, s.w() == s.h());
		int slices = Math.max(1, s.d());
		boolean segmentation = s.y().length * s.c() == s.x().length;
		float[] x = transform(s.x(), s.w(), s.h(), slices * s.c(), t, false);
		float[] y = segmentation ? transform(s.y(), s.w(), s.h(), slices, t, true) : s.y();
		intensity(x, rng);
		return new Trainer.Sample(x, y, s.w(), s.h(), s.d(), s.c());
	};

	static Transform drawTransform(Random rng, boolean square) {
		boolean fx = rng.nextBoolean(), fy = rng.nextBoolean();
		int turns = rng.nextInt(4);
		if (!square) turns &= 2; // a quarter turn would swap width and height
		double radians = rng.nextBoolean() ? Math.toRadians((rng.nextDouble() * 2 - 1) * MAX_ROTATION_DEGREES) : 0;
		double scale = rng.nextBoolean() ? MIN_SCALE + rng.nextDouble() * (MAX_SCALE - MIN_SCALE) : 1;
		return new Transform(fx, fy, turns, radians, scale);
	}

	/** Scale and shift with probability 1/2, then noise with probability 1/2, in place. */
	static void intensity(float[] x, Random rng) {
		if (rng.nextBoolean()) {
			float a = (float) (1 + (rng.nextDouble() * 2 - 1) * INTENSITY_SCALE);
			float b = (float) ((rng.nextDouble() * 2 - 1) * INTENSITY_SHIFT);
			for (int i = 0; i < x.length; i++) x[i] = x[i] * a + b;
		}
		if (rng.nextBoolean()) addNoise(x, (float) (rng.nextDouble() * MAX_NOISE_SIGMA), rng);
	}

	/**
	 * Adds Gaussian noise of standard deviation {@code sigma} to every value, in place: a random walk through a fixed
	 * table of standard normal values (random start, random odd stride, so every entry comes once per 2^18 values,
	 * a whole 512 × 512 slice without a repeat). A {@code Random.nextGaussian} per pixel cost about 2 ms of a 15 ms
	 * C1 step (bench train) and took that CPU time from TensorFlow on a 2-core machine.
	 */
	static void addNoise(float[] x, float sigma, Random rng) {
		int at = rng.nextInt(NORMAL.length), stride = 2 * rng.nextInt(NORMAL.length / 2) + 1, mask = NORMAL.length - 1;
		for (int i = 0; i < x.length; i++, at = (at + stride) & mask) x[i] += NORMAL[at] * sigma;
	}

	/** 2^18 standard normal values, the same in every run (fixed seed), for {@link #intensity}'s noise. */
	private static final float[] NORMAL = new float[1 << 18];

	static {
		Random r = new Random(0x4E4F495345L);
		for (int i = 0; i < NORMAL.length; i++) NORMAL[i] = (float) r.nextGaussian();
	}

	/**
	 * Applies {@code t} to each of {@code slices} consecutive {@code w × h} slices. Output pixel centres (u, v),
	 * relative to the image centre, map to input (x, y) = F(Q⁻¹(R(−θ)(u, v) / s)), where F mirrors and Q turns
	 * by quarter turns; {@code binary} thresholds the interpolated value at 0.5.
	 */
	static float[] transform(float[] a, int w, int h, int slices, Transform t, boolean binary) {
		float[] out = new float[a.length];
		double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
		// StrictMath: Math.sin/cos may differ in the last bit between interpreted and JIT-compiled code, which
		// would make seeded training irreproducible
		double cos = StrictMath.cos(-t.radians()) / t.scale(), sin = StrictMath.sin(-t.radians()) / t.scale();
		int n = w * h;
		for (int v = 0; v < h; v++) {
			for (int u = 0; u < w; u++) {
				double du = u - cx, dv = v - cy;
				double ru = cos * du - sin * dv, rv = sin * du + cos * dv;
				// undo the quarter turns: a turn maps (x, y) → (−y, x) about the centre
				for (int k = 0; k < t.quarterTurns(); k++) {
					double tmp = ru;
					ru = rv;
					rv = -tmp;
				}
				double sx = cx + (t.flipX() ? -ru : ru), sy = cy + (t.flipY() ? -rv : rv);
				int o = v * w + u;
				if (t.exact()) {
					int ix = (int) Math.round(sx), iy = (int) Math.round(sy);
					if (ix < 0 || iy < 0 || ix >= w || iy >= h) continue;
					for (int z = 0; z < slices; z++) out[z * n + o] = a[z * n + iy * w + ix];
				} else {
					bilinear(a, w, h, slices, sx, sy, out, o, binary);
				}
			}
		}
		return out;
	}

	private static void bilinear(float[] a, int w, int h, int slices, double sx, double sy, float[] out, int o,
		boolean binary) {
		if (sx <= -1 || sy <= -1 || sx >= w || sy >= h) return;
		int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
		double fx = sx - x0, fy = sy - y0;
		int n = w * h;
		for (int z = 0; z < slices; z++) {
			int base = z * n;
			double v = (1 - fx) * (1 - fy) * at(a, w, h, base, x0, y0) + fx * (1 - fy) * at(a, w, h, base, x0 + 1, y0)
				+ (1 - fx) * fy * at(a, w, h, base, x0, y0 + 1) + fx * fy * at(a, w, h, base, x0 + 1, y0 + 1);
			out[base + o] = binary ? (v >= 0.5 ? 1f : 0f) : (float) v;
		}
	}

	private static float at(float[] a, int w, int h, int base, int x, int y) {
		return x < 0 || y < 0 || x >= w || y >= h ? 0f : a[base + y * w + x];
	}
}
