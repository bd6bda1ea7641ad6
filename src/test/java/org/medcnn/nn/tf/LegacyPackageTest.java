package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.BioImageIo;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.Npy;
import org.medcnn.nn.Segmentation;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * Packages written before the dataset fingerprint chose the preprocessing (card format 1: a fixed HU window, no
 * resampling; {@code src/test/resources/legacy/}) still load and predict bit for bit as they did: the network gets
 * exactly the input the format-1 code built (the window arithmetic of {@link Inputs#window}, zero padding to the size
 * multiple, bilinear resizing for classifiers), and the probabilities come back unchanged. The expected values run the
 * same loaded network on that input built by hand.
 */
class LegacyPackageTest {

	private static final Path SEGMENTER = Path.of("src", "test", "resources", "legacy", "format1-segmenter");
	private static final Path CLASSIFIER = Path.of("src", "test", "resources", "legacy", "format1-classifier");

	@Test
	void format1SegmenterPredictsAsBefore() throws IOException {
		ModelCard card = Models.readCard(SEGMENTER);
		assertEquals("1", card.formatVersion());
		assertInstanceOf(Normalisation.Window.class, card.preprocessing().normalisation());
		assertFalse(card.preprocessing().resamples());
		// an odd-sized CT volume: padding to the size multiple and cropping back are exercised
		Volume v = ct(new Random(11), 37, 29, 3);
		int m = card.sizeMultiple(), pw = Inputs.roundUp(37, m), ph = Inputs.roundUp(29, m);
		try (TfSegmenter s = new TfSegmenter(SEGMENTER, card)) {
			Segmentation seg = s.segment(v, ProgressListener.NONE, null);
			// format 1 ran the three slices as one batch, each windowed and zero-padded
			int pn = pw * ph;
			float[] x = new float[3 * pn];
			for (int z = 0; z < 3; z++) System.arraycopy(Inputs.pad(Inputs.window(v.slice(z), 40, 400), 37, 29, pw, ph), 0, x, z * pn, pn);
			float[] y = s.run(x, Shape.of(3, ph, pw, 1));
			for (int z = 0; z < 3; z++) {
				float[] expected = Inputs.crop(java.util.Arrays.copyOfRange(y, z * pn, (z + 1) * pn), pw, ph, 37, 29);
				float[] got = java.util.Arrays.copyOfRange(seg.probability(), z * 37 * 29, (z + 1) * 37 * 29);
				assertArrayEquals(expected, got, "slice " + z);
			}
			// and the package's own test pair still holds (it was computed by the training session)
			Npy.FloatArray in = Npy.read(SEGMENTER.resolve(BioImageIo.TEST_INPUT)), out = Npy.read(SEGMENTER.resolve(BioImageIo.TEST_OUTPUT));
			int h = in.shape()[1], w = in.shape()[2];
			Volume test = new Volume(Geometry.axial(w, h, 1, 1, 1, 1), in.data(), "CT");
			assertArrayEquals(out.data(), s.segment(test, ProgressListener.NONE, null).probability(), 1e-5f);
		}
	}

	@Test
	void format1ClassifierPredictsAsBefore() throws IOException {
		ModelCard card = Models.readCard(CLASSIFIER);
		assertEquals("1", card.formatVersion());
		Volume item = ct(new Random(3), 50, 44, 1);
		int size = card.inputSize();
		try (TfClassifier c = new TfClassifier(CLASSIFIER, card)) {
			float[] x = Inputs.window(Inputs.resizeBilinear(item.voxels(), 50, 44, size, size), 40, 400);
			float[] raw = c.run(x, Shape.of(1, size, size, 1));
			Classification k = c.classify(item);
			assertArrayEquals(org.medcnn.nn.metrics.TemperatureScaling.rescale(raw,
				org.medcnn.nn.metrics.TemperatureScaling.temperatureOf(card)), k.probabilities());
		}
	}

	/** CT-like noise over air, fat, soft tissue and bone values. */
	private static Volume ct(Random r, int nx, int ny, int nz) {
		Geometry g = new Geometry(nx, ny, nz, new double[] {0.9, 0.9, 3}, new double[] {10, -4, 7}, Geometry.AXIAL);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextInt(4) * 400 - 1000 + r.nextGaussian() * 60);
		return new Volume(g, v, "CT");
	}
}
