package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Volume;

class SeriesReaderTest {

	@TempDir
	Path dir;

	@Test
	void testSeriesCtGivesHounsfieldUnitsInSpatialOrder() throws Exception {
		Assumptions.assumeTrue(Files.isDirectory(SeriesScannerTest.SERIES_CT), "shared corpus missing");
		DicomSeries s = SeriesScanner.scan(List.of(SeriesScannerTest.SERIES_CT), null, null).get(0);
		List<Double> fractions = new ArrayList<>();
		Volume v = SeriesReader.read(s, (f, m) -> fractions.add(f), null);
		assertEquals("CT", v.modality());
		assertEquals(20, v.geometry().nz());
		assertEquals(128, v.geometry().nx());
		assertEquals(5.0, v.geometry().spacingMm()[2], 1e-4);
		for (int z = 0; z < 20; z++) {
			int[] stored = DicomPixels.storedValues(DicomReader.read(s.files().get(z)))[0];
			assertEquals(z - 1024f, v.get(0, 0, z)); // HU = stored × 1 − 1024, stored (0,0) = spatial index
			assertEquals(stored[128 * 5 + 7] - 1024f, v.get(7, 5, z));
			assertEquals(s.files().get(z).getFileName().toString(), v.sliceLabels().get(z));
		}
		assertEquals(1.0, fractions.get(fractions.size() - 1));
	}

	@Test
	void testRescaleSlopeAndIntercept() throws Exception {
		for (int i = 0; i < 3; i++)
			SeriesScannerTest.writeSlice(dir.resolve("r" + i + ".dcm"), "1.2.3.20", 2, 3, new double[] {0, 0, 3 * i},
				SeriesScannerTest.AXIAL, 3 - i, 100 + i);
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		Volume v = SeriesReader.read(s, null, null);
		for (int z = 0; z < 3; z++) assertEquals((100 + z) * 2f - 1000f, v.get(2, 1, z));
		assertEquals(3.0, v.geometry().spacingMm()[2], 1e-9);
	}

	@Test
	void testSliceOfWrongSizeIsNamed() throws Exception {
		Path a = SeriesScannerTest.writeSlice(dir.resolve("a.dcm"), "1.2.3.21", 2, 2, new double[] {0, 0, 0},
			SeriesScannerTest.AXIAL, 1, 0);
		Path b = SeriesScannerTest.writeSlice(dir.resolve("b.dcm"), "1.2.3.21", 3, 3, new double[] {0, 0, 1},
			SeriesScannerTest.AXIAL, 2, 0);
		DicomSeries s = new DicomSeries("1.2.3.21", "CT", 2, 2, List.of(a, b), new double[] {1, 1, 1}, new double[3],
			new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, List.of(), null, null);
		DicomReadException e = assertThrows(DicomReadException.class, () -> SeriesReader.read(s, null, null));
		assertEquals(b, e.file());
		assertTrue(e.getMessage().contains("b.dcm"), e.getMessage());
	}
}
