package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/** The 2.5D input: neighbouring slices as channels, in training, augmentation and inference. */
class ContextInputTest {

	/** nz slices of 3 × 2 pixels; voxel (x, y, z) holds 10·z + 3·y + x HU. */
	private static Volume ramp(int nz) {
		Geometry g = Geometry.axial(3, 2, nz, 1, 1, 2);
		float[] v = new float[g.voxelCount()];
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < 2; y++)
				for (int x = 0; x < 3; x++) v[g.index(x, y, z)] = 10 * z + 3 * y + x;
		return new Volume(g, v, "CT");
	}

	@Test
	void contextSlicesRepeatTheNearestSliceAtTheEnds() {
		assertArrayEquals(new int[] {2}, Inputs.contextSlices(2, 5, 0));
		assertArrayEquals(new int[] {0, 0, 1}, Inputs.contextSlices(0, 5, 1));
		assertArrayEquals(new int[] {1, 2, 3}, Inputs.contextSlices(2, 5, 1));
		assertArrayEquals(new int[] {3, 4, 4}, Inputs.contextSlices(4, 5, 1));
		assertArrayEquals(new int[] {0, 0, 0, 1, 2}, Inputs.contextSlices(0, 5, 2));
		assertArrayEquals(new int[] {0, 0, 0, 0, 0}, Inputs.contextSlices(0, 1, 2));
		assertThrows(IllegalArgumentException.class, () -> Inputs.contextSlices(5, 5, 1));
	}

	@Test
	void interleaveMakesChannelPlanarDataChannelsLast() {
		float[] planar = {1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400};
		assertArrayEquals(new float[] {1, 10, 100, 2, 20, 200, 3, 30, 300, 4, 40, 400}, Inputs.interleave(planar, 3));
		assertTrue(planar == Inputs.interleave(planar, 1), "one channel: unchanged");
		assertThrows(IllegalArgumentException.class, () -> Inputs.interleave(new float[5], 3));
	}

	@Test
	void inferenceInputHoldsSlicesZMinus1ZZPlus1InChannelOrder() {
		int nz = 4, pw = 4, ph = 2;
		Volume v = ramp(nz);
		// window 0…100 HU: windowed value = HU / 100
		for (int z0 : new int[] {0, 1}) {
			int b = z0 == 0 ? nz : 2;
			float[] x = TfSegmenter.batchInput(Preprocessing.window(50, 100).prepare(v), z0, b, 1, pw, ph);
			assertEquals(b * ph * pw * 3, x.length);
			for (int i = 0; i < b; i++) {
				int z = z0 + i;
				int[] expected = {Math.max(0, z - 1), z, Math.min(nz - 1, z + 1)};
				for (int y = 0; y < ph; y++)
					for (int xx = 0; xx < pw; xx++)
						for (int k = 0; k < 3; k++) {
							float want = xx < 3 ? (10 * expected[k] + 3 * y + xx) / 100f : 0f; // padded column: 0
							assertEquals(want, x[((i * ph + y) * pw + xx) * 3 + k], 1e-6f, "slice " + z + " channel " + k
								+ " at (" + xx + ", " + y + ")");
						}
			}
		}
		// context 0: the plain single-channel input
		float[] one = TfSegmenter.batchInput(Preprocessing.window(50, 100).prepare(v), 2, 1, 0, 3, 2);
		assertArrayEquals(Inputs.window(v.slice(2), 50, 100), one);
	}

	@Test
	void trainingSamplesHoldTheSameStackAsInference() {
		int nz = 3;
		Volume v = ramp(nz);
		Mask m = Mask.empty(v.geometry());
		m.labels()[v.geometry().index(1, 1, 2)] = 1;
		TrainingConfig tc = TrainingConfig.segmenterDefaults();
		SegmenterConfig cfg = new SegmenterConfig(2, 4, 50, 100, tc).withContext(1);
		List<Trainer.Sample> samples = PreparedCases.of(List.of(v), List.of(m), List.of(0), cfg.preprocessing(), null)
			.validationSlices(cfg.sizeMultiple(), cfg.context()).samples();
		assertEquals(nz, samples.size());
		float[] inference = TfSegmenter.batchInput(cfg.preprocessing().prepare(v), 0, nz, 1, 4, 2);
		for (int z = 0; z < nz; z++) {
			Trainer.Sample s = samples.get(z);
			assertEquals(3, s.c());
			assertEquals(4 * 2 * 3, s.x().length);
			assertEquals(4 * 2, s.y().length, "the target stays one channel");
			float[] expected = java.util.Arrays.copyOfRange(inference, z * 24, (z + 1) * 24);
			assertArrayEquals(expected, Inputs.interleave(s.x(), 3), "slice " + z);
		}
		assertTrue(samples.get(2).hasForeground() && !samples.get(1).hasForeground());
	}

	@Test
	void augmentationMovesEveryChannelWithTheMask() {
		int w = 12, h = 12, n = w * h;
		float[] y = new float[n];
		for (int yy = 2; yy < 6; yy++)
			for (int xx = 1; xx < 9; xx++) y[yy * w + xx] = 1; // an off-centre bar: any flip or turn moves it
		float[] x = new float[3 * n];
		for (int k = 0; k < 3; k++) System.arraycopy(y, 0, x, k * n, n);
		Trainer.Sample s = new Trainer.Sample(x, y, w, h, 0, 3);
		int moved = 0;
		for (long seed = 0; seed < 12; seed++)
			for (Trainer.Augmenter a : List.of(Trainer.FLIPS, Augmentations.STANDARD)) {
				Trainer.Sample o = a.augment(s, new Random(seed));
				assertEquals(3, o.c());
				assertEquals(3 * n, o.x().length);
				assertEquals(n, o.y().length);
				if (!java.util.Arrays.equals(o.y(), y)) moved++;
				// every channel shows the transformed mask: high inside, low outside
				for (int k = 0; k < 3; k++) {
					double in = 0, out = 0;
					int nin = 0;
					for (int i = 0; i < n; i++) {
						if (o.y()[i] > 0) {
							in += o.x()[k * n + i];
							nin++;
						} else {
							out += o.x()[k * n + i];
						}
					}
					assertTrue(nin > 0 && in / nin - out / (n - nin) > 0.6, "seed " + seed + " channel " + k + ": inside "
						+ in / Math.max(1, nin) + ", outside " + out / (n - nin));
				}
			}
		assertTrue(moved > 10, "the augmentations moved the mask in " + moved + " of 24 draws");
	}

	@Test
	void packedBatchesFeedTheNetChannelsLast() throws Exception {
		// a few training steps of a 2.5D net: the packed shape [n, h, w, 3] must fit the input placeholder
		List<org.medcnn.volume.Mask> masks = new ArrayList<>();
		List<Volume> vols = org.medcnn.nn.Synthetic.discCases(2, 8, 3, 3, masks);
		TrainingConfig tc = new TrainingConfig(1, 2, 1e-2, "adam", "dice-ce", "relu", 1, 0.5);
		SegmenterConfig cfg = new SegmenterConfig(2, 2, 40, 400, tc).withContext(1);
		List<Trainer.Sample> train = PreparedCases.of(vols, masks, List.of(0), cfg.preprocessing(), null).validationSlices(2, 1)
			.samples();
		List<Trainer.Sample> val = PreparedCases.of(vols, masks, List.of(1), cfg.preprocessing(), null).validationSlices(2, 1)
			.samples();
		try (TrainableNet net = new TrainableNet(org.tensorflow.ndarray.Shape.of(-1, -1, -1, 3),
			org.tensorflow.ndarray.Shape.of(-1, -1, -1, 1), true, Architectures.unet2d(cfg), tc)) {
			Trainer.Outcome o = new Trainer(net, tc, new Trainer.Dice(), null, null).augmenter(Trainer.FLIPS).fit(train, val);
			assertEquals(1, o.history().size());
			assertTrue(Double.isFinite(o.history().get(0).valLoss()));
		}
	}
}
