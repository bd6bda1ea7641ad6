package org.medcnn.dicom.seg;

import java.util.Locale;

import org.medcnn.dicom.DicomDatasetWriter;
import org.medcnn.dicom.codec.DeflatedFrames;

/**
 * How {@link SegWriter} encodes a binary Segmentation's Pixel Data: {@link #NONE}, native bit-packed frames in Explicit
 * VR Little Endian, which every DICOM reader knows; or {@link #DEFLATE}, Deflated Image Frame Compression
 * (1.2.840.10008.1.2.8.1, PS3.5 §A.4.13, DICOM 2023), each frame deflated on its own: a lesion mask is many times
 * smaller (38 times for 26 frames of 512 × 512), but only recent readers know the transfer syntax.
 */
public enum SegCompression {

	/** Native, uncompressed (Explicit VR Little Endian). */
	NONE("none", DicomDatasetWriter.EXPLICIT_VR_LITTLE_ENDIAN),
	/** Deflated Image Frame Compression. */
	DEFLATE("deflate", DeflatedFrames.TRANSFER_SYNTAX);

	private final String key;
	private final String transferSyntaxUid;

	SegCompression(String key, String transferSyntaxUid) {
		this.key = key;
		this.transferSyntaxUid = transferSyntaxUid;
	}

	/** The name options and macros use: "none" or "deflate". */
	public String key() {
		return key;
	}

	/** The transfer syntax the file is written with. */
	public String transferSyntaxUid() {
		return transferSyntaxUid;
	}

	/**
	 * The compression called {@code key} (case-insensitive).
	 *
	 * @throws IllegalArgumentException naming the value and the allowed ones
	 */
	public static SegCompression of(String key) {
		for (SegCompression c : values())
			if (c.key.equals(key == null ? null : key.toLowerCase(Locale.ROOT))) return c;
		throw new IllegalArgumentException("SEG compression '" + key + "' is not one of none, deflate");
	}
}
