package org.medcnn.dicom;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * A parsed DICOM data set (or one item of a sequence), as {@link DicomReader} returns it.
 * <p>
 * Values are read with explicit defaults and never throw for a missing attribute: {@link #getString} and
 * {@link #getDoubles} return null, {@link #getInt}/{@link #getDouble} the given default, {@link #getSequence}
 * an empty list. Numbers are read whatever their VR (DS, IS, US, SS, UL, SL, FL, FD…). Text is decoded with
 * the data set's SpecificCharacterSet (ISO_IR 192 = UTF-8, anything else as ISO 8859-1). An object is not
 * modified after reading and may be shared between threads.
 */
public final class DicomObject {

	private static final Set<String> TEXT_VRS = Set.of("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN",
		"SH", "ST", "TM", "UC", "UI", "UR", "UT");
	private static final Set<String> SINGLE_VALUED_TEXT = Set.of("LT", "ST", "UT", "UR");

	private final Path file;
	private final TreeMap<Integer, DicomElement> elements = new TreeMap<>(Integer::compareUnsigned);
	String transferSyntaxUID;
	Charset charset = StandardCharsets.ISO_8859_1;
	/** False when read by {@link DicomReader#readHeader}: Pixel Data bytes were not kept. */
	boolean pixelsRetained;
	/**
	 * For a sequence item: the offset of its Item tag from the start of the parsed bytes (the file offset unless
	 * the data set was deflated), as DICOMDIR record offsets count (PS3.3 §F.3.2.1); -1 otherwise.
	 */
	int itemOffset = -1;
	/** Length in bytes of what was parsed: the file (or the in-memory data) this data set came from; -1 for an item. */
	long sourceLength = -1;

	DicomObject(Path file) {
		this.file = file;
	}

	void put(DicomElement e) {
		elements.put(e.tag, e);
	}

	DicomElement element(int tag) {
		return elements.get(tag);
	}

	/** The file this data set was read from (null for in-memory data). */
	public Path file() {
		return file;
	}

	/**
	 * Length in bytes of the file (or in-memory data) the data set was read from, even after a header-only read;
	 * -1 for a sequence item. Bounds what the pixel attributes may declare ({@link DicomPixels#checkHeader}).
	 */
	public long sourceLength() {
		return sourceLength;
	}

	/**
	 * The transfer syntax the data set was decoded with: the File Meta Information's, or the one detected from
	 * the first bytes when the file has no File Meta Information.
	 */
	public String transferSyntaxUID() {
		return transferSyntaxUID;
	}

	/** Whether the attribute is present (possibly with an empty value). */
	public boolean contains(int tag) {
		return elements.containsKey(tag);
	}

	/** The tags present at this level, in ascending order. */
	public Set<Integer> tags() {
		return Collections.unmodifiableSet(new LinkedHashSet<>(elements.keySet()));
	}

	/** The VR of an attribute as read (from the file, or the dictionary for implicit VR), or null if absent. */
	public String vr(int tag) {
		DicomElement e = elements.get(tag);
		return e == null ? null : e.vr;
	}

	/** The first value as text, trimmed; null if absent or empty. Numbers of binary VRs are formatted. */
	public String getString(int tag) {
		String[] s = getStrings(tag);
		return s == null || s.length == 0 ? null : s[0];
	}

	/** All values as text, each trimmed; null if absent, empty array if the value is empty. */
	public String[] getStrings(int tag) {
		DicomElement e = elements.get(tag);
		if (e == null || e.buf == null) return e == null || e.items == null ? null : new String[0];
		if (isText(e)) {
			String s = text(e);
			if (s.isEmpty()) return new String[0];
			String[] parts = SINGLE_VALUED_TEXT.contains(e.vr) ? new String[] {s} : s.split("\\\\", -1);
			for (int i = 0; i < parts.length; i++) parts[i] = trim(parts[i]);
			return parts;
		}
		double[] d = binaryNumbers(e);
		if (d == null) return null;
		String[] out = new String[d.length];
		for (int i = 0; i < d.length; i++)
			out[i] = e.vr.equals("AT") ? Tag.toString((int) (long) d[i]) : d[i] == Math.rint(d[i]) && Math.abs(d[i]) < 1e15 ? Long.toString((long) d[i]) : Double.toString(d[i]);
		return out;
	}

	/** The first value as an int, or {@code def} when absent, empty or not a number. */
	public int getInt(int tag, int def) {
		double[] d = getDoubles(tag);
		if (d == null || d.length == 0 || Double.isNaN(d[0])) return def;
		return (int) Math.round(d[0]);
	}

	/** The first value as a double, or {@code def} when absent, empty or not a number. */
	public double getDouble(int tag, double def) {
		double[] d = getDoubles(tag);
		if (d == null || d.length == 0 || Double.isNaN(d[0])) return def;
		return d[0];
	}

	/**
	 * All values as numbers, or null if absent: DS/IS (and text UN) are parsed (a value that is not a number
	 * becomes NaN); US, SS, UL, SL, FL, FD, SV, UV, OF, OD, OW (as unsigned 16-bit) and OL are decoded in the
	 * data set's byte order.
	 */
	public double[] getDoubles(int tag) {
		DicomElement e = elements.get(tag);
		if (e == null || e.buf == null) return null;
		if (isText(e)) {
			String s = text(e);
			if (s.isEmpty()) return new double[0];
			// One value at a time: a long value (an RT contour of a million points) never becomes an array of strings.
			int n = 1;
			for (int i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) n++;
			double[] d = new double[n];
			int from = 0;
			for (int k = 0; k < n; k++) {
				int to = s.indexOf('\\', from);
				if (to < 0) to = s.length();
				d[k] = parseNumber(trim(s.substring(from, to)));
				from = to + 1;
			}
			return d;
		}
		return binaryNumbers(e);
	}

	/** The items of a sequence; an empty list if absent or not a sequence. */
	public List<DicomObject> getSequence(int tag) {
		DicomElement e = elements.get(tag);
		return e == null || e.items == null ? List.of() : e.items;
	}

	/**
	 * A copy of the raw value bytes (in the file's byte order), or null if absent, if a sequence, if Pixel Data
	 * is encapsulated (see {@link #pixelDataFragments()}) or was not retained (header-only read).
	 */
	public byte[] getBytes(int tag) {
		DicomElement e = elements.get(tag);
		if (e == null || e.buf == null || e.fragments != null) return null;
		return Arrays.copyOfRange(e.buf, e.off, e.off + e.len);
	}

	/** Whether the data set has Pixel Data (even if its bytes were not retained). */
	public boolean hasPixelData() {
		return elements.containsKey(Tag.PixelData);
	}

	/** Whether Pixel Data is encapsulated (compressed fragments, PS3.5 §A.4). */
	public boolean isPixelDataEncapsulated() {
		DicomElement e = elements.get(Tag.PixelData);
		return e != null && e.isEncapsulated();
	}

	/** Whether Pixel Data bytes were kept ({@link DicomReader#read}) rather than skipped (readHeader). */
	public boolean pixelDataRetained() {
		return pixelsRetained && hasPixelData();
	}

	/**
	 * The fragments of encapsulated Pixel Data, without the Basic Offset Table (copies); empty when Pixel Data
	 * is not encapsulated or was not retained.
	 */
	public List<byte[]> pixelDataFragments() {
		DicomElement e = elements.get(Tag.PixelData);
		if (e == null || e.fragments == null) return List.of();
		List<byte[]> out = new ArrayList<>();
		for (int i = 1; i < e.fragments.size(); i++) {
			long[] f = e.fragments.get(i);
			try {
				out.add(DicomPixels.pixelBytes(file, e, f[0], f[1]));
			} catch (DicomReadException x) {
				throw new java.io.UncheckedIOException(x);
			}
		}
		return out;
	}

	/**
	 * A human-readable listing, one attribute a line ({@code (0010,0010) PN PatientName: (hidden)}), sequence
	 * items indented. Patient and person identifiers (and every PN value) are replaced by "(hidden)" unless
	 * {@code showIdentifiers}.
	 */
	public String dump(boolean showIdentifiers) {
		StringBuilder sb = new StringBuilder();
		dump(sb, "", showIdentifiers);
		return sb.toString();
	}

	private void dump(StringBuilder sb, String indent, boolean show) {
		for (DicomElement e : elements.values()) {
			String name = DicomTags.keyword(e.tag);
			sb.append(indent).append(Tag.toString(e.tag)).append(' ').append(e.vr).append(' ')
				.append(name == null ? ((e.tag >>> 16) % 2 == 1 ? "Private" : "Unknown") : name).append(": ");
			boolean hidden = !show && (DicomTags.isIdentifier(e.tag) || "PN".equals(e.vr));
			if (hidden) {
				sb.append("(hidden)\n");
			} else if (e.items != null) {
				sb.append(e.items.size()).append(e.items.size() == 1 ? " item\n" : " items\n");
				for (int i = 0; i < e.items.size(); i++) {
					sb.append(indent).append("  > item ").append(i + 1).append('\n');
					e.items.get(i).dump(sb, indent + "    ", show);
				}
			} else {
				sb.append(describeValue(e)).append('\n');
			}
		}
	}

	private String describeValue(DicomElement e) {
		if (e.fragments != null) return "[encapsulated, " + Math.max(0, e.fragments.size() - 1) + " fragments]";
		if (e.buf == null)
			return e.declaredLength < 0 ? "[encapsulated, not read]" : "[" + e.declaredLength + " bytes, not read]";
		if (isText(e)) {
			String s = text(e);
			return s.length() > 100 ? s.substring(0, 100) + "…" : s;
		}
		double[] d = e.vr.equals("OB") || e.vr.equals("OW") || e.vr.equals("UN") || e.len > 64 ? null : binaryNumbers(e);
		if (d == null) return "[" + e.len + " bytes]";
		String[] s = getStrings(e.tag);
		return String.join("\\", s);
	}

	// ---- decoding ----

	private boolean isText(DicomElement e) {
		if (TEXT_VRS.contains(e.vr)) return true;
		if (!e.vr.equals("UN")) return false;
		// Implicit VR attributes missing from the dictionary: text when every byte is printable.
		if (e.len == 0) return true;
		for (int i = e.off; i < e.off + e.len; i++) {
			int c = e.buf[i] & 0xFF;
			if (c < 0x20 && c != 0 && c != '\t' && c != '\r' && c != '\n' && c != 0x1B) return false;
			if (c == 0 && i != e.off + e.len - 1) return false;
		}
		return true;
	}

	private String text(DicomElement e) {
		Charset cs = e.vr.equals("UI") || e.vr.equals("CS") || e.vr.equals("DS") || e.vr.equals("IS")
			? StandardCharsets.US_ASCII : charset;
		return trim(new String(e.buf, e.off, e.len, cs));
	}

	private static String trim(String s) {
		int a = 0;
		int b = s.length();
		while (a < b && (s.charAt(a) <= ' ')) a++;
		while (b > a && (s.charAt(b - 1) <= ' ')) b--;
		return s.substring(a, b);
	}

	private static double parseNumber(String s) {
		if (s.isEmpty()) return Double.NaN;
		try {
			return Double.parseDouble(s);
		} catch (NumberFormatException ex) {
			return Double.NaN; // documented: a value that is not a number reads as NaN
		}
	}

	private double[] binaryNumbers(DicomElement e) {
		int size;
		switch (e.vr) {
			case "US", "SS", "OW" -> size = 2;
			case "UL", "SL", "FL", "OF", "OL", "AT" -> size = 4;
			case "FD", "OD", "SV", "UV", "OV" -> size = 8;
			case "UN" -> size = e.len == 2 ? 2 : e.len == 4 ? 4 : 0;
			default -> size = 0;
		}
		if (size == 0) return null;
		int n = e.len / size;
		boolean be = e.bigEndian;
		double[] d = new double[n];
		for (int i = 0; i < n; i++) {
			int p = e.off + i * size;
			d[i] = switch (e.vr) {
				case "US", "OW" -> u16(e.buf, p, be);
				case "SS" -> (short) u16(e.buf, p, be);
				case "UL", "OL" -> s32(e.buf, p, be) & 0xFFFFFFFFL;
				case "AT" -> (((long) u16(e.buf, p, be)) << 16) | u16(e.buf, p + 2, be);
				case "SL" -> s32(e.buf, p, be);
				case "FL", "OF" -> Float.intBitsToFloat(s32(e.buf, p, be));
				case "FD", "OD" -> Double.longBitsToDouble(s64(e.buf, p, be));
				case "SV" -> s64(e.buf, p, be);
				case "UV", "OV" -> unsigned64(s64(e.buf, p, be));
				default -> size == 2 ? u16(e.buf, p, be) : s32(e.buf, p, be) & 0xFFFFFFFFL; // UN: implicit VR LE
			};
		}
		return d;
	}

	private static double unsigned64(long v) {
		return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
	}

	static int u16(byte[] b, int p, boolean bigEndian) {
		return bigEndian ? ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF) : (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
	}

	static int s32(byte[] b, int p, boolean bigEndian) {
		return bigEndian
			? ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF)
			: (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8) | ((b[p + 2] & 0xFF) << 16) | ((b[p + 3] & 0xFF) << 24);
	}

	static long s64(byte[] b, int p, boolean bigEndian) {
		long lo = s32(b, bigEndian ? p + 4 : p, bigEndian) & 0xFFFFFFFFL;
		long hi = s32(b, bigEndian ? p : p + 4, bigEndian);
		return (hi << 32) | lo;
	}

	@Override
	public String toString() {
		return "DicomObject[" + (file == null ? "in memory" : file.getFileName()) + ", " + elements.size()
			+ " attributes]";
	}
}
