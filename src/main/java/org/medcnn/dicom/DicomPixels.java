package org.medcnn.dicom;

import java.nio.file.Path;
import java.util.List;

/**
 * Interprets Pixel Data: stored values and real-world values (Hounsfield units for CT), per frame.
 * <p>
 * Stored values follow {@code ../shared/dicom-corpus/README.md}: each BitsAllocated-bit cell in the data set's
 * byte order, shifted right by {@code HighBit - BitsStored + 1}, masked to BitsStored bits and sign-extended
 * when PixelRepresentation = 1; no rescale, no VOI window, no MONOCHROME1 inversion, no palette lookup
 * (PALETTE COLOR gives the indices). BitsAllocated = 1 is bit-packed, least significant bit first, frames
 * contiguous (PS3.5 §8.1.1). Colour (SamplesPerPixel = 3) comes out interleaved R,G,B per pixel whatever the
 * PlanarConfiguration; YBR_FULL and YBR_FULL_422 are converted to RGB with ITU-T T.871.
 * <p>
 * Sizes are checked before anything is allocated: Pixel Data shorter than Rows × Columns × Frames × Samples
 * × BitsAllocated needs gives a {@link DicomReadException}. Compressed transfer syntaxes are refused with
 * "transfer syntax … is not supported yet". Stateless and thread-safe.
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
	 *         it is compressed, or it is shorter than the image attributes say
	 */
	public static int[][] storedValues(DicomObject o) throws DicomReadException {
		DicomElement px = pixelElement(o);
		Layout l = layout(o);
		Path f = o.file();
		long perFrameSamples = (long) l.rows * l.columns * (l.photometric.equals("YBR_FULL_422") ? 2 : l.samplesPerPixel);
		String size = "Rows " + l.rows + " × Columns " + l.columns + " × Frames " + l.frames + " × SamplesPerPixel "
			+ l.samplesPerPixel + " × BitsAllocated " + l.bitsAllocated;
		// Checked before anything is allocated; doubles cannot overflow for these 16-bit and 31-bit factors.
		double needBytes = l.bitsAllocated == 1 ? Math.ceil(perFrameSamples * (double) l.frames / 8)
			: perFrameSamples * (double) l.frames * (l.bitsAllocated / 8);
		if (needBytes > px.len)
			throw new DicomReadException(f, Tag.PixelData, "Pixel Data has " + px.len + " bytes but " + size + " needs "
				+ String.format("%.0f", needBytes) + ": truncated file or wrong header");
		if ((double) l.rows * l.columns * l.samplesPerPixel * l.frames > Integer.MAX_VALUE - 8)
			throw new DicomReadException(f, Tag.PixelData, "image too large to decode: " + size);
		int[][] out = new int[l.frames][];
		for (int fr = 0; fr < l.frames; fr++) out[fr] = decodeFrame(px, l, fr, (int) perFrameSamples);
		return out;
	}

	/**
	 * Real-world values per frame (greyscale only): the Modality LUT Sequence when present, else stored ×
	 * RescaleSlope + RescaleIntercept (top level, else the frame's or the shared Pixel Value Transformation
	 * functional group; RT Dose uses DoseGridScaling), with 1 and 0 when absent.
	 *
	 * @throws DicomReadException as {@link #storedValues}, or for colour images
	 */
	public static float[][] realWorldValues(DicomObject o) throws DicomReadException {
		int spp = o.getInt(Tag.SamplesPerPixel, 1);
		if (spp != 1)
			throw new DicomReadException(o.file(), Tag.SamplesPerPixel, "SamplesPerPixel is " + spp
				+ " (colour): only greyscale images have real-world values");
		int[][] stored = storedValues(o);
		float[][] out = new float[stored.length][];
		List<DicomObject> lutSeq = o.getSequence(Tag.ModalityLUTSequence);
		if (!lutSeq.isEmpty() && lutSeq.get(0).contains(Tag.LUTData)) {
			float[] lut = modalityLut(o, lutSeq.get(0));
			int first = firstMapped(o, lutSeq.get(0));
			for (int f = 0; f < stored.length; f++) {
				int[] s = stored[f];
				float[] r = new float[s.length];
				for (int i = 0; i < s.length; i++) r[i] = lut[Math.max(0, Math.min(lut.length - 1, s[i] - first))];
				out[f] = r;
			}
			return out;
		}
		for (int f = 0; f < stored.length; f++) {
			double[] si = rescale(o, f);
			double slope = si[0];
			double intercept = si[1];
			int[] s = stored[f];
			float[] r = new float[s.length];
			boolean unsigned32 = o.getInt(Tag.BitsStored, 0) == 32 && o.getInt(Tag.PixelRepresentation, 0) == 0;
			for (int i = 0; i < s.length; i++)
				r[i] = (float) ((unsigned32 ? Integer.toUnsignedLong(s[i]) : s[i]) * slope + intercept);
			out[f] = r;
		}
		return out;
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

	private static float[] modalityLut(DicomObject o, DicomObject item) throws DicomReadException {
		double[] desc = item.getDoubles(Tag.LUTDescriptor);
		double[] data = item.getDoubles(Tag.LUTData);
		if (desc == null || desc.length < 3 || data == null || data.length == 0)
			throw new DicomReadException(o.file(), Tag.ModalityLUTSequence,
				"Modality LUT needs a LUTDescriptor of 3 values and LUTData");
		int entries = (int) desc[0] == 0 ? 65536 : (int) desc[0];
		float[] lut = new float[Math.min(entries, data.length)];
		for (int i = 0; i < lut.length; i++) lut[i] = (float) data[i];
		return lut;
	}

	private static int firstMapped(DicomObject o, DicomObject item) {
		int first = (int) item.getDoubles(Tag.LUTDescriptor)[1];
		// PS3.3 §C.11.1.1: the first mapped value is SS when PixelRepresentation = 1.
		if (o.getInt(Tag.PixelRepresentation, 0) == 1 && first > 32767) first -= 65536;
		return first;
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
			if (t.encapsulated())
				throw new DicomReadException(f, Tag.PixelData, "transfer syntax " + t.describe()
					+ " is not supported yet for pixel data (compressed); the header can still be read");
			throw new DicomReadException(f, Tag.PixelData, "Pixel Data is encapsulated but transfer syntax "
				+ t.describe() + " is not a compressed one");
		}
		if (px.buf == null)
			throw new DicomReadException(f, Tag.PixelData,
				"Pixel Data was not read (header-only read); use DicomReader.read to decode pixels");
		return px;
	}

	/** Reads and checks the Image Pixel attributes. */
	static Layout layout(DicomObject o) throws DicomReadException {
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
			if (ba != 8 && (pi.startsWith("YBR")))
				throw new DicomReadException(f, Tag.PhotometricInterpretation, pi + " with BitsAllocated " + ba
					+ " is not supported yet (8 only)");
			if (ba == 1) throw new DicomReadException(f, Tag.BitsAllocated, "BitsAllocated 1 with 3 samples per pixel");
			if (!pi.equals("RGB") && !pi.equals("YBR_FULL") && !pi.equals("YBR_FULL_422"))
				throw new DicomReadException(f, Tag.PhotometricInterpretation, "uncompressed " + pi
					+ " is not supported yet (RGB, YBR_FULL, YBR_FULL_422)");
			if (pi.equals("YBR_FULL_422") && (cols % 2 != 0 || planar != 0))
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

	private static int[] decodeFrame(DicomElement px, Layout l, int frame, int samples) {
		byte[] b = px.buf;
		int[] out = new int[l.valuesPerFrame()];
		if (l.bitsAllocated == 1) {
			long bit0 = (long) frame * samples;
			for (int i = 0; i < samples; i++) {
				long k = bit0 + i;
				out[i] = (b[px.off + (int) (k >>> 3)] >>> (int) (k & 7)) & 1;
			}
			return out;
		}
		int bytes = l.bitsAllocated / 8;
		int base = px.off + frame * samples * bytes;
		int[] raw = l.samplesPerPixel == 3 && (l.planarConfiguration == 1 || l.photometric.equals("YBR_FULL_422"))
			? new int[samples] : out;
		boolean be = px.bigEndian;
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
		int shift = l.highBit - l.bitsStored + 1;
		if (shift != 0 || l.bitsStored != l.bitsAllocated || l.signed) {
			int mask = l.bitsStored == 32 ? -1 : (1 << l.bitsStored) - 1;
			int ext = 32 - l.bitsStored;
			for (int i = 0; i < samples; i++) {
				int v = (raw[i] >>> shift) & mask;
				raw[i] = l.signed ? (v << ext) >> ext : v;
			}
		}
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
