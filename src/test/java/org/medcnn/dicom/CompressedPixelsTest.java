package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.codec.FrameDecoders;
import org.medcnn.dicom.codec.FrameLayout;
import org.medcnn.dicom.codec.RleFrames;
import org.medcnn.volume.Volume;

/**
 * Encapsulated Pixel Data, one test per compressed variant: the corpus files ({@code ../shared/dicom-corpus})
 * against their reference arrays, synthetic RLE data sets for frame splitting, sign extension and rescale, and
 * damaged or unsupported streams that must fail with a {@link DicomReadException}.
 */
class CompressedPixelsTest {

	private static final String RLE = "1.2.840.10008.1.2.5";

	@TempDir
	Path dir;

	private static Path corpus(String name) {
		Path f = DicomCorpusTest.CORPUS.resolve("files").resolve(name);
		Assumptions.assumeTrue(Files.isRegularFile(f), "shared corpus file missing: " + f);
		return f;
	}

	/** Decodes a corpus file and compares every value with expected/&lt;name&gt;.i32le.gz within a tolerance. */
	private static int[][] assertCorpus(String name, int tolerance) throws IOException {
		int[][] got = DicomPixels.storedValues(DicomReader.read(corpus(name)));
		DicomCorpusTest.assertWithin(tolerance, DicomCorpusTest.referenceArray(name), got, name);
		return got;
	}

	@Test
	void testRleLossless16BitSigned() throws Exception {
		int[][] rle = assertCorpus("ct_small_rle.dcm", 0);
		assertArrayEquals(DicomPixels.storedValues(DicomReader.read(corpus("ct_small_explicit_le.dcm")))[0], rle[0]);
	}

	@Test
	void testRleLossless8BitColour() throws Exception {
		assertCorpus("sc_rgb_rle.dcm", 0);
	}

	@Test
	void testJpegLosslessSv1() throws Exception {
		assertCorpus("ct_small_jpeg_lossless_sv1.dcm", 0);
	}

	@Test
	void testJpegLosslessProcess14Sv6() throws Exception {
		assertCorpus("mr_small_jpeg_lossless_p14_sv6.dcm", 0);
	}

	@Test
	void testJpegBaselineGrey8() throws Exception {
		assertCorpus("gray8_jpeg_baseline.dcm", 0);
	}

	@Test
	void testJpegBaselineRgbNoTransform() throws Exception {
		assertCorpus("sc_jpeg_baseline_rgb_no_transform.dcm", 1);
	}

	@Test
	void testJpegBaselineYbrFull422ToRgb() throws Exception {
		assertCorpus("sc_rgb_jpeg_baseline_ybr_full_422.dcm", 1);
	}

	@Test
	void testJpeg2000Lossless() throws Exception {
		assertCorpus("ct_small_j2k_lossless.dcm", 0);
	}

	@Test
	void testJpeg2000LossyWithinOne() throws Exception {
		assertCorpus("ct_small_j2k_lossy.dcm", 1);
	}

	@Test
	void testJpegExtended12Bit() throws Exception {
		// decoded by JpegDctDecoder; the reference is GDCM's (IJG 12-bit, integer IDCT): bit for bit
		assertCorpus("nm_jpeg_extended_12bit.dcm", 0);
	}

	@Test
	void testJpegLsLossless16BitSigned() throws Exception {
		int[][] ls = assertCorpus("ct_small_jpegls_lossless.dcm", 0);
		assertArrayEquals(DicomPixels.storedValues(DicomReader.read(corpus("ct_small_explicit_le.dcm")))[0], ls[0]);
	}

	@Test
	void testJpegLsNearLosslessIsExactAndWithinNear() throws Exception {
		// Near-lossless decoding is deterministic: the reference array must match exactly, and every value lies
		// within NEAR = 2 of the original.
		int[][] ls = assertCorpus("ct_small_jpegls_near_lossless_gdcm.dcm", 0);
		int[] original = DicomPixels.storedValues(DicomReader.read(corpus("ct_small_explicit_le.dcm")))[0];
		DicomCorpusTest.assertWithin(2, original, ls, "near-lossless vs original");
	}

	@Test
	void testTruncatedJpegLsIsRefusedQuickly() throws Exception {
		DicomObject o = DicomReader.read(corpus("ct_small_jpegls_lossless.dcm"));
		byte[] whole = concat(o.pixelDataFragments());
		FrameLayout l = frameLayout(o);
		for (int cut : new int[] {0, 3, 20, whole.length / 2, whole.length - 3}) {
			byte[] part = Arrays.copyOf(whole, cut);
			DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(
				DicomReadException.class, () -> FrameDecoders.forTransferSyntax(o.transferSyntaxUID()).decode(part, l, 0)));
			assertTrue(e.getMessage().contains("JPEG-LS") && e.getMessage().contains("frame 1"), e.getMessage());
		}
	}

	@Test
	void testTruncatedJpegIsRefusedNotPartial() throws Exception {
		for (String name : new String[] {"gray8_jpeg_baseline.dcm", "ct_small_jpeg_lossless_sv1.dcm"}) {
			DicomObject o = DicomReader.read(corpus(name));
			byte[] whole = concat(o.pixelDataFragments());
			FrameLayout l = frameLayout(o);
			String uid = o.transferSyntaxUID();
			for (int cut : new int[] {1, 20, whole.length / 2}) {
				byte[] part = Arrays.copyOf(whole, cut);
				DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(
					DicomReadException.class, () -> FrameDecoders.forTransferSyntax(uid).decode(part, l, 0)));
				assertTrue(e.getMessage().contains(name) && e.getMessage().contains("(7FE0,0010)"), e.getMessage());
			}
		}
	}

	@Test
	void testTruncatedJpeg2000IsRefusedNotPartial() throws Exception {
		for (String name : new String[] {"ct_small_j2k_lossless.dcm", "ct_small_j2k_lossy.dcm"}) {
			DicomObject o = DicomReader.read(corpus(name));
			byte[] whole = concat(o.pixelDataFragments());
			FrameLayout l = frameLayout(o);
			// a progressive code stream cut short still decodes (to a coarser image): the missing EOC must refuse it
			for (int cut : new int[] {1, 20, whole.length / 2, whole.length - 4}) {
				byte[] part = Arrays.copyOf(whole, cut);
				DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(
					DicomReadException.class, () -> FrameDecoders.forTransferSyntax(o.transferSyntaxUID()).decode(part, l, 0)));
				assertTrue(e.getMessage().contains(name) && e.getMessage().contains("truncated"), e.getMessage());
			}
		}
	}

	@Test
	void testDamagedJpeg2000IsRefused() throws Exception {
		DicomObject o = DicomReader.read(corpus("ct_small_j2k_lossless.dcm"));
		byte[] whole = concat(o.pixelDataFragments());
		// cut inside the code blocks but ending with EOC: the decoder itself must fail (JJ2000 throws ThreadDeath)
		byte[] data = Arrays.copyOf(whole, whole.length / 2 + 2);
		data[data.length - 2] = (byte) 0xFF;
		data[data.length - 1] = (byte) 0xD9;
		FrameLayout l = frameLayout(o);
		assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(DicomReadException.class,
			() -> FrameDecoders.forTransferSyntax(o.transferSyntaxUID()).decode(data, l, 0)));
	}

	@Test
	void testStreamOfWrongSizeIsRefused() throws Exception {
		DicomObject o = DicomReader.read(corpus("gray8_jpeg_baseline.dcm"));
		FrameLayout l = frameLayout(o);
		FrameLayout wrong = new FrameLayout(l.file(), l.transferSyntax(), l.rows() / 2, l.columns(), 1, 8, 8, false,
			"MONOCHROME2");
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> FrameDecoders.forTransferSyntax(o.transferSyntaxUID()).decode(concat(o.pixelDataFragments()), wrong, 0));
		assertTrue(e.getMessage().contains("512×512") && e.getMessage().contains("512×256"), e.getMessage());
	}

	@Test
	void testRleMultiFrameWithBasicOffsetTable() throws Exception {
		byte[] f1 = RleFrames.rleFrame(new int[] {1, 2, 3, 4}, 1, 1);
		byte[] f2 = RleFrames.rleFrame(new int[] {5, 6, 7, 8}, 1, 1);
		byte[] bot = new byte[8];
		RleFrames.put32(bot, 4, f1.length + 8);
		int[][] v = DicomPixels.storedValues(DicomReader.read(rle(2, 2, 8, 8, 0, 2, bot, f1, f2), null, false));
		assertArrayEquals(new int[][] {{1, 2, 3, 4}, {5, 6, 7, 8}}, v);
	}

	@Test
	void testRleMultiFrameOneFragmentPerFrame() throws Exception {
		byte[] f1 = RleFrames.rleFrame(new int[] {1, 2, 3, 4}, 1, 1);
		byte[] f2 = RleFrames.rleFrame(new int[] {5, 6, 7, 8}, 1, 1);
		int[][] v = DicomPixels.storedValues(DicomReader.read(rle(2, 2, 8, 8, 0, 2, new byte[0], f1, f2), null, false));
		assertArrayEquals(new int[][] {{1, 2, 3, 4}, {5, 6, 7, 8}}, v);
	}

	@Test
	void testRleMoreFramesThanFragmentsIsRefused() {
		byte[] f1 = RleFrames.rleFrame(new int[] {1, 2, 3, 4}, 1, 1);
		DicomReadException e = assertThrows(DicomReadException.class, () -> DicomPixels.storedValues(
			DicomReader.read(rle(2, 2, 8, 8, 0, 3, new byte[0], f1), Path.of("three.dcm"), false)));
		assertTrue(e.getMessage().contains("three.dcm") && e.getMessage().contains("NumberOfFrames is 3"), e.getMessage());
	}

	@Test
	void testRleBadBasicOffsetTableIsRefused() {
		byte[] f1 = RleFrames.rleFrame(new int[] {1, 2, 3, 4}, 1, 1);
		byte[] bot = new byte[8];
		RleFrames.put32(bot, 4, 3);
		DicomReadException e = assertThrows(DicomReadException.class, () -> DicomPixels.storedValues(
			DicomReader.read(rle(2, 2, 8, 8, 0, 2, bot, f1, f1), null, false)));
		assertTrue(e.getMessage().contains("Basic Offset Table entry 2"), e.getMessage());
	}

	@Test
	void testRleSignedIsSignExtendedFromBitsStored() throws Exception {
		// BitsStored 12 in 16-bit cells, PixelRepresentation 1: 0x0FFF is −1, 0x0800 is −2048, 0xF7FF keeps 0x7FF
		byte[] f = RleFrames.rleFrame(new int[] {0x0FFF, 0x0800, 0x07FF, 0xF7FF}, 1, 2);
		int[][] v = DicomPixels.storedValues(DicomReader.read(rle(2, 2, 16, 12, 1, 1, new byte[0], f), null, false));
		assertArrayEquals(new int[] {-1, -2048, 2047, 2047}, v[0]);
	}

	@Test
	void testRleHostileHeaderInDataSetIsRefusedQuickly() {
		byte[] f = RleFrames.rleFrame(new int[] {1, 2, 3, 4}, 1, 1);
		RleFrames.put32(f, 4, 0x7FFFFFF0); // first segment offset far past the data
		DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(DicomReadException.class,
			() -> DicomPixels.storedValues(DicomReader.read(rle(2, 2, 8, 8, 0, 1, new byte[0], f), Path.of("h.dcm"), false))));
		assertTrue(e.getMessage().contains("h.dcm") && e.getMessage().contains("(7FE0,0010)"), e.getMessage());
	}

	@Test
	void testCompressedSeriesGetsRescaleAfterDecode() throws Exception {
		for (int z = 0; z < 3; z++) {
			byte[] frame = RleFrames.rleFrame(new int[] {z, 10 + z, 20 + z, 0xFFFF}, 1, 2);
			byte[] data = DicomBytes.part10(RLE).str(Tag.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.2")
				.str(Tag.Modality, "CS", "CT").str(Tag.SeriesInstanceUID, "UI", "1.2.3.77")
				.str(Tag.InstanceNumber, "IS", Integer.toString(z + 1)).str(Tag.ImagePositionPatient, "DS", "0\\0\\" + 2 * z)
				.str(Tag.ImageOrientationPatient, "DS", "1\\0\\0\\0\\1\\0").us(Tag.SamplesPerPixel, 1)
				.str(Tag.PhotometricInterpretation, "CS", "MONOCHROME2").us(Tag.Rows, 2).us(Tag.Columns, 2)
				.str(Tag.PixelSpacing, "DS", "0.5\\0.5").us(Tag.BitsAllocated, 16).us(Tag.BitsStored, 16).us(Tag.HighBit, 15)
				.us(Tag.PixelRepresentation, 1).str(Tag.RescaleIntercept, "DS", "-1000").str(Tag.RescaleSlope, "DS", "2")
				.header(Tag.PixelData, "OB", 0xFFFFFFFFL).item(Tag.Item, 0).item(Tag.Item, frame.length).bytes(frame)
				.item(Tag.SequenceDelimitationItem, 0).bytes();
			Files.write(dir.resolve("s" + z + ".dcm"), data);
		}
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		Volume v = SeriesReader.read(s, null, null);
		for (int z = 0; z < 3; z++) {
			assertEquals(z * 2f - 1000f, v.get(0, 0, z));
			assertEquals((20 + z) * 2f - 1000f, v.get(0, 1, z));
			assertEquals(-1 * 2f - 1000f, v.get(1, 1, z)); // 0xFFFF is −1 (signed), rescaled after decoding
		}
	}

	/** An RLE data set with a Basic Offset Table value and the given fragments. */
	private static byte[] rle(int rows, int cols, int bits, int stored, int signed, int frames, byte[] bot,
		byte[]... fragments) {
		DicomBytes b = DicomBytes.part10(RLE).us(Tag.SamplesPerPixel, 1).str(Tag.PhotometricInterpretation, "CS",
			"MONOCHROME2").us(Tag.Rows, rows).us(Tag.Columns, cols).us(Tag.BitsAllocated, bits).us(Tag.BitsStored, stored)
			.us(Tag.HighBit, stored - 1).us(Tag.PixelRepresentation, signed);
		if (frames > 1) b.str(Tag.NumberOfFrames, "IS", Integer.toString(frames));
		b.header(Tag.PixelData, "OB", 0xFFFFFFFFL).item(Tag.Item, bot.length).bytes(bot);
		for (byte[] f : fragments) b.item(Tag.Item, f.length).bytes(f);
		return b.item(Tag.SequenceDelimitationItem, 0).bytes();
	}

	private static byte[] concat(List<byte[]> fragments) {
		int n = 0;
		for (byte[] f : fragments) n += f.length;
		byte[] out = new byte[n];
		int p = 0;
		for (byte[] f : fragments) {
			System.arraycopy(f, 0, out, p, f.length);
			p += f.length;
		}
		return out;
	}

	private static FrameLayout frameLayout(DicomObject o) {
		return new FrameLayout(o.file(), o.transferSyntaxUID(), o.getInt(Tag.Rows, 0), o.getInt(Tag.Columns, 0),
			o.getInt(Tag.SamplesPerPixel, 1), o.getInt(Tag.BitsAllocated, 0), o.getInt(Tag.BitsStored, 0),
			o.getInt(Tag.PixelRepresentation, 0) == 1, o.getString(Tag.PhotometricInterpretation));
	}
}
