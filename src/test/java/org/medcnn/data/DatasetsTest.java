package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.seg.SegOptions;
import org.medcnn.dicom.seg.SegWriter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** The DESIGN.md segmentation layout: images and masks matched by case name, geometry checked. */
class DatasetsTest {

	@TempDir
	Path dir;

	private static final Geometry GRID = new Geometry(16, 12, 4, new double[] {1.5, 1.5, 3}, new double[] {-10, 5, 20},
		Geometry.AXIAL);

	@Test
	void testCaseNames() {
		assertEquals("case01", Datasets.caseName(Path.of("a/case01.nii.gz")));
		assertEquals("case01", Datasets.caseName(Path.of("a/case01")));
		assertEquals("case01", Datasets.caseName(Path.of("a/case01.dcm")));
	}

	@Test
	void testLoadsCasesWithNiftiAndDicomSegMasks() throws IOException {
		Volume ct = volume();
		Mask mask = Mask.empty(GRID);
		for (int x = 3; x < 8; x++) mask.labels()[GRID.index(x, 4, 2)] = 1;
		Path images = dir.resolve("images"), masks = dir.resolve("masks");
		DicomWriter.writeSeries(ct, images.resolve("a"), DicomWriter.SeriesInfo.synthetic("ds-a", "X^Y", "X", "a"));
		DicomWriter.writeSeries(ct, images.resolve("b"), DicomWriter.SeriesInfo.synthetic("ds-b", "X^Y", "X", "b"));
		Nifti.writeMask(mask, masks.resolve("a.nii.gz"));
		DicomSeries b = SeriesScanner.scan(List.of(images.resolve("b")), ProgressListener.NONE, new Cancellation()).get(0);
		Files.createDirectories(masks);
		SegWriter.write(mask, b, masks.resolve("b.dcm"), SegOptions.forModel("test", "1"));

		List<Datasets.Case> cases = Datasets.loadCases(images, masks, ProgressListener.NONE, new Cancellation());
		assertEquals(List.of("a", "b"), cases.stream().map(Datasets.Case::name).toList());
		for (Datasets.Case c : cases) {
			assertArrayEquals(mask.labels(), c.mask().labels(), c.name());
			assertArrayEquals(ct.voxels(), c.image().voxels(), 0f, c.name() + ": HU as written");
		}
	}

	@Test
	void testMaskOnAnotherGridIsRefusedWithItsFileName() throws IOException {
		Path images = dir.resolve("images"), masks = dir.resolve("masks");
		DicomWriter.writeSeries(volume(), images.resolve("a"), DicomWriter.SeriesInfo.synthetic("ds-a", "X^Y", "X", "a"));
		Geometry shifted = new Geometry(16, 12, 4, new double[] {1.5, 1.5, 3}, new double[] {-10, 5, 26}, Geometry.AXIAL);
		Nifti.writeMask(Mask.empty(shifted), masks.resolve("a.nii.gz"));
		IOException e = assertThrows(IOException.class,
			() -> Datasets.loadCases(images, masks, ProgressListener.NONE, new Cancellation()));
		assertTrue(e.getMessage().contains("a.nii.gz") && e.getMessage().contains("origin"), e.getMessage());
	}

	@Test
	void testMissingMaskIsNamed() throws IOException {
		Path images = dir.resolve("images"), masks = dir.resolve("masks");
		Files.createDirectories(masks);
		DicomWriter.writeSeries(volume(), images.resolve("a"), DicomWriter.SeriesInfo.synthetic("ds-a", "X^Y", "X", "a"));
		IOException e = assertThrows(IOException.class,
			() -> Datasets.loadCases(images, masks, ProgressListener.NONE, new Cancellation()));
		assertTrue(e.getMessage().contains("no mask for case 'a'"), e.getMessage());
	}

	private static Volume volume() {
		float[] v = new float[GRID.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (i % 97) - 40;
		return new Volume(GRID, v, "CT");
	}
}
