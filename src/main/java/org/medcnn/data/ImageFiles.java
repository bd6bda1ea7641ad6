package org.medcnn.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Reads image files as volumes and label images: PNG, TIFF (8/16/32-bit integer or 32/64-bit float samples, any
 * compression the JDK's reader knows, multi-page stacks: page k = slice k), JPEG and BMP. The format is told by the
 * file's content, not its name.
 * <ul>
 * <li><b>Values</b>: grey samples as stored, which is what ImageJ shows as pixel values (8- and 16-bit integers
 * unsigned unless a TIFF's SampleFormat says signed; floats kept). A display lookup table is not applied: a TIFF
 * {@code WhiteIsZero} image and a palette of greys in order (ImageJ's inverting LUT, a BMP's grey palette) keep
 * their stored values; a palette of greys out of order (written by an optimiser) gives its grey levels. Colour (RGB,
 * YCbCr JPEG, a palette with colours) becomes grey with the Rec. 601 luma weights {@value #LUMA_R}·R +
 * {@value #LUMA_G}·G + {@value #LUMA_B}·B (those of ImageJ's "weighted" RGB conversion; a pixel with R = G = B keeps
 * that value exactly), and {@link Image#rgb()} says so; alpha is ignored. An ImageJ TIFF's straight-line calibration
 * ({@code cf=0}, {@code c0}, {@code c1} in its ImageDescription, e.g. signed 16-bit data stored with an offset) is
 * applied to 8- and 16-bit images. Labels ({@link #readLabels}) are always the stored integers.</li>
 * <li><b>Geometry</b>: modality {@value #MODALITY}, origin 0, axial orientation, pixel spacing 1 mm unless the
 * file is an ImageJ TIFF whose calibration unit is a length ({@code unit=mm|cm|micron|…} in its ImageDescription,
 * pixel size = 1 / XResolution and 1 / YResolution, slice spacing {@code spacing=}); the resolution of other TIFFs
 * and of PNGs (often 72 or 96 dpi set by an editor) is not a measurement and is ignored.</li>
 * <li><b>Hostile input</b>: every size is checked before pixels are allocated — against the file's length (the most
 * a format's compression can expand: deflate 1032:1, TIFF strips that must exist in the file) and the free heap — and
 * a truncated or damaged file (a decoder warning, a missing PNG IEND chunk, a TIFF strip past the end, a loop in
 * the IFD chain) is refused with an {@link ImageFileException} naming the file and the part at fault.</li>
 * </ul>
 * Stateless and thread-safe: each call makes its own decoder. ImageJ's reader is not used: this package does not
 * depend on ImageJ.
 */
public final class ImageFiles {

	/** File name suffixes read as image files (lower case). */
	public static final List<String> SUFFIXES = List.of(".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp");
	/** The modality of volumes read from image files: DICOM's "other". */
	public static final String MODALITY = "OT";
	/** Rec. 601 luma weights. */
	public static final double LUMA_R = 0.299, LUMA_G = 0.587, LUMA_B = 0.114;
	/**
	 * PNG: the filtered image bytes are at most 1032 times the file (deflate's limit, RFC 1951: a 258-byte match
	 * coded in 2 bits).
	 */
	static final long PNG_MAX_EXPANSION = 1032;
	/**
	 * JPEG and BMP: at most this many pixels per byte of file. A JPEG spends at least one bit on each 8×8 block's DC
	 * coefficient (512 pixels per byte); BMP's RLE8 codes at most 255 pixels in 2 bytes.
	 */
	static final long MAX_PIXELS_PER_BYTE = 1024;

	private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

	/** The formats, with the Image I/O readers to decode them, preferred first (by service provider class). */
	enum Format {
		PNG("com.sun.imageio.plugins.png.PNGImageReaderSpi"),
		TIFF("com.sun.imageio.plugins.tiff.TIFFImageReaderSpi"),
		JPEG("com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi", "com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi"),
		BMP("com.sun.imageio.plugins.bmp.BMPImageReaderSpi");

		final List<String> providers;

		Format(String... providers) {
			this.providers = List.of(providers);
		}
	}

	private static final Map<String, Optional<ImageReaderSpi>> PROVIDERS = new ConcurrentHashMap<>();

	private ImageFiles() {}

	/**
	 * An image file as a volume.
	 *
	 * @param volume one slice per page, modality {@value #MODALITY}
	 * @param rgb whether the file stores colour (RGB, YCbCr, or a palette with colours) that was converted to grey
	 * @param spacingRecorded whether the pixel spacing comes from the file (an ImageJ TIFF's calibration) rather than
	 *        the 1 mm default
	 * @param warnings what was assumed or converted, for logs (never identifiers)
	 */
	public record Image(Volume volume, boolean rgb, boolean spacingRecorded, List<String> warnings) {

		public Image {
			warnings = List.copyOf(warnings);
		}
	}

	/**
	 * A label image read from a file.
	 *
	 * @param mask the labels 0…255 as stored, on a grid at the origin with the file's spacing (1 mm when it records
	 *        none)
	 * @param spacingRecorded whether the spacing comes from the file (an ImageJ TIFF's calibration)
	 */
	public record Labels(Mask mask, boolean spacingRecorded) {}

	/** Whether the name ends with one of {@link #SUFFIXES} (any case). */
	public static boolean isImageFile(Path p) {
		String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		for (String s : SUFFIXES) if (n.endsWith(s)) return true;
		return false;
	}

	/** Whether the name ends with {@code .tif} or {@code .tiff} (any case). */
	public static boolean isTiff(Path p) {
		String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
		return n.endsWith(".tif") || n.endsWith(".tiff");
	}

	/** Reads an image file as a volume (see the class comment). */
	public static Image read(Path file) throws IOException {
		return read(file, ProgressListener.NONE, null);
	}

	/**
	 * Reads an image file as a volume, reporting progress per TIFF page and checking {@code cancel} (may be null)
	 * before each.
	 *
	 * @throws ImageFileException naming the file and the part at fault when it is not a supported image, is truncated
	 *         or damaged, or declares a size it cannot hold or the heap cannot take
	 */
	public static Image read(Path file, ProgressListener progress, Cancellation cancel) throws IOException {
		Decoded d = decode(file, false, progress, cancel);
		Geometry g = new Geometry(d.nx, d.ny, d.nz, d.spacingMm, new double[3], Geometry.AXIAL);
		return new Image(new Volume(g, d.values, MODALITY, d.sliceLabels), d.rgb, d.spacingRecorded, d.warnings);
	}

	/**
	 * Reads a label image: one grey integer sample per pixel, each 0…255 (a float sample must hold such an integer).
	 *
	 * @throws ImageFileException as {@link #read}, and naming the page and pixel of a value that is not a label
	 */
	public static Labels readLabels(Path file) throws IOException {
		Decoded d = decode(file, true, ProgressListener.NONE, null);
		Geometry g = new Geometry(d.nx, d.ny, d.nz, d.spacingMm, new double[3], Geometry.AXIAL);
		return new Labels(new Mask(g, d.labels), d.spacingRecorded);
	}

	/** What a file decodes to: {@code values} for an image, {@code labels} for a label image. */
	private static final class Decoded {
		int nx, ny, nz;
		float[] values;
		byte[] labels;
		boolean rgb, spacingRecorded;
		double[] spacingMm = {1, 1, 1};
		List<String> sliceLabels = new ArrayList<>();
		List<String> warnings = new ArrayList<>();
	}

	private static Decoded decode(Path file, boolean labels, ProgressListener progress, Cancellation cancel) throws IOException {
		Format f = sniff(file);
		Decoded d = f == Format.TIFF ? tiff(file, labels, progress, cancel) : single(file, f, labels);
		if (!d.spacingRecorded) d.warnings.add("no pixel spacing recorded: 1 mm assumed");
		return d;
	}

	/** The format by the file's first bytes. */
	static Format sniff(Path file) throws IOException {
		byte[] h = new byte[8];
		int n;
		try (InputStream in = Files.newInputStream(file)) {
			n = in.readNBytes(h, 0, h.length);
		}
		if (n >= 8 && java.util.Arrays.equals(h, PNG_SIGNATURE)) return Format.PNG;
		if (n >= 4 && ((h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0)
			|| (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43)))) return Format.TIFF;
		if (n >= 3 && (h[0] & 0xFF) == 0xFF && (h[1] & 0xFF) == 0xD8 && (h[2] & 0xFF) == 0xFF) return Format.JPEG;
		if (n >= 2 && h[0] == 'B' && h[1] == 'M') return Format.BMP;
		throw new ImageFileException(file, null, n == 0 ? "empty file" : "not a PNG, TIFF, JPEG or BMP image (its first bytes"
			+ " match none of their signatures)");
	}

	// ---- PNG, JPEG, BMP: one image ----

	private static Decoded single(Path file, Format f, boolean labels) throws IOException {
		if (labels && f == Format.JPEG)
			throw new ImageFileException(file, null, "JPEG is lossy and cannot hold labels; use a TIFF label image");
		long size = Files.size(file);
		if (size > Integer.MAX_VALUE - 8) throw new ImageFileException(file, null, "a " + f + " file of " + size
			+ " bytes is too large (at most 2 GB)");
		byte[] bytes = Files.readAllBytes(file);
		if (f == Format.PNG) checkPng(file, bytes);
		ImageReader reader = reader(file, f);
		List<String> decoderWarnings = new ArrayList<>();
		reader.addIIOReadWarningListener((source, warning) -> decoderWarnings.add(warning));
		try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
			reader.setInput(in, true, true);
			int w = reader.getWidth(0), h = reader.getHeight(0);
			long pixels = (long) w * h;
			if (w <= 0 || h <= 0) throw new ImageFileException(file, f + " header", "image size " + w + "×" + h + " is not positive");
			if (f != Format.PNG && pixels > MAX_PIXELS_PER_BYTE * bytes.length)
				throw new ImageFileException(file, f + " header", w + "×" + h + " pixels cannot come from a file of " + bytes.length
					+ " bytes (at most " + MAX_PIXELS_PER_BYTE + " pixels per byte)");
			checkVoxels(file, f + " header", w, h, 1, labels, 16L * pixels);
			BufferedImage im = reader.read(0);
			// Readers fill what a truncated or damaged stream lacks and only warn: never pass that off as pixels.
			if (!decoderWarnings.isEmpty())
				throw new ImageFileException(file, f.toString(), "damaged or truncated: " + String.join("; ", decoderWarnings));
			Decoded d = new Decoded();
			d.nx = w;
			d.ny = h;
			d.nz = 1;
			d.sliceLabels.add(file.getFileName().toString());
			String where = f.toString();
			if (labels) {
				d.labels = new byte[w * h];
				labels(file, where, im, d.labels, 0, -1, false);
			} else {
				d.values = new float[w * h];
				d.rgb = grey(im, d.values, 0, -1, false);
				if (d.rgb) d.warnings.add("colour converted to grey (Rec. 601 luma: 0.299 R + 0.587 G + 0.114 B)");
			}
			return d;
		} catch (ImageFileException e) {
			throw e;
		} catch (IOException | RuntimeException e) {
			throw new ImageFileException(file, f.toString(), "cannot be decoded (truncated or damaged): " + e, e);
		} finally {
			reader.dispose();
		}
	}

	/**
	 * Checks a PNG's IHDR (PNG spec. §11.2.2) against the file's length before the decoder allocates, and that the file
	 * ends with its IEND chunk (§11.2.5), which a truncated copy lacks.
	 */
	static void checkPng(Path file, byte[] b) throws ImageFileException {
		if (b.length < 33 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R')
			throw new ImageFileException(file, "IHDR", "missing: the first chunk of a PNG must be IHDR");
		long w = u32(b, 16), h = u32(b, 20);
		int depth = b[24], colour = b[25];
		int channels = switch (colour) {
			case 0, 3 -> 1;
			case 2 -> 3;
			case 4 -> 2;
			case 6 -> 4;
			default -> throw new ImageFileException(file, "IHDR", "colour type " + colour + " is not a PNG colour type");
		};
		if (w < 1 || h < 1 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE)
			throw new ImageFileException(file, "IHDR", "image size " + w + "×" + h + " is out of range");
		long raw = h * (1 + (w * channels * depth + 7) / 8);
		if (raw > PNG_MAX_EXPANSION * b.length)
			throw new ImageFileException(file, "IHDR", w + "×" + h + " pixels (" + raw + " bytes filtered) cannot come from a"
				+ " file of " + b.length + " bytes (deflate expands at most " + PNG_MAX_EXPANSION + ":1)");
		int end = b.length;
		if (!(end >= 12 && b[end - 8] == 'I' && b[end - 7] == 'E' && b[end - 6] == 'N' && b[end - 5] == 'D'))
			throw new ImageFileException(file, "IEND", "missing at the end of the file: truncated");
	}

	private static long u32(byte[] b, int p) {
		return ((long) (b[p] & 0xFF) << 24) | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
	}

	// ---- TIFF: a stack ----

	private static Decoded tiff(Path file, boolean labels, ProgressListener progress, Cancellation cancel) throws IOException {
		List<TiffDirectories.Ifd> all = TiffDirectories.read(file);
		List<TiffDirectories.Ifd> pages = all.stream().filter(i -> !i.isAuxiliary()).toList();
		Decoded d = new Decoded();
		if (pages.isEmpty()) throw new ImageFileException(file, null, "holds only reduced-resolution pages or masks, no image");
		if (pages.size() < all.size())
			d.warnings.add("skipped " + (all.size() - pages.size()) + " reduced-resolution or mask page(s)");
		TiffDirectories.Ifd first = pages.get(0);
		for (int k = 1; k < pages.size(); k++) {
			TiffDirectories.Ifd p = pages.get(k);
			if (p.width() != first.width() || p.height() != first.height() || p.bitsPerSample() != first.bitsPerSample()
				|| p.samplesPerPixel() != first.samplesPerPixel() || p.sampleFormat() != first.sampleFormat())
				throw new ImageFileException(file, "page " + (k + 1), "is " + describe(p) + " but page 1 is " + describe(first)
					+ ": the pages of a stack must agree");
		}
		Map<String, String> desc = imageJ(all.get(0).description());
		int channels = intOf(desc, "channels", 1), frames = intOf(desc, "frames", 1), images = intOf(desc, "images", pages.size());
		if (channels > 1 || frames > 1)
			throw new ImageFileException(file, TiffDirectories.name(TiffDirectories.IMAGE_DESCRIPTION), "an ImageJ hyperstack of "
				+ channels + " channel(s) and " + frames + " frame(s); MedCNN reads one channel at one time point: split it first");
		if (images > pages.size())
			throw new ImageFileException(file, TiffDirectories.name(TiffDirectories.IMAGE_DESCRIPTION), "ImageJ declares " + images
				+ " images but the file has " + pages.size() + " image directories (ImageJ writes stacks over 4 GB that way;"
				+ " they are too large here)");
		int nx = first.width(), ny = first.height(), nz = pages.size();
		checkVoxels(file, "page 1, " + TiffDirectories.name(TiffDirectories.IMAGE_WIDTH), nx, ny, nz, labels,
			Math.min(first.decodedBytes() * 4L, Integer.MAX_VALUE));
		d.nx = nx;
		d.ny = ny;
		d.nz = nz;
		spacing(first, desc, d);
		double[] line = labels ? null : calibration(first, desc, d.warnings);
		boolean unsigned32 = first.sampleFormat() == TiffDirectories.UNSIGNED && first.bitsPerSample() == 32;
		int invertMax = first.photometric() == TiffDirectories.WHITE_IS_ZERO && first.sampleFormat() == TiffDirectories.UNSIGNED
			&& first.bitsPerSample() <= 16 ? (1 << first.bitsPerSample()) - 1 : -1;
		if (labels) d.labels = new byte[nx * ny * nz];
		else d.values = new float[nx * ny * nz];
		ImageReader reader = reader(file, Format.TIFF);
		List<String> decoderWarnings = new ArrayList<>();
		reader.addIIOReadWarningListener((source, warning) -> decoderWarnings.add(warning));
		String name = file.getFileName().toString();
		try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
			reader.setInput(in, false, true);
			for (int k = 0; k < nz; k++) {
				if (cancel != null) cancel.check();
				if (nz > 1) progress.progress((double) k / nz, "Reading " + name + " page " + (k + 1) + "/" + nz);
				String where = "page " + (k + 1);
				BufferedImage im;
				try {
					im = reader.read(pages.get(k).index());
				} catch (IOException | RuntimeException e) {
					throw new ImageFileException(file, where, "cannot be decoded (truncated, damaged, or a TIFF variant the JDK"
						+ " reader does not support: " + describe(pages.get(k)) + "): " + e, e);
				}
				if (!decoderWarnings.isEmpty())
					throw new ImageFileException(file, where, "damaged: " + String.join("; ", decoderWarnings));
				if (im.getWidth() != nx || im.getHeight() != ny)
					throw new ImageFileException(file, where, "decodes to " + im.getWidth() + "×" + im.getHeight() + ", not " + nx
						+ "×" + ny);
				int offset = k * nx * ny;
				if (labels) {
					labels(file, where, im, d.labels, offset, invertMax, unsigned32);
				} else {
					d.rgb |= grey(im, d.values, offset, invertMax, unsigned32);
					if (line != null)
						for (int i = offset; i < offset + nx * ny; i++) d.values[i] = (float) (line[0] + line[1] * d.values[i]);
				}
				d.sliceLabels.add(nz == 1 ? name : name + ":" + (k + 1));
			}
		} finally {
			reader.dispose();
		}
		if (nz > 1) progress.progress(1, "Read " + name + " (" + nz + " pages)");
		if (d.rgb) d.warnings.add("colour converted to grey (Rec. 601 luma: 0.299 R + 0.587 G + 0.114 B)");
		return d;
	}

	private static String describe(TiffDirectories.Ifd p) {
		return p.width() + "×" + p.height() + ", " + p.samplesPerPixel() + " sample(s) of " + p.bitsPerSample() + " bits"
			+ (p.sampleFormat() == TiffDirectories.FLOAT ? " (float)" : p.sampleFormat() == TiffDirectories.SIGNED ? " (signed)" : "")
			+ ", compression " + p.compression();
	}

	/** The key=value lines of an ImageJ ImageDescription ("ImageJ=1.54p\nimages=3\n…"), or an empty map. */
	static Map<String, String> imageJ(String description) {
		Map<String, String> m = new LinkedHashMap<>();
		if (description == null || !description.startsWith("ImageJ=")) return m;
		for (String line : description.split("\n")) {
			int eq = line.indexOf('=');
			if (eq > 0) m.putIfAbsent(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
		}
		return m;
	}

	private static int intOf(Map<String, String> m, String key, int def) {
		try {
			return m.containsKey(key) ? Integer.parseInt(m.get(key)) : def;
		} catch (NumberFormatException e) {
			return def; // a malformed optional entry: ImageJ itself falls back to the default
		}
	}

	private static double numberOf(Map<String, String> m, String key, double def) {
		try {
			return m.containsKey(key) ? Double.parseDouble(m.get(key)) : def;
		} catch (NumberFormatException e) {
			return def; // as intOf
		}
	}

	/**
	 * The spacing of an ImageJ TIFF whose unit is a length (ImageJ's TiffEncoder writes XResolution = 1 / pixelWidth
	 * in pixels per unit, the unit and the slice spacing in its ImageDescription); else 1 mm.
	 */
	private static void spacing(TiffDirectories.Ifd first, Map<String, String> desc, Decoded d) {
		String unit = desc.get("unit");
		if (unit == null) return;
		double mm = unitMm(unit);
		if (Double.isNaN(mm)) {
			d.warnings.add("ImageJ calibration unit '" + unit + "' is not a length");
			return;
		}
		double px = first.xResolution() > 0 && Double.isFinite(first.xResolution()) ? 1 / first.xResolution() : 1;
		double py = first.yResolution() > 0 && Double.isFinite(first.yResolution()) ? 1 / first.yResolution() : px;
		double pz = Math.abs(numberOf(desc, "spacing", 1));
		if (!(pz > 0) || !Double.isFinite(pz)) pz = 1;
		d.spacingMm = new double[] {px * mm, py * mm, pz * mm};
		d.spacingRecorded = true;
	}

	/** Millimetres per unit for ImageJ's length units (its descriptions write µ as the escape \\u00B5); NaN for others. */
	static double unitMm(String unit) {
		String u = unit.trim().replace("\\u00B5", "µ").replace("\\u00b5", "µ").replace('μ', 'µ').toLowerCase(Locale.ROOT);
		return switch (u) {
			case "mm", "millimeter", "millimetre", "millimeters", "millimetres" -> 1;
			case "cm", "centimeter", "centimetre", "centimeters", "centimetres" -> 10;
			case "m", "meter", "metre", "meters", "metres" -> 1000;
			case "micron", "microns", "um", "µm", "micrometer", "micrometre" -> 1e-3;
			case "nm", "nanometer", "nanometre" -> 1e-6;
			case "inch", "inches", "in" -> 25.4;
			default -> Double.NaN;
		};
	}

	/**
	 * ImageJ's straight-line calibration {@code {c0, c1}} (value = c0 + c1 · stored) of an 8- or 16-bit ImageJ TIFF,
	 * or null; other calibration functions are not applied (a warning says so).
	 */
	private static double[] calibration(TiffDirectories.Ifd first, Map<String, String> desc, List<String> warnings) {
		if (!desc.containsKey("cf") || first.sampleFormat() == TiffDirectories.FLOAT || first.bitsPerSample() > 16) return null;
		int cf = intOf(desc, "cf", 20);
		if (cf == 20) return null; // Calibration.NONE
		double c0 = numberOf(desc, "c0", 0), c1 = numberOf(desc, "c1", 1);
		if (cf != 0 || !Double.isFinite(c0) || !Double.isFinite(c1)) {
			warnings.add("ImageJ calibration function " + cf + " not applied: stored values used");
			return null;
		}
		String unit = desc.getOrDefault("vunit", "");
		warnings.add(String.format(Locale.ROOT, "ImageJ calibration applied: value = %s + %s × stored%s", c0, c1,
			unit.isEmpty() ? "" : " (" + unit + ")"));
		return new double[] {c0, c1};
	}

	// ---- pixels ----

	/**
	 * Writes the grey values of {@code im} to {@code out} from {@code offset} (see the class comment); returns whether
	 * it stores colour (converted with the luma weights). {@code invertMax} ≥ 0 undoes the decoder's inversion of a
	 * WhiteIsZero image.
	 */
	static boolean grey(BufferedImage im, float[] out, int offset, int invertMax, boolean unsigned32) {
		Raster r = im.getRaster();
		ColorModel cm = im.getColorModel();
		int w = r.getWidth(), h = r.getHeight(), x0 = r.getMinX(), y0 = r.getMinY(), n = w * h;
		if (cm instanceof IndexColorModel icm) {
			int size = icm.getMapSize();
			float[] lut = new float[size];
			boolean[] colour = new boolean[size];
			boolean anyColour = false, rising = true, falling = true;
			for (int i = 0; i < size; i++) {
				int red = icm.getRed(i), green = icm.getGreen(i), blue = icm.getBlue(i);
				colour[i] = red != green || green != blue;
				anyColour |= colour[i];
				lut[i] = colour[i] ? (float) (LUMA_R * red + LUMA_G * green + LUMA_B * blue) : red;
				if (i > 0) {
					rising &= red >= icm.getRed(i - 1);
					falling &= red <= icm.getRed(i - 1);
				}
			}
			int[] idx = r.getSamples(x0, y0, w, h, 0, (int[]) null);
			if (!anyColour && (rising || falling)) {
				// A display LUT over stored values (ImageJ's inverting LUT, a grey palette): the values are the indices.
				for (int i = 0; i < n; i++) out[offset + i] = idx[i];
				return false;
			}
			boolean any = false;
			for (int i = 0; i < n; i++) {
				int k = Math.min(idx[i], size - 1);
				out[offset + i] = lut[k];
				any |= colour[k];
			}
			return any;
		}
		if (cm.getNumColorComponents() >= 3 && r.getNumBands() >= 3) {
			float[] red = r.getSamples(x0, y0, w, h, 0, (float[]) null), green = r.getSamples(x0, y0, w, h, 1, (float[]) null),
				blue = r.getSamples(x0, y0, w, h, 2, (float[]) null);
			for (int i = 0; i < n; i++)
				out[offset + i] = red[i] == green[i] && green[i] == blue[i] ? red[i]
					: (float) (LUMA_R * red[i] + LUMA_G * green[i] + LUMA_B * blue[i]);
			return true;
		}
		if (unsigned32 && r.getDataBuffer().getDataType() == DataBuffer.TYPE_INT) {
			int[] v = r.getSamples(x0, y0, w, h, 0, (int[]) null);
			for (int i = 0; i < n; i++) out[offset + i] = (float) Integer.toUnsignedLong(v[i]);
			return false;
		}
		if (invertMax >= 0) {
			int[] v = r.getSamples(x0, y0, w, h, 0, (int[]) null);
			for (int i = 0; i < n; i++) out[offset + i] = invertMax - v[i];
			return false;
		}
		float[] v = r.getSamples(x0, y0, w, h, 0, (float[]) null);
		System.arraycopy(v, 0, out, offset, n);
		return false;
	}

	/**
	 * Writes the labels of {@code im} to {@code out} from {@code offset}: one integer sample per pixel, 0…255;
	 * {@code invertMax} ≥ 0 undoes the decoder's inversion of a WhiteIsZero image (stored = invertMax − decoded).
	 */
	static void labels(Path file, String where, BufferedImage im, byte[] out, int offset, int invertMax, boolean unsigned32)
		throws ImageFileException {
		Raster r = im.getRaster();
		int w = r.getWidth(), h = r.getHeight(), x0 = r.getMinX(), y0 = r.getMinY();
		if (r.getNumBands() != 1)
			throw new ImageFileException(file, where, "has " + r.getNumBands() + " samples per pixel; a label image has one grey"
				+ " sample per pixel");
		int type = r.getDataBuffer().getDataType();
		boolean floats = type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE;
		double[] v = floats ? r.getSamples(x0, y0, w, h, 0, (double[]) null) : null;
		int[] iv = floats ? null : r.getSamples(x0, y0, w, h, 0, (int[]) null);
		for (int i = 0; i < w * h; i++) {
			double label;
			if (floats) label = v[i];
			else if (unsigned32) label = Integer.toUnsignedLong(iv[i]);
			else label = invertMax >= 0 ? invertMax - iv[i] : iv[i];
			if (!(label >= 0 && label <= 255 && label == Math.rint(label)))
				throw new ImageFileException(file, where, "pixel (" + (i % w) + ", " + (i / w) + ") holds " + label
					+ "; labels must be integers 0…255");
			out[offset + i] = (byte) (int) label;
		}
	}

	/**
	 * Refuses a size that the volume cannot hold (2³¹ voxels) or the heap cannot take: the output array plus
	 * {@code decodeBytes} for the decoder's own buffers.
	 */
	private static void checkVoxels(Path file, String where, int nx, int ny, int nz, boolean labels, long decodeBytes)
		throws ImageFileException {
		long voxels = (long) nx * ny * nz;
		if (voxels > Integer.MAX_VALUE - 8)
			throw new ImageFileException(file, where, nx + "×" + ny + "×" + nz + " voxels: more than a volume can hold (2^31)");
		long need = voxels * (labels ? 1 : 4) + decodeBytes;
		Runtime rt = Runtime.getRuntime();
		if (need > rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) {
			// Garbage counts as used until it is collected: only refuse what a collection cannot make room for.
			System.gc();
			long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
			if (need > free)
				throw new ImageFileException(file, where, nx + "×" + ny + "×" + nz + " voxels need " + (need >> 20) + " MB but the"
					+ " Java heap has " + (free >> 20) + " MB free of " + (rt.maxMemory() >> 20) + " MB (raise -Xmx)");
		}
	}

	/** A fresh reader of the first available provider for the format. */
	private static ImageReader reader(Path file, Format f) throws ImageFileException {
		for (String spi : f.providers) {
			Optional<ImageReaderSpi> p = PROVIDERS.computeIfAbsent(spi, ImageFiles::provider);
			if (p.isPresent()) {
				try {
					return p.get().createReaderInstance();
				} catch (IOException e) {
					throw new ImageFileException(file, null, "the " + f + " reader " + spi + " cannot be created: " + e, e);
				}
			}
		}
		throw new ImageFileException(file, null, "no Image I/O reader for " + f + " is available (" + f.providers + ")");
	}

	/**
	 * The provider by class, from the default registry (registered there when missing): plugin discovery through the
	 * context class loader does not work inside Fiji, and a format name could pick another plugin's reader.
	 */
	private static Optional<ImageReaderSpi> provider(String spiClass) {
		try {
			Class<? extends ImageReaderSpi> c = Class.forName(spiClass, true, ImageFiles.class.getClassLoader())
				.asSubclass(ImageReaderSpi.class);
			IIORegistry registry = IIORegistry.getDefaultInstance();
			synchronized (ImageFiles.class) {
				ImageReaderSpi spi = registry.getServiceProviderByClass(c);
				if (spi == null) {
					registry.registerServiceProvider(c.getDeclaredConstructor().newInstance(), ImageReaderSpi.class);
					spi = registry.getServiceProviderByClass(c);
				}
				return Optional.ofNullable(spi);
			}
		} catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
			return Optional.empty(); // not on the class path: the next provider of the format is tried
		}
	}
}
