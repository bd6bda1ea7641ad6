package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/** Flip test-time augmentation ({@link Segmenter#segment(Volume, boolean, ProgressListener, Cancellation)}). */
class FlipTtaTest {

	/** A "model" whose probability is a fixed function of position and intensity, so its flips are known. */
	private static final class Skewed implements Segmenter {
		final List<float[]> inputs = new ArrayList<>();

		@Override
		public Segmentation segment(Volume v, ProgressListener p, Cancellation c) {
			inputs.add(v.voxels());
			int nx = v.geometry().nx();
			float[] prob = new float[v.voxels().length];
			byte[] labels = new byte[prob.length];
			// leans to the left: a pixel is foreground if bright, or a bit less bright when in the left half
			for (int i = 0; i < prob.length; i++) {
				prob[i] = Math.min(1, v.voxels()[i] / 100f + (i % nx < nx / 2 ? 0.2f : 0f));
				labels[i] = (byte) (prob[i] >= 0.5f ? 1 : 0);
			}
			return new Segmentation(new Mask(v.geometry(), labels), prob);
		}

		@Override
		public ModelCard card() {
			return null;
		}

		@Override
		public void close() {}
	}

	@Test
	void averagesTheFourMirroredPassesMappedBack() {
		Geometry g = Geometry.axial(4, 3, 2, 1, 1, 2);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i * 3;
		Volume vol = new Volume(g, v, "CT");
		Skewed s = new Skewed();
		Segmentation tta = s.segment(vol, true, null, null);
		assertEquals(4, s.inputs.size());
		assertArrayEquals(v, s.inputs.get(0));
		assertArrayEquals(Segmenter.mirror(v, 4, 3, true, false), s.inputs.get(1));
		// the left-leaning bias averages out: every pixel gets +0.2 in two of the four passes
		for (int i = 0; i < v.length; i++) {
			float expected = 0;
			for (int k = 0; k < 4; k++) {
				boolean fx = k == 1 || k == 3;
				int x = i % 4, mx = fx ? 3 - x : x;
				expected += Math.min(1, v[i] / 100f + (mx < 2 ? 0.2f : 0f));
			}
			assertEquals(expected / 4, tta.probability()[i], 1e-6, "voxel " + i);
			assertEquals(tta.probability()[i] >= 0.5f ? 1 : 0, tta.mask().labels()[i]);
		}
		assertSame(g, tta.mask().geometry());
	}

	@Test
	void mirrorIsItsOwnInverseAndWithoutTtaOnePassIsRun() {
		float[] a = new float[24];
		for (int i = 0; i < a.length; i++) a[i] = i;
		assertArrayEquals(a, Segmenter.mirror(Segmenter.mirror(a, 4, 3, true, true), 4, 3, true, true));
		assertEquals(11f, Segmenter.mirror(a, 4, 3, true, true)[0]);
		Skewed s = new Skewed();
		s.segment(new Volume(Geometry.axial(4, 3, 2, 1, 1, 2), a, "CT"), false, null, null);
		assertEquals(1, s.inputs.size());
	}
}
