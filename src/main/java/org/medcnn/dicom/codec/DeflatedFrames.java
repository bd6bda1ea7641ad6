package org.medcnn.dicom.codec;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.medcnn.dicom.DicomReadException;

/**
 * Deflated Image Frame Compression (transfer syntax {@value #TRANSFER_SYNTAX}, PS3.5 §8.2.16 and Annex A.4.13,
 * added by Supplement 244): each frame's native pixel bytes, exactly as Explicit VR Little Endian would store that
 * frame, are compressed on their own with raw Deflate (RFC 1951: no zlib header, no checksum) into one fragment,
 * followed by a NUL byte when the deflated stream has an odd length.
 * <p>
 * With BitsAllocated 1 each frame is packed on its own: it starts at a byte boundary and its last byte is filled
 * with zero bits, {@code ceil(rows × columns / 8)} bytes, unlike native multi-frame data, whose frames follow one
 * another in a single bit stream (PS3.5 §8.1.1). A.4.13 compresses "the pixel data byte stream of each frame",
 * which only a byte-aligned frame is, and the real file of pydicom's test data with frames of 510 × 510 bits
 * (liver_nonbyte_aligned_deflate.dcm, see {@code src/test/resources/dicom/deflated/PROVENANCE.md}) inflates to
 * 32,513 bytes a frame, where its native twin holds the three frames in 97,538 bytes.
 * <p>
 * Inflating is bounded by the frame's size, so a small stream that would inflate to gigabytes is refused after
 * one frame's worth. Stateless and thread-safe.
 */
public final class DeflatedFrames {

	/** Deflated Image Frame Compression. */
	public static final String TRANSFER_SYNTAX = "1.2.840.10008.1.2.8.1";

	private DeflatedFrames() {}

	/**
	 * Bytes of one native frame as this transfer syntax compresses it: {@code ceil(cells / 8)} for BitsAllocated 1,
	 * else {@code cells × BitsAllocated / 8}.
	 *
	 * @param cells pixel cells in a frame (rows × columns × samples; 2 a pixel for YBR_FULL_422)
	 */
	public static long frameBytes(long cells, int bitsAllocated) {
		return bitsAllocated == 1 ? (cells + 7) / 8 : cells * (bitsAllocated / 8);
	}

	/**
	 * Inflates one frame to exactly {@code frameBytes} bytes; bytes after the end of the deflate stream (the NUL pad)
	 * are ignored.
	 *
	 * @throws DicomReadException if the stream is damaged, ends before the frame is whole ("truncated"), or would
	 *         give more than the frame holds
	 */
	public static byte[] inflate(byte[] data, int frameBytes, FrameLayout l, int frame) throws DicomReadException {
		Inflater inflater = new Inflater(true);
		try {
			inflater.setInput(data);
			byte[] out = new byte[frameBytes];
			int n = 0;
			while (n < frameBytes && !inflater.finished()) {
				int got = inflater.inflate(out, n, frameBytes - n);
				n += got;
				if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
			}
			if (n < frameBytes)
				throw l.frameError(frame, "the deflated frame of " + data.length + " bytes " + (inflater.finished()
					? "inflates to only " + n + " bytes" : "is truncated after " + n + " inflated bytes") + "; the frame needs "
					+ frameBytes + " (Rows × Columns × SamplesPerPixel × BitsAllocated)");
			if (!inflater.finished() && inflater.inflate(new byte[1]) > 0)
				throw l.frameError(frame, "the deflated frame inflates to more than the " + frameBytes
					+ " bytes Rows × Columns × SamplesPerPixel × BitsAllocated give: wrong header or damaged data");
			return out;
		} catch (DataFormatException e) {
			throw l.frameError(frame, "the deflated frame of " + data.length + " bytes is damaged: " + e.getMessage());
		} finally {
			inflater.end();
		}
	}

	/** Raw Deflate (RFC 1951) of one frame's native bytes, as this transfer syntax stores it (without the NUL pad). */
	public static byte[] deflate(byte[] frame) {
		Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
		try {
			deflater.setInput(frame);
			deflater.finish();
			ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, frame.length / 8));
			byte[] buf = new byte[8192];
			while (!deflater.finished()) out.write(buf, 0, deflater.deflate(buf));
			return out.toByteArray();
		} finally {
			deflater.end();
		}
	}
}
