package org.medcnn.dicom.codec;

import java.util.Arrays;

import org.medcnn.dicom.DicomReadException;

/**
 * JPEG-LS (ITU-T T.87 | ISO/IEC 14495-1) frames, lossless and near-lossless (transfer syntaxes
 * 1.2.840.10008.1.2.4.80 and .81), written from the standard.
 * <p>
 * Supported: 2 to 16 bits per sample; one component or several (interleave mode none = one scan per component,
 * line, or sample); NEAR ≥ 0; default thresholds (§C.2.4.1.1) or custom MAXVAL/T1/T2/T3/RESET from an LSE marker
 * (id 1); regular mode with the 365 gradient contexts, MED prediction, bias correction and limited-length Golomb
 * codes (Annex A.3–A.6); run mode with run-interruption contexts (A.7); restart intervals (DRI, RSTm: contexts,
 * run indexes and the previous line are reset). Not supported (refused as "not supported yet"): mapping tables
 * (LSE id 2–4, Tm ≠ 0), a point transform, DNL-defined heights, and sub-sampled components.
 * <p>
 * Every loop advances through the input or the output, the image size is checked against the layout before
 * anything is allocated, and every inconsistency or early end of data is a {@link DicomReadException}.
 * Stateless and thread-safe (all state lives in a {@link Scan} per call).
 */
public final class JpegLsDecoder implements FrameDecoder {

	static final int SOI = 0xD8;
	static final int EOI = 0xD9;
	static final int SOF55 = 0xF7;
	static final int LSE = 0xF8;
	static final int SOS = 0xDA;
	static final int DRI = 0xDD;

	private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11,
		12, 13, 14, 15};

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		return new Stream(data, l, frame).decode();
	}

	/**
	 * Default T1, T2, T3 and RESET for MAXVAL and NEAR (T.87 §C.2.4.1.1.1).
	 *
	 * @return {T1, T2, T3, RESET}
	 */
	static int[] defaultThresholds(int maxval, int near) {
		int t1;
		int t2;
		int t3;
		if (maxval >= 128) {
			int factor = (Math.min(maxval, 4095) + 128) / 256;
			t1 = clamp(factor * (3 - 2) + 2 + 3 * near, near + 1, maxval);
			t2 = clamp(factor * (7 - 3) + 3 + 5 * near, t1, maxval);
			t3 = clamp(factor * (21 - 4) + 4 + 7 * near, t2, maxval);
		} else {
			int factor = 256 / (maxval + 1);
			t1 = clamp(Math.max(2, 3 / factor + 3 * near), near + 1, maxval);
			t2 = clamp(Math.max(3, 7 / factor + 5 * near), t1, maxval);
			t3 = clamp(Math.max(4, 21 / factor + 7 * near), t2, maxval);
		}
		return new int[] {t1, t2, t3, 64};
	}

	private static int clamp(int i, int j, int maxval) {
		return i > maxval || i < j ? j : i;
	}

	/** Quantises a local gradient to −4..4 (T.87 §A.3.3). */
	static int quantize(int d, int near, int t1, int t2, int t3) {
		if (d <= -t3) return -4;
		if (d <= -t2) return -3;
		if (d <= -t1) return -2;
		if (d < -near) return -1;
		if (d <= near) return 0;
		if (d < t1) return 1;
		if (d < t2) return 2;
		if (d < t3) return 3;
		return 4;
	}

	/** The median edge detector (T.87 §A.4.1). */
	static int predict(int ra, int rb, int rc) {
		if (rc >= Math.max(ra, rb)) return Math.min(ra, rb);
		if (rc <= Math.min(ra, rb)) return Math.max(ra, rb);
		return ra + rb - rc;
	}

	/** Parses the marker segments of one JPEG-LS frame and decodes its scans. */
	private static final class Stream {
		final byte[] b;
		final FrameLayout l;
		final int frame;
		int precision = -1;
		int width;
		int height;
		int[] componentIds;
		int maxval = -1;
		int t1;
		int t2;
		int t3;
		int reset;
		int restartInterval;
		int[] out;
		boolean[] decoded;

		Stream(byte[] b, FrameLayout l, int frame) {
			this.b = b;
			this.l = l;
			this.frame = frame;
		}

		DicomReadException error(String what) {
			return l.frameError(frame, "JPEG-LS " + what);
		}

		DicomReadException unsupported(String what) {
			return l.unsupported(frame, what);
		}

		int u16(int p) throws DicomReadException {
			if (p + 2 > b.length) throw error("marker segment at byte " + p + " runs past the end of the " + b.length
				+ "-byte frame");
			return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
		}

		int[] decode() throws DicomReadException {
			if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != SOI)
				throw error("stream must start with SOI (FFD8); this " + b.length + "-byte frame does not (not JPEG-LS, or damaged)");
			int p = 2;
			while (true) {
				if (p + 2 > b.length) throw error("stream ends at byte " + b.length + " without EOI (truncated)");
				if ((b[p] & 0xFF) != 0xFF)
					throw error("expected a marker at byte " + p + " but found 0x" + Integer.toHexString(b[p] & 0xFF));
				int m = b[p + 1] & 0xFF;
				if (m == 0xFF) {
					p++;
					continue;
				}
				if (m == EOI) break;
				int len = u16(p + 2);
				if (len < 2 || p + 2 + len > b.length)
					throw error("marker FF" + hex(m) + " at byte " + p + " has length " + len + ", past the end of the "
						+ b.length + "-byte frame");
				int body = p + 4;
				switch (m) {
					case SOF55 -> startOfFrame(body, len - 2, p);
					case LSE -> presets(body, len - 2, p);
					case DRI -> {
						if (len < 4) throw error("DRI marker at byte " + p + " is too short");
						restartInterval = len >= 6 ? (u16(body) << 16) | u16(body + 2) : u16(body);
					}
					case SOS -> {
						p = scan(body, len - 2, p);
						continue;
					}
					default -> {
						if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
							throw error("stream has a JPEG (not JPEG-LS) frame marker FF" + hex(m) + " at byte " + p);
						if (m == 0xDC) throw unsupported("DNL marker (height defined after the scan)");
						// APPn, COM and other marker segments are skipped.
					}
				}
				p += 2 + len;
			}
			if (out == null) throw error("stream has no scan (SOS) before EOI");
			for (int c = 0; c < decoded.length; c++)
				if (!decoded[c]) throw error("component " + (c + 1) + " of " + decoded.length + " has no scan");
			return out;
		}

		void startOfFrame(int p, int n, int at) throws DicomReadException {
			if (precision >= 0) throw error("second SOF55 marker at byte " + at);
			if (n < 6) throw error("SOF55 marker at byte " + at + " is too short");
			precision = b[p] & 0xFF;
			height = u16(p + 1);
			width = u16(p + 3);
			int nf = b[p + 5] & 0xFF;
			if (n < 6 + 3 * nf) throw error("SOF55 marker at byte " + at + " is too short for " + nf + " components");
			if (precision < 2 || precision > 16) throw error("precision " + precision + " is outside 2..16");
			if (precision > l.bitsAllocated())
				throw error("precision " + precision + " does not fit BitsAllocated " + l.bitsAllocated());
			if (height == 0) throw unsupported("height 0 in SOF55 (defined by a DNL marker)");
			if (height != l.rows() || width != l.columns())
				throw error("image is " + width + " × " + height + " but Columns × Rows is " + l.columns() + " × " + l.rows());
			if (nf != l.samplesPerPixel())
				throw error("image has " + nf + " components but SamplesPerPixel is " + l.samplesPerPixel());
			componentIds = new int[nf];
			for (int c = 0; c < nf; c++) {
				componentIds[c] = b[p + 6 + 3 * c] & 0xFF;
				if ((b[p + 7 + 3 * c] & 0xFF) != 0x11)
					throw unsupported("component " + (c + 1) + " is sub-sampled (H/V 0x" + hex(b[p + 7 + 3 * c] & 0xFF) + ")");
			}
			out = new int[l.samplesPerFrame()];
			decoded = new boolean[nf];
		}

		void presets(int p, int n, int at) throws DicomReadException {
			if (n < 1) throw error("LSE marker at byte " + at + " is empty");
			int id = b[p] & 0xFF;
			if (id != 1) throw unsupported("LSE marker id " + id + " (mapping tables or extensions)");
			if (n < 11) throw error("LSE marker at byte " + at + " is too short for preset parameters");
			maxval = u16(p + 1);
			t1 = u16(p + 3);
			t2 = u16(p + 5);
			t3 = u16(p + 7);
			reset = u16(p + 9);
		}

		/** Decodes one scan; returns the position of the marker that follows its data. */
		int scan(int p, int n, int at) throws DicomReadException {
			if (precision < 0) throw error("SOS at byte " + at + " before the SOF55 marker");
			if (n < 1) throw error("SOS marker at byte " + at + " is empty");
			int ns = b[p] & 0xFF;
			if (ns < 1 || n < 1 + 2 * ns + 3) throw error("SOS marker at byte " + at + " is too short for " + ns + " components");
			int[] comps = new int[ns];
			for (int i = 0; i < ns; i++) {
				int id = b[p + 1 + 2 * i] & 0xFF;
				int c = -1;
				for (int k = 0; k < componentIds.length; k++) if (componentIds[k] == id && c < 0) c = k;
				if (c < 0) throw error("SOS at byte " + at + " names component id " + id + ", which SOF55 does not declare");
				if (decoded[c]) throw error("component id " + id + " is in more than one scan");
				if ((b[p + 2 + 2 * i] & 0xFF) != 0) throw unsupported("mapping table " + (b[p + 2 + 2 * i] & 0xFF));
				comps[i] = c;
			}
			int near = b[p + 1 + 2 * ns] & 0xFF;
			int ilv = b[p + 2 + 2 * ns] & 0xFF;
			int pt = b[p + 3 + 2 * ns] & 0x0F;
			if (pt != 0) throw unsupported("point transform " + pt);
			if (ilv > 2) throw error("interleave mode " + ilv + " is not 0, 1 or 2");
			if (ns > 1 && ilv == 0) throw error("interleave mode 0 with " + ns + " components in one scan");
			int mv = maxval > 0 ? maxval : (1 << precision) - 1;
			if (mv >= 1 << precision && maxval > 0) throw error("MAXVAL " + mv + " does not fit precision " + precision);
			if (near > Math.min(255, mv / 2)) throw error("NEAR " + near + " is too large for MAXVAL " + mv);
			int[] def = defaultThresholds(mv, near);
			int a1 = t1 > 0 ? t1 : def[0];
			int a2 = t2 > 0 ? t2 : def[1];
			int a3 = t3 > 0 ? t3 : def[2];
			int rs = reset > 0 ? reset : def[3];
			if (a1 < near + 1 || a1 > a2 || a2 > a3 || a3 > mv || rs < 3)
				throw error("thresholds T1 " + a1 + ", T2 " + a2 + ", T3 " + a3 + ", RESET " + rs + " are invalid for MAXVAL "
					+ mv + " and NEAR " + near);
			int start = p + n;
			Scan s = new Scan(this, comps, ilv, near, mv, a1, a2, a3, rs);
			int end = s.run(start);
			for (int c : comps) decoded[c] = true;
			return nextMarker(end);
		}

		/** Skips padding after the scan data to the next marker (not a restart marker). */
		int nextMarker(int p) throws DicomReadException {
			while (p + 1 < b.length) {
				if ((b[p] & 0xFF) == 0xFF && (b[p + 1] & 0xFF) >= 0x80 && (b[p + 1] & 0xFF) != 0xFF) return p;
				p++;
			}
			throw error("stream ends without EOI after the scan data (truncated)");
		}
	}

	/** The state of one scan: context variables, line buffers and run indexes (T.87 Annex A). */
	private static final class Scan {
		final Stream st;
		final int[] comps;
		final int ilv;
		final int near;
		final int maxval;
		final int t1;
		final int t2;
		final int t3;
		final int reset;
		final int range;
		final int qbpp;
		final int limit;
		final int step;
		final long[] a = new long[367];
		final int[] bb = new int[367];
		final int[] cc = new int[367];
		final int[] nn = new int[367];
		final int[] nrun = new int[2];
		final int[] runIndex;
		final int[][] prev;
		final int[][] cur;
		JpegLsBitReader in;

		Scan(Stream st, int[] comps, int ilv, int near, int maxval, int t1, int t2, int t3, int reset) {
			this.st = st;
			this.comps = comps;
			this.ilv = ilv;
			this.near = near;
			this.maxval = maxval;
			this.t1 = t1;
			this.t2 = t2;
			this.t3 = t3;
			this.reset = reset;
			this.step = 2 * near + 1;
			this.range = (maxval + 2 * near) / step + 1;
			this.qbpp = 32 - Integer.numberOfLeadingZeros(range - 1);
			int bpp = Math.max(2, 32 - Integer.numberOfLeadingZeros(maxval));
			this.limit = 2 * (bpp + Math.max(8, bpp));
			runIndex = new int[comps.length];
			prev = new int[comps.length][st.width + 2];
			cur = new int[comps.length][st.width + 2];
		}

		void init() {
			long a0 = Math.max(2, (range + 32) / 64);
			Arrays.fill(a, a0);
			Arrays.fill(bb, 0);
			Arrays.fill(cc, 0);
			Arrays.fill(nn, 1);
			nrun[0] = 0;
			nrun[1] = 0;
			Arrays.fill(runIndex, 0);
			for (int[] r : prev) Arrays.fill(r, 0);
			for (int[] r : cur) Arrays.fill(r, 0);
		}

		/** Decodes the scan data starting at {@code p}; returns the byte position after them. */
		int run(int p) throws DicomReadException {
			init();
			in = new JpegLsBitReader(st.b, p, st.b.length);
			int w = st.width;
			int nc = comps.length;
			int restartCount = 0;
			try {
				for (int y = 0; y < st.height; y++) {
					if (st.restartInterval > 0 && y > 0 && y % st.restartInterval == 0) {
						int q = in.align();
						if (q + 1 >= st.b.length || (st.b[q] & 0xFF) != 0xFF || (st.b[q + 1] & 0xFF) != 0xD0 + (restartCount & 7))
							throw st.error("restart marker RST" + (restartCount & 7) + " expected at byte " + q + " before line "
								+ (y + 1));
						restartCount++;
						in.reset(q + 2);
						init();
					}
					for (int c = 0; c < nc; c++) {
						int[] t = prev[c];
						prev[c] = cur[c];
						cur[c] = t;
						// Edge samples (§A.2.1): Ra of the first sample = Rb; Rd of the last = Rb; Rc of the first = the
						// previous line's Ra, left at index 0 when that line was decoded.
						cur[c][0] = prev[c][1];
						prev[c][w + 1] = prev[c][w];
					}
					if (ilv == 2 && nc > 1) {
						sampleInterleavedLine(w);
					} else {
						for (int c = 0; c < nc; c++) line(c, w);
					}
					for (int c = 0; c < nc; c++) {
						int comp = comps[c];
						int spp = st.componentIds.length;
						int[] row = cur[c];
						for (int x = 0, o = (y * w) * spp + comp; x < w; x++, o += spp) st.out[o] = row[x + 1];
					}
				}
			} catch (JpegLsBitReader.Truncated e) {
				throw st.error("data are truncated or damaged: " + e.getMessage());
			}
			return in.align();
		}

		/** One line of one component (interleave modes none and line). */
		void line(int c, int w) throws JpegLsBitReader.Truncated, DicomReadException {
			int[] pr = prev[c];
			int[] cu = cur[c];
			int x = 1;
			while (x <= w) {
				int ra = cu[x - 1];
				int rb = pr[x];
				int rc = pr[x - 1];
				int rd = pr[x + 1];
				int q1 = quantize(rd - rb, near, t1, t2, t3);
				int q2 = quantize(rb - rc, near, t1, t2, t3);
				int q3 = quantize(rc - ra, near, t1, t2, t3);
				if (q1 == 0 && q2 == 0 && q3 == 0) {
					x = runMode(c, x, w, ra);
				} else {
					cu[x] = regular(q1, q2, q3, ra, rb, rc);
					x++;
				}
			}
		}

		/** Run mode (§A.7) of one component from column x (1-based); returns the next column to decode. */
		int runMode(int c, int x, int w, int ra) throws JpegLsBitReader.Truncated, DicomReadException {
			int[] pr = prev[c];
			int[] cu = cur[c];
			int left = w - x + 1;
			int count = runLength(c, left);
			for (int i = 0; i < count; i++) cu[x + i] = ra;
			x += count;
			if (count == left) return x;
			int rb = pr[x];
			cu[x] = interruption(ra, rb, c);
			if (runIndex[c] > 0) runIndex[c]--;
			return x + 1;
		}

		/** The length of a run (§A.7.1), at most {@code left}; reads the remainder bits of an interrupted run. */
		int runLength(int c, int left) throws JpegLsBitReader.Truncated, DicomReadException {
			int count = 0;
			while (count < left && in.bit() == 1) {
				int n = Math.min(1 << J[runIndex[c]], left - count);
				count += n;
				if (n == 1 << J[runIndex[c]] && runIndex[c] < 31) runIndex[c]++;
			}
			if (count < left) {
				if (J[runIndex[c]] > 0) count += in.bits(J[runIndex[c]]);
				if (count >= left)
					throw st.error("run of " + count + " samples is longer than the " + left + " left in the line (damaged data)");
			}
			return count;
		}

		/** A run-interruption sample (§A.7.2) given Ra and Rb of the component. */
		int interruption(int ra, int rb, int c) throws JpegLsBitReader.Truncated, DicomReadException {
			int ritype = Math.abs(ra - rb) <= near ? 1 : 0;
			int err = interruptionError(ritype, J[runIndex[c]]);
			if (ritype == 1) return fix(ra + err * step);
			return fix(rb + (ra > rb ? -err : err) * step);
		}

		int interruptionError(int ritype, int j) throws JpegLsBitReader.Truncated, DicomReadException {
			int q = 365 + ritype;
			long temp = ritype == 0 ? a[q] : a[q] + (nn[q] >> 1);
			int k = golombK(nn[q], temp);
			int em = in.golomb(k, limit - j - 1, qbpp);
			if (em < 0 || em > 2 * range + 2) throw st.error("Golomb code out of range in run interruption (damaged data)");
			int tmp = em + ritype;
			int map = tmp & 1;
			int abs = (tmp + map) / 2;
			boolean negative = (k != 0 || 2 * nrun[ritype] >= nn[q]) == (map == 1);
			int err = negative ? -abs : abs;
			if (err < 0) nrun[ritype]++;
			a[q] += (em + 1 - ritype) >> 1;
			if (nn[q] == reset) {
				a[q] >>= 1;
				nn[q] >>= 1;
				nrun[ritype] >>= 1;
			}
			nn[q]++;
			return err;
		}

		/** A regular-mode sample (§A.3–A.6) with quantised gradients q1..q3. */
		int regular(int q1, int q2, int q3, int ra, int rb, int rc) throws JpegLsBitReader.Truncated, DicomReadException {
			int sign = 1;
			if (q1 < 0 || q1 == 0 && (q2 < 0 || q2 == 0 && q3 < 0)) {
				sign = -1;
				q1 = -q1;
				q2 = -q2;
				q3 = -q3;
			}
			int q = 81 * q1 + 9 * q2 + q3;
			int px = predict(ra, rb, rc) + sign * cc[q];
			if (px > maxval) px = maxval;
			else if (px < 0) px = 0;
			int k = golombK(nn[q], a[q]);
			int em = in.golomb(k, limit, qbpp);
			if (em < 0 || em > 2 * range + 2) throw st.error("Golomb code out of range (damaged data)");
			int err;
			if (near == 0 && k == 0 && 2 * bb[q] <= -nn[q]) err = (em & 1) == 1 ? (em - 1) >> 1 : -(em >> 1) - 1;
			else err = (em & 1) == 0 ? em >> 1 : -((em + 1) >> 1);
			update(q, err);
			return fix(px + sign * err * step);
		}

		/** Context update and bias correction (§A.6). */
		void update(int q, int err) {
			bb[q] += err * step;
			a[q] += Math.abs(err);
			if (nn[q] == reset) {
				a[q] >>= 1;
				bb[q] = bb[q] >= 0 ? bb[q] >> 1 : -((1 - bb[q]) >> 1);
				nn[q] >>= 1;
			}
			nn[q]++;
			if (bb[q] <= -nn[q]) {
				bb[q] += nn[q];
				if (cc[q] > -128) cc[q]--;
				if (bb[q] <= -nn[q]) bb[q] = -nn[q] + 1;
			} else if (bb[q] > 0) {
				bb[q] -= nn[q];
				if (cc[q] < 127) cc[q]++;
				if (bb[q] > 0) bb[q] = 0;
			}
		}

		static int golombK(int n, long a) {
			int k = 0;
			while (((long) n << k) < a && k < 31) k++;
			return k;
		}

		/** Modulo reduction of a reconstructed value and clamping to 0..MAXVAL (§A.4.2). */
		int fix(int v) {
			if (v < -near) v += range * step;
			else if (v > maxval + near) v -= range * step;
			return v < 0 ? 0 : v > maxval ? maxval : v;
		}

		/** One line of all components, sample-interleaved (ILV 2): a run only when all components are flat. */
		void sampleInterleavedLine(int w) throws JpegLsBitReader.Truncated, DicomReadException {
			int nc = comps.length;
			int[] qs = new int[3 * nc];
			int x = 1;
			while (x <= w) {
				boolean flat = true;
				for (int c = 0; c < nc; c++) {
					int[] pr = prev[c];
					int ra = cur[c][x - 1];
					qs[3 * c] = quantize(pr[x + 1] - pr[x], near, t1, t2, t3);
					qs[3 * c + 1] = quantize(pr[x] - pr[x - 1], near, t1, t2, t3);
					qs[3 * c + 2] = quantize(pr[x - 1] - ra, near, t1, t2, t3);
					flat &= qs[3 * c] == 0 && qs[3 * c + 1] == 0 && qs[3 * c + 2] == 0;
				}
				if (flat) {
					int left = w - x + 1;
					int count = runLength(0, left);
					for (int c = 0; c < nc; c++) for (int i = 0; i < count; i++) cur[c][x + i] = cur[c][x - 1];
					x += count;
					if (count == left) continue;
					int j = J[runIndex[0]];
					for (int c = 0; c < nc; c++) {
						int ra = cur[c][x - 1];
						int rb = prev[c][x];
						int err = interruptionError(0, j);
						cur[c][x] = fix(rb + (ra > rb ? -err : err) * step);
					}
					if (runIndex[0] > 0) runIndex[0]--;
					x++;
				} else {
					for (int c = 0; c < nc; c++)
						cur[c][x] = regular(qs[3 * c], qs[3 * c + 1], qs[3 * c + 2], cur[c][x - 1], prev[c][x], prev[c][x - 1]);
					x++;
				}
			}
		}
	}

	private static String hex(int v) {
		return Integer.toHexString(v).toUpperCase();
	}
}
