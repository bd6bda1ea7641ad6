package org.medcnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** {@link Suggestions}: the score by hand, and a trained model's ranking of a familiar case and a degraded one. */
class SuggestionsTest {

	@TempDir
	Path dir;

	private static final Geometry G = new Geometry(10, 2, 1, new double[] {1, 1, 1}, new double[3], Geometry.AXIAL);

	private static float[] map(float value, int voxels) {
		float[] m = new float[G.voxelCount()];
		Arrays.fill(m, 0, voxels, value);
		return m;
	}

	@Test
	void scoreIsTheVolumeExpectedToBeCorrected() {
		// voxels of 1 mm³: a voxel predicted at p is expected to be corrected with probability min(p, 1 - p)
		// 20 voxels at p = 0.9 in every pass: 20 · 0.1 voxels; expected Dice: Σp = 18, Σm = 20, Σpm = 18 → 36/38
		Suggestions.Score confident = Suggestions.score(new float[][] {map(0.9f, 20), map(0.9f, 20)}, G);
		assertEquals(20 * 0.1 / 1000, confident.score(), 1e-9);
		assertEquals(36.0 / 38, confident.expectedDice(), 1e-6);
		assertEquals(0, confident.flipDisagreement(), 0);
		// 20 voxels at p = 0.4: lesion-like but below 0.5, so nothing is predicted: 20 · 0.4 voxels, expected Dice 0
		Suggestions.Score uncommitted = Suggestions.score(new float[][] {map(0.4f, 20)}, G);
		assertEquals(20 * 0.4 / 1000, uncommitted.score(), 1e-9);
		assertEquals(0, uncommitted.expectedDice(), 1e-9);
		// passes that disagree: one says 1, the other 0 → p = 0.5 everywhere, m = 1: 20 · 0.5 voxels, 2·10/(10 + 20)
		Suggestions.Score split = Suggestions.score(new float[][] {map(1f, 20), map(0f, 20)}, G);
		assertEquals(20 * 0.5 / 1000, split.score(), 1e-9);
		assertEquals(20.0 / 30, split.expectedDice(), 1e-6);
		assertEquals(1, split.flipDisagreement(), 1e-9);
		// a larger uncertain region outranks a smaller, equally uncertain one: the correction teaches more
		assertTrue(Suggestions.score(new float[][] {map(0.6f, 20)}, G).score() > Suggestions.score(new float[][] {map(0.6f, 10)},
			G).score());
		// fewer than MIN_CANDIDATES candidate voxels: confidently nothing
		Suggestions.Score none = Suggestions.score(new float[][] {map(0.3f, Suggestions.MIN_CANDIDATES - 1)}, G);
		assertEquals(0, none.score(), 0);
		assertEquals(1, none.expectedDice(), 0);
	}

	@Test
	void aDegradedCaseRanksAboveAFamiliarOne() throws IOException {
		Random r = new Random(21);
		List<Datasets.Case> train = new ArrayList<>();
		for (int i = 0; i < 8; i++) train.add(SelfConfiguringTrainingTest.mrCase("t" + i, r, 1.5, 72, 1, 0));
		Path model = dir.resolve("model");
		Trainings.trainSegmenter(SegmenterRequest.builder().epochs(12).filters(8).batch(8).seed(3L).samplesPerEpoch(160)
			.build(), train, null, null, model);
		// held out: one case like the training cases, and one whose lesion has a third of the contrast under strong noise
		Datasets.Case familiar = SelfConfiguringTrainingTest.mrCase("familiar", new Random(500), 1.5, 72, 1, 0);
		Datasets.Case degraded = degrade(SelfConfiguringTrainingTest.mrCase("degraded", new Random(501), 1.5, 72, 1, 0), 502);
		Path pool = dir.resolve("pool");
		java.nio.file.Files.createDirectories(pool);
		for (Datasets.Case c : List.of(familiar, degraded))
			Nifti.writeVolume(c.image(), pool.resolve(c.name() + ".nii.gz"), Nifti.DataType.FLOAT32);
		List<Suggestions.Suggestion> ranked;
		try (Segmenter s = Models.openSegmenter(model)) {
			ranked = Suggestions.rank(s, List.of(pool), null, null);
		}
		assertEquals(List.of("degraded", "familiar"), ranked.stream().map(Suggestions.Suggestion::name).toList(),
			"ranking: " + ranked);
		assertTrue(ranked.get(0).score() > 2 * ranked.get(1).score(), "scores: " + ranked);
		assertTrue(ranked.get(1).expectedDice() > 0.8, "the familiar case is predicted confidently: " + ranked.get(1));
	}

	/** The lesion brought to a third of its contrast against the tissue, and noise of 3× the training noise added. */
	static Datasets.Case degrade(Datasets.Case c, long seed) {
		Random r = new Random(seed);
		float[] v = c.image().voxels().clone();
		byte[] l = c.mask().labels();
		for (int i = 0; i < v.length; i++) {
			if (l[i] != 0) v[i] = 300 - (300 - v[i]) / 3;
			v[i] = (float) Math.abs(v[i] + r.nextGaussian() * 36);
		}
		return new Datasets.Case(c.name(), new Volume(c.image().geometry(), v, c.image().modality()), c.mask());
	}
}
