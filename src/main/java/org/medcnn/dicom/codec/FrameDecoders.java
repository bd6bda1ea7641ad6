package org.medcnn.dicom.codec;

/**
 * Chooses the {@link FrameDecoder} for a transfer syntax UID (PS3.5 Annex A.4, PS3.6 Annex A).
 * <ul>
 * <li>RLE Lossless (1.2.840.10008.1.2.5): {@link RleDecoder}, written from PS3.5 Annex G.</li>
 * <li>JPEG Baseline (.4.50), JPEG Extended (.4.51) 8-bit: TwelveMonkeys {@code imageio-jpeg}; JPEG Extended
 * 12-bit (sequential, process 4): {@link JpegDctDecoder}, written from ITU-T T.81 (12-bit progressive is
 * refused); JPEG Lossless process 14 (.4.57) and its selection value 1 (.4.70): {@link JpegLosslessDecoder},
 * written from T.81 Annex H. The start-of-frame marker of each frame decides.</li>
 * <li>JPEG 2000 (.4.90 lossless, .4.91): {@link Jpeg2000Decoder}, {@code jai-imageio-jpeg2000} behind a code-stream
 * check.</li>
 * <li>JPEG-LS (.4.80 lossless, .4.81 near-lossless): {@link JpegLsDecoder}, written from ITU-T T.87.</li>
 * </ul>
 * Everything else (HTJ2K, MPEG, …) has no decoder: {@link #forTransferSyntax} returns null and the
 * caller reports "not supported yet".
 */
public final class FrameDecoders {

	/** RLE Lossless. */
	public static final String RLE_LOSSLESS = "1.2.840.10008.1.2.5";
	/** JPEG Baseline (Process 1). */
	public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
	/** JPEG Extended (Process 2 and 4); 12-bit sequential streams go to {@link JpegDctDecoder}. */
	public static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
	/** JPEG Lossless, Non-Hierarchical (Process 14). */
	public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
	/** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1). */
	public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
	/** JPEG 2000 Image Compression (Lossless Only). */
	public static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
	/** JPEG 2000 Image Compression. */
	public static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";

	static final String JAI_J2K_SPI = "com.github.jaiimageio.jpeg2000.impl.J2KImageReaderSpi";

	private static final FrameDecoder RLE = new RleDecoder();
	private static final FrameDecoder JPEG = new JpegDecoder();
	private static final FrameDecoder JPEG_LS = new JpegLsDecoder();
	private static final FrameDecoder J2K = new Jpeg2000Decoder();

	private FrameDecoders() {}

	/** The decoder for a transfer syntax UID, or null when MedCNN cannot decode it yet. */
	public static FrameDecoder forTransferSyntax(String uid) {
		if (uid == null) return null;
		return switch (uid) {
			case RLE_LOSSLESS -> RLE;
			case JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1 -> JPEG;
			case JPEG_2000_LOSSLESS, JPEG_2000 -> J2K;
			case "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81" -> JPEG_LS;
			default -> null;
		};
	}
}
