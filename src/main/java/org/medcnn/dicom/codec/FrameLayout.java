package org.medcnn.dicom.codec;

import java.nio.file.Path;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.Tag;

/**
 * What a {@link FrameDecoder} needs to know about the image it decodes: the Image Pixel attributes (PS3.3
 * §C.7.6.3), already validated by the caller, and where the data came from for error messages.
 *
 * @param file the file being decoded (null for in-memory data), named in every error
 * @param transferSyntax the transfer syntax as "UID (name)", named in "not supported yet" errors
 * @param rows Rows
 * @param columns Columns
 * @param samplesPerPixel SamplesPerPixel (1 or 3)
 * @param bitsAllocated BitsAllocated (8, 16 or 32)
 * @param bitsStored BitsStored
 * @param signed whether PixelRepresentation is 1
 * @param photometric PhotometricInterpretation
 */
public record FrameLayout(Path file, String transferSyntax, int rows, int columns, int samplesPerPixel,
	int bitsAllocated, int bitsStored, boolean signed, String photometric) {

	/** Samples in one decoded frame: rows × columns × samples per pixel. */
	public int samplesPerFrame() {
		return rows * columns * samplesPerPixel;
	}

	/** A decoding error of frame {@code frame} (0-based) of this file: "frame N: {@code what}", on Pixel Data. */
	public DicomReadException frameError(int frame, String what) {
		return new DicomReadException(file, Tag.PixelData, "frame " + (frame + 1) + ": " + what);
	}

	/** A stream feature this transfer syntax's decoder does not handle yet, for frame {@code frame} (0-based). */
	public DicomReadException unsupported(int frame, String what) {
		return frameError(frame, "transfer syntax " + transferSyntax + " is not supported yet for this stream: " + what);
	}
}
