package org.medcnn.volume;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.HeapBudget;

/**
 * Reads and writes NIfTI-1 single files ({@code .nii}, and gzip-compressed {@code .nii.gz}) for image volumes
 * and label masks, and NIfTI-2 ones (540-byte header, 64-bit dimensions, double-precision pixdim and affine):
 * reading recognises either by {@code sizeof_hdr}; writing uses NIfTI-1 unless {@link Version#NIFTI2} is asked
 * for (the fields and their meaning are the same, only their widths and offsets differ).
 * <p>
 * <b>Coordinates.</b> NIfTI maps voxel indices to RAS+ millimetres, DICOM (and {@link Geometry}) to LPS:
 * {@code x_RAS = -x_LPS}, {@code y_RAS = -y_LPS}, so the first two rows of the affine change sign. Writing
 * sets both the sform (exact affine, code 1 "scanner") and the qform (rotation quaternion, qfac and pixdim,
 * code 1; direction cosines that are not orthonormal are orthonormalised for the qform only). Reading uses the
 * sform when {@code sform_code > 0}, else the qform when {@code qform_code > 0}, else pixdim alone (an
 * axis-aligned grid at the origin, as NIfTI's "method 1"); spatial units metre and micron are converted to mm.
 * The geometry read is the file's own: its slice axis may point against row × column (left-handed). To use a
 * mask with an image, read it with {@link #readMask(Path, Geometry, double)}, which reorders a mask stored
 * with flipped or permuted axes onto the image's grid.
 * <p>
 * <b>Data.</b> Voxels are stored x fastest, then y, then z, the same order as {@link Volume#voxels()}. Reading
 * accepts uint8, int8, int16, uint16, int32, float32 and float64 in either byte order and 3D images (or 4D with
 * one time point); images apply {@code scl_slope/scl_inter} when the slope is non-zero. Masks are written as
 * uint8 with intent "label" (1002); volumes as float32 or int16 (integral values exactly with slope 1,
 * otherwise a linear scaling over the value range).
 * <p>
 * <b>Errors.</b> Every read is bounded by the file's length (a gzip stream by the largest size deflate can
 * expand it to), so a corrupt header cannot make it allocate more than the file can hold. Problems raise
 * {@link NiftiFormatException} naming the file and the header field; invalid arguments raise
 * {@link IllegalArgumentException}. Files are written to a temporary name and renamed. Stateless and
 * thread-safe.
 */
public final class Nifti {

	/** The NIfTI-1 datatypes this class reads (and, for uint8, int16 and float32, writes). */
	public enum DataType {
		UINT8(2, 1), INT8(256, 1), INT16(4, 2), UINT16(512, 2), INT32(8, 4), FLOAT32(16, 4), FLOAT64(64, 8);

		/** The {@code datatype} code of the header. */
		public final int code;
		/** Bytes per voxel. */
		public final int bytes;

		DataType(int code, int bytes) {
			this.code = code;
			this.bytes = bytes;
		}

		static DataType of(int code) {
			for (DataType t : values()) if (t.code == code) return t;
			return null;
		}
	}

	/** The header format to write. */
	public enum Version {
		/** NIfTI-1: 348-byte header, 16-bit dimensions, float32 geometry (the default). */
		NIFTI1,
		/** NIfTI-2: 540-byte header, 64-bit dimensions, float64 geometry. */
		NIFTI2
	}

	private static final int HEADER_SIZE = 348;
	private static final int VOX_OFFSET = 352;
	private static final int HEADER_SIZE_2 = 540;
	private static final int VOX_OFFSET_2 = 544;
	private static final byte[] MAGIC_2 = {'n', '+', '2', 0, '\r', '\n', 0x1A, '\n'};
	private static final int INTENT_LABEL = 1002;
	private static final int XFORM_SCANNER = 1;
	private static final int UNITS_MM = 2;
	/** Deflate cannot expand data by more than about 1032:1; a little slack for the gzip framing. */
	private static final long MAX_GZIP_RATIO = 1100;

	private Nifti() {}

	// ---- writing ----

	/** Writes a mask as a uint8 label image (intent 1002), gzip-compressed when the name ends with ".gz". */
	public static void writeMask(Mask mask, Path file) throws IOException {
		writeMask(mask, file, Version.NIFTI1);
	}

	/** As {@link #writeMask(Mask, Path)} in the given header format. */
	public static void writeMask(Mask mask, Path file, Version version) throws IOException {
		// Header, then the labels straight from the mask: no copy of a byte a voxel (940 MB of a 4096² × 56 mask), and
		// masks over 2 GiB can be written.
		ByteBuffer h = header(mask.geometry(), DataType.UINT8, 1, 0, INTENT_LABEL, "MedCNN label mask", version, false);
		boolean gz = file.getFileName().toString().toLowerCase().endsWith(".gz");
		AtomicFiles.write(file, tmp -> {
			try (java.io.OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 65536);
				java.io.OutputStream out = gz ? new GZIPOutputStream(os, 65536) : os) {
				out.write(h.array(), 0, h.position());
				out.write(mask.labels());
			}
		});
	}

	/**
	 * Writes a volume as float32 (exact) or int16 (integral values within the int16 range exactly with
	 * {@code scl_slope = 1}; otherwise {@code value = stored × slope + inter} over the value range, NaN stored
	 * as the range minimum).
	 *
	 * @throws IllegalArgumentException for a type other than FLOAT32 or INT16
	 */
	public static void writeVolume(Volume volume, Path file, DataType type) throws IOException {
		writeVolume(volume, file, type, Version.NIFTI1);
	}

	/**
	 * As {@link #writeVolume(Volume, Path, DataType)} in the given header format.
	 *
	 * @throws IllegalArgumentException for a type other than FLOAT32 or INT16
	 */
	public static void writeVolume(Volume volume, Path file, DataType type, Version version) throws IOException {
		float[] v = volume.voxels();
		ByteBuffer b;
		if (type == DataType.FLOAT32) {
			b = header(volume.geometry(), type, 1, 0, 0, "MedCNN " + volume.modality() + " volume", version);
			for (float f : v) b.putFloat(f);
		} else if (type == DataType.INT16) {
			double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
			boolean integral = true;
			for (float f : v) {
				if (Float.isNaN(f)) continue;
				min = Math.min(min, f);
				max = Math.max(max, f);
				if (f != Math.rint(f)) integral = false;
			}
			if (min > max) min = max = 0;
			double slope = 1, inter = 0;
			if (!integral || min < Short.MIN_VALUE || max > Short.MAX_VALUE) {
				slope = max > min ? (max - min) / 65535.0 : 1;
				inter = min + 32768 * slope;
			}
			b = header(volume.geometry(), type, slope, inter, 0, "MedCNN " + volume.modality() + " volume", version);
			for (float f : v) {
				double s = Float.isNaN(f) ? Short.MIN_VALUE : Math.rint((f - inter) / slope);
				b.putShort((short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, s)));
			}
		} else {
			throw new IllegalArgumentException("type must be FLOAT32 or INT16 for writing a volume but is " + type);
		}
		write(file, b.array());
	}

	/**
	 * The RAS+ affine (3 rows × 4 columns, row-major) that NIfTI's sform stores for a geometry: column j is the
	 * j-th axis direction times its spacing, column 3 the origin, the first two rows negated from LPS.
	 */
	public static double[] rasAffine(Geometry g) {
		double[] sp = g.spacingMm(), d = g.direction(), o = g.originMm();
		double[] a = new double[12];
		for (int r = 0; r < 3; r++) {
			double sign = r < 2 ? -1 : 1;
			// "+ 0.0" turns -0.0 into 0.0, so headers and geometries hold no negative zeros.
			for (int c = 0; c < 3; c++) a[4 * r + c] = sign * d[3 * c + r] * sp[c] + 0.0;
			a[4 * r + 3] = sign * o[r] + 0.0;
		}
		return a;
	}

	private static ByteBuffer header(Geometry g, DataType type, double slope, double inter, int intent,
		String description, Version version) {
		return header(g, type, slope, inter, intent, description, version, true);
	}

	/** The header, positioned at the voxel data; with {@code room}, the buffer also has room for the voxels. */
	private static ByteBuffer header(Geometry g, DataType type, double slope, double inter, int intent,
		String description, Version version, boolean room) {
		if (version == Version.NIFTI2) return header2(g, type, slope, inter, intent, description, room);
		long bytes = room ? (long) g.voxelCount() * type.bytes : 0;
		ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(VOX_OFFSET + bytes)).order(ByteOrder.LITTLE_ENDIAN);
		double[] sp = g.spacingMm();
		double[] affine = rasAffine(g);
		double[] q = quaternion(affine);
		b.putInt(0, HEADER_SIZE);
		b.put(38, (byte) 'r');
		short[] dim = {3, (short) g.nx(), (short) g.ny(), (short) g.nz(), 1, 1, 1, 1};
		if (g.nx() > Short.MAX_VALUE || g.ny() > Short.MAX_VALUE || g.nz() > Short.MAX_VALUE)
			throw new IllegalArgumentException("grid " + g.nx() + "×" + g.ny() + "×" + g.nz()
				+ " exceeds NIfTI-1's 32767 voxels per axis");
		for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, dim[i]);
		b.putShort(68, (short) intent);
		b.putShort(70, (short) type.code);
		b.putShort(72, (short) (type.bytes * 8));
		float[] pixdim = {(float) q[3], (float) sp[0], (float) sp[1], (float) sp[2], 0, 0, 0, 0};
		for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, pixdim[i]);
		b.putFloat(108, VOX_OFFSET);
		b.putFloat(112, (float) slope);
		b.putFloat(116, (float) inter);
		b.put(123, (byte) UNITS_MM);
		byte[] descrip = description.getBytes(StandardCharsets.US_ASCII);
		b.put(148, descrip, 0, Math.min(79, descrip.length));
		b.putShort(252, (short) XFORM_SCANNER);
		b.putShort(254, (short) XFORM_SCANNER);
		b.putFloat(256, (float) q[0]);
		b.putFloat(260, (float) q[1]);
		b.putFloat(264, (float) q[2]);
		b.putFloat(268, (float) affine[3]);
		b.putFloat(272, (float) affine[7]);
		b.putFloat(276, (float) affine[11]);
		for (int i = 0; i < 12; i++) b.putFloat(280 + 4 * i, (float) affine[i]);
		b.put(344, new byte[] {'n', '+', '1', 0});
		b.position(VOX_OFFSET);
		return b;
	}

	/** The NIfTI-2 header (540 bytes, then 4 zero extension bytes), positioned at the voxel data. */
	private static ByteBuffer header2(Geometry g, DataType type, double slope, double inter, int intent,
		String description, boolean room) {
		long bytes = room ? (long) g.voxelCount() * type.bytes : 0;
		ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(VOX_OFFSET_2 + bytes)).order(ByteOrder.LITTLE_ENDIAN);
		double[] sp = g.spacingMm();
		double[] affine = rasAffine(g);
		double[] q = quaternion(affine);
		b.putInt(0, HEADER_SIZE_2);
		b.put(4, MAGIC_2);
		b.putShort(12, (short) type.code);
		b.putShort(14, (short) (type.bytes * 8));
		long[] dim = {3, g.nx(), g.ny(), g.nz(), 1, 1, 1, 1};
		for (int i = 0; i < 8; i++) b.putLong(16 + 8 * i, dim[i]);
		double[] pixdim = {q[3], sp[0], sp[1], sp[2], 0, 0, 0, 0};
		for (int i = 0; i < 8; i++) b.putDouble(104 + 8 * i, pixdim[i]);
		b.putLong(168, VOX_OFFSET_2);
		b.putDouble(176, slope);
		b.putDouble(184, inter);
		byte[] descrip = description.getBytes(StandardCharsets.US_ASCII);
		b.put(240, descrip, 0, Math.min(79, descrip.length));
		b.putInt(344, XFORM_SCANNER);
		b.putInt(348, XFORM_SCANNER);
		for (int i = 0; i < 3; i++) b.putDouble(352 + 8 * i, q[i]);
		b.putDouble(376, affine[3]);
		b.putDouble(384, affine[7]);
		b.putDouble(392, affine[11]);
		for (int i = 0; i < 12; i++) b.putDouble(400 + 8 * i, affine[i]);
		b.putInt(500, UNITS_MM);
		b.putInt(504, intent);
		b.position(VOX_OFFSET_2);
		return b;
	}

	/**
	 * Quaternion {b, c, d, qfac} of the rotation part of an affine (NIfTI-1 qform). The columns are
	 * normalised and made orthogonal first; qfac = -1 when they form a left-handed system.
	 */
	private static double[] quaternion(double[] a) {
		double[][] col = new double[3][3];
		for (int c = 0; c < 3; c++) for (int r = 0; r < 3; r++) col[c][r] = a[4 * r + c];
		double[] x = normalise(col[0]);
		double[] y = col[1].clone();
		double xy = dot(x, y);
		for (int i = 0; i < 3; i++) y[i] -= xy * x[i];
		y = normalise(y);
		double[] z = cross(x, y);
		double qfac = dot(z, col[2]) < 0 ? -1 : 1;
		double r11 = x[0], r21 = x[1], r31 = x[2], r12 = y[0], r22 = y[1], r32 = y[2], r13 = z[0], r23 = z[1],
			r33 = z[2];
		// Shepperd's method as in nifti1_io.c mat44_to_quatern: pick the largest diagonal term for stability.
		double qa = r11 + r22 + r33 + 1, qb, qc, qd;
		if (qa > 0.5) {
			qa = 0.5 * Math.sqrt(qa);
			qb = 0.25 * (r32 - r23) / qa;
			qc = 0.25 * (r13 - r31) / qa;
			qd = 0.25 * (r21 - r12) / qa;
		} else {
			double xd = 1 + r11 - (r22 + r33), yd = 1 + r22 - (r11 + r33), zd = 1 + r33 - (r11 + r22);
			if (xd > 1) {
				qb = 0.5 * Math.sqrt(xd);
				qc = 0.25 * (r12 + r21) / qb;
				qd = 0.25 * (r13 + r31) / qb;
				qa = 0.25 * (r32 - r23) / qb;
			} else if (yd > 1) {
				qc = 0.5 * Math.sqrt(yd);
				qb = 0.25 * (r12 + r21) / qc;
				qd = 0.25 * (r23 + r32) / qc;
				qa = 0.25 * (r13 - r31) / qc;
			} else {
				qd = 0.5 * Math.sqrt(zd);
				qb = 0.25 * (r13 + r31) / qd;
				qc = 0.25 * (r23 + r32) / qd;
				qa = 0.25 * (r21 - r12) / qd;
			}
			if (qa < 0) {
				qb = -qb;
				qc = -qc;
				qd = -qd;
			}
		}
		return new double[] {qb, qc, qd, qfac};
	}

	private static void write(Path file, byte[] data) throws IOException {
		byte[] out = data;
		if (file.getFileName().toString().toLowerCase().endsWith(".gz")) {
			ByteArrayOutputStream bos = new ByteArrayOutputStream(data.length / 4 + 1024);
			try (GZIPOutputStream gz = new GZIPOutputStream(bos, 65536)) {
				gz.write(data);
			}
			out = bos.toByteArray();
		}
		AtomicFiles.write(file, out);
	}

	// ---- reading ----

	/** Reads only the header of a file and returns its grid in LPS (nothing of the voxel data is inflated). */
	public static Geometry readGeometry(Path file) throws IOException {
		try (Source src = Source.open(file)) {
			return src.header().geometry;
		}
	}

	/**
	 * Reads an image as real-world values: {@code stored × scl_slope + scl_inter} when scl_slope is a non-zero
	 * finite number; a slope of 0 (or one that is not a number, as nifti1_io.c treats it) means no scaling, as
	 * NIfTI-1 says. The header is checked before any voxel is read: the volume (one float[] of nx × ny × nz) must
	 * fit a Java array and the heap, and a gzip stream is read exactly to the bytes the header declares.
	 *
	 * @throws NiftiFormatException naming the file and field: a header that cannot be read or measured with, a
	 *         volume too large for the heap ("dim", with the -Xmx to use), a truncated or damaged stream ("voxel
	 *         data"), a stream longer than declared, or a scaling that overflows a 32-bit float ("scl_slope")
	 */
	public static Volume readVolume(Path file) throws IOException {
		try (Source src = Source.open(file)) {
			Header h = src.header();
			Geometry g = h.geometry;
			requireHeap(file, g, 4, "float32 values");
			float[] v = new float[g.voxelCount()];
			boolean scale = h.slope != 0 && Double.isFinite(h.slope);
			src.readVoxels((i, s) -> {
				double r = scale ? s * h.slope + h.inter : s;
				float f = (float) r;
				if (Float.isInfinite(f) && !Double.isInfinite(s)) throw overflow(file, h, g, i, s);
				v[i] = f;
			});
			return new Volume(g, v, modality(file));
		}
	}

	/**
	 * The modality this program recorded in the header's {@code descrip} when it wrote the image ("MedCNN CT volume"),
	 * else "OT" (NIfTI has no modality field: files from other tools are of unknown modality). Reads the first 540
	 * bytes only.
	 */
	static String modality(Path file) throws IOException {
		byte[] head;
		try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1024)) {
			raw.mark(2);
			int b0 = raw.read(), b1 = raw.read();
			raw.reset();
			InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1024) : raw;
			head = in.readNBytes(540);
		}
		int at = head.length >= 4 && (ByteBuffer.wrap(head, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == 540
			|| ByteBuffer.wrap(head, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt() == 540) ? 240 : 148;
		if (head.length < at + 80) return "OT";
		String d = new String(head, at, 80, StandardCharsets.US_ASCII).trim();
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("^MedCNN ([A-Z]{2}) volume").matcher(d);
		return m.find() ? m.group(1) : "OT";
	}

	/**
	 * Reads a label image in the file's own grid. Values (after scl_slope/scl_inter when the slope is neither
	 * 0 nor 1 or the intercept is non-zero) must be integers in 0…255. Checked and read as {@link #readVolume}.
	 *
	 * @throws NiftiFormatException naming the first voxel whose value is not a label, or as {@link #readVolume}
	 */
	public static Mask readMask(Path file) throws IOException {
		try (Source src = Source.open(file)) {
			return readLabels(file, src);
		}
	}

	private static Mask readLabels(Path file, Source src) throws IOException {
		Header h = src.header();
		Geometry g = h.geometry;
		requireHeap(file, g, 1, "8-bit labels");
		byte[] labels = new byte[g.voxelCount()];
		boolean scale = h.slope != 0 && Double.isFinite(h.slope) && (h.slope != 1 || h.inter != 0);
		src.readVoxels((i, stored) -> {
			double s = scale ? stored * h.slope + h.inter : stored;
			if (!(s >= 0 && s <= 255) || s != Math.rint(s)) {
				int x = i % g.nx(), y = i / g.nx() % g.ny(), z = i / g.sliceSize();
				throw new NiftiFormatException(file, "voxel data", "value " + s + " at voxel (" + x + ", " + y + ", "
					+ z + ") is not a label in 0…255");
			}
			labels[i] = (byte) (int) s;
		});
		return new Mask(g, labels);
	}

	/**
	 * Reads a label image and places it on an image's grid. A file whose grid is the image's grid with axes
	 * flipped or permuted (e.g. slices stored top-down, or rows flipped as some converters do) is reordered
	 * voxel by voxel; the result carries {@code reference} as its geometry. The grids are compared from the header,
	 * before any voxel is read, so a mask of the wrong size costs nothing to refuse.
	 *
	 * @param toleranceMm how far spacing and voxel positions may differ
	 * @throws NiftiFormatException (field "geometry") when the grids do not coincide, naming how they differ
	 */
	public static Mask readMask(Path file, Geometry reference, double toleranceMm) throws IOException {
		try (Source src = Source.open(file)) {
			Geometry g = src.header().geometry;
			if (g.matches(reference, toleranceMm)) return new Mask(reference, readLabels(file, src).labels());
			int[] axis = new int[3];
			boolean[] flip = new boolean[3];
			int[] fileN = {g.nx(), g.ny(), g.nz()};
			int[] refN = {reference.nx(), reference.ny(), reference.nz()};
			double[] fd = g.direction(), rd = reference.direction(), fs = g.spacingMm(), rs = reference.spacingMm();
			boolean ok = true;
			boolean[] used = new boolean[3];
			for (int j = 0; j < 3 && ok; j++) {
				axis[j] = -1;
				for (int i = 0; i < 3; i++) {
					double c = fd[3 * j] * rd[3 * i] + fd[3 * j + 1] * rd[3 * i + 1] + fd[3 * j + 2] * rd[3 * i + 2];
					if (!used[i] && Math.abs(Math.abs(c) - 1) < 1e-3) {
						axis[j] = i;
						flip[j] = c < 0;
						used[i] = true;
						break;
					}
				}
				ok = axis[j] >= 0 && fileN[j] == refN[axis[j]] && Math.abs(fs[j] - rs[axis[j]]) <= toleranceMm;
			}
			if (ok) {
				// The file's voxel (0,0,0) must sit on the reference voxel that the flips predict.
				double[] r = new double[3];
				for (int j = 0; j < 3; j++) r[axis[j]] = flip[j] ? fileN[j] - 1 : 0;
				double[] p = reference.toPatient(r[0], r[1], r[2]), o = g.originMm();
				for (int i = 0; i < 3; i++) ok &= Math.abs(p[i] - o[i]) <= toleranceMm;
			}
			if (!ok)
				throw new NiftiFormatException(file, "geometry", "the mask's grid does not match the image's: "
					+ reference.describeMismatch(g, toleranceMm));
			byte[] src2 = readLabels(file, src).labels();
			byte[] dst = new byte[src2.length];
			int[] ri = new int[3];
			for (ri[2] = 0; ri[2] < refN[2]; ri[2]++)
				for (ri[1] = 0; ri[1] < refN[1]; ri[1]++)
					for (ri[0] = 0; ri[0] < refN[0]; ri[0]++) {
						int fx = flip[0] ? fileN[0] - 1 - ri[axis[0]] : ri[axis[0]];
						int fy = flip[1] ? fileN[1] - 1 - ri[axis[1]] : ri[axis[1]];
						int fz = flip[2] ? fileN[2] - 1 - ri[axis[2]] : ri[axis[2]];
						dst[reference.index(ri[0], ri[1], ri[2])] = src2[g.index(fx, fy, fz)];
					}
			return new Mask(reference, dst);
		}
	}

	private record Header(Geometry geometry, DataType type, ByteOrder order, long voxOffset, double slope,
		double inter) {}

	/** Receives each voxel's stored value, in file order (x fastest). */
	@FunctionalInterface
	private interface VoxelSink {
		void accept(int index, double stored) throws NiftiFormatException;
	}

	/** Refuses a volume whose array the heap cannot hold ({@code bytesPerVoxel} bytes a voxel), naming "dim". */
	private static void requireHeap(Path file, Geometry g, int bytesPerVoxel, String what) throws NiftiFormatException {
		String why = HeapBudget.shortfallWithPlan((long) g.voxelCount() * bytesPerVoxel, g.nx(), g.ny(), g.nz(),
			g.spacingMm(), "the " + g.nx() + "×" + g.ny() + "×" + g.nz() + " voxels as " + what);
		if (why != null) throw new NiftiFormatException(file, "dim", why);
	}

	private static NiftiFormatException overflow(Path file, Header h, Geometry g, int i, double stored) {
		int x = i % g.nx(), y = i / g.nx() % g.ny(), z = i / g.sliceSize();
		return new NiftiFormatException(file, "scl_slope", "is " + h.slope + " with scl_inter " + h.inter + ": the stored "
			+ "value " + stored + " at voxel (" + x + ", " + y + ", " + z + ") becomes " + (stored * h.slope + h.inter)
			+ ", beyond what a 32-bit float holds; the image cannot be represented");
	}

	/**
	 * An open NIfTI file: the header parsed and checked first, then the voxel data streamed in chunks, exactly as
	 * many bytes as the header declares. Errors of the underlying stream (a truncated or damaged gzip stream says
	 * only "Unexpected end of ZLIB input stream") become {@link NiftiFormatException}s naming the file and the part
	 * being read.
	 */
	private static final class Source implements AutoCloseable {
		private static final int CHUNK = 1 << 20;
		private final Path file;
		private final InputStream in;
		private final boolean gz;
		private final long fileSize;
		private Header header;
		private long position;

		private Source(Path file, InputStream in, boolean gz, long fileSize) {
			this.file = file;
			this.in = in;
			this.gz = gz;
			this.fileSize = fileSize;
		}

		static Source open(Path file) throws IOException {
			long size = Files.size(file);
			InputStream raw = new BufferedInputStream(Files.newInputStream(file), 65536);
			try {
				raw.mark(2);
				int b0 = raw.read(), b1 = raw.read();
				raw.reset();
				boolean gz = b0 == 0x1f && b1 == 0x8b;
				InputStream in = raw;
				if (gz) {
					try {
						in = new BufferedInputStream(new GZIPInputStream(raw, 65536), 65536);
					} catch (IOException e) {
						throw damaged(file, "sizeof_hdr", e);
					}
				}
				Source s = new Source(file, in, gz, size);
				s.header = s.readHeader();
				return s;
			} catch (IOException | RuntimeException e) {
				raw.close();
				throw e;
			}
		}

		Header header() {
			return header;
		}

		@Override
		public void close() throws IOException {
			in.close();
		}

		private static NiftiFormatException damaged(Path file, String field, IOException e) {
			return new NiftiFormatException(file, field, "the gzip stream is truncated or damaged (" + e.getMessage()
				+ "): the file was cut short or corrupted in transfer");
		}

		/** Reads up to {@code n} bytes into {@code b} (fewer only at the end of the stream). */
		private int read(byte[] b, int n, String field) throws NiftiFormatException {
			try {
				int got = in.readNBytes(b, 0, n);
				position += got;
				return got;
			} catch (IOException e) {
				if (e instanceof NiftiFormatException nfe) throw nfe;
				throw gz ? damaged(file, field, e) : new NiftiFormatException(file, field, "cannot be read: " + e.getMessage());
			}
		}

		private Header readHeader() throws IOException {
			byte[] head = new byte[VOX_OFFSET];
			int n = read(head, VOX_OFFSET, "sizeof_hdr");
			if (n >= 4) {
				int le = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
				if (le == HEADER_SIZE_2 || Integer.reverseBytes(le) == HEADER_SIZE_2) {
					byte[] all = java.util.Arrays.copyOf(head, VOX_OFFSET_2);
					byte[] rest = new byte[VOX_OFFSET_2 - VOX_OFFSET];
					int m = read(rest, rest.length, "sizeof_hdr");
					System.arraycopy(rest, 0, all, n, m);
					head = java.util.Arrays.copyOf(all, n + m);
					n = head.length;
				}
			}
			Header h = parseHeader(file, java.util.Arrays.copyOf(head, n));
			long dataBytes = (long) h.geometry.voxelCount() * h.type.bytes;
			long available = gz ? fileSize * MAX_GZIP_RATIO : fileSize;
			if (h.voxOffset + dataBytes > available)
				throw new NiftiFormatException(file, "dim", "the header describes " + (h.voxOffset + dataBytes)
					+ " bytes but the " + (gz ? "compressed " : "") + "file has only " + fileSize + " bytes"
					+ (gz ? " (deflate cannot expand data more than about 1032 times)" : ""));
			if (h.voxOffset < position)
				throw new NiftiFormatException(file, "vox_offset", "is " + h.voxOffset + ", inside the header");
			return h;
		}

		/** Streams every voxel's stored value to {@code sink}, then checks that the data end where declared. */
		void readVoxels(VoxelSink sink) throws IOException {
			Header h = header;
			long skip = h.voxOffset - position;
			byte[] scratch = new byte[(int) Math.min(CHUNK, Math.max(1, skip))];
			while (skip > 0) {
				int got = read(scratch, (int) Math.min(scratch.length, skip), "vox_offset");
				if (got == 0)
					throw new NiftiFormatException(file, "vox_offset", "is " + h.voxOffset + ", beyond the end of the data");
				skip -= got;
			}
			int size = h.type.bytes;
			long n = h.geometry.voxelCount();
			long dataBytes = n * size;
			byte[] buf = new byte[(int) Math.min(CHUNK, dataBytes)];
			ByteBuffer bb = ByteBuffer.wrap(buf).order(h.order);
			long done = 0;
			while (done < n) {
				int count = (int) Math.min(buf.length / size, n - done);
				int got = read(buf, count * size, "voxel data");
				if (got < count * size)
					throw new NiftiFormatException(file, "voxel data", "truncated: expected " + dataBytes + " bytes after "
						+ "offset " + h.voxOffset + " but found " + (done * size + got) + (gz ? " in the gzip stream" : ""));
				int base = (int) done;
				switch (h.type) {
					case UINT8 -> { for (int k = 0; k < count; k++) sink.accept(base + k, buf[k] & 0xFF); }
					case INT8 -> { for (int k = 0; k < count; k++) sink.accept(base + k, buf[k]); }
					case INT16 -> { for (int k = 0; k < count; k++) sink.accept(base + k, bb.getShort(2 * k)); }
					case UINT16 -> { for (int k = 0; k < count; k++) sink.accept(base + k, bb.getShort(2 * k) & 0xFFFF); }
					case INT32 -> { for (int k = 0; k < count; k++) sink.accept(base + k, bb.getInt(4 * k)); }
					case FLOAT32 -> { for (int k = 0; k < count; k++) sink.accept(base + k, bb.getFloat(4 * k)); }
					case FLOAT64 -> { for (int k = 0; k < count; k++) sink.accept(base + k, bb.getDouble(8 * k)); }
				}
				done += count;
			}
			// A gzip stream must end here: inflating more than the header declares is refused, not read on.
			if (gz && read(new byte[1], 1, "voxel data") > 0)
				throw new NiftiFormatException(file, "dim", "the gzip stream holds more than the " + (h.voxOffset
					+ dataBytes) + " bytes the header declares (vox_offset + dim × bitpix): a wrong header or a damaged "
					+ "file; refused rather than inflated further");
		}
	}

	/** The header fields that matter here, in NIfTI-2 widths (NIfTI-1 values widened). */
	private record Fields(int ndim, long[] dim, int datatype, int bitpix, double voxOffset, int units, double[] pixdim,
		int qformCode, int sformCode, double[] quatern, double[] srow, double slope, double inter) {}

	private static Fields fields2(Path file, byte[] head, ByteBuffer b) throws IOException {
		if (head.length < HEADER_SIZE_2)
			throw new NiftiFormatException(file, "sizeof_hdr", "file too short for a NIfTI-2 header (" + head.length
				+ " bytes)");
		for (int i = 0; i < MAGIC_2.length; i++)
			if (head[4 + i] != MAGIC_2[i])
				throw new NiftiFormatException(file, "magic", "is not \"n+2\" with its line-ending check bytes: "
					+ "not a NIfTI-2 single file (or one damaged by a text-mode transfer)");
		long ndim = b.getLong(16);
		if (ndim < 1 || ndim > 7) throw new NiftiFormatException(file, "dim[0]", "is " + ndim + ", not in 1…7");
		long[] dim = new long[8];
		for (int i = 0; i < 8; i++) dim[i] = b.getLong(16 + 8 * i);
		double[] pixdim = new double[8];
		for (int i = 0; i < 8; i++) pixdim[i] = b.getDouble(104 + 8 * i);
		double[] quatern = new double[6];
		for (int i = 0; i < 6; i++) quatern[i] = b.getDouble(352 + 8 * i);
		double[] srow = new double[12];
		for (int i = 0; i < 12; i++) srow[i] = b.getDouble(400 + 8 * i);
		return new Fields((int) ndim, dim, b.getShort(12), b.getShort(14), b.getLong(168), b.getInt(500) & 0x07, pixdim,
			b.getInt(344), b.getInt(348), quatern, srow, b.getDouble(176), b.getDouble(184));
	}

	private static Header parseHeader(Path file, byte[] head) throws IOException {
		if (head.length >= 4) {
			ByteBuffer b2 = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
			if (b2.getInt(0) != HEADER_SIZE_2) b2.order(ByteOrder.BIG_ENDIAN);
			if (b2.getInt(0) == HEADER_SIZE_2) return interpret(file, fields2(file, head, b2), b2.order(), HEADER_SIZE_2);
		}
		if (head.length < HEADER_SIZE)
			throw new NiftiFormatException(file, "sizeof_hdr", "file too short for a NIfTI-1 header (" + head.length
				+ " bytes)");
		ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
		if (b.getInt(0) != HEADER_SIZE) {
			b.order(ByteOrder.BIG_ENDIAN);
			if (b.getInt(0) != HEADER_SIZE) {
				int le = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
				throw new NiftiFormatException(file, "sizeof_hdr", "is " + le + ", neither 348 (NIfTI-1) nor 540 "
					+ "(NIfTI-2)");
			}
		}
		String magic = new String(head, 344, 3, StandardCharsets.US_ASCII);
		if (magic.equals("ni1"))
			throw new NiftiFormatException(file, "magic", "\"ni1\": a .hdr/.img pair, which is not supported; "
				+ "convert it to a single .nii file");
		if (!magic.equals("n+1"))
			throw new NiftiFormatException(file, "magic", "is not \"n+1\": not a NIfTI-1 single file (Analyze 7.5?)");
		long[] dim = new long[8];
		for (int i = 0; i < 8; i++) dim[i] = b.getShort(40 + 2 * i);
		double[] pixdim = new double[8];
		for (int i = 0; i < 8; i++) pixdim[i] = b.getFloat(76 + 4 * i);
		double[] quatern = new double[6];
		for (int i = 0; i < 6; i++) quatern[i] = b.getFloat(256 + 4 * i);
		double[] srow = new double[12];
		for (int i = 0; i < 12; i++) srow[i] = b.getFloat(280 + 4 * i);
		Fields f = new Fields(b.getShort(40), dim, b.getShort(70), b.getShort(72), b.getFloat(108), b.get(123) & 0x07,
			pixdim, b.getShort(252), b.getShort(254), quatern, srow, b.getFloat(112), b.getFloat(116));
		return interpret(file, f, b.order(), HEADER_SIZE);
	}

	/** The geometry, data type and scaling of a header of either version ({@code headerSize} 348 or 540). */
	private static Header interpret(Path file, Fields f, ByteOrder order, int headerSize) throws IOException {
		int ndim = f.ndim();
		if (ndim < 1 || ndim > 7) throw new NiftiFormatException(file, "dim[0]", "is " + ndim + ", not in 1…7");
		int[] n = {1, 1, 1};
		for (int i = 1; i <= ndim; i++) {
			long d = f.dim()[i];
			if (d < 1) throw new NiftiFormatException(file, "dim[" + i + "]", "is " + d + ", must be at least 1");
			if (d > Integer.MAX_VALUE)
				throw new NiftiFormatException(file, "dim[" + i + "]", "is " + d + ": too large");
			if (i <= 3) n[i - 1] = (int) d;
			else if (d != 1)
				throw new NiftiFormatException(file, "dim[" + i + "]", "is " + d + ": only 3D images (one time point "
					+ "or component) are supported");
		}
		String tooLarge = HeapBudget.arrayLimit((long) n[0] * n[1] * n[2], n[0] + "×" + n[1] + "×" + n[2]
			+ " voxels (a volume is one array)");
		if (tooLarge != null) throw new NiftiFormatException(file, "dim", tooLarge);
		int code = f.datatype();
		DataType type = DataType.of(code);
		if (type == null)
			throw new NiftiFormatException(file, "datatype", "code " + code + " is not supported (uint8, int8, int16, "
				+ "uint16, int32, float32, float64 are)");
		int bitpix = f.bitpix();
		if (bitpix != type.bytes * 8)
			throw new NiftiFormatException(file, "bitpix", "is " + bitpix + " but datatype " + type + " has "
				+ type.bytes * 8 + " bits");
		double voxOffset = f.voxOffset();
		if (!(voxOffset >= headerSize) || voxOffset != Math.rint(voxOffset) || voxOffset > Integer.MAX_VALUE)
			throw new NiftiFormatException(file, "vox_offset", "is " + voxOffset + ", must be an integer >= " + headerSize);
		double unit = switch (f.units()) {
			case 1 -> 1000;
			case 3 -> 0.001;
			default -> 1;
		};
		double[] pixdim = f.pixdim().clone();
		int qformCode = f.qformCode(), sformCode = f.sformCode();
		double[] affine;
		if (sformCode > 0) {
			affine = f.srow().clone();
			for (int i = 0; i < 12; i++)
				if (!Double.isFinite(affine[i]))
					throw new NiftiFormatException(file, "srow", "holds a non-finite value");
		} else {
			for (int i = 1; i <= 3; i++)
				if (!(pixdim[i] > 0) || Double.isInfinite(pixdim[i])) {
					if (i <= ndim || pixdim[i] != 0)
						throw new NiftiFormatException(file, "pixdim[" + i + "]", "is " + pixdim[i] + ", must be positive "
							+ "and finite (the voxel size; no sform gives it otherwise)");
					pixdim[i] = 1;
				}
			if (qformCode > 0) {
				String[] names = {"quatern_b", "quatern_c", "quatern_d", "qoffset_x", "qoffset_y", "qoffset_z"};
				for (int i = 0; i < 6; i++)
					if (!Double.isFinite(f.quatern()[i]))
						throw new NiftiFormatException(file, names[i], "is " + f.quatern()[i] + " (qform_code " + qformCode
							+ "): not a finite number, so the voxels cannot be placed");
				// b = c = d = 0 is the identity rotation (a = 1), not an error (NIfTI-1 method 2).
				affine = qformAffine(f.quatern(), pixdim);
			} else {
				affine = new double[] {pixdim[1], 0, 0, 0, 0, pixdim[2], 0, 0, 0, 0, pixdim[3], 0};
			}
		}
		for (int i = 0; i < 12; i++) affine[i] *= unit;
		double[] spacing = new double[3], dir = new double[9], origin = new double[3];
		for (int c = 0; c < 3; c++) {
			double len = 0;
			for (int r = 0; r < 3; r++) len += affine[4 * r + c] * affine[4 * r + c];
			len = Math.sqrt(len);
			if (!(len > 0))
				throw new NiftiFormatException(file, sformCode > 0 ? "srow" : "pixdim", "axis " + c + " has zero length");
			if (Double.isInfinite(len))
				throw new NiftiFormatException(file, sformCode > 0 ? "srow" : "pixdim", "axis " + c + " is too long to "
					+ "measure with (a voxel size beyond the range of a double)");
			spacing[c] = len;
			for (int r = 0; r < 3; r++) dir[3 * c + r] = (r < 2 ? -1 : 1) * affine[4 * r + c] / len + 0.0;
		}
		for (int r = 0; r < 3; r++) origin[r] = (r < 2 ? -1 : 1) * affine[4 * r + 3] + 0.0;
		for (int a = 0; a < 3; a++)
			for (int b = a + 1; b < 3; b++) {
				double cos = dir[3 * a] * dir[3 * b] + dir[3 * a + 1] * dir[3 * b + 1] + dir[3 * a + 2] * dir[3 * b + 2];
				// A sheared affine has no voxel size: a Volume's axes are at right angles (0.01 ≈ 0.6°).
				if (Math.abs(cos) > 0.01)
					throw new NiftiFormatException(file, sformCode > 0 ? "srow" : "quatern", String.format(
						java.util.Locale.ROOT, "voxel axes %d and %d are %.1f° apart, not at right angles (a sheared "
							+ "affine): voxel sizes and volumes cannot be measured on such a grid", a, b,
						Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos))))));
			}
		// NIfTI-1 (nifti1.h): scl_slope 0 means no scaling; nifti1_io.c reads a slope or intercept that is not a
		// finite number as 0, i.e. no scaling, and no offset.
		double slope = f.slope(), inter = f.inter();
		if (!Double.isFinite(slope)) slope = 0;
		if (!Double.isFinite(inter)) inter = 0;
		Geometry g = new Geometry(n[0], n[1], n[2], spacing, origin, dir);
		return new Header(g, type, order, (long) voxOffset, slope, inter);
	}

	/** The affine of the qform (NIfTI-1 method 2): R(quaternion) · diag(pixdim) with qfac on the third axis. */
	private static double[] qformAffine(double[] quatern, double[] pixdim) {
		double qb = quatern[0], qc = quatern[1], qd = quatern[2];
		double qa = 1 - (qb * qb + qc * qc + qd * qd);
		if (qa < 1e-7) {
			// nifti1_io.c: a 180° rotation; renormalise (b, c, d) and take a = 0.
			double s = Math.sqrt(qb * qb + qc * qc + qd * qd);
			qb /= s;
			qc /= s;
			qd /= s;
			qa = 0;
		} else {
			qa = Math.sqrt(qa);
		}
		double qfac = pixdim[0] < 0 ? -1 : 1;
		double[][] r = {
			{qa * qa + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - qa * qd), 2 * (qb * qd + qa * qc)},
			{2 * (qb * qc + qa * qd), qa * qa + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - qa * qb)},
			{2 * (qb * qd - qa * qc), 2 * (qc * qd + qa * qb), qa * qa + qd * qd - qc * qc - qb * qb}};
		double[] a = new double[12];
		for (int row = 0; row < 3; row++) {
			a[4 * row] = r[row][0] * pixdim[1];
			a[4 * row + 1] = r[row][1] * pixdim[2];
			a[4 * row + 2] = r[row][2] * pixdim[3] * qfac;
		}
		a[3] = quatern[3];
		a[7] = quatern[4];
		a[11] = quatern[5];
		return a;
	}

	private static double dot(double[] a, double[] b) {
		return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
	}

	private static double[] cross(double[] a, double[] b) {
		return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
	}

	private static double[] normalise(double[] v) {
		double len = Math.sqrt(dot(v, v));
		return new double[] {v[0] / len, v[1] / len, v[2] / len};
	}
}
