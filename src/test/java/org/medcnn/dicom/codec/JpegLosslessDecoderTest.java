package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
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
import org.medcnn.dicom.codec.JpegLosslessEncoder.HuffmanTable;
import org.medcnn.dicom.codec.LosslessStreams.Options;

/**
 * {@link JpegLosslessDecoder} (T.81 process 14): round trips through {@link JpegLosslessEncoder} at every
 * precision 2..16, including the ±32768 last sample that TwelveMonkeys 3.14 loses; every selection value, point
 * transforms, restart intervals, several components interleaved or in separate scans, APPn/COM segments and fill
 * bytes (streams from the test encoder {@link LosslessStreams}) against the expected samples and against
 * TwelveMonkeys; DCMTK's dcmcjpeg streams (all selection values, point transforms, 8/12/16 bits) and our own
 * layouts against dcmdjpeg when DCMTK is installed; refusals; truncated and randomly damaged streams; and the
 * decoding speed of a 512×512 16-bit frame (printed, not asserted).
 */
class JpegLosslessDecoderTest {

	private static final String TS = FrameDecoders.JPEG_LOSSLESS + " (JPEG Lossless)";

	private final JpegLosslessDecoder decoder = new JpegLosslessDecoder();
	private final FrameDecoder twelveMonkeys = new ImageIoDecoder(JpegDecoder.TWELVEMONKEYS_SPI, "JPEG");

	@TempDir
	Path dir;

	private static FrameLayout layout(int columns, int rows, int components, int precision) {
		return new FrameLayout(null, TS, rows, columns, components, precision <= 8 ? 8 : 16, precision, false,
			components == 1 ? "MONOCHROME2" : "RGB");
	}

	/** A smooth CT-like image of {@code precision} bits with noise, a bright insert and a few extreme samples. */
	private static int[] image(Random r, int columns, int rows, int precision) {
		int max = (1 << precision) - 1;
		int[] s = new int[columns * rows];
		for (int y = 0, i = 0; y < rows; y++)
			for (int x = 0; x < columns; x++, i++) {
				double d = Math.hypot(x - columns / 2.0, y - rows / 2.0) / (Math.min(columns, rows) / 2.0);
				double v = d > 1 ? 0.03 : d > 0.9 ? 0.85 : 0.4 + 0.1 * Math.sin(x * 0.2) * Math.cos(y * 0.15);
				s[i] = (int) Math.max(0, Math.min(max, Math.round(v * max + r.nextGaussian() * Math.max(1, max / 300.0))));
			}
		for (int k = 0; k < 6; k++) s[r.nextInt(s.length)] = k % 2 == 0 ? 0 : max;
		return s;
	}

	/** The samples a decoder must return: components interleaved, each (sample >> Pt) << Pt. */
	private static int[] expected(int[][] components, int precision, int pt) {
		int nf = components.length;
		int n = components[0].length;
		int[] e = new int[n * nf];
		for (int c = 0; c < nf; c++)
			for (int i = 0; i < n; i++) e[i * nf + c] = ((components[c][i] & ((1 << precision) - 1)) >> pt) << pt;
		return e;
	}

	// ---- round trips with JpegLosslessEncoder (SV1) ----

	@Test
	void testEncoderRoundTripsAtEveryPrecision() throws Exception {
		Random r = new Random(2);
		for (int p = 2; p <= 16; p++) {
			for (int[] size : new int[][] {{45, 31}, {1, 9}, {13, 1}, {1, 1}}) {
				int[] s = image(r, size[0], size[1], p);
				byte[] stream = JpegLosslessEncoder.encode(s, size[0], size[1], p);
				assertArrayEquals(s, decoder.decode(stream, layout(size[0], size[1], 1, p), 0), p + "-bit " + size[0] + "×" + size[1]);
			}
			int[] noise = new int[24 * 16];
			for (int i = 0; i < noise.length; i++) noise[i] = r.nextInt(1 << p);
			assertArrayEquals(noise, decoder.decode(JpegLosslessEncoder.encode(noise, 24, 16, p), layout(24, 16, 1, p), 0),
				p + "-bit noise");
		}
	}

	@Test
	void testLastSampleOfCategory16EndingOnAByteBoundary() throws Exception {
		// Every difference ±32768: one 1-bit code per sample, 40 bits, so the last code ends on a byte boundary
		// right before EOI. TwelveMonkeys 3.14 returns 0 for that last sample.
		int[] s = new int[8 * 5];
		for (int i = 0; i < s.length; i++) s[i] = (i + i / 8) % 2 == 0 ? 0 : 32768;
		assertEquals(32768, s[s.length - 1]);
		byte[] stream = JpegLosslessEncoder.encode(s, 8, 5, 16);
		assertArrayEquals(s, decoder.decode(stream, layout(8, 5, 1, 16), 0));
		FrameLayout l70 = new FrameLayout(null, FrameDecoders.JPEG_LOSSLESS_SV1, 5, 8, 1, 16, 16, false, "MONOCHROME2");
		assertArrayEquals(s, FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_LOSSLESS_SV1).decode(stream, l70, 0));

		// Ordinary frames whose last difference is ±32768 and whose entropy-coded data are a whole number of bytes.
		Random r = new Random(32768);
		int found = 0;
		for (int trial = 0; trial < 2000 && found < 5; trial++) {
			int w = 3 + r.nextInt(20), h = 1 + r.nextInt(6);
			int[] f = image(r, w, h, 16);
			int n = f.length;
			f[n - 1] = ((n > 1 ? f[n - 2] : 32768) + 32768) & 0xFFFF;
			if (entropyCodedBits(f, w, h) % 8 != 0) continue;
			found++;
			byte[] b = JpegLosslessEncoder.encode(f, w, h, 16);
			assertArrayEquals(f, decoder.decode(b, layout(w, h, 1, 16), 0), "trial " + trial);
		}
		assertTrue(found >= 5, "only " + found + " frames ending on a byte boundary found");
	}

	/** The length in bits of the entropy-coded data JpegLosslessEncoder writes for a 16-bit frame. */
	private static long entropyCodedBits(int[] s, int w, int h) {
		int[][] c = {s};
		int[] d = LosslessStreams.differences(c, new int[] {0}, w, h, 16, Options.sv(1));
		long[] histogram = new long[JpegLosslessEncoder.CATEGORIES];
		for (int v : d) histogram[JpegLosslessEncoder.category(v)]++;
		HuffmanTable t = HuffmanTable.optimal(histogram);
		long bits = 0;
		for (int v : d) {
			int cat = JpegLosslessEncoder.category(v);
			bits += t.lengths()[cat] + (cat < 16 ? cat : 0);
		}
		return bits;
	}

	// ---- layouts from the test encoder, against the expected samples and TwelveMonkeys ----

	@Test
	void testEverySelectionValueAndPointTransform() throws Exception {
		Random r = new Random(7);
		for (int p : new int[] {2, 8, 12, 16}) {
			int[][] c = {image(r, 37, 29, p)};
			for (int sv = 1; sv <= 7; sv++) {
				for (int pt : new int[] {0, 1, 3, p - 1}) {
					if (pt >= p) continue;
					byte[] stream = LosslessStreams.encode(c, 37, 29, p, new Options(sv, pt, 0, true, false));
					String what = p + "-bit SV" + sv + " Pt" + pt;
					assertArrayEquals(expected(c, p, pt), decoder.decode(stream, layout(37, 29, 1, p), 0), what);
					// TwelveMonkeys decodes precisions 8..16 only; it does not apply the point transform.
					if (pt == 0 && p >= 8)
						assertArrayEquals(expected(c, p, 0), twelveMonkeys.decode(stream, layout(37, 29, 1, p), 0), what + " (TwelveMonkeys)");
				}
			}
		}
	}

	@Test
	void testRestartIntervalsComponentsAndDecorations() throws Exception {
		Random r = new Random(11);
		int w = 41, h = 23;
		for (int nf = 1; nf <= 4; nf++) {
			int p = nf == 2 ? 12 : nf == 3 ? 8 : 16;
			int[][] c = new int[nf][];
			for (int k = 0; k < nf; k++) c[k] = image(r, w, h, p);
			for (int sv : new int[] {1, 4, 6, 7}) {
				for (int lines : new int[] {0, 1, 3, h}) {
					for (boolean interleaved : new boolean[] {true, false}) {
						Options o = new Options(sv, sv == 6 ? 2 : 0, lines, interleaved, lines == 3);
						byte[] stream = LosslessStreams.encode(c, w, h, p, o);
						assertArrayEquals(expected(c, p, o.pointTransform()), decoder.decode(stream, layout(w, h, nf, p), 0),
							o + " with " + nf + " components");
						if (twelveMonkeysDecodes(o, nf, h))
							assertArrayEquals(expected(c, p, 0), twelveMonkeys.decode(stream, layout(w, h, nf, p), 0),
								o + " with " + nf + " components (TwelveMonkeys)");
					}
				}
			}
		}
	}

	/**
	 * Whether TwelveMonkeys 3.14 decodes a layout right. It does not: point transforms (it returns the reduced
	 * values), 12-bit or 2- and 4-component frames, several scans, fill bytes before markers (it fails); and after
	 * each restart marker it keeps predicting with the selection value instead of starting a first line, and
	 * loses its place in interleaved scans. DCMTK checks those layouts ({@link #testDcmdjpegDecodesOurLayoutsAlike}).
	 */
	private static boolean twelveMonkeysDecodes(Options o, int nf, int rows) {
		boolean restarts = o.restartLines() > 0 && o.restartLines() < rows;
		if (o.pointTransform() != 0 || o.decorated()) return false;
		if (nf == 1) return !restarts || o.selectionValue() == 1;
		return nf == 3 && o.interleaved() && !restarts;
	}

	@Test
	void testEveryTransferSyntaxRoutesSof3Here() throws Exception {
		int[][] c = {image(new Random(3), 30, 20, 12)};
		byte[] stream = LosslessStreams.encode(c, 30, 20, 12, new Options(6, 0, 2, true, true));
		for (String ts : new String[] {FrameDecoders.JPEG_LOSSLESS, FrameDecoders.JPEG_LOSSLESS_SV1,
			FrameDecoders.JPEG_BASELINE, FrameDecoders.JPEG_EXTENDED})
			assertArrayEquals(c[0], FrameDecoders.forTransferSyntax(ts).decode(stream, layout(30, 20, 1, 12), 0), ts);
	}

	// ---- DCMTK ----

	@Test
	void testDcmtkStreamsMatchDcmdjpeg() throws Exception {
		Assumptions.assumeTrue(Jpeg12Files.dcmtkAvailable(), "DCMTK dcmcjpeg/dcmdjpeg not on the PATH (bin/test installs it)");
		Random r = new Random(57);
		int rows = 40, columns = 53;
		for (int bits : new int[] {8, 12, 16}) {
			int[] values = image(r, columns, rows, bits);
			Path src = dir.resolve("src" + bits + ".dcm");
			Jpeg12Files.writeGrey(src, rows, columns, bits, false, values);
			List<int[]> cases = new ArrayList<>();
			for (int sv = 1; sv <= 7; sv++) cases.add(new int[] {sv, 0});
			for (int sv : new int[] {1, 4, 7}) cases.add(new int[] {sv, bits == 8 ? 2 : 3});
			for (int[] k : cases) {
				String name = bits + "bit_sv" + k[0] + "_pt" + k[1];
				Path jpg = dir.resolve(name + ".dcm");
				Path ref = dir.resolve(name + ".ref.dcm");
				Jpeg12Files.runOk("dcmcjpeg", "+el", "+sv", Integer.toString(k[0]), "+pt", Integer.toString(k[1]),
					src.toString(), jpg.toString());
				Jpeg12Files.runOk("dcmdjpeg", jpg.toString(), ref.toString());
				DicomObject o = DicomReader.read(jpg);
				byte[] stream = o.pixelDataFragments().get(0);
				assertEquals(k[0], scanHeader(stream)[0], name + ": DCMTK's selection value");
				assertEquals(k[1], scanHeader(stream)[1], name + ": DCMTK's point transform");
				int[][] ours = DicomPixels.storedValues(o);
				assertArrayEquals(DicomPixels.storedValues(DicomReader.read(ref)), ours, name + " against dcmdjpeg");
				if (k[1] == 0) {
					assertArrayEquals(values, ours[0], name);
					FrameLayout l = Jpeg12Files.layout(o);
					assertArrayEquals(twelveMonkeys.decode(stream, l, 0), decoder.decode(stream, l, 0), name + " against TwelveMonkeys");
				}
			}
		}
	}

	@Test
	void testDcmdjpegDecodesOurLayoutsAlike() throws Exception {
		Assumptions.assumeTrue(Jpeg12Files.dcmtkAvailable(), "DCMTK dcmcjpeg/dcmdjpeg not on the PATH (bin/test installs it)");
		Random r = new Random(70);
		int w = 33, h = 21;
		record Case(int components, int precision, Options options) {}
		List<Case> cases = List.of(new Case(1, 16, new Options(1, 0, 1, true, true)),
			new Case(1, 12, new Options(5, 2, 4, true, false)), new Case(3, 8, new Options(7, 0, 2, true, true)),
			new Case(3, 16, new Options(4, 1, 3, false, false)), new Case(3, 12, new Options(6, 0, 0, false, true)),
			new Case(1, 12, new Options(7, 0, 1, true, false)), new Case(3, 16, new Options(4, 0, 1, true, false)),
			new Case(3, 8, new Options(2, 0, 5, true, false)), new Case(3, 8, new Options(3, 0, 0, false, false)));
		int n = 0;
		for (Case k : cases) {
			int[][] c = new int[k.components()][];
			for (int i = 0; i < c.length; i++) c[i] = image(r, w, h, k.precision());
			byte[] stream = LosslessStreams.encode(c, w, h, k.precision(), k.options());
			Path f = dir.resolve("ours" + n + ".dcm");
			Path ref = dir.resolve("ours" + n++ + ".ref.dcm");
			Jpeg12Files.writeJpeg(f, FrameDecoders.JPEG_LOSSLESS, h, w, k.components(), k.precision(), false, List.of(stream));
			Jpeg12Files.runOk("dcmdjpeg", "+cn", f.toString(), ref.toString());
			int[][] ours = DicomPixels.storedValues(DicomReader.read(f));
			assertArrayEquals(DicomPixels.storedValues(DicomReader.read(ref)), ours, k.toString());
			assertArrayEquals(expected(c, k.precision(), k.options().pointTransform()), ours[0], k.toString());
		}
	}

	/** {Ss, Al} of the first SOS. */
	private static int[] scanHeader(byte[] b) {
		int p = find(b, 0xDA);
		int ns = b[p + 4] & 0xFF;
		return new int[] {b[p + 5 + 2 * ns] & 0xFF, b[p + 7 + 2 * ns] & 0x0F};
	}

	// ---- refusals ----

	@Test
	void testRefusals() throws Exception {
		int[][] c = {image(new Random(9), 20, 10, 12)};
		byte[] ok = LosslessStreams.encode(c, 20, 10, 12, new Options(1, 0, 2, true, false));
		FrameLayout l = layout(20, 10, 1, 12);
		int sos = find(ok, 0xDA);
		int ss = sos + 7;

		byte[] sv0 = ok.clone();
		sv0[ss] = 0;
		assertMessage(sv0, l, "not supported yet", "selection value 0");
		byte[] sv8 = ok.clone();
		sv8[ss] = 8;
		assertMessage(sv8, l, "selection value 8");
		byte[] pt12 = ok.clone();
		pt12[ss + 2] = 12;
		assertMessage(pt12, l, "point transform 12");
		byte[] ri = ok.clone();
		int dri = find(ok, 0xDD);
		ri[dri + 5] = 41;
		assertMessage(ri, l, "not supported yet", "restart interval of 41");
		assertMessage(ok, layout(21, 10, 1, 12), "Columns × Rows");
		assertMessage(ok, layout(20, 10, 3, 12), "SamplesPerPixel");
		assertMessage(ok, layout(20, 10, 1, 8), "BitsAllocated 8");
		assertMessage(removeSegment(ok, 0xC4), l, "no DHT defines it");
		assertMessage(Arrays.copyOf(ok, ok.length - 2), l, "without EOI");
		byte[] precision17 = ok.clone();
		precision17[find(ok, 0xC3) + 4] = 17;
		assertMessage(precision17, l, "precision of 17");
		byte[] arithmetic = ok.clone();
		arithmetic[find(ok, 0xC3) + 1] = (byte) 0xCB;
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_LOSSLESS).decode(arithmetic, l, 0));
		assertTrue(e.getMessage().contains("not supported yet"), e.getMessage());
		assertMessage(arithmetic, l, "arithmetic");

		// A 65535×65535 frame claimed by a few bytes is refused before anything is allocated for it.
		byte[] huge = ok.clone();
		int sof = find(ok, 0xC3);
		for (int i = 5; i <= 8; i++) huge[sof + i] = (byte) 0xFF;
		assertMessage(huge, layout(65535, 65535, 1, 12), "too short");
	}

	private void assertMessage(byte[] stream, FrameLayout l, String... parts) {
		DicomReadException e = assertThrows(DicomReadException.class, () -> decoder.decode(stream, l, 2));
		assertTrue(e.getMessage().contains("frame 3"), e.getMessage());
		for (String part : parts) assertTrue(e.getMessage().contains(part), e.getMessage());
	}

	// ---- damage ----

	@Test
	void testEveryTruncationIsRefused() throws Exception {
		int[][] c = {image(new Random(4), 31, 17, 16)};
		for (Options o : new Options[] {Options.sv(1), new Options(7, 0, 2, true, false)}) {
			byte[] ok = LosslessStreams.encode(c, 31, 17, 16, o);
			FrameLayout l = layout(31, 17, 1, 16);
			for (int len = 0; len < ok.length; len++) {
				byte[] cut = Arrays.copyOf(ok, len);
				assertThrows(DicomReadException.class, () -> decoder.decode(cut, l, 0), o + " cut to " + len + " bytes");
			}
		}
	}

	@Test
	void testRandomDamageOnlyEverThrowsDicomReadException() {
		Random r = new Random(1410);
		int[][] grey = {image(r, 64, 48, 16)};
		int[][] rgb = {image(r, 40, 30, 12), image(r, 40, 30, 12), image(r, 40, 30, 12)};
		byte[][] streams = {JpegLosslessEncoder.encode(grey[0], 64, 48, 16),
			LosslessStreams.encode(grey, 64, 48, 16, new Options(7, 0, 3, true, true)),
			LosslessStreams.encode(rgb, 40, 30, 12, new Options(4, 1, 2, false, false)),
			LosslessStreams.encode(rgb, 40, 30, 12, new Options(6, 0, 1, true, true))};
		FrameLayout[] layouts = {layout(64, 48, 1, 16), layout(64, 48, 1, 16), layout(40, 30, 3, 12), layout(40, 30, 3, 12)};
		int[] outcomes = new int[2];
		assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
			long stop = System.nanoTime() + 2_000_000_000L;
			for (int trial = 0; System.nanoTime() < stop; trial++) {
				int k = trial % streams.length;
				byte[] damaged = mutate(streams[k], r);
				try {
					int[] out = decoder.decode(damaged, layouts[k], 0);
					assertEquals(layouts[k].samplesPerFrame(), out.length);
					outcomes[0]++;
				} catch (DicomReadException e) {
					assertTrue(e.getMessage().contains("frame 1"), e.getMessage());
					outcomes[1]++;
				} catch (RuntimeException | Error e) {
					fail("trial " + trial + " (stream " + k + "): " + e, e);
				}
			}
		});
		System.out.println("JPEG lossless damage: " + outcomes[0] + " damaged streams decoded, " + outcomes[1] + " refused");
		assertTrue(outcomes[1] > 100, "refused " + outcomes[1]);
	}

	private static byte[] mutate(byte[] ok, Random r) {
		byte[] b = ok.clone();
		switch (r.nextInt(5)) {
			case 0 -> {
				for (int i = 1 + r.nextInt(4); i > 0; i--) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
			}
			case 1 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
			case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length));
			case 3 -> {
				int at = r.nextInt(b.length), n = 1 + r.nextInt(Math.min(64, b.length - at));
				ByteArrayOutputStream out = new ByteArrayOutputStream();
				out.write(b, 0, at);
				out.write(b, at + n, b.length - at - n);
				b = out.toByteArray();
			}
			default -> {
				// a header byte: precision, sizes, counts, table ids, selection value, point transform
				int i = 2 + r.nextInt(Math.min(b.length - 2, 200));
				b[i] = (byte) r.nextInt(256);
			}
		}
		return b;
	}

	// ---- speed ----

	@Test
	void testSpeedOf512x512SixteenBitFrames() throws Exception {
		Random r = new Random(512);
		int[] s = image(r, 512, 512, 12);
		for (int i = 0; i < s.length; i++) s[i] += 30000; // a 12-bit range stored in 16 bits
		byte[] stream = JpegLosslessEncoder.encode(s, 512, 512, 16);
		FrameLayout l = layout(512, 512, 1, 16);
		for (int i = 0; i < 20; i++) assertArrayEquals(s, decoder.decode(stream, l, 0));
		// The best of 6 batches of 10: the machine is shared, the fastest batch is the decoder's own speed.
		double ours = Double.MAX_VALUE;
		for (int batch = 0; batch < 6; batch++) {
			long t0 = System.nanoTime();
			for (int i = 0; i < 10; i++) decoder.decode(stream, l, 0);
			ours = Math.min(ours, (System.nanoTime() - t0) / 1e6 / 10);
		}
		twelveMonkeys.decode(stream, l, 0);
		long t1 = System.nanoTime();
		for (int i = 0; i < 3; i++) twelveMonkeys.decode(stream, l, 0);
		double theirs = (System.nanoTime() - t1) / 1e6 / 3;
		System.out.printf("JPEG lossless 512×512 16-bit SV1 (%d bytes): %.2f ms per frame (TwelveMonkeys %.2f ms)%n",
			stream.length, ours, theirs);
	}

	// ---- stream surgery ----

	/** The offset of the first marker FF{@code m} at a segment boundary. */
	private static int find(byte[] b, int m) {
		int p = 2;
		while (p + 4 <= b.length) {
			if ((b[p + 1] & 0xFF) == m) return p;
			p += 2 + ((b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF));
		}
		throw new AssertionError("no marker FF" + Integer.toHexString(m));
	}

	private static byte[] removeSegment(byte[] b, int m) {
		int p = find(b, m);
		int len = 2 + ((b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(b, 0, p);
		out.write(b, p + len, b.length - p - len);
		return out.toByteArray();
	}
}
