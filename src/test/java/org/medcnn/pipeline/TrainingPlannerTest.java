package org.medcnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Fingerprint;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/** The planner's choices from fingerprints of data of different kinds, and its refusals. */
class TrainingPlannerTest {

	/** {@code n} cases of {@code nx × ny × nz} at the given spacing with one cube lesion of {@code side} voxels each. */
	static List<Volume> cases(int n, String modality, int nx, int ny, int nz, double[] spacing, int side, List<Mask> masks,
		float body, float lesion) {
		List<Volume> out = new ArrayList<>();
		for (int c = 0; c < n; c++) {
			Geometry g = new Geometry(nx, ny, nz, spacing, new double[3], Geometry.AXIAL);
			float[] v = new float[g.voxelCount()];
			byte[] l = new byte[v.length];
			for (int z = 0; z < nz; z++)
				for (int y = 0; y < ny; y++)
					for (int x = 0; x < nx; x++) {
						boolean in = x > nx / 8 && x < nx * 7 / 8 && y > ny / 8 && y < ny * 7 / 8;
						boolean les = Math.abs(x - nx / 2) < side / 2.0 && Math.abs(y - ny / 2) < side / 2.0
							&& Math.abs(z - nz / 2) < Math.max(1, side / 2.0 * spacing[0] / spacing[2]);
						v[g.index(x, y, z)] = les ? lesion + c : in ? body + (x % 7) : (modality.equals("CT") ? -1000 : 0);
						l[g.index(x, y, z)] = (byte) (les ? 1 : 0);
					}
			out.add(new Volume(g, v, modality));
			masks.add(new Mask(g, l));
		}
		return out;
	}

	private static TrainingPlanner.SegmenterPlan plan(SegmenterRequest r, List<Volume> images, List<Mask> masks) {
		List<String> names = new ArrayList<>();
		for (int i = 0; i < images.size(); i++) names.add("case" + i);
		return TrainingPlanner.plan(r, Fingerprint.of(images, masks), names, images.stream().map(Volume::modality).toList());
	}

	@Test
	void ctPhantomLikeDataKeepsTheSettingsThatWorkedThere() {
		List<Mask> masks = new ArrayList<>();
		List<Volume> ct = cases(4, "CT", 128, 128, 16, new double[] {2.5, 2.5, 5}, 7, masks, 60, 20);
		TrainingPlanner.SegmenterPlan p = plan(SegmenterRequest.builder().build(), ct, masks);
		SegmenterConfig c = p.config2d();
		assertInstanceOf(Normalisation.CtClip.class, c.preprocessing().normalisation());
		assertEquals(3, c.depth());
		assertArrayEquals(new int[] {128, 128}, c.patchYx(), "the whole slice");
		assertEquals(8, c.training().batchSize());
		assertEquals(16, c.baseFilters());
		assertTrue(Double.isNaN(c.preprocessing().targetSpacingMm()[2]), "2D keeps the slice spacing");
		assertEquals(2.5, c.preprocessing().targetSpacingMm()[0], 1e-9);
	}

	@Test
	void mrWithLargeLesionsGetsAZScoreAndADeeperNet() {
		List<Mask> masks = new ArrayList<>();
		List<Volume> mr = cases(3, "MR", 160, 176, 8, new double[] {1.3, 1.3, 3}, 40, masks, 400, 900);
		TrainingPlanner.SegmenterPlan p = plan(SegmenterRequest.builder().build(), mr, masks);
		assertInstanceOf(Normalisation.ZScore.class, p.preprocessing().normalisation());
		assertTrue(p.config2d().depth() >= 4, "lesions ~40 px across need a receptive field over 80 px: " + p.reasons());
		assertEquals(0, p.config2d().patchYx()[0] % p.config2d().sizeMultiple());
	}

	@Test
	void largeCtSlicesTrainOnPatches() {
		List<Mask> masks = new ArrayList<>();
		List<Volume> ct = cases(2, "CT", 512, 512, 3, new double[] {0.7, 0.7, 5}, 20, masks, 60, 20);
		SegmenterConfig c = plan(SegmenterRequest.builder().build(), ct, masks).config2d();
		// small lesions: 128-pixel patches (cheaper on CPUs than their context is worth), 8 of them per batch
		assertArrayEquals(new int[] {128, 128}, c.patchYx());
		assertEquals(8, c.training().batchSize());
	}

	@Test
	void threeDResamplesZOnlyWhenTheDataAreNotStronglyAnisotropic() {
		List<Mask> masks = new ArrayList<>();
		List<Volume> iso = cases(2, "MR", 64, 64, 40, new double[] {1.5, 1.5, 2.5}, 10, masks, 400, 900);
		TrainingPlanner.SegmenterPlan p = plan(SegmenterRequest.builder().dims(3).build(), iso, masks);
		assertEquals(2.5, p.preprocessing().targetSpacingMm()[2], 1e-9);
		int[] patch = p.config3d().patchZyx();
		assertTrue((long) patch[0] * patch[1] * patch[2] <= 64 * 64 * 16, java.util.Arrays.toString(patch));
		masks.clear();
		List<Volume> thick = cases(2, "CT", 64, 64, 10, new double[] {0.8, 0.8, 5}, 10, masks, 60, 20);
		assertTrue(Double.isNaN(plan(SegmenterRequest.builder().dims(3).build(), thick, masks).preprocessing()
			.targetSpacingMm()[2]));
	}

	@Test
	void userSettingsWin() {
		List<Mask> masks = new ArrayList<>();
		List<Volume> ct = cases(2, "CT", 64, 64, 4, new double[] {1, 1, 3}, 8, masks, 60, 20);
		SegmenterConfig c = plan(SegmenterRequest.builder().epochs(3).batch(5).depth(2).filters(4).normalise("window 50/350")
			.patch(new int[] {32, 32}).build(), ct, masks).config2d();
		assertEquals(3, c.training().epochs());
		assertEquals(5, c.training().batchSize());
		assertEquals(2, c.depth());
		assertEquals(4, c.baseFilters());
		assertEquals(new Normalisation.Window(50, 350), c.preprocessing().normalisation());
	}

	@Test
	void mixedModalitiesAreRefusedNamingTheCases() {
		List<Mask> masks = new ArrayList<>();
		List<Volume> all = new ArrayList<>(cases(2, "CT", 32, 32, 2, new double[] {1, 1, 3}, 6, masks, 60, 20));
		all.addAll(cases(1, "MR", 32, 32, 2, new double[] {1, 1, 3}, 6, masks, 400, 900));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> plan(SegmenterRequest.builder().build(), all, masks));
		assertTrue(e.getMessage().contains("CT (2): case0, case1") && e.getMessage().contains("MR (1): case2"), e.getMessage());
		assertTrue(e.getMessage().contains("--normalise"), e.getMessage());
		// an explicit normalisation serves them all
		assertInstanceOf(Normalisation.ZScore.class, plan(SegmenterRequest.builder().normalise("zscore").build(), all, masks)
			.preprocessing().normalisation());
	}

	@Test
	void smallImageClassifiersKeepTheirSizeAndLargeSetsGetAWiderNet() {
		List<Volume> small = new ArrayList<>();
		for (int i = 0; i < 40; i++) small.add(new Volume(Geometry.axial(28, 28, 1, 1, 1, 1), new float[28 * 28], "OT"));
		int[] labels = new int[40];
		for (int i = 0; i < 40; i++) labels[i] = i % 2;
		Fingerprint fp = Fingerprint.ofItems(small, labels, List.of("a", "b"));
		TrainingPlanner.ClassifierPlan p = TrainingPlanner.plan(ClassifierRequest.builder().build(), fp,
			Collections.nCopies(40, "x"), Collections.nCopies(40, "OT"));
		ClassifierConfig c = p.config();
		assertEquals(28, c.inputSize());
		assertEquals("mild", c.training().augment(), "photographs have an up and a down");
		assertInstanceOf(Normalisation.ZScore.class, c.preprocessing().normalisation());
		assertEquals(ClassifierConfig.defaults().training().epochs(), c.training().epochs());
		Fingerprint large = new Fingerprint(60000, fp.modalities(), fp.medianSpacingMm(), fp.minSpacingMm(), fp.maxSpacingMm(),
			fp.medianSizeXyz(), fp.minSizeXyz(), fp.maxSizeXyz(), fp.body(), fp.lesion(), fp.lesionZ(), fp.ctClip(), null,
			Double.NaN, Double.NaN, fp.classCounts(), 60000, Map.of());
		ClassifierConfig l = TrainingPlanner.plan(ClassifierRequest.builder().build(), large, List.of(), List.of("OT"))
			.config();
		assertArrayEquals(new int[] {32, 64}, l.filters());
		assertEquals(10, l.training().epochs());
		assertEquals(64, l.training().batchSize());
		assertNull(ClassifierRequest.builder().build().cropMm());
	}
}
