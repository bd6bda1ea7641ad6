package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomDatasetWriter.Dataset;
import org.medcnn.testing.ChildProcesses;

/**
 * Modality LUT, PALETTE COLOR, VOI windows and VOI LUT (PS3.3 §C.11, §C.7.6.3.1.5, §C.7.9.2) on the bundled
 * fixtures of {@link LutFixtures} with hand-computed answers, and against DCMTK (dcmdump, dcm2pnm) when it is on
 * the PATH.
 */
class LutTest {

	@TempDir
	Path dir;

	static Path bundled(String name) {
		return DicomReaderTest.resource("lut/" + name);
	}

	@Test
	void testBundledFixturesAreWhatTheBuildersWrite() throws IOException {
		for (String n : LutFixtures.BUNDLED)
			assertArrayEquals(LutFixtures.encode(n), Files.readAllBytes(bundled(n)), n + " differs: regenerate with LutFixtures.main");
	}

	@Test
	void testModalityLutMapsStoredValuesClampingOutsideTheTable() throws Exception {
		DicomObject o = DicomReader.read(bundled("modality_lut.dcm"));
		// LUT: 5 entries from stored value 2 → 10..50; below 2 → 10, above 6 → 50.
		float[] expected = {10, 10, 10, 20, 30, 40, 50, 50, 50, 50, 50, 10};
		assertArrayEquals(expected, DicomPixels.realWorldValues(o)[0]);
		DicomPixels.ModalityTransform mt = DicomPixels.modalityTransform(o);
		assertEquals("modalityLut", mt.kind());
		assertEquals("HU", mt.lutType());
		assertTrue(mt.warnings().isEmpty());
		Map<String, Object> info = DicomInfo.describe(bundled("modality_lut.dcm"), false);
		assertEquals("modalityLut", info.get("modalityTransform"));
		@SuppressWarnings("unchecked")
		Map<String, Object> lut = (Map<String, Object>) info.get("modalityLut");
		assertEquals(5, lut.get("entries"));
		assertEquals(2, lut.get("firstMapped"));
		assertEquals(16, lut.get("bitsPerEntry"));
		assertEquals("HU", lut.get("type"));
	}

	@Test
	void testModalityLutSignedFirstMappedAndSsData() throws Exception {
		DicomObject o = DicomReader.read(bundled("modality_lut_signed.dcm"));
		// stored -32768, -3, -2, -1, 0, 1, 2, 32767 with entries -100, 0, 100 from -2
		assertArrayEquals(new float[] {-100, -100, -100, 0, 100, 100, 100, 100}, DicomPixels.realWorldValues(o)[0]);
		assertEquals(-2, DicomPixels.modalityTransform(o).lut().firstMapped());
	}

	@Test
	void testRescaleWinsOverModalityLutWithAWarning() throws Exception {
		Path f = dir.resolve("both.dcm");
		DicomDatasetWriter.writeFile(f, LutFixtures.modalityLut(true), DicomWriter.CT_IMAGE_STORAGE, "1.2.3.4.5");
		DicomObject o = DicomReader.read(f);
		float[] got = DicomPixels.realWorldValues(o)[0];
		for (int i = 0; i < got.length; i++) assertEquals(LutFixtures.MODALITY_STORED[i] * 2 - 5, got[i]);
		DicomPixels.ModalityTransform mt = DicomPixels.modalityTransform(o);
		assertEquals("rescale", mt.kind());
		assertTrue(mt.warnings().get(0).contains("rescale is used"), mt.warnings().toString());
		Map<String, Object> info = DicomInfo.describe(f, false);
		assertEquals("rescale", info.get("modalityTransform"));
		assertTrue(info.get("lutWarnings").toString().contains("Modality LUT ignored"));
	}

	@Test
	void testModalityLutAgreesWithDcmdump() throws Exception {
		Assumptions.assumeTrue(onPath("dcmdump"), "dcmdump (DCMTK) not on the PATH");
		Path f = LutFixtures.write(dir, "modality_lut.dcm");
		String dump = run("dcmdump", "+L", "+P", "0028,3002", "+P", "0028,3006", f.toString());
		DicomLut lut = DicomPixels.modalityTransform(DicomReader.readHeader(f)).lut();
		Matcher desc = Pattern.compile("\\(0028,3002\\) \\w\\w ([0-9\\\\]+)").matcher(dump);
		assertTrue(desc.find(), dump);
		assertEquals(lut.size() + "\\" + lut.firstMapped() + "\\" + lut.bitsPerEntry(), desc.group(1));
		Matcher data = Pattern.compile("\\(0028,3006\\) OW ([0-9a-f\\\\]+)").matcher(dump);
		assertTrue(data.find(), dump);
		String[] words = data.group(1).split("\\\\");
		int[] entries = lut.entries();
		assertEquals(entries.length, words.length);
		for (int i = 0; i < words.length; i++) assertEquals(Integer.parseInt(words[i], 16), entries[i]);
	}

	@Test
	void testPalette8MapsIndicesClampingOutsideTheTable() throws Exception {
		int[] expected = {
			10, 200, 0, 10, 200, 0, 20, 150, 255, 30, 100, 1, 40, 50, 254, 40, 50, 254, 40, 50, 254, 40, 50, 254};
		assertArrayEquals(expected, DicomPixels.rgbValues(DicomReader.read(bundled("palette8.dcm")))[0]);
		// stored values stay the indices (corpus convention)
		assertArrayEquals(LutFixtures.PALETTE8_INDICES, DicomPixels.storedValues(DicomReader.read(bundled("palette8.dcm")))[0]);
		Path packed = dir.resolve("packed.dcm");
		DicomDatasetWriter.writeFile(packed, LutFixtures.palette8(true), LutFixtures.SECONDARY_CAPTURE, "1.2.3.4.6");
		assertArrayEquals(expected, DicomPixels.rgbValues(DicomReader.read(packed))[0], "8-bit entries packed two per word");
	}

	@Test
	void testPalette16UsesTheHighByte() throws Exception {
		int[] rgb = DicomPixels.rgbValues(DicomReader.read(bundled("palette16.dcm")))[0];
		for (int p = 0; p < 256; p++) {
			int index = (p * 37) & 0xFF;
			for (int c = 0; c < 3; c++) assertEquals(LutFixtures.palette16Entry(c, index) >> 8, rgb[3 * p + c]);
		}
	}

	@Test
	void testSegmentedPaletteExpandsDiscreteAndLinearSegments() throws Exception {
		DicomObject o = DicomReader.read(bundled("palette_segmented.dcm"));
		DicomLut[] p = DicomPixels.palette(o);
		assertArrayEquals(new int[] {0, 1000, 2167, 3333, 4500, 5667, 6833, 8000}, p[0].entries());
		// indices 0, 2, 7, 9 (past the end → last entry); 16-bit entries → high byte
		assertArrayEquals(new int[] {0, 255, 255, 2167 >> 8, 255, 255, 8000 >> 8, 255, 255, 8000 >> 8, 255, 255},
			DicomPixels.rgbValues(o)[0]);
	}

	@Test
	void testPaletteRgbEqualsDcm2pnm() throws Exception {
		Assumptions.assumeTrue(onPath("dcm2pnm"), "dcm2pnm (DCMTK) not on the PATH");
		List<Path> files = new ArrayList<>(List.of(LutFixtures.write(dir, "palette8.dcm"), LutFixtures.write(dir, "palette16.dcm")));
		Path packed = dir.resolve("packed.dcm");
		DicomDatasetWriter.writeFile(packed, LutFixtures.palette8(true), LutFixtures.SECONDARY_CAPTURE, "1.2.3.4.6");
		files.add(packed);
		Path face = DicomCorpusTest.CORPUS.resolve("files/ot_palette_color_nometa.dcm");
		if (Files.exists(face)) files.add(face);
		for (Path f : files) {
			Path ppm = dir.resolve(f.getFileName() + ".ppm");
			run("dcm2pnm", "--write-raw-pnm", f.toString(), ppm.toString());
			assertArrayEquals(ppmSamples(ppm), DicomPixels.rgbValues(DicomReader.read(f))[0], f.getFileName().toString());
		}
	}

	@Test
	void testVoiWindowsFunctionAndLut() throws Exception {
		DicomObject o = DicomReader.readHeader(bundled("voi.dcm"));
		DicomVoi voi = DicomVoi.of(o);
		assertEquals(2, voi.windows().size());
		assertEquals(new VoiWindow(40, 400, "SOFT", "SIGMOID"), voi.firstWindow());
		assertEquals(new VoiWindow(-600, 1500, "LUNG", "SIGMOID"), voi.windows().get(1));
		assertEquals("SIGMOID", voi.function());
		assertEquals(0.5, voi.firstWindow().apply(40), 1e-12);
		assertEquals(1 / (1 + Math.exp(-4 * 100 / 400.0)), voi.firstWindow().apply(140), 1e-12);
		assertEquals(-1, voi.lut().firstMapped());
		assertArrayEquals(new int[] {0, 128, 255}, voi.lut().entries());
		assertEquals("TEST", voi.lut().explanation());
		assertEquals(255, voi.lut().lookup(5000));
		Map<String, Object> info = DicomInfo.describe(bundled("voi.dcm"), false);
		assertEquals("SIGMOID", info.get("voiLutFunction"));
		assertTrue(info.get("windows").toString().contains("explanation=LUNG"), info.get("windows").toString());
		DicomSeries series = SeriesScanner.scan(List.of(bundled("voi.dcm")), null, null).get(0);
		assertEquals(voi, DicomVoi.of(series));
	}

	@Test
	void testWindowFunctionsFollowPs33() {
		// LINEAR (§C.11.2.1.2.1): c=40, w=400 → bottom at c-0.5-(w-1)/2 = -160, top at 239
		VoiWindow lin = new VoiWindow(40, 400, null, "LINEAR");
		assertEquals(-160, lin.displayMin(), 1e-12);
		assertEquals(239, lin.displayMax(), 1e-12);
		assertEquals(0, lin.apply(-160));
		assertEquals(1, lin.apply(239.5));
		assertEquals((40 - 39.5) / 399 + 0.5, lin.apply(40), 1e-12);
		VoiWindow exact = new VoiWindow(40, 400, null, "LINEAR_EXACT");
		assertEquals(-160, exact.displayMin(), 1e-12);
		assertEquals(240, exact.displayMax(), 1e-12);
		assertEquals(0.5, exact.apply(40), 1e-12);
		assertThrows(IllegalArgumentException.class, () -> new VoiWindow(0, 0.5, null, "LINEAR"));
	}

	@Test
	void testInvalidWindowsAreDroppedWithAWarning() throws Exception {
		Dataset d = LutFixtures.image("CT", "MONOCHROME2", 1, 1, 16, false, "1.2.3.4.7");
		d.text(Tag.WindowCenter, "DS", "40", "50").text(Tag.WindowWidth, "DS", "0", "350").bytes(Tag.PixelData, "OW", new byte[2]);
		Path f = DicomDatasetWriter.writeFile(dir.resolve("w.dcm"), d, DicomWriter.CT_IMAGE_STORAGE, "1.2.3.4.7");
		DicomVoi voi = DicomVoi.of(DicomReader.readHeader(f));
		assertEquals(List.of(new VoiWindow(50, 350, null, "LINEAR")), voi.windows());
		assertTrue(voi.warnings().get(0).startsWith("window 1 dropped"), voi.warnings().toString());
		assertNull(voi.lut());
	}

	@Test
	void testBadLutsAreRefusedNamingFileTagAndProblem() throws Exception {
		Dataset mismatch = LutFixtures.modalityLut(false);
		mismatch.sequence(Tag.ModalityLUTSequence, new Dataset().us(Tag.LUTDescriptor, 6, 0, 16)
			.bytes(Tag.LUTData, "OW", LutFixtures.words(1, 2, 3, 4, 5)));
		DicomReadException e = refused(mismatch, "mismatch.dcm");
		assertEquals(Tag.LUTData, e.tag());
		assertTrue(e.reason().contains("declares 6 entries of 16 bits but the LUT Data holds 5"), e.getMessage());

		Dataset zeroBits = LutFixtures.modalityLut(false);
		zeroBits.sequence(Tag.ModalityLUTSequence, new Dataset().us(Tag.LUTDescriptor, 5, 0, 0)
			.bytes(Tag.LUTData, "OW", LutFixtures.words(1, 2, 3, 4, 5)));
		e = refused(zeroBits, "zerobits.dcm");
		assertEquals(Tag.LUTDescriptor, e.tag());
		assertTrue(e.reason().contains("0 bits per entry"), e.getMessage());

		Dataset noData = LutFixtures.modalityLut(false);
		noData.sequence(Tag.ModalityLUTSequence, new Dataset().us(Tag.LUTDescriptor, 5, 0, 16));
		e = refused(noData, "nodata.dcm");
		assertTrue(e.reason().contains("LUT Data is missing"), e.getMessage());

		Dataset twoValues = LutFixtures.palette8(false);
		twoValues.us(Tag.GreenPaletteColorLookupTableDescriptor, 4, 1);
		e = refused(twoValues, "twovalues.dcm");
		assertEquals(Tag.GreenPaletteColorLookupTableDescriptor, e.tag());
		assertTrue(e.reason().startsWith("Green Palette Color LUT: LUT Descriptor must hold 3 numbers"), e.getMessage());

		Dataset shortPalette = LutFixtures.palette8(false);
		shortPalette.bytes(Tag.BluePaletteColorLookupTableData, "OW", LutFixtures.words(1));
		e = refused(shortPalette, "shortpalette.dcm");
		assertEquals(Tag.BluePaletteColorLookupTableData, e.tag());

		Dataset indirect = LutFixtures.segmentedPalette();
		indirect.bytes(Tag.SegmentedRedPaletteColorLookupTableData, "OW", LutFixtures.words(0, 1, 5, 2, 1, 0, 0));
		e = refused(indirect, "indirect.dcm");
		assertTrue(e.reason().contains("indirect segments"), e.getMessage());
	}

	/** Writes the data set, expects reading its pixels (and describing it) to fail; returns the exception. */
	private DicomReadException refused(Dataset d, String name) throws IOException {
		Path f = DicomDatasetWriter.writeFile(dir.resolve(name), d, LutFixtures.SECONDARY_CAPTURE, "1.2.3.4.8");
		DicomObject o = DicomReader.read(f);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> {
				if ("PALETTE COLOR".equals(o.getString(Tag.PhotometricInterpretation))) DicomPixels.rgbValues(o);
				else DicomPixels.realWorldValues(o);
			});
		assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
		assertTrue(DicomInfo.describe(f, false).get("error").toString().contains(name));
		return e;
	}

	static boolean onPath(String tool) {
		for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
			if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) return true;
		return false;
	}

	static String run(String... cmd) throws IOException, InterruptedException {
		ChildProcesses.Finished f = ChildProcesses.run(List.of(cmd), Duration.ofSeconds(60));
		String s = f.text(StandardCharsets.ISO_8859_1);
		assertEquals(0, f.exitCode(), String.join(" ", cmd) + ": " + s);
		return s;
	}

	/** Samples of a binary PPM (P6, maxval 255). */
	static int[] ppmSamples(Path ppm) throws IOException {
		byte[] b = Files.readAllBytes(ppm);
		int pos = 0;
		List<String> fields = new ArrayList<>();
		while (fields.size() < 4) {
			while (Character.isWhitespace(b[pos])) pos++;
			if (b[pos] == '#') {
				while (b[pos] != '\n') pos++;
				continue;
			}
			int start = pos;
			while (!Character.isWhitespace(b[pos])) pos++;
			fields.add(new String(b, start, pos - start, StandardCharsets.US_ASCII));
		}
		pos++;
		assertEquals("P6", fields.get(0));
		assertEquals("255", fields.get(3));
		int n = Integer.parseInt(fields.get(1)) * Integer.parseInt(fields.get(2)) * 3;
		int[] out = new int[n];
		for (int i = 0; i < n; i++) out[i] = b[pos + i] & 0xFF;
		return out;
	}
}
