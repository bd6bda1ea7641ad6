package org.medcnn.dicom.codec;

import org.medcnn.dicom.DicomReadException;

/**
 * JPEG 2000 frames (ISO/IEC 15444-1; transfer syntaxes .4.90 and .4.91): the code stream is found and checked
 * whole by {@link J2kCodestream} (tile-parts walked by their lengths, a missing end-of-codestream marker supplied,
 * padding dropped), then decoded as a raster by {@code jai-imageio-jpeg2000} (JJ2000).
 */
final class Jpeg2000Decoder implements FrameDecoder {

	private final FrameDecoder reader = new ImageIoDecoder(FrameDecoders.JAI_J2K_SPI, "JPEG 2000");

	@Override
	public int[] decode(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		return reader.decode(J2kCodestream.extract(data, l, frame), l, frame);
	}
}
