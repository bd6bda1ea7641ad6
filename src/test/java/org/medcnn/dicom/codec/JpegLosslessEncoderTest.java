package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.codec.JpegLosslessEncoder.HuffmanTable;

/**
 * The JPEG lossless (process 14, SV1) encoder: round trips through MedCNN's decoder for transfer syntax
 * 1.2.840.10008.1.2.4.70 at precisions 8, 12 and 16 (random, CT-like, constant, extreme, 1×1, odd-sized frames
 * and category-16 differences), the marker segments it writes, the Huffman code properties of T.81 Annex C/K
 * and its argument checks. DCMTK decodes a written file in {@code DicomWriterTest}.
 */
class JpegLosslessEncoderTest {

	private static final String TS = FrameDecoders.JPEG_LOSSLESS_SV1 + " (JPEG Lossless SV1)";

	/** Decodes a stream with the project's decoder for 1.2.840.10008.1.2.4.70, masked to P bits. */
	private static int[] decode(byte[] stream, int columns, int rows, int precision) throws DicomReadException {
		FrameLayout l = new FrameLayout(null, TS, rows, columns, 1, precision <= 8 ? 8 : 16, precision, false,
			"MONOCHROME2");
		int[] got = FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_LOSSLESS_SV1).decode(stream, l, 0);
		for (int i = 0; i < got.length; i++) got[i] &= (1 << precision) - 1;
		return got;
	}

	/** Encodes, decodes and compares; returns the stream. */
	private static byte[] assertRoundTrip(int[] samples, int columns, int rows, int precision) throws DicomReadException {
		byte[] stream = JpegLosslessEncoder.encode(samples, columns, rows, precision);
		int[] expected = samples.clone();
		for (int i = 0; i < expected.length; i++) expected[i] &= (1 << precision) - 1;
		assertArrayEquals(expected, decode(stream, columns, rows, precision), precision + "-bit " + columns + "×" + rows);
		return stream;
	}

	private static int[] random(Random r, int n, int precision) {
		int[] s = new int[n];
		for (int i = 0; i < n; i++) s[i] = r.nextInt(1 << precision);
		s[0] = 0;
		s[n - 1] = (1 << precision) - 1;
		s[n / 2] = (1 << precision) - 1;
		s[n / 2 + 1] = 0;
		return s;
	}

	/**
	 * A smooth CT-like frame on a 12-bit scale (8-bit: scaled down): a disc of soft tissue in air with a bright
	 * rim, a gentle texture and noise of 3 levels.
	 */
	private static int[] ctLike(Random r, int columns, int rows, int precision) {
		int max = (1 << precision) - 1, scale = Math.min(max, 4095);
		int[] s = new int[columns * rows];
		for (int y = 0, i = 0; y < rows; y++)
			for (int x = 0; x < columns; x++, i++) {
				double d = Math.hypot(x - columns / 2.0, y - rows / 2.0) / (Math.min(columns, rows) / 2.0);
				double v = d > 1 ? 0.02 : d > 0.9 ? 0.8 : 0.45 + 0.05 * Math.sin(x * 0.05) * Math.cos(y * 0.04);
				s[i] = (int) Math.max(0, Math.min(max, Math.round(v * scale + r.nextGaussian() * 3)));
			}
		return s;
	}

	@Test
	void testRandomFramesRoundTrip() throws Exception {
		Random r = new Random(14);
		for (int p : new int[] {8, 12, 16}) {
			assertRoundTrip(random(r, 64 * 48, p), 64, 48, p);
			assertRoundTrip(random(r, 37 * 23, p), 37, 23, p);
			assertRoundTrip(random(r, 1 * 19, p), 1, 19, p);
			assertRoundTrip(random(r, 19, p), 19, 1, p);
		}
	}

	@Test
	void testCtLikeFramesRoundTripAndCompress() throws Exception {
		Random r = new Random(3);
		for (int p : new int[] {8, 12, 16}) {
			byte[] stream = assertRoundTrip(ctLike(r, 131, 97, p), 131, 97, p);
			double bitsPerSample = stream.length * 8.0 / (131 * 97);
			assertTrue(bitsPerSample < 5.5, p + "-bit CT-like frame: " + bitsPerSample + " bits per sample");
		}
	}

	@Test
	void testConstantAndExtremeFramesRoundTrip() throws Exception {
		for (int p : new int[] {8, 12, 16}) {
			int max = (1 << p) - 1;
			for (int v : new int[] {0, max, 1 << (p - 1), 1}) {
				int[] s = new int[33 * 17];
				Arrays.fill(s, v);
				assertRoundTrip(s, 33, 17, p);
				assertRoundTrip(new int[] {v}, 1, 1, p);
			}
			// Alternating extremes: the largest differences of the precision in both directions.
			int[] zigzag = new int[15 * 9];
			for (int i = 0; i < zigzag.length; i++) zigzag[i] = (i + i / 15) % 2 == 0 ? 0 : max;
			assertRoundTrip(zigzag, 15, 9, p);
		}
	}

	@Test
	void testOtherPrecisionsRoundTrip() throws Exception {
		Random r = new Random(5);
		// Every precision 2..16 is written with the precision in SOF3 (JpegLosslessDecoderTest decodes them all).
		for (int p : new int[] {2, 5, 10, 14, 15}) assertRoundTrip(random(r, 21 * 11, p), 21, 11, p);
		assertEquals(2, JpegDecoder.startOfFrame(JpegLosslessEncoder.encode(new int[] {0, 3, 1, 2}, 2, 2, 2))[1]);
	}

	@Test
	void testCategory16DifferencesRoundTrip() throws Exception {
		// 0 after the initial predictor 32768, 32768 after 0 and 0 after 32768: every difference is ±32768, which
		// modulo 2^16 is 32768, category 16, coded without additional bits (T.81 H.1.2.2).
		int[] s = new int[8 * 5];
		for (int i = 0; i < s.length; i++) s[i] = (i + i / 8) % 2 == 0 ? 0 : 32768;
		byte[] stream = assertRoundTrip(s, 8, 5, 16);
		HuffmanTable t = table(stream);
		assertArrayEquals(new int[] {16}, t.values(), "the only category is 16");
		// One 1-bit code per sample, no additional bits: 40 bits = 5 bytes of entropy-coded data.
		assertEquals(5, entropyCodedLength(stream));

		// Mixed with ordinary differences and the extremes 0 and 65535 (difference 65535 ≡ -1).
		int[] mixed = new int[16 * 16];
		Random r = new Random(16);
		for (int i = 0; i < mixed.length; i++)
			mixed[i] = switch (r.nextInt(4)) {
				case 0 -> 0;
				case 1 -> 32768;
				case 2 -> 65535;
				default -> r.nextInt(65536);
			};
		byte[] m = assertRoundTrip(mixed, 16, 16, 16);
		assertTrue(Arrays.stream(table(m).values()).anyMatch(v -> v == 16), "category 16 is coded");
	}

	@Test
	void testSignedSamplesAreEncodedAsTheirBitPattern() throws Exception {
		int[] s = {-32768, -1, 0, 1, 32767, -1024, 2000, -2000, 12, -12, 0, -32768};
		byte[] stream = JpegLosslessEncoder.encode(s, 4, 3, 16);
		int[] got = decode(stream, 4, 3, 16);
		for (int i = 0; i < s.length; i++) assertEquals(s[i], (short) got[i], "sample " + i);
		int[] twelve = {-2048, 2047, -1, 0};
		int[] got12 = decode(JpegLosslessEncoder.encode(twelve, 2, 2, 12), 2, 2, 12);
		for (int i = 0; i < twelve.length; i++) assertEquals(twelve[i] & 0xFFF, got12[i], "12-bit sample " + i);
	}

	@Test
	void testMarkerSegments() {
		byte[] b = JpegLosslessEncoder.encode(new int[] {1, 2, 3, 4, 5, 6}, 3, 2, 12);
		int[] head = {0xFF, 0xD8, 0xFF, 0xC3, 0, 11, 12, 0, 2, 0, 3, 1, 1, 0x11, 0, 0xFF, 0xC4};
		for (int i = 0; i < head.length; i++) assertEquals(head[i], b[i] & 0xFF, "byte " + i);
		int sos = sosOffset(b);
		int[] scanHeader = {0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0x00};
		for (int i = 0; i < scanHeader.length; i++) assertEquals(scanHeader[i], b[sos + i] & 0xFF, "SOS byte " + i);
		assertEquals(0xFF, b[b.length - 2] & 0xFF);
		assertEquals(0xD9, b[b.length - 1] & 0xFF);
		assertEquals(0xC3, JpegDecoder.startOfFrame(b)[0]);
		assertEquals(12, JpegDecoder.startOfFrame(b)[1]);
	}

	@Test
	void testEveryFFInTheEntropyCodedDataIsStuffed() throws Exception {
		// Random 16-bit data makes many long codes and 0xFF bytes.
		int[] s = random(new Random(255), 40 * 40, 16);
		byte[] b = assertRoundTrip(s, 40, 40, 16);
		int start = sosOffset(b) + 10, end = b.length - 2;
		int ff = 0;
		for (int i = start; i < end; i++)
			if ((b[i] & 0xFF) == 0xFF) {
				ff++;
				assertEquals(0, b[i + 1], "byte after 0xFF at " + i);
				i++;
			}
		assertTrue(ff > 0, "the test data should produce 0xFF bytes");
	}

	@Test
	void testDifferenceCategories() {
		assertEquals(0, JpegLosslessEncoder.category(0));
		assertEquals(1, JpegLosslessEncoder.category(-1));
		assertEquals(2, JpegLosslessEncoder.category(3));
		assertEquals(3, JpegLosslessEncoder.category(-4));
		assertEquals(15, JpegLosslessEncoder.category(-32767));
		assertEquals(16, JpegLosslessEncoder.category(32768));
	}

	@Test
	void testOptimalHuffmanTablesAreValidCodes() {
		Random r = new Random(11);
		for (int trial = 0; trial < 500; trial++) {
			long[] h = new long[JpegLosslessEncoder.CATEGORIES];
			int used = 1 + r.nextInt(h.length);
			for (int k = 0; k < used; k++) h[r.nextInt(h.length)] = 1 + (long) (Math.pow(10, r.nextDouble() * 7));
			assertValidTable(h, HuffmanTable.optimal(h));
		}
		// Frequencies 1, 2, 3, 5, 8, … (Fibonacci) with the reserved symbol's 1 give a completely skewed Huffman
		// tree of depth 17: Annex K.3 must shorten it to 16 bits.
		long[] fib = new long[JpegLosslessEncoder.CATEGORIES];
		fib[0] = 1;
		fib[1] = 2;
		for (int i = 2; i < fib.length; i++) fib[i] = fib[i - 1] + fib[i - 2];
		HuffmanTable t = HuffmanTable.optimal(fib);
		assertValidTable(fib, t);
		assertEquals(16, Arrays.stream(t.lengths()).max().getAsInt());
		// A single used category gets a 1-bit code ("0"): the reserved all-ones code "1" is not used.
		long[] one = new long[JpegLosslessEncoder.CATEGORIES];
		one[0] = 1000;
		HuffmanTable single = HuffmanTable.optimal(one);
		assertValidTable(one, single);
		assertEquals(1, single.lengths()[0]);
		assertEquals(0, single.codes()[0]);
		// Optimality on a hand-computed case: frequencies 8, 4, 2, 1 (+ reserved 1) give lengths 1, 2, 3, 4.
		long[] geometric = new long[JpegLosslessEncoder.CATEGORIES];
		geometric[0] = 8;
		geometric[1] = 4;
		geometric[2] = 2;
		geometric[3] = 1;
		HuffmanTable g = HuffmanTable.optimal(geometric);
		assertEquals(1, g.lengths()[0]);
		assertEquals(2, g.lengths()[1]);
		assertEquals(3, g.lengths()[2]);
		assertEquals(4, g.lengths()[3]);
		assertThrows(IllegalArgumentException.class, () -> HuffmanTable.optimal(new long[JpegLosslessEncoder.CATEGORIES]));
	}

	/** Lengths 1..16, Kraft sum &lt; 1, canonical codes prefix-free, no all-ones code, codes for exactly the used categories. */
	private static void assertValidTable(long[] histogram, HuffmanTable t) {
		String what = "histogram " + Arrays.toString(histogram);
		long kraft = 0; // in units of 2^-16
		int total = 0;
		for (int l = 1; l <= 16; l++) total += t.bits()[l];
		assertEquals(total, t.values().length, what);
		for (int c = 0; c < JpegLosslessEncoder.CATEGORIES; c++) {
			int l = t.lengths()[c];
			assertEquals(histogram[c] > 0, l > 0, what + ": category " + c);
			if (l == 0) continue;
			assertTrue(l <= 16, what + ": length " + l);
			kraft += 1L << (16 - l);
			assertNotEquals((1 << l) - 1, t.codes()[c], what + ": all-ones code for category " + c);
			for (int d = 0; d < JpegLosslessEncoder.CATEGORIES; d++) {
				int m = t.lengths()[d];
				if (d == c || m == 0 || m < l) continue;
				assertNotEquals(t.codes()[c], t.codes()[d] >>> (m - l), what + ": code of " + c + " is a prefix of " + d);
			}
		}
		assertTrue(kraft < 1L << 16, what + ": Kraft sum " + kraft + "/65536");
	}

	/** The Huffman table of a stream written by the encoder (its only DHT). */
	private static HuffmanTable table(byte[] b) {
		int p = 2;
		while ((b[p + 1] & 0xFF) != 0xC4) p += 2 + ((b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF));
		assertEquals(0x00, b[p + 4], "Tc/Th");
		int[] bits = new int[17];
		int n = 0;
		for (int l = 1; l <= 16; l++) n += bits[l] = b[p + 4 + l] & 0xFF;
		int[] values = new int[n];
		for (int i = 0; i < n; i++) values[i] = b[p + 21 + i] & 0xFF;
		return HuffmanTable.fromBitsAndValues(bits, values);
	}

	private static int sosOffset(byte[] b) {
		int p = 2;
		while ((b[p + 1] & 0xFF) != 0xDA) p += 2 + ((b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF));
		return p;
	}

	private static int entropyCodedLength(byte[] b) {
		return b.length - 2 - (sosOffset(b) + 10);
	}

	@Test
	void testRejectsBadArguments() {
		assertThrows(IllegalArgumentException.class, () -> JpegLosslessEncoder.encode(new int[4], 2, 2, 1));
		assertThrows(IllegalArgumentException.class, () -> JpegLosslessEncoder.encode(new int[4], 2, 2, 17));
		assertThrows(IllegalArgumentException.class, () -> JpegLosslessEncoder.encode(new int[3], 2, 2, 8));
		assertThrows(IllegalArgumentException.class, () -> JpegLosslessEncoder.encode(new int[0], 0, 0, 8));
		assertThrows(IllegalArgumentException.class, () -> JpegLosslessEncoder.encode(new int[65536], 65536, 1, 8));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> JpegLosslessEncoder.encode(new int[] {0, 256, 0, 0}, 2, 2, 8));
		assertTrue(e.getMessage().contains("sample 1 = 256"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> JpegLosslessEncoder.encode(new int[] {-129}, 1, 1, 8));
	}
}
