package org.medcnn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE of handwritten digits", file
 * formats): a big-endian header — two zero bytes, the type of the data (0x08: unsigned byte, the only type those sets
 * use), the number of dimensions — then the size of each dimension as a big-endian 32-bit integer, then the data in
 * row-major order. A gzip-compressed file ({@code .gz}) is recognised by its magic number. The data are read in
 * chunks as they arrive, so a header declaring more than the file holds fails with a "truncated" error rather than
 * allocating what it declares. Stateless.
 */
public final class Idx {

	/** The type byte of unsigned bytes. */
	public static final int UNSIGNED_BYTE = 0x08;

	private Idx() {}

	/**
	 * An IDX array.
	 *
	 * @param dims the size of each dimension (e.g. {60000, 28, 28} for images, {60000} for labels)
	 * @param data the values, row-major, as unsigned bytes
	 */
	public record Array(int[] dims, byte[] data) {

		public Array {
			dims = dims.clone();
		}

		@Override
		public int[] dims() {
			return dims.clone();
		}

		/** The size of the first dimension: the number of items. */
		public int count() {
			return dims[0];
		}

		/** Values per item: the product of the other dimensions. */
		public int itemSize() {
			int n = 1;
			for (int i = 1; i < dims.length; i++) n *= dims[i];
			return n;
		}

		/** Value {@code i} as 0…255. */
		public int unsigned(int i) {
			return data[i] & 0xFF;
		}
	}

	/** Reads an IDX file, gzip-compressed or not. */
	public static Array read(Path file) throws IOException {
		try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
			raw.mark(2);
			int b0 = raw.read(), b1 = raw.read();
			raw.reset();
			InputStream in = b0 == 0x1F && b1 == 0x8B ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
			return read(in, file);
		} catch (java.util.zip.ZipException e) {
			throw new ImageFileException(file, "gzip", "damaged: " + e.getMessage(), e);
		}
	}

	private static Array read(InputStream in, Path file) throws IOException {
		DataInputStream d = new DataInputStream(in);
		int[] dims;
		long n = 1;
		try {
			int zero = d.readUnsignedShort(), type = d.readUnsignedByte(), rank = d.readUnsignedByte();
			if (zero != 0) throw new ImageFileException(file, "header", "not an IDX file (magic number does not start with 0x0000)");
			if (type != UNSIGNED_BYTE)
				throw new ImageFileException(file, "header", String.format("data type 0x%02X; only unsigned bytes (0x08) are supported", type));
			if (rank < 1) throw new ImageFileException(file, "header", "no dimensions");
			dims = new int[rank];
			for (int i = 0; i < rank; i++) {
				dims[i] = d.readInt();
				if (dims[i] < 0) throw new ImageFileException(file, "dimension " + (i + 1), "size " + Integer.toUnsignedString(dims[i])
					+ " is out of range");
				n *= dims[i];
				if (n > Integer.MAX_VALUE - 8) throw new ImageFileException(file, "dimension " + (i + 1), "the sizes "
					+ Arrays.toString(Arrays.copyOf(dims, i + 1)) + " hold more than 2^31 values");
			}
		} catch (EOFException e) {
			throw new ImageFileException(file, "header", "truncated", e);
		}
		// readNBytes grows its buffer as data arrive: a header that lies cannot make it allocate what it claims.
		byte[] data = d.readNBytes((int) n);
		if (data.length < n)
			throw new ImageFileException(file, "data", "truncated: " + data.length + " of the " + n + " values the header "
				+ Arrays.toString(dims) + " declares");
		return new Array(dims, data);
	}
}
