package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

class InputsTest {

	@Test
	void windowMapsLinearlyAndClips() {
		// window 40/400: -160 HU → 0, 240 HU → 1
		float[] w = Inputs.window(new float[] {-1000, -160, 40, 240, 3000, Float.NaN}, 40, 400);
		assertArrayEquals(new float[] {0, 0, 0.5f, 1, 1, 0}, w, 1e-6f);
	}

	@Test
	void bilinearResampleKeepsConstantsAndInterpolates() {
		float[] c = new float[6 * 4];
		java.util.Arrays.fill(c, 7);
		assertArrayEquals(filled(9, 7), Inputs.resizeBilinear(c, 6, 4, 3, 3), 1e-6f);
		// 2 → 4 pixels with pixel-centre alignment: [0, 4] → [0, 1, 3, 4]
		assertArrayEquals(new float[] {0, 1, 3, 4}, Inputs.resizeBilinear(new float[] {0, 4}, 2, 1, 4, 1), 1e-6f);
	}

	@Test
	void padAndCropRoundTrip() {
		float[] s = {1, 2, 3, 4, 5, 6}; // 3 × 2
		float[] p = Inputs.pad(s, 3, 2, 4, 4);
		assertEquals(16, p.length);
		assertArrayEquals(new float[] {1, 2, 3, 0, 4, 5, 6, 0}, java.util.Arrays.copyOf(p, 8));
		assertArrayEquals(s, Inputs.crop(p, 4, 4, 3, 2));
		assertEquals(8, Inputs.roundUp(5, 4));
		assertEquals(8, Inputs.roundUp(8, 4));
	}

	@Test
	void representativeSliceIsMiddleOrOnly() {
		Geometry g = Geometry.axial(1, 1, 5, 1, 1, 1);
		Volume v = new Volume(g, new float[] {0, 1, 2, 3, 4}, "CT");
		assertArrayEquals(new float[] {2}, Inputs.representativeSlice(v));
		Volume one = new Volume(Geometry.axial(1, 1, 1, 1, 1, 1), new float[] {9}, "CT");
		assertArrayEquals(new float[] {9}, Inputs.representativeSlice(one));
	}

	private static float[] filled(int n, float v) {
		float[] a = new float[n];
		java.util.Arrays.fill(a, v);
		return a;
	}
}
