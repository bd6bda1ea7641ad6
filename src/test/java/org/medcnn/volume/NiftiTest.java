package org.medcnn.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NiftiTest {

	@TempDir
	Path tmp;

	/** A 30° rotation about z then 20° about x: an oblique, right-handed grid. */
	private static Geometry oblique() {
		double a = Math.toRadians(30), b = Math.toRadians(20);
		double[] row = {Math.cos(a), Math.sin(a), 0};
		double[] col = {-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)};
		double[] n = {row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2],
			row[0] * col[1] - row[1] * col[0]};
		return new Geometry(7, 5, 4, new double[] {0.8, 0.9, 3}, new double[] {-101.3, 47.25, 12.5},
			new double[] {row[0], row[1], row[2], col[0], col[1], col[2], n[0], n[1], n[2]});
	}

	private static Mask pattern(Geometry g) {
		byte[] b = new byte[g.voxelCount()];
		for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 37 % 5 == 0 ? (i % 3) + 1 : 0);
		b[b.length - 1] = (byte) 255;
		return new Mask(g, b);
	}

	private static void assertGeometry(Geometry expected, Geometry actual) {
		assertTrue(expected.matches(actual, 1e-4), expected.describeMismatch(actual, 1e-4));
	}

	@Test
	void testMaskRoundTripObliqueGz() throws IOException {
		Mask m = pattern(oblique());
		Path f = tmp.resolve("case01.nii.gz");
		Nifti.writeMask(m, f);
		byte[] raw = Files.readAllBytes(f);
		assertEquals(0x1f, raw[0] & 0xFF, "gzip-compressed");
		Mask back = Nifti.readMask(f);
		assertGeometry(m.geometry(), back.geometry());
		assertArrayEquals(m.labels(), back.labels());
		assertGeometry(m.geometry(), Nifti.readGeometry(f));
	}

	@Test
	void testMaskRoundTripAxialUncompressedHeaderFields() throws IOException {
		Geometry g = new Geometry(4, 3, 2, new double[] {0.5, 0.75, 2}, new double[] {10, 20, 30}, Geometry.AXIAL);
		Mask m = pattern(g);
		Path f = tmp.resolve("m.nii");
		Nifti.writeMask(m, f);
		ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
		assertEquals(348, h.getInt(0));
		assertEquals(2, h.getShort(70), "uint8");
		assertEquals(1002, h.getShort(68), "intent label");
		assertEquals(352, h.getFloat(108), 0);
		assertEquals(1, h.getShort(252), "qform_code");
		assertEquals(1, h.getShort(254), "sform_code");
		// LPS (10, 20, 30) is RAS (-10, -20, 30); the x and y axes point to -R and -A.
		assertArrayEquals(new float[] {-0.5f, 0, 0, -10}, row(h, 280));
		assertArrayEquals(new float[] {0, -0.75f, 0, -20}, row(h, 296));
		assertArrayEquals(new float[] {0, 0, 2, 30}, row(h, 312));
		assertEquals(352 + 24, h.capacity());
		Mask back = Nifti.readMask(f);
		assertEquals(g, back.geometry());
		assertArrayEquals(m.labels(), back.labels());
	}

	@Test
	void testQformOnlyIncludingLeftHandedGrid() throws IOException {
		Geometry right = oblique();
		double[] d = right.direction();
		// Left-handed: slice axis against row × column (e.g. slices stored head to feet).
		Geometry left = new Geometry(7, 5, 4, right.spacingMm(), right.originMm(),
			new double[] {d[0], d[1], d[2], d[3], d[4], d[5], -d[6], -d[7], -d[8]});
		for (Geometry g : new Geometry[] {right, left}) {
			Path f = tmp.resolve("q.nii");
			Nifti.writeMask(pattern(g), f);
			patchShort(f, 254, (short) 0); // sform_code = 0: the reader must use the quaternion
			assertGeometry(g, Nifti.readMask(f).geometry());
		}
	}

	@Test
	void testPixdimOnlyWhenNoTransform() throws IOException {
		Path f = tmp.resolve("p.nii");
		Nifti.writeMask(pattern(oblique()), f);
		patchShort(f, 252, (short) 0);
		patchShort(f, 254, (short) 0);
		Geometry g = Nifti.readGeometry(f);
		assertArrayEquals(new double[] {0.8, 0.9, 3}, g.spacingMm(), 1e-6);
		assertArrayEquals(new double[3], g.originMm(), 0);
		// pixdim alone maps i, j, k to +R, +A, +S, which is -x, -y, +z in LPS.
		assertArrayEquals(new double[] {-1, 0, 0, 0, -1, 0, 0, 0, 1}, g.direction(), 0);
	}

	@Test
	void testVolumeFloat32AndInt16RoundTrip() throws IOException {
		Geometry g = oblique();
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i * 11 - 1000;
		Volume vol = new Volume(g, v, "CT");
		for (Nifti.DataType t : new Nifti.DataType[] {Nifti.DataType.FLOAT32, Nifti.DataType.INT16}) {
			Path f = tmp.resolve("v-" + t + ".nii.gz");
			Nifti.writeVolume(vol, f, t);
			Volume back = Nifti.readVolume(f);
			assertGeometry(g, back.geometry());
			assertArrayEquals(v, back.voxels(), 0, t + ": integral HU are exact");
		}
		float[] frac = v.clone();
		frac[3] = 0.123f;
		frac[4] = 40000.5f;
		Path f = tmp.resolve("scaled.nii");
		Nifti.writeVolume(new Volume(g, frac, "CT"), f, Nifti.DataType.INT16);
		double step = (40000.5 - -1000) / 65535;
		assertArrayEquals(frac, Nifti.readVolume(f).voxels(), (float) step, "within one step of the scaling");
		assertThrows(IllegalArgumentException.class, () -> Nifti.writeVolume(vol, tmp.resolve("x.nii"),
			Nifti.DataType.UINT8));
	}

	@Test
	void testSclSlopeAndInterApplyToImages() throws IOException {
		Path f = handMade(ByteOrder.LITTLE_ENDIAN, 4, new int[] {2, 2, 1}, 2.0f, 10.0f, new double[] {1, 2, 3, 4},
			false);
		assertArrayEquals(new float[] {12, 14, 16, 18}, Nifti.readVolume(f).voxels(), 0);
	}

	@Test
	void testBigEndianAndEveryDatatype() throws IOException {
		int[] codes = {2, 256, 4, 512, 8, 16, 64};
		double[] values = {0, 1, 2, 127};
		for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
			for (int code : codes) {
				Path f = handMade(order, code, new int[] {2, 2, 1}, 0, 0, values, code == 64);
				Volume v = Nifti.readVolume(f);
				assertArrayEquals(new float[] {0, 1, 2, 127}, v.voxels(), 0, order + " datatype " + code);
				assertArrayEquals(new double[] {1.5, 2.5, 4}, v.geometry().spacingMm(), 1e-6);
				assertArrayEquals(new byte[] {0, 1, 2, 127}, Nifti.readMask(f).labels());
			}
		Path neg = handMade(ByteOrder.LITTLE_ENDIAN, 4, new int[] {4, 1, 1}, 0, 0, new double[] {-32768, -1, 0, 32767},
			false);
		assertArrayEquals(new float[] {-32768, -1, 0, 32767}, Nifti.readVolume(neg).voxels(), 0);
		Path u16 = handMade(ByteOrder.BIG_ENDIAN, 512, new int[] {2, 1, 1}, 0, 0, new double[] {65535, 40000}, false);
		assertArrayEquals(new float[] {65535, 40000}, Nifti.readVolume(u16).voxels(), 0);
	}

	@Test
	void testMaskWithNonLabelValuesIsRefused() throws IOException {
		Path f = handMade(ByteOrder.LITTLE_ENDIAN, 16, new int[] {2, 1, 1}, 0, 0, new double[] {1, 0.5}, false);
		NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readMask(f));
		assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("(1, 0, 0)"), e.getMessage());
	}

	@Test
	void testReadMaskOntoFlippedReferenceGrid() throws IOException {
		// The reference image's grid and the same voxels stored with y flipped and slices reversed, as some
		// converters write them.
		Geometry ref = new Geometry(6, 5, 4, new double[] {0.7, 0.8, 2}, new double[] {-20, 15, 7}, Geometry.AXIAL);
		Mask m = pattern(ref);
		double[] flippedOrigin = ref.toPatient(0, 4, 3);
		Geometry flipped = new Geometry(6, 5, 4, ref.spacingMm(), flippedOrigin,
			new double[] {1, 0, 0, 0, -1, 0, 0, 0, -1});
		byte[] stored = new byte[m.labels().length];
		for (int z = 0; z < 4; z++)
			for (int y = 0; y < 5; y++)
				for (int x = 0; x < 6; x++) stored[flipped.index(x, y, z)] = (byte) m.get(x, 4 - y, 3 - z);
		Path f = tmp.resolve("flipped.nii.gz");
		Nifti.writeMask(new Mask(flipped, stored), f);
		Mask aligned = Nifti.readMask(f, ref, 1e-3);
		assertEquals(ref, aligned.geometry());
		assertArrayEquals(m.labels(), aligned.labels());

		Geometry shifted = new Geometry(6, 5, 4, ref.spacingMm(), new double[] {-19, 15, 7}, Geometry.AXIAL);
		NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readMask(f, shifted, 1e-3));
		assertEquals("geometry", e.field());
	}

	@Test
	void testTruncatedFileNamesFileAndField() throws IOException {
		Path good = tmp.resolve("good.nii");
		Nifti.writeMask(pattern(oblique()), good);
		byte[] all = Files.readAllBytes(good);
		Path cut = tmp.resolve("cut.nii");
		Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
		NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readMask(cut));
		assertTrue(e.getMessage().contains("cut.nii"), e.getMessage());
		Path gz = tmp.resolve("cut.nii.gz");
		try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
			o.write(all, 0, all.length - 10);
		}
		e = assertThrows(NiftiFormatException.class, () -> Nifti.readMask(gz));
		assertEquals("voxel data", e.field());
		Path tiny = tmp.resolve("tiny.nii");
		Files.write(tiny, new byte[100]);
		assertEquals("sizeof_hdr", assertThrows(NiftiFormatException.class, () -> Nifti.readMask(tiny)).field());
	}

	@Test
	void testAbsurdDimensionsAreRefusedBeforeAllocating() throws IOException {
		Path f = handMade(ByteOrder.LITTLE_ENDIAN, 64, new int[] {32767, 32767, 1}, 0, 0, new double[4], false);
		// 32767² float64 voxels = 8 GB claimed by a file of a few hundred bytes.
		NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readVolume(f));
		assertEquals("dim", e.field());
		Path gz = tmp.resolve("absurd.nii.gz");
		try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
			o.write(Files.readAllBytes(f));
		}
		assertEquals("dim", assertThrows(NiftiFormatException.class, () -> Nifti.readVolume(gz)).field());
	}

	@Test
	void testUnsupportedHeadersAreRefusedByField() throws IOException {
		Path ok = handMade(ByteOrder.LITTLE_ENDIAN, 2, new int[] {2, 1, 1}, 0, 0, new double[] {0, 1}, false);
		byte[] base = Files.readAllBytes(ok);
		assertEquals("magic", refused(base, b -> b.put(345, (byte) 'i')));
		assertEquals("datatype", refused(base, b -> b.putShort(70, (short) 128)));
		assertEquals("bitpix", refused(base, b -> b.putShort(72, (short) 16)));
		assertEquals("dim[4]", refused(base, b -> {
			b.putShort(40, (short) 4);
			b.putShort(48, (short) 3);
		}));
		assertEquals("dim[0]", refused(base, b -> b.putShort(40, (short) 9)));
		assertEquals("dim[2]", refused(base, b -> b.putShort(44, (short) 0)));
		assertEquals("vox_offset", refused(base, b -> b.putFloat(108, 100)));
	}

	@Test
	void testNifti2RoundTripObliqueMaskAndVolumeWithHeaderFields() throws IOException {
		Geometry g = oblique();
		Mask m = pattern(g);
		Path f = tmp.resolve("mask2.nii");
		Nifti.writeMask(m, f, Nifti.Version.NIFTI2);
		ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
		assertEquals(540, b.getInt(0));
		byte[] magic = new byte[8];
		b.get(4, magic);
		assertArrayEquals(new byte[] {'n', '+', '2', 0, '\r', '\n', 0x1A, '\n'}, magic);
		assertEquals(3, b.getLong(16));
		assertEquals(7, b.getLong(24));
		assertEquals(4, b.getLong(40));
		assertEquals(544, b.getLong(168));
		assertEquals(0.9, b.getDouble(104 + 16), 0, "pixdim is float64: exact");
		assertEquals(1002, b.getInt(504));
		assertEquals(544 + g.voxelCount(), b.capacity());
		Mask back = Nifti.readMask(f);
		assertTrue(g.matches(back.geometry(), 1e-9), g.describeMismatch(back.geometry(), 1e-9));
		assertArrayEquals(m.labels(), back.labels());

		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i * 0.25f - 3;
		Path gz = tmp.resolve("vol2.nii.gz");
		Nifti.writeVolume(new Volume(g, v, "MR"), gz, Nifti.DataType.FLOAT32, Nifti.Version.NIFTI2);
		Volume vb = Nifti.readVolume(gz);
		assertTrue(g.matches(vb.geometry(), 1e-9), g.describeMismatch(vb.geometry(), 1e-9));
		assertArrayEquals(v, vb.voxels(), 0);
		assertGeometry(g, Nifti.readGeometry(gz));
		Path scaled = tmp.resolve("vol2i.nii");
		Nifti.writeVolume(new Volume(g, v, "MR"), scaled, Nifti.DataType.INT16, Nifti.Version.NIFTI2);
		assertArrayEquals(v, Nifti.readVolume(scaled).voxels(), 1e-3f);
	}

	@Test
	void testNifti2QformOnlyAndBigEndianAndBadMagic() throws IOException {
		Geometry g = oblique();
		Path f = tmp.resolve("q2.nii");
		Nifti.writeMask(pattern(g), f, Nifti.Version.NIFTI2);
		byte[] raw = Files.readAllBytes(f);
		ByteBuffer b = ByteBuffer.wrap(raw.clone()).order(ByteOrder.LITTLE_ENDIAN);
		b.putInt(348, 0); // sform_code 0: the qform (quaternion, double precision) must give the same grid
		Path q = tmp.resolve("q2only.nii");
		Files.write(q, b.array());
		assertGeometry(g, Nifti.readGeometry(q));
		// the same header big-endian, field by field
		ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
		ByteBuffer be = ByteBuffer.wrap(raw.clone()).order(ByteOrder.BIG_ENDIAN);
		be.putInt(0, 540);
		be.putShort(12, le.getShort(12));
		be.putShort(14, le.getShort(14));
		for (int i = 0; i < 8; i++) be.putLong(16 + 8 * i, le.getLong(16 + 8 * i));
		for (int i = 0; i < 8; i++) be.putDouble(104 + 8 * i, le.getDouble(104 + 8 * i));
		be.putLong(168, le.getLong(168));
		be.putDouble(176, le.getDouble(176));
		be.putDouble(184, le.getDouble(184));
		be.putInt(344, le.getInt(344));
		be.putInt(348, le.getInt(348));
		for (int i = 0; i < 18; i++) be.putDouble(352 + 8 * i, le.getDouble(352 + 8 * i));
		be.putInt(500, le.getInt(500));
		be.putInt(504, le.getInt(504));
		Path bigEndian = tmp.resolve("be2.nii");
		Files.write(bigEndian, be.array());
		Mask mb = Nifti.readMask(bigEndian);
		assertGeometry(g, mb.geometry());
		assertArrayEquals(pattern(g).labels(), mb.labels());
		assertEquals("magic", refused(raw, x -> x.put(8, (byte) '\n')), "text-mode damaged magic");
		assertEquals("dim[0]", refused(raw, x -> x.putLong(16, 9)));
		assertEquals("vox_offset", refused(raw, x -> x.putLong(168, 100)));
	}

	private String refused(byte[] base, java.util.function.Consumer<ByteBuffer> damage) throws IOException {
		ByteBuffer b = ByteBuffer.wrap(base.clone()).order(ByteOrder.LITTLE_ENDIAN);
		damage.accept(b);
		Path f = Files.createTempFile(tmp, "bad", ".nii");
		Files.write(f, b.array());
		NiftiFormatException e = assertThrows(NiftiFormatException.class, () -> Nifti.readVolume(f));
		assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
		return e.field();
	}

	/**
	 * A minimal NIfTI-1 file written field by field (pixdim 1.5, 2.5, 4; no qform/sform), independent of the
	 * writer under test.
	 */
	private Path handMade(ByteOrder order, int datatype, int[] dim, float slope, float inter, double[] values,
		boolean gz) throws IOException {
		int bytes = switch (datatype) {
			case 2, 256 -> 1;
			case 4, 512 -> 2;
			case 8, 16 -> 4;
			default -> 8;
		};
		int n = dim[0] * dim[1] * dim[2];
		ByteBuffer b = ByteBuffer.allocate(352 + values.length * bytes).order(order);
		b.putInt(0, 348);
		b.putShort(40, (short) 3);
		for (int i = 0; i < 3; i++) b.putShort(42 + 2 * i, (short) dim[i]);
		for (int i = 3; i < 7; i++) b.putShort(42 + 2 * i, (short) 1);
		b.putShort(70, (short) datatype);
		b.putShort(72, (short) (bytes * 8));
		b.putFloat(76, 1);
		b.putFloat(80, 1.5f);
		b.putFloat(84, 2.5f);
		b.putFloat(88, 4f);
		b.putFloat(108, 352);
		b.putFloat(112, slope);
		b.putFloat(116, inter);
		b.put(123, (byte) 2);
		b.put(344, new byte[] {'n', '+', '1', 0});
		b.position(352);
		for (int i = 0; i < Math.min(n, values.length); i++) {
			double v = values[i];
			switch (datatype) {
				case 2, 256 -> b.put((byte) v);
				case 4, 512 -> b.putShort((short) (int) v);
				case 8 -> b.putInt((int) v);
				case 16 -> b.putFloat((float) v);
				default -> b.putDouble(v);
			}
		}
		Path f = Files.createTempFile(tmp, "hand", gz ? ".nii.gz" : ".nii");
		if (gz) {
			try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
				o.write(b.array());
			}
		} else {
			Files.write(f, b.array());
		}
		return f;
	}

	private static float[] row(ByteBuffer h, int offset) {
		return new float[] {h.getFloat(offset), h.getFloat(offset + 4), h.getFloat(offset + 8), h.getFloat(offset + 12)};
	}

	private static void patchShort(Path f, int offset, short value) throws IOException {
		byte[] all = Files.readAllBytes(f);
		ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, value);
		Files.write(f, all);
	}
}
