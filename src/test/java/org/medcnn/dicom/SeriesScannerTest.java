package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;

class SeriesScannerTest {

	static final Path SERIES_CT = DicomCorpusTest.CORPUS.resolve("files/series_ct");

	@TempDir
	Path dir;

	/** Writes a one-slice CT image whose pixels all hold {@code value}. */
	static Path writeSlice(Path f, String seriesUid, int rows, int cols, double[] ipp, double[] iop, int instance,
		int value) throws IOException {
		byte[] px = new byte[rows * cols * 2];
		for (int i = 0; i < rows * cols; i++) {
			px[2 * i] = (byte) value;
			px[2 * i + 1] = (byte) (value >> 8);
		}
		DicomBytes b = DicomBytes.part10("1.2.840.10008.1.2.1").str(Tag.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.2")
			.str(Tag.Modality, "CS", "CT").str(Tag.SeriesInstanceUID, "UI", seriesUid)
			.str(Tag.InstanceNumber, "IS", Integer.toString(instance));
		if (ipp != null) b.str(Tag.ImagePositionPatient, "DS", ds(ipp));
		if (iop != null) b.str(Tag.ImageOrientationPatient, "DS", ds(iop));
		b.us(Tag.SamplesPerPixel, 1).str(Tag.PhotometricInterpretation, "CS", "MONOCHROME2").us(Tag.Rows, rows)
			.us(Tag.Columns, cols).str(Tag.PixelSpacing, "DS", "0.5\\0.75").us(Tag.BitsAllocated, 16)
			.us(Tag.BitsStored, 16).us(Tag.HighBit, 15).us(Tag.PixelRepresentation, 1)
			.str(Tag.RescaleIntercept, "DS", "-1000").str(Tag.RescaleSlope, "DS", "2").raw(Tag.PixelData, "OW", px);
		Files.createDirectories(f.getParent());
		Files.write(f, b.bytes());
		return f;
	}

	private static String ds(double[] v) {
		StringBuilder sb = new StringBuilder();
		for (double d : v) sb.append(sb.length() == 0 ? "" : "\\").append(String.format(Locale.ROOT, "%.4f", d));
		return sb.toString();
	}

	static final double[] AXIAL = {1, 0, 0, 0, 1, 0};

	@Test
	void testSeriesCtIsSortedAlongTheNormalNotByInstanceNumber() throws Exception {
		Assumptions.assumeTrue(Files.isDirectory(SERIES_CT), "shared corpus missing");
		Map<String, Object> manifest = Json.asObject(
			Json.parse(Files.readString(DicomCorpusTest.CORPUS.resolve("manifest.json"))), "manifest");
		Map<String, Object> s0 = Json.asObject(Json.asArray(manifest.get("series"), "series").get(0), "series[0]");
		List<Path> expected = new ArrayList<>();
		for (Object o : Json.asArray(s0.get("sorted_files"), "sorted_files"))
			expected.add(DicomCorpusTest.CORPUS.resolve((String) Json.asObject(o, "entry").get("file")));

		List<DicomSeries> found = SeriesScanner.scan(List.of(SERIES_CT), null, new Cancellation());
		assertEquals(1, found.size());
		DicomSeries s = found.get(0);
		assertEquals(expected, s.files());
		assertEquals(5.0, s.spacing()[2], 1e-4);
		assertEquals(0.661468, s.spacing()[0], 1e-9);
		assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, s.direction(), 1e-12);
		assertEquals(-75.699997, s.origin()[2], 1e-6);
		assertTrue(s.warnings().isEmpty(), s.warnings().toString());
		assertEquals(20, s.geometry().nz());
		for (int k = 0; k < s.files().size(); k++) {
			int[] v = DicomPixels.storedValues(DicomReader.read(s.files().get(k)))[0];
			assertEquals(k, v[0], "pixel (0,0) of " + s.files().get(k));
		}
		Map<String, Object> json = s.toJson();
		assertEquals(List.of("seriesInstanceUID", "modality", "rows", "columns", "slices", "files", "spacing", "origin",
			"direction", "warnings"), List.copyOf(json.keySet()));
		assertEquals("2.25.1952035000000000000000000000000001", json.get("seriesInstanceUID"));
		assertEquals(20, json.get("slices"));
	}

	@Test
	void testObliqueSeriesSortsByDistanceAlongNormal() throws Exception {
		// Sagittal: row = +y, column = -z, normal = row × column = (-1, 0, 0): ascending distance = decreasing x.
		double[] sag = {0, 1, 0, 0, 0, -1};
		double[] xs = {10, -10, 0, 30, 20};
		for (int i = 0; i < xs.length; i++)
			writeSlice(dir.resolve("s" + i + ".dcm"), "1.2.3.9", 4, 4, new double[] {xs[i], 5, 7}, sag, i + 1, 0);
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		List<String> names = s.files().stream().map(p -> p.getFileName().toString()).toList();
		assertEquals(List.of("s3.dcm", "s4.dcm", "s0.dcm", "s2.dcm", "s1.dcm"), names);
		assertEquals(10.0, s.spacing()[2], 1e-9);
		assertArrayEquals(new double[] {-1, 0, 0}, java.util.Arrays.copyOfRange(s.direction(), 6, 9), 1e-12);
		assertArrayEquals(new double[] {0.75, 0.5, 10.0}, s.spacing(), 1e-12); // x = column spacing
		assertTrue(s.warnings().isEmpty(), s.warnings().toString());
	}

	@Test
	void testGapAndDuplicateAreWarned() throws Exception {
		double[] z = {0, 2, 4, 10, 12, 12};
		for (int i = 0; i < z.length; i++)
			writeSlice(dir.resolve("z" + i + ".dcm"), "1.2.3.10", 2, 2, new double[] {0, 0, z[i]}, AXIAL, i, 0);
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		assertEquals(2.0, s.spacing()[2], 1e-9);
		String w = String.join("\n", s.warnings());
		assertTrue(w.contains("gap of 6.000 mm"), w);
		assertTrue(w.contains("duplicate slice position"), w);
	}

	@Test
	void testNonUniformSpacingIsWarned() throws Exception {
		double[] z = {0, 2, 4.5, 6.5, 8.5};
		for (int i = 0; i < z.length; i++)
			writeSlice(dir.resolve("u" + i + ".dcm"), "1.2.3.11", 2, 2, new double[] {0, 0, z[i]}, AXIAL, i, 0);
		String w = String.join("\n", SeriesScanner.scan(List.of(dir), null, null).get(0).warnings());
		assertTrue(w.contains("non-uniform slice spacing"), w);
	}

	@Test
	void testMixedSizesAreSplitAndOtherFilesSkippedWithWarning() throws Exception {
		writeSlice(dir.resolve("a1.dcm"), "1.2.3.12", 2, 2, new double[] {0, 0, 0}, AXIAL, 1, 0);
		writeSlice(dir.resolve("a2.dcm"), "1.2.3.12", 2, 2, new double[] {0, 0, 1}, AXIAL, 2, 0);
		writeSlice(dir.resolve("b1.dcm"), "1.2.3.12", 4, 4, new double[] {0, 0, 0}, AXIAL, 3, 0);
		Files.writeString(dir.resolve("notes.txt"), "not an image at all, just some words");
		List<DicomSeries> found = SeriesScanner.scan(List.of(dir), null, null);
		assertEquals(2, found.size());
		for (DicomSeries s : found) {
			String w = String.join("\n", s.warnings());
			assertTrue(w.contains("split"), w);
			assertTrue(w.contains("notes.txt"), w);
		}
	}

	@Test
	void testMultiFrameFileIsItsOwnSeries() throws Exception {
		byte[] px = new byte[2 * 2 * 3];
		for (int i = 0; i < px.length; i++) px[i] = (byte) (i / 4);
		Files.write(dir.resolve("mf.dcm"), DicomBytes.part10("1.2.840.10008.1.2.1").str(Tag.Modality, "CS", "MR")
			.str(Tag.SpacingBetweenSlices, "DS", "2.5").str(Tag.SeriesInstanceUID, "UI", "1.2.3.13")
			.str(Tag.NumberOfFrames, "IS", "3").us(Tag.Rows, 2).us(Tag.Columns, 2).us(Tag.BitsAllocated, 8)
			.raw(Tag.PixelData, "OB", px).bytes());
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		assertEquals(3, s.slices());
		assertEquals(1, s.files().size());
		assertEquals(2.5, s.spacing()[2]);
		var v = SeriesReader.read(s, null, null);
		assertEquals(2f, v.get(1, 1, 2));
		assertEquals("mf.dcm [frame 3]", v.sliceLabels().get(2));
	}

	@Test
	void testCancellationStopsScanning() throws Exception {
		writeSlice(dir.resolve("c.dcm"), "1.2.3.14", 2, 2, new double[] {0, 0, 0}, AXIAL, 1, 0);
		Cancellation c = new Cancellation();
		c.cancel();
		org.junit.jupiter.api.Assertions.assertThrows(CancellationException.class,
			() -> SeriesScanner.scan(List.of(dir), null, c));
	}
}
