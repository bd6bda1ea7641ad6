package org.medcnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The training-set layout of {@code Add to Training Set...} ({@link TrainingSets}) reads back through
 * {@code train-segmenter}'s reader ({@link Datasets#loadCases}) voxel for voxel, by reference (links to the DICOM
 * files) and as a copy; the manifest counts the correction and holds no identifiers.
 */
class TrainingSetsTest {

	private static final Path CASE21 = Path.of("sample-dicom", "phantom", "test", "images", "case21");
	private static final Path MASK21 = Path.of("sample-dicom", "phantom", "test", "masks", "case21.nii.gz");

	@TempDir
	Path dir;

	@Test
	void referencedAndCopiedCasesReadBackVoxelForVoxel() throws IOException {
		assumeTrue(Files.isDirectory(CASE21), "sample-dicom/ not present");
		List<DicomSeries> series = SeriesScanner.scan(List.of(CASE21), ProgressListener.NONE, new Cancellation());
		Volume image = Datasets.loadImage(CASE21, ProgressListener.NONE, new Cancellation());
		Mask truth = Datasets.loadMask(MASK21, image.geometry());
		// the "prediction": the reference with its first lesion voxel removed and one background voxel added
		byte[] p = truth.labels().clone();
		int firstLesion = 0, firstBackground = 0;
		while (p[firstLesion] == 0) firstLesion++;
		while (p[firstBackground] != 0) firstBackground++;
		p[firstLesion] = 0;
		p[firstBackground] = 1;
		Mask predicted = new Mask(image.geometry(), p);
		Path project = dir.resolve("set");
		TrainingSets.Added ref = TrainingSets.add(new TrainingSets.Addition(project, "ref21", image, series.get(0).files(), truth,
			predicted, null, null, false, false));
		TrainingSets.Added copy = TrainingSets.add(new TrainingSets.Addition(project, "copy21", image, series.get(0).files(),
			truth, null, null, null, true, false));
		assertTrue(ref.referenced() && Files.isDirectory(ref.image()) && Files.isSymbolicLink(Files.list(ref.image()).findFirst()
			.orElseThrow()), "the reference is a folder of links");
		assertFalse(copy.referenced());
		assertEquals(project.resolve("images").resolve("copy21.nii.gz").toAbsolutePath(), copy.image());

		List<Datasets.Case> back = Datasets.loadCases(project.resolve(TrainingSets.IMAGES), project.resolve(TrainingSets.MASKS),
			ProgressListener.NONE, new Cancellation());
		assertEquals(List.of("copy21", "ref21"), back.stream().map(Datasets.Case::name).toList());
		for (Datasets.Case c : back) {
			assertArrayEquals(image.voxels(), c.image().voxels(), 0f, c.name() + ": image voxels");
			assertArrayEquals(truth.labels(), c.mask().labels(), c.name() + ": mask voxels");
			assertTrue(c.image().geometry().describeMismatch(image.geometry(), 1e-3).isEmpty(), c.name() + ": geometry");
		}

		Map<String, Object> manifest = Json.asObject(Json.parse(Files.readString(ref.manifestFile())), "manifest");
		Map<?, ?> change = (Map<?, ?>) manifest.get("correction");
		assertEquals(1, ((Number) change.get("voxelsAdded")).intValue());
		assertEquals(1, ((Number) change.get("voxelsRemoved")).intValue());
		assertEquals("reference", ((Map<?, ?>) manifest.get("image")).get("storage"));
		String text = Files.readString(ref.manifestFile());
		assertFalse(text.contains(series.get(0).seriesInstanceUID()) || text.contains(CASE21.toString())
			|| text.contains("IM0001"), "no UIDs or source paths in the manifest: " + text);
		assertTrue(((Map<?, ?>) Json.parse(Files.readString(copy.manifestFile()))).get("correction").toString()
			.contains("no prediction"));
	}

	@Test
	void refusesBadNamesEmptyMasksAndExistingCases() throws IOException {
		Random r = new Random(1);
		Datasets.Case c = SelfConfiguringTrainingTest.mrCase("x", r, 1.5, 48, 1, 0);
		Path project = dir.resolve("p");
		TrainingSets.add(new TrainingSets.Addition(project, "a", c.image(), List.of(), c.mask(), null, null, null, false, false));
		IllegalArgumentException taken = assertThrows(IllegalArgumentException.class, () -> TrainingSets.add(
			new TrainingSets.Addition(project, "a", c.image(), List.of(), c.mask(), null, null, null, false, false)));
		assertTrue(taken.getMessage().startsWith("case: a is in"), taken.getMessage());
		TrainingSets.add(new TrainingSets.Addition(project, "a", c.image(), List.of(), c.mask(), null, null, null, false, true));
		for (String bad : List.of("", "../up", ".hidden", "a b", "x.nii.gz"))
			assertThrows(IllegalArgumentException.class, () -> TrainingSets.add(new TrainingSets.Addition(project, bad, c.image(),
				List.of(), c.mask(), null, null, null, false, false)), bad);
		IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> TrainingSets.add(
			new TrainingSets.Addition(project, "b", c.image(), List.of(), Mask.empty(c.image().geometry()), null, null, null,
				false, false)));
		assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
		try (var s = Files.list(project.resolve("images"))) {
			assertEquals(List.of("a.nii.gz"), s.map(f -> f.getFileName().toString()).toList(), "no temporary files are left");
		}
		// a case folder holding real files is the user's data: never replaced
		Path own = Files.createDirectories(project.resolve("images").resolve("own"));
		Files.writeString(own.resolve("IM1.dcm"), "the user's file");
		IllegalArgumentException kept = assertThrows(IllegalArgumentException.class, () -> TrainingSets.add(
			new TrainingSets.Addition(project, "own", c.image(), List.of(), c.mask(), null, null, null, false, true)));
		assertTrue(kept.getMessage().contains("not replaced"), kept.getMessage());
		assertEquals("the user's file", Files.readString(own.resolve("IM1.dcm")));
	}
}
