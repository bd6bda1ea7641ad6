package org.medcnn.dicom;

import java.util.Map;

/**
 * How a data set is encoded (PS3.5 §10 and Annex A): VR explicit or implicit, byte order, deflate, and whether
 * Pixel Data is encapsulated (compressed). Unknown UIDs are taken as explicit VR little endian with
 * encapsulated pixel data, as every transfer syntax defined after 1999 is.
 *
 * @param uid the Transfer Syntax UID
 * @param name its PS3.6 name
 * @param explicitVr whether elements carry their VR
 * @param bigEndian whether numbers are big endian
 * @param deflated whether the data set after the File Meta Information is raw-deflated (RFC 1951)
 * @param encapsulated whether Pixel Data is compressed in fragments
 */
record TransferSyntax(String uid, String name, boolean explicitVr, boolean bigEndian, boolean deflated,
	boolean encapsulated) {

	static final String IMPLICIT_LE = "1.2.840.10008.1.2";
	static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
	static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
	static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";

	private static final Map<String, TransferSyntax> KNOWN = Map.ofEntries(
		plain(IMPLICIT_LE, "Implicit VR Little Endian", false, false, false),
		plain(EXPLICIT_LE, "Explicit VR Little Endian", true, false, false),
		plain(DEFLATED_LE, "Deflated Explicit VR Little Endian", true, false, true),
		plain(EXPLICIT_BE, "Explicit VR Big Endian", true, true, false),
		compressed("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
		compressed("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
		compressed("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
		compressed("1.2.840.10008.1.2.4.70",
			"JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])"),
		compressed("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"),
		compressed("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"),
		compressed("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"),
		compressed("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
		compressed("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"),
		compressed("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression"),
		compressed("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
		compressed("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"),
		compressed("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"),
		compressed("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
		compressed("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"),
		compressed("1.2.840.10008.1.2.5", "RLE Lossless"),
		compressed("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression"));

	private static Map.Entry<String, TransferSyntax> plain(String uid, String name, boolean explicit, boolean big,
		boolean deflated) {
		return Map.entry(uid, new TransferSyntax(uid, name, explicit, big, deflated, false));
	}

	private static Map.Entry<String, TransferSyntax> compressed(String uid, String name) {
		return Map.entry(uid, new TransferSyntax(uid, name, true, false, false, true));
	}

	/** The transfer syntax of a UID; unknown UIDs get the name "unknown transfer syntax". */
	static TransferSyntax of(String uid) {
		TransferSyntax t = KNOWN.get(uid);
		return t != null ? t : new TransferSyntax(uid, "unknown transfer syntax", true, false, false, true);
	}

	/** "1.2.840.10008.1.2.5 (RLE Lossless)" for messages. */
	String describe() {
		return uid + " (" + name + ")";
	}
}
