package org.medcnn.dicom.codec;

/**
 * A Huffman decoding table (ITU-T T.81 Annex C and F.2.2.3) with a 9-bit look-ahead table, shared by the
 * sequential DCT decoder ({@link JpegDctDecoder}) and the lossless decoder ({@link JpegLosslessDecoder}); the
 * decoding itself is {@link JpegStream#huff}.
 */
final class JpegHuffman {
	static final int LOOKAHEAD = 9;
	/** Index: the next 9 bits; value: (code length << 8) | symbol, or 0 when the code is longer. */
	final int[] fast = new int[1 << LOOKAHEAD];
	/** Per code length 1..16: largest code (−1 when none) and the offset of its first symbol minus its first code. */
	final int[] maxCode = new int[18];
	final int[] valOffset = new int[17];
	final int[] symbols;

	/**
	 * @param counts BITS: the number of codes of each length 1..16 (checked with {@link #valid} first)
	 * @param symbols HUFFVAL, in order of increasing code length
	 */
	JpegHuffman(int[] counts, int[] symbols) {
		this.symbols = symbols;
		int code = 0;
		int k = 0;
		for (int len = 1; len <= 16; len++) {
			valOffset[len] = k - code;
			for (int i = 0; i < counts[len - 1]; i++, k++, code++) {
				if (len <= LOOKAHEAD) {
					int shift = LOOKAHEAD - len;
					int base = code << shift;
					for (int j = 0; j < 1 << shift; j++) fast[base + j] = len << 8 | symbols[k];
				}
			}
			maxCode[len] = counts[len - 1] == 0 ? -1 : code - 1;
			code <<= 1;
		}
		maxCode[17] = Integer.MAX_VALUE;
	}

	/** Whether every code fits its length (T.81 Annex C; checked before construction). */
	static boolean valid(int[] counts) {
		long code = 0;
		for (int len = 1; len <= 16; len++) {
			code += counts[len - 1];
			if (code > 1L << len) return false;
			code <<= 1;
		}
		return true;
	}
}
