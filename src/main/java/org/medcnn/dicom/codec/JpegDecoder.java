package org.medcnn.dicom.codec;

import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.Tag;

/**
 * JPEG (ISO 10918-1) frames: baseline and extended 8-bit (processes 1 and 2/4) and lossless process 14 (any
 * selection value), decoded by the TwelveMonkeys reader as a raster; 12-bit sequential DCT (extended process 4,
 * SOF1) by {@link JpegDctDecoder}. The start-of-frame marker is checked first: 12-bit progressive JPEG and
 * arithmetic coding have no decoder here and are refused as "not supported yet".
 */
final class JpegDecoder implements FrameDecoder {

	static final String TWELVEMONKEYS_SPI = "com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi";

	private final FrameDecoder reader = new ImageIoDecoder(TWELVEMONKEYS_SPI, "JPEG", false);
	private final FrameDecoder dct12 = new JpegDctDecoder();

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		int[] sof = startOfFrame(data);
		if (sof == null)
			throw new DicomReadException(l.file(), Tag.PixelData, "frame " + (frame + 1)
				+ ": no JPEG start-of-frame marker found in " + data.length + " bytes (not a JPEG stream, or damaged)");
		int marker = sof[0];
		int precision = sof[1];
		boolean lossless = marker == 0xC3;
		boolean huffmanSequential = marker == 0xC0 || marker == 0xC1 || marker == 0xC2;
		if ((marker == 0xC0 || marker == 0xC1) && precision == 12) return dct12.decode(data, l, frame);
		if (!lossless && !(huffmanSequential && precision == 8))
			throw new DicomReadException(l.file(), Tag.PixelData, "transfer syntax " + l.transferSyntax()
				+ " is not supported yet for this stream (JPEG SOF marker FF" + Integer.toHexString(marker).toUpperCase()
				+ ", " + precision + "-bit): only 8-bit baseline/extended, 12-bit sequential extended and lossless process 14"
				+ " are decoded");
		if (lossless && precision == 16) {
			byte[] filled = fillBeforeEndOfImage(data);
			DicomReadException filledError = null;
			if (filled != data) {
				try {
					return reader.decode(filled, l, frame);
				} catch (DicomReadException e) {
					filledError = e; // the stream as it is decides; this error is kept as a suppressed cause
				}
			}
			try {
				return reader.decode(data, l, frame);
			} catch (DicomReadException e) {
				if (filledError != null) e.addSuppressed(filledError);
				throw e;
			}
		}
		return reader.decode(data, l, frame);
	}

	/**
	 * The stream with two zero bytes inserted before its final EOI marker (after at most 3 bytes of zero padding),
	 * or the stream itself when it does not end with EOI.
	 * <p>
	 * Why: TwelveMonkeys' lossless decoder (imageio-jpeg 3.14) reads a byte ahead while decoding a Huffman code and
	 * loses the last sample of a 16-bit scan (leaves it 0) when that look-ahead meets the EOI marker right after
	 * the sample's code, i.e. when the sample's difference is of category 16 (±32768, no additional bits, T.81
	 * H.1.2.2) and its code ends exactly on a byte boundary. Streams written by DCMTK and by
	 * {@link JpegLosslessEncoder} hit this in about one of eight frames whose last difference is ±32768; only
	 * 16-bit frames can have such a difference. The inserted bytes lie after the last sample and are never decoded
	 * as a sample; the decoder does decode one code past the last sample, which is valid in the zero bytes when
	 * the data end on a byte boundary, but may be invalid after padding 1-bits (a short Huffman table), where the
	 * stream as it is decodes correctly: {@link #decode} therefore falls back to the stream as it is when the
	 * filled stream fails.
	 */
	static byte[] fillBeforeEndOfImage(byte[] b) {
		int end = b.length;
		while (end > 0 && b.length - end < 3 && b[end - 1] == 0) end--;
		if (end < 4 || (b[end - 2] & 0xFF) != 0xFF || (b[end - 1] & 0xFF) != 0xD9) return b;
		byte[] out = new byte[b.length + 2];
		System.arraycopy(b, 0, out, 0, end - 2);
		System.arraycopy(b, end - 2, out, end, b.length - end + 2);
		return out;
	}

	/** {marker, precision} of the first SOFn marker, or null; stops at the start of scan. */
	static int[] startOfFrame(byte[] b) {
		if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) return null;
		int p = 2;
		while (p + 4 <= b.length) {
			if ((b[p] & 0xFF) != 0xFF) return null;
			int m = b[p + 1] & 0xFF;
			if (m == 0xFF) {
				p++; // fill byte
				continue;
			}
			if (m == 0xDA || m == 0xD9) return null;
			int len = (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
			boolean sofn = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
			if (sofn || m == 0xF7) return p + 4 < b.length ? new int[] {m, b[p + 4] & 0xFF} : null;
			if (len < 2) return null;
			p += 2 + len;
		}
		return null;
	}
}
