package org.medcnn.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.medcnn.common.HeapBudget;
import org.medcnn.dicom.codec.DeflatedFrames;
import org.medcnn.dicom.codec.FrameDecoder;
import org.medcnn.dicom.codec.FrameDecoders;
import org.medcnn.dicom.codec.FrameLayout;

/**
 * Interprets Pixel Data: stored values and real-world values (Hounsfield units for CT), per frame.
 * <p>
 * Stored values follow {@code ../shared/dicom-corpus/README.md}: each BitsAllocated-bit cell in the data set's
 * byte order, shifted right by {@code HighBit - BitsStored + 1}, masked to BitsStored bits and sign-extended
 * when PixelRepresentation = 1; no rescale, no VOI window, no MONOCHROME1 inversion, no palette lookup
 * (PALETTE COLOR gives the indices; {@link #rgbValues} maps them through the palette). BitsAllocated = 1 is bit-packed, least significant bit first, frames
 * contiguous (PS3.5 §8.1.1). Colour (SamplesPerPixel = 3) comes out interleaved R,G,B per pixel whatever the
 * PlanarConfiguration; YBR_FULL and YBR_FULL_422 are converted to RGB with ITU-T T.871.
 * <p>
 * Sizes are checked before anything is allocated: Pixel Data shorter than Rows × Columns × Frames × Samples
 * × BitsAllocated needs gives a {@link DicomReadException}.
 * <p>
 * Encapsulated (compressed) Pixel Data is split into frames (Basic Offset Table, else one fragment per frame,
 * else a new frame at each fragment that starts a JPEG or JPEG 2000 stream) and each frame is decoded by the
 * {@link FrameDecoder} of its transfer syntax ({@link FrameDecoders}: RLE, JPEG baseline/extended 8- and 12-bit/
 * lossless, JPEG-LS, JPEG 2000); the decoded cells then get the same masking, sign extension and YBR → RGB
 * conversion as uncompressed data. Deflated Image Frame Compression ({@link DeflatedFrames}, any BitsAllocated
 * including 1) inflates each frame to its native cells, which are then read as uncompressed ones. Other transfer syntaxes (HTJ2K, MPEG, …) and JPEG processes without a decoder
 * (progressive, arithmetic coding) are refused with "transfer syntax … is
 * not supported yet". Stateless and thread-safe.
 */
public final class DicomPixels {

	private DicomPixels() {}

	/** The pixel layout an image declares (Image Pixel module, PS3.3 §C.7.6.3), validated. */
	record Layout(int rows, int columns, int frames, int samplesPerPixel, int bitsAllocated, int bitsStored,
		int highBit, boolean signed, int planarConfiguration, String photometric) {

		/** Values per frame in the output (rows × columns × samples). */
		int valuesPerFrame() {
			return rows * columns * samplesPerPixel;
		}
	}

	/**
	 * Stored values, one array per frame, row-major {@code [row][column][sample]} flattened.
	 *
	 * @throws DicomReadException if there is no Pixel Data, it was not read ({@link DicomReader#readHeader}),
	 *         it is shorter than the image attributes say, it is compressed with a transfer syntax that cannot be
	 *         decoded yet, or the compressed data are damaged
	 */
	public static int[][] storedValues(DicomObject o) throws DicomReadException {
		DicomElement px = pixelElement(o);
		Layout l = layout(o, codecCells(o, px));
		requireHeap(o, l, 4, "its stored values (32-bit integers)");
		int[][] out = new int[l.frames][];
		storedFrames(o, (fr, v) -> out[fr] = v);
		return out;
	}

	/** Receives decoded frames one at a time, in stored order. */
	@FunctionalInterface
	public interface FrameSink<T> {
		void accept(int frame, T values) throws DicomReadException;
	}

	/**
	 * Decodes the stored values frame by frame ({@link #storedValues} without holding every frame at once: a
	 * consumer that keeps none of them needs the file's bytes and one frame).
	 *
	 * @throws DicomReadException as {@link #storedValues}, or as {@code sink} throws
	 */
	public static void storedFrames(DicomObject o, FrameSink<int[]> sink) throws DicomReadException {
		DicomElement px = pixelElement(o);
		Layout l = layout(o, codecCells(o, px));
		if (px.isEncapsulated() && deflatedFrames(o)) {
			decodeDeflated(o, px, l, sink);
			return;
		}
		if (px.isEncapsulated()) {
			decodeEncapsulated(o, px, l, sink);
			return;
		}
		int perFrameSamples = checkNativeSize(o, px, l);
		for (int fr = 0; fr < l.frames; fr++) sink.accept(fr, nativeFrame(o, px, l, fr, perFrameSamples));
	}

	/**
	 * Stored values of one frame ({@link #storedFrames} for frame {@code frame} alone, 0-based, in stored order): a
	 * frame of a file over 2 GiB is read by its file offset without reading the frames before it (native data) or
	 * their compressed bytes (encapsulated data).
	 *
	 * @throws DicomReadException as {@link #storedValues}, or when {@code frame} is not a frame of the image
	 */
	public static int[] storedFrame(DicomObject o, int frame) throws DicomReadException {
		DicomElement px = pixelElement(o);
		Layout l = layout(o, codecCells(o, px));
		if (frame < 0 || frame >= l.frames)
			throw new DicomReadException(o.file(), Tag.NumberOfFrames, "has no frame " + (frame + 1) + " (NumberOfFrames is "
				+ l.frames + ")");
		if (!px.isEncapsulated()) return nativeFrame(o, px, l, frame, checkNativeSize(o, px, l));
		int[][] out = new int[1][];
		FrameSink<int[]> keep = (fr, v) -> out[0] = v;
		if (deflatedFrames(o)) decodeDeflated(o, px, l, keep, frame);
		else decodeEncapsulated(o, px, l, keep, frame);
		return out[0];
	}

	/**
	 * Frame {@code fr} of native Pixel Data as stored values: from the bytes held in memory, or read from the file by
	 * its 64-bit offset when the Pixel Data were left there ({@link DicomElement#inFile}).
	 */
	private static int[] nativeFrame(DicomObject o, DicomElement px, Layout l, int fr, int samples)
		throws DicomReadException {
		if (!px.inFile) return decodeFrame(px.buf, px.off, px.bigEndian, l, fr, samples);
		if (l.bitsAllocated == 1) {
			// PS3.5 §8.1.1: the frames of 1-bit data follow one another in one bit stream, not at byte boundaries.
			long bit0 = (long) fr * samples;
			int skip = (int) (bit0 & 7);
			byte[] w = pixelBytes(o.file(), px, px.fileOffset + (bit0 >>> 3), (skip + (long) samples + 7) >>> 3);
			return decodeBits(w, 0, skip, samples, l.valuesPerFrame());
		}
		long frameBytes = (long) samples * (l.bitsAllocated / 8);
		byte[] w = pixelBytes(o.file(), px, px.fileOffset + fr * frameBytes, frameBytes);
		return decodeFrame(w, 0, px.bigEndian, l, 0, samples);
	}

	/**
	 * {@code length} bytes of Pixel Data from {@code offset}: an offset into the bytes held in memory, or into the file
	 * when the Pixel Data were left there (read in slices of {@value #STREAM_CHUNK} bytes: a read into a heap array goes
	 * through a temporary direct buffer of the read's size, outside the heap's limit).
	 *
	 * @throws DicomReadException when the bytes do not fit a Java array or the file cannot be read (or ends early)
	 */
	static byte[] pixelBytes(Path f, DicomElement px, long offset, long length) throws DicomReadException {
		if (length > HeapBudget.MAX_ARRAY_ELEMENTS)
			throw new DicomReadException(f, Tag.PixelData, length + " bytes of Pixel Data at offset " + offset + " are more "
				+ "than a Java array holds (2^31 - 9)");
		byte[] out = new byte[(int) length];
		readPixelBytes(f, px, offset, out, 0, (int) length);
		return out;
	}

	private static void readPixelBytes(Path f, DicomElement px, long offset, byte[] dst, int at, int length)
		throws DicomReadException {
		if (!px.inFile) {
			System.arraycopy(px.buf, (int) offset, dst, at, length);
			return;
		}
		try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
			ByteBuffer bb = ByteBuffer.wrap(dst, at, length);
			while (bb.hasRemaining()) {
				int end = bb.limit();
				bb.limit(Math.min(end, bb.position() + STREAM_CHUNK));
				int r = ch.read(bb, offset + (bb.position() - at));
				bb.limit(end);
				if (r < 0)
					throw new DicomReadException(f, Tag.PixelData, "the file ended at offset " + (offset + bb.position() - at)
						+ ", inside Pixel Data (it shrank while being read?)");
			}
		} catch (DicomReadException e) {
			throw e;
		} catch (IOException e) {
			throw new DicomReadException(f, -1, "cannot read the file: " + e.getMessage(), e);
		}
	}

	/**
	 * Checks, from the header alone (a {@link DicomReader#readHeader} result is enough), that the Image Pixel
	 * attributes describe frames the file can hold, before anything is allocated for them: native Pixel Data must
	 * be at least Rows × Columns × SamplesPerPixel × BitsAllocated × NumberOfFrames long; encapsulated Pixel Data
	 * needs one fragment (an item of 8 bytes at least) per frame, so NumberOfFrames cannot exceed what the rest of
	 * the file holds; and one frame must fit a Java array. A 600-byte file that declares 2<sup>31</sup> − 1 frames
	 * is refused here at once, before a layout, a volume or a frame list is made for it.
	 *
	 * @throws DicomReadException naming the file and the attribute the data cannot hold (NumberOfFrames, Rows, …),
	 *         or an invalid Image Pixel attribute
	 */
	public static void checkHeader(DicomObject o) throws DicomReadException {
		checkHeader(o, false);
	}

	/**
	 * {@link #checkHeader(DicomObject)}; with {@code damageTolerant}, the native Pixel Data of a single-frame image
	 * is only required to fit in the file rather than to be as long as the image needs: a slice whose pixel data
	 * are a little short is a damaged slice, which {@link SeriesReader} may leave out, not a hostile header.
	 */
	static void checkHeader(DicomObject o, boolean damageTolerant) throws DicomReadException {
		Path f = o.file();
		DicomElement px = o.element(Tag.PixelData);
		if (px == null) throw new DicomReadException(f, Tag.PixelData, "the data set has no Pixel Data (not an image)");
		if (px.items != null)
			throw new DicomReadException(f, Tag.PixelData, "Pixel Data is a sequence, not pixel values");
		Layout l = layout(o, codecCells(o, px));
		if (damageTolerant && l.frames == 1 && !px.isEncapsulated()) {
			long file = o.sourceLength();
			double need = Math.ceil(l.bitsAllocated == 1 ? (double) l.rows * l.columns / 8
				: (double) l.rows * l.columns * l.samplesPerPixel * (l.bitsAllocated / 8));
			if (file >= 0 && need > file)
				throw new DicomReadException(f, Tag.Rows, String.format(Locale.ROOT, "Rows %d × Columns %d × SamplesPerPixel "
					+ "%d × BitsAllocated %d needs %.0f bytes, more than the whole file (%d bytes): wrong header", l.rows,
					l.columns, l.samplesPerPixel, l.bitsAllocated, need, file));
			return;
		}
		checkCapacity(o, px, l);
	}

	private static void checkCapacity(DicomObject o, DicomElement px, Layout l) throws DicomReadException {
		Path f = o.file();
		if (px.isEncapsulated()) {
			long fragments;
			String held;
			if (px.fragments != null) {
				fragments = px.fragments.size() - 1L;
				held = "has only " + fragments + " fragment" + (fragments == 1 ? "" : "s");
			} else {
				long left = o.sourceLength() < 0 ? Long.MAX_VALUE : o.sourceLength() - px.off;
				// A Basic Offset Table item first, then at least one item header (8 bytes) per frame.
				fragments = Math.max(0, (left - 8) / 8);
				held = "can hold at most " + fragments + " fragments in the " + Math.max(0, left) + " bytes left of the file";
			}
			if (l.frames > fragments)
				throw new DicomReadException(f, Tag.NumberOfFrames, "NumberOfFrames is " + l.frames + " but the encapsulated "
					+ "Pixel Data " + held + " (each frame needs at least one): wrong header or truncated file");
		} else {
			long have = px.buf != null ? px.len : px.declaredLength;
			long cells = (long) l.rows * l.columns * (l.photometric.equals("YBR_FULL_422") ? 2 : l.samplesPerPixel);
			double frameBytes = l.bitsAllocated == 1 ? cells / 8.0 : (double) cells * (l.bitsAllocated / 8);
			double need = Math.ceil(frameBytes * l.frames);
			String size = String.format(Locale.ROOT, "Rows %d × Columns %d × SamplesPerPixel %d × BitsAllocated %d",
				l.rows, l.columns, l.samplesPerPixel, l.bitsAllocated);
			if (l.frames > 1 && need > have)
				throw new DicomReadException(f, Tag.NumberOfFrames, String.format(Locale.ROOT, "NumberOfFrames is %d: with %s"
					+ " (%.0f bytes a frame) that needs %.0f bytes, but Pixel Data has only %d (room for %d frame%s): wrong "
					+ "header or truncated file", l.frames, size, frameBytes, need, have, (long) Math.floor(have / frameBytes),
					Math.floor(have / frameBytes) == 1 ? "" : "s"));
			if (need > have)
				throw new DicomReadException(f, Tag.Rows, String.format(Locale.ROOT, "%s needs %.0f bytes but Pixel Data has "
					+ "only %d: wrong header or truncated file", size, need, have));
		}
		long perFrameValues = (long) l.rows * l.columns * l.samplesPerPixel;
		if (perFrameValues > HeapBudget.MAX_ARRAY_ELEMENTS)
			throw new DicomReadException(f, Tag.Rows, "Rows " + l.rows + " × Columns " + l.columns + " × SamplesPerPixel "
				+ l.samplesPerPixel + " is " + perFrameValues + " values per frame, more than a Java array holds (2^31 - 9)");
	}

	/**
	 * Refuses a decode whose output ({@code bytesPerValue} bytes for each of frames × rows × columns × samples
	 * values) the Java heap cannot hold, saying how much it needs and how to raise the heap.
	 */
	private static void requireHeap(DicomObject o, Layout l, int bytesPerValue, String what) throws DicomReadException {
		// What the file cannot hold needs no heap: that is the reason to give (and it bounds the product below).
		DicomElement px = o.element(Tag.PixelData);
		if (px != null && px.isEncapsulated()) checkCapacity(o, px, l);
		else if (px != null && (px.buf != null || px.inFile)) checkNativeSize(o, px, l);
		double need = (double) l.frames * l.rows * l.columns * l.samplesPerPixel * bytesPerValue;
		long bytes = need >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) need;
		String why = HeapBudget.shortfall(bytes, String.format(Locale.ROOT, "decoding %d frame%s of %d×%d into %s", l.frames,
			l.frames == 1 ? "" : "s", l.columns, l.rows, what));
		if (why != null) throw new DicomReadException(o.file(), Tag.PixelData, why);
	}

	/**
	 * Checks, before anything is allocated, that native (uncompressed) Pixel Data holds what the image attributes
	 * declare and that the decoded frames fit Java arrays; returns the cells per frame.
	 */
	private static int checkNativeSize(DicomObject o, DicomElement px, Layout l) throws DicomReadException {
		Path f = o.file();
		long perFrameSamples = (long) l.rows * l.columns * (l.photometric.equals("YBR_FULL_422") ? 2 : l.samplesPerPixel);
		String size = "Rows " + l.rows + " × Columns " + l.columns + " × Frames " + l.frames + " × SamplesPerPixel "
			+ l.samplesPerPixel + " × BitsAllocated " + l.bitsAllocated;
		// Checked before anything is allocated; doubles cannot overflow for these 16-bit and 31-bit factors.
		double needBytes = l.bitsAllocated == 1 ? Math.ceil(perFrameSamples * (double) l.frames / 8)
			: perFrameSamples * (double) l.frames * (l.bitsAllocated / 8);
		long have = px.buf != null ? px.len : px.declaredLength;
		if (needBytes > have)
			throw new DicomReadException(f, Tag.PixelData, "Pixel Data has " + have + " bytes but " + size + " needs "
				+ String.format("%.0f", needBytes) + ": truncated file or wrong header");
		// Held in memory, the Pixel Data are indexed by int; left in the file, they are read a frame at a time.
		if (!px.inFile && (double) l.rows * l.columns * l.samplesPerPixel * l.frames > Integer.MAX_VALUE - 8)
			throw new DicomReadException(f, Tag.PixelData, "image too large to decode: " + size);
		if (px.inFile && perFrameSamples * Math.max(1, l.bitsAllocated / 8) > HeapBudget.MAX_ARRAY_ELEMENTS)
			throw new DicomReadException(f, Tag.Rows, "one frame of " + size + " needs more bytes than a Java array holds");
		return (int) perFrameSamples;
	}

	/**
	 * Real-world values per frame (greyscale only), through the {@link #modalityTransform} of the image: stored
	 * × RescaleSlope + RescaleIntercept (top level, else the frame's or the shared Pixel Value Transformation
	 * functional group; RT Dose uses DoseGridScaling), or the Modality LUT Sequence when there is no top-level
	 * rescale, or the stored values themselves.
	 *
	 * @throws DicomReadException as {@link #storedValues}, for colour images, or for a malformed Modality LUT
	 */
	public static float[][] realWorldValues(DicomObject o) throws DicomReadException {
		DicomElement px = pixelElement(o);
		Layout l = layout(o, codecCells(o, px));
		requireHeap(o, l, 4, "real-world values (32-bit floats)");
		float[][] out = new float[l.frames][];
		realWorldFrames(o, (fr, v) -> out[fr] = v);
		return out;
	}

	/**
	 * Real-world values frame by frame, in stored order ({@link #realWorldValues} without holding every frame at
	 * once). Each frame's rescale is checked first ({@link #checkedRescale}).
	 */
	static void realWorldFrames(DicomObject o, FrameSink<float[]> sink) throws DicomReadException {
		int spp = o.getInt(Tag.SamplesPerPixel, 1);
		if (spp != 1)
			throw new DicomReadException(o.file(), Tag.SamplesPerPixel, "SamplesPerPixel is " + spp
				+ " (colour): only greyscale images have real-world values");
		ModalityTransform mt = modalityTransform(o);
		DicomElement px = pixelElement(o);
		Layout l = nativeRescale(o, px, mt);
		if (l != null) {
			// The common case (CT, MR): straight from the bytes, without the stored values' int arrays.
			int n = checkNativeSize(o, px, l);
			for (int fr = 0; fr < l.frames; fr++) {
				double[] si = checkedRescale(o, fr, l);
				sink.accept(fr, rescaledFrame(o.file(), px, l, fr, n, si[0], si[1]));
			}
			return;
		}
		Layout any = layout(o, codecCells(o, px));
		boolean unsigned32 = o.getInt(Tag.BitsStored, 0) == 32 && o.getInt(Tag.PixelRepresentation, 0) == 0;
		storedFrames(o, (f, s) -> {
			float[] r = new float[s.length];
			if (mt.lut() != null) {
				DicomLut lut = mt.lut();
				for (int i = 0; i < s.length; i++) r[i] = lut.lookup(s[i]);
			} else {
				double[] si = checkedRescale(o, f, any);
				double slope = si[0];
				double intercept = si[1];
				for (int i = 0; i < s.length; i++)
					r[i] = (float) ((unsigned32 ? Integer.toUnsignedLong(s[i]) : s[i]) * slope + intercept);
			}
			sink.accept(f, r);
		});
	}

	/**
	 * {slope, intercept} of a frame as {@link #rescale} finds them, refused when they cannot give measurable
	 * values: a slope of 0 (every pixel would read as the intercept), a slope or intercept that is not a finite
	 * number (a "NaN" in the file would otherwise be read as the default), or values that overflow a 32-bit float
	 * over the range BitsStored allows (e.g. RescaleSlope 1e308).
	 *
	 * @throws DicomReadException naming the file, the attribute (and where it sits: top level, per-frame or shared
	 *         functional group, DoseGridScaling) and its value
	 */
	static double[] checkedRescale(DicomObject o, int frame, Layout l) throws DicomReadException {
		DicomObject holder = rescaleHolder(o, frame);
		double[] si = rescale(o, frame);
		Path f = o.file();
		String where = holder == o ? "" : holder == null ? "" : rescaleWhere(o, frame);
		int slopeTag = "RTDOSE".equals(o.getString(Tag.Modality)) && holder == o && !o.contains(Tag.RescaleSlope)
			&& !o.contains(Tag.RescaleIntercept) && o.contains(Tag.DoseGridScaling) ? Tag.DoseGridScaling : Tag.RescaleSlope;
		if (holder != null) {
			for (int tag : new int[] {slopeTag, Tag.RescaleIntercept}) {
				String[] raw = holder.getStrings(tag);
				if (raw == null || raw.length == 0) continue;
				double[] v = holder.getDoubles(tag);
				if (v == null || v.length == 0 || !Double.isFinite(v[0]))
					throw new DicomReadException(f, tag, "is '" + raw[0] + "'" + where + ", not a finite number: the "
						+ "real-world values cannot be computed");
			}
		}
		if (si[0] == 0)
			throw new DicomReadException(f, slopeTag, "is 0" + where + ": every pixel would have the same real-world value "
				+ "(the intercept " + si[1] + "); the image cannot be measured");
		double lo;
		double hi;
		if (l.bitsStored == 32 && !l.signed) {
			lo = 0;
			hi = 4294967295.0;
		} else if (l.signed) {
			lo = -Math.pow(2, l.bitsStored - 1);
			hi = Math.pow(2, l.bitsStored - 1) - 1;
		} else {
			lo = 0;
			hi = Math.pow(2, l.bitsStored) - 1;
		}
		double extreme = Math.max(Math.abs(lo * si[0] + si[1]), Math.abs(hi * si[0] + si[1]));
		if (!(extreme <= Float.MAX_VALUE))
			throw new DicomReadException(f, slopeTag, String.format(Locale.ROOT, "is %s%s with RescaleIntercept %s: stored "
				+ "values up to %.0f (BitsStored %d) become %s, beyond what a 32-bit float holds (%.3g); the real-world values "
				+ "cannot be represented", si[0], where, si[1], Math.max(Math.abs(lo), hi), l.bitsStored,
				Double.isFinite(extreme) ? String.format(Locale.ROOT, "%.3g", extreme) : "infinite", (double) Float.MAX_VALUE));
		return si;
	}

	/** The object holding a frame's rescale attributes (as {@link #rescale} picks them), or null for the default. */
	private static DicomObject rescaleHolder(DicomObject o, int frame) {
		if (o.contains(Tag.RescaleSlope) || o.contains(Tag.RescaleIntercept)) return o;
		List<DicomObject> perFrame = o.getSequence(Tag.PerFrameFunctionalGroupsSequence);
		if (frame < perFrame.size()) {
			List<DicomObject> pvt = perFrame.get(frame).getSequence(Tag.PixelValueTransformationSequence);
			if (!pvt.isEmpty()) return pvt.get(0);
		}
		List<DicomObject> shared = o.getSequence(Tag.SharedFunctionalGroupsSequence);
		if (!shared.isEmpty()) {
			List<DicomObject> pvt = shared.get(0).getSequence(Tag.PixelValueTransformationSequence);
			if (!pvt.isEmpty()) return pvt.get(0);
		}
		if ("RTDOSE".equals(o.getString(Tag.Modality)) && o.contains(Tag.DoseGridScaling)) return o;
		return null;
	}

	private static String rescaleWhere(DicomObject o, int frame) {
		List<DicomObject> perFrame = o.getSequence(Tag.PerFrameFunctionalGroupsSequence);
		if (frame < perFrame.size() && !perFrame.get(frame).getSequence(Tag.PixelValueTransformationSequence).isEmpty())
			return " (frame " + (frame + 1) + ", Pixel Value Transformation Sequence)";
		return " (shared functional groups, Pixel Value Transformation Sequence)";
	}

	/**
	 * How stored values become real-world values (PS3.3 §C.11.1).
	 *
	 * @param kind {@link #RESCALE} (slope/intercept, possibly per frame or DoseGridScaling), {@link #MODALITY_LUT}
	 *     or {@link #NONE}
	 * @param lut the Modality LUT when kind is MODALITY_LUT, else null
	 * @param lutType Modality LUT Type (0028,3004) of the LUT ("HU", "OD", "US"…), or null
	 * @param warnings e.g. that a Modality LUT Sequence was ignored because a rescale is present too
	 */
	public record ModalityTransform(String kind, DicomLut lut, String lutType, List<String> warnings) {
		/** Rescale Slope/Intercept (or their functional-group or RT Dose equivalents) are used. */
		public static final String RESCALE = "rescale";
		/** The Modality LUT Sequence is used. */
		public static final String MODALITY_LUT = "modalityLut";
		/** Neither: real-world values are the stored values. */
		public static final String NONE = "none";

		public ModalityTransform {
			warnings = List.copyOf(warnings);
		}
	}

	/**
	 * The modality transformation of a greyscale image (header only is enough). PS3.3 §C.11.1 allows a
	 * Modality LUT Sequence or Rescale Slope/Intercept but not both; when a file has both, the top-level rescale
	 * is used and a warning says the LUT was ignored. An empty Modality LUT Sequence is ignored.
	 *
	 * @throws DicomReadException for a Modality LUT whose descriptor or data are malformed
	 */
	public static ModalityTransform modalityTransform(DicomObject o) throws DicomReadException {
		List<DicomObject> lutSeq = o.getSequence(Tag.ModalityLUTSequence);
		boolean topRescale = o.contains(Tag.RescaleSlope) || o.contains(Tag.RescaleIntercept);
		List<String> warnings = new ArrayList<>();
		if (!lutSeq.isEmpty()) {
			if (topRescale) {
				warnings.add("both Rescale Slope/Intercept and a Modality LUT Sequence are present (PS3.3 §C.11.1 allows "
					+ "only one): the rescale is used, the Modality LUT ignored");
			} else {
				DicomObject item = lutSeq.get(0);
				if (lutSeq.size() > 1) warnings.add("Modality LUT Sequence has " + lutSeq.size() + " items: the first is used");
				DicomLut lut = DicomLut.decode(o, item, Tag.LUTDescriptor, Tag.LUTData, "Modality LUT", o.file());
				return new ModalityTransform(ModalityTransform.MODALITY_LUT, lut, item.getString(Tag.ModalityLUTType), warnings);
			}
		}
		double[] r = rescale(o, 0);
		boolean identity = r[0] == 1 && r[1] == 0 && !topRescale && !o.contains(Tag.PerFrameFunctionalGroupsSequence)
			&& !o.contains(Tag.SharedFunctionalGroupsSequence) && !o.contains(Tag.DoseGridScaling);
		return new ModalityTransform(identity ? ModalityTransform.NONE : ModalityTransform.RESCALE, null, null, warnings);
	}

	/**
	 * Display RGB per frame, interleaved R,G,B per pixel, as {@link #storedValues} gives colour: PALETTE COLOR
	 * indices are mapped through the Red/Green/Blue Palette Color LUTs (PS3.3 §C.7.6.3.1.5-6; segmented LUTs
	 * §C.7.9.2 with discrete and linear segments), entries of more than 8 bits reduced to their high 8 bits
	 * (as DCMTK renders them), so every value is 0..255; RGB, YBR_FULL and YBR_FULL_422 give their stored
	 * values (0..255 for 8-bit data).
	 *
	 * @throws DicomReadException as {@link #storedValues}, for a greyscale image, or for a malformed palette
	 *         (descriptor without 3 values, 0 or more than 16 bits per entry, data length not matching the
	 *         descriptor, missing LUT data)
	 */
	public static int[][] rgbValues(DicomObject o) throws DicomReadException {
		String pi = o.getString(Tag.PhotometricInterpretation);
		if ("PALETTE COLOR".equals(pi)) {
			DicomLut[] p = palette(o);
			DicomElement px = pixelElement(o);
			Layout l = layout(o, codecCells(o, px));
			requireHeap(o, l, 12, "RGB values (three 32-bit integers a pixel)");
			int[][] out = new int[l.frames][];
			storedFrames(o, (f, s) -> {
				int[] rgb = new int[3 * s.length];
				for (int c = 0; c < 3; c++) {
					int shift = Math.max(0, p[c].bitsPerEntry() - 8);
					for (int i = 0; i < s.length; i++) rgb[3 * i + c] = (p[c].lookup(s[i]) >>> shift) & 0xFF;
				}
				out[f] = rgb;
			});
			return out;
		}
		if (o.getInt(Tag.SamplesPerPixel, 1) != 3)
			throw new DicomReadException(o.file(), Tag.PhotometricInterpretation, "photometric interpretation " + pi
				+ " is greyscale: use realWorldValues, not rgbValues");
		return storedValues(o);
	}

	/**
	 * The Red, Green and Blue Palette Color LUTs of a PALETTE COLOR image (header only is enough): segmented
	 * data (0028,1221-1223) when present, else normal data (0028,1201-1203).
	 *
	 * @throws DicomReadException for a missing or malformed descriptor or data
	 */
	public static DicomLut[] palette(DicomObject o) throws DicomReadException {
		int spp = o.getInt(Tag.SamplesPerPixel, 1);
		if (spp != 1)
			throw new DicomReadException(o.file(), Tag.SamplesPerPixel, "PALETTE COLOR needs SamplesPerPixel 1, has " + spp);
		int[] desc = {Tag.RedPaletteColorLookupTableDescriptor, Tag.GreenPaletteColorLookupTableDescriptor,
			Tag.BluePaletteColorLookupTableDescriptor};
		int[] data = {Tag.RedPaletteColorLookupTableData, Tag.GreenPaletteColorLookupTableData,
			Tag.BluePaletteColorLookupTableData};
		int[] seg = {Tag.SegmentedRedPaletteColorLookupTableData, Tag.SegmentedGreenPaletteColorLookupTableData,
			Tag.SegmentedBluePaletteColorLookupTableData};
		String[] names = {"Red", "Green", "Blue"};
		DicomLut[] out = new DicomLut[3];
		for (int c = 0; c < 3; c++) {
			String what = names[c] + " Palette Color LUT";
			out[c] = o.contains(seg[c]) && !o.contains(data[c])
				? DicomLut.decodeSegmented(o, desc[c], seg[c], "Segmented " + what, o.file())
				: DicomLut.decode(o, o, desc[c], data[c], what, o.file());
		}
		return out;
	}

	/** {entries, firstMapped, bitsPerEntry, explanation, min, max} of a LUT, for JSON. */
	static Map<String, Object> lutJson(DicomLut lut) {
		Map<String, Object> m = new LinkedHashMap<>();
		int[] r = lut.range();
		m.put("entries", lut.size());
		m.put("firstMapped", lut.firstMapped());
		m.put("bitsPerEntry", lut.bitsPerEntry());
		m.put("explanation", lut.explanation());
		m.put("min", r[0]);
		m.put("max", r[1]);
		return m;
	}

	/** {slope, intercept} for a frame: top level, per-frame or shared functional group, RT Dose scaling, or {1, 0}. */
	static double[] rescale(DicomObject o, int frame) {
		if (o.contains(Tag.RescaleSlope) || o.contains(Tag.RescaleIntercept))
			return new double[] {o.getDouble(Tag.RescaleSlope, 1), o.getDouble(Tag.RescaleIntercept, 0)};
		List<DicomObject> perFrame = o.getSequence(Tag.PerFrameFunctionalGroupsSequence);
		if (frame < perFrame.size()) {
			List<DicomObject> pvt = perFrame.get(frame).getSequence(Tag.PixelValueTransformationSequence);
			if (!pvt.isEmpty())
				return new double[] {pvt.get(0).getDouble(Tag.RescaleSlope, 1), pvt.get(0).getDouble(Tag.RescaleIntercept, 0)};
		}
		List<DicomObject> shared = o.getSequence(Tag.SharedFunctionalGroupsSequence);
		if (!shared.isEmpty()) {
			List<DicomObject> pvt = shared.get(0).getSequence(Tag.PixelValueTransformationSequence);
			if (!pvt.isEmpty())
				return new double[] {pvt.get(0).getDouble(Tag.RescaleSlope, 1), pvt.get(0).getDouble(Tag.RescaleIntercept, 0)};
		}
		if ("RTDOSE".equals(o.getString(Tag.Modality)) && o.contains(Tag.DoseGridScaling))
			return new double[] {o.getDouble(Tag.DoseGridScaling, 1), 0};
		return new double[] {1, 0};
	}

	private static DicomElement pixelElement(DicomObject o) throws DicomReadException {
		Path f = o.file();
		DicomElement px = o.element(Tag.PixelData);
		if (px == null) {
			if (o.contains(Tag.FloatPixelData) || o.contains(Tag.DoubleFloatPixelData))
				throw new DicomReadException(f, o.contains(Tag.FloatPixelData) ? Tag.FloatPixelData : Tag.DoubleFloatPixelData,
					"floating-point pixel data is not supported yet");
			throw new DicomReadException(f, Tag.PixelData, "the data set has no Pixel Data (not an image)");
		}
		if (px.isEncapsulated()) {
			TransferSyntax t = TransferSyntax.of(o.transferSyntaxUID());
			if (!t.encapsulated())
				throw new DicomReadException(f, Tag.PixelData, "Pixel Data is encapsulated but transfer syntax "
					+ t.describe() + " is not a compressed one");
			if (FrameDecoders.forTransferSyntax(t.uid()) == null && !DeflatedFrames.TRANSFER_SYNTAX.equals(t.uid()))
				throw new DicomReadException(f, Tag.PixelData, "transfer syntax " + t.describe()
					+ " is not supported yet for pixel data (compressed); the header can still be read");
		}
		if (px.buf == null && !px.inFile)
			throw new DicomReadException(f, Tag.PixelData,
				"Pixel Data was not read (header-only read); use DicomReader.read to decode pixels");
		return px;
	}

	/** Reads and checks the Image Pixel attributes of uncompressed Pixel Data. */
	static Layout layout(DicomObject o) throws DicomReadException {
		return layout(o, false);
	}

	/**
	 * Reads and checks the Image Pixel attributes; compressed Pixel Data may also be YBR_RCT or YBR_ICT (JPEG
	 * 2000, which the codec turns into RGB), and YBR_FULL_422 there is already at full resolution.
	 */
	static Layout layout(DicomObject o, boolean encapsulated) throws DicomReadException {
		Path f = o.file();
		int rows = require(o, Tag.Rows);
		int cols = require(o, Tag.Columns);
		int ba = require(o, Tag.BitsAllocated);
		if (rows <= 0 || cols <= 0) throw new DicomReadException(f, rows <= 0 ? Tag.Rows : Tag.Columns,
			"image size " + rows + " × " + cols + " is not positive");
		if (ba != 1 && ba != 8 && ba != 16 && ba != 32)
			throw new DicomReadException(f, Tag.BitsAllocated, "BitsAllocated " + ba + " is not supported (1, 8, 16, 32)");
		int bs = o.getInt(Tag.BitsStored, ba);
		int hb = o.getInt(Tag.HighBit, bs - 1);
		if (bs < 1 || bs > ba) throw new DicomReadException(f, Tag.BitsStored, "BitsStored " + bs
			+ " is outside 1.." + ba + " (BitsAllocated)");
		if (hb < bs - 1 || hb >= ba) throw new DicomReadException(f, Tag.HighBit, "HighBit " + hb
			+ " does not fit BitsStored " + bs + " in BitsAllocated " + ba);
		int spp = o.getInt(Tag.SamplesPerPixel, 1);
		if (spp != 1 && spp != 3)
			throw new DicomReadException(f, Tag.SamplesPerPixel, "SamplesPerPixel " + spp + " is not supported (1 or 3)");
		int frames = o.getInt(Tag.NumberOfFrames, 1);
		if (frames < 1) throw new DicomReadException(f, Tag.NumberOfFrames, "NumberOfFrames " + frames + " is not positive");
		String pi = o.getString(Tag.PhotometricInterpretation);
		if (pi == null) pi = spp == 3 ? "RGB" : "MONOCHROME2";
		int planar = o.getInt(Tag.PlanarConfiguration, 0);
		if (spp == 3) {
			boolean codecRgb = encapsulated && (pi.equals("YBR_RCT") || pi.equals("YBR_ICT"));
			if (ba != 8 && pi.startsWith("YBR") && !codecRgb)
				throw new DicomReadException(f, Tag.PhotometricInterpretation, pi + " with BitsAllocated " + ba
					+ " is not supported yet (8 only)");
			if (ba == 1) throw new DicomReadException(f, Tag.BitsAllocated, "BitsAllocated 1 with 3 samples per pixel");
			if (!pi.equals("RGB") && !pi.equals("YBR_FULL") && !pi.equals("YBR_FULL_422") && !codecRgb)
				throw new DicomReadException(f, Tag.PhotometricInterpretation, (encapsulated ? "" : "uncompressed ") + pi
					+ " is not supported yet (RGB, YBR_FULL, YBR_FULL_422" + (encapsulated ? ", YBR_RCT, YBR_ICT)" : ")"));
			if (!encapsulated && pi.equals("YBR_FULL_422") && (cols % 2 != 0 || planar != 0))
				throw new DicomReadException(f, Tag.PhotometricInterpretation,
					"YBR_FULL_422 needs an even number of columns and PlanarConfiguration 0");
		}
		return new Layout(rows, cols, frames, spp, ba, bs, hb, o.getInt(Tag.PixelRepresentation, 0) == 1, planar, pi);
	}

	private static int require(DicomObject o, int tag) throws DicomReadException {
		int v = o.getInt(tag, Integer.MIN_VALUE);
		if (v == Integer.MIN_VALUE) throw new DicomReadException(o.file(), tag, "missing, but needed to decode pixels");
		return v;
	}

	/**
	 * Frame {@code frame} of native pixel cells that start at {@code b[off]} ({@code samples} cells a frame; with
	 * BitsAllocated 1 the frames follow one another in one bit stream), as stored values.
	 */
	private static int[] decodeFrame(byte[] b, int off, boolean be, Layout l, int frame, int samples) {
		if (l.bitsAllocated == 1) return decodeBits(b, off, (long) frame * samples, samples, l.valuesPerFrame());
		int[] out = new int[l.valuesPerFrame()];
		int bytes = l.bitsAllocated / 8;
		int base = (int) (off + (long) frame * samples * bytes);
		int[] raw = l.samplesPerPixel == 3 && (l.planarConfiguration == 1 || l.photometric.equals("YBR_FULL_422"))
			? new int[samples] : out;
		switch (bytes) {
			case 1 -> {
				for (int i = 0; i < samples; i++) raw[i] = b[base + i] & 0xFF;
			}
			case 2 -> {
				for (int i = 0, p = base; i < samples; i++, p += 2)
					raw[i] = be ? ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF) : (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
			}
			default -> {
				for (int i = 0, p = base; i < samples; i++, p += 4) raw[i] = DicomObject.s32(b, p, be);
			}
		}
		toStored(raw, samples, l.highBit - l.bitsStored + 1, l);
		if (l.samplesPerPixel == 3) {
			if (l.photometric.equals("YBR_FULL_422")) {
				// PS3.3 §C.7.6.3.1.2: Y1 Y2 Cb Cr per horizontal pair of pixels; replicate the chroma.
				for (int pair = 0, p = 0; p + 3 < samples; pair++, p += 4) {
					int o = pair * 6;
					out[o] = raw[p];
					out[o + 1] = raw[p + 2];
					out[o + 2] = raw[p + 3];
					out[o + 3] = raw[p + 1];
					out[o + 4] = raw[p + 2];
					out[o + 5] = raw[p + 3];
				}
			} else if (l.planarConfiguration == 1) {
				int n = l.rows * l.columns;
				for (int i = 0; i < n; i++) {
					out[3 * i] = raw[i];
					out[3 * i + 1] = raw[n + i];
					out[3 * i + 2] = raw[2 * n + i];
				}
			}
			if (l.photometric.startsWith("YBR_FULL")) ybrToRgb(out);
		}
		return out;
	}

	/** {@code samples} 1-bit cells from bit {@code bit0} after {@code b[off]}, least significant bit first. */
	private static int[] decodeBits(byte[] b, int off, long bit0, int samples, int values) {
		int[] out = new int[values];
		for (int i = 0; i < samples; i++) {
			long k = bit0 + i;
			out[i] = (b[off + (int) (k >>> 3)] >>> (int) (k & 7)) & 1;
		}
		return out;
	}

	/**
	 * One frame of native 8- or 16-bit greyscale Pixel Data as stored × slope + intercept, computed in double
	 * and rounded to float exactly as {@link #realWorldValues} does from {@link #storedValues}.
	 */
	private static float[] rescaledFrame(Path f, DicomElement px, Layout l, int frame, int samples, double slope,
		double intercept) throws DicomReadException {
		float[] out = new float[samples];
		long frameBytes = (long) samples * (l.bitsAllocated / 8);
		byte[] b = px.inFile ? pixelBytes(f, px, px.fileOffset + frame * frameBytes, frameBytes) : px.buf;
		ByteBuffer bb = ByteBuffer.wrap(b).order(px.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
		toRealWorld(bb, px.inFile ? 0 : (int) (px.off + frame * frameBytes), samples, out, 0, l, slope, intercept);
		return out;
	}

	/**
	 * Converts {@code n} native 8- or 16-bit cells of {@code bb} (from byte {@code pos}, in the buffer's byte order)
	 * to stored values (shift, mask, sign extension) and then to {@code stored × slope + intercept}, rounded to float
	 * from the exact or double result, into {@code dst[at…]}.
	 */
	private static void toRealWorld(ByteBuffer bb, int pos, int n, float[] dst, int at, Layout l, double slope, double intercept) {
		int shift = l.highBit - l.bitsStored + 1;
		int mask = (1 << l.bitsStored) - 1, ext = 32 - l.bitsStored;
		boolean signed = l.signed;
		if (l.bitsAllocated == 8) {
			for (int i = 0; i < n; i++) {
				int v = ((bb.get(pos + i) & 0xFF) >>> shift) & mask;
				dst[at + i] = (float) ((signed ? (v << ext) >> ext : v) * slope + intercept);
			}
			return;
		}
		if (shift == 0 && l.bitsStored == 16 && slope == Math.rint(slope) && Math.abs(slope) <= 1 << 14
			&& intercept == Math.rint(intercept) && Math.abs(intercept) <= 1 << 30) {
			// Integer rescale (CT: 1 and -1024): exact in int arithmetic, and (float) of that int rounds as
			// (float) of the double does; about five times faster than the double loop.
			int is = (int) slope, ii = (int) intercept;
			if (signed) for (int i = 0, p = pos; i < n; i++, p += 2) dst[at + i] = (float) (bb.getShort(p) * is + ii);
			else for (int i = 0, p = pos; i < n; i++, p += 2) dst[at + i] = (float) ((bb.getShort(p) & 0xFFFF) * is + ii);
			return;
		}
		for (int i = 0, p = pos; i < n; i++, p += 2) {
			int v = ((bb.getShort(p) & 0xFFFF) >>> shift) & mask;
			dst[at + i] = (float) ((signed ? (v << ext) >> ext : v) * slope + intercept);
		}
	}

	/**
	 * The layout of greyscale Pixel Data whose real-world values come straight from native 8- or 16-bit cells by a
	 * rescale (the fast paths of {@link #realWorldValues} and {@link #readRealWorldValues}); null otherwise
	 * (compressed, 1- or 32-bit, Modality LUT).
	 */
	private static Layout nativeRescale(DicomObject o, DicomElement px, ModalityTransform mt) throws DicomReadException {
		if (mt.lut() != null || px.isEncapsulated()) return null;
		Layout l = layout(o, false);
		return l.bitsAllocated == 8 || l.bitsAllocated == 16 ? l : null;
	}

	/** Checks a file's header before {@link #readRealWorldValues} writes its values. */
	@FunctionalInterface
	public interface HeaderCheck {
		void check(DicomObject header) throws DicomReadException;
	}

	/** Bytes per streamed read: the decode never holds more of a file's pixel data than this at once. */
	static final int STREAM_CHUNK = 1 << 20;
	private static final ThreadLocal<ByteBuffer> STREAM_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(STREAM_CHUNK));

	/**
	 * Reads a greyscale image file and writes its real-world values ({@link #realWorldValues}: every frame, one
	 * after another) into {@code dst} from {@code offset}; returns the data set, whose Pixel Data may not have been
	 * kept. {@code check} sees the header first and may refuse it (e.g. a slice of the wrong size).
	 * <p>
	 * Native 8- and 16-bit Pixel Data with a rescale (CT, MR, most PET) is streamed: the header is read from the
	 * file's start, then the pixel bytes in chunks of {@value #STREAM_CHUNK} bytes through a per-thread direct
	 * buffer, straight into {@code dst}. That avoids a heap copy of the file and the per-frame arrays, and is about
	 * twice as fast as {@link DicomReader#read} and {@link #realWorldValues}, with the same values to the bit and
	 * the same refusals of truncated or inconsistent pixel data. Everything else (compressed, deflated, Modality
	 * LUT, 32-bit) is read whole and decoded as before.
	 *
	 * @throws DicomReadException as {@link #realWorldValues}, when {@code check} refuses the header, or when the
	 *         values do not fit in {@code dst} from {@code offset}
	 */
	public static DicomObject readRealWorldValues(Path file, float[] dst, int offset, HeaderCheck check) throws DicomReadException {
		DicomObject h = DicomReader.readHeader(file);
		check.check(h);
		DicomElement px = h.element(Tag.PixelData);
		Layout l = px != null && px.off >= 0 && h.getInt(Tag.SamplesPerPixel, 1) == 1
			? nativeRescale(h, px, modalityTransform(h)) : null;
		if (l != null) {
			int n = checkNativeSize(h, px, l);
			fits(file, (long) n * l.frames, dst, offset);
			streamFrames(file, px, l, h, n, dst, offset);
			return h;
		}
		if (px != null) {
			Layout any = layout(h, codecCells(h, px));
			checkCapacity(h, px, any);
			fits(file, (long) any.frames * any.valuesPerFrame(), dst, offset);
			// Read whole: the file's bytes, and (decoded one frame at a time) a frame of stored and real-world values.
			// A file over 2 GiB keeps its pixel data in the file: one frame's bytes at a time (at most 4 bytes a value).
			boolean whole = h.sourceLength() <= DicomReader.MAX_WHOLE_FILE;
			String why = HeapBudget.shortfall((whole ? Math.max(0, h.sourceLength()) : 4L * any.valuesPerFrame()) + 8L
				* any.valuesPerFrame(), "reading " + file.getFileName() + " (" + HeapBudget.size(h.sourceLength()) + (whole
					? ", read whole because its pixel data are compressed or need a lookup table)" : ", a frame at a time)"));
			if (why != null) throw new DicomReadException(file, Tag.PixelData, why);
		}
		DicomObject o = DicomReader.read(file);
		int[] at = {offset};
		DicomElement full = pixelElement(o);
		Layout l2 = layout(o, codecCells(o, full));
		fits(file, (long) l2.frames * l2.valuesPerFrame(), dst, offset);
		realWorldFrames(o, (fr, v) -> {
			System.arraycopy(v, 0, dst, at[0], v.length);
			at[0] += v.length;
		});
		return o;
	}

	private static void fits(Path file, long values, float[] dst, int offset) throws DicomReadException {
		if (offset < 0 || values > dst.length - (long) offset)
			throw new DicomReadException(file, Tag.PixelData, "the image has " + values + " values but only "
				+ Math.max(0, dst.length - offset) + " places are left for it");
	}

	/** The streamed part of {@link #readRealWorldValues}: {@code n} cells per frame from {@code px.off} on. */
	private static void streamFrames(Path file, DicomElement px, Layout l, DicomObject h, int n, float[] dst, int at)
		throws DicomReadException {
		int bytesPerCell = l.bitsAllocated / 8;
		ByteBuffer bb = STREAM_BUFFER.get().order(px.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
		int cellsPerChunk = STREAM_CHUNK / bytesPerCell;
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			long pos = px.off;
			for (int fr = 0; fr < l.frames; fr++) {
				double[] si = checkedRescale(h, fr, l);
				for (int done = 0; done < n;) {
					int cells = Math.min(cellsPerChunk, n - done);
					bb.clear().limit(cells * bytesPerCell);
					while (bb.hasRemaining()) {
						int r = ch.read(bb, pos + bb.position());
						if (r < 0)
							throw new DicomReadException(file, Tag.PixelData, "the file ended inside Pixel Data, at offset "
								+ (pos + bb.position()) + " (it shrank while being read?)");
					}
					toRealWorld(bb, 0, cells, dst, at, l, si[0], si[1]);
					pos += (long) cells * bytesPerCell;
					done += cells;
					at += cells;
				}
			}
		} catch (IOException e) {
			throw new DicomReadException(file, -1, "cannot read the file: " + e.getMessage(), e);
		}
	}

	/** Shifts right, masks to BitsStored and sign-extends when PixelRepresentation = 1, in place. */
	private static void toStored(int[] raw, int samples, int shift, Layout l) {
		if (shift == 0 && l.bitsStored == l.bitsAllocated && !l.signed) return;
		int mask = l.bitsStored == 32 ? -1 : (1 << l.bitsStored) - 1;
		int ext = 32 - l.bitsStored;
		for (int i = 0; i < samples; i++) {
			int v = (raw[i] >>> shift) & mask;
			raw[i] = l.signed ? (v << ext) >> ext : v;
		}
	}

	/** Whether the Pixel Data are Deflated Image Frame Compression: encapsulated, but native cells once inflated. */
	private static boolean deflatedFrames(DicomObject o) {
		return DeflatedFrames.TRANSFER_SYNTAX.equals(o.transferSyntaxUID());
	}

	/**
	 * Whether a codec turns the Pixel Data into cells (JPEG, JPEG 2000, RLE, …), which allows YBR_RCT / YBR_ICT and
	 * gives YBR_FULL_422 at full resolution; native and deflated frames hold the cells as stored.
	 */
	private static boolean codecCells(DicomObject o, DicomElement px) {
		return px.isEncapsulated() && !deflatedFrames(o);
	}

	/**
	 * Deflated Image Frame Compression (PS3.5 §A.4.13): one fragment a frame (or as the Basic Offset Table says),
	 * each inflated to the frame's native cells (1-bit frames start at a byte boundary, {@link DeflatedFrames}),
	 * which are then read exactly as uncompressed little-endian ones.
	 */
	private static void decodeDeflated(DicomObject o, DicomElement px, Layout l, FrameSink<int[]> sink)
		throws DicomReadException {
		decodeDeflated(o, px, l, sink, -1);
	}

	/** {@link #decodeDeflated(DicomObject, DicomElement, Layout, FrameSink)} of every frame, or of {@code only} (≥ 0). */
	private static void decodeDeflated(DicomObject o, DicomElement px, Layout l, FrameSink<int[]> sink, int only)
		throws DicomReadException {
		Path f = o.file();
		checkCapacity(o, px, l);
		List<int[]> ranges = frameRanges(f, px, l.frames);
		int cells = l.rows * l.columns * (l.photometric.equals("YBR_FULL_422") ? 2 : l.samplesPerPixel);
		long frameBytes = DeflatedFrames.frameBytes(cells, l.bitsAllocated);
		if (frameBytes > Integer.MAX_VALUE - 8)
			throw new DicomReadException(f, Tag.Rows, "one frame needs " + frameBytes + " bytes, more than a Java array holds");
		String why = HeapBudget.shortfall(frameBytes + 4L * l.valuesPerFrame(), "inflating and decoding one frame of "
			+ l.columns + "×" + l.rows);
		if (why != null) throw new DicomReadException(f, Tag.PixelData, why);
		FrameLayout fl = new FrameLayout(f, TransferSyntax.of(o.transferSyntaxUID()).describe(), l.rows, l.columns,
			l.samplesPerPixel, l.bitsAllocated, l.bitsStored, l.signed, l.photometric);
		for (int fr = Math.max(0, only); fr < (only < 0 ? l.frames : only + 1); fr++) {
			byte[] cellBytes = DeflatedFrames.inflate(frameBytes(f, px, ranges.get(fr), fr), (int) frameBytes, fl, fr);
			sink.accept(fr, decodeFrame(cellBytes, 0, false, l, 0, cells));
		}
	}

	/** Splits encapsulated Pixel Data into frames and decodes each with the transfer syntax's codec, one at a time. */
	private static void decodeEncapsulated(DicomObject o, DicomElement px, Layout l, FrameSink<int[]> sink)
		throws DicomReadException {
		decodeEncapsulated(o, px, l, sink, -1);
	}

	/** {@link #decodeEncapsulated(DicomObject, DicomElement, Layout, FrameSink)} of every frame, or of {@code only}. */
	private static void decodeEncapsulated(DicomObject o, DicomElement px, Layout l, FrameSink<int[]> sink, int only)
		throws DicomReadException {
		Path f = o.file();
		TransferSyntax t = TransferSyntax.of(o.transferSyntaxUID());
		FrameDecoder decoder = FrameDecoders.forTransferSyntax(t.uid());
		if (l.bitsAllocated == 1)
			throw new DicomReadException(f, Tag.BitsAllocated, "BitsAllocated 1 in compressed transfer syntax "
				+ t.describe() + " is not supported yet");
		checkCapacity(o, px, l);
		List<int[]> ranges = frameRanges(f, px, l.frames);
		FrameLayout fl = new FrameLayout(f, t.describe(), l.rows, l.columns, l.samplesPerPixel, l.bitsAllocated,
			l.bitsStored, l.signed, l.photometric);
		for (int fr = Math.max(0, only); fr < (only < 0 ? l.frames : only + 1); fr++) {
			int[] v = decoder.decode(frameBytes(f, px, ranges.get(fr), fr), fl, fr);
			if (v.length != l.valuesPerFrame())
				throw new DicomReadException(f, Tag.PixelData, "frame " + (fr + 1) + " decodes to " + v.length
					+ " samples but Rows × Columns × SamplesPerPixel is " + l.valuesPerFrame());
			// The codec returns pixel cells, exactly what an encoder was given; they are interpreted as uncompressed ones.
			toStored(v, v.length, l.highBit - l.bitsStored + 1, l);
			if (l.samplesPerPixel == 3 && l.photometric.startsWith("YBR_FULL")) ybrToRgb(v);
			sink.accept(fr, v);
		}
	}

	/**
	 * The compressed bytes of each frame (PS3.5 §A.4): one frame takes all fragments; several frames are cut at
	 * the Basic Offset Table's offsets when it has one entry per frame, else one fragment per frame when the
	 * counts match, else a frame starts at each fragment that begins a JPEG (FFD8) or JPEG 2000 (FF4F, jp2
	 * signature) stream.
	 */
	static List<byte[]> encapsulatedFrames(Path f, DicomElement px, int frames) throws DicomReadException {
		List<int[]> ranges = frameRanges(f, px, frames);
		List<byte[]> out = new ArrayList<>(frames);
		for (int fr = 0; fr < frames; fr++) out.add(frameBytes(f, px, ranges.get(fr), fr));
		return out;
	}

	/** The fragments of each frame as {first item index, end item index (exclusive)}, by the rules above. */
	private static List<int[]> frameRanges(Path f, DicomElement px, int frames) throws DicomReadException {
		List<long[]> items = px.fragments;
		int n = items.size() - 1;
		if (n < 1) throw new DicomReadException(f, Tag.PixelData, "encapsulated Pixel Data has no fragments");
		if (frames > n)
			throw new DicomReadException(f, Tag.PixelData, "NumberOfFrames is " + frames + " but encapsulated Pixel Data has only "
				+ n + " fragment" + (n == 1 ? "" : "s") + " (each frame needs at least one)");
		List<Integer> starts = new ArrayList<>(); // index of each frame's first fragment
		if (frames == 1) {
			starts.add(1);
		} else if (items.get(0)[1] == 4L * frames) {
			long[] botItem = items.get(0);
			byte[] bot = pixelBytes(f, px, botItem[0], botItem[1]);
			long first = items.get(1)[0] - 8; // offsets count from the first fragment's item tag
			for (int fr = 0; fr < frames; fr++) {
				long off = Integer.toUnsignedLong(DicomObject.s32(bot, 4 * fr, false));
				int idx = -1;
				for (int i = 1; i <= n; i++) if (items.get(i)[0] - 8 - first == off) idx = i;
				if (idx < 0 || (fr > 0 && idx <= starts.get(fr - 1)))
					throw new DicomReadException(f, Tag.PixelData, "Basic Offset Table entry " + (fr + 1) + " (" + off
						+ ") does not point at a fragment after the previous frame's");
				starts.add(idx);
			}
			if (starts.get(0) != 1)
				throw new DicomReadException(f, Tag.PixelData, "Basic Offset Table does not start at the first fragment");
		} else if (n == frames) {
			for (int i = 1; i <= n; i++) starts.add(i);
		} else {
			for (int i = 1; i <= n; i++) if (i == 1 || startsStream(f, px, items.get(i))) starts.add(i);
			if (starts.size() != frames)
				throw new DicomReadException(f, Tag.PixelData, "cannot tell which of the " + n + " fragments belong to which of the "
					+ frames + " frames (no Basic Offset Table, and " + starts.size() + " fragments start a compressed stream)");
		}
		List<int[]> out = new ArrayList<>(frames);
		for (int fr = 0; fr < frames; fr++) out.add(new int[] {starts.get(fr), fr + 1 < frames ? starts.get(fr + 1) : n + 1});
		return out;
	}

	/** The compressed bytes of one frame: its fragments {from, to} (item indices, to exclusive) joined. */
	private static byte[] frameBytes(Path f, DicomElement px, int[] range, int frame) throws DicomReadException {
		List<long[]> items = px.fragments;
		long size = 0;
		for (int i = range[0]; i < range[1]; i++) size += items.get(i)[1];
		if (size > Integer.MAX_VALUE - 8)
			throw new DicomReadException(f, Tag.PixelData, "frame " + (frame + 1) + " is larger than 2 GiB");
		byte[] data = new byte[(int) size];
		int p = 0;
		for (int i = range[0]; i < range[1]; i++) {
			long[] it = items.get(i);
			readPixelBytes(f, px, it[0], data, p, (int) it[1]);
			p += (int) it[1];
		}
		return data;
	}

	private static boolean startsStream(Path f, DicomElement px, long[] item) throws DicomReadException {
		if (item[1] < 4) return false;
		byte[] b = pixelBytes(f, px, item[0], 4);
		int b0 = b[0] & 0xFF;
		int b1 = b[1] & 0xFF;
		return b0 == 0xFF && (b1 == 0xD8 || b1 == 0x4F) || b0 == 0 && b1 == 0 && b[2] == 0 && b[3] == 0x0C;
	}

	/** ITU-T T.871 §7 YCbCr → RGB, rounded half up and clipped to 0..255 (as the corpus README states). */
	private static void ybrToRgb(int[] v) {
		for (int i = 0; i + 2 < v.length; i += 3) {
			double y = v[i];
			double cb = v[i + 1] - 128.0;
			double cr = v[i + 2] - 128.0;
			v[i] = clip(Math.floor(y + 1.402 * cr + 0.5));
			v[i + 1] = clip(Math.floor(y - 0.344136 * cb - 0.714136 * cr + 0.5));
			v[i + 2] = clip(Math.floor(y + 1.772 * cb + 0.5));
		}
	}

	private static int clip(double d) {
		return d < 0 ? 0 : d > 255 ? 255 : (int) d;
	}
}
