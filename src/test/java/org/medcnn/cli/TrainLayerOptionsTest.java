package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.Models;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** {@code --batch-norm}, {@code --dropout} and {@code --init} on train-segmenter (2D, 3D) and train-classifier. */
class TrainLayerOptionsTest {

	private static final Geometry GRID = new Geometry(16, 16, 4, new double[] {1, 1, 3}, new double[] {-8, -8, 50},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	/** A body with a bright ball; the mask marks the ball. */
	private static Volume phantom(int k, Mask mask) {
		Random rnd = new Random(100 + k);
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

	private static Map<?, ?> architecture(Path model) throws IOException {
		return (Map<?, ?>) Models.readCard(model).json().get("architecture");
	}

	@Test
	void helpListsTheOptionsAndBadValuesAreRefused() {
		for (String c : List.of("train-segmenter", "train-classifier")) {
			MainTest.Run r = MainTest.run(c, "--help");
			for (String o : List.of("--batch-norm", "--dropout R", "--init NAME", "glorot-uniform"))
				assertTrue(r.out().contains(o), c + " --help lacks " + o);
		}
		MainTest.Run r = MainTest.run("train-classifier", "--data", "d", "--out", "o", "--dropout", "0.95");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--dropout"), r.err());
		r = MainTest.run("train-segmenter", "--images", "a", "--masks", "b", "--out", "c", "--init", "xavier");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--init") && r.err().contains("he-uniform"), r.err());
	}

	@Test
	void segmenterAndClassifierRecordTheOptionsInTheCard() throws IOException {
		Path images = tmp.resolve("images"), masks = tmp.resolve("masks"), data = tmp.resolve("data");
		Files.createDirectories(images);
		Files.createDirectories(masks);
		for (int k = 0; k < 2; k++) {
			Mask m = Mask.empty(GRID);
			Nifti.writeVolume(phantom(k, m), images.resolve("case" + k + ".nii.gz"), Nifti.DataType.FLOAT32);
			Nifti.writeMask(m, masks.resolve("case" + k + ".nii.gz"));
		}
		Path seg2 = tmp.resolve("seg2"), seg3 = tmp.resolve("seg3"), cls = tmp.resolve("cls");
		MainTest.Run t = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(),
			"--out", seg2.toString(), "--epochs", "2", "--depth", "2", "--filters", "2", "--val-fraction", "0",
			"--batch-norm", "--dropout", "0.2");
		assertEquals(0, t.code(), t.err());
		Map<?, ?> a = architecture(seg2);
		assertEquals(true, a.get("batchNorm"));
		assertEquals(0.2, ((Number) a.get("dropout")).doubleValue());
		assertEquals("he-normal", a.get("init"));

		t = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(), "--out",
			seg3.toString(), "--dims", "3", "--patch", "4,8,8", "--epochs", "1", "--depth", "2", "--filters", "2",
			"--val-fraction", "0", "--init", "glorot-uniform");
		assertEquals(0, t.code(), t.err());
		a = architecture(seg3);
		assertEquals(false, a.get("batchNorm"));
		assertEquals(0.0, ((Number) a.get("dropout")).doubleValue());
		assertEquals("glorot-uniform", a.get("init"));

		for (String c : List.of("low", "high")) {
			Files.createDirectories(data.resolve(c));
			for (int k = 0; k < 3; k++)
				Nifti.writeVolume(phantom(c.equals("low") ? k : 3 + k, null), data.resolve(c).resolve("item" + k + ".nii.gz"),
					Nifti.DataType.FLOAT32);
		}
		t = MainTest.run("train-classifier", "--data", data.toString(), "--out", cls.toString(), "--epochs", "2",
			"--size", "16", "--activation", "tanh", "--batch-norm", "--dropout", "0.5", "--val-fraction", "0");
		assertEquals(0, t.code(), t.err());
		a = architecture(cls);
		assertEquals(true, a.get("batchNorm"));
		assertEquals(0.5, ((Number) a.get("dropout")).doubleValue());
		assertEquals("glorot-normal", a.get("init"));
	}
}
