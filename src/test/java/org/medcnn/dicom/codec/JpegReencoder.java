package org.medcnn.dicom.codec;

import java.io.ByteArrayOutputStream;

/**
 * Test helper: writes sequential DCT JPEG streams (T.81) from quantised coefficients taken from other streams, in
 * layouts the DCMTK encoder does not produce: restart intervals, several components (interleaved in one scan or one
 * scan each), sampling factors larger than 1 for every component, 16-bit quantisation tables. The Huffman tables
 * are fixed and flat (every DC category 5 bits, every AC symbol 8 bits), so any coefficient of the precision can
 * be coded. Decoding
 * the result must give exactly the samples of the source streams, since the coefficients are unchanged.
 */
final class JpegReencoder {

	/** How to lay out the new stream. */
	record Options(int restartInterval, boolean interleaved, int sampling, boolean sixteenBitQuant, int sofMarker) {}

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();
	private int bitBuffer;
	private int bitCount;

	private JpegReencoder() {}

	/**
	 * A stream whose component c has the coefficients and quantisation table of {@code sources[c]} (each a
	 * one-component stream of the same size and precision).
	 */
	static byte[] encode(Options o, JpegDctDecoder.Coefficients... sources) {
		return new JpegReencoder().write(o, sources);
	}

	private byte[] write(Options o, JpegDctDecoder.Coefficients[] src) {
		int n = src.length;
		JpegDctDecoder.Coefficients first = src[0];
		marker(0xD8);
		// DQT: one table per component
		for (int c = 0; c < n; c++) {
			boolean wide = o.sixteenBitQuant();
			segment(0xDB, 1 + (wide ? 128 : 64));
			out.write((wide ? 0x10 : 0) | c);
			for (int i = 0; i < 64; i++) {
				int q = src[c].quant()[0][JpegDctDecoder.NATURAL_ORDER[i]];
				if (wide) out.write(q >> 8);
				out.write(q);
			}
		}
		if (o.restartInterval() > 0) {
			segment(0xDD, 2);
			out.write(o.restartInterval() >> 8);
			out.write(o.restartInterval());
		}
		segment(o.sofMarker(), 6 + 3 * n);
		out.write(first.precision());
		out.write(first.height() >> 8);
		out.write(first.height());
		out.write(first.width() >> 8);
		out.write(first.width());
		out.write(n);
		for (int c = 0; c < n; c++) {
			out.write(c + 1);
			out.write(o.sampling() << 4 | o.sampling());
			out.write(c);
		}
		// DHT: DC table 0 (categories 0..15, 5 bits each), AC table 0 (EOB, ZRL and every run/size, 8 bits each)
		// (8-bit data has AC sizes up to 10 only: 162 symbols, as in T.81 Table K.5; TwelveMonkeys reads at most 200)
		int maxSize = first.precision() == 8 ? 10 : 15;
		int[] acSymbols = new int[2 + 16 * maxSize];
		acSymbols[0] = 0x00;
		acSymbols[1] = 0xF0;
		for (int r = 0, k = 2; r < 16; r++)
			for (int s = 1; s <= maxSize; s++) acSymbols[k++] = r << 4 | s;
		segment(0xC4, 2 * 17 + 16 + acSymbols.length);
		out.write(0x00);
		for (int len = 1; len <= 16; len++) out.write(len == 5 ? 16 : 0);
		for (int s = 0; s < 16; s++) out.write(s);
		out.write(0x10);
		for (int len = 1; len <= 16; len++) out.write(len == 8 ? acSymbols.length : 0);
		for (int s : acSymbols) out.write(s);
		int[] acCode = new int[256];
		for (int k = 0; k < acSymbols.length; k++) acCode[acSymbols[k]] = k;

		int h = o.sampling();
		int mcusWide = (first.width() + 8 * h - 1) / (8 * h);
		int mcusHigh = (first.height() + 8 * h - 1) / (8 * h);
		if (o.interleaved() && n > 1) {
			scanHeader(0, n);
			int[] pred = new int[n];
			int units = mcusWide * mcusHigh;
			for (int u = 0; u < units; u++) {
				restartIfDue(o, u, pred);
				int mx = u % mcusWide;
				int my = u / mcusWide;
				for (int c = 0; c < n; c++)
					for (int by = 0; by < h; by++)
						for (int bx = 0; bx < h; bx++)
							pred[c] = block(src[c], my * h + by, mx * h + bx, pred[c], acCode);
			}
			flush();
		} else {
			for (int c = 0; c < n; c++) {
				scanHeader(c, 1);
				int[] pred = new int[1];
				int wide = src[c].blocksWide()[0];
				int units = wide * src[c].blocksHigh()[0];
				for (int u = 0; u < units; u++) {
					restartIfDue(o, u, pred);
					pred[0] = block(src[c], u / wide, u % wide, pred[0], acCode);
				}
				flush();
			}
		}
		marker(0xD9);
		return out.toByteArray();
	}

	private int rst;

	private void restartIfDue(Options o, int unit, int[] pred) {
		if (o.restartInterval() > 0 && unit > 0 && unit % o.restartInterval() == 0) {
			flush();
			marker(0xD0 + (rst++ & 7));
			java.util.Arrays.fill(pred, 0);
		}
	}

	private void scanHeader(int firstComponent, int count) {
		rst = 0;
		segment(0xDA, 1 + 2 * count + 3);
		out.write(count);
		for (int c = firstComponent; c < firstComponent + count; c++) {
			out.write(c + 1);
			out.write(0x00);
		}
		out.write(0);
		out.write(63);
		out.write(0);
	}

	/** Codes the block at (row, col) of the source's grid (clamped to it, for MCU padding); returns its DC. */
	private int block(JpegDctDecoder.Coefficients s, int row, int col, int pred, int[] acCode) {
		int r = Math.min(row, s.blocksHigh()[0] - 1);
		int c = Math.min(col, s.blocksWide()[0] - 1);
		int base = (r * s.blocksWide()[0] + c) * 64;
		int[] b = s.blocks()[0];
		int dc = b[base];
		int diff = dc - pred;
		int cat = category(diff);
		bits(cat, 5);
		if (cat > 0) bits(diff < 0 ? diff - 1 : diff, cat);
		int run = 0;
		for (int k = 1; k < 64; k++) {
			int v = b[base + JpegDctDecoder.NATURAL_ORDER[k]];
			if (v == 0) {
				run++;
				continue;
			}
			while (run > 15) {
				bits(acCode[0xF0], 8);
				run -= 16;
			}
			int size = category(v);
			bits(acCode[run << 4 | size], 8);
			bits(v < 0 ? v - 1 : v, size);
			run = 0;
		}
		if (run > 0) bits(acCode[0x00], 8);
		return dc;
	}

	private static int category(int v) {
		return 32 - Integer.numberOfLeadingZeros(Math.abs(v));
	}

	private void bits(int value, int n) {
		for (int i = n - 1; i >= 0; i--) {
			bitBuffer = bitBuffer << 1 | (value >> i & 1);
			if (++bitCount == 8) emit();
		}
	}

	private void emit() {
		out.write(bitBuffer & 0xFF);
		if ((bitBuffer & 0xFF) == 0xFF) out.write(0);
		bitBuffer = 0;
		bitCount = 0;
	}

	/** Pads the last byte with 1 bits (T.81 F.1.2.3). */
	private void flush() {
		while (bitCount != 0) bits(1, 1);
	}

	private void marker(int m) {
		out.write(0xFF);
		out.write(m);
	}

	private void segment(int m, int payload) {
		marker(m);
		out.write((payload + 2) >> 8);
		out.write(payload + 2);
	}
}
