package org.medcnn.dicom.codec;

import org.medcnn.dicom.DicomReadException;

/**
 * JPEG Lossless, Non-Hierarchical (ISO/IEC 10918-1 | ITU-T T.81 Annex H, process 14: SOF3, Huffman coding), the
 * codec of DICOM transfer syntaxes 1.2.840.10008.1.2.4.57 and .70, written from the standard. It replaces the
 * TwelveMonkeys reader (imageio-jpeg 3.14), which loses the last sample of a 16-bit scan (leaves it 0) when that
 * sample's difference is ±32768 (category 16, no additional bits) and its code ends right before EOI on a byte
 * boundary, and which is about ten times slower.
 * <p>
 * Supported: sample precision P = 2..16; selection values (predictors) 1..7 (T.81 Table H.1); point transform
 * Pt = 0..P−1, the output being the decoded value shifted left by Pt, as IJG libjpeg (DCMTK dcmdjpeg) returns it;
 * 1 to 4 components with sampling factors 1×1, in one interleaved scan or in several scans (one component each or
 * any grouping); restart intervals (DRI, RST0..RST7) of whole lines; Huffman tables 0..3, also redefined between
 * scans; difference category 16 (±32768, no additional bits, H.1.2.2); byte stuffing, fill bytes, APPn and COM
 * segments. Refused as "not supported yet": hierarchical and arithmetic-coded processes, selection value 0 (only
 * for hierarchical differential frames), heights defined by DNL, several components with sampling factors other
 * than 1×1, and restart intervals that are not a whole number of lines (the first-line rule of H.1.2.1 after a
 * restart is defined for whole lines; encoders write whole lines).
 * <p>
 * Reconstruction follows H.1.2.1: at the start of the scan and of every restart interval the prediction is
 * 2<sup>P−Pt−1</sup>; the rest of that first line is predicted from the left neighbour Ra, the first sample of
 * every other line from the one above, Rb; everything else by the selected predictor, computed in 32-bit integers
 * with arithmetic right shifts for selection values 5–7; the sample is (prediction + difference) modulo 2<sup>16</sup>,
 * as in libjpeg. Samples come out interleaved per pixel, components in frame order, without colour conversion.
 * <p>
 * Every read is bounded by the data and every table and index is checked; running out of entropy-coded data is an
 * error, never zero-filled; work is bounded by the frame size, which must be plausible for the data's length (at
 * least one bit per sample). Damaged streams fail with a {@link DicomReadException} naming the file, the frame
 * and the problem. Stateless and thread-safe (all state lives in a per-call {@link JpegStream}).
 */
public final class JpegLosslessDecoder implements FrameDecoder {

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		Stream s = new Stream(data, l, frame);
		s.parseMarkers();
		s.finish();
		return s.out;
	}

	/** Bits looked at at once for a Huffman code together with its additional bits. */
	private static final int DIFF_LOOKAHEAD = 11;

	/**
	 * A look-ahead table for differences: index, the next {@value #DIFF_LOOKAHEAD} bits; value, the difference
	 * {@code << 8 |} the number of bits its code and additional bits take, or 0 when they do not fit (or the code is
	 * longer than the Huffman look-ahead, or the category is over 16): then the table is decoded bit by bit.
	 */
	static int[] differenceTable(JpegHuffman t) {
		int[] table = new int[1 << DIFF_LOOKAHEAD];
		int extra = DIFF_LOOKAHEAD - JpegHuffman.LOOKAHEAD;
		for (int i = 0; i < table.length; i++) {
			int f = t.fast[i >> extra];
			if (f == 0) continue;
			int len = f >> 8;
			int s = f & 0xFF;
			if (s > 16 || (s < 16 && len + s > DIFF_LOOKAHEAD)) continue;
			int diff = s == 0 ? 0 : s == 16 ? 32768 : JpegStream.extend((i >> (DIFF_LOOKAHEAD - len - s)) & ((1 << s) - 1), s);
			table[i] = diff << 8 | (s == 16 ? len : len + s);
		}
		return table;
	}

	/** One frame's stream: marker parsing, entropy decoding and reconstruction. */
	private static final class Stream extends JpegStream {
		boolean sof;
		int precision;
		int width;
		int height;
		int nf;
		int[] ids;
		boolean[] done;
		int[] out;

		Stream(byte[] b, FrameLayout l, int frame) {
			super(b, l, frame);
		}

		@Override
		void segment(int m, int s, int e) throws DicomReadException {
			switch (m) {
				case 0xC3 -> startOfFrame(s, e);
				case 0xC0, 0xC1, 0xC2 -> throw unsupported("DCT JPEG (SOF marker FF" + hex(m)
					+ ") after a lossless start of frame");
				case 0xC5, 0xC6, 0xC7 -> throw unsupported("hierarchical JPEG (SOF marker FF" + hex(m) + ")");
				case 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF -> throw unsupported("arithmetic-coded JPEG (SOF marker FF"
					+ hex(m) + ")");
				case 0xCC -> throw unsupported("arithmetic coding (DAC marker FFCC)");
				default -> {
					// APPn, COM, DQT, DNL, DHP, EXP, JPGn: nothing needed here
				}
			}
		}

		void startOfFrame(int s, int e) throws DicomReadException {
			if (sof) throw error("second start-of-frame marker FFC3");
			sof = true;
			if (e - s < 6) throw error("SOF3 marker too short");
			precision = u8(s);
			height = u16(s + 1);
			width = u16(s + 3);
			nf = u8(s + 5);
			if (precision < 2 || precision > 16)
				throw error("SOF3 declares a sample precision of " + precision + " bits (2 to 16 for lossless JPEG)");
			checkFrame("SOF3", width, height, nf, precision, e - s);
			ids = new int[nf];
			for (int c = 0; c < nf; c++) {
				int q = s + 6 + 3 * c;
				ids[c] = u8(q);
				int h = u8(q + 1) >> 4;
				int v = u8(q + 1) & 15;
				for (int d = 0; d < c; d++) if (ids[d] == ids[c]) throw error("component id " + ids[c] + " repeated in SOF3");
				if (h < 1 || h > 4 || v < 1 || v > 4)
					throw error("component " + ids[c] + " has sampling factors " + h + "×" + v + " (1 to 4)");
				// One component: its scan is non-interleaved and its factors mean nothing (T.81 A.2.2).
				if (nf > 1 && (h != 1 || v != 1))
					throw unsupported("component " + ids[c] + " sampled " + h + "×" + v
						+ " in a lossless frame of several components (only 1×1 is decoded)");
			}
			// Every sample costs at least one bit (a Huffman code): refuse a tiny stream that claims a huge image
			// before allocating for it.
			long samples = (long) width * height * nf;
			if (samples > 8L * b.length)
				throw error("stream of " + b.length + " bytes is too short for " + samples + " samples of " + width + "×"
					+ height + "×" + nf + " (truncated or damaged)");
			if (samples > Integer.MAX_VALUE - 8) throw error("image of " + width + "×" + height + " is too large to decode");
			out = new int[(int) samples];
			done = new boolean[nf];
		}

		@Override
		int scan(int s, int e) throws DicomReadException {
			if (!sof) throw error("SOS marker before the start-of-frame marker");
			int ns = scanComponents(s, e);
			int[] comps = new int[ns];
			JpegHuffman[] tables = new JpegHuffman[ns];
			int[][] fast = new int[ns][];
			for (int i = 0; i < ns; i++) {
				int c = scanComponent(s, i, ids, comps, done, "SOF3", "");
				int id = ids[c];
				comps[i] = c;
				int td = u8(s + 2 + 2 * i) >> 4;
				if (td > 3) throw error("scan uses Huffman table " + td + " for component " + id + " (0 to 3)");
				tables[i] = dc[td];
				if (tables[i] == null)
					throw error("scan uses Huffman table " + td + " for component " + id + ", but no DHT defines it");
				fast[i] = differenceTable(tables[i]);
			}
			int p = s + 1 + 2 * ns;
			int sv = u8(p);
			// Se (u8(p + 1)) and Ah have no meaning in the lossless processes (T.81 B.2.3).
			int pt = u8(p + 2) & 15;
			if (sv == 0) throw unsupported("predictor selection value 0 (only for hierarchical differential frames)");
			if (sv > 7) throw error("scan declares predictor selection value " + sv + " (1 to 7)");
			if (pt >= precision)
				throw error("scan declares point transform " + pt + " for " + precision + "-bit samples (0 to "
					+ (precision - 1) + ")");
			int rowsPerInterval = height;
			if (restartInterval > 0) {
				if (restartInterval % width != 0)
					throw unsupported("restart interval of " + restartInterval + " samples, not a whole number of "
						+ width + "-sample lines");
				rowsPerInterval = restartInterval / width;
			}

			int size = width * height;
			int[][] planes = new int[ns][];
			for (int i = 0; i < ns; i++) planes[i] = nf == 1 && pt == 0 ? out : new int[size];
			int initial = 1 << (precision - pt - 1);
			startData(e);
			int expectedRst = 0;
			for (int y = 0; y < height; y++) {
				boolean first = y % rowsPerInterval == 0;
				if (y > 0 && first) {
					restart(expectedRst);
					expectedRst = (expectedRst + 1) & 7;
				}
				int row = y * width;
				if (ns == 1) {
					decodeRow(planes[0], fast[0], tables[0], row, first, sv, initial);
				} else {
					for (int x = 0; x < width; x++) {
						int i = row + x;
						for (int k = 0; k < ns; k++) {
							int[] pl = planes[k];
							int px;
							if (first) px = x == 0 ? initial : pl[i - 1];
							else if (x == 0) px = pl[i - width];
							else px = predict(sv, pl[i - 1], pl[i - width], pl[i - width - 1]);
							pl[i] = (px + difference(fast[k], tables[k])) & 0xFFFF;
						}
					}
				}
				if (overrun())
					throw error("entropy-coded data end before the scan is complete (truncated or damaged stream): line "
						+ (y + 1) + " of " + height);
			}
			for (int k = 0; k < ns; k++) {
				int c = comps[k];
				done[c] = true;
				int[] pl = planes[k];
				if (pl == out) continue;
				for (int i = 0, o = c; i < size; i++, o += nf) out[o] = (pl[i] << pt) & 0xFFFF;
			}
			return markerAfterScan();
		}

		/** Decodes one line of a single-component scan into {@code p} from {@code row}. */
		private void decodeRow(int[] p, int[] f, JpegHuffman t, int row, boolean first, int sv, int initial)
			throws DicomReadException {
			int w = width;
			int end = row + w;
			int i = row;
			if (first) {
				p[i] = (initial + difference(f, t)) & 0xFFFF;
				for (i++; i < end; i++) p[i] = (p[i - 1] + difference(f, t)) & 0xFFFF;
				return;
			}
			p[i] = (p[i - w] + difference(f, t)) & 0xFFFF;
			i++;
			switch (sv) {
				case 1 -> {
					for (; i < end; i++) p[i] = (p[i - 1] + difference(f, t)) & 0xFFFF;
				}
				case 2 -> {
					for (; i < end; i++) p[i] = (p[i - w] + difference(f, t)) & 0xFFFF;
				}
				case 3 -> {
					for (; i < end; i++) p[i] = (p[i - w - 1] + difference(f, t)) & 0xFFFF;
				}
				default -> {
					for (; i < end; i++) p[i] = (predict(sv, p[i - 1], p[i - w], p[i - w - 1]) + difference(f, t)) & 0xFFFF;
				}
			}
		}

		/** The prediction Px of selection value {@code sv} (T.81 Table H.1). */
		private static int predict(int sv, int ra, int rb, int rc) {
			return switch (sv) {
				case 1 -> ra;
				case 2 -> rb;
				case 3 -> rc;
				case 4 -> ra + rb - rc;
				case 5 -> ra + ((rb - rc) >> 1);
				case 6 -> rb + ((ra - rc) >> 1);
				default -> (ra + rb) >> 1;
			};
		}

		/**
		 * The next difference (T.81 H.1.2.2): a Huffman-coded category SSSS and SSSS additional bits, both taken at
		 * once from the {@link #differenceTable} {@code f} of table {@code t} when they fit its look-ahead.
		 */
		private int difference(int[] f, JpegHuffman t) throws DicomReadException {
			if (nbits < 16) fill();
			int e = f[(int) (acc >>> (nbits - DIFF_LOOKAHEAD)) & ((1 << DIFF_LOOKAHEAD) - 1)];
			if (e != 0) {
				nbits -= e & 0xFF;
				return e >> 8;
			}
			return slowDifference(t);
		}

		/** A difference whose code and additional bits do not fit the look-ahead: decoded step by step. */
		private int slowDifference(JpegHuffman t) throws DicomReadException {
			int s = huff(t);
			if (s == 0) return 0;
			if (s < 16) return extend(bits(s), s);
			if (s == 16) return 32768;
			throw error("difference category " + s + " (at most 16; bad Huffman table or data) near byte " + pos);
		}

		void finish() throws DicomReadException {
			if (!sof) throw error("stream has no lossless start-of-frame marker (SOF3)");
			for (int c = 0; c < nf; c++)
				if (!done[c]) throw error("component " + ids[c] + " is not in any scan (truncated stream?)");
		}
	}
}
