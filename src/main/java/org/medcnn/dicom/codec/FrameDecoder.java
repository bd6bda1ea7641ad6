package org.medcnn.dicom.codec;

import org.medcnn.dicom.DicomReadException;

/**
 * Decodes one compressed frame of encapsulated Pixel Data (PS3.5 §A.4) for one family of transfer syntaxes.
 * <p>
 * The result is one int per sample, {@code rows × columns × samplesPerPixel} of them, interleaved per pixel
 * (R,G,B or Y,Cb,Cr) in row-major order at full resolution, holding the pixel cell as the codec returns it; the
 * caller then masks to BitsStored, sign-extends and converts YBR to RGB exactly as for uncompressed data.
 * Implementations are stateless and thread-safe; every problem is a {@link DicomReadException} naming the file,
 * (7FE0,0010) and what is wrong.
 */
public interface FrameDecoder {

	/**
	 * Decodes one frame.
	 *
	 * @param data the frame's compressed bytes (its fragments concatenated)
	 * @param layout the image attributes
	 * @param frame the frame index, for messages
	 * @return the frame's samples, interleaved, {@link FrameLayout#samplesPerFrame()} long
	 * @throws DicomReadException if the data are malformed, do not match the layout, or use a variant that is
	 *         not supported
	 */
	int[] decode(byte[] data, FrameLayout layout, int frame) throws DicomReadException;
}
