package org.medcnn.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

class SegmentationMetricsTest {

	private static final double EPS = 1e-9;

	/** A mask with the box [x0, x0 + sx) × [y0, y0 + sy) × [z0, z0 + sz) set. */
	private static Mask box(Geometry g, int x0, int y0, int z0, int sx, int sy, int sz) {
		Mask m = Mask.empty(g);
		for (int z = z0; z < z0 + sz; z++)
			for (int y = y0; y < y0 + sy; y++)
				for (int x = x0; x < x0 + sx; x++) m.labels()[g.index(x, y, z)] = 1;
		return m;
	}

	private static Mask union(Mask a, Mask b) {
		byte[] l = a.labels().clone();
		for (int i = 0; i < l.length; i++) if (b.labels()[i] != 0) l[i] = 1;
		return new Mask(a.geometry(), l);
	}

	@Test
	void overlapOfTwoShiftedCubes() {
		// 4×4×4 cubes shifted by 2 along x: overlap 2×4×4 = 32 voxels of 64 each.
		Geometry g = Geometry.axial(12, 8, 8, 0.5, 0.7, 2.0);
		SegmentationMetrics.Result r = SegmentationMetrics.compare(box(g, 2, 2, 2, 4, 4, 4), box(g, 4, 2, 2, 4, 4, 4));
		assertEquals(2.0 * 32 / 128, r.dice(), EPS);
		assertEquals(32.0 / 96, r.iou(), EPS);
		assertEquals(64 * 0.5 * 0.7 * 2.0 / 1000, r.predictedMl(), EPS);
		assertEquals(0, r.volumeErrorMl(), EPS);
		assertEquals(0, r.relativeVolumeError(), EPS);
		assertEquals(1, r.lesionSensitivity(), EPS);
		assertEquals(1, r.lesionPrecision(), EPS);
	}

	@Test
	void hd95OfTwoCubesOffsetAlongZUsesSliceSpacing() {
		// 2×2×2 cubes (every voxel is surface) offset by 2 slices of 3 mm: half of the distances are 6 mm (the
		// far layer), half 3 mm, in both directions; the 95th percentile is 6 mm.
		Geometry g = Geometry.axial(6, 6, 8, 0.8, 0.8, 3.0);
		assertEquals(6.0, SegmentationMetrics.compare(box(g, 2, 2, 1, 2, 2, 2), box(g, 2, 2, 3, 2, 2, 2)).hd95Mm(), EPS);
		// The same offset along x, where the spacing is 0.8 mm: 1.6 mm.
		assertEquals(1.6, SegmentationMetrics.compare(box(g, 1, 2, 2, 2, 2, 2), box(g, 3, 2, 2, 2, 2, 2)).hd95Mm(), EPS);
	}

	@Test
	void hd95OfSingleVoxelsIsTheirDistance() {
		Geometry g = Geometry.axial(10, 10, 10, 0.5, 1.5, 2.5);
		double expected = Math.sqrt(Math.pow(3 * 0.5, 2) + Math.pow(2 * 1.5, 2) + Math.pow(4 * 2.5, 2));
		assertEquals(expected, SegmentationMetrics.compare(box(g, 1, 2, 1, 1, 1, 1), box(g, 4, 4, 5, 1, 1, 1)).hd95Mm(), 1e-9);
	}

	@Test
	void hd95MatchesBruteForceOnRandomBlobsWithAnisotropicSpacing() {
		Geometry g = Geometry.axial(14, 11, 9, 0.6, 1.1, 2.7);
		Random rng = new Random(7);
		for (int trial = 0; trial < 5; trial++) {
			Mask a = Mask.empty(g), b = Mask.empty(g);
			for (int k = 0; k < 4; k++) {
				a = union(a, box(g, rng.nextInt(10), rng.nextInt(8), rng.nextInt(6), 1 + rng.nextInt(4), 1 + rng.nextInt(3), 1 + rng.nextInt(3)));
				b = union(b, box(g, rng.nextInt(10), rng.nextInt(8), rng.nextInt(6), 1 + rng.nextInt(4), 1 + rng.nextInt(3), 1 + rng.nextInt(3)));
			}
			assertEquals(bruteHd95(a, b), SegmentationMetrics.hd95(a, b), 1e-9, "trial " + trial);
		}
	}

	private static double bruteHd95(Mask a, Mask b) {
		boolean[] sa = SegmentationMetrics.surface(a), sb = SegmentationMetrics.surface(b);
		double[] ab = directed(a.geometry(), sa, sb), ba = directed(a.geometry(), sb, sa);
		double[] all = new double[ab.length + ba.length];
		System.arraycopy(ab, 0, all, 0, ab.length);
		System.arraycopy(ba, 0, all, ab.length, ba.length);
		return SegmentationMetrics.percentile(all, 95);
	}

	private static double[] directed(Geometry g, boolean[] from, boolean[] to) {
		double[] sp = g.spacingMm();
		int nx = g.nx(), n = g.sliceSize();
		java.util.List<Double> out = new java.util.ArrayList<>();
		for (int i = 0; i < from.length; i++) {
			if (!from[i]) continue;
			double best = Double.POSITIVE_INFINITY;
			for (int j = 0; j < to.length; j++) {
				if (!to[j]) continue;
				double dx = (i % nx - j % nx) * sp[0], dy = ((i % n) / nx - (j % n) / nx) * sp[1], dz = (i / n - j / n) * sp[2];
				best = Math.min(best, Math.sqrt(dx * dx + dy * dy + dz * dz));
			}
			out.add(best);
		}
		return out.stream().mapToDouble(Double::doubleValue).toArray();
	}

	@Test
	void percentileIsNearestRank() {
		double[] v = new double[20];
		for (int i = 0; i < 20; i++) v[i] = i + 1;
		assertEquals(19, SegmentationMetrics.percentile(v, 95), EPS); // ceil(0.95 × 20) = 19th value
		assertEquals(1, SegmentationMetrics.percentile(new double[] {1}, 95), EPS);
	}

	@Test
	void emptyCases() {
		Geometry g = Geometry.axial(5, 5, 5, 1, 1, 1);
		SegmentationMetrics.Result both = SegmentationMetrics.compare(Mask.empty(g), Mask.empty(g));
		assertEquals(1, both.dice(), EPS);
		assertEquals(1, both.iou(), EPS);
		assertEquals(0, both.hd95Mm(), EPS);
		assertTrue(Double.isNaN(both.lesionSensitivity()));
		assertTrue(Double.isNaN(both.relativeVolumeError()));
		SegmentationMetrics.Result missed = SegmentationMetrics.compare(Mask.empty(g), box(g, 1, 1, 1, 2, 2, 2));
		assertEquals(0, missed.dice(), EPS);
		assertTrue(Double.isNaN(missed.hd95Mm()));
		assertEquals(0, missed.lesionSensitivity(), EPS);
		assertEquals(-1, missed.relativeVolumeError(), EPS);
	}

	@Test
	void lesionWiseCountsAndSummary() {
		Geometry g = Geometry.axial(20, 20, 4, 1, 1, 1);
		// Reference: three separate lesions; prediction hits two of them and adds one false lesion.
		Mask ref = union(union(box(g, 1, 1, 1, 2, 2, 2), box(g, 8, 8, 1, 2, 2, 2)), box(g, 15, 15, 1, 2, 2, 2));
		Mask pred = union(union(box(g, 1, 1, 1, 1, 1, 1), box(g, 9, 9, 2, 2, 2, 2)), box(g, 1, 15, 1, 2, 2, 1));
		SegmentationMetrics.Result r = SegmentationMetrics.compare(pred, ref);
		assertEquals(3, r.referenceLesions());
		assertEquals(2, r.detectedLesions());
		assertEquals(3, r.predictedLesions());
		assertEquals(2, r.truePredictedLesions());
		assertEquals(2.0 / 3, r.lesionSensitivity(), EPS);
		assertEquals(2.0 / 3, r.lesionPrecision(), EPS);
		Map<String, Object> s = SegmentationMetrics.summarise(List.of(r, SegmentationMetrics.compare(ref, ref)));
		assertEquals(5.0 / 6, (Double) s.get("lesionSensitivity"), EPS);
		assertEquals((r.dice() + 1) / 2, (Double) s.get("meanDice"), EPS);
	}

	@Test
	void refusesMasksOnDifferentGrids() {
		assertThrows(IllegalArgumentException.class, () -> SegmentationMetrics.compare(
			Mask.empty(Geometry.axial(4, 4, 4, 1, 1, 1)), Mask.empty(Geometry.axial(4, 4, 5, 1, 1, 1))));
	}
}
