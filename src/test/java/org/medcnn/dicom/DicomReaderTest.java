package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per encoding variant (bundled CT_small copies, see src/test/resources/dicom/PROVENANCE.md) and hostile inputs. */
class DicomReaderTest {

	/** SHA-256 of CT_small's stored values as little-endian int32 (corpus manifest). */
	static final String CT_SMALL_SHA256 = "df61a60dfc368c1da244f035ce15d34d67c2254d5c4ec039bc09e939ac413ce1";

	@TempDir
	Path tmp;

	static Path resource(String name) {
		try {
			return Path.of(DicomReaderTest.class.getResource("/dicom/" + name).toURI());
		} catch (URISyntaxException e) {
			throw new IllegalStateException(name, e);
		}
	}

	private static void assertCtSmall(String name, String tsUid) throws Exception {
		Path f = resource(name);
		DicomObject h = DicomReader.readHeader(f);
		assertEquals(tsUid, h.transferSyntaxUID());
		assertEquals(128, h.getInt(Tag.Rows, 0));
		assertEquals(128, h.getInt(Tag.Columns, 0));
		assertEquals(16, h.getInt(Tag.BitsAllocated, 0));
		assertEquals(1, h.getInt(Tag.PixelRepresentation, 0));
		assertEquals("CT", h.getString(Tag.Modality));
		assertEquals(-1024.0, h.getDouble(Tag.RescaleIntercept, 0));
		assertArrayEquals(new double[] {0.661468, 0.661468}, h.getDoubles(Tag.PixelSpacing));
		assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, h.getDoubles(Tag.ImageOrientationPatient));
		assertFalse(h.pixelDataRetained());
		Map<String, Object> px = DicomInfo.pixelStatistics(DicomReader.read(f));
		assertEquals(CT_SMALL_SHA256, px.get("allFramesSha256"));
		@SuppressWarnings("unchecked")
		Map<String, Object> f0 = (Map<String, Object>) ((List<Object>) px.get("frames")).get(0);
		assertEquals(128L, f0.get("min"));
		assertEquals(2191L, f0.get("max"));
		assertEquals(904.9261474609375, (Double) f0.get("mean"), 1e-12);
		float[][] hu = DicomPixels.realWorldValues(DicomReader.read(f));
		int[][] stored = DicomPixels.storedValues(DicomReader.read(f));
		for (int i = 0; i < stored[0].length; i += 97) assertEquals(stored[0][i] - 1024f, hu[0][i]);
	}

	@Test
	void testExplicitVRLittleEndian() throws Exception {
		assertCtSmall("ct_small_explicit_le.dcm", "1.2.840.10008.1.2.1");
	}

	@Test
	void testImplicitVRLittleEndian() throws Exception {
		assertCtSmall("ct_small_implicit_le.dcm", "1.2.840.10008.1.2");
	}

	@Test
	void testExplicitVRBigEndian() throws Exception {
		assertCtSmall("ct_small_explicit_be.dcm", "1.2.840.10008.1.2.2");
	}

	@Test
	void testDeflatedExplicitVRLittleEndian() throws Exception {
		assertCtSmall("ct_small_deflated.dcm", "1.2.840.10008.1.2.1.99");
	}

	@Test
	void testNoPreambleNoFileMeta() throws Exception {
		assertCtSmall("ct_small_nometa_explicit_le.dcm", "1.2.840.10008.1.2.1");
	}

	@Test
	void testImplicitVRWithoutFileMetaIsDetected() throws Exception {
		byte[] data = DicomBytes.bare(false).str(Tag.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.7")
			.us(Tag.Rows, 2).us(Tag.Columns, 3).str(Tag.PatientName, "PN", "Doe^Jane").bytes();
		DicomObject o = DicomReader.read(data, null, false);
		assertEquals("1.2.840.10008.1.2", o.transferSyntaxUID());
		assertEquals(2, o.getInt(Tag.Rows, 0));
		assertEquals(3, o.getInt(Tag.Columns, 0));
		assertEquals("Doe^Jane", o.getString(Tag.PatientName));
	}

	@Test
	void testNestedSequencesWithUndefinedLengths() throws Exception {
		// SQ (undefined) > item (undefined) > SQ (defined, one defined-length item) + item delimiter + seq delimiter
		byte[] inner = DicomBytes.bare(true).str(Tag.ImagePositionPatient, "DS", "1\\2\\3").bytes();
		byte[] innerSeq = DicomBytes.bare(true).item(Tag.Item, inner.length).bytes(inner).bytes();
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1").str(Tag.Modality, "CS", "SEG")
			.header(Tag.PerFrameFunctionalGroupsSequence, "SQ", 0xFFFFFFFFL)
			.item(Tag.Item, 0xFFFFFFFFL)
			.header(Tag.PlanePositionSequence, "SQ", innerSeq.length).bytes(innerSeq)
			.item(Tag.ItemDelimitationItem, 0)
			.item(Tag.Item, 0xFFFFFFFFL).item(Tag.ItemDelimitationItem, 0)
			.item(Tag.SequenceDelimitationItem, 0)
			.str(Tag.SeriesDescription, "LO", "after the sequence").bytes();
		DicomObject o = DicomReader.read(data, null, false);
		List<DicomObject> frames = o.getSequence(Tag.PerFrameFunctionalGroupsSequence);
		assertEquals(2, frames.size());
		assertArrayEquals(new double[] {1, 2, 3},
			frames.get(0).getSequence(Tag.PlanePositionSequence).get(0).getDoubles(Tag.ImagePositionPatient));
		assertTrue(frames.get(1).tags().isEmpty());
		assertEquals("after the sequence", o.getString(Tag.SeriesDescription));
		assertEquals("SEG", o.getString(Tag.Modality));
	}

	@Test
	void testHugeElementLengthGivesDicomReadExceptionNotOutOfMemory() {
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1").str(Tag.Modality, "CS", "CT")
			.header(Tag.ImageComments, "UT", 0xFFFFFFF0L).bytes(new byte[16]).bytes();
		DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
			() -> assertThrows(DicomReadException.class, () -> DicomReader.read(data, Path.of("huge.dcm"), false)));
		assertTrue(e.getMessage().contains("huge.dcm"), e.getMessage());
		assertTrue(e.getMessage().contains("(0020,4000)"), e.getMessage());
		assertEquals(Tag.ImageComments, e.tag());
	}

	@Test
	void testHugePixelDataLengthInWrittenFile() throws Exception {
		Path f = tmp.resolve("huge_pixels.dcm");
		Files.write(f, DicomBytes.part10("1.2.840.10008.1.2.1").us(Tag.Rows, 4).us(Tag.Columns, 4)
			.us(Tag.BitsAllocated, 16).header(Tag.PixelData, "OW", 0x7FFFFFF0L).bytes(new byte[32]).bytes());
		for (boolean header : new boolean[] {true, false}) {
			DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(
				DicomReadException.class, () -> {
					if (header) DicomReader.readHeader(f);
					else DicomReader.read(f);
				}));
			assertEquals(f, e.file());
			assertEquals(Tag.PixelData, e.tag());
			assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("past the end"), e.getMessage());
		}
	}

	@Test
	void testAbsurdRowsColumnsFramesGiveDicomReadException() throws Exception {
		Path f = tmp.resolve("absurd.dcm");
		Files.write(f, DicomBytes.part10("1.2.840.10008.1.2.1").us(Tag.SamplesPerPixel, 1)
			.str(Tag.NumberOfFrames, "IS", "2000000000").us(Tag.Rows, 65535).us(Tag.Columns, 65535)
			.us(Tag.BitsAllocated, 32).us(Tag.BitsStored, 32).us(Tag.HighBit, 31)
			.raw(Tag.PixelData, "OW", new byte[64]).bytes());
		DicomObject o = DicomReader.read(f);
		DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
			() -> assertThrows(DicomReadException.class, () -> DicomPixels.storedValues(o)));
		assertTrue(e.getMessage().contains("absurd.dcm") && e.getMessage().contains("needs"), e.getMessage());
	}

	@Test
	void testDeeplyNestedSequencesAreRefused() {
		DicomBytes b = DicomBytes.part10("1.2.840.10008.1.2.1");
		for (int i = 0; i < 200; i++) b.header(Tag.ReferencedSeriesSequence, "SQ", 0xFFFFFFFFL).item(Tag.Item, 0xFFFFFFFFL);
		byte[] data = b.bytes();
		DicomReadException e = assertThrows(DicomReadException.class, () -> DicomReader.read(data, Path.of("deep.dcm"), false));
		assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
	}

	@Test
	void testMissingItemDelimiterIsAnError() {
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1")
			.header(Tag.ReferencedSeriesSequence, "SQ", 0xFFFFFFFFL).item(Tag.Item, 0xFFFFFFFFL)
			.str(Tag.SeriesInstanceUID, "UI", "1.2.3").bytes();
		assertThrows(DicomReadException.class, () -> DicomReader.read(data, Path.of("open.dcm"), false));
	}

	@Test
	void testHeaderOnlyStopsBeforePixelData() throws Exception {
		DicomObject h = DicomReader.readHeader(resource("ct_small_explicit_le.dcm"));
		assertTrue(h.hasPixelData());
		assertFalse(h.pixelDataRetained());
		assertNull(h.getBytes(Tag.PixelData));
		assertFalse(h.contains(Tag.DataSetTrailingPadding));
		DicomReadException e = assertThrows(DicomReadException.class, () -> DicomPixels.storedValues(h));
		assertTrue(e.getMessage().contains("header-only"), e.getMessage());
		DicomObject full = DicomReader.read(resource("ct_small_explicit_le.dcm"));
		assertEquals(128 * 128 * 2, full.getBytes(Tag.PixelData).length);
		assertTrue(full.contains(Tag.DataSetTrailingPadding));
	}

	@Test
	void testHeaderLongerThanPrefixIsReadWhole(@TempDir Path dir) throws Exception {
		// A 100 kB private attribute before the image attributes: the 64 KiB prefix is not enough.
		Path f = dir.resolve("long_header.dcm");
		Files.write(f, DicomBytes.part10("1.2.840.10008.1.2.1").raw(0x00091010, "OB", new byte[100_000])
			.us(Tag.Rows, 1).us(Tag.Columns, 2).us(Tag.BitsAllocated, 8).raw(Tag.PixelData, "OB", new byte[] {7, 9})
			.bytes());
		DicomObject h = DicomReader.readHeader(f);
		assertEquals(2, h.getInt(Tag.Columns, 0));
		assertTrue(h.hasPixelData());
		assertArrayEquals(new int[] {7, 9}, DicomPixels.storedValues(DicomReader.read(f))[0]);
	}

	@Test
	void testBitsStoredBelowBitsAllocatedMasksAndSignExtends() throws Exception {
		// 12 bits stored in 16, HighBit 13 (shift 2), signed; stray bits above and below must be dropped.
		int[] cells = {0b1111_1111_1111_1111, 0b0001_1111_1111_1100, 0b0010_0000_0000_0000, 0b1100_0000_0000_0111};
		byte[] px = new byte[8];
		for (int i = 0; i < 4; i++) {
			px[2 * i] = (byte) cells[i];
			px[2 * i + 1] = (byte) (cells[i] >> 8);
		}
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1").us(Tag.Rows, 2).us(Tag.Columns, 2)
			.us(Tag.BitsAllocated, 16).us(Tag.BitsStored, 12).us(Tag.HighBit, 13).us(Tag.PixelRepresentation, 1)
			.raw(Tag.PixelData, "OW", px).bytes();
		int[] v = DicomPixels.storedValues(DicomReader.read(data, null, false))[0];
		assertArrayEquals(new int[] {-1, 2047, -2048, 1}, v);
	}

	@Test
	void testBitsAllocatedOneIsBitPackedAcrossFrames() throws Exception {
		// 3 frames of 1×3 pixels = 9 bits, LSB first, frames contiguous: bits 1,0,1 | 1,1,0 | 0,0,1
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1").str(Tag.NumberOfFrames, "IS", "3").us(Tag.Rows, 1)
			.us(Tag.Columns, 3).us(Tag.BitsAllocated, 1).us(Tag.BitsStored, 1).us(Tag.HighBit, 0)
			.raw(Tag.PixelData, "OB", new byte[] {(byte) 0b0001_1101, (byte) 0b0000_0001}).bytes();
		int[][] v = DicomPixels.storedValues(DicomReader.read(data, null, false));
		assertArrayEquals(new int[] {1, 0, 1}, v[0]);
		assertArrayEquals(new int[] {1, 1, 0}, v[1]);
		assertArrayEquals(new int[] {0, 0, 1}, v[2]);
	}

	@Test
	void testPlanarConfigurationOneIsInterleaved() throws Exception {
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1").us(Tag.SamplesPerPixel, 3)
			.str(Tag.PhotometricInterpretation, "CS", "RGB").us(Tag.PlanarConfiguration, 1).us(Tag.Rows, 1)
			.us(Tag.Columns, 2).us(Tag.BitsAllocated, 8).raw(Tag.PixelData, "OB", new byte[] {1, 2, 3, 4, 5, 6}).bytes();
		assertArrayEquals(new int[] {1, 3, 5, 2, 4, 6}, DicomPixels.storedValues(DicomReader.read(data, null, false))[0]);
	}

	@Test
	void testYbrFullIsConvertedToRgb() throws Exception {
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1").us(Tag.SamplesPerPixel, 3)
			.str(Tag.PhotometricInterpretation, "CS", "YBR_FULL").us(Tag.PlanarConfiguration, 0).us(Tag.Rows, 1)
			.us(Tag.Columns, 2).us(Tag.BitsAllocated, 8)
			.raw(Tag.PixelData, "OB", new byte[] {(byte) 128, (byte) 128, (byte) 128, 76, 85, (byte) 255}).bytes();
		int[] v = DicomPixels.storedValues(DicomReader.read(data, null, false))[0];
		// grey stays grey; (76, 85, 255) is pure red within rounding (ITU-T T.871)
		assertArrayEquals(new int[] {128, 128, 128, 254, 0, 0}, v);
	}

	@Test
	void testCompressedTransferSyntaxHeaderReadsButPixelsAreRefused() throws Exception {
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.4.201").us(Tag.Rows, 1).us(Tag.Columns, 1)
			.us(Tag.BitsAllocated, 8).header(Tag.PixelData, "OB", 0xFFFFFFFFL).item(Tag.Item, 0)
			.item(Tag.Item, 4).bytes(new byte[] {1, 2, 3, 4}).item(Tag.SequenceDelimitationItem, 0).bytes();
		DicomObject o = DicomReader.read(data, Path.of("htj2k.dcm"), false);
		assertTrue(o.isPixelDataEncapsulated());
		assertEquals(1, o.pixelDataFragments().size());
		DicomReadException e = assertThrows(DicomReadException.class, () -> DicomPixels.storedValues(o));
		assertTrue(e.getMessage().contains(
			"1.2.840.10008.1.2.4.201 (High-Throughput JPEG 2000 Image Compression (Lossless Only)) is not supported yet"),
			e.getMessage());
		assertTrue(e.getMessage().contains("htj2k.dcm"), e.getMessage());
	}

	@Test
	void testDumpHidesIdentifiersUnlessAsked() throws Exception {
		byte[] data = DicomBytes.part10("1.2.840.10008.1.2.1").str(Tag.AccessionNumber, "SH", "ACC123")
			.str(Tag.Modality, "CS", "CT").str(Tag.PatientName, "PN", "Doe^Jane").str(Tag.PatientID, "LO", "P-0042")
			.str(Tag.PatientBirthDate, "DA", "19700101").bytes();
		DicomObject o = DicomReader.read(data, null, true);
		String hidden = o.dump(false);
		assertTrue(hidden.contains("(0010,0010) PN PatientName: (hidden)"), hidden);
		assertTrue(hidden.contains("(0008,0060) CS Modality: CT"), hidden);
		for (String secret : new String[] {"Doe", "P-0042", "19700101", "ACC123"}) assertFalse(hidden.contains(secret), secret);
		String shown = o.dump(true);
		assertTrue(shown.contains("(0010,0010) PN PatientName: Doe^Jane"), shown);
	}

	@Test
	void testEmptyAndNonDicomInputs() {
		assertThrows(DicomReadException.class, () -> DicomReader.read(new byte[0], Path.of("empty.dcm"), false));
		byte[] text = "This is not a DICOM file, just text that goes on for a while.".getBytes();
		DicomReadException e = assertThrows(DicomReadException.class, () -> DicomReader.read(text, Path.of("t.txt"), true));
		assertTrue(e.getMessage().contains("not a DICOM file"), e.getMessage());
		assertEquals(-1, e.tag());
	}
}
