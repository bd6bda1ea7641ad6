package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.SeriesReader.DamagedSlices;
import org.medcnn.volume.Volume;

/**
 * {@link SeriesReader} with {@link DamagedSlices#SKIP}: a synthetic axial CT series of five 3×2 slices 3 mm apart
 * (z = 0, 3, 6, 9, 12; stored values {@link #STORED}, HU = stored × 2 − 1000) in which one file is whose Pixel Data is
 * shorter than the image needs, so that the header scan still accepts it but the pixels cannot be decoded.
 */
class SeriesReaderDamagedTest {

	/** Stored value of every pixel of slice i; slice 2 differs from the mean of its neighbours (120). */
	static final int[] STORED = {100, 110, 500, 130, 140};

	@TempDir
	Path dir;

	/** Writes the series, truncates slice {@code damaged} (by spatial index; none when negative) and scans it. */
	private DicomSeries series(int damaged) throws IOException {
		for (int i = 0; i < STORED.length; i++) {
			Path f = SeriesScannerTest.writeSlice(dir.resolve("s" + i + ".dcm"), "1.2.3.77", 2, 3, new double[] {-5, 7, 3 * i},
				SeriesScannerTest.AXIAL, STORED.length - i, STORED[i]);
			if (i == damaged) truncate(f);
		}
		List<DicomSeries> found = SeriesScanner.scan(List.of(dir), null, null);
		assertEquals(1, found.size());
		assertEquals(STORED.length, found.get(0).slices(), "the header scan still accepts the damaged file");
		return found.get(0);
	}

	/**
	 * Damages the pixels of a slice written by {@link SeriesScannerTest#writeSlice} with 2 × 3 pixels: the Pixel Data
	 * element (last in the file, explicit VR OW: 4-byte length at offset −16) is cut from 12 to 8 bytes, length and
	 * file alike, so the header is well formed and passes the scan but the pixels are too short to decode.
	 */
	static void truncate(Path f) throws IOException {
		byte[] b = Files.readAllBytes(f);
		int at = b.length - 16;
		assertEquals(12, (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24,
			"Pixel Data length");
		b[at] = 8;
		Files.write(f, Arrays.copyOf(b, b.length - 4));
	}

	private static float hu(int i) {
		return STORED[i] * 2f - 1000f;
	}

	@Test
	void testFirstSliceDamagedIsLeftOut() throws Exception {
		DicomSeries s = series(0);
		SeriesReader.Loaded l = SeriesReader.load(s, null, null, ResampleOption.NONE, DamagedSlices.SKIP);
		Volume v = l.volume();
		assertEquals(4, v.geometry().nz());
		assertArrayEquals(new double[] {-5, 7, 3}, v.geometry().originMm(), 1e-4);
		assertEquals(3.0, v.geometry().spacingMm()[2], 1e-6);
		assertEquals(0.75, v.geometry().spacingMm()[0], 1e-6);
		for (int z = 0; z < 4; z++) assertEquals(hu(z + 1), v.get(2, 1, z));
		assertEquals("s1.dcm", v.sliceLabels().get(0));
		assertEquals(1, l.damaged().size());
		assertEquals(dir.resolve("s0.dcm"), l.damaged().get(0).file());
		assertEquals(1, l.warnings().size());
		assertTrue(l.warnings().get(0).contains("s0.dcm") && l.warnings().get(0).contains("start"), l.warnings().get(0));
		assertEquals(s.files().subList(1, 5), l.files());
	}

	@Test
	void testLastSliceDamagedIsLeftOut() throws Exception {
		DicomSeries s = series(4);
		SeriesReader.Loaded l = SeriesReader.load(s, null, null, ResampleOption.NONE, DamagedSlices.SKIP);
		Volume v = l.volume();
		assertEquals(4, v.geometry().nz());
		assertArrayEquals(new double[] {-5, 7, 0}, v.geometry().originMm(), 1e-4);
		assertEquals(3.0, v.geometry().spacingMm()[2], 1e-6);
		for (int z = 0; z < 4; z++) assertEquals(hu(z), v.get(0, 0, z));
		assertTrue(l.warnings().get(0).contains("s4.dcm") && l.warnings().get(0).contains("end"), l.warnings().get(0));
	}

	@Test
	void testMiddleSliceDamagedWithoutResamplingIsRefusedNamingFileAndOption() throws Exception {
		DicomSeries s = series(2);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> SeriesReader.load(s, null, null, ResampleOption.NONE, DamagedSlices.SKIP));
		assertEquals(dir.resolve("s2.dcm"), e.file());
		assertTrue(e.getMessage().contains("s2.dcm"), e.getMessage());
		assertTrue(e.getMessage().contains("UNIFORM") && e.getMessage().contains("gap"), e.getMessage());
	}

	@Test
	void testMiddleSliceDamagedWithUniformIsInterpolatedAndSaid() throws Exception {
		DicomSeries s = series(2);
		SeriesReader.Loaded l = SeriesReader.load(s, null, null, ResampleOption.UNIFORM, DamagedSlices.SKIP);
		Volume v = l.volume();
		assertEquals(5, v.geometry().nz());
		assertArrayEquals(new double[] {-5, 7, 0}, v.geometry().originMm(), 1e-4);
		assertEquals(3.0, v.geometry().spacingMm()[2], 1e-6);
		// Linear interpolation halfway between slices 1 and 3: their mean (−760 HU), not the lost 0 HU.
		assertEquals((hu(1) + hu(3)) / 2, v.get(1, 0, 2), 1e-4);
		for (int z : new int[] {0, 1, 3, 4}) assertEquals(hu(z), v.get(1, 1, z));
		assertTrue(v.sliceLabels().get(2).contains("interpolated"), v.sliceLabels().get(2));
		assertEquals(1, l.warnings().size());
		String w = l.warnings().get(0);
		assertTrue(w.contains("s2.dcm") && w.contains("interpolated") && w.contains("s1.dcm") && w.contains("s3.dcm"), w);
		assertEquals(s.files(), l.files());
	}

	@Test
	void testOptionOffKeepsTodaysException() throws Exception {
		DicomSeries s = series(2);
		Path bad = dir.resolve("s2.dcm");
		DicomReadException direct = assertThrows(DicomReadException.class,
			() -> DicomPixels.realWorldValues(DicomReader.read(bad)));
		DicomReadException viaRead = assertThrows(DicomReadException.class, () -> SeriesReader.read(s, null, null));
		DicomReadException viaRefuse = assertThrows(DicomReadException.class,
			() -> SeriesReader.load(s, null, null, ResampleOption.UNIFORM, DamagedSlices.REFUSE));
		DicomReadException viaNull = assertThrows(DicomReadException.class,
			() -> SeriesReader.load(s, null, null, ResampleOption.NONE, null));
		for (DicomReadException e : List.of(viaRead, viaRefuse, viaNull)) {
			assertEquals(bad, e.file());
			assertEquals(direct.getMessage(), e.getMessage());
		}
	}

	@Test
	void testAllSlicesDamagedIsRefusedNamingEveryFile() throws Exception {
		for (int i = 0; i < 3; i++)
			truncate(SeriesScannerTest.writeSlice(dir.resolve("a" + i + ".dcm"), "1.2.3.78", 2, 3, new double[] {0, 0, i},
				SeriesScannerTest.AXIAL, i + 1, 7));
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> SeriesReader.load(s, null, null, ResampleOption.UNIFORM, DamagedSlices.SKIP));
		for (int i = 0; i < 3; i++) assertTrue(e.getMessage().contains("a" + i + ".dcm"), e.getMessage());
	}

	@Test
	void testOneGoodSliceOfTwoIsRefused() throws Exception {
		SeriesScannerTest.writeSlice(dir.resolve("b0.dcm"), "1.2.3.79", 2, 3, new double[] {0, 0, 0},
			SeriesScannerTest.AXIAL, 1, 7);
		truncate(SeriesScannerTest.writeSlice(dir.resolve("b1.dcm"), "1.2.3.79", 2, 3, new double[] {0, 0, 2},
			SeriesScannerTest.AXIAL, 2, 7));
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> SeriesReader.load(s, null, null, ResampleOption.NONE, DamagedSlices.SKIP));
		assertTrue(e.getMessage().contains("b1.dcm") && e.getMessage().contains("only 1 of the 2"), e.getMessage());
	}

	@Test
	void testSliceOfWrongSizeIsNeverSkipped() throws Exception {
		Path a = SeriesScannerTest.writeSlice(dir.resolve("a.dcm"), "1.2.3.80", 2, 2, new double[] {0, 0, 0},
			SeriesScannerTest.AXIAL, 1, 0);
		Path b = SeriesScannerTest.writeSlice(dir.resolve("b.dcm"), "1.2.3.80", 3, 3, new double[] {0, 0, 1},
			SeriesScannerTest.AXIAL, 2, 0);
		Path c = SeriesScannerTest.writeSlice(dir.resolve("c.dcm"), "1.2.3.80", 2, 2, new double[] {0, 0, 2},
			SeriesScannerTest.AXIAL, 3, 0);
		DicomSeries s = new DicomSeries("1.2.3.80", "CT", 2, 2, List.of(a, b, c), new double[] {1, 1, 1}, new double[3],
			new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, List.of(), null, null);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> SeriesReader.load(s, null, null, ResampleOption.UNIFORM, DamagedSlices.SKIP));
		assertEquals(b, e.file());
	}

	@Test
	void testUndamagedSeriesReadsAsWithoutTheOption() throws Exception {
		DicomSeries s = series(-1);
		SeriesReader.Loaded l = SeriesReader.load(s, null, null, ResampleOption.NONE, DamagedSlices.SKIP);
		Volume plain = SeriesReader.read(s, null, null);
		assertArrayEquals(plain.voxels(), l.volume().voxels());
		assertEquals(plain.sliceLabels(), l.volume().sliceLabels());
		assertTrue(l.warnings().isEmpty() && l.damaged().isEmpty());
	}
}
