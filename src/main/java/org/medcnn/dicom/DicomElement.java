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
	/**
	 * Encapsulated Pixel Data: {offset, length} of each item, the Basic Offset Table first (offsets into {@code buf},
	 * or into the file when {@link #inFile}); else null.
	 */
	final List<long[]> fragments;
	/**
	 * Pixel Data left in the file (a file too large to read whole, {@link DicomReader#read(java.nio.file.Path)}): its
	 * bytes are read a frame at a time by file offset; native values start at {@link #fileOffset}, encapsulated
	 * items are at {@link #fragments}.
	 */
	final boolean inFile;
	/** For native Pixel Data left in the file: where its value starts in the file; else -1. */
	final long fileOffset;
	/** Byte order of the value (File Meta Information is little endian even in a big endian file). */
	final boolean bigEndian;

	private DicomElement(int tag, String vr, byte[] buf, int off, int len, long declaredLength, List<DicomObject> items,
		List<long[]> fragments, boolean bigEndian) {
		this(tag, vr, buf, off, len, declaredLength, items, fragments, bigEndian, false, -1);
	}

	private DicomElement(int tag, String vr, byte[] buf, int off, int len, long declaredLength, List<DicomObject> items,
		List<long[]> fragments, boolean bigEndian, boolean inFile, long fileOffset) {
		this.inFile = inFile;
		this.fileOffset = fileOffset;
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

	static DicomElement encapsulated(int tag, String vr, byte[] buf, List<long[]> fragments) {
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

	/** Native Pixel Data of {@code length} bytes left in the file at {@code fileOffset}, read frame by frame. */
	static DicomElement nativeInFile(int tag, String vr, long fileOffset, long length, boolean bigEndian) {
		return new DicomElement(tag, vr, null, 0, 0, length, null, null, bigEndian, true, fileOffset);
	}

	/** Encapsulated Pixel Data left in the file: its items' {file offset, length}, the Basic Offset Table first. */
	static DicomElement encapsulatedInFile(int tag, String vr, List<long[]> fragments) {
		return new DicomElement(tag, vr, null, 0, 0, -1, null, List.copyOf(fragments), false, true, -1);
	}

	boolean retained() {
		return buf != null || items != null || inFile;
	}

	boolean isEncapsulated() {
		return declaredLength == -1 && items == null;
	}
}
