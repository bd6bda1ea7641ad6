package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentationsTest {

	private static float[] ramp(int w, int h, int slices) {
		float[] a = new float[w * h * slices];
		for (int i = 0; i < a.length; i++) a[i] = i * 0.01f;
		return a;
	}

	@Test
	void flipOnlyTransformEqualsTheExactFlip() {
		int w = 7, h = 5;
		float[] a = ramp(w, h, 1);
		for (boolean fx : new boolean[] {false, true})
			for (boolean fy : new boolean[] {false, true})
				assertArrayEquals(Trainer.flip(a, w, h, fx, fy),
					Augmentations.transform(a, w, h, 1, new Augmentations.Transform(fx, fy, 0, 0, 1), false), fx + "," + fy);
	}

	@Test
	void quarterTurnMovesPixelsAsARotationAndFourTurnsAreTheIdentity() {
		int n = 6;
		float[] a = ramp(n, n, 1);
		float[] once = Augmentations.transform(a, n, n, 1, new Augmentations.Transform(false, false, 1, 0, 1), false);
		// a quarter turn maps input (x, y) to output (n-1-y, x) about the centre: output (u, v) reads input (v, n-1-u)
		for (int v = 0; v < n; v++)
			for (int u = 0; u < n; u++) assertEquals(a[(n - 1 - u) * n + v], once[v * n + u], 0f, u + "," + v);
		float[] x = a;
		for (int k = 0; k < 4; k++) x = Augmentations.transform(x, n, n, 1, new Augmentations.Transform(false, false, 1, 0, 1), false);
		assertArrayEquals(a, x);
		float[] twice = Augmentations.transform(a, n, n, 1, new Augmentations.Transform(false, false, 2, 0, 1), false);
		assertArrayEquals(Trainer.flip(a, n, n, true, true), twice, "two quarter turns = a half turn = both flips");
	}

	@Test
	void smallRotationKeepsADiscMaskBinaryAndItsAreaAndRotatesTheImage() {
		int n = 64;
		float[] disc = new float[n * n];
		for (int y = 0; y < n; y++)
			for (int x = 0; x < n; x++) if (Math.hypot(x - 40, y - 31.5) <= 10) disc[y * n + x] = 1;
		Augmentations.Transform t = new Augmentations.Transform(false, false, 0, Math.toRadians(90), 1);
		float[] rotated = Augmentations.transform(disc, n, n, 1, t, true);
		double area0 = 0, area1 = 0, cx = 0, cy = 0;
		for (int i = 0; i < disc.length; i++) {
			assertTrue(rotated[i] == 0 || rotated[i] == 1, "binary target stays binary");
			area0 += disc[i];
			area1 += rotated[i];
			cx += rotated[i] * (i % n);
			cy += rotated[i] * (i / n);
		}
		assertEquals(area0, area1, area0 * 0.05);
		// +90° about the centre (31.5, 31.5) in image coordinates (y down) takes (40, 31.5) to (31.5, 40)
		assertEquals(31.5, cx / area1, 0.6);
		assertEquals(40, cy / area1, 0.6);
		// scaling by 1.1 grows the area by 1.21
		float[] scaled = Augmentations.transform(disc, n, n, 1, new Augmentations.Transform(false, false, 0, 0, 1.1), true);
		double area2 = 0;
		for (float f : scaled) area2 += f;
		assertEquals(area0 * 1.21, area2, area0 * 0.06);
	}

	@Test
	void everySliceOfA3dPatchGetsTheSameTransformAndTheTargetFollowsTheImage() {
		int w = 16, h = 16, d = 3;
		float[] x = new float[w * h * d], y = new float[w * h * d];
		Random r = new Random(3);
		for (int z = 0; z < d; z++)
			for (int i = 0; i < w * h; i++) {
				float v = r.nextFloat();
				x[z * w * h + i] = v; // identical slices
				y[z * w * h + i] = v > 0.5f ? 1 : 0;
			}
		for (int z = 1; z < d; z++) System.arraycopy(x, 0, x, z * w * h, w * h);
		for (int z = 1; z < d; z++) System.arraycopy(y, 0, y, z * w * h, w * h);
		for (long seed = 0; seed < 20; seed++) {
			Trainer.Sample out = Augmentations.STANDARD.augment(new Trainer.Sample(x.clone(), y.clone(), w, h, d), new Random(seed));
			for (int z = 1; z < d; z++)
				for (int i = 0; i < w * h; i++)
					assertEquals(out.y()[i], out.y()[z * w * h + i], 0f, "target slice " + z + " differs, seed " + seed);
		}
	}

	@Test
	void classificationTargetsAreKeptAndTheSameSeedGivesTheSameSample() {
		int n = 12;
		float[] x = ramp(n, n, 1), y = {0, 1, 0};
		Trainer.Sample s = new Trainer.Sample(x, y, n, n);
		Trainer.Sample a = Augmentations.STANDARD.augment(s, new Random(5)), b = Augmentations.STANDARD.augment(s, new Random(5));
		assertSame(y, a.y());
		assertArrayEquals(a.x(), b.x());
		boolean differs = false;
		for (long seed = 0; seed < 10 && !differs; seed++)
			differs = !java.util.Arrays.equals(x, Augmentations.STANDARD.augment(s, new Random(seed)).x());
		assertTrue(differs, "augmentation changes the image");
		assertArrayEquals(ramp(n, n, 1), x, "the input sample is not changed in place");
	}

	@Test
	void intensityChangesStayWithinTheirBounds() {
		float[] x = new float[10_000];
		java.util.Arrays.fill(x, 0.5f);
		int changed = 0;
		Random seeds = new Random(11); // the trainer seeds each batch with a long drawn like this
		for (int k = 0; k < 50; k++) {
			float[] c = x.clone();
			Augmentations.intensity(c, new Random(seeds.nextLong()));
			double mean = 0;
			for (float f : c) mean += f;
			mean /= c.length;
			assertTrue(Math.abs(mean - 0.5) <= 0.5 * Augmentations.INTENSITY_SCALE + Augmentations.INTENSITY_SHIFT + 0.003,
				"mean " + mean);
			boolean any = false;
			for (float f : c) any |= f != 0.5f;
			if (any) changed++;
		}
		// scale/shift and noise each with probability 1/2: three samples in four change
		assertTrue(changed >= 28 && changed <= 47, "about 3/4 of the samples change: " + changed);
	}

	@Test
	void noiseIsGaussianWithTheRequestedSigmaAndUncorrelated() {
		int w = 512;
		float[] x = new float[w * w];
		Augmentations.addNoise(x, 0.02f, new Random(5));
		double m = 0, m2 = 0, m4 = 0, lag1 = 0, lagRow = 0;
		for (float f : x) m += f;
		m /= x.length;
		for (int i = 0; i < x.length; i++) {
			double d = x[i] - m;
			m2 += d * d;
			m4 += d * d * d * d;
			if (i + 1 < x.length) lag1 += d * (x[i + 1] - m);
			if (i + w < x.length) lagRow += d * (x[i + w] - m);
		}
		double var = m2 / x.length;
		assertEquals(0, m, 0.0005, "mean");
		assertEquals(0.02, Math.sqrt(var), 0.0005, "standard deviation");
		assertEquals(3, m4 / x.length / (var * var), 0.1, "kurtosis of a normal distribution");
		assertEquals(0, lag1 / m2, 0.01, "neighbours are uncorrelated");
		assertEquals(0, lagRow / m2, 0.01, "rows are uncorrelated");
		float[] other = new float[x.length];
		Augmentations.addNoise(other, 0.02f, new Random(6));
		double cross = 0;
		for (int i = 0; i < x.length; i++) cross += (x[i] - m) * other[i];
		assertEquals(0, cross / m2, 0.01, "two samples get different noise");
	}

	@Test
	void flipsKeepAClassificationTarget() {
		float[] x = ramp(8, 8, 1), y = {1, 0};
		for (long seed = 0; seed < 8; seed++) {
			Trainer.Sample out = Trainer.FLIPS.augment(new Trainer.Sample(x, y, 8, 8), new Random(seed * 7919));
			assertSame(y, out.y());
			assertEquals(x.length, out.x().length);
		}
	}

	@Test
	void keywordsChooseTheAugmenter() {
		assertSame(Trainer.FLIPS, Augmentations.of("auto", true));
		assertSame(Augmentations.STANDARD, Augmentations.of("auto", false));
		assertSame(Augmentations.STANDARD, Augmentations.of("standard", false));
		assertSame(Trainer.NONE, Augmentations.of("none", true));
		assertNotEquals("none", Augmentations.describe("standard", true));
		assertThrows(IllegalArgumentException.class, () -> Augmentations.of("mixup", true));
	}
}
