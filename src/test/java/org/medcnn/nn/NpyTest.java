package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy .npy v1.0 writing and reading (numpy.lib.format). */
class NpyTest {

	@TempDir
	Path dir;

	@Test
	void roundTripOfAnNhwcTensor() throws IOException {
		float[] data = new float[2 * 3 * 5];
		for (int i = 0; i < data.length; i++) data[i] = i * 0.25f - 3;
		data[7] = Float.NaN;
		data[8] = -0f;
		Path f = dir.resolve("t.npy");
		Npy.write(f, data, 1, 2, 3, 5);
		byte[] b = Files.readAllBytes(f);
		assertEquals((byte) 0x93, b[0]);
		assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
		assertEquals(1, b[6], "major version");
		assertEquals(0, b[7], "minor version");
		int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
		assertEquals(0, (10 + headerLen) % 64, "data starts at a multiple of 64 bytes");
		String header = new String(b, 10, headerLen, StandardCharsets.US_ASCII);
		assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3, 5), }"), header);
		assertTrue(header.endsWith("\n"), "header ends with a newline");
		assertEquals(10 + headerLen + 4 * data.length, b.length);
		// little-endian float32 data: value 1 is -2.75f = 0xC0300000
		assertArrayEquals(new byte[] {0, 0, 0x30, (byte) 0xC0}, Arrays.copyOfRange(b, 10 + headerLen + 4, 10 + headerLen + 8));

		Npy.FloatArray a = Npy.read(f);
		assertArrayEquals(new int[] {1, 2, 3, 5}, a.shape());
		assertArrayEquals(data, a.data(), "bitwise equal, NaN and -0 included");
	}

	@Test
	void oneDimensionalAndScalarShapes() throws IOException {
		byte[] one = Npy.toBytes(new float[] {1, 2, 3}, 3);
		assertTrue(new String(one, 10, 60, StandardCharsets.US_ASCII).contains("'shape': (3,)"), "1-tuple has a comma");
		assertArrayEquals(new int[] {3}, Npy.parse(one, "one").shape());
		Npy.FloatArray s = Npy.parse(Npy.toBytes(new float[] {42}), "scalar");
		assertEquals(0, s.shape().length);
		assertEquals(42f, s.data()[0]);
	}

	@Test
	void readsVersion2AndBigEndianHeadersAsNumPyWritesThem() throws IOException {
		String dict = "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }";
		String header = dict + " ".repeat(128 - 12 - dict.length() - 1) + "\n";
		byte[] b = new byte[12 + header.length() + 8];
		b[0] = (byte) 0x93;
		System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, b, 1, 5);
		b[6] = 2;
		b[8] = (byte) header.length();
		System.arraycopy(header.getBytes(StandardCharsets.US_ASCII), 0, b, 12, header.length());
		int off = 12 + header.length();
		b[off] = 0x3F; b[off + 1] = (byte) 0x80; // 1.0f big-endian
		b[off + 4] = (byte) 0xC0; // -2.0f
		assertArrayEquals(new float[] {1f, -2f}, Npy.parse(b, "v2").data());
	}

	@Test
	void hostileFilesAreRefusedWithTheirName() {
		byte[] good = Npy.toBytes(new float[] {1, 2, 3, 4}, 2, 2);
		String m = assertThrows(IOException.class, () -> Npy.parse(Arrays.copyOf(good, good.length - 1), "cut.npy")).getMessage();
		assertTrue(m.contains("cut.npy") && m.contains("16 data bytes"), m);
		m = assertThrows(IOException.class, () -> Npy.parse("hello world".getBytes(StandardCharsets.US_ASCII), "x.npy")).getMessage();
		assertTrue(m.contains("x.npy") && m.contains("magic"), m);
		byte[] f8 = good.clone();
		f8[10 + 13] = '8'; // '<f4' → '<f8'
		m = assertThrows(IOException.class, () -> Npy.parse(f8, "f8.npy")).getMessage();
		assertTrue(m.contains("<f8"), m);
		byte[] huge = good.clone();
		huge[8] = (byte) 0xff;
		huge[9] = (byte) 0xff; // header length 65535 > file
		m = assertThrows(IOException.class, () -> Npy.parse(huge, "h.npy")).getMessage();
		assertTrue(m.contains("header length"), m);
		assertThrows(IllegalArgumentException.class, () -> Npy.toBytes(new float[3], 2, 2));
	}
}
