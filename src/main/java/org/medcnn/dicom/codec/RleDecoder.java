package org.medcnn.dicom.codec;

import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.Tag;

/**
 * RLE Lossless (1.2.840.10008.1.2.5), written from DICOM PS3.5 Annex G.
 * <p>
 * A frame starts with a 64-byte header: the number of segments (little-endian 32-bit) and 15 segment offsets.
 * Each segment is one byte plane of one sample, PackBits-encoded (§G.3.1: a header byte n of 0..127 is followed
 * by n + 1 literal bytes, −1..−127 by one byte repeated 1 − n times, −128 is skipped); planes come most
 * significant byte first, and one full set of planes per sample (so colour is planar and is interleaved here).
 * Every offset and run is checked against the data, so damaged input fails quickly with a
 * {@link DicomReadException} rather than reading out of bounds or producing partial pixels.
 */
public final class RleDecoder implements FrameDecoder {

	private static final int HEADER = 64;
	private static final int MAX_SEGMENTS = 15;

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		int bytes = l.bitsAllocated() / 8;
		if (l.bitsAllocated() % 8 != 0)
			throw error(l, frame, "BitsAllocated " + l.bitsAllocated() + " cannot be RLE encoded (8, 16 or 32 only)");
		int want = l.samplesPerPixel() * bytes;
		if (data.length < HEADER)
			throw error(l, frame, "RLE header needs 64 bytes but the frame has " + data.length);
		int segments = le32(data, 0);
		if (segments != want)
			throw error(l, frame, "RLE header declares " + Integer.toUnsignedString(segments) + " segments but SamplesPerPixel "
				+ l.samplesPerPixel() + " × BitsAllocated " + l.bitsAllocated() + " needs " + want);
		if (segments > MAX_SEGMENTS)
			throw error(l, frame, segments + " RLE segments needed, at most 15 fit the RLE header");
		int[] offsets = new int[segments + 1];
		for (int i = 0; i < segments; i++) {
			offsets[i] = le32(data, 4 + 4 * i);
			long prev = i == 0 ? HEADER - 1 : Integer.toUnsignedLong(offsets[i - 1]);
			if (Integer.toUnsignedLong(offsets[i]) <= prev || Integer.toUnsignedLong(offsets[i]) >= data.length
				|| (i == 0 && offsets[0] != HEADER))
				throw error(l, frame, "RLE segment " + (i + 1) + " offset " + Integer.toUnsignedString(offsets[i])
					+ " is invalid (the first must be 64, offsets must increase and lie inside the " + data.length
					+ "-byte frame)");
		}
		offsets[segments] = data.length;
		int pixels = l.rows() * l.columns();
		for (int i = 0; i < segments; i++) {
			// PackBits expands 2 bytes to at most 128: checked before allocating, so a tiny stream claiming a huge
			// image fails here instead of exhausting memory.
			long most = (offsets[i + 1] - (long) offsets[i] + 1) / 2 * 128;
			if (most < pixels)
				throw error(l, frame, "RLE segment " + (i + 1) + " has " + (offsets[i + 1] - offsets[i])
					+ " bytes, too few for Rows × Columns = " + pixels + " (truncated or damaged data)");
		}
		int spp = l.samplesPerPixel();
		int[] out = new int[pixels * spp];
		byte[] plane = new byte[pixels];
		for (int s = 0; s < spp; s++) {
			for (int k = 0; k < bytes; k++) {
				int seg = s * bytes + k;
				int got = unpackBits(data, offsets[seg], offsets[seg + 1], plane);
				if (got < pixels)
					throw error(l, frame, "RLE segment " + (seg + 1) + " decodes to " + got + " bytes but Rows × Columns is "
						+ pixels + " (truncated or damaged data)");
				int shift = 8 * (bytes - 1 - k);
				for (int p = 0, o = s; p < pixels; p++, o += spp) out[o] |= (plane[p] & 0xFF) << shift;
			}
		}
		return out;
	}

	/**
	 * PackBits (PS3.5 §G.3.1) from {@code src[from, to)} into {@code dst}, stopping when dst is full (extra output
	 * from a padding byte is dropped).
	 *
	 * @return the number of bytes written to dst; fewer than dst.length when the input ends early or a literal
	 *         run is cut off by the end of the segment
	 */
	static int unpackBits(byte[] src, int from, int to, byte[] dst) {
		int i = from;
		int o = 0;
		while (i < to && o < dst.length) {
			int n = src[i++];
			if (n >= 0) {
				int count = n + 1;
				if (i + count > to) return o; // literal run cut off by the end of the segment
				int c = Math.min(count, dst.length - o);
				System.arraycopy(src, i, dst, o, c);
				i += count;
				o += c;
			} else if (n != -128) {
				if (i >= to) return o;
				byte v = src[i++];
				int c = Math.min(1 - n, dst.length - o);
				for (int e = o + c; o < e; o++) dst[o] = v;
			}
		}
		return o;
	}

	private static int le32(byte[] b, int p) {
		return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
	}

	private static DicomReadException error(FrameLayout l, int frame, String what) {
		return new DicomReadException(l.file(), Tag.PixelData, "frame " + (frame + 1) + ": " + what);
	}
}
