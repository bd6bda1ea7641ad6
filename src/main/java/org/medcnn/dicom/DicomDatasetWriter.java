package org.medcnn.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Encodes DICOM data sets with nested sequences as Explicit VR Little Endian (PS3.5 §7.1.2) and writes them as
 * PS3.10 files. Every value, item and sequence has a defined length, computed bottom-up when the data set is
 * encoded; every value is padded to even length (text with a space, UI and binary values with NUL, PS3.5
 * §6.2 and §9.1). The one exception is encapsulated Pixel Data ({@link Dataset#encapsulated}: undefined length,
 * a Basic Offset Table and one fragment per frame, PS3.5 §A.4), written with the compressed transfer syntax its
 * fragments use ({@link #writeFile(Path, Dataset, String, String, String)}).
 * <p>
 * Build a {@link Dataset} (elements are kept in ascending tag order whatever the order they were added in;
 * adding a tag again replaces it), then {@link #encodeFile} or {@link #writeFile}. Text is encoded as
 * ISO 646 (ASCII); a data set whose text holds other characters must declare SpecificCharacterSet
 * "ISO_IR 192" via {@link Dataset#utf8()}, which switches its text (and that of its items) to UTF-8. Not
 * thread-safe while being built; the static methods are stateless.
 */
public final class DicomDatasetWriter {

	/** Explicit VR Little Endian, the transfer syntax written unless encapsulated Pixel Data needs another. */
	public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";

	/** VRs with two reserved bytes and a 32-bit length in explicit VR (PS3.5 Table 7.1-1). */
	private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR",
		"UT", "UV");
	private static final Set<String> TEXT_VRS = Set.of("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH",
		"ST", "TM", "UC", "UR", "UT");

	private DicomDatasetWriter() {}

	/** A data set (or a sequence item) under construction. */
	public static final class Dataset {
		private final Map<Integer, Object[]> elements = new TreeMap<>(Integer::compareUnsigned);
		private Charset charset = StandardCharsets.US_ASCII;

		/** Text of this data set and of its items is UTF-8; writes SpecificCharacterSet "ISO_IR 192". */
		public Dataset utf8() {
			charset = StandardCharsets.UTF_8;
			return text(Tag.SpecificCharacterSet, "CS", "ISO_IR 192");
		}

		/**
		 * A text attribute; several values are joined with a backslash. An empty call (no values) writes an
		 * empty (zero-length) value, as type 2 attributes need.
		 *
		 * @throws IllegalArgumentException if the VR is not a text VR
		 */
		public Dataset text(int tag, String vr, String... values) {
			if (!TEXT_VRS.contains(vr)) throw new IllegalArgumentException(vr + " is not a text VR (tag " + Tag.toString(tag) + ")");
			elements.put(tag, new Object[] {vr, String.join("\\", values)});
			return this;
		}

		/** A UI attribute (several values joined with a backslash). */
		public Dataset uid(int tag, String... uids) {
			for (String u : uids)
				if (!Uids.isValid(u)) throw new IllegalArgumentException("not a valid UID for " + Tag.toString(tag) + ": '" + u + "'");
			byte[] b = String.join("\\", uids).getBytes(StandardCharsets.US_ASCII);
			return bytes(tag, "UI", b.length % 2 == 0 ? b : Arrays.copyOf(b, b.length + 1));
		}

		/** A US attribute. */
		public Dataset us(int tag, int... values) {
			byte[] b = new byte[values.length * 2];
			for (int i = 0; i < values.length; i++) {
				if (values[i] < 0 || values[i] > 0xFFFF)
					throw new IllegalArgumentException("US value " + values[i] + " of " + Tag.toString(tag) + " is outside 0..65535");
				b[2 * i] = (byte) values[i];
				b[2 * i + 1] = (byte) (values[i] >> 8);
			}
			return bytes(tag, "US", b);
		}

		/** A UL attribute. */
		public Dataset ul(int tag, long... values) {
			byte[] b = new byte[values.length * 4];
			for (int i = 0; i < values.length; i++) {
				if (values[i] < 0 || values[i] > 0xFFFFFFFFL)
					throw new IllegalArgumentException("UL value " + values[i] + " of " + Tag.toString(tag) + " is out of range");
				putLe32(b, 4 * i, (int) values[i]);
			}
			return bytes(tag, "UL", b);
		}

		/** An AT attribute: tags as values. */
		public Dataset at(int tag, int... tags) {
			byte[] b = new byte[tags.length * 4];
			for (int i = 0; i < tags.length; i++) {
				b[4 * i] = (byte) (tags[i] >>> 16);
				b[4 * i + 1] = (byte) (tags[i] >>> 24);
				b[4 * i + 2] = (byte) tags[i];
				b[4 * i + 3] = (byte) (tags[i] >>> 8);
			}
			return bytes(tag, "AT", b);
		}

		/** A binary attribute (OB, OW, …) whose value is given little endian; padded with NUL to even length. */
		public Dataset bytes(int tag, String vr, byte[] value) {
			if (vr == null || vr.length() != 2) throw new IllegalArgumentException("bad VR '" + vr + "' for " + Tag.toString(tag));
			byte[] v = value.length % 2 == 0 ? value : Arrays.copyOf(value, value.length + 1);
			elements.put(tag, new Object[] {vr, v});
			return this;
		}

		/**
		 * Encapsulated Pixel Data (PS3.5 §A.4): OB of undefined length holding a Basic Offset Table with one entry
		 * per fragment, the fragments (one per frame, each padded with NUL to even length) and a sequence delimiter.
		 * The file must then be written with the transfer syntax that made the fragments.
		 */
		public Dataset encapsulated(int tag, List<byte[]> fragments) {
			if (fragments.isEmpty()) throw new IllegalArgumentException("encapsulated " + Tag.toString(tag) + " needs a fragment");
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			byte[] offsets = new byte[4 * fragments.size()];
			long offset = 0;
			for (int i = 0; i < fragments.size(); i++) {
				if (offset > 0xFFFFFFFFL)
					throw new IllegalArgumentException("encapsulated " + Tag.toString(tag) + " exceeds the 4 GB the Basic Offset "
						+ "Table can address");
				putLe32(offsets, 4 * i, (int) offset);
				offset += 8 + fragments.get(i).length + (fragments.get(i).length & 1);
			}
			writeTag(out, Tag.Item);
			out.writeBytes(le32(offsets.length));
			out.writeBytes(offsets);
			for (byte[] f : fragments) {
				writeTag(out, Tag.Item);
				out.writeBytes(le32(f.length + (f.length & 1)));
				out.writeBytes(f);
				if ((f.length & 1) != 0) out.write(0);
			}
			writeTag(out, Tag.SequenceDelimitationItem);
			out.writeBytes(le32(0));
			elements.put(tag, new Object[] {"OB", new Encapsulated(out.toByteArray())});
			return this;
		}

		/** A sequence of items (possibly none: an empty type 2 sequence). */
		public Dataset sequence(int tag, List<Dataset> items) {
			elements.put(tag, new Object[] {"SQ", List.copyOf(items)});
			return this;
		}

		/** A sequence of the given items. */
		public Dataset sequence(int tag, Dataset... items) {
			return sequence(tag, Arrays.asList(items));
		}

		/**
		 * Copies a text attribute from a parsed data set, with the given VR; when the source lacks it, writes an
		 * empty value if {@code emptyIfAbsent} (type 2) or nothing.
		 */
		public Dataset copyText(DicomObject source, int tag, String vr, boolean emptyIfAbsent) {
			String[] v = source == null ? null : source.getStrings(tag);
			if (v != null) return text(tag, vr, v);
			return emptyIfAbsent ? text(tag, vr) : this;
		}

		/** Whether the tag has been set. */
		public boolean contains(int tag) {
			return elements.containsKey(tag);
		}

		/** The encoded elements (no preamble, no File Meta Information). */
		public byte[] encode() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			encode(out, charset);
			return out.toByteArray();
		}

		@SuppressWarnings("unchecked")
		private void encode(ByteArrayOutputStream out, Charset inherited) {
			Charset cs = charset == StandardCharsets.UTF_8 ? charset : inherited;
			for (Map.Entry<Integer, Object[]> e : elements.entrySet()) {
				int tag = e.getKey();
				String vr = (String) e.getValue()[0];
				Object v = e.getValue()[1];
				byte[] value;
				if (v instanceof List<?> items) {
					ByteArrayOutputStream sq = new ByteArrayOutputStream();
					for (Dataset item : (List<Dataset>) items) {
						byte[] body = item.encodeAs(cs);
						writeTag(sq, Tag.Item);
						sq.writeBytes(le32(body.length));
						sq.writeBytes(body);
					}
					value = sq.toByteArray();
				} else if (v instanceof String s) {
					value = s.getBytes(cs);
					if (value.length % 2 != 0) {
						value = Arrays.copyOf(value, value.length + 1);
						value[value.length - 1] = ' ';
					}
				} else if (v instanceof Encapsulated enc) {
					writeTag(out, tag);
					out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
					out.write(0);
					out.write(0);
					out.writeBytes(le32(-1)); // undefined length
					out.writeBytes(enc.items());
					continue;
				} else {
					value = (byte[]) v;
				}
				writeTag(out, tag);
				out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
				if (LONG_VRS.contains(vr)) {
					out.write(0);
					out.write(0);
					out.writeBytes(le32(value.length));
				} else {
					if (value.length > 0xFFFF)
						throw new IllegalArgumentException("value of " + Tag.toString(tag) + " has " + value.length
							+ " bytes, too long for VR " + vr);
					out.write(value.length & 0xFF);
					out.write(value.length >>> 8 & 0xFF);
				}
				out.writeBytes(value);
			}
		}

		private byte[] encodeAs(Charset inherited) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			encode(out, inherited);
			return out.toByteArray();
		}
	}

	/** The items and delimiter of encapsulated Pixel Data, encoded. */
	private record Encapsulated(byte[] items) {}

	/**
	 * The complete PS3.10 file: 128-byte preamble, "DICM", File Meta Information (with its group length,
	 * MediaStorage SOP class/instance from the arguments, Explicit VR Little Endian, MedCNN's implementation
	 * UID) and the data set.
	 */
	public static byte[] encodeFile(Dataset dataset, String sopClassUid, String sopInstanceUid) {
		return encodeFile(dataset, sopClassUid, sopInstanceUid, EXPLICIT_VR_LITTLE_ENDIAN);
	}

	/**
	 * {@link #encodeFile(Dataset, String, String)} declaring another transfer syntax: one whose data set is
	 * Explicit VR Little Endian with encapsulated Pixel Data (PS3.5 §A.4), e.g. Deflated Image Frame Compression.
	 */
	public static byte[] encodeFile(Dataset dataset, String sopClassUid, String sopInstanceUid, String transferSyntaxUid) {
		Dataset meta = new Dataset();
		meta.bytes(Tag.FileMetaInformationVersion, "OB", new byte[] {0, 1});
		meta.uid(Tag.MediaStorageSOPClassUID, sopClassUid);
		meta.uid(Tag.MediaStorageSOPInstanceUID, sopInstanceUid);
		meta.uid(Tag.TransferSyntaxUID, transferSyntaxUid);
		meta.uid(Tag.ImplementationClassUID, Uids.IMPLEMENTATION_CLASS_UID);
		meta.text(Tag.ImplementationVersionName, "SH", Uids.IMPLEMENTATION_VERSION_NAME);
		byte[] metaBytes = meta.encode();
		Dataset groupLength = new Dataset();
		groupLength.ul(Tag.FileMetaInformationGroupLength, metaBytes.length);
		byte[] body = dataset.encode();
		ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + metaBytes.length + 160);
		out.writeBytes(new byte[128]);
		out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
		out.writeBytes(groupLength.encode());
		out.writeBytes(metaBytes);
		out.writeBytes(body);
		return out.toByteArray();
	}

	/**
	 * Writes {@link #encodeFile} to {@code file} through a temporary file in the same folder and a rename, so
	 * a reader never sees half a file. The folder is created if missing; an existing file is replaced.
	 */
	public static Path writeFile(Path file, Dataset dataset, String sopClassUid, String sopInstanceUid) throws IOException {
		return writeFile(file, dataset, sopClassUid, sopInstanceUid, EXPLICIT_VR_LITTLE_ENDIAN);
	}

	/** {@link #writeFile(Path, Dataset, String, String)} with the transfer syntax of {@link #encodeFile(Dataset, String, String, String)}. */
	public static Path writeFile(Path file, Dataset dataset, String sopClassUid, String sopInstanceUid,
		String transferSyntaxUid) throws IOException {
		byte[] bytes = encodeFile(dataset, sopClassUid, sopInstanceUid, transferSyntaxUid);
		Path dir = file.toAbsolutePath().getParent();
		Files.createDirectories(dir);
		Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
		try {
			Files.write(tmp, bytes);
			try {
				Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			} catch (AtomicMoveNotSupportedException e) {
				Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
			}
		} finally {
			Files.deleteIfExists(tmp);
		}
		return file;
	}

	private static void writeTag(ByteArrayOutputStream out, int tag) {
		out.write(tag >>> 16 & 0xFF);
		out.write(tag >>> 24 & 0xFF);
		out.write(tag & 0xFF);
		out.write(tag >>> 8 & 0xFF);
	}

	private static byte[] le32(int v) {
		byte[] b = new byte[4];
		putLe32(b, 0, v);
		return b;
	}

	private static void putLe32(byte[] b, int p, int v) {
		b[p] = (byte) v;
		b[p + 1] = (byte) (v >> 8);
		b[p + 2] = (byte) (v >> 16);
		b[p + 3] = (byte) (v >> 24);
	}

	/**
	 * The checks before writing an object derived from a series (a SEG, an RT Structure Set): the mask lies on the
	 * series' grid, has foreground, and {@code out} is not one of the series' own files (inputs are never
	 * overwritten).
	 *
	 * @param emptyReason why an empty mask cannot be written, e.g. "a SEG needs at least one segment"
	 * @param kind the object with its article, for the message, e.g. "a SEG"
	 * @throws IllegalArgumentException naming what is wrong
	 */
	public static void checkMaskForSeries(org.medcnn.volume.Mask mask, DicomSeries source, Path out, double toleranceMm,
		String emptyReason, String kind) throws IOException {
		String mismatch = source.geometry().describeMismatch(mask.geometry(), toleranceMm);
		if (!mismatch.isEmpty())
			throw new IllegalArgumentException("the mask does not fit the source series' grid (" + mismatch + ")");
		if (mask.foregroundCount() == 0) throw new IllegalArgumentException("the mask is empty: " + emptyReason);
		for (Path f : source.files())
			if (Files.exists(out) && Files.isSameFile(f, out))
				throw new IllegalArgumentException("refusing to overwrite source file " + out + " with " + kind);
	}

	/** Display colours (sRGB) of segments / ROIs 1, 2, …, cycled, shared by the SEG and RTSTRUCT writers. */
	public static final int[][] DISPLAY_COLOURS = {{255, 0, 0}, {0, 200, 0}, {0, 96, 255}, {255, 200, 0}, {255, 0, 255},
		{0, 220, 220}};

	/**
	 * One slice of a source series as a derived object references it.
	 *
	 * @param frameNumber 1-based frame in a multi-frame source file, 0 for a single-frame file
	 * @param header the header of the slice's file (shared by all frames of a multi-frame file)
	 */
	public record SourceSlice(String sopClassUid, String sopInstanceUid, int frameNumber, DicomObject header) {}

	/**
	 * The slices of {@code series} in slice order, from the headers of its files (read once each; pixel data is
	 * not read).
	 *
	 * @param kind the derived object with its article, for messages, e.g. "a SEG"
	 * @param cancel checked per file (may be null)
	 * @throws IOException if a header cannot be read or lacks its SOP Class or Instance UID
	 */
	public static List<SourceSlice> sourceSlices(DicomSeries series, String kind, org.medcnn.common.Cancellation cancel)
		throws IOException {
		List<SourceSlice> out = new java.util.ArrayList<>();
		if (series.files().size() == 1 && series.slices() > 1) {
			Path f = series.files().get(0);
			DicomObject h = DicomReader.readHeader(f);
			String cls = requiredUid(h, Tag.SOPClassUID, f, kind), inst = requiredUid(h, Tag.SOPInstanceUID, f, kind);
			for (int z = 0; z < series.slices(); z++) out.add(new SourceSlice(cls, inst, z + 1, h));
			return out;
		}
		for (Path f : series.files()) {
			if (cancel != null) cancel.check();
			DicomObject h = DicomReader.readHeader(f);
			out.add(new SourceSlice(requiredUid(h, Tag.SOPClassUID, f, kind), requiredUid(h, Tag.SOPInstanceUID, f, kind), 0,
				h));
		}
		return out;
	}

	/**
	 * A UID attribute a derived object must reference.
	 *
	 * @throws IOException naming the file and the tag when it is missing or not a valid UID
	 */
	public static String requiredUid(DicomObject h, int tag, Path f, String kind) throws IOException {
		String v = h.getString(tag);
		if (v == null || !Uids.isValid(v))
			throw new IOException(f + ": " + Tag.toString(tag) + " is missing or not a valid UID; " + kind
				+ " cannot reference it");
		return v;
	}

	/** Issuer of Patient ID (0010,0021). */
	private static final int ISSUER_OF_PATIENT_ID = 0x00100021;

	/**
	 * Whether the patient and study texts that a derived object copies from {@code first} hold characters outside
	 * printable ASCII, so the object must declare UTF-8.
	 */
	public static boolean needsUtf8(DicomObject first) {
		int[] tags = {Tag.PatientName, Tag.PatientID, ISSUER_OF_PATIENT_ID, Tag.ReferringPhysicianName,
			Tag.StudyDescription, Tag.StudyID, Tag.AccessionNumber, Tag.PositionReferenceIndicator};
		for (int t : tags) {
			String[] v = first.getStrings(t);
			if (v != null) for (String s : v) if (!s.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) return true;
		}
		return false;
	}
}
