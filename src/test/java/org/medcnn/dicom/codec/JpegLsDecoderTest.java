package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.medcnn.dicom.DicomReadException;

/**
 * The JPEG-LS decoder's parts (ITU-T T.87): bit reading with 0xFF stuffing, limited-length Golomb codes, gradient
 * quantisation and default thresholds, MED prediction, marker parsing, tiny hand-made streams, and hostile input.
 * The corpus files are decoded to their reference hashes in {@code CompressedPixelsTest} and
 * {@code DicomCorpusTest}.
 */
class JpegLsDecoderTest {

	private static final String LS = "1.2.840.10008.1.2.4.80 (JPEG-LS Lossless Image Compression)";

	private static FrameLayout layout(int rows, int cols, int spp, int bits) {
		return new FrameLayout(Path.of("hand.dcm"), LS, rows, cols, spp, bits, bits, false, spp == 3 ? "RGB" : "MONOCHROME2");
	}

	private static byte[] bytes(int... v) {
		byte[] b = new byte[v.length];
		for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
		return b;
	}

	/** SOI, SOF55 (8-bit, one component, cols × rows), SOS (NEAR, ILV 0), the scan data, EOI. */
	private static byte[] greyStream(int rows, int cols, int near, int... scan) {
		ByteArrayOutputStream s = new ByteArrayOutputStream();
		s.writeBytes(bytes(0xFF, 0xD8, 0xFF, 0xF7, 0, 11, 8, rows >> 8, rows, cols >> 8, cols, 1, 1, 0x11, 0));
		s.writeBytes(bytes(0xFF, 0xDA, 0, 8, 1, 1, 0, near, 0, 0));
		s.writeBytes(bytes(scan));
		s.writeBytes(bytes(0xFF, 0xD9));
		return s.toByteArray();
	}

	@Test
	void testBitReaderSkipsStuffedBitAfterFF() throws Exception {
		// 0xFF then 0x7F: 8 ones, then the 7 data bits of 0x7F (its top bit is the stuffed 0) = 7 ones.
		JpegLsBitReader r = new JpegLsBitReader(bytes(0xFF, 0x7F, 0x80), 0, 3);
		assertEquals(0xFF, r.bits(8));
		assertEquals(0x7F, r.bits(7));
		assertEquals(1, r.bit());
	}

	@Test
	void testBitReaderStopsAtMarker() {
		JpegLsBitReader r = new JpegLsBitReader(bytes(0x00, 0xFF, 0xD9), 0, 3);
		assertThrows(JpegLsBitReader.Truncated.class, () -> r.bits(16));
		JpegLsBitReader end = new JpegLsBitReader(bytes(0x00), 0, 1);
		assertThrows(JpegLsBitReader.Truncated.class, () -> end.bits(9));
	}

	@Test
	void testGolombDecoding() throws Exception {
		// k = 2: 9 = q 2, remainder 01 → 001 01; k = 0: 3 = 0001; escape (limit 32, qbpp 8: 23 zeros, 1, 8 bits).
		JpegLsBitReader r = new JpegLsBitReader(bytes(0b00101000, 0b10000000), 0, 2);
		assertEquals(9, r.golomb(2, 32, 8));
		assertEquals(3, r.golomb(0, 32, 8));
		// 23 zeros, a 1, then 0b00000101 (5): value 5 + 1 = 6
		JpegLsBitReader esc = new JpegLsBitReader(bytes(0, 0, 1, 0b00000101), 0, 4);
		assertEquals(6, esc.golomb(3, 32, 8));
		// 30 zeros is longer than any code with limit 32 and qbpp 8
		JpegLsBitReader bad = new JpegLsBitReader(bytes(0, 0, 0, 0, 0xFF), 0, 5);
		assertEquals(-1, bad.golomb(0, 32, 8));
	}

	@Test
	void testGradientQuantisation() {
		int[] t = JpegLsDecoder.defaultThresholds(255, 0);
		assertArrayEquals(new int[] {3, 7, 21, 64}, t);
		int[] in = {-100, -21, -20, -7, -6, -3, -2, -1, 0, 1, 2, 3, 6, 7, 20, 21, 100};
		int[] want = {-4, -4, -3, -3, -2, -2, -1, -1, 0, 1, 1, 2, 2, 3, 3, 4, 4};
		for (int i = 0; i < in.length; i++)
			assertEquals(want[i], JpegLsDecoder.quantize(in[i], 0, t[0], t[1], t[2]), "gradient " + in[i]);
		// NEAR widens the zero bin to −NEAR..NEAR
		assertEquals(0, JpegLsDecoder.quantize(2, 2, 9, 17, 35));
		assertEquals(-1, JpegLsDecoder.quantize(-3, 2, 9, 17, 35));
	}

	@Test
	void testDefaultThresholds() {
		// T.87 Table C.3 for 16 bits (MAXVAL 65535, FACTOR 16), 12 bits, NEAR 2, and a small MAXVAL (< 128).
		assertArrayEquals(new int[] {18, 67, 276, 64}, JpegLsDecoder.defaultThresholds(65535, 0));
		assertArrayEquals(new int[] {18, 67, 276, 64}, JpegLsDecoder.defaultThresholds(4095, 0));
		assertArrayEquals(new int[] {24, 77, 290, 64}, JpegLsDecoder.defaultThresholds(65535, 2));
		assertArrayEquals(new int[] {2, 3, 4, 64}, JpegLsDecoder.defaultThresholds(15, 0));
	}

	@Test
	void testMedPredictor() {
		assertEquals(3, JpegLsDecoder.predict(3, 7, 9)); // c ≥ max → min
		assertEquals(7, JpegLsDecoder.predict(3, 7, 1)); // c ≤ min → max
		assertEquals(6, JpegLsDecoder.predict(3, 7, 4)); // a + b − c
	}

	@Test
	void testHandMadeRunStream() throws Exception {
		// 4 × 1 zeros: run mode from the start, four 1 bits (J[0..3] = 0, runs of 1) reach the end of the line.
		int[] v = new JpegLsDecoder().decode(greyStream(1, 4, 0, 0xF0), layout(1, 4, 1, 8), 0);
		assertArrayEquals(new int[4], v);
	}

	@Test
	void testHandMadeRunInterruptionStream() throws Exception {
		// 1 × 1 pixel of value 5: run bit 0, then the run-interruption sample (RItype 1, A = 4, N = 1 → k = 2):
		// EMErrval = 2·5 − 1 = 9 = 001 01. Bits 0 001 01 → 0x14.
		int[] v = new JpegLsDecoder().decode(greyStream(1, 1, 0, 0x14), layout(1, 1, 1, 8), 0);
		assertArrayEquals(new int[] {5}, v);
	}

	@Test
	void testRestartMarkersResetTheCoder() throws Exception {
		// 1 column × 2 rows of 5 with a restart interval of 1 line: after RST0 the contexts, run index and previous
		// line are reset, so the second line is coded exactly like the first (0x14, see above).
		byte[] s = bytes(0xFF, 0xD8, 0xFF, 0xF7, 0, 11, 8, 0, 2, 0, 1, 1, 1, 0x11, 0, 0xFF, 0xDD, 0, 4, 0, 1,
			0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0, 0, 0x14, 0xFF, 0xD0, 0x14, 0xFF, 0xD9);
		assertArrayEquals(new int[] {5, 5}, new JpegLsDecoder().decode(s, layout(2, 1, 1, 8), 0));
		byte[] wrong = s.clone();
		wrong[33] = (byte) 0xD3; // RST3 where RST0 is due
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> new JpegLsDecoder().decode(wrong, layout(2, 1, 1, 8), 0));
		assertTrue(e.getMessage().contains("RST0"), e.getMessage());
	}

	@Test
	void testMarkerParsingSkipsApplicationSegmentsAndReadsPresets() throws Exception {
		byte[] s = greyStream(1, 1, 0, 0x14);
		ByteArrayOutputStream b = new ByteArrayOutputStream();
		b.writeBytes(bytes(0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 'h', 'i'));
		// LSE id 1 with MAXVAL 255 and default (0) thresholds, RESET 64
		b.writeBytes(bytes(0xFF, 0xF8, 0, 13, 1, 0, 255, 0, 0, 0, 0, 0, 0, 0, 64));
		b.write(s, 2, s.length - 2);
		assertArrayEquals(new int[] {5}, new JpegLsDecoder().decode(b.toByteArray(), layout(1, 1, 1, 8), 0));
	}

	@Test
	void testMismatchesAndUnsupportedVariantsAreRefused() {
		JpegLsDecoder d = new JpegLsDecoder();
		DicomReadException size = assertThrows(DicomReadException.class,
			() -> d.decode(greyStream(1, 4, 0, 0xF0), layout(2, 4, 1, 8), 0));
		assertTrue(size.getMessage().contains("hand.dcm") && size.getMessage().contains("Rows"), size.getMessage());
		byte[] mapping = greyStream(1, 1, 0, 0x14);
		mapping[21] = 1; // Tm of the scan's component
		DicomReadException m = assertThrows(DicomReadException.class, () -> d.decode(mapping, layout(1, 1, 1, 8), 0));
		assertTrue(m.getMessage().contains("not supported yet"), m.getMessage());
		DicomReadException jpeg = assertThrows(DicomReadException.class,
			() -> d.decode(bytes(0xFF, 0xD8, 0xFF, 0xC0, 0, 2, 0xFF, 0xD9), layout(1, 1, 1, 8), 0));
		assertTrue(jpeg.getMessage().contains("not JPEG-LS"), jpeg.getMessage());
	}

	@Test
	void testHostileInputFailsQuickly() {
		JpegLsDecoder d = new JpegLsDecoder();
		Random r = new Random(87);
		byte[] good = greyStream(64, 64, 0, new int[40]);
		assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
			for (int i = 0; i < 2000; i++) {
				byte[] b = good.clone();
				int n = 1 + r.nextInt(8);
				for (int k = 0; k < n; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
				byte[] cut = r.nextBoolean() ? java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)) : b;
				try {
					int[] v = d.decode(cut, layout(64, 64, 1, 8), 0);
					assertEquals(64 * 64, v.length);
				} catch (DicomReadException expected) {
					assertTrue(expected.getMessage().contains("hand.dcm"), expected.getMessage());
				}
			}
		});
	}
}
