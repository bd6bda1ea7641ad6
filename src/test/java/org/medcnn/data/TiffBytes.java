package org.medcnn.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small uncompressed classic TIFF files byte by byte (TIFF 6.0), one strip per page, so that tests control
 * every field: byte order, bits and sample format, ImageJ's ImageDescription and resolution, and hostile variants
 * (a declared size the strips do not hold, an IFD chain that loops).
 */
final class TiffBytes {

	/** One page: declared size and format, and its pixel bytes (already in the file's byte order). */
	record Page(int width, int height, int bits, int samplesPerPixel, int sampleFormat, int photometric, byte[] data) {}

	private final ByteOrder order;
	private final List<Page> pages = new ArrayList<>();
	private String description;
	private long[] xResolution, yResolution;
	private int resolutionUnit = 0;
	private boolean loop;

	private TiffBytes(ByteOrder order) {
		this.order = order;
	}

	static TiffBytes bigEndian() {
		return new TiffBytes(ByteOrder.BIG_ENDIAN);
	}

	static TiffBytes littleEndian() {
		return new TiffBytes(ByteOrder.LITTLE_ENDIAN);
	}

	TiffBytes page(Page p) {
		pages.add(p);
		return this;
	}

	TiffBytes grey8(int w, int h, int... v) {
		byte[] b = new byte[v.length];
		for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
		return page(new Page(w, h, 8, 1, 1, 1, b));
	}

	TiffBytes grey16(int w, int h, int sampleFormat, int... v) {
		ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(order);
		for (int x : v) b.putShort((short) x);
		return page(new Page(w, h, 16, 1, sampleFormat, 1, b.array()));
	}

	TiffBytes int32(int w, int h, int sampleFormat, long... v) {
		ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
		for (long x : v) b.putInt((int) x);
		return page(new Page(w, h, 32, 1, sampleFormat, 1, b.array()));
	}

	TiffBytes float32(int w, int h, float... v) {
		ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
		for (float x : v) b.putFloat(x);
		return page(new Page(w, h, 32, 1, 3, 1, b.array()));
	}

	TiffBytes rgb8(int w, int h, int... rgb) {
		byte[] b = new byte[rgb.length];
		for (int i = 0; i < rgb.length; i++) b[i] = (byte) rgb[i];
		return page(new Page(w, h, 8, 3, 1, 2, b));
	}

	/** ImageDescription of the first page. */
	TiffBytes description(String d) {
		description = d;
		return this;
	}

	/** XResolution and YResolution as rationals, and ResolutionUnit (1 none, 2 inch, 3 cm). */
	TiffBytes resolution(long xNum, long xDen, long yNum, long yDen, int unit) {
		xResolution = new long[] {xNum, xDen};
		yResolution = new long[] {yNum, yDen};
		resolutionUnit = unit;
		return this;
	}

	/** The last IFD points back at the first. */
	TiffBytes loop() {
		loop = true;
		return this;
	}

	byte[] build() {
		// Layout per page: IFD, then its out-of-line values, then its pixels; the first IFD right after the header.
		List<byte[]> parts = new ArrayList<>();
		long pos = 8;
		List<Long> ifdOffsets = new ArrayList<>();
		for (int k = 0; k < pages.size(); k++) {
			ifdOffsets.add(pos);
			pos += pageSize(k);
		}
		ByteBuffer header = ByteBuffer.allocate(8).order(order);
		header.put((byte) (order == ByteOrder.BIG_ENDIAN ? 'M' : 'I')).put((byte) (order == ByteOrder.BIG_ENDIAN ? 'M' : 'I'));
		header.putShort((short) 42).putInt((int) (pages.isEmpty() ? 0 : 8));
		parts.add(header.array());
		for (int k = 0; k < pages.size(); k++) {
			long next = k + 1 < pages.size() ? ifdOffsets.get(k + 1) : loop ? ifdOffsets.get(0) : 0;
			parts.add(page(k, ifdOffsets.get(k), next));
		}
		int total = parts.stream().mapToInt(b -> b.length).sum();
		ByteBuffer out = ByteBuffer.allocate(total);
		for (byte[] p : parts) out.put(p);
		return out.array();
	}

	private int entries(int k) {
		int n = 11; // 254 256 257 258 259 262 273 277 278 279 339
		if (k == 0 && description != null) n++;
		if (xResolution != null) n += 3;
		return n;
	}

	private int extraSize(int k) {
		Page p = pages.get(k);
		int s = p.samplesPerPixel() > 2 ? 2 * p.samplesPerPixel() : 0;
		if (p.samplesPerPixel() > 2) s += 2 * p.samplesPerPixel(); // SampleFormat per sample
		if (k == 0 && description != null) s += description.getBytes(StandardCharsets.UTF_8).length + 1;
		if (xResolution != null) s += 16;
		return s;
	}

	private long pageSize(int k) {
		return 2 + 12L * entries(k) + 4 + extraSize(k) + pages.get(k).data().length;
	}

	private byte[] page(int k, long ifdOffset, long next) {
		Page p = pages.get(k);
		int n = entries(k);
		ByteBuffer b = ByteBuffer.allocate((int) pageSize(k)).order(order);
		long extra = ifdOffset + 2 + 12L * n + 4;
		long data = extra + extraSize(k);
		ByteBuffer ex = ByteBuffer.allocate(extraSize(k)).order(order);
		b.putShort((short) n);
		entry(b, 254, 4, 1, 0);
		entry(b, 256, 4, 1, p.width());
		entry(b, 257, 4, 1, p.height());
		if (p.samplesPerPixel() > 2) {
			entry(b, 258, 3, p.samplesPerPixel(), extra + ex.position());
			for (int i = 0; i < p.samplesPerPixel(); i++) ex.putShort((short) p.bits());
		} else {
			shortEntry(b, 258, p.samplesPerPixel(), p.bits());
		}
		shortEntry(b, 259, 1, 1);
		shortEntry(b, 262, 1, p.photometric());
		if (k == 0 && description != null) {
			byte[] d = description.getBytes(StandardCharsets.UTF_8);
			entry(b, 270, 2, d.length + 1, extra + ex.position());
			ex.put(d).put((byte) 0);
		}
		entry(b, 273, 4, 1, data);
		shortEntry(b, 277, 1, p.samplesPerPixel());
		entry(b, 278, 4, 1, p.height());
		entry(b, 279, 4, 1, p.data().length);
		if (xResolution != null) {
			entry(b, 282, 5, 1, extra + ex.position());
			ex.putInt((int) xResolution[0]).putInt((int) xResolution[1]);
			entry(b, 283, 5, 1, extra + ex.position());
			ex.putInt((int) yResolution[0]).putInt((int) yResolution[1]);
			shortEntry(b, 296, 1, resolutionUnit);
		}
		if (p.samplesPerPixel() > 2) {
			entry(b, 339, 3, p.samplesPerPixel(), extra + ex.position());
			for (int i = 0; i < p.samplesPerPixel(); i++) ex.putShort((short) p.sampleFormat());
		} else {
			shortEntry(b, 339, p.samplesPerPixel(), p.sampleFormat());
		}
		b.putInt((int) next);
		b.put(ex.array());
		b.put(p.data());
		return b.array();
	}

	private static void entry(ByteBuffer b, int tag, int type, int count, long value) {
		b.putShort((short) tag).putShort((short) type).putInt(count).putInt((int) value);
	}

	/** A SHORT entry with one or two values, left-justified in the value field (TIFF 6.0 §2). */
	private static void shortEntry(ByteBuffer b, int tag, int count, int value) {
		b.putShort((short) tag).putShort((short) 3).putInt(count).putShort((short) value)
			.putShort((short) (count > 1 ? value : 0));
	}
}
