package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Volume;

/**
 * Issue 15 item 7: geometry and rescale values that would make wrong numbers are refused by the DICOM layer with
 * the file, the attribute and the value (PixelSpacing 0, negative or NaN; RescaleSlope 0, NaN or 1e308; an
 * all-zero or skewed ImageOrientationPatient; slices at the same position), and assumptions made for missing
 * values are recorded as warnings on the series. Each series is three 2 × 3 axial slices 2 mm apart.
 */
class HostileGeometryTest {

	@TempDir
	Path dir;

	/** Values of one slice; null leaves the attribute out. */
	private record Attrs(String spacing, String slope, String iop, String thickness) {
		static Attrs good() {
			return new Attrs("0.5\\0.75", "2", "1\\0\\0\\0\\1\\0", "2");
		}

		Attrs spacing(String v) {
			return new Attrs(v, slope, iop, thickness);
		}

		Attrs slope(String v) {
			return new Attrs(spacing, v, iop, thickness);
		}

		Attrs iop(String v) {
			return new Attrs(spacing, slope, v, thickness);
		}

		Attrs thickness(String v) {
			return new Attrs(spacing, slope, iop, v);
		}
	}

	private Path slice(String folder, int i, double z, Attrs a) throws IOException {
		byte[] px = new byte[12];
		for (int k = 0; k < 6; k++) px[2 * k] = (byte) (10 * i + k);
		DicomBytes b = DicomBytes.part10("1.2.840.10008.1.2.1").str(Tag.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.2")
			.str(Tag.Modality, "CS", "CT").str(Tag.SeriesInstanceUID, "UI", "1.2.3.9" + folder.length())
			.str(Tag.InstanceNumber, "IS", Integer.toString(i + 1)).str(Tag.ImagePositionPatient, "DS", "0\\0\\" + z);
		if (a.iop != null) b.str(Tag.ImageOrientationPatient, "DS", a.iop);
		b.us(Tag.SamplesPerPixel, 1).str(Tag.PhotometricInterpretation, "CS", "MONOCHROME2").us(Tag.Rows, 2)
			.us(Tag.Columns, 3);
		if (a.thickness != null) b.str(0x00180050, "DS", a.thickness);
		if (a.spacing != null) b.str(Tag.PixelSpacing, "DS", a.spacing);
		b.us(Tag.BitsAllocated, 16).us(Tag.BitsStored, 16).us(Tag.HighBit, 15).us(Tag.PixelRepresentation, 1)
			.str(Tag.RescaleIntercept, "DS", "-1000");
		if (a.slope != null) b.str(Tag.RescaleSlope, "DS", a.slope);
		b.raw(Tag.PixelData, "OW", px);
		Path f = dir.resolve(folder).resolve("s" + i + ".dcm");
		Files.createDirectories(f.getParent());
		Files.write(f, b.bytes());
		return f;
	}

	private Path series(String folder, Attrs a) throws IOException {
		for (int i = 0; i < 3; i++) slice(folder, i, 2.0 * i, a);
		return dir.resolve(folder);
	}

	/** The scan refuses every slice, naming the attribute and the value; scan() throws that refusal. */
	private void assertRefused(Path folder, int tag, String value) {
		DicomReadException e = assertThrows(DicomReadException.class, () -> SeriesScanner.scan(List.of(folder), null, null));
		assertEquals(tag, e.tag(), e.getMessage());
		assertTrue(e.getMessage().contains(value) && e.getMessage().contains(folder.toString()), e.getMessage());
	}

	@Test
	void testPixelSpacingZeroNegativeOrNaNIsRefused() throws Exception {
		assertRefused(series("zero", Attrs.good().spacing("0\\0")), Tag.PixelSpacing, "'0\\0'");
		assertRefused(series("negative", Attrs.good().spacing("-0.5\\-0.75")), Tag.PixelSpacing, "'-0.5\\-0.75'");
		assertRefused(series("nan", Attrs.good().spacing("NaN\\NaN")), Tag.PixelSpacing, "'NaN\\NaN'");
		assertRefused(series("one", Attrs.good().spacing("0.5")), Tag.PixelSpacing, "'0.5'");
	}

	@Test
	void testRescaleSlopeZeroNaNOrOverflowingIsRefused() throws Exception {
		assertRefused(series("slope0", Attrs.good().slope("0")), Tag.RescaleSlope, "is 0");
		assertRefused(series("slopeNaN", Attrs.good().slope("NaN")), Tag.RescaleSlope, "'NaN'");
		assertRefused(series("slope308", Attrs.good().slope("1e308")), Tag.RescaleSlope, "32-bit float");
	}

	@Test
	void testRescaleIsCheckedWhenPixelsAreDecodedToo() throws Exception {
		// A caller that decodes a file without scanning it gets the same refusal.
		Path f = slice("direct", 0, 0, Attrs.good().slope("1e308"));
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> DicomPixels.realWorldValues(DicomReader.read(f)));
		assertEquals(Tag.RescaleSlope, e.tag());
		float[] dst = new float[6];
		assertThrows(DicomReadException.class, () -> DicomPixels.readRealWorldValues(f, dst, 0, h -> {}));
	}

	@Test
	void testOrientationThatIsNoRotationIsRefused() throws Exception {
		assertRefused(series("iopzero", Attrs.good().iop("0\\0\\0\\0\\0\\0")), Tag.ImageOrientationPatient,
			"'0\\0\\0\\0\\0\\0'");
		assertRefused(series("iopskew", Attrs.good().iop("1\\0\\0\\0.7071\\0.7071\\0")), Tag.ImageOrientationPatient,
			"not at right angles");
		assertRefused(series("iopshort", Attrs.good().iop("1\\0\\0\\0\\1")), Tag.ImageOrientationPatient, "6 numbers");
	}

	@Test
	void testDuplicatePositionsAreWarnedOnScanAndRefusedOnRead() throws Exception {
		Path folder = dir.resolve("dup");
		slice("dup", 0, 0, Attrs.good());
		slice("dup", 1, 2, Attrs.good());
		slice("dup", 2, 2, Attrs.good());
		DicomSeries s = SeriesScanner.scan(List.of(folder), null, null).get(0);
		assertTrue(String.join("\n", s.warnings()).contains("duplicate slice positions"), s.warnings().toString());
		for (SeriesReader.DamagedSlices mode : SeriesReader.DamagedSlices.values()) {
			DicomReadException e = assertThrows(DicomReadException.class,
				() -> SeriesReader.load(s, null, null, null, mode));
			assertEquals(Tag.ImagePositionPatient, e.tag());
			assertTrue(e.getMessage().contains("s1.dcm and s2.dcm at 2.000 mm"), e.getMessage());
		}
	}

	@Test
	void testDuplicateFramePositionsAreRefusedOnRead() throws Exception {
		Path f = MultiFrameSeriesTest.writeEnhanced(dir.resolve("enh/dup.dcm"), "1.2.3.95", SeriesScannerTest.AXIAL,
			new double[] {0, 0, 0}, new double[] {0, 3, 3, 6});
		DicomSeries s = SeriesScanner.scan(List.of(f), null, null).get(0);
		DicomReadException e = assertThrows(DicomReadException.class, () -> SeriesReader.read(s, null, null));
		assertEquals(Tag.ImagePositionPatient, e.tag());
		assertTrue(e.getMessage().contains("frame 2 and frame 3"), e.getMessage());
	}

	@Test
	void testAssumptionsForMissingValuesAreWarnings() throws Exception {
		DicomSeries noSpacing = SeriesScanner.scan(List.of(series("nospacing", Attrs.good().spacing(null))), null, null)
			.get(0);
		assertTrue(noSpacing.warnings().contains("no PixelSpacing: 1 mm assumed"), noSpacing.warnings().toString());
		Path single = slice("single", 0, 0, Attrs.good().thickness(null));
		DicomSeries one = SeriesScanner.scan(List.of(single), null, null).get(0);
		assertTrue(String.join("\n", one.warnings()).contains("1 mm assumed for its thickness"), one.warnings().toString());
		assertEquals(1, one.spacing()[2], 0);
		// and the good series reads as before
		Volume v = SeriesReader.read(SeriesScanner.scan(List.of(series("good", Attrs.good())), null, null).get(0), null,
			null);
		assertEquals(2 * 21 - 1000, v.get(1, 0, 2), 0);
	}
}
