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
			case "mild" -> MILD;
			case "auto" -> segmenter ? Trainer.FLIPS : STANDARD;
			default -> throw new IllegalArgumentException("augment = '" + keyword + "' is not supported");
		};
	}

	/** The words the model card records for an augmentation keyword. */
	static String describe(String keyword, boolean segmenter) {
		Trainer.Augmenter a = of(keyword, segmenter);
		if (a == Trainer.FLIPS) return "random left-right and up-down flips";
		if (a == MILD)
			return "random left-right flips, rotations up to ±" + (int) MILD_ROTATION_DEGREES + "°, scaling " + MILD_MIN_SCALE + "…"
				+ MILD_MAX_SCALE + ", intensity scale ±" + (int) (INTENSITY_SCALE * 100) + " % and shift ±" + INTENSITY_SHIFT
				+ ", Gaussian noise σ ≤ " + MAX_NOISE_SIGMA + " (normalised units); no up-down flips or quarter turns";
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

	/** Largest rotation, and the scaling range, of {@link #MILD}. */
	static final double MILD_ROTATION_DEGREES = 10, MILD_MIN_SCALE = 0.9, MILD_MAX_SCALE = 1.1;

	/** Flips, quarter turns (square images only), small rotations, scaling, intensity changes and noise. */
	static final Trainer.Augmenter STANDARD = (s, rng) -> augment(s, drawTransform(rng, s.w() == s.h()), rng);

	/**
	 * For images with an up and a down (photographs, scanned objects, anything that is not a medical slice): left-right
	 * flips, rotations up to ±{@value #MILD_ROTATION_DEGREES}° and scaling, intensity changes and noise, but no up-down
	 * flips or quarter turns.
	 */
	static final Trainer.Augmenter MILD = (s, rng) -> {
		boolean fx = rng.nextBoolean();
		double radians = rng.nextBoolean() ? Math.toRadians((rng.nextDouble() * 2 - 1) * MILD_ROTATION_DEGREES) : 0;
		double scale = rng.nextBoolean() ? MILD_MIN_SCALE + rng.nextDouble() * (MILD_MAX_SCALE - MILD_MIN_SCALE) : 1;
		return augment(s, new Transform(fx, false, 0, radians, scale), rng);
	};

	/** Applies the geometric transform to input and (segmentation) target, then the intensity changes to the input. */
	private static Trainer.Sample augment(Trainer.Sample s, Transform t, Random rng) {
		int slices = Math.max(1, s.d());
		boolean segmentation = s.y().length * s.c() == s.x().length;
		Sampling sampling = Sampling.of(s.w(), s.h(), t);
		float[] x = sampling.apply(s.x(), slices * s.c(), false);
		float[] y = segmentation ? sampling.apply(s.y(), slices, true) : s.y();
		intensity(x, rng);
		return new Trainer.Sample(x, y, s.w(), s.h(), s.d(), s.c());
	}

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
	 * by quarter turns; {@code binary} thresholds the interpolated value at 0.5. Where each output pixel samples the
	 * input is worked out once per transform ({@link Sampling}) and then used for every slice and channel.
	 */
	static float[] transform(float[] a, int w, int h, int slices, Transform t, boolean binary) {
		return Sampling.of(w, h, t).apply(a, slices, binary);
	}

	/**
	 * Per output pixel of one transform: the input pixel it copies (exact transforms: flips and quarter turns), or the
	 * top-left input pixel and the weights of bilinear interpolation, or nothing (outside the input: 0).
	 */
	static final class Sampling {
		private static final byte OUTSIDE = 0, COPY = 1, INTERIOR = 2, EDGE = 3;
		private final int w, h;
		private final byte[] kind;
		private final int[] x0, y0;
		private final float[] fx, fy;

		private Sampling(int w, int h) {
			this.w = w;
			this.h = h;
			int n = w * h;
			kind = new byte[n];
			x0 = new int[n];
			y0 = new int[n];
			fx = new float[n];
			fy = new float[n];
		}

		/**
		 * The thread's last sampling object, reused when the size matches: {@link #of} overwrites every entry, and a
		 * sampling is used right after it is made, in the same thread (the batch preparation thread), so reusing its
		 * arrays saves allocating and zeroing them for every sample.
		 */
		private static final ThreadLocal<Sampling> LAST = new ThreadLocal<>();

		static Sampling of(int w, int h, Transform t) {
			Sampling p = LAST.get();
			if (p == null || p.w != w || p.h != h) {
				p = new Sampling(w, h);
				LAST.set(p);
			}
			double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
			// StrictMath: Math.sin/cos may differ in the last bit between interpreted and JIT-compiled code, which
			// would make seeded training irreproducible
			double cos = StrictMath.cos(-t.radians()) / t.scale(), sin = StrictMath.sin(-t.radians()) / t.scale();
			boolean exact = t.exact();
			// The map is affine: (sx, sy) = (cx, cy) + L (u − cx, v − cy); L's columns are the images of the unit
			// vectors under rotation and scaling, the undone quarter turns and the mirroring.
			double[] e1 = linear(1, 0, cos, sin, t), e2 = linear(0, 1, cos, sin, t);
			for (int v = 0, o = 0; v < h; v++) {
				double dv = v - cy;
				for (int u = 0; u < w; u++, o++) {
					double du = u - cx;
					double sx = cx + e1[0] * du + e2[0] * dv, sy = cy + e1[1] * du + e2[1] * dv;
					p.kind[o] = OUTSIDE;
					if (exact) {
						int ix = (int) Math.round(sx), iy = (int) Math.round(sy);
						if (ix < 0 || iy < 0 || ix >= w || iy >= h) continue;
						p.kind[o] = COPY;
						p.x0[o] = ix;
						p.y0[o] = iy;
						continue;
					}
					if (sx <= -1 || sy <= -1 || sx >= w || sy >= h) continue;
					// floor without the call: sx > −1 here, and (int) truncates towards zero
					int ix = sx >= 0 ? (int) sx : -1, iy = sy >= 0 ? (int) sy : -1;
					p.x0[o] = ix;
					p.y0[o] = iy;
					p.fx[o] = (float) (sx - ix);
					p.fy[o] = (float) (sy - iy);
					p.kind[o] = ix >= 0 && iy >= 0 && ix + 1 < w && iy + 1 < h ? INTERIOR : EDGE;
				}
			}
			return p;
		}

		/** The linear part of the map applied to (du, dv): R(−θ)/s, then the quarter turns undone, then the flips. */
		private static double[] linear(double du, double dv, double cos, double sin, Transform t) {
			double ru = cos * du - sin * dv, rv = sin * du + cos * dv;
			// undo the quarter turns: a turn maps (x, y) → (−y, x) about the centre
			for (int k = 0; k < t.quarterTurns(); k++) {
				double tmp = ru;
				ru = rv;
				rv = -tmp;
			}
			return new double[] {t.flipX() ? -ru : ru, t.flipY() ? -rv : rv};
		}

		float[] apply(float[] a, int slices, boolean binary) {
			int n = w * h;
			float[] out = new float[a.length];
			for (int z = 0; z < slices; z++) {
				int base = z * n;
				for (int o = 0; o < n; o++) {
					byte k = kind[o];
					if (k == OUTSIDE) continue;
					if (k == COPY) {
						out[base + o] = a[base + y0[o] * w + x0[o]];
						continue;
					}
					int x = x0[o], y = y0[o];
					float gx = fx[o], gy = fy[o], v00, v10, v01, v11;
					if (k == INTERIOR) {
						int i = base + y * w + x;
						v00 = a[i];
						v10 = a[i + 1];
						v01 = a[i + w];
						v11 = a[i + w + 1];
					} else {
						v00 = at(a, base, x, y);
						v10 = at(a, base, x + 1, y);
						v01 = at(a, base, x, y + 1);
						v11 = at(a, base, x + 1, y + 1);
					}
					float v = (1 - gy) * ((1 - gx) * v00 + gx * v10) + gy * ((1 - gx) * v01 + gx * v11);
					out[base + o] = binary ? (v >= 0.5f ? 1f : 0f) : v;
				}
			}
			return out;
		}

		private float at(float[] a, int base, int x, int y) {
			return x < 0 || y < 0 || x >= w || y >= h ? 0f : a[base + y * w + x];
		}
	}
}
