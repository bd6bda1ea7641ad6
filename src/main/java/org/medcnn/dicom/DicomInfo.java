package org.medcnn.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.medcnn.common.HeapBudget;

/**
 * The {@code info --json [--pixels]} description of a DICOM file (DESIGN.md), built from
 * {@link DicomReader} and {@link DicomPixels}.
 * <p>
 * Fields: file, transferSyntaxUID (the one used to decode: File Meta's, or detected when there is none),
 * sopClassUID, modality, rows, columns, frames (NumberOfFrames, else 1 for an image), samplesPerPixel,
 * photometricInterpretation, bitsAllocated, bitsStored, highBit, pixelRepresentation, rescaleSlope,
 * rescaleIntercept (null when absent), pixelSpacing ([row, column] mm from the top level, else the shared or
 * first per-frame Pixel Measures functional group; null when absent), for images the lookup tables
 * (modalityTransform, modalityLut, windows, voiLutFunction, voiLut, palette, lutWarnings, each
 * described in the private describeLuts) and, with pixels,
 * {@code pixels: {frames: [{min, max, mean, sha256}], allFramesSha256}} over the stored values (SHA-256 of the
 * values as little-endian 32-bit integers, as {@code ../shared/dicom-corpus/README.md} defines). A file that
 * cannot be read gives {@code {file, error}}; a file whose header is readable but whose pixels are not (a
 * compressed transfer syntax) gives the header fields plus {@code error}. Stateless and thread-safe.
 */
public final class DicomInfo {

	private DicomInfo() {}

	/**
	 * Describes one file; never throws for a bad file (the reason goes into "error").
	 *
	 * @param pixels also decode the pixels and add the "pixels" statistics
	 */
	public static Map<String, Object> describe(Path file, boolean pixels) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("file", file.toString());
		DicomObject o;
		String heapShort = null;
		try {
			if (pixels) {
				// Decoding reads the whole file and then one frame at a time: refuse (with the header described) what
				// the heap cannot hold, instead of failing with an OutOfMemoryError that would end the listing.
				o = DicomReader.readHeader(file);
				heapShort = pixelReadShortfall(o);
				if (heapShort == null) o = DicomReader.read(file);
			} else {
				o = DicomReader.readHeader(file);
			}
		} catch (DicomReadException e) {
			m.put("error", e.getMessage());
			return m;
		}
		m.put("transferSyntaxUID", o.transferSyntaxUID());
		String sop = o.getString(Tag.SOPClassUID);
		m.put("sopClassUID", sop != null ? sop : o.getString(Tag.MediaStorageSOPClassUID));
		m.put("modality", o.getString(Tag.Modality));
		m.put("rows", intOrNull(o, Tag.Rows));
		m.put("columns", intOrNull(o, Tag.Columns));
		boolean image = o.contains(Tag.Rows) || o.hasPixelData();
		m.put("frames", o.contains(Tag.NumberOfFrames) ? intOrNull(o, Tag.NumberOfFrames) : image ? (Object) 1 : null);
		m.put("samplesPerPixel", intOrNull(o, Tag.SamplesPerPixel));
		m.put("photometricInterpretation", o.getString(Tag.PhotometricInterpretation));
		m.put("bitsAllocated", intOrNull(o, Tag.BitsAllocated));
		m.put("bitsStored", intOrNull(o, Tag.BitsStored));
		m.put("highBit", intOrNull(o, Tag.HighBit));
		m.put("pixelRepresentation", intOrNull(o, Tag.PixelRepresentation));
		m.put("rescaleSlope", doubleOrNull(o, Tag.RescaleSlope));
		m.put("rescaleIntercept", doubleOrNull(o, Tag.RescaleIntercept));
		double[] ps = pixelSpacing(o);
		m.put("pixelSpacing", ps == null ? null : List.of(ps[0], ps[1]));
		if (image) describeLuts(o, m);
		if (!pixels && o.hasPixelData() && !m.containsKey("error") && !TransferSyntax.of(o.transferSyntaxUID()).deflated()) {
			// what every other command checks before it reads: frames or an image the file cannot hold (a deflated data
			// set is longer than its file, and is checked when inflated)
			try {
				DicomPixels.checkHeader(o, true);
			} catch (DicomReadException e) {
				m.put("error", e.getMessage());
			}
		}
		if (pixels && heapShort != null) {
			m.put("error", heapShort);
		} else if (pixels) {
			try {
				m.put("pixels", pixelStatistics(o));
			} catch (DicomReadException e) {
				m.put("error", e.getMessage());
			}
		}
		return m;
	}

	/**
	 * Why the heap cannot hold what {@code --pixels} needs for a file (its bytes, and a decoded frame of 32-bit
	 * values), or null when it can; the message names the file and says how to raise the heap.
	 */
	private static String pixelReadShortfall(DicomObject header) {
		long frame = (long) Math.max(0, header.getInt(Tag.Rows, 0)) * Math.max(0, header.getInt(Tag.Columns, 0))
			* Math.max(1, header.getInt(Tag.SamplesPerPixel, 1));
		// a file over 2 GiB is not held: its pixel data are read a frame at a time (at most 4 bytes a value)
		long held = header.sourceLength() <= DicomReader.MAX_WHOLE_FILE ? Math.max(0, header.sourceLength()) : 4 * frame;
		long need = held + 8 * frame;
		String why = HeapBudget.shortfall(need, "decoding the pixels of " + header.file() + " (" + HeapBudget.size(header
			.sourceLength()) + " file)");
		return why;
	}

	/**
	 * The lookup-table fields of an image: modalityTransform ("rescale", "modalityLut" or "none"; greyscale
	 * only), modalityLut ({entries, firstMapped, bitsPerEntry, explanation, min, max, type} when used), windows
	 * ([{center, width, explanation, displayMin, displayMax}]), voiLutFunction, voiLut (the first VOI LUT or
	 * null), palette ({red, green, blue} LUT summaries, PALETTE COLOR only) and lutWarnings (when any). A
	 * malformed LUT sets "error" instead.
	 */
	private static void describeLuts(DicomObject o, Map<String, Object> m) {
		List<String> warnings = new ArrayList<>();
		try {
			if (o.getInt(Tag.SamplesPerPixel, 1) == 1 && !"PALETTE COLOR".equals(o.getString(Tag.PhotometricInterpretation))) {
				DicomPixels.ModalityTransform mt = DicomPixels.modalityTransform(o);
				m.put("modalityTransform", mt.kind());
				if (mt.lut() != null) {
					Map<String, Object> lut = DicomPixels.lutJson(mt.lut());
					lut.put("type", mt.lutType());
					m.put("modalityLut", lut);
				}
				warnings.addAll(mt.warnings());
			}
			DicomVoi voi = DicomVoi.of(o);
			m.putAll(voi.toJson());
			warnings.addAll(voi.warnings());
			if ("PALETTE COLOR".equals(o.getString(Tag.PhotometricInterpretation))) {
				DicomLut[] p = DicomPixels.palette(o);
				Map<String, Object> pm = new LinkedHashMap<>();
				pm.put("red", DicomPixels.lutJson(p[0]));
				pm.put("green", DicomPixels.lutJson(p[1]));
				pm.put("blue", DicomPixels.lutJson(p[2]));
				m.put("palette", pm);
			}
		} catch (DicomReadException e) {
			m.put("error", e.getMessage());
		}
		if (!warnings.isEmpty()) m.put("lutWarnings", warnings);
	}

	/**
	 * Whether a file looks like DICOM from its first 132 bytes: "DICM" at offset 128 or 0, or a plausible first
	 * element (File Meta group 0002, or a low group with a valid explicit VR or implicit length). Cheap, for
	 * skipping other files when walking folders; {@link DicomReader} decides for real.
	 */
	public static boolean looksLikeDicom(Path file) throws IOException {
		ByteBuffer bb = ByteBuffer.allocate(132);
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			while (bb.hasRemaining() && ch.read(bb) >= 0) {
				// keep reading until 132 bytes or end of file
			}
		}
		byte[] b = bb.array();
		int n = bb.position();
		if (n >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') return true;
		if (n >= 4 && b[0] == 'D' && b[1] == 'I' && b[2] == 'C' && b[3] == 'M') return true;
		if (n < 8) return false;
		int gLe = (b[0] & 0xFF) | ((b[1] & 0xFF) << 8);
		int gBe = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
		boolean vr = b[4] >= 'A' && b[4] <= 'Z' && b[5] >= 'A' && b[5] <= 'Z';
		boolean lowLe = gLe >= 0x0002 && gLe <= 0x0030 && (gLe & 1) == 0;
		boolean lowBe = gBe >= 0x0002 && gBe <= 0x0030 && (gBe & 1) == 0;
		if ((lowLe || lowBe) && vr) return true;
		if (lowLe) {
			long len = (b[4] & 0xFF) | ((b[5] & 0xFF) << 8) | ((b[6] & 0xFF) << 16) | ((long) (b[7] & 0xFF) << 24);
			return len == 0xFFFFFFFFL || len < 0x10000; // the first element of a data set is short text
		}
		return false;
	}

	/**
	 * PixelSpacing [row, column] in mm: top level, else SharedFunctionalGroupsSequence → PixelMeasuresSequence,
	 * else the first per-frame group's; null when absent.
	 */
	public static double[] pixelSpacing(DicomObject o) {
		double[] ps = o.getDoubles(Tag.PixelSpacing);
		if (ps != null && ps.length >= 2) return new double[] {ps[0], ps[1]};
		for (int seq : new int[] {Tag.SharedFunctionalGroupsSequence, Tag.PerFrameFunctionalGroupsSequence}) {
			List<DicomObject> groups = o.getSequence(seq);
			if (groups.isEmpty()) continue;
			List<DicomObject> pm = groups.get(0).getSequence(Tag.PixelMeasuresSequence);
			if (!pm.isEmpty()) {
				ps = pm.get(0).getDoubles(Tag.PixelSpacing);
				if (ps != null && ps.length >= 2) return new double[] {ps[0], ps[1]};
			}
		}
		return null;
	}

	/** {frames: [{min, max, mean, sha256}], allFramesSha256} of the stored values. */
	static Map<String, Object> pixelStatistics(DicomObject o) throws DicomReadException {
		boolean unsigned32 = o.getInt(Tag.BitsStored, 0) == 32 && o.getInt(Tag.PixelRepresentation, 0) == 0;
		MessageDigest all = sha256();
		List<Object> list = new ArrayList<>();
		ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
		// One frame at a time: a large multi-frame file needs its bytes and one decoded frame, not all of them.
		DicomPixels.storedFrames(o, (index, f) -> {
			MessageDigest one = sha256();
			long min = Long.MAX_VALUE;
			long max = Long.MIN_VALUE;
			double sum = 0;
			for (int i = 0; i < f.length; i++) {
				long v = unsigned32 ? Integer.toUnsignedLong(f[i]) : f[i];
				if (v < min) min = v;
				if (v > max) max = v;
				sum += v;
				if (!buf.hasRemaining()) flush(buf, one, all);
				buf.putInt(f[i]);
			}
			flush(buf, one, all);
			Map<String, Object> fm = new LinkedHashMap<>();
			fm.put("min", f.length == 0 ? null : min);
			fm.put("max", f.length == 0 ? null : max);
			fm.put("mean", f.length == 0 ? null : sum / f.length);
			fm.put("sha256", HexFormat.of().formatHex(one.digest()));
			list.add(fm);
		});
		Map<String, Object> px = new LinkedHashMap<>();
		px.put("frames", list);
		px.put("allFramesSha256", HexFormat.of().formatHex(all.digest()));
		return px;
	}

	private static void flush(ByteBuffer buf, MessageDigest a, MessageDigest b) {
		a.update(buf.array(), 0, buf.position());
		b.update(buf.array(), 0, buf.position());
		buf.clear();
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("the JDK has no SHA-256", e);
		}
	}

	private static Object intOrNull(DicomObject o, int tag) {
		double[] d = o.getDoubles(tag);
		return d == null || d.length == 0 || Double.isNaN(d[0]) ? null : (Object) (int) Math.round(d[0]);
	}

	private static Object doubleOrNull(DicomObject o, int tag) {
		double[] d = o.getDoubles(tag);
		return d == null || d.length == 0 || Double.isNaN(d[0]) ? null : (Object) d[0];
	}
}
