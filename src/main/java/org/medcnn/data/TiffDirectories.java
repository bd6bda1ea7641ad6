package org.medcnn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The image file directories (IFDs) of a classic TIFF file (TIFF 6.0 §2), read without pixel data and checked
 * against the file's length before any decoder sees them: a loop in the IFD chain, a count or offset beyond the end
 * of the file, or strips that cannot hold the pixels declared is refused with the tag at fault. (The JDK's TIFF
 * reader runs out of memory on an IFD chain that points back at itself.) Only the tags MedCNN needs are kept.
 * Stateless; package-private: {@link ImageFiles} is the API.
 */
final class TiffDirectories {

	static final int NEW_SUBFILE_TYPE = 254, IMAGE_WIDTH = 256, IMAGE_LENGTH = 257, BITS_PER_SAMPLE = 258, COMPRESSION = 259,
		PHOTOMETRIC = 262, IMAGE_DESCRIPTION = 270, STRIP_OFFSETS = 273, SAMPLES_PER_PIXEL = 277, ROWS_PER_STRIP = 278,
		STRIP_BYTE_COUNTS = 279, X_RESOLUTION = 282, Y_RESOLUTION = 283, PLANAR_CONFIGURATION = 284, RESOLUTION_UNIT = 296,
		TILE_WIDTH = 322, TILE_LENGTH = 323, TILE_OFFSETS = 324, TILE_BYTE_COUNTS = 325, SAMPLE_FORMAT = 339;

	/** Compression (259) = 1: none. */
	static final int UNCOMPRESSED = 1;
	/** SampleFormat (339): 1 unsigned integer (the default), 2 signed integer, 3 IEEE float. */
	static final int UNSIGNED = 1, SIGNED = 2, FLOAT = 3;
	/** PhotometricInterpretation (262) = 0: WhiteIsZero. */
	static final int WHITE_IS_ZERO = 0;

	private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(NEW_SUBFILE_TYPE, "NewSubfileType"),
		Map.entry(IMAGE_WIDTH, "ImageWidth"), Map.entry(IMAGE_LENGTH, "ImageLength"), Map.entry(BITS_PER_SAMPLE, "BitsPerSample"),
		Map.entry(COMPRESSION, "Compression"), Map.entry(PHOTOMETRIC, "PhotometricInterpretation"),
		Map.entry(IMAGE_DESCRIPTION, "ImageDescription"), Map.entry(STRIP_OFFSETS, "StripOffsets"),
		Map.entry(SAMPLES_PER_PIXEL, "SamplesPerPixel"), Map.entry(ROWS_PER_STRIP, "RowsPerStrip"),
		Map.entry(STRIP_BYTE_COUNTS, "StripByteCounts"), Map.entry(X_RESOLUTION, "XResolution"),
		Map.entry(Y_RESOLUTION, "YResolution"), Map.entry(PLANAR_CONFIGURATION, "PlanarConfiguration"),
		Map.entry(RESOLUTION_UNIT, "ResolutionUnit"), Map.entry(TILE_WIDTH, "TileWidth"), Map.entry(TILE_LENGTH, "TileLength"),
		Map.entry(TILE_OFFSETS, "TileOffsets"), Map.entry(TILE_BYTE_COUNTS, "TileByteCounts"),
		Map.entry(SAMPLE_FORMAT, "SampleFormat"));

	/** Bytes of one value of each TIFF field type (TIFF 6.0 §2 and §4: 1 BYTE … 12 DOUBLE, 13 IFD); 0 = unknown. */
	private static final int[] TYPE_SIZE = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4};

	private TiffDirectories() {}

	/**
	 * One image file directory, as far as MedCNN uses it.
	 *
	 * @param index position in the IFD chain (the image index of an Image I/O TIFF reader)
	 * @param offsets strip (or tile) offsets
	 * @param counts strip (or tile) byte counts
	 * @param xResolution pixels per resolution unit along x, NaN when absent
	 * @param description ImageDescription, or null
	 */
	record Ifd(int index, int width, int height, int bitsPerSample, int samplesPerPixel, int compression, int photometric,
		int planar, int sampleFormat, long newSubfileType, long[] offsets, long[] counts, boolean tiled, double xResolution,
		double yResolution, int resolutionUnit, String description) {

		/** Bytes of the pixels once decoded. */
		long decodedBytes() {
			return ((long) width * samplesPerPixel * bitsPerSample + 7) / 8 * height;
		}

		/** Whether this page is a reduced-resolution copy or a transparency mask of another (NewSubfileType bits 0, 2). */
		boolean isAuxiliary() {
			return (newSubfileType & 0b101) != 0;
		}
	}

	/** The header and every IFD of the chain, in order. */
	static List<Ifd> read(Path file) throws IOException {
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			return new Reader(file, ch).all();
		}
	}

	/** The name of a tag for messages: {@code StripOffsets (273)}. */
	static String name(int tag) {
		return NAMES.getOrDefault(tag, "tag") + " (" + tag + ")";
	}

	/** Reads the structure; every read is bounded by the file's length. */
	private static final class Reader {

		private final Path file;
		private final FileChannel ch;
		private final long size;
		private ByteOrder order;

		Reader(Path file, FileChannel ch) throws IOException {
			this.file = file;
			this.ch = ch;
			this.size = ch.size();
		}

		List<Ifd> all() throws IOException {
			if (size < 8) throw new ImageFileException(file, "header", "a TIFF file is at least 8 bytes; this one has " + size);
			ByteBuffer h = at(0, 8, "header");
			int b0 = h.get(0), b1 = h.get(1);
			if (b0 == 'I' && b1 == 'I') order = ByteOrder.LITTLE_ENDIAN;
			else if (b0 == 'M' && b1 == 'M') order = ByteOrder.BIG_ENDIAN;
			else throw new ImageFileException(file, "header", "not a TIFF file (no II or MM byte order mark)");
			h.order(order);
			int magic = h.getShort(2) & 0xFFFF;
			if (magic == 43) throw new ImageFileException(file, "header", "BigTIFF is not supported; save the stack as a classic TIFF");
			if (magic != 42) throw new ImageFileException(file, "header", "not a TIFF file (version " + magic + ", expected 42)");
			long next = h.getInt(4) & 0xFFFFFFFFL;
			List<Ifd> out = new ArrayList<>();
			Set<Long> seen = new HashSet<>();
			while (next != 0) {
				String where = "IFD " + (out.size() + 1);
				if (!seen.add(next))
					throw new ImageFileException(file, where, "the chain of image file directories loops back to offset " + next);
				out.add(ifd(out.size(), next, where));
				next = nextOffset;
			}
			if (out.isEmpty()) throw new ImageFileException(file, "header", "the file holds no image (first IFD offset 0)");
			return out;
		}

		private long nextOffset;

		private Ifd ifd(int index, long offset, String where) throws IOException {
			if (offset < 8 || offset + 2 > size)
				throw new ImageFileException(file, where, "offset " + offset + " lies outside the file (" + size + " bytes): truncated");
			int n = at(offset, 2, where).getShort(0) & 0xFFFF;
			if (n == 0) throw new ImageFileException(file, where, "holds no entries");
			ByteBuffer e = at(offset + 2, 12L * n + 4, where + " (" + n + " entries)");
			Map<Integer, long[]> entries = new HashMap<>();
			for (int i = 0; i < n; i++) {
				int p = 12 * i;
				entries.put(e.getShort(p) & 0xFFFF, new long[] {e.getShort(p + 2) & 0xFFFF, e.getInt(p + 4) & 0xFFFFFFFFL,
					p + 8L});
			}
			nextOffset = e.getInt(12 * n) & 0xFFFFFFFFL;
			String page = "page " + (index + 1) + ", ";
			int width = (int) single(entries, e, IMAGE_WIDTH, -1, page);
			int height = (int) single(entries, e, IMAGE_LENGTH, -1, page);
			if (width <= 0 || height <= 0)
				throw new ImageFileException(file, page + name(IMAGE_WIDTH), "image size " + width + "×" + height + " is not positive");
			int spp = (int) single(entries, e, SAMPLES_PER_PIXEL, 1, page);
			if (spp < 1 || spp > 16) throw new ImageFileException(file, page + name(SAMPLES_PER_PIXEL), spp + " (expected 1…16)");
			long[] bits = array(entries, e, BITS_PER_SAMPLE, page, 16);
			int bps = bits == null ? 1 : (int) bits[0];
			if (bits != null) for (long b : bits)
				if (b != bps) throw new ImageFileException(file, page + name(BITS_PER_SAMPLE), "samples of different sizes are not supported");
			if (bps < 1 || bps > 64) throw new ImageFileException(file, page + name(BITS_PER_SAMPLE), bps + " (expected 1…64)");
			int compression = (int) single(entries, e, COMPRESSION, UNCOMPRESSED, page);
			int photometric = (int) single(entries, e, PHOTOMETRIC, 1, page);
			int planar = (int) single(entries, e, PLANAR_CONFIGURATION, 1, page);
			long[] formats = array(entries, e, SAMPLE_FORMAT, page, 16);
			int sampleFormat = formats == null ? UNSIGNED : (int) formats[0];
			long subfile = single(entries, e, NEW_SUBFILE_TYPE, 0, page);
			boolean tiled = entries.containsKey(TILE_OFFSETS);
			long chunks;
			int offsetsTag = tiled ? TILE_OFFSETS : STRIP_OFFSETS, countsTag = tiled ? TILE_BYTE_COUNTS : STRIP_BYTE_COUNTS;
			int planes = planar == 2 ? spp : 1;
			if (tiled) {
				long tw = single(entries, e, TILE_WIDTH, -1, page), th = single(entries, e, TILE_LENGTH, -1, page);
				if (tw <= 0 || th <= 0)
					throw new ImageFileException(file, page + name(TILE_WIDTH), "tile size " + tw + "×" + th + " is not positive");
				chunks = ((width + tw - 1) / tw) * ((height + th - 1) / th) * planes;
			} else {
				long rows = single(entries, e, ROWS_PER_STRIP, height, page);
				if (rows <= 0) throw new ImageFileException(file, page + name(ROWS_PER_STRIP), rows + " is not positive");
				chunks = (height + Math.min(rows, height) - 1) / Math.min(rows, height) * planes;
			}
			long[] offsets = array(entries, e, offsetsTag, page, chunks);
			long[] counts = array(entries, e, countsTag, page, chunks);
			if (offsets == null) throw new ImageFileException(file, page + name(offsetsTag), "missing: no pixel data");
			if (counts == null) throw new ImageFileException(file, page + name(countsTag), "missing");
			if (offsets.length < chunks || counts.length < chunks)
				throw new ImageFileException(file, page + name(offsetsTag), offsets.length + " offsets and " + counts.length
					+ " byte counts for the " + chunks + " " + (tiled ? "tiles" : "strips") + " a " + width + "×" + height
					+ " image needs");
			long total = 0;
			for (int i = 0; i < chunks; i++) {
				if (offsets[i] + counts[i] > size)
					throw new ImageFileException(file, page + name(countsTag), (tiled ? "tile " : "strip ") + i + " (" + counts[i]
						+ " bytes at offset " + offsets[i] + ") runs past the end of the file (" + size + " bytes): truncated");
				total += counts[i];
			}
			Ifd ifd = new Ifd(index, width, height, bps, spp, compression, photometric, planar, sampleFormat, subfile, offsets,
				counts, tiled, rational(entries, e, X_RESOLUTION, page), rational(entries, e, Y_RESOLUTION, page),
				(int) single(entries, e, RESOLUTION_UNIT, 2, page), ascii(entries, e, IMAGE_DESCRIPTION, page));
			if (compression == UNCOMPRESSED && !tiled && total < ifd.decodedBytes())
				throw new ImageFileException(file, page + name(countsTag), "the strips hold " + total + " bytes but " + width + "×"
					+ height + " pixels of " + spp + "×" + bps + " bits need " + ifd.decodedBytes() + ": truncated");
			if (compression != UNCOMPRESSED && ifd.decodedBytes() > MAX_EXPANSION * Math.max(total, 1))
				throw new ImageFileException(file, page + name(IMAGE_WIDTH), width + "×" + height + " pixels (" + ifd.decodedBytes()
					+ " bytes) cannot come from " + total + " compressed bytes (at most " + MAX_EXPANSION + "× expansion)");
			return ifd;
		}

		/**
		 * The largest expansion accepted for compressed TIFF data: deflate cannot exceed 1032:1 (RFC 1951: a 258-byte
		 * match in as little as 2 bits) and LZW with 12-bit codes 2731:1 (a 4096-byte string per code); PackBits 64:1.
		 */
		static final long MAX_EXPANSION = 4096;

		/** The first value of an integer tag, or {@code def} when absent ({@code -1}: required). */
		private long single(Map<Integer, long[]> entries, ByteBuffer e, int tag, long def, String page) throws IOException {
			long[] v = array(entries, e, tag, page, 1);
			if (v == null || v.length == 0) {
				if (def == -1) throw new ImageFileException(file, page + name(tag), "missing");
				return def;
			}
			return v[0];
		}

		/** The values of an integer tag (at most {@code max} of them are read), or null when absent. */
		private long[] array(Map<Integer, long[]> entries, ByteBuffer e, int tag, String page, long max) throws IOException {
			long[] en = entries.get(tag);
			if (en == null) return null;
			int type = (int) en[0];
			long count = en[1];
			if (!(type == 1 || type == 3 || type == 4 || type == 8 || type == 9 || type == 13))
				throw new ImageFileException(file, page + name(tag), "has field type " + type + "; an integer type is expected");
			if (count == 0) return new long[0];
			int n = (int) Math.min(count, Math.max(1, max));
			ByteBuffer b = values(e, en, page + name(tag), n);
			int ts = TYPE_SIZE[type];
			long[] out = new long[n];
			for (int i = 0; i < n; i++) {
				int p = i * ts;
				out[i] = switch (type) {
					case 1 -> b.get(p) & 0xFF;
					case 3 -> b.getShort(p) & 0xFFFF;
					case 8 -> b.getShort(p);
					case 9 -> b.getInt(p);
					default -> b.getInt(p) & 0xFFFFFFFFL;
				};
			}
			return out;
		}

		/** A RATIONAL tag's first value, NaN when absent or with a zero denominator. */
		private double rational(Map<Integer, long[]> entries, ByteBuffer e, int tag, String page) throws IOException {
			long[] en = entries.get(tag);
			if (en == null || en[1] < 1) return Double.NaN;
			if (en[0] != 5) throw new ImageFileException(file, page + name(tag), "has field type " + en[0] + "; RATIONAL (5) is expected");
			ByteBuffer b = values(e, en, page + name(tag), 1);
			long num = b.getInt(0) & 0xFFFFFFFFL, den = b.getInt(4) & 0xFFFFFFFFL;
			return den == 0 ? Double.NaN : (double) num / den;
		}

		/** An ASCII tag (up to its first NUL), or null when absent. */
		private String ascii(Map<Integer, long[]> entries, ByteBuffer e, int tag, String page) throws IOException {
			long[] en = entries.get(tag);
			if (en == null || en[0] != 2 || en[1] == 0) return null;
			int n = (int) Math.min(en[1], 1 << 20); // a description longer than 1 MiB is not one MedCNN needs whole
			ByteBuffer b = values(e, en, page + name(tag), n);
			byte[] s = new byte[n];
			b.get(0, s);
			int len = 0;
			while (len < n && s[len] != 0) len++;
			// ImageJ writes its description in UTF-8 since 1.50 (Latin-1 bytes would decode as replacement characters).
			return new String(s, 0, len, StandardCharsets.UTF_8);
		}

		/** The bytes of the first {@code n} values of an entry: inline when they fit in 4 bytes, else at the offset. */
		private ByteBuffer values(ByteBuffer e, long[] en, String where, int n) throws IOException {
			int ts = TYPE_SIZE[(int) en[0]];
			long bytes = (long) ts * en[1];
			int p = (int) en[2];
			if (bytes <= 4) {
				ByteBuffer b = ByteBuffer.allocate(4).order(order);
				for (int i = 0; i < 4; i++) b.put(i, e.get(p + i));
				return b;
			}
			long offset = e.getInt(p) & 0xFFFFFFFFL;
			if (offset + bytes > size || (long) ts * n > Integer.MAX_VALUE - 8)
				throw new ImageFileException(file, where, en[1] + " values at offset " + offset + " run past the end of the file ("
					+ size + " bytes): truncated");
			return at(offset, (long) ts * n, where);
		}

		/** {@code n} bytes at {@code pos}, refused when they run past the end of the file. */
		private ByteBuffer at(long pos, long n, String where) throws IOException {
			if (pos < 0 || pos + n > size)
				throw new ImageFileException(file, where, n + " bytes at offset " + pos + " run past the end of the file (" + size
					+ " bytes): truncated");
			ByteBuffer b = ByteBuffer.allocate((int) n);
			while (b.hasRemaining()) {
				int r = ch.read(b, pos + b.position());
				if (r < 0) throw new ImageFileException(file, where, "the file ended early: truncated");
			}
			return b.flip().order(order == null ? ByteOrder.BIG_ENDIAN : order);
		}
	}
}
