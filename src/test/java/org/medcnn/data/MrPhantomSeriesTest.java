package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.PixelCoding;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.Tag;
import org.medcnn.volume.Geometry;

/**
 * MR phantom cases written as DICOM MR series and NIfTI masks read back as training data: geometry, spatial order
 * despite shuffled InstanceNumbers, and values within each coding's quantisation. Needs Debian's mricron-data (fails
 * without it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MrPhantomSeriesTest {

	private final List<MrPhantomCase> cases = new ArrayList<>();

	@BeforeAll
	void generate() throws IOException {
		MrTemplate template = MrTemplate.debian();
		// Seed 880005 has the smallest intensity scale of the bench's first 24 cases (0.40), 880013 the largest (3.52).
		for (long seed : new long[] {880_000, 880_005, 880_013, 880_003})
			cases.add(MrPhantomGenerator.generate(seed, MrPhantomGeneratorTest.SMALL, template, null));
	}

	@Test
	void eachCodingReadsBackOnTheMasksGrid(@TempDir Path dir) throws IOException {
		Path images = dir.resolve("images"), masks = dir.resolve("masks");
		List<PixelCoding> codings = new ArrayList<>();
		for (int i = 0; i < cases.size(); i++) {
			PixelCoding c = MrPhantomSeries.coding(cases.get(i), i);
			codings.add(c);
			MrPhantomSeries.write(cases.get(i), c, images, masks, String.format("case%03d", i + 1));
		}
		assertEquals(PixelCoding.unsigned(16), codings.get(0));
		assertEquals(PixelCoding.rescaled(16, true, 1, -1024), codings.get(1));
		assertEquals(0.25, codings.get(2).slope(), "a slope of 0.25 holds up to 16,371: " + codings.get(2));
		assertEquals(12, codings.get(3).bitsStored());

		List<Datasets.Case> loaded = Datasets.loadCases(images, masks, ProgressListener.NONE, new org.medcnn.common.Cancellation());
		assertEquals(cases.size(), loaded.size());
		for (int i = 0; i < cases.size(); i++) {
			MrPhantomCase pc = cases.get(i);
			Datasets.Case c = loaded.get(i);
			Geometry g = pc.volume().geometry();
			assertTrue(g.matches(c.image().geometry(), 1e-3), g.describeMismatch(c.image().geometry(), 1e-3));
			assertTrue(c.mask().geometry().matches(c.image().geometry(), 1e-3));
			assertArrayEquals(pc.mask().labels(), c.mask().labels(), "mask of case " + (i + 1));
			assertEquals("MR", c.image().modality());
			assertArrayEquals(MrPhantomSeries.readBackValues(pc, codings.get(i)), c.image().voxels(), "values of case " + (i + 1));
		}
	}

	@Test
	void slicesAreReadInSpatialOrderThoughInstanceNumbersAreShuffled(@TempDir Path dir) throws IOException {
		MrPhantomCase pc = cases.get(0);
		Path series = MrPhantomSeries.write(pc, PixelCoding.unsigned(16), dir, dir, "c");
		assertTrue(Files.isRegularFile(dir.resolve("c.nii.gz")));
		List<DicomSeries> s = SeriesScanner.scan(List.of(series), null, null);
		assertEquals(1, s.size());
		Geometry g = pc.volume().geometry();
		double[] normal = java.util.Arrays.copyOfRange(g.direction(), 6, 9);
		double previous = Double.NEGATIVE_INFINITY;
		int inOrder = 0, lastInstance = 0;
		for (Path f : s.get(0).files()) {
			var o = DicomReader.readHeader(f);
			double[] ipp = o.getDoubles(Tag.ImagePositionPatient);
			double along = ipp[0] * normal[0] + ipp[1] * normal[1] + ipp[2] * normal[2];
			assertTrue(along > previous, "ascending along the slice normal");
			previous = along;
			int instance = o.getInt(Tag.InstanceNumber, -1);
			if (instance == lastInstance + 1) inOrder++;
			lastInstance = instance;
			assertEquals("MR phantom^c", o.getString(Tag.PatientName));
		}
		assertTrue(inOrder < g.nz() / 2, inOrder + " of " + g.nz() + " slices follow their predecessor's InstanceNumber");
		assertFalse(s.get(0).warnings().stream().anyMatch(w -> w.contains("InstanceNumber")), s.get(0).warnings().toString());
	}
}
