package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** {@code train-segmenter --context N} (2.5D U-Net) and {@code predict} with the package it writes. */
class ContextOptionTest {

	private static final Geometry GRID = new Geometry(16, 16, 4, new double[] {1, 1, 3}, new double[] {-8, -8, 50},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	/** Soft tissue with a bright ball on slices 1…3; the mask marks the ball. */
	private static Volume phantom(int k, Mask mask) {
		Random rnd = new Random(200 + k);
		int cx = 6 + 2 * k, cy = 7 + k;
		float[] v = new float[GRID.voxelCount()];
		for (int z = 0; z < GRID.nz(); z++)
			for (int y = 0; y < GRID.ny(); y++)
				for (int x = 0; x < GRID.nx(); x++) {
					float hu = 40;
					if (Math.pow(x - cx, 2) + Math.pow(y - cy, 2) <= 9 && z > 0) {
						hu = 130;
						if (mask != null) mask.labels()[GRID.index(x, y, z)] = 1;
					}
					v[GRID.index(x, y, z)] = Math.round(hu + 6 * rnd.nextGaussian());
				}
		return new Volume(GRID, v, "CT");
	}

	@Test
	void helpNamesTheOptionAndBadUsesAreRefused() {
		MainTest.Run r = MainTest.run("train-segmenter", "--help");
		assertTrue(r.out().contains("--context N"), r.out());
		r = MainTest.run("train-segmenter", "--images", "a", "--masks", "b", "--out", "c", "--dims", "3", "--context", "1");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--context") && r.err().contains("2D U-Net only"), r.err());
		r = MainTest.run("train-segmenter", "--images", "a", "--masks", "b", "--out", "c", "--context", "9");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--context"), r.err());
	}

	@Test
	void contextOneWritesAThreeChannelCardAndPredictUsesIt() throws IOException {
		Path images = tmp.resolve("images"), masks = tmp.resolve("masks");
		Files.createDirectories(images);
		Files.createDirectories(masks);
		for (int k = 0; k < 2; k++) {
			Mask m = Mask.empty(GRID);
			Nifti.writeVolume(phantom(k, m), images.resolve("case" + k + ".nii.gz"), Nifti.DataType.FLOAT32);
			Nifti.writeMask(m, masks.resolve("case" + k + ".nii.gz"));
		}
		Path model = tmp.resolve("ctx"), out = tmp.resolve("pred");
		MainTest.Run t = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(),
			"--out", model.toString(), "--epochs", "2", "--depth", "2", "--filters", "2", "--val-fraction", "0",
			"--context", "1");
		assertEquals(0, t.code(), t.err());
		assertTrue(t.err().contains("2.5D U-Net (3 slices as channels)"), t.err());
		ModelCard card = Models.readCard(model);
		assertEquals(3, ((Number) card.input().get("channels")).intValue());
		assertEquals(1, card.context());

		MainTest.Run p = MainTest.run("predict", "--model", model.toString(), "--out", out.toString(),
			images.resolve("case0.nii.gz").toString());
		assertEquals(0, p.code(), p.err());
		Mask predicted = Nifti.readMask(out.resolve("case0.nii.gz"));
		assertEquals(GRID.voxelCount(), predicted.labels().length);
		assertTrue(Files.isRegularFile(out.resolve("case0_lesions.json")));
	}
}
