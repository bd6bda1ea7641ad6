package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Intensities;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The normalisation schemes against hand-computed values, the per-image z-score's invariance to a global scale and
 * offset, and the window scheme's bit-for-bit agreement with the arithmetic of card format 1.
 */
class NormalisationTest {

	@Test
	void ctStatisticsAreThePercentilesAndTheMomentsOfTheClippedValues() {
		// 0…1000 step 1: p0.5 = 5, p99.5 = 995 (linear between ranks), clipped mean 500, clipped sd by hand
		float[] v = new float[1001];
		for (int i = 0; i < v.length; i++) v[i] = i;
		double[] st = Fingerprint.clipStatistics(v);
		assertEquals(5, st[0], 1e-9);
		assertEquals(995, st[1], 1e-9);
		assertEquals(500, st[2], 1e-9);
		double ss = 0;
		for (int i = 0; i <= 1000; i++) {
			double c = Math.min(995, Math.max(5, i)) - 500;
			ss += c * c;
		}
		assertEquals(Math.sqrt(ss / 1001), st[3], 1e-9);
	}

	@Test
	void ctClipMapsByTheFormula() {
		Normalisation.CtClip n = new Normalisation.CtClip(-100, 300, 50, 100);
		float[] out = n.apply(new float[] {-1000, -100, 50, 150, 300, 3000, Float.NaN}, "CT");
		assertArrayEquals(new float[] {-1.5f, -1.5f, 0, 1, 2.5f, 2.5f, 0}, out, 1e-6f);
	}

	@Test
	void zScoreUsesTheBodyVoxelsOnly() {
		// an MR-like image: half air (0 plus a little noise), half body at 100 and 300 in equal parts
		int n = 4000;
		float[] v = new float[n];
		Random r = new Random(1);
		for (int i = 0; i < n; i++) v[i] = i < n / 2 ? (float) Math.abs(r.nextGaussian() * 2) : i % 2 == 0 ? 100 : 300;
		Normalisation.IntensityMap m = new Normalisation.ZScore().forImage(v, "MR");
		// body: 100 and 300 equally often → mean 200, sd 100 (the air is left out)
		assertEquals(200, m.shift(), 1e-9);
		assertEquals(100, m.divisor(), 1e-9);
		assertEquals(1f, m.apply(new float[] {300})[0], 1e-6f);
		assertEquals(-1f, m.apply(new float[] {100})[0], 1e-6f);
	}

	@Test
	void ctBodyIsAboveMinus500Hu() {
		float[] v = {-1000, -1000, -600, -400, 0, 40, 1000, -1000};
		assertEquals(Intensities.CT_BODY_THRESHOLD_HU, Intensities.bodyThreshold(v, "CT"));
		assertArrayEquals(new float[] {-400, 0, 40, 1000}, Intensities.bodyValues(v, "CT", 100));
	}

	@Test
	void aConstantImageIsBodyEverywhere() {
		float[] constant = new float[100];
		java.util.Arrays.fill(constant, 7);
		Normalisation.IntensityMap m = new Normalisation.ZScore().forImage(constant, "MR");
		assertEquals(0f, m.apply(new float[] {7})[0], 0, "a constant image maps to 0, not NaN");
	}

	@Test
	void zScoredNetworkInputIgnoresAGlobalScaleAndOffset() {
		Volume mr = mrLike(new Random(7));
		float[] scaled = mr.voxels().clone();
		for (int i = 0; i < scaled.length; i++) scaled[i] = scaled[i] * 8 + 123.5f;
		Volume mr8 = new Volume(mr.geometry(), scaled, "MR");
		Preprocessing pre = new Preprocessing(new Normalisation.ZScore(), new double[] {1.3, 1.3, Double.NaN}, null);
		Preprocessing.Prepared a = pre.prepare(mr), b = pre.prepare(mr8);
		assertEquals(a.grid(), b.grid());
		float max = 0;
		for (int i = 0; i < a.values().length; i++) max = Math.max(max, Math.abs(a.values()[i] - b.values()[i]));
		assertTrue(max < 1e-5, "largest difference " + max);
		assertEquals(a.padValue(), b.padValue(), 1e-5);
	}

	@Test
	void windowKeepsTheArithmeticOfCardFormat1() {
		Random r = new Random(3);
		float[] v = new float[10000];
		for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 600 - 200);
		v[0] = Float.NaN;
		double c = 40, w = 400, lo = c - w / 2;
		float[] legacy = new float[v.length];
		for (int i = 0; i < v.length; i++) {
			double x = (v[i] - lo) / w;
			legacy[i] = x > 0 ? (x < 1 ? (float) x : 1f) : 0f;
		}
		assertArrayEquals(legacy, new Normalisation.Window(c, w).apply(v, "CT"));
		assertArrayEquals(legacy, Inputs.window(v, c, w));
	}

	@Test
	void cardRecordsRoundTripAndBadOnesAreRefused() {
		for (Normalisation n : List.of(new Normalisation.Window(40, 400), new Normalisation.CtClip(-900, 1200, 30, 250),
			new Normalisation.ZScore(), new Normalisation.Identity()))
			assertEquals(n, Normalisation.fromCard(n.cardRecord()));
		assertThrows(IllegalArgumentException.class, () -> Normalisation.fromCard(Map.of("scheme", "quantum")));
		assertThrows(IllegalArgumentException.class, () -> Normalisation.fromCard(Map.of("scheme", "window", "centerHu", 40,
			"widthHu", 0)));
		assertThrows(IllegalArgumentException.class, () -> Normalisation.fromCard(Map.of("scheme", "ct", "clipLowHu", 1,
			"clipHighHu", 0, "meanHu", 0, "stdHu", 1)));
	}

	@Test
	void preparedMaskAndImageShareTheNetworkGrid() {
		Volume mr = mrLike(new Random(2));
		byte[] l = new byte[mr.voxels().length];
		for (int i = 0; i < l.length; i += 7) l[i] = 1;
		Preprocessing pre = new Preprocessing(new Normalisation.ZScore(), new double[] {0.5, 0.5, Double.NaN}, null);
		Preprocessing.Prepared p = pre.prepare(mr);
		Mask m = pre.prepare(new Mask(mr.geometry(), l));
		assertEquals(p.grid(), m.geometry());
		assertEquals(2 * mr.geometry().nx(), p.grid().nx());
		assertEquals(mr.geometry().nz(), p.grid().nz(), "a NaN axis is not resampled");
	}

	/** A 40×36×5 head-like image at 1×1×3 mm: air around an ellipse of tissue at about 200, with texture and noise. */
	static Volume mrLike(Random r) {
		Geometry g = new Geometry(40, 36, 5, new double[] {1, 1, 3}, new double[] {-20, -18, 0}, Geometry.AXIAL);
		float[] v = new float[g.voxelCount()];
		for (int z = 0; z < g.nz(); z++)
			for (int y = 0; y < g.ny(); y++)
				for (int x = 0; x < g.nx(); x++) {
					double dx = (x - 19.5) / 15, dy = (y - 17.5) / 13;
					boolean body = dx * dx + dy * dy < 1;
					v[g.index(x, y, z)] = (float) Math.abs((body ? 200 + 40 * Math.sin(x / 3.0) : 0) + r.nextGaussian() * 5);
				}
		return new Volume(g, v, "MR");
	}
}
