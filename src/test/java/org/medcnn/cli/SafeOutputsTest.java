package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * Outputs never mix, collide or vanish (issue 15 items 8–10): two inputs of one name get outputs of two names, a rerun
 * leaves no stale file of the first run, and a training command refuses an existing package or a foreign folder
 * before it loads anything, unless asked to overwrite.
 */
class SafeOutputsTest {

	private static final Geometry GRID = new Geometry(24, 24, 3, new double[] {1, 1, 3}, new double[3], Geometry.AXIAL);

	@TempDir
	static Path tmp;
	private static Path model;

	/** A body with a bright ball at a place that depends on {@code k}. */
	static Volume image(int k, Mask mask) {
		Random r = new Random(k);
		float[] v = new float[GRID.voxelCount()];
		int cx = 7 + 3 * k, cy = 9 + 2 * k;
		for (int z = 0; z < 3; z++)
			for (int y = 0; y < 24; y++)
				for (int x = 0; x < 24; x++) {
					boolean ball = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= 12;
					v[GRID.index(x, y, z)] = (float) ((ball ? 300 : 0) + r.nextGaussian() * 5);
					if (ball && mask != null) mask.labels()[GRID.index(x, y, z)] = 1;
				}
		return new Volume(GRID, v, "CT");
	}

	@BeforeAll
	static void train() throws IOException {
		Mask m0 = Mask.empty(GRID), m1 = Mask.empty(GRID);
		TrainingConfig t = new TrainingConfig(40, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0);
		model = Training.trainSegmenter(List.of(image(0, m0), image(1, m1)), List.of(m0, m1),
			new SegmenterConfig(2, 4, 40, 400, t), null, null, tmp.resolve("model"));
	}

	@Test
	void inputsOfOneNameGetOutputsOfTwoNames() throws IOException {
		Path a = Files.createDirectories(tmp.resolve("a")), b = Files.createDirectories(tmp.resolve("b"));
		Nifti.writeVolume(image(0, null), a.resolve("case01.nii.gz"), Nifti.DataType.FLOAT32);
		Nifti.writeVolume(image(1, null), b.resolve("case01.nii.gz"), Nifti.DataType.FLOAT32);
		Path out = tmp.resolve("twice");
		MainTest.Run r = MainTest.run("predict", "--model", model.toString(), "--out", out.toString(),
			a.resolve("case01.nii.gz").toString(), b.resolve("case01.nii.gz").toString());
		assertEquals(0, r.code(), r.err());
		List<Object> cases = Json.asArray(Json.parse(r.out()), "out");
		assertEquals("case01", ((Map<?, ?>) cases.get(0)).get("case"));
		assertEquals("case01-2", ((Map<?, ?>) cases.get(1)).get("case"));
		assertTrue(Files.isRegularFile(out.resolve("case01.nii.gz")) && Files.isRegularFile(out.resolve("case01-2.nii.gz")));
		assertNotEquals(Nifti.readMask(out.resolve("case01.nii.gz")), Nifti.readMask(out.resolve("case01-2.nii.gz")),
			"each input has its own mask");
		assertTrue(r.err().contains("case01-2"), r.err());
	}

	@Test
	void aRerunReplacesTheCasesOutputsAsAWhole() throws IOException {
		Path in = Files.createDirectories(tmp.resolve("rerun-in")).resolve("caseR.nii.gz");
		Nifti.writeVolume(image(0, null), in, Nifti.DataType.FLOAT32);
		Path out = Files.createDirectories(tmp.resolve("rerun-out"));
		Files.writeString(out.resolve("caseR_slice17.png"), "a picture of an earlier run");
		Files.writeString(out.resolve("caseR_notes.txt"), "the user's own file");
		Files.writeString(out.resolve("caseRX_slice02.png"), "another case's picture");
		MainTest.Run r = MainTest.run("predict", "--model", model.toString(), "--out", out.toString(), in.toString());
		assertEquals(0, r.code(), r.err());
		assertFalse(Files.exists(out.resolve("caseR_slice17.png")), "the first run's picture is gone");
		assertTrue(Files.exists(out.resolve("caseR_notes.txt")), "files MedCNN does not write are kept");
		assertTrue(Files.exists(out.resolve("caseRX_slice02.png")), "another case's outputs are kept");
		assertTrue(Files.isRegularFile(out.resolve("caseR.nii.gz")));
		try (Stream<Path> s = Files.list(out)) {
			assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".partial-")), "no temporary folder left");
		}
	}

	@Test
	void trainingRefusesAnExistingPackageBeforeLoadingAnything() throws IOException {
		Path images = Files.createDirectories(tmp.resolve("never-read"));
		MainTest.Run r = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", images.toString(), "--out",
			model.toString(), "--epochs", "1");
		assertNotEquals(0, r.code());
		assertTrue(r.err().contains("is a model package already") && r.err().contains("--overwrite"), r.err());
		Path foreign = Files.createDirectories(tmp.resolve("foreign"));
		Files.writeString(foreign.resolve("thesis.docx"), "precious");
		r = MainTest.run("train-classifier", "--data", images.toString(), "--out", foreign.toString(), "--overwrite");
		assertNotEquals(0, r.code());
		assertTrue(r.err().contains("holds other files"), r.err());
		assertEquals("precious", Files.readString(foreign.resolve("thesis.docx")));
		// --overwrite replaces a package only: not a folder that merely has a medcnn.json, nor the user's files in one
		Path mixed = Files.createDirectories(tmp.resolve("package-and-thesis"));
		try (var files = Files.list(model)) {
			for (Path p : files.toList()) if (Files.isRegularFile(p)) Files.copy(p, mixed.resolve(p.getFileName().toString()));
		}
		Files.writeString(mixed.resolve("thesis.docx"), "precious");
		r = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", images.toString(), "--out",
			mixed.toString(), "--overwrite");
		assertNotEquals(0, r.code());
		assertTrue(r.err().contains("holds 'thesis.docx'") && r.err().contains("would delete it"), r.err());
		assertEquals("precious", Files.readString(mixed.resolve("thesis.docx")));
		Path fake = Files.createDirectories(tmp.resolve("fake-package"));
		Files.writeString(fake.resolve("medcnn.json"), "{}");
		Files.writeString(fake.resolve("thesis.docx"), "precious");
		r = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", images.toString(), "--out",
			fake.toString(), "--overwrite");
		assertNotEquals(0, r.code());
		assertTrue(r.err().contains("not a readable model package"), r.err());
		assertEquals("precious", Files.readString(fake.resolve("thesis.docx")));
		Path file = tmp.resolve("a-file");
		Files.writeString(file, "x");
		r = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", images.toString(), "--out", file.toString());
		assertTrue(r.err().contains("is a file"), r.err());
	}
	/**
	 * {@code --out} under a file is refused before anything is loaded (issue 15 item 12): before, train-segmenter loaded,
	 * planned and trained an epoch, then failed with "…/sub.checkpoint: Not a directory".
	 */
	@Test
	void trainingRefusesAnOutputPathUnderAFileBeforeLoadingAnything() throws IOException {
		Path images = Files.createDirectories(tmp.resolve("never-read-2"));
		Path file = tmp.resolve("plain-file.txt");
		Files.writeString(file, "x");
		for (String cmd : List.of("train-segmenter", "train-classifier")) {
			MainTest.Run r = cmd.equals("train-segmenter")
				? MainTest.run(cmd, "--images", images.toString(), "--masks", images.toString(), "--out", file.resolve("sub").toString())
				: MainTest.run(cmd, "--data", images.toString(), "--out", file.resolve("sub").toString());
			assertNotEquals(0, r.code());
			assertTrue(r.err().contains(file + " is a file, not a folder") && r.err().contains("sub"), r.err());
			assertFalse(r.err().contains("Training a"), "nothing was loaded: " + r.err());
		}
		assertEquals("x", Files.readString(file));
	}
}
