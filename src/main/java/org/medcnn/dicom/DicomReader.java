package org.medcnn.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.medcnn.common.HeapBudget;

/**
 * Reads DICOM files (PS3.10) into {@link DicomObject}s: with or without the 128-byte preamble and "DICM",
 * with or without File Meta Information (the encoding is then detected from the first element), in Implicit VR
 * Little Endian, Explicit VR Little/Big Endian and Deflated Explicit VR Little Endian, with nested sequences of
 * defined or undefined length. Encapsulated Pixel Data is split into its fragments; decoding pixels is
 * {@link DicomPixels}' job.
 * <p>
 * Every length is checked against the bytes that remain, so a damaged file gives a
 * {@link DicomReadException} naming the file, tag, offset and what is wrong, never an OutOfMemoryError or a
 * hang. The file is read once into memory (header-only reads take a 64 KiB prefix and extend it only when the
 * header is longer). Stateless and thread-safe.
 */
public final class DicomReader {

	/** Bytes read first for header-only reads; most headers end well before this. */
	static final int HEADER_PREFIX = 64 * 1024;
	/** Nesting limit for sequences: real data sets stay below 10; a hostile file must not overflow the stack. */
	static final int MAX_DEPTH = 32;
	/** Deflated data sets may not inflate beyond this (a deflate bomb must not exhaust memory). */
	static final int MAX_INFLATED = 1 << 30;
	/** Bytes per read of a file into memory. */
	private static final int READ_SLICE = 8 << 20;
	/** Elements and items parsed between two checks of the heap. */
	static final int COUNT_CHECK = 1 << 16;
	/** Heap that must stay free while parsing goes on (bytes). */
	static final long HEAP_RESERVE = 64L << 20;

	private static final long UNDEFINED = 0xFFFFFFFFL;

	private DicomReader() {}

	/**
	 * Reads the data set up to Pixel Data, without pixel bytes (their declared length is still checked). Files of any
	 * size: only the bytes before Pixel Data are read (growing prefixes, at most {@value #MAX_HEADER_BYTES} bytes of them
	 * for a file too large to read whole).
	 */
	public static DicomObject readHeader(Path file) throws DicomReadException {
		long size = fileSize(file);
		if (size > HEADER_PREFIX) {
			for (long n = HEADER_PREFIX;; n *= 16) {
				byte[] prefix = readBytes(file, n);
				try {
					return new Parser(file, prefix, size, true, true).parse();
				} catch (NeedMore e) {
					// The header runs past the prefix: the whole file below, or a longer prefix of a file too large for that.
				}
				if (size <= MAX_WHOLE_FILE || n * 16 > MAX_HEADER_BYTES) break;
			}
		}
		if (size > MAX_WHOLE_FILE)
			throw new DicomReadException(file, -1, "the data set before Pixel Data is longer than " + MAX_HEADER_BYTES
				+ " bytes in a file of " + size + " bytes, too large to read whole: not a DICOM image this version can read");
		return new Parser(file, readBytes(file, size), size, false, true).parse();
	}

	/** Most bytes a header read takes from a file too large to read whole. */
	static final int MAX_HEADER_BYTES = 256 << 20;
	/** Largest file read whole (one Java array). */
	static final long MAX_WHOLE_FILE = Integer.MAX_VALUE - 64;

	/**
	 * Reads the whole data set, Pixel Data included. A file too large for one Java array (over
	 * {@value #MAX_WHOLE_FILE} bytes, e.g. a 2.1 GB multi-frame CT) is not held in memory: its data set before Pixel
	 * Data is read as by {@link #readHeader}, and its Pixel Data stays in the file, located by 64-bit offsets (the value
	 * of native data; each item of encapsulated data, whose headers are read and bounded by the file's length), for
	 * {@link DicomPixels} to read one frame at a time. Elements after Pixel Data (trailing padding) are then not read.
	 */
	public static DicomObject read(Path file) throws DicomReadException {
		long size = fileSize(file);
		if (size > MAX_WHOLE_FILE) return readPixelsInFile(file, size);
		return new Parser(file, readBytes(file, size), size, false, false).parse();
	}

	/**
	 * {@link #read(Path)} with the Pixel Data left in the file, whatever the file's size (package-private so that tests
	 * can compare it with the whole-file read on small files).
	 */
	static DicomObject readPixelsInFile(Path file) throws DicomReadException {
		return readPixelsInFile(file, fileSize(file));
	}

	private static DicomObject readPixelsInFile(Path file, long size) throws DicomReadException {
		DicomObject o = readHeader(file);
		DicomElement px = o.element(Tag.PixelData);
		if (px == null) {
			if (size > MAX_WHOLE_FILE) throw new DicomReadException(file, -1, "the file is " + size + " bytes and has no "
				+ "Pixel Data: too large to read whole (one Java array holds at most " + MAX_WHOLE_FILE + " bytes)");
			return read(readBytes(file, size), file, false);
		}
		if (TransferSyntax.of(o.transferSyntaxUID()).deflated() || px.off < 0)
			throw new DicomReadException(file, Tag.PixelData, "the file is " + size + " bytes in a deflated transfer syntax:"
				+ " too large to inflate (at most " + MAX_INFLATED + " bytes)");
		if (px.isEncapsulated()) o.put(DicomElement.encapsulatedInFile(px.tag, px.vr, fragments(file, px.off, size)));
		else o.put(DicomElement.nativeInFile(px.tag, px.vr, px.off, px.declaredLength, px.bigEndian));
		o.pixelsRetained = true;
		return o;
	}

	/**
	 * The items of encapsulated Pixel Data from file offset {@code pos} to its Sequence Delimitation Item, as {value
	 * offset, length}, read 8 bytes at a time: every length is bounded by the file, and the heap is checked every
	 * {@value #COUNT_CHECK} items, so that a file of empty items cannot exhaust memory.
	 */
	private static List<long[]> fragments(Path file, long pos, long size) throws DicomReadException {
		List<long[]> out = new ArrayList<>();
		ByteBuffer item = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			while (true) {
				if (size - pos < 8)
					throw new DicomReadException(file, Tag.PixelData, "a fragment header needs 8 bytes at offset " + pos
						+ " but the file ends at offset " + size + ": truncated or damaged");
				item.clear();
				while (item.hasRemaining())
					if (ch.read(item, pos + item.position()) < 0)
						throw new DicomReadException(file, Tag.PixelData, "the file ended at offset " + (pos + item.position())
							+ " inside a fragment header (it shrank while being read?)");
				int tag = (item.getShort(0) & 0xFFFF) << 16 | (item.getShort(2) & 0xFFFF);
				long len = Integer.toUnsignedLong(item.getInt(4));
				if (tag == Tag.SequenceDelimitationItem) break;
				if (tag != Tag.Item)
					throw new DicomReadException(file, Tag.PixelData, "expected a fragment Item (FFFE,E000) at offset " + pos
						+ " but found " + Tag.toString(tag));
				if (len == UNDEFINED)
					throw new DicomReadException(file, Tag.PixelData, "fragment at offset " + pos + " has undefined length");
				if (len > size - pos - 8)
					throw new DicomReadException(file, Tag.PixelData, "a fragment needs " + len + " bytes at offset " + (pos
						+ 8) + " but the file ends at offset " + size + " (" + (size - pos - 8) + " bytes left): truncated or "
						+ "damaged");
				out.add(new long[] {pos + 8, len});
				pos += 8 + len;
				if (out.size() % COUNT_CHECK == 0) {
					String why = HeapBudget.shortfall(HEAP_RESERVE, "reading " + out.size() + " fragments of Pixel Data (up "
						+ "to offset " + pos + ")");
					if (why != null) throw new DicomReadException(file, Tag.PixelData, why);
				}
			}
		} catch (DicomReadException e) {
			throw e;
		} catch (IOException e) {
			throw new DicomReadException(file, -1, "cannot read the file: " + e.getMessage(), e);
		}
		if (out.isEmpty()) throw new DicomReadException(file, Tag.PixelData, "encapsulated Pixel Data has no Basic Offset "
			+ "Table item");
		return out;
	}

	/**
	 * Parses DICOM bytes held in memory (a whole Part 10 file, or a bare data set).
	 *
	 * @param name used in error messages and returned by {@link DicomObject#file()}; may be null
	 * @param headerOnly stop before Pixel Data
	 */
	public static DicomObject read(byte[] data, Path name, boolean headerOnly) throws DicomReadException {
		return new Parser(name, data, data.length, false, headerOnly).parse();
	}

	private static long fileSize(Path file) throws DicomReadException {
		try {
			return Files.size(file);
		} catch (NoSuchFileException e) {
			throw new DicomReadException(file, -1, "no such file", e);
		} catch (IOException e) {
			throw new DicomReadException(file, -1, "cannot read the file: " + e.getMessage(), e);
		}
	}

	private static byte[] readBytes(Path file, long n) throws DicomReadException {
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			ByteBuffer buf = ByteBuffer.allocate((int) Math.min(n, ch.size()));
			while (buf.hasRemaining()) {
				// In slices: a read into a heap buffer goes through a temporary direct buffer of the read's size, so
				// one read of a 2 GB file would hold 2 GB more outside the heap, out of reach of -Xmx.
				buf.limit(buf.position() + Math.min(READ_SLICE, buf.capacity() - buf.position()));
				int r = ch.read(buf);
				buf.limit(buf.capacity());
				if (r < 0) break;
			}
			if (buf.hasRemaining()) return Arrays.copyOf(buf.array(), buf.position()); // shrank while reading
			return buf.array();
		} catch (IOException e) {
			throw new DicomReadException(file, -1, "cannot read the file: " + e.getMessage(), e);
		}
	}

	/** Thrown inside a prefix read when the header continues past the prefix; never escapes this class. */
	private static final class NeedMore extends RuntimeException {
		private static final long serialVersionUID = 1L;

		NeedMore() {
			super(null, null, false, false);
		}
	}

	/** One parse of one buffer; not reused. */
	private static final class Parser {
		private final Path file;
		private final byte[] b;
		private final int end;
		/** Length of the whole source: the file, or the inflated data set. */
		private final long sourceLength;
		private final boolean prefix;
		private final boolean headerOnly;
		private final String where;
		private boolean explicit = true;
		private boolean big;
		private boolean stopped;
		private Charset charset = StandardCharsets.ISO_8859_1;
		/** Elements and items parsed so far: each costs about ten times its bytes in objects (see {@link #count}). */
		private long parsed;

		Parser(Path file, byte[] b, long sourceLength, boolean prefix, boolean headerOnly) {
			this(file, b, sourceLength, prefix, headerOnly, "");
		}

		private Parser(Path file, byte[] b, long sourceLength, boolean prefix, boolean headerOnly, String where) {
			this.file = file;
			this.b = b;
			this.end = b.length;
			this.sourceLength = sourceLength;
			this.prefix = prefix;
			this.headerOnly = headerOnly;
			this.where = where;
		}

		DicomObject parse() throws DicomReadException {
			if (sourceLength == 0) throw err(-1, "the file is empty (0 bytes)");
			int pos = 0;
			if (end >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') pos = 132;
			else if (end >= 4 && b[0] == 'D' && b[1] == 'I' && b[2] == 'C' && b[3] == 'M') pos = 4;
			DicomObject obj = new DicomObject(file);
			obj.pixelsRetained = !headerOnly;
			obj.sourceLength = sourceLength;
			String ts = null;
			if (end - pos >= 8 && u16le(pos) == 0x0002 && isVr(pos + 4)) {
				explicit = true;
				big = false;
				pos = parseDataset(obj, pos, end, false, 0, true);
				ts = obj.getString(Tag.TransferSyntaxUID);
			}
			if (ts == null || ts.isEmpty()) ts = sniff(pos);
			TransferSyntax t = TransferSyntax.of(ts);
			obj.transferSyntaxUID = ts;
			explicit = t.explicitVr();
			big = t.bigEndian();
			int before = obj.tags().size();
			if (t.deflated()) {
				if (prefix) throw new NeedMore();
				byte[] inflated = inflate(pos);
				Parser p = new Parser(file, inflated, inflated.length, false, headerOnly, " of the inflated data set");
				p.parseDataset(obj, 0, inflated.length, false, 0, false);
			} else {
				parseDataset(obj, pos, end, false, 0, false);
			}
			if (obj.tags().size() == before)
				throw err(-1, "no data set after the File Meta Information (file ends at offset " + pos + ")");
			return obj;
		}

		/** Detects the encoding of a data set without File Meta Information from its first element. */
		private String sniff(int pos) throws DicomReadException {
			if (end - pos < 8)
				throw err(-1, "not a DICOM file: too short (" + sourceLength + " bytes) and no 'DICM' marker");
			boolean vr = isVr(pos + 4);
			if (plausibleGroup(u16le(pos)) && vr) return TransferSyntax.EXPLICIT_LE;
			if (plausibleGroup(u16be(pos)) && vr) return TransferSyntax.EXPLICIT_BE;
			if (plausibleGroup(u16le(pos))) {
				long len = u32le(pos + 4);
				if (len == UNDEFINED || len <= sourceLength - pos - 8) return TransferSyntax.IMPLICIT_LE;
			}
			StringBuilder hex = new StringBuilder();
			for (int i = pos; i < pos + 8; i++) hex.append(String.format("%02X", b[i] & 0xFF));
			throw err(-1, "not a DICOM file: no 'DICM' marker at offset 128 and the first bytes (" + hex
				+ ") are not a DICOM element");
		}

		private static boolean plausibleGroup(int g) {
			// A data set without File Meta starts with a low group (0008 in practice); text and images do not.
			return g >= 0x0002 && g <= 0x0030 && (g & 1) == 0;
		}

		private byte[] inflate(int pos) throws DicomReadException {
			Inflater inf = new Inflater(true);
			try {
				inf.setInput(b, pos, end - pos);
				byte[] out = new byte[Math.max(1024, Math.min(MAX_INFLATED, (end - pos) * 4))];
				int n = 0;
				while (!inf.finished()) {
					if (n == out.length) {
						if (out.length >= MAX_INFLATED)
							throw err(-1, "deflated data set inflates beyond " + MAX_INFLATED + " bytes");
						out = Arrays.copyOf(out, (int) Math.min(MAX_INFLATED, 2L * out.length));
					}
					int k = inf.inflate(out, n, out.length - n);
					if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break; // truncated: parsing will say where
					n += k;
				}
				return Arrays.copyOf(out, n);
			} catch (DataFormatException e) {
				throw err(-1, "the deflated data set after offset " + pos + " is corrupt: " + e.getMessage());
			} finally {
				inf.end();
			}
		}

		/**
		 * Parses elements from pos until limit, an Item Delimitation Item (when inItem), Pixel Data in
		 * header-only mode, or (metaOnly) the first element outside group 0002. Returns the position after.
		 */
		private int parseDataset(DicomObject obj, int pos, int limit, boolean inItem, int depth, boolean metaOnly)
			throws DicomReadException {
			while (true) {
				if (pos >= limit) {
					if (prefix && limit == end) throw new NeedMore();
					if (inItem)
						throw err(-1, "item starting before offset " + pos + where
							+ " has no Item Delimitation Item before the end of its sequence or the file");
					return pos;
				}
				need(pos, 8, -1, "an element header");
				count(pos);
				int tag = tag(pos);
				if (metaOnly && (tag >>> 16) != 0x0002) return pos;
				if (tag == Tag.ItemDelimitationItem) {
					if (inItem) return pos + 8;
					throw err(tag, "Item Delimitation Item outside an item at offset " + pos + where);
				}
				if (tag == Tag.SequenceDelimitationItem || tag == Tag.Item)
					throw err(tag, "unexpected " + DicomTags.keyword(tag) + " at offset " + pos + where
						+ " outside a sequence");
				String vr;
				long len;
				int hdr;
				if (explicit) {
					if (!isVr(pos + 4))
						throw err(tag, String.format("invalid VR bytes %02X %02X at offset %d%s", b[pos + 4], b[pos + 5],
							pos + 4, where));
					vr = new String(b, pos + 4, 2, StandardCharsets.US_ASCII);
					if (longLength(vr)) {
						need(pos, 12, tag, "an element header");
						len = u32(pos + 8);
						hdr = 12;
					} else {
						len = u16(pos + 6);
						hdr = 8;
					}
				} else {
					vr = DicomTags.vr(tag);
					len = u32(pos + 4);
					hdr = 8;
				}
				int vpos = pos + hdr;
				boolean undefined = len == UNDEFINED;
				if (depth == 0 && (tag == Tag.PixelData || tag == Tag.FloatPixelData || tag == Tag.DoubleFloatPixelData)) {
					if (!explicit && tag == Tag.PixelData) vr = "OW";
					pos = pixelData(obj, tag, vr, vpos, len, limit);
					if (stopped) return pos;
					continue;
				}
				boolean sq = vr.equals("SQ") || (undefined && vr.equals("UN"))
					|| (!explicit && (undefined || (vr.equals("UN") && len >= 8 && len <= limit - vpos && startsItem(vpos))));
				if (sq) {
					if (depth >= MAX_DEPTH)
						throw err(tag, "sequences nested deeper than " + MAX_DEPTH + " levels at offset " + pos + where);
					boolean saveExplicit = explicit;
					boolean saveBig = big;
					// PS3.5 §6.2.2: a UN value of undefined length is a sequence in Implicit VR Little Endian.
					if (vr.equals("UN") && explicit) {
						explicit = false;
						big = false;
					}
					List<DicomObject> items = new ArrayList<>();
					pos = parseSequence(items, tag, vpos, undefined ? -1 : len, limit, depth + 1);
					explicit = saveExplicit;
					big = saveBig;
					obj.put(DicomElement.sequence(tag, items));
					continue;
				}
				if (undefined)
					throw err(tag, "undefined length at offset " + pos + where + " for VR " + vr
						+ " (only sequences and Pixel Data may have it)");
				need(vpos, len, tag, "its value");
				if (len > limit - vpos)
					throw err(tag, "value of " + len + " bytes at offset " + vpos + where
						+ " runs past the end of its item (offset " + limit + ")");
				int n = (int) len;
				obj.put(DicomElement.value(tag, vr, Arrays.copyOfRange(b, vpos, vpos + n), 0, n, big));
				if (tag == Tag.SpecificCharacterSet && depth == 0) {
					charset = charsetOf(obj.getStrings(tag));
					obj.charset = charset;
				}
				pos = vpos + n;
			}
		}

		private int parseSequence(List<DicomObject> items, int seqTag, int pos, long len, int outerLimit, int depth)
			throws DicomReadException {
			boolean undefined = len < 0;
			int seqEnd = outerLimit;
			if (!undefined) {
				need(pos, len, seqTag, "its sequence");
				if (len > outerLimit - pos)
					throw err(seqTag, "sequence of " + len + " bytes at offset " + pos + where
						+ " runs past the end of its enclosing item (offset " + outerLimit + ")");
				seqEnd = pos + (int) len;
			}
			while (true) {
				if (pos >= seqEnd) {
					if (!undefined) return pos;
					if (prefix && seqEnd == end) throw new NeedMore();
					throw err(seqTag, "sequence has no Sequence Delimitation Item before offset " + seqEnd + where);
				}
				need(pos, 8, seqTag, "an item header");
				count(pos);
				int t = tag(pos);
				long il = u32(pos + 4);
				if (t == Tag.SequenceDelimitationItem) return undefined ? pos + 8 : seqEnd;
				if (t != Tag.Item)
					throw err(seqTag, "expected an Item (FFFE,E000) at offset " + pos + where + " but found "
						+ Tag.toString(t));
				DicomObject child = new DicomObject(file);
				child.charset = charset;
				child.pixelsRetained = !headerOnly;
				child.itemOffset = pos;
				if (il == UNDEFINED) {
					pos = parseDataset(child, pos + 8, seqEnd, true, depth, false);
				} else {
					need(pos + 8, il, seqTag, "an item");
					if (il > seqEnd - pos - 8)
						throw err(seqTag, "item of " + il + " bytes at offset " + pos + where
							+ " runs past the end of its sequence (offset " + seqEnd + ")");
					int itemEnd = pos + 8 + (int) il;
					parseDataset(child, pos + 8, itemEnd, false, depth, false);
					pos = itemEnd;
				}
				items.add(child);
			}
		}

		private int pixelData(DicomObject obj, int tag, String vr, int vpos, long len, int limit)
			throws DicomReadException {
			if (len == UNDEFINED) {
				if (headerOnly) {
					obj.put(DicomElement.encapsulatedNotRetained(tag, vr, vpos));
					stopped = true;
					return vpos;
				}
				List<long[]> fragments = new ArrayList<>();
				int pos = vpos;
				while (true) {
					need(pos, 8, tag, "a fragment header");
					int t = tag(pos);
					long fl = u32(pos + 4);
					if (t == Tag.SequenceDelimitationItem) {
						pos += 8;
						break;
					}
					if (t != Tag.Item)
						throw err(tag, "expected a fragment Item (FFFE,E000) at offset " + pos + where + " but found "
							+ Tag.toString(t));
					if (fl == UNDEFINED) throw err(tag, "fragment at offset " + pos + where + " has undefined length");
					need(pos + 8, fl, tag, "a fragment");
					fragments.add(new long[] {pos + 8, fl});
					pos += 8 + (int) fl;
				}
				if (fragments.isEmpty()) throw err(tag, "encapsulated Pixel Data has no Basic Offset Table item");
				obj.put(DicomElement.encapsulated(tag, vr, b, fragments));
				return pos;
			}
			if (len > sourceLength - vpos)
				throw err(tag, "value length " + len + " at offset " + vpos + where + " runs past the end of the file ("
					+ (sourceLength - vpos) + " bytes left)");
			if (headerOnly) {
				obj.put(DicomElement.notRetained(tag, vr, len, where.isEmpty() ? vpos : -1, big));
				stopped = true;
				return vpos;
			}
			need(vpos, len, tag, "its value");
			if (len > limit - vpos) throw err(tag, "value runs past the end of the data set");
			obj.put(DicomElement.value(tag, vr, b, vpos, (int) len, big));
			return vpos + (int) len;
		}

		/**
		 * Counts an element or item. An empty one takes 8 bytes of the file but some 100 bytes of objects, so a file
		 * of nothing but empty items could exhaust the heap while its lengths are all in bounds: every
		 * {@value #COUNT_CHECK} of them the heap is checked, and the read refused when it runs low.
		 */
		private void count(int pos) throws DicomReadException {
			if (++parsed % COUNT_CHECK != 0) return;
			String why = HeapBudget.shortfall(HEAP_RESERVE, "reading " + parsed + " data elements and items (up to offset "
				+ pos + where + ")");
			if (why != null) throw err(-1, why);
		}

		// ---- bounds and numbers ----

		private void need(int pos, long n, int tag, String what) throws DicomReadException {
			if (n > end - pos) {
				if (prefix) throw new NeedMore();
				throw err(tag, what + " needs " + n + " bytes at offset " + pos + where + " but the "
					+ (where.isEmpty() ? "file" : "data set") + " ends at offset " + sourceLength + " ("
					+ Math.max(0, end - pos) + " bytes left): truncated or damaged");
			}
		}

		private DicomReadException err(int tag, String reason) {
			return new DicomReadException(file, tag, reason);
		}

		private boolean startsItem(int p) {
			return p + 4 <= end && tag(p) == Tag.Item;
		}

		private boolean isVr(int p) {
			if (p + 2 > end) return false;
			int c0 = b[p];
			int c1 = b[p + 1];
			return c0 >= 'A' && c0 <= 'Z' && c1 >= 'A' && c1 <= 'Z' && VRS.contains((char) c0 + "" + (char) c1);
		}

		private static final java.util.Set<String> VRS = java.util.Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT",
			"FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV",
			"TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV");

		private static boolean longLength(String vr) {
			return switch (vr) {
				case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
				default -> false;
			};
		}

		private int tag(int p) {
			return (u16(p) << 16) | u16(p + 2);
		}

		private int u16(int p) {
			return big ? u16be(p) : u16le(p);
		}

		private long u32(int p) {
			return big
				? ((long) (b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF)
				: u32le(p);
		}

		private int u16le(int p) {
			return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
		}

		private int u16be(int p) {
			return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
		}

		private long u32le(int p) {
			return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8) | ((b[p + 2] & 0xFF) << 16) | ((long) (b[p + 3] & 0xFF) << 24);
		}

		private static Charset charsetOf(String[] terms) {
			if (terms != null)
				for (String t : terms)
					if (t.equals("ISO_IR 192") || t.equals("ISO 2022 IR 192")) return StandardCharsets.UTF_8;
			return StandardCharsets.ISO_8859_1;
		}
	}
}
