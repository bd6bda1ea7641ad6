package org.medcnn.dicom.codec;

import java.util.Arrays;

/**
 * Encodes one greyscale frame as a JPEG Lossless, Non-Hierarchical, First-Order Prediction stream: ITU-T T.81
 * Annex H, process 14 with selection value 1 and point transform 0, as DICOM transfer syntax
 * 1.2.840.10008.1.2.4.70 requires (PS3.5 §A.4.1, §8.2.1). Written from T.81.
 * <p>
 * The stream is SOI, SOF3 (one component, sampling 1×1), one DHT holding the lossless table 0, SOS (Ss = 1,
 * Se = 0, Ah = Al = 0), the Huffman-coded differences with 0xFF byte stuffing and 1-bit padding, and EOI; no
 * restart intervals. The Huffman table is optimal for the frame: it is built from the histogram of its
 * difference categories by the procedure of T.81 Annex K.2 (code lengths limited to 16 bits, the all-ones code
 * left unused), so every frame is read twice.
 * <p>
 * Samples are P-bit values, P = {@link #MIN_PRECISION}..{@link #MAX_PRECISION}. Signed data (DICOM
 * PixelRepresentation 1) is encoded as its two's-complement bit pattern masked to P bits, as PS3.5 §8.2.1
 * requires, so each sample may be given either unsigned (0..2^P − 1) or signed (−2^(P−1)..2^(P−1) − 1); only
 * its low P bits are encoded and a decoder returns the unsigned pattern.
 * <p>
 * Stateless and thread-safe: {@link #encode} is a pure function of its arguments.
 */
public final class JpegLosslessEncoder {

	/** Smallest sample precision of the lossless process (T.81 Table B.2). */
	public static final int MIN_PRECISION = 2;
	/** Largest sample precision of the lossless process (T.81 Table B.2). */
	public static final int MAX_PRECISION = 16;

	/** Difference categories SSSS = 0..16 (T.81 Table H.2). */
	static final int CATEGORIES = 17;

	private static final int SOI = 0xFFD8, SOF3 = 0xFFC3, DHT = 0xFFC4, SOS = 0xFFDA, EOI = 0xFFD9;

	private JpegLosslessEncoder() {}

	/**
	 * Encodes a frame.
	 *
	 * @param samples the frame in row-major order, {@code columns × rows} values (not modified)
	 * @param columns samples per line X, 1..65535
	 * @param rows lines Y, 1..65535
	 * @param precision sample precision P in bits, 2..16
	 * @return the complete JPEG stream, from SOI to EOI (its length may be odd)
	 * @throws IllegalArgumentException if a size or the precision is out of range, the array length is not
	 *         {@code columns × rows}, or a sample lies outside −2^(P−1)..2^P − 1 (the message names the index)
	 */
	public static byte[] encode(int[] samples, int columns, int rows, int precision) {
		if (columns < 1 || columns > 0xFFFF)
			throw new IllegalArgumentException("columns must be in 1..65535 but is " + columns);
		if (rows < 1 || rows > 0xFFFF) throw new IllegalArgumentException("rows must be in 1..65535 but is " + rows);
		if (precision < MIN_PRECISION || precision > MAX_PRECISION)
			throw new IllegalArgumentException("precision must be in " + MIN_PRECISION + ".." + MAX_PRECISION
				+ " bits but is " + precision);
		long n = (long) columns * rows;
		if (samples.length != n)
			throw new IllegalArgumentException("samples has " + samples.length + " values but columns × rows = "
				+ columns + " × " + rows + " = " + n);
		int min = -(1 << (precision - 1)), max = (1 << precision) - 1;
		for (int i = 0; i < samples.length; i++)
			if (samples[i] < min || samples[i] > max)
				throw new IllegalArgumentException("sample " + i + " = " + samples[i] + " does not fit " + precision
					+ " bits (allowed " + min + ".." + max + ")");

		long[] histogram = new long[CATEGORIES];
		int mask = max;
		int first = 1 << (precision - 1);
		forEachDifference(samples, columns, rows, mask, first, d -> histogram[category(d)]++);
		HuffmanTable table = HuffmanTable.optimal(histogram);

		Output out = new Output(samples.length / 2 + 1024);
		out.marker(SOI);
		out.marker(SOF3);
		out.u16(8 + 3); // Lf, one component (T.81 B.2.2)
		out.u8(precision);
		out.u16(rows);
		out.u16(columns);
		out.u8(1); // Nf
		out.u8(1); // C1
		out.u8(0x11); // H1 = V1 = 1
		out.u8(0); // Tq: must be 0 in the lossless processes
		out.marker(DHT);
		out.u16(2 + 1 + 16 + table.values().length);
		out.u8(0x00); // Tc = 0 (lossless tables are "DC" class), Th = 0
		for (int l = 1; l <= 16; l++) out.u8(table.bits()[l]);
		for (int v : table.values()) out.u8(v);
		out.marker(SOS);
		out.u16(6 + 2); // Ls, one component
		out.u8(1); // Ns
		out.u8(1); // Cs1
		out.u8(0x00); // Td = 0, Ta = 0
		out.u8(1); // Ss: predictor selection value 1 (Ra)
		out.u8(0); // Se: 0 in the lossless processes
		out.u8(0x00); // Ah = 0, Al = point transform 0
		int[] code = table.codes(), length = table.lengths();
		forEachDifference(samples, columns, rows, mask, first, d -> {
			int ssss = category(d);
			out.bits(code[ssss], length[ssss]);
			// T.81 H.1.2.2: category 16 (difference 32768) has no additional bits; negative differences are
			// sent as the low SSSS bits of d − 1 (F.1.2.1.1).
			if (ssss > 0 && ssss < 16) out.bits((d > 0 ? d : d - 1) & ((1 << ssss) - 1), ssss);
		});
		out.flushBits();
		out.marker(EOI);
		return out.toByteArray();
	}

	/** Receives the differences of a frame in coding order. */
	private interface DifferenceSink {
		void accept(int difference);
	}

	/**
	 * The differences Rx − Px of the frame in scan order, with Px of selection value 1 (T.81 H.1.2.1): 2^(P−1) for
	 * the first sample, Ra (left) along the first line, Rb (above) at the start of every other line, Ra
	 * elsewhere. Differences are taken modulo 2^16 and mapped to −32767..32768 (H.1.2.1), which only matters
	 * for P = 16.
	 */
	private static void forEachDifference(int[] s, int columns, int rows, int mask, int first, DifferenceSink sink) {
		int i = 0;
		for (int y = 0; y < rows; y++) {
			for (int x = 0; x < columns; x++, i++) {
				int px = x > 0 ? s[i - 1] & mask : y > 0 ? s[i - columns] & mask : first;
				int d = ((s[i] & mask) - px) & 0xFFFF;
				sink.accept(d > 32768 ? d - 65536 : d);
			}
		}
	}

	/** SSSS of a difference: the number of bits of |d|, 0 for 0, 16 for 32768 (T.81 Table H.2). */
	static int category(int d) {
		return 32 - Integer.numberOfLeadingZeros(Math.abs(d));
	}

	/**
	 * A Huffman table for the difference categories: BITS and HUFFVAL as written in the DHT segment, and the
	 * code and code length of each category derived from them (T.81 Annex C).
	 *
	 * @param bits bits[l] = number of codes of length l, l = 1..16 (bits[0] unused)
	 * @param values HUFFVAL: the categories in order of increasing code length
	 * @param lengths code length of each category 0..16, 0 when the category has no code
	 * @param codes the canonical code of each category (right-aligned), 0 when it has none
	 */
	record HuffmanTable(int[] bits, int[] values, int[] lengths, int[] codes) {

		/**
		 * The optimal table for a histogram of categories (T.81 K.2: Figures K.1 code sizes, K.2 counting, K.3
		 * limiting to 16 bits, K.4 sorting). A reserved symbol with frequency 1 takes the all-ones code, which
		 * is then removed, so no code consists only of 1-bits (T.81 C). Categories with frequency 0 get no code.
		 *
		 * @param histogram occurrences of each category 0..16; at least one must be positive
		 */
		static HuffmanTable optimal(long[] histogram) {
			if (histogram.length != CATEGORIES)
				throw new IllegalArgumentException("histogram must have " + CATEGORIES + " entries but has "
					+ histogram.length);
			int reserved = CATEGORIES;
			long[] freq = Arrays.copyOf(histogram, CATEGORIES + 1);
			freq[reserved] = 1;
			int[] codeSize = new int[CATEGORIES + 1];
			int[] others = new int[CATEGORIES + 1];
			Arrays.fill(others, -1);
			boolean any = false;
			for (long f : histogram) {
				if (f < 0) throw new IllegalArgumentException("histogram counts must be >= 0");
				any |= f > 0;
			}
			if (!any) throw new IllegalArgumentException("histogram is empty: no difference to code");
			// Figure K.1: repeatedly merge the two least frequent trees; ties go to the larger symbol value.
			while (true) {
				int v1 = leastFrequent(freq, -1);
				int v2 = leastFrequent(freq, v1);
				if (v2 < 0) break;
				freq[v1] += freq[v2];
				freq[v2] = 0;
				codeSize[v1]++;
				while (others[v1] >= 0) {
					v1 = others[v1];
					codeSize[v1]++;
				}
				others[v1] = v2;
				codeSize[v2]++;
				while (others[v2] >= 0) {
					v2 = others[v2];
					codeSize[v2]++;
				}
			}
			// Figure K.2: codes per size. With 18 symbols no size exceeds 17.
			int[] bits = new int[CATEGORIES + 2];
			for (int s : codeSize) if (s > 0) bits[s]++;
			// Figure K.3: move codes longer than 16 bits up the tree, then drop the reserved (longest) code.
			for (int i = bits.length - 1; i > 16; i--) {
				while (bits[i] > 0) {
					int j = i - 2;
					while (bits[j] == 0) j--;
					bits[i] -= 2;
					bits[i - 1]++;
					bits[j + 1] += 2;
					bits[j]--;
				}
			}
			int longest = 16;
			while (bits[longest] == 0) longest--;
			bits[longest]--;
			// Figure K.4: HUFFVAL lists the symbols by increasing code size; the reserved symbol sorts last.
			int[] values = new int[CATEGORIES];
			int count = 0;
			for (int size = 1; size < bits.length; size++)
				for (int v = 0; v < CATEGORIES; v++) if (codeSize[v] == size) values[count++] = v;
			values = Arrays.copyOf(values, count);
			return fromBitsAndValues(Arrays.copyOf(bits, 17), values);
		}

		/** The symbol of least positive frequency other than {@code not}, the largest on ties; -1 if none. */
		private static int leastFrequent(long[] freq, int not) {
			int best = -1;
			for (int v = 0; v < freq.length; v++)
				if (v != not && freq[v] > 0 && (best < 0 || freq[v] <= freq[best])) best = v;
			return best;
		}

		/** Derives the codes from BITS and HUFFVAL (T.81 Figures C.1–C.3: canonical codes). */
		static HuffmanTable fromBitsAndValues(int[] bits, int[] values) {
			int[] lengths = new int[CATEGORIES];
			int[] codes = new int[CATEGORIES];
			int code = 0, k = 0;
			for (int l = 1; l <= 16; l++) {
				for (int i = 0; i < bits[l]; i++, k++) {
					lengths[values[k]] = l;
					codes[values[k]] = code++;
				}
				code <<= 1;
			}
			return new HuffmanTable(bits, values, lengths, codes);
		}
	}

	/** A growable byte buffer with a big-endian bit writer that stuffs a 0x00 after every 0xFF (T.81 F.1.2.3). */
	private static final class Output {
		private byte[] buf;
		private int size;
		private long acc;
		private int accBits;

		Output(int capacity) {
			buf = new byte[Math.max(capacity, 64)];
		}

		private void ensure(int more) {
			if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
		}

		void u8(int v) {
			ensure(1);
			buf[size++] = (byte) v;
		}

		void u16(int v) {
			u8(v >> 8);
			u8(v);
		}

		void marker(int m) {
			u16(m);
		}

		/** Appends the low {@code n} (0..16) bits of {@code v}, most significant first. */
		void bits(int v, int n) {
			acc = acc << n | (v & ((1L << n) - 1));
			accBits += n;
			if (accBits >= 32) drain(8);
		}

		/** Writes whole bytes from the accumulator until fewer than {@code keep} bits are left. */
		private void drain(int keep) {
			ensure(2 * ((accBits + 7) / 8));
			while (accBits >= keep && accBits >= 8) {
				accBits -= 8;
				int b = (int) (acc >>> accBits) & 0xFF;
				buf[size++] = (byte) b;
				if (b == 0xFF) buf[size++] = 0;
			}
			acc &= (1L << accBits) - 1;
		}

		/** Pads the last byte with 1-bits (T.81 F.1.2.3) and writes it. */
		void flushBits() {
			drain(8);
			if (accBits > 0) bits((1 << (8 - accBits)) - 1, 8 - accBits);
			drain(8);
		}

		byte[] toByteArray() {
			return Arrays.copyOf(buf, size);
		}
	}
}
