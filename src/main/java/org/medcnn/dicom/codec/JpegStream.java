package org.medcnn.dicom.codec;

import org.medcnn.dicom.DicomReadException;

/**
 * What the Huffman-coded JPEG decoders written here ({@link JpegDctDecoder}, {@link JpegLosslessDecoder}) share
 * for one frame's stream (ITU-T T.81): the marker segment loop (Annex B: SOI, fill bytes, DHT, DRI, SOS, EOI, with
 * every length checked against the data), Huffman table definitions (B.2.4.2), and the entropy-coded data reader
 * (F.2.2: byte stuffing, markers ending a scan's data, restart markers, Huffman decoding with a look-ahead table).
 * <p>
 * Running out of entropy-coded data is never silently zero-filled: past the data (a marker or the end of the
 * bytes) the reader feeds zero bits but counts them as "phantom" bits, and a subclass checks that no decoded unit
 * consumed any ({@link #overrun}). Every problem is a {@link DicomReadException} naming the file and frame.
 * One instance per decoded frame; not thread-safe.
 */
abstract class JpegStream {
	final byte[] b;
	final FrameLayout l;
	final int frame;
	final int end;

	/** Huffman tables by class (DC / lossless, AC) and destination 0..3. */
	final JpegHuffman[] dc = new JpegHuffman[4];
	final JpegHuffman[] ac = new JpegHuffman[4];
	/** Ri of the last DRI marker, in MCUs; 0 when there are no restart intervals. */
	int restartInterval;

	// entropy-coded data reader state
	int pos;
	long acc;
	int nbits;
	int phantom;
	boolean atMarker;

	JpegStream(byte[] b, FrameLayout l, int frame) {
		this.b = b;
		this.l = l;
		this.frame = frame;
		this.end = b.length;
	}

	/** A damaged stream: "frame N: JPEG {@code what}". */
	final DicomReadException error(String what) {
		return l.frameError(frame, "JPEG " + what);
	}

	/** A valid stream using a variant that is not decoded here. */
	final DicomReadException unsupported(String what) {
		return l.unsupported(frame, what);
	}

	final int u8(int p) throws DicomReadException {
		if (p >= end) throw error("marker segment runs past the end of the " + end + "-byte stream (truncated)");
		return b[p] & 0xFF;
	}

	final int u16(int p) throws DicomReadException {
		return u8(p) << 8 | u8(p + 1);
	}

	/**
	 * Walks the marker segments from SOI to EOI: DHT and DRI are read here, each SOS goes to {@link #scan}, every
	 * other segment to {@link #segment}.
	 */
	final void parseMarkers() throws DicomReadException {
		if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8)
			throw error("stream must start with SOI (FFD8); this " + b.length + "-byte frame does not (not JPEG, or damaged)");
		int p = 2;
		while (true) {
			if (p + 2 > end) throw error("stream ends at byte " + end + " without EOI (truncated)");
			if ((b[p] & 0xFF) != 0xFF)
				throw error("expected a marker at byte " + p + " but found 0x" + Integer.toHexString(b[p] & 0xFF));
			int m = b[p + 1] & 0xFF;
			if (m == 0xFF) {
				p++;
				continue;
			}
			if (m == 0xD9) break;
			if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
				if (m != 0x01) throw error("restart marker RST" + (m - 0xD0) + " at byte " + p + " outside a scan");
				p += 2;
				continue;
			}
			if (m == 0xD8) throw error("second SOI marker at byte " + p);
			int len = u16(p + 2);
			if (len < 2 || p + 2 + len > end)
				throw error("marker FF" + hex(m) + " at byte " + p + " has length " + len + ", past the end of the " + end
					+ "-byte stream (truncated or damaged)");
			int s = p + 4;
			int e = p + 2 + len;
			switch (m) {
				case 0xC4 -> huffmanTables(s, e);
				case 0xDD -> {
					if (len != 4) throw error("DRI marker length " + len + " (must be 4)");
					restartInterval = u16(s);
				}
				case 0xDA -> {
					p = scan(s, e);
					continue;
				}
				default -> segment(m, s, e);
			}
			p = e;
		}
	}

	/** A marker segment other than DHT, DRI and SOS, its parameters at {@code s} (inclusive) to {@code e}. */
	abstract void segment(int m, int s, int e) throws DicomReadException;

	/** Decodes one scan (header at {@code s}..{@code e}); returns the position of the marker after its data. */
	abstract int scan(int s, int e) throws DicomReadException;

	/** Reads a DHT segment (T.81 B.2.4.2) into {@link #dc} and {@link #ac}. */
	private void huffmanTables(int s, int e) throws DicomReadException {
		int p = s;
		while (p < e) {
			int tcth = u8(p);
			int tc = tcth >> 4;
			int th = tcth & 15;
			if (tc > 1 || th > 3) throw error("DHT table class " + tc + " / id " + th + " (class 0-1, id 0-3)");
			if (p + 17 > e) throw error("DHT marker too short");
			int[] counts = new int[16];
			int total = 0;
			for (int i = 0; i < 16; i++) total += counts[i] = u8(p + 1 + i);
			if (total > 256 || p + 17 + total > e)
				throw error("DHT table " + (tc == 0 ? "DC" : "AC") + th + " declares " + total + " codes, more than 256 or than the marker holds");
			if (!JpegHuffman.valid(counts))
				throw error("DHT table " + (tc == 0 ? "DC" : "AC") + th + " has more codes of some length than fit (damaged)");
			int[] symbols = new int[total];
			for (int i = 0; i < total; i++) symbols[i] = u8(p + 17 + i);
			(tc == 0 ? dc : ac)[th] = new JpegHuffman(counts, symbols);
			p += 17 + total;
		}
	}

	/** Starts reading entropy-coded data at {@code p}. */
	final void startData(int p) {
		pos = p;
		acc = 0;
		nbits = 0;
		phantom = 0;
		atMarker = false;
	}

	/** Whether decoding has consumed bits beyond the end of the entropy-coded data. */
	final boolean overrun() {
		return nbits < phantom;
	}

	/** The value of {@code s} additional bits {@code value} (T.81 F.2.2.1 EXTEND). */
	static int extend(int value, int s) {
		return value < 1 << (s - 1) ? value - (1 << s) + 1 : value;
	}

	/** Fills the bit buffer to more than 56 bits, with phantom zero bits past the data. */
	final void fill() {
		while (nbits <= 56) {
			int c = 0;
			if (!atMarker && pos < end) {
				c = b[pos] & 0xFF;
				if (c == 0xFF) {
					int next = pos + 1 < end ? b[pos + 1] & 0xFF : -1;
					if (next == 0) {
						pos += 2;
					} else {
						atMarker = true;
						c = 0;
						phantom += 8;
					}
				} else {
					pos++;
				}
			} else {
				phantom += 8;
			}
			acc = acc << 8 | c;
			nbits += 8;
		}
	}

	/** The next {@code n} (1..16) bits; an error when they lie past the data. */
	final int bits(int n) throws DicomReadException {
		if (nbits < n) fill();
		nbits -= n;
		if (nbits < phantom) throw error("entropy-coded data end before the scan is complete (truncated or damaged stream)");
		return (int) (acc >>> nbits) & ((1 << n) - 1);
	}

	/**
	 * The next Huffman-coded symbol (T.81 F.2.2.3). A code found in the look-ahead table is not checked against
	 * the end of the data here: callers check {@link #overrun} after each unit.
	 */
	final int huff(JpegHuffman t) throws DicomReadException {
		if (nbits < 16) fill();
		int look = (int) (acc >>> (nbits - JpegHuffman.LOOKAHEAD)) & ((1 << JpegHuffman.LOOKAHEAD) - 1);
		int f = t.fast[look];
		if (f != 0) {
			nbits -= f >> 8;
			return f & 0xFF;
		}
		int code = (int) (acc >>> (nbits - 16)) & 0xFFFF;
		for (int len = JpegHuffman.LOOKAHEAD + 1; len <= 16; len++) {
			int cl = code >>> (16 - len);
			if (cl <= t.maxCode[len]) {
				nbits -= len;
				int idx = cl + t.valOffset[len];
				if (idx < 0 || idx >= t.symbols.length) break;
				return t.symbols[idx];
			}
		}
		if (nbits - 16 < phantom)
			throw error("entropy-coded data end before the scan is complete (truncated or damaged stream)");
		throw error("invalid Huffman code near byte " + pos + " (damaged data)");
	}

	/** Expects RSTn after the buffered bits (byte-aligned) and resets the bit reader behind it. */
	final void restart(int n) throws DicomReadException {
		int p = pos;
		if (p < end && (b[p] & 0xFF) == 0xFF) {
			while (p + 1 < end && (b[p + 1] & 0xFF) == 0xFF) p++;
		}
		if (p + 1 >= end || (b[p] & 0xFF) != 0xFF || (b[p + 1] & 0xFF) != 0xD0 + n)
			throw error("expected restart marker RST" + n + " at byte " + p + " (damaged or truncated stream)");
		startData(p + 2);
	}

	/** The position of the first marker after a scan's data (extraneous bytes are skipped, as libjpeg does). */
	final int markerAfterScan() {
		int p = pos;
		while (p + 1 < end && !((b[p] & 0xFF) == 0xFF && (b[p + 1] & 0xFF) != 0 && (b[p + 1] & 0xFF) != 0xFF)) p++;
		return p + 1 < end ? p : end;
	}

	static int ceilDiv(int a, int b) {
		return (a + b - 1) / b;
	}

	/**
	 * The checks of a frame header (SOF, T.81 B.2.2) shared by the decoders: a size given up front (no DNL), 1 to 4
	 * components, the segment length, and agreement with the image attributes; {@code sof} names the marker in
	 * messages.
	 */
	final void checkFrame(String sof, int width, int height, int nf, int precision, int length)
		throws DicomReadException {
		if (height == 0) throw unsupported("height defined by a DNL marker (" + sof + " height 0)");
		if (width == 0) throw error(sof + " width is 0");
		if (nf < 1 || nf > 4) throw error(sof + " declares " + nf + " components (1 to 4)");
		if (length != 6 + 3 * nf) throw error(sof + " length does not match its " + nf + " components");
		if (width != l.columns() || height != l.rows())
			throw error("stream is " + width + "×" + height + " but Columns × Rows is " + l.columns() + "×" + l.rows());
		if (nf != l.samplesPerPixel())
			throw error("stream has " + nf + " components but SamplesPerPixel is " + l.samplesPerPixel());
		if (precision > l.bitsAllocated())
			throw error(precision + "-bit samples do not fit BitsAllocated " + l.bitsAllocated());
	}

	/** The number of components of the SOS header {@code [s, e)}, checked against its length. */
	final int scanComponents(int s, int e) throws DicomReadException {
		int ns = u8(s);
		if (ns < 1 || ns > 4 || e - s != 4 + 2 * ns) throw error("SOS declares " + ns + " components or has the wrong length");
		return ns;
	}

	/**
	 * The frame component (its index in {@code ids}) that entry {@code i} of the SOS header at {@code s} selects,
	 * checked: the frame ({@code sof}) declares it, the scan lists it once ({@code comps[0…i)} so far), and no earlier
	 * scan had it ({@code done}; {@code secondScan} ends that message).
	 */
	final int scanComponent(int s, int i, int[] ids, int[] comps, boolean[] done, String sof, String secondScan)
		throws DicomReadException {
		int id = u8(s + 1 + 2 * i);
		int c = -1;
		for (int k = 0; k < ids.length; k++) if (ids[k] == id) c = k;
		if (c < 0) throw error("scan uses component " + id + ", which the " + sof + " does not declare");
		for (int k = 0; k < i; k++) if (comps[k] == c) throw error("scan lists component " + id + " twice");
		if (done[c]) throw error("component " + id + " appears in a second scan" + secondScan);
		return c;
	}

	static String hex(int m) {
		return Integer.toHexString(m).toUpperCase();
	}
}
