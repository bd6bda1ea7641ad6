package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomPixels;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;

/**
 * {@link JpegDctDecoder}: 12-bit (and 8-bit) sequential DCT JPEG against DCMTK's dcmdjpeg (bundled fixtures with
 * their expected hashes, and fresh round trips through dcmcjpeg/dcmdjpeg when DCMTK is installed), layouts DCMTK
 * does not write (restart intervals, several components, interleaved or not, larger sampling factors) made by
 * re-encoding the same coefficients, 8-bit cross-checks against TwelveMonkeys, refusals of unsupported variants,
 * and damaged streams.
 */
class JpegDctDecoderTest {

	private static final String SIGNED = "ct_signed12_90x70.dcm";
	private static final String SIGNED_SHA = "c062745342fb3fb053bdbb350f101d6978d290a47a370b504b880a2d55a52559";
	private static final String MULTI = "sc_12bit_4frames_48x40.dcm";
	private static final String MULTI_SHA = "450fcf8d3d4826eb5ba70ce67b88cf98259ac9ace8d397a5cf40a03e451ad497";
	private static final Path CORPUS = Path.of("..", "shared", "dicom-corpus", "files");

	private final JpegDctDecoder decoder = new JpegDctDecoder();

	@TempDir
	Path dir;

	private static Path fixture(String name) throws Exception {
		return Path.of(JpegDctDecoderTest.class.getResource("/dicom/jpeg12/" + name).toURI());
	}

	private static Path corpus(String name) {
		Path f = CORPUS.resolve(name);
		Assumptions.assumeTrue(Files.isRegularFile(f), "shared corpus file missing: " + f);
		return f;
	}

	private static FrameLayout grey(FrameLayout l, int samples) {
		return new FrameLayout(l.file(), l.transferSyntax(), l.rows(), l.columns(), samples, l.bitsAllocated(),
			l.bitsStored(), l.signed(), samples == 1 ? "MONOCHROME2" : "RGB");
	}

	// ---- bundled fixtures: exact against dcmdjpeg ----

	@Test
	void testSigned12BitMatchesDcmdjpeg() throws Exception {
		int[][] v = DicomPixels.storedValues(DicomReader.read(fixture(SIGNED)));
		assertEquals(SIGNED_SHA, Jpeg12Files.sha256(v));
		assertEquals(-2048, Arrays.stream(v[0]).min().getAsInt());
		assertEquals(2047, Arrays.stream(v[0]).max().getAsInt());
	}

	@Test
	void testMultiFrame12BitMatchesDcmdjpeg() throws Exception {
		int[][] v = DicomPixels.storedValues(DicomReader.read(fixture(MULTI)));
		assertEquals(4, v.length);
		assertEquals(MULTI_SHA, Jpeg12Files.sha256(v));
	}

	@Test
	void testJpegDecoderRoutes12BitHere() throws Exception {
		DicomObject o = DicomReader.read(fixture(MULTI));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] f = o.pixelDataFragments().get(2);
		int[] expected = decoder.decode(f, l, 2);
		FrameDecoder jpeg = FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_EXTENDED);
		assertArrayEquals(expected, jpeg.decode(f, l, 2));
		// 12-bit under a baseline SOF0 marker breaks T.81, but libjpeg decodes it and some encoders write it
		byte[] sof0 = f.clone();
		sof0[find(sof0, 0xC1) + 1] = (byte) 0xC0;
		assertArrayEquals(expected, jpeg.decode(sof0, l, 2));
	}

	/** Sequential scans with wrong Ss/Se/Ah/Al (pydicom's JPEG-lossy.dcm has Ss = Se = 0) decode as libjpeg does. */
	@Test
	void testMeaninglessSpectralSelectionOfASequentialScanIsIgnored() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] f = o.pixelDataFragments().get(0);
		int[] expected = decoder.decode(f, l, 0);
		int sos = find(f, 0xDA);
		int ns = f[sos + 4] & 0xFF; // FF DA, Ls (2 bytes), Ns, then Ns component selectors of 2 bytes
		int ssAt = sos + 5 + 2 * ns;
		byte[] odd = f.clone();
		odd[ssAt] = 0;
		odd[ssAt + 1] = 0;
		odd[ssAt + 2] = 0x11;
		assertArrayEquals(expected, decoder.decode(odd, l, 0));
	}

	// ---- layouts made by re-encoding the same coefficients ----

	@Test
	void testRestartIntervals() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] original = o.pixelDataFragments().get(0);
		int[] expected = decoder.decode(original, l, 0);
		JpegDctDecoder.Coefficients c = JpegDctDecoder.coefficients(original, l, 0);
		for (int ri : new int[] {1, 2, 5, 13, 200}) {
			for (boolean wideQuant : new boolean[] {false, true}) {
				byte[] s = JpegReencoder.encode(new JpegReencoder.Options(ri, true, 1, wideQuant, 0xC1), c);
				if (ri < 100) assertTrue(count(s, 0xD0 + (ri == 1 ? 7 : 0)) > 0, "stream has RST markers");
				assertArrayEquals(expected, decoder.decode(s, l, 0), "restart interval " + ri);
			}
		}
	}

	@Test
	void testThreeComponentsInterleavedAndInSeparateScans() throws Exception {
		DicomObject o = DicomReader.read(fixture(MULTI));
		FrameLayout l1 = Jpeg12Files.layout(o);
		FrameLayout l3 = grey(l1, 3);
		List<byte[]> frames = o.pixelDataFragments();
		JpegDctDecoder.Coefficients[] c = new JpegDctDecoder.Coefficients[3];
		int[][] planes = new int[3][];
		for (int i = 0; i < 3; i++) {
			c[i] = JpegDctDecoder.coefficients(frames.get(i + 1), l1, i + 1);
			planes[i] = decoder.decode(frames.get(i + 1), l1, i + 1);
		}
		int[] expected = new int[planes[0].length * 3];
		for (int p = 0; p < planes[0].length; p++)
			for (int s = 0; s < 3; s++) expected[3 * p + s] = planes[s][p];
		for (int ri : new int[] {0, 3}) {
			for (boolean interleaved : new boolean[] {true, false}) {
				byte[] s = JpegReencoder.encode(new JpegReencoder.Options(ri, interleaved, 1, ri > 0, 0xC1), c);
				assertArrayEquals(expected, decoder.decode(s, l3, 0), "interleaved " + interleaved + ", restart " + ri);
			}
		}
		// 2×2 sampling for every component: 16×16 MCUs with padding blocks at the right and bottom edges
		FrameLayout l2 = grey(l1, 2);
		int[] expected2 = new int[planes[0].length * 2];
		for (int p = 0; p < planes[0].length; p++) {
			expected2[2 * p] = planes[0][p];
			expected2[2 * p + 1] = planes[1][p];
		}
		for (int ri : new int[] {0, 4}) {
			byte[] s = JpegReencoder.encode(new JpegReencoder.Options(ri, true, 2, false, 0xC1), c[0], c[1]);
			assertArrayEquals(expected2, decoder.decode(s, l2, 0), "2x2 sampling, restart " + ri);
		}
		// 3 components of 2×2 blocks need 12 blocks in an MCU, more than T.81 allows (10)
		byte[] tooBig = JpegReencoder.encode(new JpegReencoder.Options(0, true, 2, false, 0xC1), c);
		DicomReadException e = assertThrows(DicomReadException.class, () -> decoder.decode(tooBig, l3, 0));
		assertTrue(e.getMessage().contains("at most 10"), e.getMessage());
	}

	@Test
	void testFractionalSamplingRatioIsRefused() throws Exception {
		DicomObject o = DicomReader.read(fixture(MULTI));
		FrameLayout l1 = Jpeg12Files.layout(o);
		JpegDctDecoder.Coefficients c = JpegDctDecoder.coefficients(o.pixelDataFragments().get(0), l1, 0);
		byte[] s = JpegReencoder.encode(new JpegReencoder.Options(0, true, 2, false, 0xC1), c, c);
		int sof = find(s, 0xC1);
		s[sof + 2 + 2 + 6 + 1] = 0x32; // first component 3×2 against the second one's 2×2
		byte[] data = s;
		DicomReadException e = assertThrows(DicomReadException.class, () -> decoder.decode(data, grey(l1, 2), 0));
		assertTrue(e.getMessage().contains("not supported yet") && e.getMessage().contains("component 2 sampled 2×2 against 3×2"),
			e.getMessage());
	}

	// ---- 8-bit: the same decoder agrees with TwelveMonkeys (libjpeg's integer IDCT in the JDK) ----

	@Test
	void testEightBitGreyMatchesTwelveMonkeys() throws Exception {
		DicomObject o = DicomReader.read(corpus("gray8_jpeg_baseline.dcm"));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] data = concat(o.pixelDataFragments());
		FrameDecoder twelveMonkeys = FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_BASELINE);
		int[] reference = twelveMonkeys.decode(data, l, 0);
		assertArrayEquals(reference, decoder.decode(data, l, 0));
		// with restart markers, decoded by both
		JpegDctDecoder.Coefficients c = JpegDctDecoder.coefficients(data, l, 0);
		byte[] rst = JpegReencoder.encode(new JpegReencoder.Options(7, true, 1, false, 0xC0), c);
		assertArrayEquals(reference, twelveMonkeys.decode(rst, l, 0));
		assertArrayEquals(reference, decoder.decode(rst, l, 0));
	}

	@Test
	void testEightBitColourMatchesTwelveMonkeys() throws Exception {
		DicomObject o = DicomReader.read(corpus("sc_jpeg_baseline_rgb_no_transform.dcm"));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] data = concat(o.pixelDataFragments());
		assertArrayEquals(FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_BASELINE).decode(data, l, 0),
			decoder.decode(data, l, 0));
	}

	@Test
	void testEightBitYbr422MatchesTwelveMonkeys() throws Exception {
		DicomObject o = DicomReader.read(corpus("sc_rgb_jpeg_baseline_ybr_full_422.dcm"));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] data = concat(o.pixelDataFragments());
		assertArrayEquals(FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_BASELINE).decode(data, l, 0),
			decoder.decode(data, l, 0));
	}

	/** Bundled libjpeg streams with every upsampling path: {name, columns, rows, SHA-256 of dcmdjpeg's samples}. */
	private static final String[][] UPSAMPLED = {
		{"jpeg8_420_37x29.jpg", "37", "29", null}, {"jpeg8_422_restart3_37x29.jpg", "37", "29", null},
		{"jpeg8_411_50x40.jpg", "50", "40", null}, {"jpeg8_420_3x9.jpg", "3", "9", null},
		{"jpeg8_420_restart2_50x40.jpg", "50", "40", null},
		// 1×2 (4:4:0): libjpeg 6b (DCMTK, GDCM) replicates rows; the JDK reader behind TwelveMonkeys filters them
		{"jpeg8_440_37x29.jpg", "37", "29", "f400b7ade6a52e1630cc634543d68c746302b5ae07deb0315b20704df57da30d"},
		{"jpeg8_mixed_50x40.jpg", "50", "40", "92cc8ef1ca83ee6df0e413b4a6e8e0d2db9ac7e4422f374cc444fe918d480d79"}};

	private static FrameLayout colour8(Path p, String[] f) {
		return new FrameLayout(p, FrameDecoders.JPEG_BASELINE, Integer.parseInt(f[2]), Integer.parseInt(f[1]), 3, 8, 8,
			false, "YBR_FULL");
	}

	/**
	 * Upsampling 2×2 and 2×1 (triangle filter), 4×1 and narrow components (replication) as the JDK's libjpeg does;
	 * 1×2 and a mix of ratios against DCMTK's samples (hashes measured with dcmdjpeg +cn, see PROVENANCE.md).
	 */
	@Test
	void testEightBitUpsamplingMatchesLibjpeg() throws Exception {
		FrameDecoder twelveMonkeys = FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_BASELINE);
		for (String[] f : UPSAMPLED) {
			Path p = fixture(f[0]);
			byte[] data = Files.readAllBytes(p);
			FrameLayout l = colour8(p, f);
			int[] ours = decoder.decode(data, l, 0);
			if (f[3] == null) assertArrayEquals(twelveMonkeys.decode(data, l, 0), ours, f[0]);
			else assertEquals(f[3], Jpeg12Files.sha256(new int[][] {ours}), f[0]);
		}
	}

	@Test
	void testDcmtkUpsamplesAlike() throws Exception {
		Assumptions.assumeTrue(Jpeg12Files.dcmtkAvailable(), "DCMTK dcmcjpeg/dcmdjpeg not on the PATH (bin/test installs it)");
		for (String[] f : UPSAMPLED) {
			Path p = fixture(f[0]);
			Path wrapped = dir.resolve(f[0] + ".dcm");
			Path ref = dir.resolve(f[0] + ".ref.dcm");
			Jpeg12Files.runOk("img2dcm", p.toString(), wrapped.toString());
			Jpeg12Files.runOk("dcmdjpeg", "+cn", wrapped.toString(), ref.toString());
			// read DCMTK's YCbCr samples as they are (no YBR to RGB conversion)
			Jpeg12Files.runOk("dcmodify", "-nb", "-m", "(0028,0004)=RGB", ref.toString());
			assertArrayEquals(DicomPixels.storedValues(DicomReader.read(ref))[0],
				decoder.decode(Files.readAllBytes(p), colour8(p, f), 0), f[0]);
		}
	}

	// ---- fresh round trips through DCMTK ----

	@Test
	void testDcmtkRoundTrips() throws Exception {
		Assumptions.assumeTrue(Jpeg12Files.dcmtkAvailable(), "DCMTK dcmcjpeg/dcmdjpeg not on the PATH (bin/test installs it)");
		record Case(String name, int rows, int columns, boolean signed, int frames, int quality) {}
		List<Case> cases = List.of(new Case("q50", 61, 77, true, 1, 50), new Case("q75", 64, 64, false, 2, 75),
			new Case("q100", 33, 130, true, 1, 100), new Case("q95_512", 512, 512, true, 1, 95),
			new Case("q10", 40, 24, false, 3, 10));
		for (Case k : cases) {
			Path src = dir.resolve(k.name() + ".dcm");
			int[][] frames = new int[k.frames()][];
			for (int f = 0; f < k.frames(); f++) {
				int[] p = Jpeg12Files.phantom(k.rows(), k.columns(), 100 + f);
				if (!k.signed()) for (int i = 0; i < p.length; i++) p[i] += 2048;
				frames[f] = k.signed() ? Jpeg12Files.cells(p) : p;
			}
			Jpeg12Files.writeGrey(src, k.rows(), k.columns(), 12, k.signed(), frames);
			Path jpg = dir.resolve(k.name() + ".jpg.dcm");
			Path ref = dir.resolve(k.name() + ".ref.dcm");
			Jpeg12Files.runOk("dcmcjpeg", "+ee", "+q", Integer.toString(k.quality()), src.toString(), jpg.toString());
			Jpeg12Files.runOk("dcmdjpeg", jpg.toString(), ref.toString());
			assertArrayEquals(DicomPixels.storedValues(DicomReader.read(ref)), DicomPixels.storedValues(DicomReader.read(jpg)),
				k.name());

			// the re-encoded layouts must decode in dcmdjpeg to what they decode to here
			DicomObject o = DicomReader.read(jpg);
			FrameLayout l = Jpeg12Files.layout(o);
			JpegDctDecoder.Coefficients c = JpegDctDecoder.coefficients(o.pixelDataFragments().get(0), l, 0);
			List<byte[]> streams = new ArrayList<>();
			streams.add(JpegReencoder.encode(new JpegReencoder.Options(3, true, 1, true, 0xC1), c));
			streams.add(JpegReencoder.encode(new JpegReencoder.Options(1, true, 1, false, 0xC1), c));
			Path re = dir.resolve(k.name() + ".re.dcm");
			Path reRef = dir.resolve(k.name() + ".re.ref.dcm");
			Jpeg12Files.writeJpeg(re, k.rows(), k.columns(), 1, 12, false, streams);
			Jpeg12Files.runOk("dcmdjpeg", re.toString(), reRef.toString());
			assertArrayEquals(DicomPixels.storedValues(DicomReader.read(reRef)), DicomPixels.storedValues(DicomReader.read(re)),
				k.name() + " with restart markers");
		}
	}

	@Test
	void testDcmtkDecodesThreeComponentLayoutsAlike() throws Exception {
		Assumptions.assumeTrue(Jpeg12Files.dcmtkAvailable(), "DCMTK dcmcjpeg/dcmdjpeg not on the PATH (bin/test installs it)");
		DicomObject o = DicomReader.read(fixture(MULTI));
		FrameLayout l1 = Jpeg12Files.layout(o);
		JpegDctDecoder.Coefficients[] c = new JpegDctDecoder.Coefficients[3];
		for (int i = 0; i < 3; i++) c[i] = JpegDctDecoder.coefficients(o.pixelDataFragments().get(i), l1, i);
		List<byte[]> streams = List.of(JpegReencoder.encode(new JpegReencoder.Options(0, true, 1, false, 0xC1), c),
			JpegReencoder.encode(new JpegReencoder.Options(5, false, 1, true, 0xC1), c));
		Path re = dir.resolve("rgb.dcm");
		Path ref = dir.resolve("rgb.ref.dcm");
		Jpeg12Files.writeJpeg(re, l1.rows(), l1.columns(), 3, 12, false, streams);
		Jpeg12Files.runOk("dcmdjpeg", "+cn", re.toString(), ref.toString());
		assertArrayEquals(DicomPixels.storedValues(DicomReader.read(ref)), DicomPixels.storedValues(DicomReader.read(re)));
	}

	// ---- refusals and damage ----

	@Test
	void testProgressiveAndArithmeticAreNotSupportedYet() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] original = o.pixelDataFragments().get(0);
		int sof = find(original, 0xC1);
		FrameDecoder viaSyntax = FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_EXTENDED);
		for (int[] m : new int[][] {{0xC2, 0}, {0xC9, 1}, {0xCA, 0}}) {
			byte[] s = original.clone();
			s[sof + 1] = (byte) m[0];
			for (FrameDecoder d : new FrameDecoder[] {decoder, viaSyntax}) {
				DicomReadException e = assertThrows(DicomReadException.class, () -> d.decode(s, l, 0));
				assertTrue(e.getMessage().contains("not supported yet") && e.getMessage().contains(SIGNED)
					&& e.getMessage().contains(FrameDecoders.JPEG_EXTENDED), e.getMessage());
				if (d == decoder)
					assertTrue(e.getMessage().contains(m[1] == 0 ? "progressive" : "arithmetic"), e.getMessage());
			}
		}
	}

	@Test
	void testMissingTablesAreNamed() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] original = o.pixelDataFragments().get(0);
		byte[] noDht = removeSegments(original, 0xC4);
		DicomReadException e = assertThrows(DicomReadException.class, () -> decoder.decode(noDht, l, 4));
		assertTrue(e.getMessage().contains("no DHT defines it") && e.getMessage().contains("frame 5")
			&& e.getMessage().contains(SIGNED) && e.getMessage().contains("(7FE0,0010)"), e.getMessage());
		byte[] noDqt = removeSegments(original, 0xDB);
		e = assertThrows(DicomReadException.class, () -> decoder.decode(noDqt, l, 0));
		assertTrue(e.getMessage().contains("no DQT defines it"), e.getMessage());
		byte[] noSof = removeSegments(original, 0xC1);
		e = assertThrows(DicomReadException.class, () -> decoder.decode(noSof, l, 0));
		assertTrue(e.getMessage().contains("before the start-of-frame"), e.getMessage());
	}

	@Test
	void testTruncatedStreamIsRefusedNotPartial() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] original = o.pixelDataFragments().get(0);
		int sos = find(original, 0xDA);
		for (int cut : new int[] {0, 1, 3, 30, sos + 5, sos + 20, original.length / 2, original.length - 40,
			original.length - 2}) {
			byte[] part = Arrays.copyOf(original, cut);
			DicomReadException e = assertThrows(DicomReadException.class, () -> decoder.decode(part, l, 0), "cut " + cut);
			assertTrue(e.getMessage().contains(SIGNED) && e.getMessage().contains("frame 1"), e.getMessage());
			if (cut > sos + 10) assertTrue(e.getMessage().contains("truncated"), e.getMessage());
		}
	}

	@Test
	void testInvalidHuffmanCodeIsNamed() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		JpegDctDecoder.Coefficients c = JpegDctDecoder.coefficients(o.pixelDataFragments().get(0), l, 0);
		byte[] s = JpegReencoder.encode(new JpegReencoder.Options(0, true, 1, false, 0xC1), c);
		int sos = find(s, 0xDA);
		int data = sos + 2 + ((s[sos + 2] & 0xFF) << 8 | (s[sos + 3] & 0xFF));
		s[data] = (byte) 0xF0; // the flat DC table only has the 5-bit codes 00000..01111
		DicomReadException e = assertThrows(DicomReadException.class, () -> decoder.decode(s, l, 0));
		assertTrue(e.getMessage().contains("invalid Huffman code"), e.getMessage());
	}

	@Test
	void testWrongSizeIsRefused() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		FrameLayout wrong = new FrameLayout(l.file(), l.transferSyntax(), l.rows() + 1, l.columns(), 1, 16, 12, true,
			"MONOCHROME2");
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> decoder.decode(o.pixelDataFragments().get(0), wrong, 0));
		assertTrue(e.getMessage().contains("90×70 but Columns × Rows is 90×71"), e.getMessage());
		FrameLayout eightBit = new FrameLayout(l.file(), l.transferSyntax(), l.rows(), l.columns(), 1, 8, 8, false,
			"MONOCHROME2");
		e = assertThrows(DicomReadException.class, () -> decoder.decode(o.pixelDataFragments().get(0), eightBit, 0));
		assertTrue(e.getMessage().contains("BitsAllocated 8"), e.getMessage());
	}

	@Test
	void testRandomDamageOnlyEverThrowsDicomReadException() throws Exception {
		DicomObject o = DicomReader.read(fixture(SIGNED));
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] original = o.pixelDataFragments().get(0);
		JpegDctDecoder.Coefficients c = JpegDctDecoder.coefficients(original, l, 0);
		byte[] restarts = JpegReencoder.encode(new JpegReencoder.Options(4, true, 1, true, 0xC1), c);
		Random random = new Random(12);
		int[] outcomes = new int[2];
		assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
			for (int i = 0; i < 3000; i++) {
				byte[] s = (i % 2 == 0 ? original : restarts).clone();
				int kind = random.nextInt(4);
				if (kind == 3) {
					s = Arrays.copyOf(s, random.nextInt(s.length));
				} else {
					// mostly the headers and the start of the entropy-coded data, where damage matters most
					int span = random.nextBoolean() ? Math.min(s.length, 700) : s.length;
					for (int k = 0; k <= kind; k++) s[random.nextInt(span)] = (byte) random.nextInt(256);
				}
				try {
					int[] v = decoder.decode(s, l, 0);
					assertEquals(l.samplesPerFrame(), v.length);
					outcomes[0]++;
				} catch (DicomReadException e) {
					assertTrue(e.getMessage().contains("frame 1"), e.getMessage());
					outcomes[1]++;
				}
			}
		});
		assertTrue(outcomes[1] > 1000, "most damaged streams are refused: " + Arrays.toString(outcomes));
	}

	private static byte[] concat(List<byte[]> parts) {
		int n = 0;
		for (byte[] p : parts) n += p.length;
		byte[] out = new byte[n];
		int o = 0;
		for (byte[] p : parts) {
			System.arraycopy(p, 0, out, o, p.length);
			o += p.length;
		}
		return out;
	}

	/** The offset of the first FF xx marker (before the entropy-coded data). */
	private static int find(byte[] s, int marker) {
		for (int i = 0; i + 1 < s.length; i++)
			if ((s[i] & 0xFF) == 0xFF && (s[i + 1] & 0xFF) == marker) return i;
		throw new AssertionError("no marker FF" + Integer.toHexString(marker));
	}

	private static int count(byte[] s, int marker) {
		int n = 0;
		for (int i = 0; i + 1 < s.length; i++)
			if ((s[i] & 0xFF) == 0xFF && (s[i + 1] & 0xFF) == marker) n++;
		return n;
	}

	/** The stream without its marker segments of one kind (header segments before the first SOS only). */
	private static byte[] removeSegments(byte[] s, int marker) {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		out.write(s, 0, 2);
		int p = 2;
		while (p + 4 <= s.length && (s[p + 1] & 0xFF) != 0xDA) {
			int len = (s[p + 2] & 0xFF) << 8 | (s[p + 3] & 0xFF);
			if ((s[p + 1] & 0xFF) != marker) out.write(s, p, 2 + len);
			p += 2 + len;
		}
		out.write(s, p, s.length - p);
		return out.toByteArray();
	}
}
