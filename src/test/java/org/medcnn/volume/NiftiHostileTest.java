package org.medcnn.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 items 6, 7 and 12 for NIfTI: the header is checked (size against the heap and Java arrays, geometry,
 * scaling) before any voxel is inflated; a gzip stream is read exactly to the bytes the header declares; geometry
 * that cannot be measured with is refused naming the field; a truncated .nii.gz names the file.
 */
class NiftiHostileTest {

	private static final Duration QUICK = Duration.ofSeconds(3);

	@TempDir
	Path tmp;

	/** A NIfTI-1 header (352 bytes, little endian, sform = diag(pixdim)); {@code edit} may change any field. */
	static byte[] header(int nx, int ny, int nz, int datatype, int bitpix, Consumer<ByteBuffer> edit) {
		ByteBuffer b = ByteBuffer.allocate(352).order(ByteOrder.LITTLE_ENDIAN);
		b.putInt(0, 348);
		short[] dim = {3, (short) nx, (short) ny, (short) nz, 1, 1, 1, 1};
		for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, dim[i]);
		b.putShort(70, (short) datatype);
		b.putShort(72, (short) bitpix);
		float[] pixdim = {1, 1, 1, 2, 0, 0, 0, 0};
		for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, pixdim[i]);
		b.putFloat(108, 352);
		b.putFloat(112, 1);
		b.put(123, (byte) 2);
		b.putShort(254, (short) 1); // sform_code
		b.putFloat(280, 1);
		b.putFloat(300, 1);
		b.putFloat(320, 2);
		b.put(344, new byte[] {'n', '+', '1', 0});
		if (edit != null) edit.accept(b);
		return b.array();
	}

	private Path write(String name, byte[] head, byte[] data, boolean gz) throws IOException {
		Path f = tmp.resolve(name);
		try (OutputStream o = gz ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
			o.write(head);
			o.write(data);
		}
		return f;
	}

	/**
	 * A .nii.gz whose data are {@code zeros} zero bytes, built in about a second however large: one deflated chunk
	 * of zeros (byte-aligned by a sync flush; its back-references stay inside the chunk) is repeated, and the gzip
	 * trailer carries the true CRC-32 and length. 20000 × 20000 × 4 voxels take 1.5 MB, as in the reproduction.
	 */
	static void bomb(Path f, byte[] head, long zeros) throws IOException {
		int chunk = 1 << 26;
		Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
		byte[] buf = new byte[1 << 20];
		d.setInput(head);
		for (int n; (n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0;) out.write(buf, 0, n);
		d.end();
		Deflater z = new Deflater(Deflater.BEST_COMPRESSION, true);
		z.setInput(new byte[chunk]);
		ByteArrayOutputStream c = new ByteArrayOutputStream();
		for (int n; (n = z.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0;) c.write(buf, 0, n);
		z.end();
		byte[] zeroChunk = c.toByteArray();
		CRC32 crc = new CRC32();
		crc.update(head);
		byte[] zeroBuf = new byte[chunk];
		long left = zeros;
		while (left > 0) {
			if (left >= chunk) {
				out.write(zeroChunk);
				crc.update(zeroBuf);
				left -= chunk;
			} else {
				Deflater r = new Deflater(Deflater.BEST_COMPRESSION, true);
				r.setInput(new byte[(int) left]);
				r.finish();
				for (int n; (n = r.deflate(buf)) > 0;) out.write(buf, 0, n);
				r.end();
				crc.update(zeroBuf, 0, (int) left);
				left = 0;
			}
		}
		if (zeros % chunk == 0) out.write(new byte[] {3, 0}); // an empty final block
		ByteBuffer t = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
		t.putInt((int) crc.getValue()).putInt((int) (head.length + zeros));
		out.write(t.array());
		Files.write(f, out.toByteArray());
	}

	@Test
	void testCompressionBombIsCheckedBeforeInflating() throws Exception {
		Path f = tmp.resolve("bomb.nii.gz");
		bomb(f, header(20000, 20000, 4, 2, 8, null), 20000L * 20000 * 4);
		assertTrue(Files.size(f) < 3_000_000, "bomb of " + Files.size(f) + " bytes");
		// a mask for a 128 × 128 × 16 image: refused from the header, nothing inflated
		Geometry image = Geometry.axial(128, 128, 16, 1, 1, 2);
		NiftiFormatException e = assertThrows(NiftiFormatException.class,
			() -> assertTimeoutPreemptively(QUICK, () -> Nifti.readMask(f, image, 1e-3)));
		assertEquals("geometry", e.field());
		assertTrue(e.getMessage().contains("bomb.nii.gz") && e.getMessage().contains("20000"), e.getMessage());
		// as a volume: 1.6 G float32 voxels are 6 GB, more than the test JVM's heap: refused with the -Xmx to use
		NiftiFormatException v = assertThrows(NiftiFormatException.class,
			() -> assertTimeoutPreemptively(QUICK, () -> Nifti.readVolume(f)));
		assertEquals("dim", v.field());
		assertTrue(v.getMessage().contains("-Xmx"), v.getMessage());
	}

	@Test
	void testGzipStreamIsReadExactlyToTheDeclaredBytes() throws Exception {
		byte[] head = header(2, 2, 2, 2, 8, null);
		byte[] more = new byte[8 + 100_000];
		Path longer = write("longer.nii.gz", head, more, true);
		NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readMask(longer));
		assertEquals("dim", e.field());
		assertTrue(e.getMessage().contains("holds more than the 360 bytes"), e.getMessage());
		Path shorter = write("shorter.nii.gz", head, new byte[5], true);
		assertEquals("voxel data", assertThrows(NiftiFormatException.class, () -> Nifti.readMask(shorter)).field());
		// exactly declared: read
		assertEquals(8, Nifti.readMask(write("exact.nii.gz", head, new byte[8], true)).labels().length);
	}

	@Test
	void testTruncatedGzipNamesTheFileAndTheReason() throws Exception {
		byte[] data = new byte[64 * 64 * 8 * 2];
		new java.util.Random(3).nextBytes(data);
		Path whole = write("whole.nii.gz", header(64, 64, 8, 4, 16, null), data, true);
		byte[] all = Files.readAllBytes(whole);
		for (int cut : new int[] {all.length / 2, 200, 12}) {
			Path f = tmp.resolve("cut" + cut + ".nii.gz");
			Files.write(f, Arrays.copyOf(all, cut));
			NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readVolume(f));
			assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
			if (cut == 12) assertThrows(NiftiFormatException.class, () -> Nifti.readGeometry(f));
		}
	}

	@Test
	void testGeometryThatCannotBeMeasuredIsRefusedByField() throws Exception {
		byte[] data = new byte[8];
		assertEquals("quatern_b", refused(b -> {
			b.putShort(254, (short) 0);
			b.putShort(252, (short) 1);
			b.putFloat(256, Float.NaN);
		}, data));
		assertEquals("srow", refused(b -> b.putFloat(284, 1), data)); // x and y axes 45° apart
		assertEquals("srow", refused(b -> b.putFloat(280, 0), data)); // an axis of length 0
		assertEquals("srow", refused(b -> b.putFloat(300, Float.POSITIVE_INFINITY), data));
		for (float bad : new float[] {0, -1, Float.NaN})
			assertEquals("pixdim[1]", refused(b -> {
				b.putShort(254, (short) 0);
				b.putFloat(80, bad);
			}, data));
	}

	@Test
	void testScalingFollowsTheStandardAndNeverOverflows() throws Exception {
		byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
		// scl_slope 0: no scaling; NaN slope: no scaling (nifti1_io.c); 2: scaled
		for (float slope : new float[] {0, Float.NaN}) {
			Path f = write("s" + slope + ".nii", header(2, 2, 2, 2, 8, b -> b.putFloat(112, slope)), data, false);
			assertEquals(8, Nifti.readVolume(f).get(1, 1, 1), 0);
		}
		Path two = write("s2.nii", header(2, 2, 2, 2, 8, b -> b.putFloat(112, 2)), data, false);
		assertEquals(16, Nifti.readVolume(two).get(1, 1, 1), 0);
		Path huge = write("huge.nii", header(2, 2, 2, 2, 8, b -> b.putFloat(112, 3e38f)), data, false);
		NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readVolume(huge));
		assertEquals("scl_slope", e.field());
	}

	private String refused(Consumer<ByteBuffer> edit, byte[] data) throws IOException {
		Path f = write("bad.nii", header(2, 2, 2, 2, 8, edit), data, false);
		return assertThrows(NiftiFormatException.class, () -> Nifti.readVolume(f)).field();
	}
}
