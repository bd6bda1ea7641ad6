package org.medcnn.dicom;

import java.util.List;

/**
 * One parsed data element: its tag, VR and value. The value is either bytes ({@code buf[off, off+len)}), a list
 * of items (SQ), or, for encapsulated Pixel Data, fragment ranges into {@code buf}. Pixel Data read in
 * header-only mode keeps only its declared length. Package-private: {@link DicomObject} is the public view.
 */
final class DicomElement {

	final int tag;
	final String vr;
	final byte[] buf;
	final int off;
	final int len;
	/** Declared value length in the file (may exceed len when the value was not retained); -1 = undefined. */
	final long declaredLength;
	final List<DicomObject> items;
	/** Encapsulated Pixel Data: {offset, length} of each item, the Basic Offset Table first; else null. */
	final List<int[]> fragments;
	/** Byte order of the value (File Meta Information is little endian even in a big endian file). */
	final boolean bigEndian;

	private DicomElement(int tag, String vr, byte[] buf, int off, int len, long declaredLength, List<DicomObject> items,
		List<int[]> fragments, boolean bigEndian) {
		this.bigEndian = bigEndian;
		this.tag = tag;
		this.vr = vr;
		this.buf = buf;
		this.off = off;
		this.len = len;
		this.declaredLength = declaredLength;
		this.items = items;
		this.fragments = fragments;
	}

	static DicomElement value(int tag, String vr, byte[] buf, int off, int len, boolean bigEndian) {
		return new DicomElement(tag, vr, buf, off, len, len, null, null, bigEndian);
	}

	static DicomElement sequence(int tag, List<DicomObject> items) {
		return new DicomElement(tag, "SQ", null, 0, 0, -1, List.copyOf(items), null, false);
	}

	static DicomElement encapsulated(int tag, String vr, byte[] buf, List<int[]> fragments) {
		return new DicomElement(tag, vr, buf, 0, 0, -1, null, fragments == null ? null : List.copyOf(fragments), false);
	}

	/**
	 * Encapsulated Pixel Data seen in header-only mode: its fragments are not read; {@code off} is where its first
	 * item starts in the parsed bytes, so that the fragments that can follow are bounded by the source's length.
	 */
	static DicomElement encapsulatedNotRetained(int tag, String vr, int valueOffset) {
		return new DicomElement(tag, vr, null, valueOffset, 0, -1, null, null, false);
	}

	/**
	 * Pixel Data seen in header-only mode: the length is known, the bytes are not kept; {@code off} is where the
	 * value starts in the file (-1 when it is not a file offset: inside a deflated data set), for a streamed decode.
	 */
	static DicomElement notRetained(int tag, String vr, long declaredLength, int fileOffset, boolean bigEndian) {
		return new DicomElement(tag, vr, null, fileOffset, 0, declaredLength, null, null, bigEndian);
	}

	boolean retained() {
		return buf != null || items != null;
	}

	boolean isEncapsulated() {
		return declaredLength == -1 && items == null;
	}
}
