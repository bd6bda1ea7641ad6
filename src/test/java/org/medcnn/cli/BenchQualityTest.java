package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
	void tumourSlicesShowLesionAndNoTumourSlicesDoNot(@TempDir Path dir) throws Exception {
		PhantomCase pc = PhantomGenerator.generate(QualityBench.SEED_BASE, PhantomConfig.DEFAULT);
		QualityBench.writeSlices(pc, dir, "c1");
		try (var tumour = Files.list(dir.resolve("tumour")); var none = Files.list(dir.resolve("no-tumour"))) {
			List<Path> t = tumour.toList(), c = none.toList();
			for (Path p : t) assertTrue(lesionPixels(pc, p) >= QualityBench.MIN_TUMOUR_PIXELS, p + " shows lesion");
			for (Path p : c) assertEquals(0, lesionPixels(pc, p), p + " shows no lesion");
			assertTrue(!t.isEmpty() && !c.isEmpty() && t.size() + c.size() <= pc.volume().geometry().nz(), t + " " + c);
		}
	}

	/** Lesion pixels in the phantom's slice that the file holds (found by its _zN suffix, checked by voxel values). */
	private static int lesionPixels(PhantomCase pc, Path file) throws Exception {
		Volume v = Nifti.readVolume(file);
		String name = file.getFileName().toString();
		int z = Integer.parseInt(name.substring(name.indexOf("_z") + 2, name.indexOf(".nii")));
		int n = pc.mask().geometry().sliceSize(), count = 0;
		for (int i = 0; i < n; i++) {
			assertEquals(pc.volume().voxels()[z * n + i], v.voxels()[i], 1e-3, "voxel " + i + " of slice " + z);
			if (pc.mask().labels()[z * n + i] != 0) count++;
		}
		return count;
	}
}
