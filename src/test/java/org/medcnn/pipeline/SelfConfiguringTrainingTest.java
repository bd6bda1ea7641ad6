package org.medcnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * Small real trainings through the pipeline every front end uses ({@link Trainings}), on generated MR-like data the
 * defaults were not tuned on: intensity scales differing 8× between cases with offsets, so that no global threshold
 * works, and different pixel spacings. Held-out cases judge the models, against a trivial baseline.
 */
class SelfConfiguringTrainingTest {

	@TempDir
	Path dir;

	/**
	 * A head-like case of {@code fovMm} square at {@code spacing} mm in-plane and 3 mm slices: an ellipse of tissue
	 * (about 300 with texture) in air, and one round lesion of 7…12 mm radius, darker (about 150) on some slices;
	 * then the whole image × {@code scale} + {@code offset}, with noise. The mask marks the lesion.
	 */
	static Datasets.Case mrCase(String name, Random r, double spacing, double fovMm, double scale, double offset) {
		int n = (int) Math.round(fovMm / spacing), nz = 4;
		Geometry g = new Geometry(n, n, nz, new double[] {spacing, spacing, 3}, new double[3], Geometry.AXIAL);
		float[] v = new float[g.voxelCount()];
		byte[] l = new byte[v.length];
		double rad = 7 + r.nextDouble() * 5, cx = fovMm * (0.35 + 0.3 * r.nextDouble()), cy = fovMm * (0.35 + 0.3 * r.nextDouble());
		double phase = r.nextDouble() * 6;
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < n; y++)
				for (int x = 0; x < n; x++) {
					double px = (x + 0.5) * spacing, py = (y + 0.5) * spacing;
					double ex = (px - fovMm / 2) / (fovMm * 0.42), ey = (py - fovMm / 2) / (fovMm * 0.36);
					boolean body = ex * ex + ey * ey < 1;
					boolean lesion = z >= 1 && z <= 2 && (px - cx) * (px - cx) + (py - cy) * (py - cy) < rad * rad;
					double value = body ? 300 + 60 * Math.sin(px / 6 + phase) * Math.cos(py / 7) : 5;
					if (lesion) value = 150;
					int i = g.index(x, y, z);
					v[i] = (float) Math.abs(value * scale + offset + r.nextGaussian() * 12 * scale);
					l[i] = (byte) (lesion ? 1 : 0);
				}
		return new Datasets.Case(name, new Volume(g, v, "MR"), new Mask(g, l));
	}

	/** The best Dice a single global threshold ("lesion = below t" inside the image) reaches on {@code cases}. */
	static double bestThreshold(List<Datasets.Case> train, List<Datasets.Case> test) {
		double bestT = 0, bestDice = -1;
		for (double t = 0; t <= 4000; t += 10) {
			double d = meanThresholdDice(train, t);
			if (d > bestDice) {
				bestDice = d;
				bestT = t;
			}
		}
		return meanThresholdDice(test, bestT);
	}

	private static double meanThresholdDice(List<Datasets.Case> cases, double t) {
		double sum = 0;
		for (Datasets.Case c : cases) {
			float[] v = c.image().voxels();
			byte[] l = new byte[v.length];
			for (int i = 0; i < v.length; i++) l[i] = (byte) (v[i] < t && v[i] > t / 8 ? 1 : 0);
			sum += Volumes.dice(new Mask(c.image().geometry(), l), c.mask());
		}
		return sum / cases.size();
	}

	@Test
	void mrWithScalesOver8xBeatsAGlobalThresholdOnHeldOutCases() throws IOException {
		Random r = new Random(2026);
		List<Datasets.Case> train = new ArrayList<>(), test = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			double scale = Math.exp(Math.log(8) * r.nextDouble()) / 2; // 0.5 … 4
			Datasets.Case c = mrCase("mr" + i, r, 1.5, 72, scale, r.nextDouble() * 200);
			(i < 8 ? train : test).add(c);
		}
		Path model = dir.resolve("mr-unet");
		Trainings.trainSegmenter(SegmenterRequest.builder().epochs(15).filters(8).batch(8).seed(3L).samplesPerEpoch(160).build(), train,
			null, null, model);
		ModelCard card = Models.readCard(model);
		assertEquals("2", card.formatVersion());
		assertInstanceOf(Normalisation.ZScore.class, card.preprocessing().normalisation());
		assertTrue(card.json().get("fingerprint") instanceof Map<?, ?>, "the card holds the fingerprint");
		double unet = 0;
		try (Segmenter s = Models.openSegmenter(model)) {
			for (Datasets.Case c : test)
				unet += Volumes.dice(CaseSegmentation.segment(s, c.image(), CaseSegmentation.Options.DEFAULT,
					ProgressListener.NONE, null).mask(), c.mask());
		}
		unet /= test.size();
		double threshold = bestThreshold(train, test);
		assertTrue(unet > 0.75 && unet > threshold + 0.2, "held-out Dice: U-Net " + unet + ", best global threshold " + threshold);
	}

	@Test
	void aModelTrainedAtOneSpacingSegmentsAnotherOnItsOwnGrid() throws IOException {
		Random r = new Random(7);
		List<Datasets.Case> train = new ArrayList<>();
		for (int i = 0; i < 8; i++) train.add(mrCase("c" + i, r, 1.5, 72, 1, 0));
		Path model = dir.resolve("spacing-unet");
		Trainings.trainSegmenter(SegmenterRequest.builder().epochs(15).filters(8).batch(8).seed(5L).samplesPerEpoch(160).build(), train, null, null, model);
		double sum = 0;
		try (Segmenter s = Models.openSegmenter(model)) {
			for (int i = 0; i < 3; i++) {
				// the same anatomy at half the pixel size: four times the pixels
				Datasets.Case fine = mrCase("fine" + i, new Random(100 + i), 0.75, 72, 1, 0);
				Mask m = CaseSegmentation.segment(s, fine.image(), CaseSegmentation.Options.DEFAULT, ProgressListener.NONE, null)
					.mask();
				assertEquals(fine.image().geometry(), m.geometry(), "the mask lies on the input's own grid");
				sum += Volumes.dice(m, fine.mask());
			}
		}
		assertTrue(sum / 3 > 0.75, "mean Dice on the 0.75 mm cases: " + sum / 3);
	}
}
