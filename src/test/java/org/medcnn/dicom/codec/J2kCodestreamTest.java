package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import javax.imageio.IIOImage;
import javax.imageio.ImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomPixels;
import org.medcnn.dicom.DicomReadException;

import com.github.jaiimageio.jpeg2000.J2KImageWriteParam;
import com.github.jaiimageio.jpeg2000.impl.J2KImageWriter;
import com.github.jaiimageio.jpeg2000.impl.J2KImageWriterSpi;

/**
 * JPEG 2000 code streams that end without the end-of-codestream marker (EOC, FFD9) or carry bytes after it, as
 * several NEMA WG04 images do, decoded the way OpenJPEG and GDCM decode them; and code streams that really run out
 * (inside the main header, inside a tile-part, or before a tile), refused as truncated without hanging.
 * <p>
 * Real files ({@code src/test/resources/dicom/wg04}, provenance in {@code PROVENANCE.md}): {@code US1_J2KR.dcm}
 * (RGB ultrasound, YBR_RCT, lossless) and {@code RG3_J2KI.dcm} (MONOCHROME1 CR, 10-bit, lossy), whose code streams
 * end in FFD9 FF. Their expected values were decoded by OpenJPEG 2.5.0 ({@code opj_decompress}) and GDCM 3.0.21
 * ({@code gdcmconv --raw}), which agree bit for bit; US1_J2KR's also equal the uncompressed WG04 original
 * US1_UNCR. {@link #testOpenJpegAgreesPixelForPixel} repeats the comparison pixel by pixel when
 * {@code opj_decompress} is installed ({@code bin/test} installs it). Variants without EOC, with other padding,
 * with Psot = 0, cut short or missing a tile are made here from these streams and from a tiled stream that
 * JJ2000 writes.
 */
class J2kCodestreamTest {

	/** US1_J2KR decoded by OpenJPEG and GDCM, and the stored values of the uncompressed US1_UNCR. */
	private static final String US1_SHA256 = "c92c29a9c62d082eb539e43d88fc3942262f24338dad5f60265b65d5456f704b";
	/** RG3_J2KI decoded by OpenJPEG and GDCM: min 0, max 1023, mean. */
	private static final double RG3_MEAN = 332.7165947830579;

	private final FrameDecoder decoder = FrameDecoders.forTransferSyntax(FrameDecoders.JPEG_2000_LOSSLESS);

	@TempDir
	Path dir;

	private static Path resource(String name) throws URISyntaxException {
		return Path.of(J2kCodestreamTest.class.getResource("/dicom/wg04/" + name).toURI());
	}

	/** The single frame's bytes of a WG04 file. */
	private static byte[] frame(DicomObject o) {
		List<byte[]> fragments = o.pixelDataFragments();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] f : fragments) out.writeBytes(f);
		return out.toByteArray();
	}

	private static byte[] concat(byte[] a, int... tail) {
		byte[] out = Arrays.copyOf(a, a.length + tail.length);
		for (int i = 0; i < tail.length; i++) out[a.length + i] = (byte) tail[i];
		return out;
	}

	/** The offset of the end-of-codestream marker at the end of a WG04 frame (before its padding byte FF). */
	private static int eoc(byte[] b) {
		for (int i = b.length - 2; i >= 0; i--)
			if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) return i;
		throw new AssertionError("no FFD9");
	}

	private int[] decode(byte[] data, FrameLayout l) throws DicomReadException {
		return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> decoder.decode(data, l, 0));
	}

	private DicomReadException refused(byte[] data, FrameLayout l) {
		return assertTimeoutPreemptively(Duration.ofSeconds(5),
			() -> assertThrows(DicomReadException.class, () -> decoder.decode(data, l, 0)));
	}

	@Test
	void testWg04RgbLosslessWithPaddingAfterEoc() throws Exception {
		DicomObject o = Jpeg12Files.read(resource("US1_J2KR.dcm"));
		byte[] f = frame(o);
		assertEquals(f.length - 3, eoc(f), "the WG04 stream ends in FFD9 FF");
		assertEquals(US1_SHA256, Jpeg12Files.sha256(DicomPixels.storedValues(o)));
	}

	@Test
	void testWg04Monochrome1LossyWithPaddingAfterEoc() throws Exception {
		DicomObject o = Jpeg12Files.read(resource("RG3_J2KI.dcm"));
		assertEquals("MONOCHROME1", o.getString(org.medcnn.dicom.Tag.PhotometricInterpretation));
		int[] v = DicomPixels.storedValues(o)[0];
		assertEquals(1760 * 1760, v.length);
		assertEquals(0, Arrays.stream(v).min().getAsInt());
		assertEquals(1023, Arrays.stream(v).max().getAsInt());
		// lossy: JJ2000 and OpenJPEG differ by at most 1 here and there (the shared corpus README's tolerance)
		assertEquals(RG3_MEAN, Arrays.stream(v).average().getAsDouble(), 0.001);
	}

	@Test
	void testMissingEndOfCodestreamIsSupplied() throws Exception {
		DicomObject o = Jpeg12Files.read(resource("US1_J2KR.dcm"));
		byte[] f = frame(o);
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] noEoc = Arrays.copyOf(f, eoc(f));
		assertEquals(US1_SHA256, Jpeg12Files.sha256(new int[][] {decode(noEoc, l)}));
		// without EOC, zero padding to an even fragment length (PS3.5 §A.4) and FF fill are padding too
		assertEquals(US1_SHA256, Jpeg12Files.sha256(new int[][] {decode(concat(noEoc, 0), l)}));
		assertEquals(US1_SHA256, Jpeg12Files.sha256(new int[][] {decode(concat(noEoc, 0xFF, 0xFF, 0, 0), l)}));
	}

	@Test
	void testAnyBytesAfterEndOfCodestreamAreIgnored() throws Exception {
		DicomObject o = Jpeg12Files.read(resource("US1_J2KR.dcm"));
		byte[] f = frame(o);
		FrameLayout l = Jpeg12Files.layout(o);
		byte[] whole = Arrays.copyOf(f, eoc(f) + 2);
		assertEquals(US1_SHA256, Jpeg12Files.sha256(new int[][] {decode(whole, l)}));
		assertEquals(US1_SHA256, Jpeg12Files.sha256(new int[][] {decode(concat(whole, 0, 0, 0, 0, 0, 0), l)}));
		assertEquals(US1_SHA256, Jpeg12Files.sha256(new int[][] {decode(concat(whole, 0x12, 0x34, 0xFF, 0x90), l)}));
	}

	@Test
	void testCutInsideTheTileIsRefusedAsTruncated() throws Exception {
		DicomObject o = Jpeg12Files.read(resource("US1_J2KR.dcm"));
		byte[] f = frame(o);
		FrameLayout l = Jpeg12Files.layout(o);
		int end = eoc(f);
		for (int cut : new int[] {1, 3, 20, 60, 101, 110, end / 2, end - 1}) {
			DicomReadException e = refused(Arrays.copyOf(f, cut), l);
			assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("frame 1")
				&& e.getMessage().contains("US1_J2KR.dcm"), cut + ": " + e.getMessage());
		}
		// cut inside the tile but ending in EOC, as a careless writer would close it: the tile-part's length tells
		byte[] closed = concat(Arrays.copyOf(f, end / 2), 0xFF, 0xD9);
		DicomReadException e = refused(closed, l);
		assertTrue(e.getMessage().contains("truncated inside tile 0"), e.getMessage());
	}

	@Test
	void testLastTilePartToEndOfCodestream() throws Exception {
		DicomObject o = Jpeg12Files.read(resource("US1_J2KR.dcm"));
		byte[] f = frame(o);
		FrameLayout l = Jpeg12Files.layout(o);
		int sot = indexOf(f, 0xFF, 0x90);
		byte[] zero = f.clone();
		Arrays.fill(zero, sot + 6, sot + 10, (byte) 0); // Psot = 0: the tile-part runs to EOC (ISO 15444-1 §A.4.2)
		assertEquals(US1_SHA256, Jpeg12Files.sha256(new int[][] {decode(zero, l)}));
		// without EOC its end cannot be told from a cut
		DicomReadException e = refused(Arrays.copyOf(zero, eoc(f)), l);
		assertTrue(e.getMessage().contains("Psot = 0") && e.getMessage().contains("truncated"), e.getMessage());
	}

	@Test
	void testTiledStreamMissingATileIsRefused() throws Exception {
		int w = 64, h = 48;
		BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
		int[] expected = new int[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				expected[y * w + x] = (x * 7 + y * 13 + (x * y) % 17) & 0xFF;
				img.getRaster().setSample(x, y, 0, expected[y * w + x]);
			}
		byte[] tiled = losslessTiled(img, 32, 16); // 2 × 3 = 6 tiles, one tile-part each
		FrameLayout l = new FrameLayout(dir.resolve("tiled.dcm"), FrameDecoders.JPEG_2000_LOSSLESS + " (test)", h, w, 1,
			8, 8, false, "MONOCHROME2");
		assertArrayEquals(expected, decode(tiled, l));
		List<Integer> sots = tilePartStarts(tiled);
		assertEquals(6, sots.size(), "tile-parts");
		int lastEnd = tiled.length - 2;
		assertArrayEquals(expected, decode(Arrays.copyOf(tiled, lastEnd), l), "all tiles, no EOC");
		// cut exactly between two tile-parts: every tile-part present is whole, but tiles 4 and 5 are missing
		DicomReadException e = refused(Arrays.copyOf(tiled, sots.get(4)), l);
		assertTrue(e.getMessage().contains("tile 4 of 6 is missing") && e.getMessage().contains("truncated"),
			e.getMessage());
		e = refused(concat(Arrays.copyOf(tiled, sots.get(4)), 0xFF, 0xD9), l);
		assertTrue(e.getMessage().contains("tile 4 of 6 is missing"), e.getMessage());
		// a tile-part followed by bytes that are neither a tile-part, EOC nor padding
		byte[] junk = concat(Arrays.copyOf(tiled, lastEnd), 0x12, 0x34);
		e = refused(junk, l);
		assertTrue(e.getMessage().contains("neither a tile-part"), e.getMessage());
	}

	@Test
	void testNoCodestreamIsRefused() {
		FrameLayout l = new FrameLayout(dir.resolve("x.dcm"), FrameDecoders.JPEG_2000 + " (test)", 4, 4, 1, 8, 8, false,
			"MONOCHROME2");
		DicomReadException e = refused("not a code stream at all".getBytes(StandardCharsets.US_ASCII), l);
		assertTrue(e.getMessage().contains("FF4F FF51") && e.getMessage().contains("x.dcm"), e.getMessage());
	}

	@Test
	void testOpenJpegAgreesPixelForPixel() throws Exception {
		Assumptions.assumeTrue(openJpegAvailable(), "OpenJPEG's opj_decompress is not on the PATH (bin/test installs"
			+ " libopenjp2-tools)");
		for (String name : new String[] {"US1_J2KR.dcm", "RG3_J2KI.dcm"}) {
			DicomObject o = Jpeg12Files.read(resource(name));
			byte[] f = frame(o);
			Path j2k = dir.resolve(name + ".j2k");
			Files.write(j2k, Arrays.copyOf(f, eoc(f) + 2));
			Path pnm = dir.resolve(name + (o.getInt(org.medcnn.dicom.Tag.SamplesPerPixel, 1) == 3 ? ".ppm" : ".pgm"));
			Jpeg12Files.runOk("opj_decompress", "-i", j2k.toString(), "-o", pnm.toString());
			int[] reference = readPnm(pnm);
			int[] ours = DicomPixels.storedValues(o)[0];
			// lossless: exact; lossy grey: within 1 (the shared corpus README's tolerance)
			int tolerance = name.contains("J2KR") ? 0 : 1;
			assertEquals(reference.length, ours.length, name);
			int worst = 0;
			for (int i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
			assertTrue(worst <= tolerance, name + " differs from OpenJPEG by up to " + worst + " (allowed " + tolerance + ")");
		}
	}

	private static boolean openJpegAvailable() {
		try {
			return Jpeg12Files.run(List.of("opj_decompress", "-h")) != 127;
		} catch (IOException e) {
			return false;
		}
	}

	/** The samples of a binary PGM/PPM (P5/P6; 16-bit samples are big-endian), interleaved. */
	private static int[] readPnm(Path file) throws IOException {
		byte[] b = Files.readAllBytes(file);
		int[] header = new int[4];
		int p = 0;
		for (int field = 0; field < 4; field++) {
			while (Character.isWhitespace(b[p]) || b[p] == '#') {
				if (b[p] == '#') while (b[p] != '\n') p++;
				p++;
			}
			int start = p;
			while (!Character.isWhitespace(b[p])) p++;
			String token = new String(b, start, p - start, StandardCharsets.US_ASCII);
			header[field] = field == 0 ? (token.equals("P6") ? 3 : 1) : Integer.parseInt(token);
		}
		p++;
		int n = header[0] * header[1] * header[2];
		int[] v = new int[n];
		boolean wide = header[3] > 255;
		for (int i = 0; i < n; i++)
			v[i] = wide ? (b[p + 2 * i] & 0xFF) << 8 | (b[p + 2 * i + 1] & 0xFF) : b[p + i] & 0xFF;
		return v;
	}

	/** A lossless JJ2000 code stream of {@code img}, cut into tiles of {@code tw} × {@code th}. */
	private static byte[] losslessTiled(BufferedImage img, int tw, int th) throws IOException {
		J2KImageWriter writer = new J2KImageWriter(new J2KImageWriterSpi());
		J2KImageWriteParam p = new J2KImageWriteParam();
		p.setLossless(true);
		p.setWriteCodeStreamOnly(true);
		p.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
		p.setTiling(tw, th, 0, 0);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
			writer.setOutput(out);
			writer.write(null, new IIOImage(img, null, null), p);
		} finally {
			writer.dispose();
		}
		return bytes.toByteArray();
	}

	/** Offsets of the SOT markers, found by walking Psot from the first. */
	private static List<Integer> tilePartStarts(byte[] b) {
		List<Integer> out = new java.util.ArrayList<>();
		int p = indexOf(b, 0xFF, 0x90);
		while (p + 12 <= b.length && (b[p] & 0xFF) == 0xFF && (b[p + 1] & 0xFF) == 0x90) {
			out.add(p);
			long psot = ((long) (b[p + 6] & 0xFF) << 24) | (b[p + 7] & 0xFF) << 16 | (b[p + 8] & 0xFF) << 8 | (b[p + 9] & 0xFF);
			p += (int) psot;
		}
		return out;
	}

	private static int indexOf(byte[] b, int first, int second) {
		for (int i = 0; i + 1 < b.length; i++)
			if ((b[i] & 0xFF) == first && (b[i + 1] & 0xFF) == second) return i;
		throw new AssertionError("marker not found");
	}
}
