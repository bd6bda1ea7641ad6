package org.medcnn.dicom.codec;

import java.io.ByteArrayOutputStream;

import org.medcnn.dicom.codec.JpegLosslessEncoder.HuffmanTable;

/**
 * Test helper: a JPEG lossless (T.81 Annex H, SOF3) encoder for the layouts {@link JpegLosslessEncoder} does not
 * write, to feed {@link JpegLosslessDecoder}, TwelveMonkeys and DCMTK's dcmdjpeg the same streams: any selection
 * value 1..7, a point transform, 1..4 components in one interleaved scan or one scan per component (written in
 * reverse component order), restart intervals of whole lines, Huffman tables in destinations 0..3 (one optimal
 * table per scan), and optionally APPn/COM segments and fill bytes before markers. Written from T.81 like the
 * decoder, but kept deliberately simple: no look-ahead, no shared code.
 */
final class LosslessStreams {

	/**
	 * @param selectionValue predictor 1..7
	 * @param pointTransform Pt
	 * @param restartLines lines per restart interval (0: no DRI)
	 * @param interleaved whether all components share one scan
	 * @param decorated whether to add APP1/COM segments and 0xFF fill bytes before markers
	 */
	record Options(int selectionValue, int pointTransform, int restartLines, boolean interleaved, boolean decorated) {
		static Options sv(int selectionValue) {
			return new Options(selectionValue, 0, 0, true, false);
		}
	}

	private LosslessStreams() {}

	/**
	 * Encodes components of {@code columns × rows} samples each (only the low {@code precision} bits are used).
	 */
	static byte[] encode(int[][] components, int columns, int rows, int precision, Options o) {
		int nf = components.length;
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		marker(out, 0xD8);
		if (o.decorated()) {
			segment(out, 0xE1, "MedCNN test APP1".getBytes());
			segment(out, 0xFE, "a comment".getBytes());
			out.write(0xFF); // fill byte
		}
		byte[] sof = new byte[6 + 3 * nf];
		sof[0] = (byte) precision;
		sof[1] = (byte) (rows >> 8);
		sof[2] = (byte) rows;
		sof[3] = (byte) (columns >> 8);
		sof[4] = (byte) columns;
		sof[5] = (byte) nf;
		for (int c = 0; c < nf; c++) {
			sof[6 + 3 * c] = (byte) (c + 1);
			sof[7 + 3 * c] = 0x11;
		}
		segment(out, 0xC3, sof);
		if (o.restartLines() > 0) {
			int ri = o.restartLines() * columns;
			if (ri > 0xFFFF) throw new IllegalArgumentException("restart interval " + ri + " does not fit 16 bits");
			segment(out, 0xDD, new byte[] {(byte) (ri >> 8), (byte) ri});
		}
		int[][] scans;
		if (o.interleaved()) {
			scans = new int[1][nf];
			for (int c = 0; c < nf; c++) scans[0][c] = c;
		} else {
			scans = new int[nf][];
			for (int c = 0; c < nf; c++) scans[c] = new int[] {nf - 1 - c};
		}
		for (int k = 0; k < scans.length; k++) scan(out, components, scans[k], k % 4, columns, rows, precision, o);
		if (o.decorated()) out.write(0xFF);
		marker(out, 0xD9);
		return out.toByteArray();
	}

	/** The differences of one scan in coding order (T.81 H.1.2.1), mapped to −32767..32768. */
	static int[] differences(int[][] components, int[] comps, int columns, int rows, int precision, Options o) {
		int ns = comps.length;
		int mask = (1 << precision) - 1;
		int pt = o.pointTransform();
		int[][] r = new int[ns][];
		for (int k = 0; k < ns; k++) {
			r[k] = new int[columns * rows];
			for (int i = 0; i < r[k].length; i++) r[k][i] = (components[comps[k]][i] & mask) >> pt;
		}
		int[] d = new int[columns * rows * ns];
		int n = 0;
		for (int y = 0; y < rows; y++) {
			boolean first = o.restartLines() > 0 ? y % o.restartLines() == 0 : y == 0;
			for (int x = 0; x < columns; x++) {
				for (int k = 0; k < ns; k++) {
					int[] s = r[k];
					int i = y * columns + x;
					int px;
					if (first) px = x == 0 ? 1 << (precision - pt - 1) : s[i - 1];
					else if (x == 0) px = s[i - columns];
					else {
						int ra = s[i - 1], rb = s[i - columns], rc = s[i - columns - 1];
						px = switch (o.selectionValue()) {
							case 1 -> ra;
							case 2 -> rb;
							case 3 -> rc;
							case 4 -> ra + rb - rc;
							case 5 -> ra + ((rb - rc) >> 1);
							case 6 -> rb + ((ra - rc) >> 1);
							case 7 -> (ra + rb) >> 1;
							default -> throw new IllegalArgumentException("selection value " + o.selectionValue());
						};
					}
					int diff = (s[i] - px) & 0xFFFF;
					d[n++] = diff > 32768 ? diff - 65536 : diff;
				}
			}
		}
		return d;
	}

	private static void scan(ByteArrayOutputStream out, int[][] components, int[] comps, int table, int columns,
		int rows, int precision, Options o) {
		int ns = comps.length;
		int[] d = differences(components, comps, columns, rows, precision, o);
		long[] histogram = new long[JpegLosslessEncoder.CATEGORIES];
		for (int v : d) histogram[JpegLosslessEncoder.category(v)]++;
		HuffmanTable t = HuffmanTable.optimal(histogram);
		byte[] dht = new byte[17 + t.values().length];
		dht[0] = (byte) table;
		for (int l = 1; l <= 16; l++) dht[l] = (byte) t.bits()[l];
		for (int i = 0; i < t.values().length; i++) dht[17 + i] = (byte) t.values()[i];
		segment(out, 0xC4, dht);
		byte[] sos = new byte[4 + 2 * ns];
		sos[0] = (byte) ns;
		for (int k = 0; k < ns; k++) {
			sos[1 + 2 * k] = (byte) (comps[k] + 1);
			sos[2 + 2 * k] = (byte) (table << 4);
		}
		sos[1 + 2 * ns] = (byte) o.selectionValue();
		sos[2 + 2 * ns] = 0;
		sos[3 + 2 * ns] = (byte) o.pointTransform();
		if (o.decorated()) out.write(0xFF);
		segment(out, 0xDA, sos);
		Bits bits = new Bits(out);
		int perLine = columns * ns;
		int perInterval = o.restartLines() > 0 ? o.restartLines() * perLine : Integer.MAX_VALUE;
		int rst = 0;
		for (int i = 0; i < d.length; i++) {
			if (i > 0 && i % perInterval == 0) {
				bits.flush();
				if (o.decorated()) out.write(0xFF);
				marker(out, 0xD0 + rst);
				rst = (rst + 1) & 7;
			}
			int v = d[i];
			int s = JpegLosslessEncoder.category(v);
			bits.put(t.codes()[s], t.lengths()[s]);
			if (s > 0 && s < 16) bits.put((v > 0 ? v : v - 1) & ((1 << s) - 1), s);
		}
		bits.flush();
	}

	private static void marker(ByteArrayOutputStream out, int m) {
		out.write(0xFF);
		out.write(m);
	}

	private static void segment(ByteArrayOutputStream out, int m, byte[] body) {
		marker(out, m);
		out.write((body.length + 2) >> 8);
		out.write(body.length + 2);
		out.writeBytes(body);
	}

	/** A bit writer with 0xFF00 stuffing and 1-bit padding. */
	private static final class Bits {
		final ByteArrayOutputStream out;
		int acc;
		int n;

		Bits(ByteArrayOutputStream out) {
			this.out = out;
		}

		void put(int v, int len) {
			for (int i = len - 1; i >= 0; i--) {
				acc = acc << 1 | (v >> i & 1);
				if (++n == 8) emit();
			}
		}

		private void emit() {
			out.write(acc);
			if (acc == 0xFF) out.write(0);
			acc = 0;
			n = 0;
		}

		void flush() {
			while (n != 0) put(1, 1);
		}
	}
}
