package org.medcnn.dicom.codec;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** Builds RLE Lossless frames (PS3.5 Annex G) for tests: a small, straightforward encoder. */
public final class RleFrames {

	private RleFrames() {}

	/** PackBits per PS3.5 §G.3.1: repeat runs of 3 or more, literal runs otherwise (at most 128 bytes each). */
	public static byte[] packBits(byte[] in) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int i = 0;
		while (i < in.length) {
			int run = 1;
			while (i + run < in.length && in[i + run] == in[i] && run < 128) run++;
			if (run >= 3) {
				out.write(1 - run);
				out.write(in[i]);
				i += run;
				continue;
			}
			int start = i;
			while (i < in.length && i - start < 128
				&& !(i + 2 < in.length && in[i] == in[i + 1] && in[i] == in[i + 2])) i++;
			out.write(i - start - 1);
			out.write(in, start, i - start);
		}
		return out.toByteArray();
	}

	/** A whole RLE frame: 64-byte header, then one segment per byte plane (most significant first) per sample. */
	public static byte[] rleFrame(int[] interleaved, int samples, int bytes) {
		int pixels = interleaved.length / samples;
		byte[][] segs = new byte[samples * bytes][];
		for (int s = 0; s < samples; s++)
			for (int k = 0; k < bytes; k++) {
				byte[] plane = new byte[pixels];
				for (int p = 0; p < pixels; p++) plane[p] = (byte) (interleaved[p * samples + s] >>> (8 * (bytes - 1 - k)));
				byte[] enc = packBits(plane);
				segs[s * bytes + k] = enc.length % 2 == 0 ? enc : Arrays.copyOf(enc, enc.length + 1); // even, padded
			}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] header = new byte[64];
		put32(header, 0, segs.length);
		int off = 64;
		for (int i = 0; i < segs.length; i++) {
			put32(header, 4 + 4 * i, off);
			off += segs[i].length;
		}
		out.writeBytes(header);
		for (byte[] s : segs) out.writeBytes(s);
		return out.toByteArray();
	}

	public static void put32(byte[] b, int p, int v) {
		b[p] = (byte) v;
		b[p + 1] = (byte) (v >> 8);
		b[p + 2] = (byte) (v >> 16);
		b[p + 3] = (byte) (v >> 24);
	}
}
