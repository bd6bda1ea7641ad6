package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Geometry;

/**
 * The MR phantom on Debian's mricron-data head (these tests fail, not skip, without it: {@code apt-get install
 * mricron-data}). Cases are drawn on a coarse grid (3.2–3.6 mm pixels, 4–5 mm slices) so 24 of them take about a
 * second; the seeds are those of {@code bench quality --modality mr}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MrPhantomGeneratorTest {

	static final MrPhantomConfig SMALL = MrPhantomConfig.DEFAULT.withGrid(3.2, 3.6, 4, 5, 200_000);
	static final long SEED = 880_000;
	static final int CASES = 24;

	private MrTemplate template;
	private final List<MrPhantomCase> cases = new ArrayList<>();

	@BeforeAll
	void generate() throws IOException {
		template = MrTemplate.debian();
		for (int i = 0; i < CASES; i++) cases.add(MrPhantomGenerator.generate(SEED + i, SMALL, template, null));
	}

	@Test
	void aMissingTemplateNamesTheDebianPackage(@TempDir Path dir) {
		NoSuchFileException e = assertThrows(NoSuchFileException.class,
			() -> MrTemplate.load(dir.resolve(MrTemplate.HEAD_FILE), dir.resolve(MrTemplate.BRAIN_FILE)));
		assertTrue(e.getMessage().contains("apt-get install mricron-data"), e.getMessage());
	}

	@Test
	void theTemplateIsReadInLps() {
		// NIfTI is RAS+: the reader must flip x and y. Colin27's brain centroid is near the midline and about
		// 20 mm posterior of the MNI origin (y ≈ -20 in RAS, so +20 in LPS); its white matter is about 115 of 255.
		Geometry g = template.geometry();
		assertArrayEquals(new double[] {-1, 0, 0, 0, -1, 0, 0, 0, 1}, g.direction(), 1e-9);
		double[] c = template.brainCentreMm();
		assertTrue(Math.abs(c[0]) < 5, "centroid x " + c[0]);
		assertTrue(c[1] > 10 && c[1] < 35, "centroid y (LPS, posterior) " + c[1]);
		assertTrue(template.whiteMatter() > 100 && template.whiteMatter() < 130, "white matter " + template.whiteMatter());
	}

	@Test
	void theSameSeedGivesTheSameCase() {
		MrPhantomCase a = MrPhantomGenerator.generate(SEED, SMALL, template, null);
		assertEquals(cases.get(0).volume(), a.volume());
		assertEquals(cases.get(0).mask(), a.mask());
		assertEquals(cases.get(0).brain(), a.brain());
		assertEquals(cases.get(0).intensityScale(), a.intensityScale());
		assertFalse(Arrays.equals(cases.get(0).volume().voxels(), cases.get(1).volume().voxels()));
	}

	@Test
	void everyCaseIsObliqueOnItsOwnGridWithTheMaskOnTheSameGrid() {
		Set<Double> spacings = new java.util.HashSet<>();
		for (MrPhantomCase pc : cases) {
			Geometry g = pc.volume().geometry();
			assertEquals("MR", pc.volume().modality());
			assertEquals(g, pc.mask().geometry());
			assertEquals(g, pc.brain().geometry());
			double[] d = g.direction();
			for (int a = 0; a < 3; a++) {
				for (int b = 0; b < 3; b++) {
					double dot = d[3 * a] * d[3 * b] + d[3 * a + 1] * d[3 * b + 1] + d[3 * a + 2] * d[3 * b + 2];
					assertEquals(a == b ? 1 : 0, dot, 1e-12, "direction cosines orthonormal");
				}
				assertTrue(Math.abs(d[6 + a]) < Math.cos(Math.toRadians(5)), "slice normal at least 5° from axis " + a + ": "
					+ Arrays.toString(d));
			}
			double[] cross = {d[1] * d[5] - d[2] * d[4], d[2] * d[3] - d[0] * d[5], d[0] * d[4] - d[1] * d[3]};
			assertArrayEquals(cross, Arrays.copyOfRange(d, 6, 9), 1e-12, "normal = row × column");
			double[] sp = g.spacingMm();
			assertEquals(sp[0], sp[1]);
			assertTrue(sp[0] >= 3.2 && sp[0] <= 3.6 && sp[2] >= 4 && sp[2] <= 5, Arrays.toString(sp));
			assertTrue(g.voxelCount() <= 200_000, g.toString());
			spacings.add(sp[2]);
			for (float v : pc.volume().voxels()) assertTrue(v >= 0 && Float.isFinite(v), "magnitude values " + v);
		}
		assertEquals(CASES, spacings.size(), "each case its own slice spacing");
	}

	@Test
	void intensityScalesSpanMoreThanEightfold() {
		double min = Double.MAX_VALUE, max = 0, minMedian = Double.MAX_VALUE, maxMedian = 0;
		for (MrPhantomCase pc : cases) {
			min = Math.min(min, pc.intensityScale());
			max = Math.max(max, pc.intensityScale());
			double median = brainMedian(pc);
			minMedian = Math.min(minMedian, median);
			maxMedian = Math.max(maxMedian, median);
		}
		assertTrue(max / min >= 8, "drawn scales " + min + ".." + max);
		// What a normalisation sees: the brain's median intensity, through contrast, bias field and noise.
		assertTrue(maxMedian / minMedian >= 7, "measured brain medians " + minMedian + ".." + maxMedian);
	}

	private static double brainMedian(MrPhantomCase pc) {
		float[] v = pc.volume().voxels();
		byte[] b = pc.brain().labels();
		float[] in = new float[v.length];
		int n = 0;
		for (int i = 0; i < v.length; i++) if (b[i] != 0) in[n++] = v[i];
		Arrays.sort(in, 0, n);
		return in[n / 2];
	}

	@Test
	void lesionsOfEveryKindLieInsideTheBrain() {
		EnumSet<MrLesion.Kind> kinds = EnumSet.noneOf(MrLesion.Kind.class);
		for (MrPhantomCase pc : cases) {
			List<MrLesion> lesions = pc.lesions();
			assertTrue(lesions.size() >= 1 && lesions.size() <= 3, "1-3 lesions: " + lesions.size());
			int[] voxels = new int[lesions.size() + 1];
			byte[] labels = pc.mask().labels(), brain = pc.brain().labels();
			for (int i = 0; i < labels.length; i++) {
				int l = labels[i] & 0xFF;
				assertTrue(l <= lesions.size(), "label " + l);
				voxels[l]++;
				if (l != 0) assertEquals(1, brain[i], "lesion voxel " + i + " of seed " + pc.seed() + " is outside the brain");
			}
			for (MrLesion l : lesions) {
				kinds.add(l.kind());
				assertEquals(voxels[l.label()], l.voxels());
				assertTrue(l.voxels() > 0, "lesion " + l.label() + " of seed " + pc.seed() + " has voxels");
				assertTrue(l.designDiameterMm() >= 8 && l.designDiameterMm() <= 40, "design diameter " + l.designDiameterMm());
				// On 3.4 × 3.4 × 4.5 mm voxels a lesion's volume is within a voxel layer of its design.
				assertEquals(l.designDiameterMm(), l.equivalentDiameterMm(), 0.25 * l.designDiameterMm() + 3,
					"equivalent diameter of lesion " + l.label() + " of seed " + pc.seed());
			}
		}
		assertEquals(EnumSet.allOf(MrLesion.Kind.class), kinds);
	}

	@Test
	void noGlobalThresholdSolvesTheTask() {
		ThresholdBaseline t = ThresholdBaseline.logarithmic(1, 65536, 1024);
		List<ThresholdBaseline.Counts> train = new ArrayList<>(), test = new ArrayList<>();
		for (int i = 0; i < CASES; i++) {
			ThresholdBaseline.Counts c = t.count(cases.get(i).volume().voxels(), cases.get(i).mask());
			// Not even a threshold chosen on the case itself (any per-image normalisation, then a threshold).
			double best = t.oracleDice(c);
			assertTrue(best < 0.7, "seed " + cases.get(i).seed() + ": a threshold reaches Dice " + best);
			(i < 18 ? train : test).add(c);
		}
		ThresholdBaseline.Fit fit = t.fit(train);
		assertTrue(fit.meanDice() < 0.7, "training cases: " + fit);
		assertTrue(t.meanDice(test, fit) < 0.7, "test cases: " + t.meanDice(test, fit));
	}

	@Test
	void badConfigurationsAreRefused() {
		MrPhantomConfig d = MrPhantomConfig.DEFAULT;
		assertThrows(IllegalArgumentException.class, () -> d.withGrid(2, 1, 1.5, 3.5, 1_000_000));
		assertThrows(IllegalArgumentException.class, () -> d.withGrid(1, 2, 1.5, 3.5, 100));
		assertThrows(IllegalArgumentException.class, () -> new MrPhantomConfig(1.1, 1.6, 1.5, 3.5, 215, 235, 3_600_000, 22,
			8, 0.08, 4, 0.4, 4.0, 0.2, 0.35, 0.02, 0.045, 2, 1, 8, 40));
		// A voxel budget that leaves fewer than 4 slices.
		assertThrows(IllegalArgumentException.class,
			() -> MrPhantomGenerator.generate(1, d.withGrid(1.1, 1.1, 2, 2, 100_000), template, null));
	}
}
