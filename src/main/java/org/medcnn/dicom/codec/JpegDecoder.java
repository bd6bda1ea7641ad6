package org.medcnn.dicom.codec;

import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.Tag;

/**
 * JPEG (ISO 10918-1) frames, routed by their start-of-frame marker: lossless process 14 (SOF3, any selection
 * value) to {@link JpegLosslessDecoder}; 12-bit sequential DCT (extended process 4, SOF0/SOF1) to
 * {@link JpegDctDecoder}; baseline and extended 8-bit (processes 1 and 2/4) to the TwelveMonkeys reader, decoded as
 * a raster. 12-bit progressive JPEG, hierarchical processes and arithmetic coding have no decoder here and are
 * refused as "not supported yet".
 */
final class JpegDecoder implements FrameDecoder {

	static final String TWELVEMONKEYS_SPI = "com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi";

	private final FrameDecoder reader = new ImageIoDecoder(TWELVEMONKEYS_SPI, "JPEG");
	private final FrameDecoder dct12 = new JpegDctDecoder();
	private final FrameDecoder lossless = new JpegLosslessDecoder();

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		int[] sof = startOfFrame(data);
		if (sof == null)
			throw new DicomReadException(l.file(), Tag.PixelData, "frame " + (frame + 1)
				+ ": no JPEG start-of-frame marker found in " + data.length + " bytes (not a JPEG stream, or damaged)");
		int marker = sof[0];
		int precision = sof[1];
		if (marker == 0xC3) return lossless.decode(data, l, frame);
		boolean huffmanSequential = marker == 0xC0 || marker == 0xC1 || marker == 0xC2;
		if ((marker == 0xC0 || marker == 0xC1) && precision == 12) return dct12.decode(data, l, frame);
		if (!(huffmanSequential && precision == 8))
			throw new DicomReadException(l.file(), Tag.PixelData, "transfer syntax " + l.transferSyntax()
				+ " is not supported yet for this stream (JPEG SOF marker FF" + Integer.toHexString(marker).toUpperCase()
				+ ", " + precision + "-bit): only 8-bit baseline/extended, 12-bit sequential extended and lossless process 14"
				+ " are decoded");
		return reader.decode(data, l, frame);
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
