package org.medcnn.dicom.codec;

import java.util.Arrays;

import org.medcnn.dicom.DicomReadException;

/**
 * Huffman-coded sequential DCT JPEG (ISO/IEC 10918-1 | ITU-T T.81: baseline SOF0 and extended sequential SOF1,
 * processes 1, 2 and 4), 8- and 12-bit sample precision, written from the standard. MedCNN uses it for 12-bit
 * lossy JPEG in transfer syntax 1.2.840.10008.1.2.4.51, which no library on Maven Central decodes; 8-bit streams
 * stay with TwelveMonkeys in production ({@link JpegDecoder}).
 * <p>
 * Supported: 1 to 4 components; interleaved scans (MCUs of H×V blocks per component) and non-interleaved scans
 * (one component each, the components spread over several scans in any order); sampling factors 1..4 in
 * whole-number ratios to the largest ones, subsampled components upsampled as libjpeg 6b does (so 1×2 rows are
 * replicated, where libjpeg-turbo and the JDK filter them); restart intervals (DRI, RST0..RST7); 8- and 16-bit
 * quantisation tables; Huffman and quantisation tables redefined between scans; 12-bit data under SOF0 (not
 * allowed by T.81, written by some encoders, accepted by libjpeg). Refused as "not supported yet": progressive
 * (SOF2), lossless and hierarchical processes, arithmetic coding, heights defined by DNL, and fractional sampling
 * ratios (e.g. 3×1 against 2×1).
 * <p>
 * The inverse DCT is the accurate integer algorithm of the IJG reference decoder ("islow": the Loeffler, Ligtenberg
 * and Moschytz factorisation with 13-bit fixed-point constants, the column pass scaled up by 2 bits for 8-bit and
 * 1 bit for 12-bit data, rounding shifts), so the samples equal those of decoders built on libjpeg (DCMTK
 * dcmdjpeg, GDCM, the JDK): level shift by 2<sup>P−1</sup>, clamp to 0..2<sup>P</sup>−1. Samples come out
 * interleaved per pixel as the JPEG components are, with no colour conversion (the caller applies the DICOM
 * photometric interpretation).
 * <p>
 * Every read is bounded by the data, every table and index is checked, and running out of entropy-coded data is an
 * error (never zero-filled), so damaged streams fail with a {@link DicomReadException} naming the file, the frame
 * and the problem. Stateless and thread-safe (all state lives in a per-call {@link Stream}).
 */
public final class JpegDctDecoder implements FrameDecoder {

	/** Zig-zag position → natural (row-major) position in an 8×8 block (T.81 Figure 5). */
	static final int[] NATURAL_ORDER = zigZag();

	private static final int CONST_BITS = 13;
	private static final int FIX_0_298631336 = 2446;
	private static final int FIX_0_390180644 = 3196;
	private static final int FIX_0_541196100 = 4433;
	private static final int FIX_0_765366865 = 6270;
	private static final int FIX_0_899976223 = 7373;
	private static final int FIX_1_175875602 = 9633;
	private static final int FIX_1_501321110 = 12299;
	private static final int FIX_1_847759065 = 15137;
	private static final int FIX_1_961570560 = 16069;
	private static final int FIX_2_053119869 = 16819;
	private static final int FIX_2_562915447 = 20995;
	private static final int FIX_3_072711026 = 25172;

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		Stream s = new Stream(data, l, frame, false);
		s.decode();
		return s.samples();
	}

	/**
	 * The quantised DCT coefficients of a stream (for tests that re-encode a stream in another layout).
	 *
	 * @param precision the sample precision P
	 * @param width the width X
	 * @param height the height Y
	 * @param quant per component, its 64 quantisation values in natural order
	 * @param blocksWide per component, blocks per row (the component's own block grid, not MCU-padded)
	 * @param blocksHigh per component, block rows
	 * @param blocks per component, 64 coefficients a block in natural order, blocks in raster order
	 */
	record Coefficients(int precision, int width, int height, int[][] quant, int[] blocksWide, int[] blocksHigh,
		int[][] blocks) {}

	/** Decodes a stream and returns its quantised coefficients instead of samples. */
	static Coefficients coefficients(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		Stream s = new Stream(data, l, frame, true);
		s.decode();
		int n = s.nf;
		int[][] quant = new int[n][];
		int[] bw = new int[n];
		int[] bh = new int[n];
		int[][] blocks = new int[n][];
		for (int c = 0; c < n; c++) {
			quant[c] = s.usedQuant[c];
			bw[c] = s.compBlocksWide[c];
			bh[c] = s.compBlocksHigh[c];
			blocks[c] = new int[bw[c] * bh[c] * 64];
			for (int by = 0; by < bh[c]; by++)
				System.arraycopy(s.coef[c], by * s.planeBlocksWide[c] * 64, blocks[c], by * bw[c] * 64, bw[c] * 64);
		}
		return new Coefficients(s.precision, s.width, s.height, quant, bw, bh, blocks);
	}

	private static int[] zigZag() {
		int[] order = new int[64];
		int i = 0;
		for (int sum = 0; sum < 15; sum++) {
			for (int k = 0; k <= sum; k++) {
				int row = sum % 2 == 0 ? sum - k : k;
				int col = sum - row;
				if (row < 8 && col < 8) order[i++] = row * 8 + col;
			}
		}
		return order;
	}

	/**
	 * The IJG "islow" inverse DCT of one dequantised block into {@code out} (stride {@code stride}), level-shifted
	 * and clamped to 0..maxval.
	 *
	 * @param in 64 dequantised coefficients in natural order
	 * @param ws a 64-int work space
	 * @param pass1Bits 2 for 8-bit, 1 for 12-bit data
	 */
	static void idct(int[] in, int[] ws, int[] out, int off, int stride, int pass1Bits, int maxval) {
		int center = (maxval + 1) >> 1;
		// Pass 1: columns, results scaled up by 2^pass1Bits.
		int shift1 = CONST_BITS - pass1Bits;
		int round1 = 1 << (shift1 - 1);
		for (int c = 0; c < 8; c++) {
			if (in[c + 8] == 0 && in[c + 16] == 0 && in[c + 24] == 0 && in[c + 32] == 0 && in[c + 40] == 0
				&& in[c + 48] == 0 && in[c + 56] == 0) {
				int dc = in[c] << pass1Bits;
				for (int r = 0; r < 64; r += 8) ws[c + r] = dc;
				continue;
			}
			int z2 = in[c + 16];
			int z3 = in[c + 48];
			int z1 = (z2 + z3) * FIX_0_541196100;
			int tmp2 = z1 - z3 * FIX_1_847759065;
			int tmp3 = z1 + z2 * FIX_0_765366865;
			z2 = in[c];
			z3 = in[c + 32];
			int tmp0 = (z2 + z3) << CONST_BITS;
			int tmp1 = (z2 - z3) << CONST_BITS;
			int tmp10 = tmp0 + tmp3;
			int tmp13 = tmp0 - tmp3;
			int tmp11 = tmp1 + tmp2;
			int tmp12 = tmp1 - tmp2;
			tmp0 = in[c + 56];
			tmp1 = in[c + 40];
			tmp2 = in[c + 24];
			tmp3 = in[c + 8];
			z1 = tmp0 + tmp3;
			z2 = tmp1 + tmp2;
			z3 = tmp0 + tmp2;
			int z4 = tmp1 + tmp3;
			int z5 = (z3 + z4) * FIX_1_175875602;
			tmp0 *= FIX_0_298631336;
			tmp1 *= FIX_2_053119869;
			tmp2 *= FIX_3_072711026;
			tmp3 *= FIX_1_501321110;
			z1 *= -FIX_0_899976223;
			z2 *= -FIX_2_562915447;
			z3 = z3 * -FIX_1_961570560 + z5;
			z4 = z4 * -FIX_0_390180644 + z5;
			tmp0 += z1 + z3;
			tmp1 += z2 + z4;
			tmp2 += z2 + z3;
			tmp3 += z1 + z4;
			ws[c] = (tmp10 + tmp3 + round1) >> shift1;
			ws[c + 56] = (tmp10 - tmp3 + round1) >> shift1;
			ws[c + 8] = (tmp11 + tmp2 + round1) >> shift1;
			ws[c + 48] = (tmp11 - tmp2 + round1) >> shift1;
			ws[c + 16] = (tmp12 + tmp1 + round1) >> shift1;
			ws[c + 40] = (tmp12 - tmp1 + round1) >> shift1;
			ws[c + 24] = (tmp13 + tmp0 + round1) >> shift1;
			ws[c + 32] = (tmp13 - tmp0 + round1) >> shift1;
		}
		// Pass 2: rows, removing the 2^pass1Bits scale and the factor 8 of the 2-D transform.
		int shift2 = CONST_BITS + pass1Bits + 3;
		int round2 = 1 << (shift2 - 1);
		for (int r = 0; r < 64; r += 8) {
			int o = off + (r >> 3) * stride;
			// (no shortcut for zero AC rows: the full computation gives the same values)
			int z2 = ws[r + 2];
			int z3 = ws[r + 6];
			int z1 = (z2 + z3) * FIX_0_541196100;
			int tmp2 = z1 - z3 * FIX_1_847759065;
			int tmp3 = z1 + z2 * FIX_0_765366865;
			int tmp0 = (ws[r] + ws[r + 4]) << CONST_BITS;
			int tmp1 = (ws[r] - ws[r + 4]) << CONST_BITS;
			int tmp10 = tmp0 + tmp3;
			int tmp13 = tmp0 - tmp3;
			int tmp11 = tmp1 + tmp2;
			int tmp12 = tmp1 - tmp2;
			tmp0 = ws[r + 7];
			tmp1 = ws[r + 5];
			tmp2 = ws[r + 3];
			tmp3 = ws[r + 1];
			z1 = tmp0 + tmp3;
			z2 = tmp1 + tmp2;
			z3 = tmp0 + tmp2;
			int z4 = tmp1 + tmp3;
			int z5 = (z3 + z4) * FIX_1_175875602;
			tmp0 *= FIX_0_298631336;
			tmp1 *= FIX_2_053119869;
			tmp2 *= FIX_3_072711026;
			tmp3 *= FIX_1_501321110;
			z1 *= -FIX_0_899976223;
			z2 *= -FIX_2_562915447;
			z3 = z3 * -FIX_1_961570560 + z5;
			z4 = z4 * -FIX_0_390180644 + z5;
			tmp0 += z1 + z3;
			tmp1 += z2 + z4;
			tmp2 += z2 + z3;
			tmp3 += z1 + z4;
			out[o] = clamp(((tmp10 + tmp3 + round2) >> shift2) + center, maxval);
			out[o + 7] = clamp(((tmp10 - tmp3 + round2) >> shift2) + center, maxval);
			out[o + 1] = clamp(((tmp11 + tmp2 + round2) >> shift2) + center, maxval);
			out[o + 6] = clamp(((tmp11 - tmp2 + round2) >> shift2) + center, maxval);
			out[o + 2] = clamp(((tmp12 + tmp1 + round2) >> shift2) + center, maxval);
			out[o + 5] = clamp(((tmp12 - tmp1 + round2) >> shift2) + center, maxval);
			out[o + 3] = clamp(((tmp13 + tmp0 + round2) >> shift2) + center, maxval);
			out[o + 4] = clamp(((tmp13 - tmp0 + round2) >> shift2) + center, maxval);
		}
	}

	private static int clamp(int v, int maxval) {
		return v < 0 ? 0 : v > maxval ? maxval : v;
	}

	/** One frame's stream: marker parsing, entropy decoding and reconstruction. */
	private static final class Stream extends JpegStream {
		final boolean keepCoefficients;

		final int[][] quant = new int[4][];

		int sof = -1;
		int precision;
		int width;
		int height;
		int nf;
		int[] ids;
		int[] h;
		int[] v;
		int[] tq;
		int hmax;
		int vmax;
		int mcusWide;
		int mcusHigh;
		int[] compBlocksWide;
		int[] compBlocksHigh;
		int[] planeBlocksWide;
		int[][] plane;
		int[][] coef;
		int[][] usedQuant;
		boolean[] done;

		// per-scan state
		final int[] block = new int[64];
		final int[] deq = new int[64];
		final int[] ws = new int[64];

		Stream(byte[] b, FrameLayout l, int frame, boolean keepCoefficients) {
			super(b, l, frame);
			this.keepCoefficients = keepCoefficients;
		}

		void decode() throws DicomReadException {
			parseMarkers();
			if (sof < 0) throw error("stream has no start-of-frame marker (SOF0/SOF1)");
			for (int c = 0; c < nf; c++)
				if (!done[c]) throw error("component " + ids[c] + " is not in any scan (truncated stream?)");
		}

		@Override
		void segment(int m, int s, int e) throws DicomReadException {
			switch (m) {
				case 0xC0, 0xC1 -> startOfFrame(m, s, e);
				case 0xC2, 0xC6, 0xCA, 0xCE -> throw unsupported("progressive JPEG (SOF marker FF" + hex(m)
					+ "); only sequential DCT (SOF0, SOF1) is decoded here");
				case 0xC3, 0xC7, 0xCB, 0xCF -> throw unsupported("lossless JPEG (SOF marker FF" + hex(m)
					+ ") inside a lossy transfer syntax");
				case 0xC5 -> throw unsupported("hierarchical JPEG (SOF marker FFC5)");
				case 0xC9 -> throw unsupported("arithmetic-coded JPEG (SOF marker FFC9)");
				case 0xCC -> throw unsupported("arithmetic coding (DAC marker FFCC)");
				case 0xDB -> quantTables(s, e);
				default -> {
					// APPn, COM, DNL, DHP, EXP, JPGn: nothing needed here
				}
			}
		}

		void startOfFrame(int m, int s, int e) throws DicomReadException {
			if (sof >= 0) throw error("second start-of-frame marker FF" + hex(m));
			sof = m;
			if (e - s < 6) throw error("SOF marker too short");
			precision = u8(s);
			height = u16(s + 1);
			width = u16(s + 3);
			nf = u8(s + 5);
			if (precision != 8 && precision != 12)
				throw unsupported(precision + "-bit DCT precision (SOF FF" + hex(m) + "; 8 or 12 only)");
			// SOF0 with 12-bit precision breaks T.81 (baseline is 8-bit) but some DICOM encoders write it and libjpeg
			// decodes it: so do we
			checkFrame("SOF", width, height, nf, precision, e - s);
			ids = new int[nf];
			h = new int[nf];
			v = new int[nf];
			tq = new int[nf];
			for (int c = 0; c < nf; c++) {
				int q = s + 6 + 3 * c;
				ids[c] = u8(q);
				h[c] = u8(q + 1) >> 4;
				v[c] = u8(q + 1) & 15;
				tq[c] = u8(q + 2);
				for (int d = 0; d < c; d++) if (ids[d] == ids[c]) throw error("component id " + ids[c] + " repeated in SOF");
				if (h[c] < 1 || h[c] > 4 || v[c] < 1 || v[c] > 4)
					throw error("component " + ids[c] + " has sampling factors " + h[c] + "×" + v[c] + " (1 to 4)");
				if (tq[c] > 3) throw error("component " + ids[c] + " uses quantisation table " + tq[c] + " (0 to 3)");
				hmax = Math.max(hmax, h[c]);
				vmax = Math.max(vmax, v[c]);
			}
			for (int c = 0; c < nf; c++)
				if (hmax % h[c] != 0 || vmax % v[c] != 0)
					throw unsupported("component " + ids[c] + " sampled " + h[c] + "×" + v[c] + " against " + hmax + "×" + vmax
						+ " (only whole-number upsampling ratios are decoded, as in libjpeg)");
			mcusWide = ceilDiv(width, 8 * hmax);
			mcusHigh = ceilDiv(height, 8 * vmax);
			// Every block costs at least 2 bits (a DC code and an end-of-block code): refuse a tiny stream that
			// claims a huge image before allocating for it.
			long blocksNeeded = 0;
			compBlocksWide = new int[nf];
			compBlocksHigh = new int[nf];
			planeBlocksWide = new int[nf];
			for (int c = 0; c < nf; c++) {
				compBlocksWide[c] = ceilDiv(ceilDiv(width * h[c], hmax), 8);
				compBlocksHigh[c] = ceilDiv(ceilDiv(height * v[c], vmax), 8);
				planeBlocksWide[c] = mcusWide * h[c];
				blocksNeeded += (long) compBlocksWide[c] * compBlocksHigh[c];
			}
			if (blocksNeeded > 4L * b.length)
				throw error("stream of " + b.length + " bytes is too short for " + blocksNeeded + " blocks of "
					+ width + "×" + height + "×" + nf + " (truncated or damaged)");
			plane = new int[nf][];
			coef = keepCoefficients ? new int[nf][] : null;
			usedQuant = new int[nf][];
			done = new boolean[nf];
			for (int c = 0; c < nf; c++) {
				long size = (long) planeBlocksWide[c] * mcusHigh * v[c] * 64;
				if (size > Integer.MAX_VALUE - 8) throw error("image of " + width + "×" + height + " is too large to decode");
				int n = (int) size;
				if (keepCoefficients) coef[c] = new int[n];
				else plane[c] = new int[n];
			}
		}

		void quantTables(int s, int e) throws DicomReadException {
			int p = s;
			while (p < e) {
				int pqtq = u8(p);
				int pq = pqtq >> 4;
				int t = pqtq & 15;
				if (pq > 1 || t > 3) throw error("DQT precision " + pq + " / id " + t + " (precision 0-1, id 0-3)");
				int size = pq == 0 ? 64 : 128;
				if (p + 1 + size > e) throw error("DQT marker too short for table " + t);
				int[] q = new int[64];
				for (int i = 0; i < 64; i++) q[NATURAL_ORDER[i]] = pq == 0 ? u8(p + 1 + i) : u16(p + 1 + 2 * i);
				quant[t] = q;
				p += 1 + size;
			}
		}

		@Override
		int scan(int s, int e) throws DicomReadException {
			if (sof < 0) throw error("SOS marker before the start-of-frame marker");
			int ns = scanComponents(s, e);
			int[] comps = new int[ns];
			JpegHuffman[] dcs = new JpegHuffman[ns];
			JpegHuffman[] acs = new JpegHuffman[ns];
			int[][] q = new int[ns][];
			int blocksInMcu = 0;
			for (int i = 0; i < ns; i++) {
				int c = scanComponent(s, i, ids, comps, done, "SOF", " (only sequential JPEG is decoded)");
				int id = ids[c];
				comps[i] = c;
				int td = u8(s + 2 + 2 * i) >> 4;
				int ta = u8(s + 2 + 2 * i) & 15;
				if (td > 3 || ta > 3) throw error("scan uses Huffman table DC" + td + "/AC" + ta + " (0 to 3)");
				dcs[i] = dc[td];
				acs[i] = ac[ta];
				if (dcs[i] == null) throw error("scan uses Huffman table DC" + td + " for component " + id + ", but no DHT defines it");
				if (acs[i] == null) throw error("scan uses Huffman table AC" + ta + " for component " + id + ", but no DHT defines it");
				q[i] = quant[tq[c]];
				if (q[i] == null)
					throw error("component " + id + " uses quantisation table " + tq[c] + ", but no DQT defines it");
				usedQuant[c] = q[i];
				blocksInMcu += h[c] * v[c];
			}
			// Ss, Se, Ah/Al (T.81 B.2.3) must be 0, 63, 0/0 in a sequential scan and mean nothing there: some encoders
			// write other values (pydicom's JPEG-lossy.dcm has Ss = Se = 0), and IJG libjpeg (DCMTK) warns and decodes
			// as sequential anyway. So do we: progressive frames (SOF2/SOF6) never reach this decoder.
			if (ns > 1 && blocksInMcu > 10) throw error("scan MCU has " + blocksInMcu + " blocks (at most 10)");

			int pass1Bits = precision == 8 ? 2 : 1;
			int maxval = (1 << precision) - 1;
			int maxDcCategory = precision + 3;
			int[] pred = new int[ns];
			int units;
			int unitsWide;
			if (ns == 1) {
				unitsWide = compBlocksWide[comps[0]];
				units = unitsWide * compBlocksHigh[comps[0]];
			} else {
				unitsWide = mcusWide;
				units = mcusWide * mcusHigh;
			}
			startData(e);
			int expectedRst = 0;
			for (int u = 0; u < units; u++) {
				if (restartInterval > 0 && u > 0 && u % restartInterval == 0) {
					restart(expectedRst);
					expectedRst = (expectedRst + 1) & 7;
					Arrays.fill(pred, 0);
				}
				int ux = u % unitsWide;
				int uy = u / unitsWide;
				for (int i = 0; i < ns; i++) {
					int c = comps[i];
					int hs = ns == 1 ? 1 : h[c];
					int vs = ns == 1 ? 1 : v[c];
					for (int by = 0; by < vs; by++) {
						for (int bx = 0; bx < hs; bx++) {
							pred[i] = decodeBlock(dcs[i], acs[i], pred[i], maxDcCategory, c);
							int col = ux * hs + bx;
							int row = uy * vs + by;
							if (keepCoefficients) {
								System.arraycopy(block, 0, coef[c], (row * planeBlocksWide[c] + col) * 64, 64);
							} else {
								int[] qt = q[i];
								for (int k = 0; k < 64; k++) deq[k] = block[k] * qt[k];
								int stride = planeBlocksWide[c] * 8;
								idct(deq, ws, plane[c], row * 8 * stride + col * 8, stride, pass1Bits, maxval);
							}
						}
					}
				}
			}
			for (int i = 0; i < ns; i++) done[comps[i]] = true;
			return markerAfterScan();
		}

		/** Decodes one block's coefficients into {@link #block} (natural order); returns the new DC predictor. */
		int decodeBlock(JpegHuffman dcTable, JpegHuffman acTable, int pred, int maxDcCategory, int c) throws DicomReadException {
			int[] blk = block;
			Arrays.fill(blk, 0);
			int s = huff(dcTable);
			if (s > maxDcCategory)
				throw error("DC difference category " + s + " in component " + ids[c] + " exceeds " + maxDcCategory
					+ " for " + precision + "-bit data (bad Huffman data)");
			int diff = s == 0 ? 0 : extend(bits(s), s);
			int dcValue = pred + diff;
			blk[0] = (short) dcValue;
			for (int k = 1; k < 64; k++) {
				int rs = huff(acTable);
				int r = rs >> 4;
				s = rs & 15;
				if (s == 0) {
					if (r != 15) break;
					k += 15;
					continue;
				}
				k += r;
				if (k > 63)
					throw error("AC coefficients run past the end of a block in component " + ids[c] + " (bad Huffman data)");
				blk[NATURAL_ORDER[k]] = extend(bits(s), s);
			}
			if (overrun())
				throw error("entropy-coded data end before the scan is complete (truncated or damaged stream) near byte " + pos);
			return dcValue;
		}

		/**
		 * The decoded samples, interleaved per pixel, cropped to the image; subsampled components are brought to full
		 * resolution as libjpeg 6b does by default ("fancy" upsampling): for ratios 2×1 and 2×2 a triangle filter
		 * (each output sample weighs its nearest input sample 3/4 and the next nearest 1/4 in each direction, with
		 * libjpeg's alternating rounding and the edge rows and columns repeated), for other whole-number ratios, and
		 * components at most 2 samples wide, replication.
		 */
		int[] samples() {
			int[] out = new int[width * height * nf];
			for (int c = 0; c < nf; c++) {
				int stride = planeBlocksWide[c] * 8;
				int[] pl = plane[c];
				int hx = hmax / h[c];
				int vx = vmax / v[c];
				int dw = ceilDiv(width * h[c], hmax);
				int dh = ceilDiv(height * v[c], vmax);
				boolean fancy = hx == 2 && (vx == 1 || vx == 2) && dw > 2;
				if (hx == 1 && vx == 1) {
					for (int y = 0, o = c; y < height; y++) {
						int row = y * stride;
						for (int x = 0; x < width; x++, o += nf) out[o] = pl[row + x];
					}
				} else if (!fancy) {
					for (int y = 0, o = c; y < height; y++) {
						int row = (y / vx) * stride;
						for (int x = 0; x < width; x++, o += nf) out[o] = pl[row + x / hx];
					}
				} else {
					int[] line = new int[2 * dw];
					for (int y = 0; y < height; y++) {
						int in = (vx == 1 ? y : y >> 1) * stride;
						if (vx == 1) {
							h2v1(pl, in, dw, line);
						} else {
							int near = (y & 1) == 0 ? Math.max(y / 2 - 1, 0) : Math.min(y / 2 + 1, dh - 1);
							h2v2(pl, in, near * stride, dw, line);
						}
						for (int x = 0, o = y * width * nf + c; x < width; x++, o += nf) out[o] = line[x];
					}
				}
			}
			return out;
		}

		/** Horizontal 2:1 triangle upsampling of one row of {@code w} samples (libjpeg h2v1_fancy_upsample). */
		static void h2v1(int[] p, int in, int w, int[] line) {
			line[0] = p[in];
			line[1] = (p[in] * 3 + p[in + 1] + 2) >> 2;
			for (int i = 1; i < w - 1; i++) {
				int v = p[in + i] * 3;
				line[2 * i] = (v + p[in + i - 1] + 1) >> 2;
				line[2 * i + 1] = (v + p[in + i + 1] + 2) >> 2;
			}
			int last = in + w - 1;
			line[2 * w - 2] = (p[last] * 3 + p[last - 1] + 1) >> 2;
			line[2 * w - 1] = p[last];
		}

		/**
		 * Horizontal and vertical 2:1 triangle upsampling (libjpeg h2v2_fancy_upsample): one output row from the
		 * nearest input row and the next nearest one (above for even output rows, below for odd ones).
		 */
		static void h2v2(int[] p, int in, int near, int w, int[] line) {
			int last = p[in] * 3 + p[near];
			int cur = last;
			int next = p[in + 1] * 3 + p[near + 1];
			line[0] = (cur * 4 + 8) >> 4;
			line[1] = (cur * 3 + next + 7) >> 4;
			for (int i = 1; i < w - 1; i++) {
				last = cur;
				cur = next;
				next = p[in + i + 1] * 3 + p[near + i + 1];
				line[2 * i] = (cur * 3 + last + 8) >> 4;
				line[2 * i + 1] = (cur * 3 + next + 7) >> 4;
			}
			line[2 * w - 2] = (next * 3 + cur + 8) >> 4;
			line[2 * w - 1] = (next * 4 + 7) >> 4;
		}
	}
}
