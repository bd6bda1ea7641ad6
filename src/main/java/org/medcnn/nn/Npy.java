package org.medcnn.nn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes float32 arrays in the NumPy {@code .npy} format (numpy.lib.format), which bioimage.io uses
 * for a model's test tensors. Writes version 1.0 ({@code descr '<f4'}, C order, header padded so that the data
 * starts at a multiple of 64 bytes); reads versions 1.0, 2.0 and 3.0 with {@code <f4} or {@code >f4} data in C
 * order. Stateless and thread-safe.
 */
public final class Npy {

	/** The file's magic string: byte 0x93 followed by "NUMPY". */
	private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
	private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
	private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
	private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
	/** Headers longer than this are refused (NumPy itself writes well under 1 kB). */
	private static final int MAX_HEADER = 65536;

	private Npy() {}

	/**
	 * A float32 array in C (row-major) order.
	 *
	 * @param shape the dimensions, outermost first (may be empty for a scalar)
	 * @param data the values; its length is the product of the dimensions
	 */
	public record FloatArray(int[] shape, float[] data) {

		public FloatArray {
			shape = shape.clone();
			long n = 1;
			for (int d : shape) {
				if (d < 0) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
				n *= d;
			}
			if (n != data.length)
				throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
		}

		@Override
		public int[] shape() {
			return shape.clone();
		}

		@Override
		public boolean equals(Object o) {
			return o instanceof FloatArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
		}

		@Override
		public int hashCode() {
			return Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
		}

		@Override
		public String toString() {
			return "FloatArray" + Arrays.toString(shape);
		}
	}

	/** The {@code .npy} bytes of a float32 array. @throws IllegalArgumentException when shape and data disagree */
	public static byte[] toBytes(float[] data, int... shape) {
		new FloatArray(shape, data); // validates
		StringBuilder dims = new StringBuilder();
		for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ", ").append(shape[i]);
		if (shape.length == 1) dims.append(',');
		String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
		int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1; // magic, version, header length, dict, '\n'
		int total = (unpadded + 63) / 64 * 64;
		String header = dict + " ".repeat(total - unpadded) + "\n";
		ByteBuffer bb = ByteBuffer.allocate(total + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
		bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
		bb.put(header.getBytes(StandardCharsets.US_ASCII));
		bb.asFloatBuffer().put(data);
		return bb.array();
	}

	/** Writes a float32 array as a {@code .npy} version 1.0 file. */
	public static void write(Path file, float[] data, int... shape) throws IOException {
		Files.write(file, toBytes(data, shape));
	}

	/**
	 * Reads a float32 {@code .npy} file.
	 *
	 * @throws IOException naming the file when it is no {@code .npy} file, holds another data type or Fortran
	 *         order, or is shorter or longer than its header says
	 */
	public static FloatArray read(Path file) throws IOException {
		long size = Files.size(file);
		if (size > Integer.MAX_VALUE - 8) throw new IOException(file + ": too large for a test tensor (" + size + " bytes)");
		return parse(Files.readAllBytes(file), file.toString());
	}

	/**
	 * Parses the bytes of a float32 {@code .npy} file.
	 *
	 * @param what names the source in messages
	 * @throws IOException as {@link #read}
	 */
	public static FloatArray parse(byte[] bytes, String what) throws IOException {
		if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC))
			throw new IOException(what + ": not a NumPy .npy file (no \\x93NUMPY magic)");
		int major = bytes[6] & 0xff;
		ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		long headerLen;
		int start;
		if (major == 1) {
			headerLen = bb.getShort(8) & 0xffff;
			start = 10;
		} else if (major == 2 || major == 3) {
			if (bytes.length < 12) throw new IOException(what + ": truncated .npy header");
			headerLen = bb.getInt(8) & 0xffffffffL;
			start = 12;
		} else {
			throw new IOException(what + ": .npy format version " + major + "." + (bytes[7] & 0xff) + " is not supported (1.0 to 3.0)");
		}
		if (headerLen > MAX_HEADER || start + headerLen > bytes.length)
			throw new IOException(what + ": .npy header length " + headerLen + " exceeds the file (" + bytes.length + " bytes)");
		String header = new String(bytes, start, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
		String descr = group(DESCR, header, "descr", what);
		boolean bigEndian;
		if (descr.equals("<f4")) bigEndian = false;
		else if (descr.equals(">f4")) bigEndian = true;
		else throw new IOException(what + ": .npy data type '" + descr + "' is not supported (float32 '<f4' or '>f4')");
		if (group(FORTRAN, header, "fortran_order", what).equals("True"))
			throw new IOException(what + ": .npy arrays in Fortran order are not supported");
		List<Integer> dims = new ArrayList<>();
		long n = 1;
		for (String d : group(SHAPE, header, "shape", what).split(",")) {
			if (d.isBlank()) continue;
			try {
				int v = Integer.parseInt(d.trim().replaceFirst("L$", ""));
				if (v < 0) throw new NumberFormatException("negative");
				dims.add(v);
				n *= v;
			} catch (NumberFormatException e) {
				throw new IOException(what + ": .npy shape has a bad dimension '" + d.trim() + "'", e);
			}
			if (n > Integer.MAX_VALUE) throw new IOException(what + ": .npy shape " + dims + "… is too large");
		}
		long dataStart = start + headerLen;
		if (bytes.length - dataStart != 4 * n)
			throw new IOException(what + ": .npy shape " + dims + " needs " + 4 * n + " data bytes but the file has "
				+ (bytes.length - dataStart));
		float[] data = new float[(int) n];
		bb.position((int) dataStart);
		bb.slice().order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
		int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
		return new FloatArray(shape, data);
	}

	private static String group(Pattern p, String header, String key, String what) throws IOException {
		Matcher m = p.matcher(header);
		if (!m.find()) throw new IOException(what + ": .npy header has no valid '" + key + "': " + header.trim());
		return m.group(1);
	}
}
