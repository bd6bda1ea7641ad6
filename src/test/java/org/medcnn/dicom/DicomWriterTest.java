package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomWriter.SeriesInfo;
import org.medcnn.testing.ChildProcesses;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * Checks the written files at byte level with a minimal Explicit VR Little Endian walker written here, so most
 * tests do not depend on MedCNN's DICOM reader; one reads a written series back with it.
 */
class DicomWriterTest {

	@TempDir
	Path tmp;

	/** A parsed element: VR and raw value bytes. */
	private record Element(String vr, byte[] value, int valueOffset) {
		String text() {
			return new String(value, StandardCharsets.US_ASCII);
		}

		int us() {
			return (value[0] & 0xFF) | (value[1] & 0xFF) << 8;
		}
	}

	private static final Set<String> LONG_VRS = Set.of("OB", "OW", "OF", "SQ", "UT", "UN");

	/** Walks a PS3.10 file: checks preamble and DICM, then returns all top-level elements by tag. */
	private static Map<Integer, Element> parse(byte[] file) {
		for (int i = 0; i < 128; i++) assertEquals(0, file[i], "preamble byte " + i);
		assertEquals("DICM", new String(file, 128, 4, StandardCharsets.US_ASCII));
		ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
		b.position(132);
		Map<Integer, Element> out = new LinkedHashMap<>();
		int previous = -1;
		while (b.remaining() > 0) {
			int group = b.getShort() & 0xFFFF, elem = b.getShort() & 0xFFFF;
			int tag = group << 16 | elem;
			assertTrue(Integer.compareUnsigned(tag, previous) > 0 || previous == -1, "ascending tag order at "
				+ Tag.toString(tag));
			previous = tag;
			String vr = new String(new byte[] {b.get(), b.get()}, StandardCharsets.US_ASCII);
			int len;
			if (LONG_VRS.contains(vr)) {
				assertEquals(0, b.getShort(), "reserved bytes of " + Tag.toString(tag));
				len = b.getInt();
			} else {
				len = b.getShort() & 0xFFFF;
			}
			assertEquals(0, len % 2, "even value length of " + Tag.toString(tag));
			int offset = b.position();
			byte[] v = new byte[len];
			b.get(v);
			out.put(tag, new Element(vr, v, offset));
		}
		return out;
	}

	private static Volume ramp(Geometry g) {
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (i % 7) * 300 - 1000 + i / 7;
		return new Volume(g, v, "CT");
	}

	private static SeriesInfo info() {
		return SeriesInfo.synthetic("test-seed", "PHANTOM^CASE01", "PH-01", "unit test");
	}

	@Test
	void testPart10FileMetaAndTransferSyntax() {
		Geometry g = Geometry.axial(5, 4, 3, 0.7, 0.8, 2.5);
		byte[] file = DicomWriter.encodeSlice(ramp(g), 1, info());
		Map<Integer, Element> e = parse(file);
		Element groupLength = e.get(Tag.FileMetaInformationGroupLength);
		assertEquals("UL", groupLength.vr());
		int metaLength = ByteBuffer.wrap(groupLength.value()).order(ByteOrder.LITTLE_ENDIAN).getInt();
		// The group length counts every byte of group 0002 after the group-length element itself.
		int metaEnd = groupLength.valueOffset() + 4 + metaLength;
		int firstDataSet = e.get(Tag.ImageType).valueOffset() - 8;
		assertEquals(metaEnd, firstDataSet);
		assertEquals("1.2.840.10008.1.2.1\0", e.get(Tag.TransferSyntaxUID).text());
		assertEquals(DicomWriter.CT_IMAGE_STORAGE + "\0", e.get(Tag.MediaStorageSOPClassUID).text());
		assertEquals(e.get(Tag.SOPInstanceUID).text(), e.get(Tag.MediaStorageSOPInstanceUID).text());
		assertArrayEquals(new byte[] {0, 1}, e.get(Tag.FileMetaInformationVersion).value());
	}

	@Test
	void testPixelDataStoredAsHuPlus1024() {
		Geometry g = Geometry.axial(5, 4, 3, 0.7, 0.8, 2.5);
		Volume v = ramp(g);
		for (int z = 0; z < 3; z++) {
			Map<Integer, Element> e = parse(DicomWriter.encodeSlice(v, z, info()));
			assertEquals(4, e.get(Tag.Rows).us());
			assertEquals(5, e.get(Tag.Columns).us());
			assertEquals(16, e.get(Tag.BitsAllocated).us());
			assertEquals(16, e.get(Tag.BitsStored).us());
			assertEquals(15, e.get(Tag.HighBit).us());
			assertEquals(1, e.get(Tag.PixelRepresentation).us());
			assertEquals("-1024 ", e.get(Tag.RescaleIntercept).text());
			assertEquals("1 ", e.get(Tag.RescaleSlope).text());
			Element px = e.get(Tag.PixelData);
			assertEquals("OW", px.vr());
			assertEquals(40, px.value().length);
			ByteBuffer b = ByteBuffer.wrap(px.value()).order(ByteOrder.LITTLE_ENDIAN);
			for (int i = 0; i < 20; i++)
				assertEquals(v.voxels()[z * 20 + i], b.getShort(2 * i) - 1024, 0, "pixel " + i + " of slice " + z);
		}
	}

	@Test
	void testOutOfRangeAndFractionalValuesAreRoundedAndClamped() {
		Geometry g = Geometry.axial(4, 1, 1, 1, 1, 1);
		Volume v = new Volume(g, new float[] {-1e6f, 1e6f, 12.5f, -3.4f}, "CT");
		ByteBuffer b = ByteBuffer.wrap(parse(DicomWriter.encodeSlice(v, 0, info())).get(Tag.PixelData).value())
			.order(ByteOrder.LITTLE_ENDIAN);
		assertEquals(Short.MIN_VALUE, b.getShort(0));
		assertEquals(Short.MAX_VALUE, b.getShort(2));
		assertEquals(13 + 1024, b.getShort(4));
		assertEquals(-3 + 1024, b.getShort(6));
	}

	@Test
	void testGeometryTagsOfAnObliqueSeries() {
		double c = Math.cos(0.3), s = Math.sin(0.3);
		double[] dir = {c, s, 0, -s, c, 0, 0, 0, 1};
		Geometry g = new Geometry(5, 4, 3, new double[] {0.7, 0.8, 2.5}, new double[] {-10.25, 20, 33.3}, dir);
		Volume v = ramp(g);
		for (int z = 0; z < 3; z++) {
			Map<Integer, Element> e = parse(DicomWriter.encodeSlice(v, z, info()));
			double[] ipp = numbers(e.get(Tag.ImagePositionPatient).text());
			assertArrayEquals(g.toPatient(0, 0, z), ipp, 1e-9);
			assertArrayEquals(Arrays.copyOf(dir, 6), numbers(e.get(Tag.ImageOrientationPatient).text()), 1e-12);
			// PixelSpacing is [row spacing (y), column spacing (x)].
			assertArrayEquals(new double[] {0.8, 0.7}, numbers(e.get(Tag.PixelSpacing).text()), 0);
			assertArrayEquals(new double[] {2.5}, numbers(e.get(Tag.SliceThickness).text()), 0);
			assertArrayEquals(new double[] {2.5}, numbers(e.get(Tag.SpacingBetweenSlices).text()), 0);
			assertEquals(Integer.toString(z + 1), e.get(Tag.InstanceNumber).text().trim());
			assertEquals("CT", e.get(Tag.Modality).text());
			assertEquals("PHANTOM^CASE01", e.get(Tag.PatientName).text());
			assertEquals("unit test ", e.get(Tag.SeriesDescription).text());
			assertEquals("40", e.get(Tag.WindowCenter).text());
			assertEquals("400 ", e.get(Tag.WindowWidth).text());
		}
	}

	@Test
	void testValuesArePaddedToEvenLength() {
		Map<Integer, Element> e = parse(DicomWriter.encodeSlice(ramp(Geometry.axial(5, 4, 1, 1, 1, 1)), 0, info()));
		for (Map.Entry<Integer, Element> x : e.entrySet()) {
			Element el = x.getValue();
			if (el.value().length == 0) continue;
			byte last = el.value()[el.value().length - 1];
			if (el.vr().equals("UI")) {
				assertTrue(Uids.isValid(el.text().replace("\0", "")), Tag.toString(x.getKey()) + " is a valid UID");
				assertTrue(last != ' ', "UI padded with NUL, not space: " + Tag.toString(x.getKey()));
			} else if (Set.of("CS", "DS", "IS", "LO", "SH", "PN", "DA", "TM").contains(el.vr())) {
				assertTrue(last != 0, "text padded with space, not NUL: " + Tag.toString(x.getKey()));
				if (el.vr().equals("DS"))
					for (String part : el.text().trim().split("\\\\"))
						assertTrue(part.length() <= 16, Tag.toString(x.getKey()) + " DS component '" + part + "'");
			}
		}
		assertEquals("1.2.840.10008.5.1.4.1.1.2\0", e.get(Tag.SOPClassUID).text());
	}

	@Test
	void testWriteSeriesFilesInInstanceOrderWithoutTemporaries() throws IOException {
		Geometry g = Geometry.axial(5, 4, 3, 0.7, 0.8, 2.5);
		List<Path> files = DicomWriter.writeSeries(ramp(g), tmp.resolve("series"), info());
		assertEquals(List.of("IM0001.dcm", "IM0002.dcm", "IM0003.dcm"),
			files.stream().map(p -> p.getFileName().toString()).toList());
		try (Stream<Path> s = Files.list(tmp.resolve("series"))) {
			assertEquals(3, s.count(), "no temporary files left behind");
		}
		Map<Integer, Element> a = parse(Files.readAllBytes(files.get(0)));
		Map<Integer, Element> b = parse(Files.readAllBytes(files.get(2)));
		assertEquals(a.get(Tag.SeriesInstanceUID).text(), b.get(Tag.SeriesInstanceUID).text());
		assertEquals(a.get(Tag.StudyInstanceUID).text(), b.get(Tag.StudyInstanceUID).text());
		assertEquals(a.get(Tag.FrameOfReferenceUID).text(), b.get(Tag.FrameOfReferenceUID).text());
		assertNotEquals(a.get(Tag.SOPInstanceUID).text(), b.get(Tag.SOPInstanceUID).text());
	}

	@Test
	void testSingleSliceAndReproducibleBytes() throws IOException {
		Geometry g = Geometry.axial(5, 4, 3, 0.7, 0.8, 2.5);
		Path f = DicomWriter.writeSingleSlice(ramp(g), 2, tmp.resolve("a/b/key.dcm"), info());
		byte[] again = DicomWriter.encodeSlice(ramp(g), 2, info());
		assertArrayEquals(again, Files.readAllBytes(f), "same seed, same bytes");
		assertEquals("3 ", parse(again).get(Tag.InstanceNumber).text());
		assertThrows(IllegalArgumentException.class, () -> DicomWriter.writeSingleSlice(ramp(g), 3,
			tmp.resolve("x.dcm"), info()));
	}

	@Test
	void testUidsFromSeedAreDeterministicValidAndDistinct() {
		String a = Uids.fromSeed("case01"), b = Uids.fromSeed("case01"), c = Uids.fromSeed("case02");
		assertEquals(a, b);
		assertNotEquals(a, c);
		for (String u : List.of(a, c, Uids.random(), Uids.IMPLEMENTATION_CLASS_UID)) {
			assertTrue(u.startsWith("2.25."), u);
			assertTrue(Uids.isValid(u), u);
			assertTrue(u.length() <= 64, u);
		}
		assertNotEquals(Uids.random(), Uids.random());
		// The all-ones UUID is the longest possible value: 2^128 - 1 has 39 digits.
		assertEquals("2.25.340282366920938463463374607431768211455",
			Uids.fromUuid(new java.util.UUID(-1L, -1L)));
		assertFalse(Uids.isValid("1.02.3"));
		assertFalse(Uids.isValid("1..3"));
		assertFalse(Uids.isValid("1.2.a"));
	}

	@Test
	void testDecimalStringsFitSixteenCharacters() {
		for (double d : new double[] {0, -0.0, 1, -1024, 0.1, -0.29552020666134, 1.0 / 3, -158.75, 123456.789012345,
			6.123233995736766e-17, -2.5e-9, 1e20, -1.23456789e18}) {
			String s = DicomWriter.ds(d);
			assertTrue(s.length() <= 16, s);
			assertTrue(s.matches("[-+0-9.E]+"), s);
			assertEquals(d, Double.parseDouble(s), Math.max(1e-12, Math.abs(d) * 1e-7), s);
		}
		assertThrows(IllegalArgumentException.class, () -> DicomWriter.ds(Double.NaN));
	}

	@Test
	void testSeriesInfoRejectsBadValues() {
		SeriesInfo ok = info();
		assertThrows(IllegalArgumentException.class, () -> new SeriesInfo(ok.patientName(), ok.patientId(), "1.02",
			ok.seriesInstanceUid(), ok.frameOfReferenceUid(), 1, "", "", "20250101", "120000", 40, 400, ""));
		assertThrows(IllegalArgumentException.class, () -> new SeriesInfo("A\\B", ok.patientId(),
			ok.studyInstanceUid(), ok.seriesInstanceUid(), ok.frameOfReferenceUid(), 1, "", "", "20250101", "120000",
			40, 400, ""));
		assertThrows(IllegalArgumentException.class, () -> ok.withWindow(40, 0));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SeriesInfo("x".repeat(65),
			"", ok.studyInstanceUid(), ok.seriesInstanceUid(), ok.frameOfReferenceUid(), 1, "", "", "2025", "120000",
			40, 400, ""));
		assertTrue(e.getMessage().contains("patientName"), e.getMessage());
	}

	@Test
	void testUnknownBodyPartWritesEmptyLaterality() {
		SeriesInfo unknown = SeriesInfo.withRandomUids("PHANTOM^X", "X", "no body part");
		Map<Integer, Element> e = parse(DicomWriter.encodeSlice(ramp(Geometry.axial(2, 2, 1, 1, 1, 1)), 0, unknown));
		assertEquals(0, e.get(Tag.Laterality).value().length);
		assertFalse(e.containsKey(Tag.BodyPartExamined));
		Map<Integer, Element> known = parse(DicomWriter.encodeSlice(ramp(Geometry.axial(2, 2, 1, 1, 1, 1)), 0, info()));
		assertEquals("ABDOMEN ", known.get(Tag.BodyPartExamined).text());
		assertFalse(known.containsKey(Tag.Laterality));
	}

	@Test
	void testSeriesReaderReadsTheWrittenSeriesBack() throws IOException {
		// An oblique, anisotropic series with shuffled-looking values: MedCNN's own reader must recover the
		// geometry and every HU exactly.
		double c = Math.cos(0.3), s = Math.sin(0.3);
		Geometry g = new Geometry(5, 4, 3, new double[] {0.7, 0.8, 2.5}, new double[] {-10.25, 20, 33.3},
			new double[] {c, s, 0, -s, c, 0, 0, 0, 1});
		Volume v = ramp(g);
		DicomWriter.writeSeries(v, tmp.resolve("oblique"), info());
		List<DicomSeries> series = SeriesScanner.scan(List.of(tmp.resolve("oblique")), null, null);
		assertEquals(1, series.size());
		Volume back = SeriesReader.read(series.get(0), null, null);
		assertTrue(g.matches(back.geometry(), 1e-9), g.describeMismatch(back.geometry(), 1e-9));
		assertArrayEquals(v.voxels(), back.voxels(), 0);
		assertEquals("CT", back.modality());
	}

	/**
	 * An 8×5 slice whose stored values alternate between 0 (HU -1024) and -32768 (HU -33792): every JPEG lossless
	 * difference is ±32768 (category 16), including the last, whose code ends on a byte boundary.
	 */
	private static Volume category16Slice() {
		Geometry g = Geometry.axial(8, 5, 1, 0.5, 0.5, 1);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (i + i / 8) % 2 == 0 ? -1024 : -33792;
		return new Volume(g, v, "CT");
	}

	/** A 3-slice 37×23 CT-like volume with air, tissue, bone, noise, clamped extremes and ±32768 steps. */
	private static Volume ctLike() {
		Geometry g = Geometry.axial(37, 23, 3, 0.7, 0.7, 2);
		float[] v = new float[g.voxelCount()];
		java.util.Random r = new java.util.Random(70);
		for (int z = 0, i = 0; z < 3; z++)
			for (int y = 0; y < 23; y++)
				for (int x = 0; x < 37; x++, i++) {
					double d = Math.hypot(x - 18, y - 11) / 11;
					v[i] = (float) Math.rint((d > 1 ? -1000 : d > 0.85 ? 1200 : 40) + r.nextGaussian() * 8);
				}
		v[0] = -50000; // clamped to stored -32768
		v[1] = -1024; // stored 0: a difference of 32768
		v[2] = 40000; // clamped to stored 32767
		v[v.length - 1] = -33792;
		return new Volume(g, v, "CT");
	}

	/** Offset of the Pixel Data element header "E0 7F 10 00 O B 00 00 FF FF FF FF" in a written file, or -1. */
	private static int encapsulatedPixelDataOffset(byte[] f) {
		byte[] h = {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, -1, -1, -1, -1};
		outer: for (int p = f.length - h.length; p >= 132; p--) {
			for (int k = 0; k < h.length; k++) if (f[p + k] != h[k]) continue outer;
			return p;
		}
		return -1;
	}

	@Test
	void testJpegLosslessEncapsulatedPixelData() {
		Volume v = ctLike();
		byte[] file = DicomWriter.encodeSlice(v, 1, info(), DicomWriter.JPEG_LOSSLESS_SV1);
		int px = encapsulatedPixelDataOffset(file);
		assertTrue(px > 0, "encapsulated Pixel Data (OB, undefined length)");
		Map<Integer, Element> e = parse(Arrays.copyOf(file, px));
		assertEquals("1.2.840.10008.1.2.4.70", e.get(Tag.TransferSyntaxUID).text());
		assertEquals("00", e.get(Tag.LossyImageCompression).text());
		assertEquals(16, e.get(Tag.BitsAllocated).us());
		assertEquals(16, e.get(Tag.BitsStored).us());
		assertEquals(1, e.get(Tag.PixelRepresentation).us());
		assertEquals("-1024 ", e.get(Tag.RescaleIntercept).text());
		ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
		b.position(px + 12);
		// PS3.5 A.4: an empty Basic Offset Table item, one fragment, the Sequence Delimitation Item.
		assertEquals(0xFFFE, b.getShort() & 0xFFFF);
		assertEquals(0xE000, b.getShort() & 0xFFFF);
		assertEquals(0, b.getInt(), "empty Basic Offset Table");
		assertEquals(0xFFFE, b.getShort() & 0xFFFF);
		assertEquals(0xE000, b.getShort() & 0xFFFF);
		int length = b.getInt();
		assertEquals(0, length % 2, "fragment padded to even length");
		int start = b.position();
		assertEquals(0xFFD8, (file[start] & 0xFF) << 8 | (file[start + 1] & 0xFF), "SOI");
		assertEquals(0xFFC3, (file[start + 2] & 0xFF) << 8 | (file[start + 3] & 0xFF), "SOF3 first");
		int end = start + length;
		if (file[end - 1] == 0) end--;
		assertEquals(0xFFD9, (file[end - 2] & 0xFF) << 8 | (file[end - 1] & 0xFF), "EOI, then at most one 0x00");
		b.position(start + length);
		assertEquals(0xFFFE, b.getShort() & 0xFFFF);
		assertEquals(0xE0DD, b.getShort() & 0xFFFF);
		assertEquals(0, b.getInt());
		assertEquals(file.length, b.position(), "Sequence Delimitation Item ends the file");
		assertTrue(file.length < DicomWriter.encodeSlice(v, 1, info()).length, "compressed");
	}

	@Test
	void testJpegLosslessDecodesToTheUncompressedValues() throws IOException {
		for (Volume v : List.of(ctLike(), category16Slice())) {
			for (int z = 0; z < v.geometry().nz(); z++) {
				Path plain = DicomWriter.writeSingleSlice(v, z, tmp.resolve("plain" + z + ".dcm"), info());
				Path jpeg = DicomWriter.writeSingleSlice(v, z, tmp.resolve("jpeg" + z + ".dcm"), info(),
					DicomWriter.JPEG_LOSSLESS_SV1);
				DicomObject p = DicomReader.read(plain), j = DicomReader.read(jpeg);
				assertEquals(DicomWriter.JPEG_LOSSLESS_SV1, j.transferSyntaxUID());
				assertArrayEquals(DicomPixels.storedValues(p)[0], DicomPixels.storedValues(j)[0], "slice " + z);
				assertArrayEquals(DicomPixels.realWorldValues(p)[0], DicomPixels.realWorldValues(j)[0], 0, "slice " + z);
			}
		}
		// The same bytes as the explicit-VR call for the uncompressed syntax; the same seed gives the same file.
		assertArrayEquals(DicomWriter.encodeSlice(ctLike(), 0, info()),
			DicomWriter.encodeSlice(ctLike(), 0, info(), DicomWriter.EXPLICIT_VR_LITTLE_ENDIAN));
		assertArrayEquals(DicomWriter.encodeSlice(ctLike(), 2, info(), DicomWriter.JPEG_LOSSLESS_SV1),
			DicomWriter.encodeSlice(ctLike(), 2, info(), DicomWriter.JPEG_LOSSLESS_SV1));
	}

	@Test
	void testJpegLosslessSeriesReadsBackThroughSeriesReader() throws IOException {
		double c = Math.cos(0.3), s = Math.sin(0.3);
		Volume ct = ctLike();
		Geometry g = new Geometry(37, 23, 3, new double[] {0.7, 0.8, 2.5}, new double[] {-10.25, 20, 33.3},
			new double[] {c, s, 0, -s, c, 0, 0, 0, 1});
		Volume v = new Volume(g, ct.voxels().clone(), "CT");
		Path dir = tmp.resolve("jpeg-series");
		for (int z = 0; z < 3; z++)
			DicomWriter.writeSingleSlice(v, z, dir.resolve(String.format("IM%04d.dcm", z + 1)), info(),
				DicomWriter.JPEG_LOSSLESS_SV1);
		List<DicomSeries> series = SeriesScanner.scan(List.of(dir), null, null);
		assertEquals(1, series.size());
		Volume back = SeriesReader.read(series.get(0), null, null);
		assertTrue(g.matches(back.geometry(), 1e-9), g.describeMismatch(back.geometry(), 1e-9));
		float[] expected = v.voxels().clone();
		for (int i = 0; i < expected.length; i++) expected[i] = Math.max(-33792, Math.min(31743, expected[i]));
		assertArrayEquals(expected, back.voxels(), 0);
	}

	@Test
	void testOtherTransferSyntaxesAreRefused() {
		Volume v = ctLike();
		for (String ts : new String[] {"1.2.840.10008.1.2", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.5", null}) {
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> DicomWriter.encodeSlice(v, 0, info(), ts));
			assertTrue(e.getMessage().contains("'" + ts + "'"), e.getMessage());
			assertThrows(IllegalArgumentException.class,
				() -> DicomWriter.writeSingleSlice(v, 0, tmp.resolve("refused.dcm"), info(), ts));
		}
		assertFalse(Files.exists(tmp.resolve("refused.dcm")));
	}

	/** The DCMTK tool on the PATH, or null. */
	private static Path dcmtk(String tool) {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
			if (dir.isEmpty()) continue;
			Path p = Path.of(dir, tool);
			if (Files.isExecutable(p)) return p;
		}
		return null;
	}

	private static void run(Path tool, String... args) throws IOException, InterruptedException {
		List<String> cmd = new java.util.ArrayList<>();
		cmd.add(tool.toString());
		cmd.addAll(List.of(args));
		ChildProcesses.Finished f = ChildProcesses.run(cmd, Duration.ofSeconds(60));
		assertEquals(0, f.exitCode(), tool + " " + String.join(" ", args) + ": " + f.text());
	}

	@Test
	void testDcmtkDecodesTheJpegLosslessSlicesExactly() throws Exception {
		Path dcmdjpeg = dcmtk("dcmdjpeg");
		Assumptions.assumeTrue(dcmdjpeg != null, "DCMTK dcmdjpeg is not installed (apt-get install dcmtk)");
		Path dcmcjpeg = dcmtk("dcmcjpeg");
		int k = 0;
		for (Volume v : List.of(ctLike(), category16Slice())) {
			for (int z = 0; z < v.geometry().nz(); z++, k++) {
				Path plain = DicomWriter.writeSingleSlice(v, z, tmp.resolve("plain" + k + ".dcm"), info());
				Path jpeg = DicomWriter.writeSingleSlice(v, z, tmp.resolve("jpeg" + k + ".dcm"), info(),
					DicomWriter.JPEG_LOSSLESS_SV1);
				Path decoded = tmp.resolve("dcmdjpeg" + k + ".dcm");
				run(dcmdjpeg, jpeg.toString(), decoded.toString());
				DicomObject d = DicomReader.read(decoded);
				assertEquals(DicomWriter.EXPLICIT_VR_LITTLE_ENDIAN, d.transferSyntaxUID());
				int[] expected = DicomPixels.storedValues(DicomReader.read(plain))[0];
				assertArrayEquals(expected, DicomPixels.storedValues(d)[0], "DCMTK's decode of slice " + k);
				assertArrayEquals(expected, DicomPixels.storedValues(DicomReader.read(jpeg))[0], "our decode of slice " + k);
				if (dcmcjpeg != null) {
					// DCMTK's own SV1 stream of the same slice through MedCNN's decoder (incl. the category-16 case).
					Path theirs = tmp.resolve("dcmcjpeg" + k + ".dcm");
					run(dcmcjpeg, "+e1", plain.toString(), theirs.toString());
					assertArrayEquals(expected, DicomPixels.storedValues(DicomReader.read(theirs))[0],
						"our decode of DCMTK's stream of slice " + k);
				}
			}
		}
	}

	private static double[] numbers(String ds) {
		return Arrays.stream(ds.trim().split("\\\\")).mapToDouble(Double::parseDouble).toArray();
	}
}
