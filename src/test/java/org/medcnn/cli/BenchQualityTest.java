package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.PhantomCase;
import org.medcnn.volume.PhantomConfig;
import org.medcnn.volume.PhantomGenerator;
import org.medcnn.volume.Volume;

/** {@code bench quality}: its options, and the classification slices it builds (the training runs are minutes). */
class BenchQualityTest {

	@Test
	void helpAndBadOptions() {
		MainTest.Run help = MainTest.run("bench", "quality", "--help");
		assertEquals(0, help.code());
		assertTrue(help.out().contains("usage: medcnn bench quality"), help.out());
		assertEquals(2, MainTest.run("bench", "quality", "--cases", "3").code(), "too few cases");
		assertEquals(2, MainTest.run("bench", "train", "--cases", "30").code(), "--cases belongs to bench quality");
	}

	@Test
	void modalityOption() {
		MainTest.Run help = MainTest.run("bench", "--help");
		assertTrue(help.out().contains("bench quality [--modality ct|mr|images]"), help.out());
		// the help is wrapped to its width: compare the words, not the line breaks
		assertTrue(help.out().replaceAll("\\s+", " ").contains("apt-get install mricron-data"), help.out());
		MainTest.Run pet = MainTest.run("bench", "quality", "--modality", "pet");
		assertEquals(2, pet.code());
		assertTrue(pet.err().contains("ct, mr"), pet.err());
		assertEquals(2, MainTest.run("bench", "train", "--modality", "mr").code(), "--modality belongs to bench quality");
	}

	@Test
	void imagesModalityOptions(@TempDir Path empty) {
		MainTest.Run help = MainTest.run("bench", "--help");
		assertTrue(help.out().contains("--modality ct|mr|images"), help.out());
		assertTrue(help.out().replaceAll("\\s+", " ").contains("apt-get install dataset-fashion-mnist"), help.out());
		assertEquals(2, MainTest.run("bench", "quality", "--modality", "images", "--cases", "100").code(), "at least 500 images");
		assertEquals(2, MainTest.run("bench", "quality", "--modality", "images", "--cases", "60001").code(), "at most 60000");
		assertEquals(2, MainTest.run("bench", "quality", "--data", empty.toString()).code(), "--data is for --modality images");
		assertEquals(2, MainTest.run("bench", "train", "--data", empty.toString()).code(), "--data is for bench quality");
		MainTest.Run missing = MainTest.run("bench", "quality", "--modality", "images", "--cases", "500", "--data",
			empty.toString());
		assertEquals(1, missing.code(), missing.err());
		assertTrue(missing.err().contains("apt-get install dataset-fashion-mnist"), missing.err());
	}

	@Test
	void thresholdBaselineRowHasNoTarget() {
		// Two training cases whose lesions are bright (value 3000 among 1000s), a test case at a tenth of the scale.
		Mask m = new Mask(Geometry.axial(4, 1, 1, 1, 1, 1), new byte[] {0, 0, 1, 1});
		var train = QualityBench.MR_THRESHOLDS.count(new float[] {1000, 1000, 3000, 3000}, m);
		var test = QualityBench.MR_THRESHOLDS.count(new float[] {100, 100, 300, 300}, m);
		Map<String, Object> r = QualityBench.thresholdRow(List.of(train, train), List.of(test));
		assertEquals("mr", r.get("modality"));
		assertEquals(Boolean.TRUE, r.get("baseline"));
		assertNull(r.get("target"));
		assertNull(r.get("reached"));
		assertEquals("above", r.get("direction"));
		assertEquals(1.0, r.get("trainMeanDice"));
		assertEquals(0.0, r.get("value"), "the training threshold finds nothing at a tenth of the scale");
		assertEquals(1.0, r.get("perCaseBestMeanDice"));
		double t = (Double) r.get("threshold");
		assertTrue(t > 1000 && t <= 3000, "threshold " + t);
	}

	@Test
	void tumourPatchesAreCentredOnLesionAndNoTumourPatchesHoldNone(@TempDir Path dir) throws Exception {
		PhantomCase pc = PhantomGenerator.generate(QualityBench.SEED_BASE, PhantomConfig.DEFAULT);
		QualityBench.writeSlices(pc, dir, "c1");
		List<Path> tumour, none;
		try (var t = Files.list(dir.resolve("tumour")); var n = Files.list(dir.resolve("no-tumour"))) {
			tumour = t.toList();
			none = n.toList();
		}
		assertTrue(!tumour.isEmpty(), "a patch per lesion slice");
		assertEquals(tumour.size(), none.size(), "as many lesion-free patches");
		for (Path p : tumour) assertTrue(lesionAt(pc, p, true) > 0, p + " is centred on lesion");
		for (Path p : none) assertEquals(0, lesionAt(pc, p, false), p + " holds no lesion");
	}

	/**
	 * Finds the patch in the phantom by its NIfTI origin and checks its voxels; returns 1 when the centre voxel is
	 * lesion ({@code centre}), else the number of lesion voxels in the patch.
	 */
	private static int lesionAt(PhantomCase pc, Path file, boolean centre) throws Exception {
		Volume v = Nifti.readVolume(file);
		var g = pc.mask().geometry();
		double[] o = v.geometry().originMm(), go = g.originMm();
		int x0 = (int) Math.round((o[0] - go[0]) / g.spacingMm()[0]), y0 = (int) Math.round((o[1] - go[1]) / g.spacingMm()[1]);
		int z = (int) Math.round((o[2] - go[2]) / g.spacingMm()[2]), n = QualityBench.PATCH;
		assertEquals(n, v.geometry().nx());
		int count = 0;
		for (int y = 0; y < n; y++)
			for (int x = 0; x < n; x++) {
				assertEquals(pc.volume().voxels()[g.index(x0 + x, y0 + y, z)], v.voxels()[y * n + x], 1e-3, "voxel");
				if (pc.mask().labels()[g.index(x0 + x, y0 + y, z)] != 0) count++;
			}
		if (centre) return pc.mask().labels()[g.index(x0 + n / 2, y0 + n / 2, z)] != 0 ? 1 : 0;
		return count;
	}
}
