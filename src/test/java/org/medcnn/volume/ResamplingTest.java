package org.medcnn.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.Preprocessing;

/**
 * Resampling keeps the field of view and the orientation, and resampling onto a finer grid and back restores a mask
 * exactly: the round trip a prediction makes when the model is the identity.
 */
class ResamplingTest {

	private static final double[] OBLIQUE = {0.8, 0.6, 0, -0.6, 0.8, 0, 0, 0, 1};

	@Test
	void theNewGridCoversTheSameFieldOfView() {
		Geometry g = new Geometry(100, 80, 20, new double[] {0.7, 0.7, 5}, new double[] {-30, 12, 40}, OBLIQUE);
		Geometry t = Resampling.grid(g, new double[] {1.4, 1.05, Double.NaN});
		assertEquals(50, t.nx());
		assertEquals(53, t.ny()); // 80 · 0.7 / 1.05 = 53.3
		assertEquals(20, t.nz());
		assertArrayEquals(OBLIQUE, t.direction(), 0);
		for (int a = 0; a < 3; a++) {
			int[] n = {g.nx(), g.ny(), g.nz()}, m = {t.nx(), t.ny(), t.nz()};
			assertEquals(n[a] * g.spacingMm()[a], m[a] * t.spacingMm()[a], 1e-9, "extent of axis " + a);
		}
		// the field of view's first corner (half a voxel before voxel 0) stays where it was
		double[] c0 = g.toPatient(-0.5, -0.5, -0.5), c1 = t.toPatient(-0.5, -0.5, -0.5);
		assertArrayEquals(c0, c1, 1e-9);
		assertSame(g, Resampling.grid(g, new double[] {0.702, Double.NaN, 5}), "within 1 %: unchanged");
	}

	@Test
	void aMaskGoesToAFinerGridAndBackUnchanged() {
		Geometry g = new Geometry(24, 20, 6, new double[] {1.2, 1.2, 3}, new double[3], Geometry.AXIAL);
		byte[] l = new byte[g.voxelCount()];
		java.util.Random r = new java.util.Random(5);
		for (int k = 0; k < 6; k++) {
			int cx = 3 + r.nextInt(18), cy = 3 + r.nextInt(14), cz = r.nextInt(6), rad = 1 + r.nextInt(3);
			for (int z = 0; z < 6; z++)
				for (int y = 0; y < 20; y++)
					for (int x = 0; x < 24; x++)
						if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad && Math.abs(z - cz) <= 1) l[g.index(x, y, z)] = 1;
		}
		l[g.index(0, 0, 0)] = 1; // a lone corner voxel
		Mask m = new Mask(g, l);
		// "predict" with the identity on the network's grid (0.6 mm in-plane, slices kept) and bring it back
		Preprocessing pre = new Preprocessing(new Normalisation.Identity(), new double[] {0.6, 0.6, Double.NaN}, null);
		Mask fine = pre.prepare(m);
		assertEquals(48, fine.geometry().nx());
		float[] prob = new float[fine.labels().length];
		for (int i = 0; i < prob.length; i++) prob[i] = fine.labels()[i];
		float[] back = Preprocessing.restore(prob, fine.geometry(), g);
		byte[] out = new byte[back.length];
		for (int i = 0; i < back.length; i++) if (back[i] >= 0.5f) out[i] = 1;
		assertArrayEquals(l, out);
	}

	@Test
	void resizeIsLinearWithCentresAligned() {
		float[] a = {0, 10};
		assertArrayEquals(new float[] {0, 2.5f, 7.5f, 10}, Resampling.resize(a, 2, 1, 1, 4, 1, 1), 1e-6f);
		assertArrayEquals(new float[] {5}, Resampling.resize(a, 2, 1, 1, 1, 1, 1), 1e-6f);
	}
}
