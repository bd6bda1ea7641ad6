package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomPixels;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.Tag;

/**
 * Deflated Image Frame Compression (1.2.840.10008.1.2.8.1, PS3.5 §A.4.13): real binary SEGs of pydicom's test data
 * ({@code src/test/resources/dicom/deflated}, provenance there) against values computed outside MedCNN, one with
 * frames of a whole number of bytes and one without (each frame starts at a byte boundary); 16-bit signed frames
 * deflated here; and damaged, truncated and over-long streams refused with the reason.
 */
class DeflatedFramesTest {

	/** 512² liver SEG: the shared corpus's seg_liver_3frame.dcm, decoded by pydicom and DCMTK. */
	private static final String LIVER_SHA256 = "4bc3b73a7b2e44301ba02ce26d216caf12ce7237bb3ed73391a0c12184d07be8";
	/** 510² liver SEG: its native twin's values, read as one bit stream. */
	private static final String NON_ALIGNED_SHA256 = "b8505535852d7554b764418f2e55e5aef9918c40488718d1accede3884f16f6a";

	@TempDir
	Path dir;

	private static Path resource(String name) throws URISyntaxException {
		return Path.of(DeflatedFramesTest.class.getResource("/dicom/deflated/" + name).toURI());
	}

	private static int ones(int[][] frames) {
		int n = 0;
		for (int[] f : frames) for (int v : f) n += v;
		return n;
	}

	@Test
	void testDeflatedBinarySeg() throws Exception {
		DicomObject o = DicomReader.read(resource("liver_deflate.dcm"));
		assertEquals(DeflatedFrames.TRANSFER_SYNTAX, o.transferSyntaxUID());
		int[][] v = DicomPixels.storedValues(o);
		assertEquals(3, v.length);
		assertEquals(512 * 512, v[0].length);
		assertEquals(107_098, ones(v));
		assertEquals(LIVER_SHA256, Jpeg12Files.sha256(v));
		Path corpus = Path.of("..", "shared", "dicom-corpus", "files", "seg_liver_3frame.dcm");
		if (Files.isRegularFile(corpus)) assertArrayEquals(DicomPixels.storedValues(DicomReader.read(corpus)), v);
	}

	@Test
	void testDeflatedBinarySegFramesNotAWholeNumberOfBytes() throws Exception {
		DicomObject o = DicomReader.read(resource("liver_nonbyte_aligned_deflate.dcm"));
		assertEquals(510, o.getInt(Tag.Rows, 0));
		int[][] v = DicomPixels.storedValues(o);
		assertEquals(107_098, ones(v));
		assertEquals(NON_ALIGNED_SHA256, Jpeg12Files.sha256(v));
	}

	@Test
	void testDeflated16BitSignedFrames() throws Exception {
		int rows = 37, cols = 29;
		int[] a = Jpeg12Files.phantom(rows, cols, 1), b = Jpeg12Files.phantom(rows, cols, 2);
		List<byte[]> frames = new ArrayList<>();
		for (int[] f : new int[][] {a, b}) frames.add(DeflatedFrames.deflate(le16(f)));
		Path file = dir.resolve("ct16_deflated.dcm");
		Jpeg12Files.writeJpeg(file, DeflatedFrames.TRANSFER_SYNTAX, rows, cols, 1, 12, true, frames);
		int[][] v = DicomPixels.storedValues(DicomReader.read(file));
		assertArrayEquals(a, v[0]);
		assertArrayEquals(b, v[1]);
	}

	@Test
	void testOddLengthStreamWithItsNulPad() throws Exception {
		// Find a frame whose deflate stream has an odd length: A.4.13 pads it with one NUL, which must be ignored.
		int rows = 8;
		for (int cols = 3; cols < 60; cols++) {
			int[] f = Jpeg12Files.phantom(rows, cols, cols);
			byte[] z = DeflatedFrames.deflate(le16(f));
			if (z.length % 2 == 0) continue;
			Path file = dir.resolve("odd.dcm");
			Jpeg12Files.writeJpeg(file, DeflatedFrames.TRANSFER_SYNTAX, rows, cols, 1, 12, true, List.of(z));
			assertArrayEquals(f, DicomPixels.storedValues(DicomReader.read(file))[0]);
			return;
		}
		throw new AssertionError("no odd-length deflate stream found");
	}

	@Test
	void testDamagedTruncatedAndOverlongFramesAreRefused() throws Exception {
		int rows = 16, cols = 16;
		FrameLayout l = new FrameLayout(dir.resolve("d.dcm"), DeflatedFrames.TRANSFER_SYNTAX + " (test)", rows, cols, 1,
			16, 12, true, "MONOCHROME2");
		byte[] z = DeflatedFrames.deflate(le16(Jpeg12Files.phantom(rows, cols, 3)));
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> DeflatedFrames.inflate(Arrays.copyOf(z, z.length / 2), 2 * rows * cols, l, 0));
		assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("d.dcm"), e.getMessage());
		e = assertThrows(DicomReadException.class, () -> DeflatedFrames.inflate(z, 2 * rows * cols + 2, l, 0));
		assertTrue(e.getMessage().contains("inflates to only 512 bytes"), e.getMessage());
		e = assertThrows(DicomReadException.class, () -> DeflatedFrames.inflate(z, 2 * rows * cols - 2, l, 0));
		assertTrue(e.getMessage().contains("more than the 510 bytes"), e.getMessage());
		byte[] junk = {(byte) 0xFF, (byte) 0xFF, 0x12, 0x34};
		e = assertThrows(DicomReadException.class, () -> DeflatedFrames.inflate(junk, 512, l, 0));
		assertTrue(e.getMessage().contains("damaged"), e.getMessage());
		// A bomb: 64 MB of zeros deflate to ~64 KB; a 512-byte frame must stop after 512 bytes, at once.
		byte[] bomb = DeflatedFrames.deflate(new byte[64 << 20]);
		e = assertTimeoutPreemptively(Duration.ofSeconds(2),
			() -> assertThrows(DicomReadException.class, () -> DeflatedFrames.inflate(bomb, 512, l, 0)));
		assertTrue(e.getMessage().contains("more than the 512 bytes"), e.getMessage());
	}

	@Test
	void testDeflatedFileWithWrongHeaderIsRefusedNamingTheFile() throws IOException {
		int rows = 10, cols = 10;
		Path file = dir.resolve("short.dcm");
		// The frame holds 10×9 cells but the header says 10×10.
		Jpeg12Files.writeJpeg(file, DeflatedFrames.TRANSFER_SYNTAX, rows, cols, 1, 12, false,
			List.of(DeflatedFrames.deflate(new byte[2 * rows * (cols - 1)])));
		DicomReadException e = assertThrows(DicomReadException.class, () -> DicomPixels.storedValues(DicomReader.read(file)));
		assertTrue(e.getMessage().contains("short.dcm") && e.getMessage().contains("inflates to only 180 bytes")
			&& e.getMessage().contains("frame 1"), e.getMessage());
	}

	@Test
	void testFrameBytes() {
		assertEquals(32_513, DeflatedFrames.frameBytes(510 * 510, 1), "a 1-bit frame starts at a byte boundary");
		assertEquals(32_768, DeflatedFrames.frameBytes(512 * 512, 1));
		assertEquals(2 * 37 * 29, DeflatedFrames.frameBytes(37 * 29, 16));
	}

	private static byte[] le16(int[] values) {
		byte[] b = new byte[2 * values.length];
		for (int i = 0; i < values.length; i++) {
			b[2 * i] = (byte) values[i];
			b[2 * i + 1] = (byte) (values[i] >> 8);
		}
		return b;
	}
}
