package org.medcnn.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class LesionsTest {

	private static Mask box(Geometry g, int x0, int y0, int z0, int x1, int y1, int z1, int label, Mask into) {
		byte[] b = into == null ? new byte[g.voxelCount()] : into.labels().clone();
		for (int z = z0; z <= z1; z++)
			for (int y = y0; y <= y1; y++)
				for (int x = x0; x <= x1; x++) b[g.index(x, y, z)] = (byte) label;
		return new Mask(g, b);
	}

	@Test
	void testCube3x3x3() {
		// Spacing 1 × 1 × 2 mm, origin (10, 20, 30): a 3×3×3 cube at x, y, z = 2…4.
		Geometry g = new Geometry(8, 8, 8, new double[] {1, 1, 2}, new double[] {10, 20, 30}, Geometry.AXIAL);
		Mask m = box(g, 2, 2, 2, 4, 4, 4, 7, null);
		float[] hu = new float[g.voxelCount()];
		float[] p = new float[g.voxelCount()];
		for (int i = 0; i < hu.length; i++) {
			hu[i] = m.labels()[i] != 0 ? 50 : -1000;
			p[i] = m.labels()[i] != 0 ? 0.75f : 0.1f;
		}
		hu[g.index(3, 3, 3)] = 320; // mean = (26·50 + 320) / 27 = 60
		List<Lesion> l = Lesions.measure(m, new Volume(g, hu, "CT"), p, 0);
		assertEquals(1, l.size());
		Lesion c = l.get(0);
		assertEquals(1, c.id());
		assertEquals(27, c.voxelCount());
		assertEquals(27 * 2 / 1000.0, c.volumeMl(), 1e-12);
		assertEquals(60, c.meanHu(), 1e-9);
		assertEquals(320, c.maxHu(), 0);
		// Corner to corner of a 3×3 square of 1 mm pixels: 2·√2 mm between centres.
		assertEquals(2 * Math.sqrt(2), c.longestAxialDiameterMm(), 1e-12);
		assertEquals(2, c.firstSlice());
		assertEquals(4, c.lastSlice());
		assertEquals(2, c.keySlice(), "equal areas: the lowest slice");
		assertArrayEquals(new double[] {3, 3, 3}, c.centroidVoxel(), 1e-12);
		assertArrayEquals(new double[] {13, 23, 36}, c.centroidMm(), 1e-12);
		assertEquals(0.75, c.meanProbability(), 1e-7);
	}

	@Test
	void testTwoBlobsNumberedByDecreasingSize() {
		Geometry g = Geometry.axial(10, 10, 4, 1, 1, 1);
		Mask m = box(g, 0, 0, 0, 1, 1, 1, 1, null); // 8 voxels, found first in scan order
		m = box(g, 5, 5, 0, 7, 7, 2, 1, m); // 27 voxels
		m = box(g, 9, 0, 3, 9, 0, 3, 1, m); // 1 voxel
		List<Lesion> l = Lesions.measure(m, null);
		assertEquals(3, l.size());
		assertEquals(List.of(27, 8, 1), l.stream().map(Lesion::voxelCount).toList());
		assertEquals(List.of(1, 2, 3), l.stream().map(Lesion::id).toList());
		assertTrue(Double.isNaN(l.get(0).meanHu()) && Double.isNaN(l.get(0).meanProbability()));
		assertEquals(0, l.get(2).longestAxialDiameterMm(), "a single pixel has no extent");

		Mask labelled = Lesions.labelled(m, 0);
		assertEquals(1, labelled.get(6, 6, 1));
		assertEquals(2, labelled.get(0, 0, 0));
		assertEquals(3, labelled.get(9, 0, 3));
		assertEquals(0, labelled.get(4, 4, 0));

		assertEquals(2, Lesions.measure(m, null, null, 2).size(), "the single voxel is dropped");
		Mask cleaned = Lesions.removeSmall(m, 9);
		assertEquals(27, cleaned.foregroundCount());
		assertEquals(1, cleaned.get(5, 5, 0), "kept voxels keep their label");
	}

	@Test
	void testDiagonalNeighboursJoinUnder26Connectivity() {
		Geometry g = Geometry.axial(5, 5, 5, 1, 1, 1);
		byte[] b = new byte[g.voxelCount()];
		b[g.index(1, 1, 1)] = 1;
		b[g.index(2, 2, 2)] = 2; // corner contact only, and another label value
		b[g.index(3, 3, 2)] = 1; // in-plane diagonal contact
		List<Lesion> l = Lesions.measure(new Mask(g, b), null);
		assertEquals(1, l.size());
		assertEquals(3, l.get(0).voxelCount());
		assertEquals(Math.sqrt(2), l.get(0).longestAxialDiameterMm(), 1e-12);
		assertEquals(1, l.get(0).firstSlice());
		assertEquals(2, l.get(0).lastSlice());
		assertEquals(2, l.get(0).keySlice());

		b[g.index(2, 2, 2)] = 0; // now (1,1,1) and (3,3,2) are two voxels apart: separate
		assertEquals(2, Lesions.measure(new Mask(g, b), null).size());
	}

	@Test
	void testDiameterOfAKnownDisc() {
		// A disc of radius 10 pixels (0.5 mm) centred on a pixel: its extreme pixel centres are 20 pixels apart.
		Geometry g = new Geometry(41, 41, 3, new double[] {0.5, 0.5, 3}, new double[3], Geometry.AXIAL);
		byte[] b = new byte[g.voxelCount()];
		for (int y = 0; y < 41; y++)
			for (int x = 0; x < 41; x++)
				if ((x - 20) * (x - 20) + (y - 20) * (y - 20) <= 100) b[g.index(x, y, 1)] = 1;
		Lesion d = Lesions.measure(new Mask(g, b), null).get(0);
		assertEquals(10.0, d.longestAxialDiameterMm(), 1e-12);
		assertEquals(1, d.keySlice());
		assertArrayEquals(new double[] {20, 20, 1}, d.centroidVoxel(), 1e-12);
	}

	@Test
	void testDiameterMatchesBruteForceOnRandomBlobs() {
		Random r = new Random(42);
		Geometry g = new Geometry(24, 20, 3, new double[] {0.7, 1.3, 2}, new double[3], Geometry.AXIAL);
		for (int trial = 0; trial < 30; trial++) {
			byte[] b = new byte[g.voxelCount()];
			// Random pixels in a band, all joined by a full row so that each trial is one lesion.
			for (int i = 0; i < g.sliceSize(); i++) if (r.nextDouble() < 0.3) b[g.sliceSize() + i] = 1;
			for (int x = 0; x < 24; x++) for (int y = 0; y < 20; y++) if (y % 2 == 0) b[g.index(x, y, 1)] = 1;
			double expected = 0;
			for (int i = 0; i < g.sliceSize(); i++)
				for (int j = 0; j < g.sliceSize(); j++)
					if (b[g.sliceSize() + i] != 0 && b[g.sliceSize() + j] != 0) {
						double dx = (i % 24 - j % 24) * 0.7, dy = (i / 24 - j / 24) * 1.3;
						expected = Math.max(expected, Math.hypot(dx, dy));
					}
			List<Lesion> l = Lesions.measure(new Mask(g, b), null);
			assertEquals(1, l.size());
			assertEquals(expected, l.get(0).longestAxialDiameterMm(), 1e-9, "trial " + trial);
		}
	}

	@Test
	void testEmptyMaskAndBadArguments() {
		Geometry g = Geometry.axial(4, 4, 2, 1, 1, 1);
		assertTrue(Lesions.measure(Mask.empty(g), null).isEmpty());
		assertThrows(IllegalArgumentException.class, () -> Lesions.measure(Mask.empty(g), null, new float[3], 0));
		Volume other = new Volume(Geometry.axial(4, 4, 3, 1, 1, 1), new float[48], "CT");
		assertThrows(IllegalArgumentException.class, () -> Lesions.measure(Mask.empty(g), other));
		assertThrows(IllegalArgumentException.class, () -> Lesions.label(Mask.empty(g), -1));
	}

	@Test
	void testMoreThan255ComponentsCannotBeAMask() {
		Geometry g = Geometry.axial(40, 40, 1, 1, 1, 1);
		byte[] b = new byte[g.voxelCount()];
		for (int y = 0; y < 40; y += 2) for (int x = 0; x < 40; x += 2) b[g.index(x, y, 0)] = 1; // 400 dots
		assertEquals(400, java.util.Arrays.stream(Lesions.label(new Mask(g, b), 0)).max().orElse(0));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> Lesions.labelled(new Mask(g, b), 0));
		assertTrue(e.getMessage().contains("400"), e.getMessage());
	}
	/**
	 * The pipeline labels a mask once and reuses the labels (issue 15 item 5: three labellings of a full-resolution mask
	 * took minutes on 4096² slices): keep and measureLabels on one labelling give exactly what removeSmall and measure
	 * give on their own.
	 */
	@Test
	void oneLabellingGivesWhatRemoveSmallAndMeasureGive() {
		Geometry g = new Geometry(40, 30, 6, new double[] {0.7, 0.7, 2.5}, new double[] {-5, 3, 9}, Geometry.AXIAL);
		Random r = new Random(15);
		byte[] b = new byte[g.voxelCount()];
		for (int i = 0; i < b.length; i++) b[i] = (byte) (r.nextDouble() < 0.08 ? 1 : 0);
		for (int z = 1; z < 4; z++)
			for (int y = 5; y < 15; y++)
				for (int x = 10; x < 22; x++) b[g.index(x, y, z)] = 1;
		Mask m = new Mask(g, b);
		float[] hu = new float[b.length], p = new float[b.length];
		for (int i = 0; i < b.length; i++) {
			hu[i] = (float) (r.nextGaussian() * 40 + 50);
			p[i] = r.nextFloat();
		}
		Volume v = new Volume(g, hu, "CT");
		for (int min : new int[] {1, 3, 10}) {
			int[] labels = Lesions.label(m, min);
			Mask kept = Lesions.keep(m, labels);
			assertEquals(Lesions.removeSmall(m, min), kept, "min " + min);
			List<Lesion> a = Lesions.measure(kept, v, p, 1), c = Lesions.measureLabels(labels, g, v, p);
			assertEquals(a.size(), c.size(), "min " + min);
			assertTrue(a.size() > 1, "several lesions: " + a.size());
			for (int k = 0; k < a.size(); k++) {
				assertEquals(a.get(k).toString(), c.get(k).toString(), "min " + min);
				assertArrayEquals(a.get(k).centroidMm(), c.get(k).centroidMm());
				assertEquals(a.get(k).meanProbability(), c.get(k).meanProbability());
			}
			assertArrayEquals(Lesions.label(kept, 1), labels, "min " + min);
		}
	}
}
