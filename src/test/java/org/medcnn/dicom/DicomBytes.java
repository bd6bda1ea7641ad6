package org.medcnn.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds small DICOM byte streams for tests (synthetic fixtures with known content): a Part 10 header with
 * File Meta Information, then elements in Explicit or Implicit VR Little Endian, including raw headers with
 * any length (for hostile-input tests).
 */
final class DicomBytes {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();
	private final boolean explicit;

	private DicomBytes(boolean explicit) {
		this.explicit = explicit;
	}

	/** Preamble, "DICM" and File Meta Information naming the transfer syntax. */
	static DicomBytes part10(String transferSyntaxUid) {
		DicomBytes meta = new DicomBytes(true);
		meta.str(Tag.MediaStorageSOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.2");
		meta.str(Tag.MediaStorageSOPInstanceUID, "UI", "1.2.3.4");
		meta.str(Tag.TransferSyntaxUID, "UI", transferSyntaxUid);
		byte[] m = meta.bytes();
		DicomBytes d = new DicomBytes(!transferSyntaxUid.equals("1.2.840.10008.1.2"));
		d.out.writeBytes(new byte[128]);
		d.out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
		DicomBytes gl = new DicomBytes(true);
		gl.raw(Tag.FileMetaInformationGroupLength, "UL", le32(m.length));
		d.out.writeBytes(gl.bytes());
		d.out.writeBytes(m);
		return d;
	}

	/** A bare data set (no preamble, no File Meta). */
	static DicomBytes bare(boolean explicit) {
		return new DicomBytes(explicit);
	}

	DicomBytes str(int tag, String vr, String value) {
		byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
		if (v.length % 2 == 1) {
			byte[] p = new byte[v.length + 1];
			System.arraycopy(v, 0, p, 0, v.length);
			p[v.length] = (byte) (vr.equals("UI") ? 0 : ' ');
			v = p;
		}
		return raw(tag, vr, v);
	}

	DicomBytes us(int tag, int... values) {
		byte[] v = new byte[2 * values.length];
		for (int i = 0; i < values.length; i++) {
			v[2 * i] = (byte) values[i];
			v[2 * i + 1] = (byte) (values[i] >> 8);
		}
		return raw(tag, "US", v);
	}

	DicomBytes raw(int tag, String vr, byte[] value) {
		header(tag, vr, value.length);
		out.writeBytes(value);
		return this;
	}

	/** An element header with any declared length (0xFFFFFFFF = undefined), no value. */
	DicomBytes header(int tag, String vr, long length) {
		le16(tag >>> 16);
		le16(tag & 0xFFFF);
		if (explicit) {
			out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
			if (longLength(vr)) {
				le16(0);
				out.writeBytes(le32(length));
			} else {
				le16((int) length);
			}
		} else {
			out.writeBytes(le32(length));
		}
		return this;
	}

	/** An item or delimiter header (FFFE,xxxx), which has no VR in any transfer syntax. */
	DicomBytes item(int tag, long length) {
		le16(tag >>> 16);
		le16(tag & 0xFFFF);
		out.writeBytes(le32(length));
		return this;
	}

	DicomBytes bytes(byte[] b) {
		out.writeBytes(b);
		return this;
	}

	byte[] bytes() {
		return out.toByteArray();
	}

	private void le16(int v) {
		out.write(v & 0xFF);
		out.write((v >> 8) & 0xFF);
	}

	static byte[] le32(long v) {
		return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
	}

	private static boolean longLength(String vr) {
		return switch (vr) {
			case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
			default -> false;
		};
	}
}
