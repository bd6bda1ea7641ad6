package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.Tag;

/** {@link RleDecoder} against hand-made PS3.5 Annex G streams, including damaged ones. */
class RleDecoderTest {

	private static final Path FILE = Path.of("rle-test.dcm");

	private static FrameLayout layout(int rows, int cols, int spp, int bits) {
		return new FrameLayout(FILE, "1.2.840.10008.1.2.5 (RLE Lossless)", rows, cols, spp, bits, bits, false,
			spp == 3 ? "RGB" : "MONOCHROME2");
	}

	@Test
	void testPackBitsLiteralRepeatAndNoOp() {
		// literal "1 2", no-op −128, repeat 7 four times, literal "9"
		byte[] src = {1, 1, 2, -128, -3, 7, 0, 9};
		byte[] dst = new byte[7];
		assertEquals(7, RleDecoder.unpackBits(src, 0, src.length, dst));
		assertArrayEquals(new byte[] {1, 2, 7, 7, 7, 7, 9}, dst);
	}

	@Test
	void testPackBitsDropsPaddingOutputAndReportsShortInput() {
		byte[] dst = new byte[3];
		assertEquals(3, RleDecoder.unpackBits(new byte[] {-9, 5}, 0, 2, dst)); // a run of 10 fills 3
		assertArrayEquals(new byte[] {5, 5, 5}, dst);
		assertEquals(1, RleDecoder.unpackBits(new byte[] {0, 4, 5, 1, 2}, 0, 5, new byte[4])); // literal cut off
		assertEquals(0, RleDecoder.unpackBits(new byte[] {-5}, 0, 1, new byte[4])); // repeat without its byte
	}

	@Test
	void testPackBitsRoundTripsLongRuns() {
		byte[] plane = new byte[1000];
		for (int i = 0; i < plane.length; i++) plane[i] = (byte) (i < 400 ? 3 : i % 7);
		byte[] enc = RleFrames.packBits(plane);
		byte[] dst = new byte[plane.length];
		assertEquals(plane.length, RleDecoder.unpackBits(enc, 0, enc.length, dst));
		assertArrayEquals(plane, dst);
	}

	@Test
	void testRleLossless8BitGrey() throws Exception {
		int[] v = {0, 255, 255, 255, 255, 17, 18, 19, 200, 200, 1, 2};
		assertArrayEquals(v, new RleDecoder().decode(RleFrames.rleFrame(v, 1, 1), layout(3, 4, 1, 8), 0));
	}

	@Test
	void testRleLossless16Bit() throws Exception {
		int[] v = {0, 0xFFFF, 0x1234, 0x8000, 0x00FF, 0xFF00};
		assertArrayEquals(v, new RleDecoder().decode(RleFrames.rleFrame(v, 1, 2), layout(2, 3, 1, 16), 0));
	}

	@Test
	void testRleLossless32Bit() throws Exception {
		int[] v = {0, -1, 0x12345678, 0x80000000, 7, 0x00FF00FF};
		assertArrayEquals(v, new RleDecoder().decode(RleFrames.rleFrame(v, 1, 4), layout(3, 2, 1, 32), 0));
	}

	@Test
	void testRleLossless8BitColourIsInterleaved() throws Exception {
		int[] rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9};
		assertArrayEquals(rgb, new RleDecoder().decode(RleFrames.rleFrame(rgb, 3, 1), layout(2, 2, 3, 8), 0));
	}

	@Test
	void testRleBadSegmentOffsetsAreRefused() {
		int[] v = {1, 2, 3, 4, 5, 6};
		for (int bad : new int[] {0, 60, 65, 1 << 30, -1}) {
			byte[] f = RleFrames.rleFrame(v, 1, 2);
			RleFrames.put32(f, 8, bad); // second segment
			if (bad == 65) RleFrames.put32(f, 4, 200); // first offset past the data
			DicomReadException e = assertThrows(DicomReadException.class,
				() -> new RleDecoder().decode(f, layout(2, 3, 1, 16), 0));
			assertTrue(e.getMessage().contains("rle-test.dcm") && e.getMessage().contains("(7FE0,0010)")
				&& e.getMessage().contains("offset"), e.getMessage());
		}
	}

	@Test
	void testRleTruncatedDataIsRefusedQuickly() {
		int[] v = new int[512 * 512];
		for (int i = 0; i < v.length; i++) v[i] = (i * 31) & 0xFFFF;
		byte[] whole = RleFrames.rleFrame(v, 1, 2);
		FrameLayout l = layout(512, 512, 1, 16);
		for (int cut : new int[] {10, 64, 70, whole.length / 2, whole.length - 3}) {
			byte[] f = Arrays.copyOf(whole, cut);
			DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
				() -> assertThrows(DicomReadException.class, () -> new RleDecoder().decode(f, l, 0)));
			assertEquals(Tag.PixelData, e.tag());
		}
	}

	@Test
	void testRleTinyStreamClaimingHugeImageIsRefusedBeforeAllocating() {
		byte[] f = RleFrames.rleFrame(new int[] {1, 2, 3, 4}, 1, 2);
		DicomReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThrows(DicomReadException.class,
			() -> new RleDecoder().decode(f, layout(40000, 40000, 1, 16), 0)));
		assertTrue(e.getMessage().contains("too few for Rows × Columns = 1600000000"), e.getMessage());
	}

	@Test
	void testRleWrongSegmentCountIsRefused() {
		byte[] f = RleFrames.rleFrame(new int[] {1, 2, 3, 4}, 1, 1);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> new RleDecoder().decode(f, layout(2, 2, 1, 16), 0));
		assertTrue(e.getMessage().contains("declares 1 segments") && e.getMessage().contains("needs 2"), e.getMessage());
		RleFrames.put32(f, 0, 0x7FFFFFFF);
		assertThrows(DicomReadException.class, () -> new RleDecoder().decode(f, layout(2, 2, 1, 8), 0));
	}
}
