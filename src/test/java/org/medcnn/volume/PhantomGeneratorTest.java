package org.medcnn.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class PhantomGeneratorTest {

	@Test
	void testSameSeedSameCaseOtherSeedOtherCase() {
		PhantomCase a = PhantomGenerator.generate(7), b = PhantomGenerator.generate(7), c = PhantomGenerator.generate(8);
		assertEquals(a.volume(), b.volume());
		assertEquals(a.mask(), b.mask());
		assertEquals(a.riskLevel(), b.riskLevel());
		assertNotEquals(a.volume(), c.volume());
	}

	@Test
	void testGridAndRealisticHu() {
		PhantomCase pc = PhantomGenerator.generate(3);
		Geometry g = pc.volume().geometry();
		assertEquals(128, g.nx());
		assertEquals(128, g.ny());
		assertEquals(16, g.nz());
		assertArrayEquals(new double[] {2.5, 2.5, 5}, g.spacingMm(), 0);
		assertArrayEquals(Geometry.AXIAL, g.direction(), 0);
		assertArrayEquals(new double[] {-158.75, -158.75, -37.5}, g.originMm(), 0);
		assertEquals("CT", pc.volume().modality());
		for (float v : pc.volume().voxels()) {
			assertEquals(Math.rint(v), v, 0, "integral HU");
			assertTrue(v >= -1024 && v <= 3071, "HU in range: " + v);
		}
		// Air in a corner, bone at the vertebral body (posterior midline), soft tissue around the lesions.
		assertEquals(-1000, mean(pc.volume(), 0, 10, 0, 10, 8), 15);
		double[] c = pc.lesions().get(0).centreVoxel();
		int z = (int) c[2];
		double vertebra = Math.max(mean(pc.volume(), 62, 66, 100, 104, z), mean(pc.volume(), 62, 66, 96, 100, z));
		assertTrue(vertebra > 300, "vertebral body " + vertebra);
	}

	@Test
	void testRiskLevelFollowsTheDocumentedRule() {
		for (String level : PhantomGenerator.RISK_LEVELS)
			for (long seed = 1; seed <= 4; seed++) {
				PhantomCase pc = PhantomGenerator.generate(seed, PhantomConfig.DEFAULT.withRiskLevel(level));
				assertEquals(level, pc.riskLevel(), "seed " + seed);
				assertEquals(level, PhantomGenerator.riskLevel(pc.mask()), "rule recomputed from the mask");
				double d = pc.lesions().get(0).measuredDiameterMm();
				assertTrue(Math.abs(d - PhantomGenerator.INTERMEDIATE_FROM_MM) >= 2 && Math.abs(d - PhantomGenerator.HIGH_ABOVE_MM) >= 2,
					"clear of the thresholds: " + d);
				for (PhantomLesion l : pc.lesions().subList(1, pc.lesions().size()))
					assertTrue(l.measuredDiameterMm() < d, "lesion 1 is the largest");
			}
		assertEquals(PhantomGenerator.LOW, PhantomGenerator.riskLevel(24.99));
		assertEquals(PhantomGenerator.INTERMEDIATE, PhantomGenerator.riskLevel(25));
		assertEquals(PhantomGenerator.INTERMEDIATE, PhantomGenerator.riskLevel(40));
		assertEquals(PhantomGenerator.HIGH, PhantomGenerator.riskLevel(40.01));
	}

	@Test
	void testLesionsAreSeparateLabelledComponentsInsideTheBody() {
		for (long seed = 10; seed < 16; seed++) {
			PhantomCase pc = PhantomGenerator.generate(seed);
			int n = pc.lesions().size();
			assertTrue(n >= 1 && n <= 3, "lesion count " + n);
			List<Lesion> found = Lesions.measure(pc.mask(), pc.volume());
			assertEquals(n, found.size(), "one 26-connected component per lesion");
			for (PhantomLesion l : pc.lesions()) {
				int count = 0;
				for (byte b : pc.mask().labels()) if (b == l.label()) count++;
				assertEquals(l.voxelCount(), count, "label " + l.label());
				assertTrue(l.nominalDiameterMm() >= 12 && l.nominalDiameterMm() <= 54, "nominal diameter");
				assertTrue(l.contrastHu() <= -35 && l.contrastHu() >= -70, "hypodense contrast " + l.contrastHu());
				int[] v = {(int) l.centreVoxel()[0], (int) l.centreVoxel()[1], (int) l.centreVoxel()[2]};
				assertEquals(l.label(), pc.mask().get(v[0], v[1], v[2]), "centre lies in its own lesion");
				assertArrayEquals(pc.volume().geometry().toPatient(l.centreVoxel()[0], l.centreVoxel()[1],
					l.centreVoxel()[2]), l.centreMm(), 1e-9);
			}
			// The key slice holds lesion 1's largest cross-section.
			int key = pc.keySlice();
			for (int z = 0; z < 16; z++) assertTrue(area(pc.mask(), 1, z) <= area(pc.mask(), 1, key));
		}
	}

	@Test
	void testLesionContrastIsVisibleAgainstTheLiver() {
		// Lesions differ from the surrounding liver by about their design contrast.
		int checked = 0;
		for (long seed = 20; seed < 30 && checked < 4; seed++) {
			PhantomCase pc = PhantomGenerator.generate(seed, PhantomConfig.DEFAULT.withRiskLevel(PhantomGenerator.HIGH));
			PhantomLesion l = pc.lesions().get(0);
			Lesion m = Lesions.measure(pc.mask(), pc.volume()).stream().filter(x -> x.voxelCount() == l.voxelCount())
				.findFirst().orElseThrow();
			double ring = ringMean(pc, l);
			if (Double.isNaN(ring)) continue;
			assertEquals(l.contrastHu(), m.meanHu() - ring, 20, "seed " + seed);
			checked++;
		}
		assertTrue(checked > 0);
	}

	@Test
	void testConfigValidationAndSmallGrid() {
		assertThrows(IllegalArgumentException.class, () -> PhantomConfig.DEFAULT.withRiskLevel("medium"));
		assertThrows(IllegalArgumentException.class, () -> new PhantomConfig(16, 128, 16, 2.5, 5, 12, 1, 3, null));
		assertThrows(IllegalArgumentException.class, () -> new PhantomConfig(128, 128, 16, 2.5, 5, 12, 3, 2, null));
		PhantomCase pc = PhantomGenerator.generate(5, new PhantomConfig(96, 96, 12, 3.5, 5, 0, 1, 1, "low"));
		assertEquals(1, pc.lesions().size());
		assertEquals("low", pc.riskLevel());
		assertFalse(pc.mask().foregroundCount() == 0);
	}

	private static double mean(Volume v, int x0, int x1, int y0, int y1, int z) {
		double s = 0;
		int n = 0;
		for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++, n++) s += v.get(x, y, z);
		return s / n;
	}

	private static int area(Mask m, int label, int z) {
		int a = 0;
		for (int y = 0; y < m.geometry().ny(); y++)
			for (int x = 0; x < m.geometry().nx(); x++) if (m.get(x, y, z) == label) a++;
		return a;
	}

	/** Mean HU of the key slice's pixels 2–3 pixels outside lesion 1 that are liver-like (0…120 HU), or NaN. */
	private static double ringMean(PhantomCase pc, PhantomLesion l) {
		Mask m = pc.mask();
		int z = (int) l.centreVoxel()[2];
		double s = 0;
		int n = 0;
		for (int y = 3; y < 125; y++)
			for (int x = 3; x < 125; x++) {
				if (m.get(x, y, z) != 0) continue;
				boolean near = false, adjacent = false;
				for (int dy = -3; dy <= 3; dy++)
					for (int dx = -3; dx <= 3; dx++) {
						if (m.get(x + dx, y + dy, z) != l.label()) continue;
						if (Math.abs(dx) <= 1 && Math.abs(dy) <= 1) adjacent = true;
						else near = true;
					}
				float v = pc.volume().get(x, y, z);
				if (near && !adjacent && v > 0 && v < 120) {
					s += v;
					n++;
				}
			}
		return n < 10 ? Double.NaN : s / n;
	}
}
