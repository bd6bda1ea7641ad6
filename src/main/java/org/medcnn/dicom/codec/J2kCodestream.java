package org.medcnn.dicom.codec;

import java.util.Arrays;

import org.medcnn.dicom.DicomReadException;

/**
 * Finds the JPEG 2000 code stream in a frame's bytes and checks that it is whole before a decoder sees it, the way
 * OpenJPEG and GDCM read it: the main header is walked marker segment by marker segment, then the tile-parts by the
 * length each start-of-tile-part (SOT) marker declares (ISO/IEC 15444-1 §A.4.2, Psot). A stream is whole when
 * every tile has its tile-parts and the last one ends inside the data; then
 * <ul>
 * <li>a missing end-of-codestream marker (EOC, FFD9) is accepted (several NEMA WG04 images lack it) and supplied;</li>
 * <li>bytes after EOC are padding and dropped (WG04 images end in FFD9 FF; a DICOM fragment is padded to even
 * length, PS3.5 §A.4);</li>
 * <li>without EOC, trailing bytes are accepted as padding only when they are all 00 or FF;</li>
 * <li>bytes before the start-of-codestream marker (a JP2 wrapper, which PS3.5 §A.4.4 forbids but some writers
 * add) are dropped.</li>
 * </ul>
 * Data that runs out inside the main header or inside a tile-part, or lacks a tile or a tile-part, is refused as
 * truncated: a JPEG 2000 decoder would otherwise return a coarser image from a cut progressive code stream. Every
 * step advances by at least two bytes, so damaged lengths cannot make the walk loop. Stateless and thread-safe.
 */
final class J2kCodestream {

	private static final int SOC = 0xFF4F, SIZ = 0xFF51, SOT = 0xFF90, EOC = 0xFFD9;
	/** Tiles at most: a damaged SIZ declaring millions makes JJ2000 allocate per-tile tables for minutes. */
	static final int MAX_TILES = 65535;
	/** SOT marker segment (12 bytes) plus the start-of-data marker (2): the least a tile-part can hold. */
	private static final int MIN_TILE_PART = 14;

	private J2kCodestream() {}

	/**
	 * The code stream of {@code data}, from SOC to EOC inclusive: {@code data} itself when it is exactly that,
	 * otherwise a trimmed copy, with EOC appended when it was missing.
	 *
	 * @throws DicomReadException if there is no code stream, its SIZ disagrees with the layout, or it is truncated
	 *         or damaged ("truncated" is in the message when the data runs out)
	 */
	static byte[] extract(byte[] data, FrameLayout l, int frame) throws DicomReadException {
		int n = data.length;
		int soc = indexOfStart(data);
		if (soc < 0)
			throw l.frameError(frame, "the JPEG 2000 stream of " + n + " bytes has no start-of-codestream and SIZ markers"
				+ " (FF4F FF51): not a JPEG 2000 code stream, or truncated");
		long tiles = checkSiz(data, soc + 2, l, frame);

		// Main header: SIZ and the marker segments after it (COD, QCD, COM, …), each with a length, up to the first SOT.
		int p = soc + 2;
		while (true) {
			if (p + 4 > n) throw l.frameError(frame, "the JPEG 2000 main header is truncated at byte " + p + " of " + n);
			int marker = u16(data, p);
			if (marker == SOT) break;
			if ((marker >>> 8) != 0xFF || marker < 0xFF30)
				throw l.frameError(frame, "the JPEG 2000 main header is damaged: " + hex(marker) + " at byte " + p
					+ " is not a marker");
			if (marker == EOC) throw l.frameError(frame, "the JPEG 2000 stream ends (EOC) before its first tile-part");
			int length = u16(data, p + 2);
			if (length < 2)
				throw l.frameError(frame, "the JPEG 2000 main header is damaged: marker " + hex(marker) + " at byte " + p
					+ " declares length " + length);
			if (p + 2L + length > n)
				throw l.frameError(frame, "the JPEG 2000 main header is truncated: marker " + hex(marker) + " at byte " + p
					+ " declares " + length + " bytes, " + (n - p - 2) + " remain");
			p += 2 + length;
		}

		// Tile-parts, each skipped by its Psot (from the first byte of its SOT to the end of its data).
		int[] partsSeen = new int[(int) tiles];
		int[] partsDeclared = new int[(int) tiles];
		int end; // end of the last tile-part
		boolean eoc = false;
		int count = 0;
		while (true) {
			count++;
			if (p + 12 > n)
				throw l.frameError(frame, "the JPEG 2000 stream is truncated: SOT of tile-part " + count + " at byte " + p
					+ " needs 12 bytes, " + (n - p) + " remain");
			int lsot = u16(data, p + 2);
			int tile = u16(data, p + 4);
			long psot = u32(data, p + 6);
			int tnsot = data[p + 11] & 0xFF;
			if (lsot != 10 || tile >= tiles)
				throw l.frameError(frame, "the JPEG 2000 SOT of tile-part " + count + " at byte " + p + " is damaged (Lsot "
					+ lsot + ", tile " + tile + " of " + tiles + ")");
			// TNsot = 0: this tile-part does not say how many the tile has.
			partsDeclared[tile] = Math.max(partsDeclared[tile], tnsot);
			partsSeen[tile]++;
			if (psot == 0) {
				// §A.4.2: Psot = 0 is the last tile-part, running to EOC; without EOC its end cannot be told from a cut.
				int e = lastIndexOfEoc(data, p + MIN_TILE_PART);
				if (e < 0)
					throw l.frameError(frame, "the JPEG 2000 last tile-part (Psot = 0) runs to the end-of-codestream marker"
						+ " FFD9, which is missing: truncated");
				end = e;
				eoc = true;
				break;
			}
			if (psot < MIN_TILE_PART)
				throw l.frameError(frame, "the JPEG 2000 SOT of tile-part " + count + " at byte " + p + " is damaged (Psot "
					+ psot + ")");
			if (p + psot > n)
				throw l.frameError(frame, "the JPEG 2000 stream is truncated inside tile " + tile + ": its tile-part at byte "
					+ p + " declares " + psot + " bytes, " + (n - p) + " remain");
			p += (int) psot;
			if (p + 2 <= n && u16(data, p) == SOT) continue;
			end = p;
			eoc = p + 2 <= n && u16(data, p) == EOC;
			if (!eoc && !padding(data, p))
				throw l.frameError(frame, "the JPEG 2000 stream is damaged: the " + (n - p) + " bytes after the tile-part"
					+ " ending at byte " + p + " start neither a tile-part (SOT) nor the end of the code stream (EOC)");
			break;
		}
		for (int t = 0; t < tiles; t++) {
			if (partsSeen[t] == 0)
				throw l.frameError(frame, "the JPEG 2000 stream is truncated: tile " + t + " of " + tiles + " is missing");
			if (partsDeclared[t] != 0 && partsSeen[t] < partsDeclared[t])
				throw l.frameError(frame, "the JPEG 2000 stream is truncated: tile " + t + " has " + partsSeen[t] + " of its "
					+ partsDeclared[t] + " tile-parts");
		}
		if (eoc) {
			int stop = end + 2;
			return soc == 0 && stop == n ? data : Arrays.copyOfRange(data, soc, stop);
		}
		byte[] out = Arrays.copyOfRange(data, soc, end + 2);
		out[out.length - 2] = (byte) 0xFF;
		out[out.length - 1] = (byte) 0xD9;
		return out;
	}

	/** The offset of SOC immediately followed by SIZ (§A.4.1, §A.5.1), or -1. */
	private static int indexOfStart(byte[] b) {
		for (int i = 0; i + 4 <= b.length; i++)
			if (u16(b, i) == SOC && u16(b, i + 2) == SIZ) return i;
		return -1;
	}

	/**
	 * Checks the SIZ marker segment starting at {@code p} (its marker): image size against Columns × Rows, tile
	 * sizes, and the number of tiles, which it returns.
	 */
	private static long checkSiz(byte[] b, int p, FrameLayout l, int frame) throws DicomReadException {
		if (p + 40 > b.length) throw l.frameError(frame, "the JPEG 2000 SIZ marker is truncated");
		long xsiz = u32(b, p + 6);
		long ysiz = u32(b, p + 10);
		long xo = u32(b, p + 14);
		long yo = u32(b, p + 18);
		long xt = u32(b, p + 22);
		long yt = u32(b, p + 26);
		long xto = u32(b, p + 30);
		long yto = u32(b, p + 34);
		if (xsiz - xo != l.columns() || ysiz - yo != l.rows())
			throw l.frameError(frame, "the JPEG 2000 SIZ marker declares " + (xsiz - xo) + "×" + (ysiz - yo)
				+ " but Columns × Rows is " + l.columns() + "×" + l.rows());
		if (xt == 0 || yt == 0 || xto > xo || yto > yo || xto + xt <= xo || yto + yt <= yo)
			throw l.frameError(frame, "the JPEG 2000 SIZ marker has invalid tile sizes " + xt + "×" + yt + " at " + xto
				+ "," + yto);
		long tiles = ((xsiz - xto + xt - 1) / xt) * ((ysiz - yto + yt - 1) / yt);
		if (tiles > MAX_TILES)
			throw l.frameError(frame, "the JPEG 2000 SIZ marker declares " + tiles + " tiles (at most " + MAX_TILES + ")");
		return tiles;
	}

	/**
	 * The offset of the last FFD9 at or after {@code from}, or -1. Inside tile data FF is never followed by a byte
	 * above 8F (§A.1, §D.4.1 bit stuffing), so the last FFD9 ends the code stream and anything after it is padding.
	 */
	private static int lastIndexOfEoc(byte[] b, int from) {
		for (int i = b.length - 2; i >= from; i--)
			if (u16(b, i) == EOC) return i;
		return -1;
	}

	/** Whether every byte from {@code p} on is 00 or FF (fragment padding). */
	private static boolean padding(byte[] b, int p) {
		for (int i = p; i < b.length; i++)
			if (b[i] != 0 && b[i] != (byte) 0xFF) return false;
		return true;
	}

	private static int u16(byte[] b, int p) {
		return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
	}

	private static long u32(byte[] b, int p) {
		return ((long) (b[p] & 0xFF) << 24) | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
	}

	private static String hex(int marker) {
		return String.format("%04X", marker);
	}
}
