package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * Training sets split by symbolic links (issue 12 item 1): case folders and class items that are links to series
 * folders elsewhere load as the folders themselves; a case linked back to its own folder is refused, naming the loop.
 */
class DatasetsLinksTest {

	@TempDir
	Path dir;

	private static final Geometry GRID = new Geometry(8, 6, 3, new double[] {1, 1, 2}, new double[] {0, 0, 0},
		Geometry.AXIAL);

	private static Volume volume(int offset) {
		float[] v = new float[GRID.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (i % 31) - 10 + offset;
		return new Volume(GRID, v, "CT");
	}

	/** All cases in {@code all/}, the training set as links to some of them in {@code train/}. */
	private Path linkedImages() throws IOException {
		Path all = dir.resolve("all");
		for (String c : new String[] {"a", "b", "c"})
			DicomWriter.writeSeries(volume(c.charAt(0)), all.resolve(c), DicomWriter.SeriesInfo.synthetic("ds-" + c, "X^Y", "X", c));
		Path train = Files.createDirectories(dir.resolve("train"));
		Files.createSymbolicLink(train.resolve("a"), all.resolve("a"));
		Files.createSymbolicLink(train.resolve("b"), Path.of("../all/b"));
		return train;
	}

	@Test
	void testSegmentationCasesThatAreLinks() throws IOException {
		Path train = linkedImages();
		Path masks = dir.resolve("masks");
		Mask mask = Mask.empty(GRID);
		mask.labels()[GRID.index(2, 3, 1)] = 1;
		Nifti.writeMask(mask, masks.resolve("a.nii.gz"));
		Nifti.writeMask(mask, masks.resolve("b.nii.gz"));
		List<Datasets.Case> cases = Datasets.loadCases(train, masks, ProgressListener.NONE, new Cancellation());
		assertEquals(List.of("a", "b"), cases.stream().map(Datasets.Case::name).toList());
		assertArrayEquals(volume('a').voxels(), cases.get(0).image().voxels(), 0f);
		assertArrayEquals(volume('b').voxels(), cases.get(1).image().voxels(), 0f);
	}

	@Test
	void testClassItemsThatAreLinks() throws IOException {
		Path all = linkedImages().getParent().resolve("all");
		Path data = dir.resolve("data");
		Files.createDirectories(data.resolve("high"));
		Files.createDirectories(data.resolve("low"));
		Files.createSymbolicLink(data.resolve("high/a"), all.resolve("a"));
		Files.createSymbolicLink(data.resolve("low/b"), all.resolve("b"));
		Files.createSymbolicLink(data.resolve("low/c"), all.resolve("c"));
		List<Datasets.Item> items = Datasets.loadItems(data, ProgressListener.NONE, new Cancellation());
		assertEquals(List.of("high/a", "low/b", "low/c"), items.stream().map(Datasets.Item::name).toList());
		assertEquals(List.of(0, 1, 1), items.stream().map(Datasets.Item::label).toList());
	}

	@Test
	void testCaseLinkedToItsOwnFolderIsRefusedNamingTheLoop() throws IOException {
		Path train = linkedImages();
		Path loop = Files.createSymbolicLink(train.resolve("self"), Path.of("."));
		IOException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
			() -> assertThrows(IOException.class, () -> Datasets.load(loop, ProgressListener.NONE, new Cancellation())));
		assertTrue(e.getMessage().startsWith(loop.toString()) && e.getMessage().contains("a loop of symbolic links")
			&& e.getMessage().contains(train.toRealPath().toString()), e.getMessage());
	}
}
