package org.medcnn.dicom;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One DICOM lookup table (Modality LUT, VOI LUT or one palette colour channel), decoded from its LUT
 * Descriptor and LUT Data (PS3.3 §C.11.1.1, §C.11.2.1.1, §C.7.6.3.1.5-6, §C.7.9.2).
 * <p>
 * The descriptor holds three values: the number of entries (0 means 65536), the first stored value mapped
 * (US, or SS when the image's PixelRepresentation is 1) and the number of bits per entry. {@link #lookup}
 * maps a stored value: values below the first mapped value give the first entry, values past the last give
 * the last entry. Entries are read from OW/US data as unsigned 16-bit words (masked to the bits per entry), or
 * from SS data as signed words; 8-bit entries packed two to a word (low byte first) are accepted when the data
 * holds exactly half as many words as the descriptor declares entries. Immutable and thread-safe.
 *
 * @param firstMapped the first stored value mapped
 * @param bitsPerEntry bits per entry (1..16)
 * @param entries the table, one value per entry
 * @param explanation LUT Explanation (0028,3003), or null
 */
public record DicomLut(int firstMapped, int bitsPerEntry, int[] entries, String explanation) {

	public DicomLut {
		if (entries.length == 0) throw new IllegalArgumentException("entries must not be empty");
		entries = entries.clone();
	}

	@Override
	public int[] entries() {
		return entries.clone();
	}

	/** Equal when every component, the entries included, is equal. */
	@Override
	public boolean equals(Object o) {
		return o instanceof DicomLut l && l.firstMapped == firstMapped && l.bitsPerEntry == bitsPerEntry
			&& Arrays.equals(l.entries, entries) && Objects.equals(l.explanation, explanation);
	}

	@Override
	public int hashCode() {
		return Objects.hash(firstMapped, bitsPerEntry, Arrays.hashCode(entries), explanation);
	}

	@Override
	public String toString() {
		return "DicomLut[" + entries.length + " entries from " + firstMapped + ", " + bitsPerEntry + " bits"
			+ (explanation == null ? "" : ", " + explanation) + "]";
	}

	/** Number of entries. */
	public int size() {
		return entries.length;
	}

	/** The entry for a stored value, clamped to the first and last entries (PS3.3 §C.11.1.1.1). */
	public int lookup(int storedValue) {
		long i = (long) storedValue - firstMapped;
		return entries[i < 0 ? 0 : i >= entries.length ? entries.length - 1 : (int) i];
	}

	/** Smallest and largest entry. */
	public int[] range() {
		int lo = Integer.MAX_VALUE;
		int hi = Integer.MIN_VALUE;
		for (int v : entries) {
			lo = Math.min(lo, v);
			hi = Math.max(hi, v);
		}
		return new int[] {lo, hi};
	}

	/**
	 * Decodes a LUT from a descriptor and a data attribute of {@code item} (a data set or sequence item).
	 *
	 * @param image the image data set (its PixelRepresentation decides whether the first mapped value is SS)
	 * @param file the file named in errors
	 * @param what "Modality LUT", "VOI LUT", "Red Palette Color LUT", … for messages
	 * @throws DicomReadException naming the file, the tag and what is wrong: a descriptor without 3 values,
	 *         0 or more than 16 bits per entry, missing data, or data whose length does not match the descriptor
	 */
	static DicomLut decode(DicomObject image, DicomObject item, int descriptorTag, int dataTag, String what, Path file)
		throws DicomReadException {
		int[] d = descriptor(image, item, descriptorTag, what, file, 16);
		int entries = d[0];
		int bits = d[2];
		int[] words = words(item, dataTag, what, file);
		boolean signed = "SS".equals(item.vr(dataTag));
		int[] out = new int[entries];
		int mask = bits >= 16 ? 0xFFFF : (1 << bits) - 1;
		if (words.length == entries) {
			for (int i = 0; i < entries; i++) out[i] = signed ? (short) words[i] : words[i] & mask;
		} else if (bits <= 8 && words.length == (entries + 1) / 2) {
			for (int i = 0; i < entries; i++) out[i] = (words[i / 2] >>> (i % 2 == 0 ? 0 : 8)) & mask;
		} else {
			throw new DicomReadException(file, dataTag, what + ": LUT Descriptor " + Tag.toString(descriptorTag)
				+ " declares " + entries + " entries of " + bits + " bits but the LUT Data holds " + words.length
				+ " 16-bit words");
		}
		return new DicomLut(d[1], bits, out, item.getString(Tag.LUTExplanation));
	}

	/**
	 * Expands a segmented palette colour LUT (PS3.3 §C.7.9.2: discrete and linear segments; indirect segments
	 * are refused) to the number of entries its descriptor declares.
	 *
	 * @throws DicomReadException for a bad descriptor, an unknown or indirect segment opcode, a segment that
	 *         runs past the data, or an expansion whose length differs from the descriptor's
	 */
	static DicomLut decodeSegmented(DicomObject image, int descriptorTag, int dataTag, String what, Path file)
		throws DicomReadException {
		int[] d = descriptor(image, image, descriptorTag, what, file, 16);
		int[] w = words(image, dataTag, what, file);
		List<Integer> out = new ArrayList<>();
		int i = 0;
		while (i < w.length) {
			if (i + 1 >= w.length)
				throw new DicomReadException(file, dataTag, what + ": segment at word " + i + " has no length");
			int op = w[i];
			int n = w[i + 1];
			switch (op) {
				case 0 -> {
					if (i + 2 + n > w.length)
						throw new DicomReadException(file, dataTag, what + ": discrete segment at word " + i + " of " + n
							+ " values runs past the " + w.length + " words of data");
					for (int k = 0; k < n; k++) out.add(w[i + 2 + k]);
					i += 2 + n;
				}
				case 1 -> {
					if (out.isEmpty())
						throw new DicomReadException(file, dataTag, what + ": linear segment at word " + i
							+ " has no previous value to start from");
					if (i + 2 >= w.length)
						throw new DicomReadException(file, dataTag, what + ": linear segment at word " + i + " has no end value");
					double y0 = out.get(out.size() - 1);
					double y1 = w[i + 2];
					for (int k = 1; k <= n; k++) out.add((int) Math.round(y0 + (y1 - y0) * k / n));
					i += 3;
				}
				case 2 -> throw new DicomReadException(file, dataTag, what + ": indirect segments (opcode 2, at word " + i
					+ ") are not supported yet");
				default -> throw new DicomReadException(file, dataTag, what + ": unknown segment opcode " + op + " at word " + i
					+ " (0 discrete, 1 linear, 2 indirect)");
			}
			if (out.size() > 65536)
				throw new DicomReadException(file, dataTag, what + ": segments expand past 65536 entries");
		}
		if (out.size() != d[0])
			throw new DicomReadException(file, dataTag, what + ": segments expand to " + out.size()
				+ " entries but the LUT Descriptor " + Tag.toString(descriptorTag) + " declares " + d[0]);
		int mask = d[2] >= 16 ? 0xFFFF : (1 << d[2]) - 1;
		int[] e = new int[out.size()];
		for (int k = 0; k < e.length; k++) e[k] = out.get(k) & mask;
		return new DicomLut(d[1], d[2], e, null);
	}

	/** {entries, first mapped, bits}, checked. */
	private static int[] descriptor(DicomObject image, DicomObject item, int tag, String what, Path file, int maxBits)
		throws DicomReadException {
		double[] v = item.getDoubles(tag);
		if (v == null)
			throw new DicomReadException(file, tag, what + ": LUT Descriptor is missing");
		if (v.length != 3 || Double.isNaN(v[0]) || Double.isNaN(v[1]) || Double.isNaN(v[2]))
			throw new DicomReadException(file, tag, what + ": LUT Descriptor must hold 3 numbers, has " + v.length);
		int entries = ((int) v[0]) & 0xFFFF;
		if (entries == 0) entries = 65536; // PS3.3 §C.11.1.1.1: 0 means 2^16 entries
		int first = (int) v[1];
		// The descriptor is US or SS by PixelRepresentation (PS3.3 §C.11.1.1.1); it may have been read either way.
		boolean signed = image.getInt(Tag.PixelRepresentation, 0) == 1;
		if (signed && first > 32767) first -= 65536;
		if (!signed && first < 0) first += 65536;
		int bits = (int) v[2];
		if (bits < 1 || bits > maxBits)
			throw new DicomReadException(file, tag, what + ": LUT Descriptor declares " + bits
				+ " bits per entry (must be 1.." + maxBits + ")");
		return new int[] {entries, first, bits};
	}

	/** The data as 16-bit words (OW, US, SS); errors when missing, empty or of another VR. */
	private static int[] words(DicomObject item, int tag, String what, Path file) throws DicomReadException {
		if (!item.contains(tag)) throw new DicomReadException(file, tag, what + ": LUT Data is missing");
		double[] v = item.getDoubles(tag);
		if (v == null)
			throw new DicomReadException(file, tag, what + ": LUT Data has VR " + item.vr(tag) + " (OW, US or SS expected)");
		if (v.length == 0) throw new DicomReadException(file, tag, what + ": LUT Data is empty");
		int[] w = new int[v.length];
		for (int i = 0; i < v.length; i++) w[i] = ((int) v[i]) & 0xFFFF;
		return w;
	}
}
