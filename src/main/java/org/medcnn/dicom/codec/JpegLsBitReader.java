package org.medcnn.dicom.codec;

/**
 * Reads the entropy-coded bits of one JPEG-LS scan (ITU-T T.87 §9.1): most significant bit first, where a byte
 * following 0xFF carries only 7 data bits (its top bit is a stuffed 0), and 0xFF followed by a byte with the top
 * bit set is a marker that ends the scan data. Reading past a marker or past the end of the data fails with a
 * {@link Truncated}, so a damaged stream can never make a decoder loop without consuming input.
 */
final class JpegLsBitReader {

	/** The scan data ended (marker or end of input) before the decoder had all the bits it needed. */
	static final class Truncated extends Exception {
		private static final long serialVersionUID = 1L;

		Truncated(String what) {
			super(what, null, false, false);
		}
	}

	private final byte[] data;
	private final int end;
	private int pos;
	private int cur;
	private int avail;
	private boolean afterFF;

	/** Reads from {@code data[from, end)}. */
	JpegLsBitReader(byte[] data, int from, int end) {
		this.data = data;
		this.pos = from;
		this.end = Math.min(end, data.length);
	}

	/** The index of the first byte not yet (even partly) consumed. */
	int position() {
		return pos;
	}

	/** Drops the rest of the current byte (and a stuffed 0x00 after a final 0xFF) and returns the byte position. */
	int align() {
		avail = 0;
		if (afterFF && pos < end && (data[pos] & 0x80) == 0) pos++;
		afterFF = false;
		return pos;
	}

	/** Restarts reading at a byte position (after a restart marker). */
	void reset(int position) {
		pos = position;
		avail = 0;
		afterFF = false;
	}

	private void nextByte() throws Truncated {
		if (pos >= end) throw new Truncated("the scan data end at byte " + end + " before the image is complete");
		int b = data[pos] & 0xFF;
		if (afterFF) {
			if (b >= 0x80)
				throw new Truncated("marker FF" + Integer.toHexString(b).toUpperCase() + " at byte " + (pos - 1)
					+ " ends the scan data before the image is complete");
			avail = 7;
		} else {
			avail = 8;
		}
		if (b == 0xFF && pos + 1 < end && (data[pos + 1] & 0x80) != 0 && !afterFF)
			throw new Truncated("marker FF" + Integer.toHexString(data[pos + 1] & 0xFF).toUpperCase() + " at byte " + pos
				+ " ends the scan data before the image is complete");
		cur = b;
		afterFF = b == 0xFF;
		pos++;
	}

	/** One bit. */
	int bit() throws Truncated {
		if (avail == 0) nextByte();
		avail--;
		return (cur >>> avail) & 1;
	}

	/** {@code n} bits (0..31), most significant first. */
	int bits(int n) throws Truncated {
		int v = 0;
		while (n > 0) {
			if (avail == 0) nextByte();
			int take = Math.min(n, avail);
			avail -= take;
			v = (v << take) | ((cur >>> avail) & ((1 << take) - 1));
			n -= take;
		}
		return v;
	}

	/**
	 * The number of 0 bits before the next 1 bit (the unary part of a Golomb code), at most {@code max}.
	 *
	 * @return the count, or -1 when more than {@code max} zeros follow (damaged data)
	 */
	int zeros(int max) throws Truncated {
		int n = 0;
		while (true) {
			if (avail == 0) nextByte();
			int window = cur & ((1 << avail) - 1);
			if (window != 0) {
				int lead = Integer.numberOfLeadingZeros(window) - (32 - avail);
				n += lead;
				avail -= lead + 1;
				return n > max ? -1 : n;
			}
			n += avail;
			avail = 0;
			if (n > max) return -1;
		}
	}

	/**
	 * A limited-length Golomb code LG(k, limit) (T.87 §A.5.3): a unary prefix q; q below
	 * {@code limit - qbpp - 1} gives {@code q·2^k + k bits}, q equal to it escapes to {@code qbpp} bits + 1.
	 *
	 * @return the mapped error value, or -1 when the prefix is longer than the limit allows (damaged data)
	 */
	int golomb(int k, int limit, int qbpp) throws Truncated {
		int escape = limit - qbpp - 1;
		int q = zeros(escape);
		if (q < 0) return -1;
		if (q == escape) return bits(qbpp) + 1;
		if (k > 24 || q >= (1 << (30 - k))) return -1;
		return k == 0 ? q : (q << k) | bits(k);
	}
}
