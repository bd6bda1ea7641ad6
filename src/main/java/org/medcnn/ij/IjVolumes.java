package org.medcnn.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Converts between MedCNN's {@link Volume}/{@link Mask} and ImageJ's {@link ImagePlus}, keeping the geometry.
 * <p>
 * <b>Pixels.</b> A volume becomes a 32-bit float stack holding the real-world values (Hounsfield units for
 * CT) directly, so that what ImageJ measures is exactly what the models see; slice {@code z} of the volume is
 * stack slice {@code z + 1}; slice labels are the source file names.
 * <p>
 * <b>Coordinates.</b> The {@link Calibration} carries the spacing in mm ({@code pixelWidth} = x spacing,
 * {@code pixelHeight} = y spacing, {@code pixelDepth} = z spacing, unit {@code mm}) and origins chosen so that
 * ImageJ's calibrated coordinates of a pixel are the patient position of its centre projected onto the image
 * axes: {@code cal.getX(i) = (i − xOrigin)·sx = (origin + i·sx·row)·row}, likewise for y (column axis) and z
 * (slice normal). For the usual axial images (row = +x, column = +y) ImageJ's X, Y and Z are therefore the
 * DICOM patient coordinates L, P and S in mm. The exact origin and the direction cosines are also kept as
 * image properties ({@link #PROP_ORIGIN}, {@link #PROP_DIRECTION}, ...), which {@link #toVolume(ImagePlus)}
 * prefers, so that a round trip Volume → ImagePlus → Volume is exact.
 * <p>
 * Stateless and thread-safe; the ImagePlus objects it makes are not shown.
 */
public final class IjVolumes {

	/** Image property: LPS origin (ImagePositionPatient of voxel 0,0,0) in mm, "x,y,z". */
	public static final String PROP_ORIGIN = "medcnn.origin";
	/** Image property: the 9 direction cosines (row, column, normal), comma separated. */
	public static final String PROP_DIRECTION = "medcnn.direction";
	/** Image property: voxel spacing {x, y, z} in mm as read, comma separated (the calibration wins if edited). */
	public static final String PROP_SPACING = "medcnn.spacing";
	/** Image property: DICOM Modality. */
	public static final String PROP_MODALITY = "medcnn.modality";
	/** Image property: SeriesInstanceUID of the source series. */
	public static final String PROP_SERIES_UID = "medcnn.seriesInstanceUID";

	/** CT soft-tissue window: centre 40 HU, width 400 HU. */
	public static final double[] CT_SOFT_TISSUE_WINDOW = {40, 400};

	private IjVolumes() {}

	/**
	 * A 32-bit float stack of the volume's values with calibration, properties and slice labels set, and a
	 * display range from {@link #defaultWindow(Volume, double[])} without a series window.
	 */
	public static ImagePlus toImagePlus(Volume volume, String title) {
		Geometry g = volume.geometry();
		ImageStack stack = new ImageStack(g.nx(), g.ny());
		float[] voxels = volume.voxels();
		int n = g.sliceSize();
		for (int z = 0; z < g.nz(); z++) {
			float[] slice = Arrays.copyOfRange(voxels, z * n, (z + 1) * n);
			String label = volume.sliceLabels().get(z);
			stack.addSlice(label == null || label.isEmpty() ? null : label, new FloatProcessor(g.nx(), g.ny(), slice));
		}
		ImagePlus imp = new ImagePlus(title, stack);
		if (g.nz() > 1) imp.setDimensions(1, g.nz(), 1);
		imp.setCalibration(calibration(g));
		writeGeometryProps(imp, g);
		imp.setProp(PROP_MODALITY, volume.modality());
		double[] window = defaultWindow(volume, null);
		setWindow(imp, window[0], window[1]);
		return imp;
	}

	/**
	 * An 8-bit mask stack (labels as pixel values, 0 = background) with the same calibration and properties as
	 * {@link #toImagePlus(Volume, String)} gives the image, and a display range 0…1 so that label 1 shows white.
	 */
	public static ImagePlus toImagePlus(Mask mask, String title) {
		Geometry g = mask.geometry();
		ImageStack stack = new ImageStack(g.nx(), g.ny());
		byte[] labels = mask.labels();
		int n = g.sliceSize();
		for (int z = 0; z < g.nz(); z++)
			stack.addSlice(null, new ByteProcessor(g.nx(), g.ny(), Arrays.copyOfRange(labels, z * n, (z + 1) * n)));
		ImagePlus imp = new ImagePlus(title, stack);
		if (g.nz() > 1) imp.setDimensions(1, g.nz(), 1);
		imp.setCalibration(calibration(g));
		writeGeometryProps(imp, g);
		imp.setDisplayRange(0, 1);
		return imp;
	}

	/** The calibration described in the class comment: spacing in mm and origins along the image axes. */
	public static Calibration calibration(Geometry g) {
		Calibration cal = new Calibration();
		double[] s = g.spacingMm();
		double[] o = g.originMm();
		double[] d = g.direction();
		cal.pixelWidth = s[0];
		cal.pixelHeight = s[1];
		cal.pixelDepth = s[2];
		cal.setUnit("mm");
		cal.xOrigin = -dot(o, d, 0) / s[0];
		cal.yOrigin = -dot(o, d, 3) / s[1];
		cal.zOrigin = -dot(o, d, 6) / s[2];
		return cal;
	}

	/** Stores origin, direction and spacing as image properties (see the constants). */
	public static void writeGeometryProps(ImagePlus imp, Geometry g) {
		imp.setProp(PROP_ORIGIN, join(g.originMm()));
		imp.setProp(PROP_DIRECTION, join(g.direction()));
		imp.setProp(PROP_SPACING, join(g.spacingMm()));
	}

	/**
	 * The geometry of an image: size from the stack, spacing from the calibration (converted to mm), origin and
	 * direction from the MedCNN image properties, or, when those are missing, axial orientation and the origin
	 * implied by the calibration's origins.
	 *
	 * @throws IllegalArgumentException when the image has several channels or several slices and frames, or
	 *             its properties are malformed (the message names the image and the property)
	 */
	public static Geometry geometry(ImagePlus imp) {
		if (imp.getNChannels() > 1)
			throw new IllegalArgumentException("Image \"" + imp.getTitle() + "\" has " + imp.getNChannels()
				+ " channels; MedCNN needs a single-channel image or stack");
		if (imp.getNSlices() > 1 && imp.getNFrames() > 1)
			throw new IllegalArgumentException("Image \"" + imp.getTitle() + "\" has both slices (" + imp.getNSlices()
				+ ") and time frames (" + imp.getNFrames() + "); MedCNN needs one 3D stack");
		Calibration cal = imp.getCalibration();
		double toMm = unitToMm(cal.getUnit(), imp.getTitle());
		double[] spacing = {cal.pixelWidth * toMm, cal.pixelHeight * toMm, cal.pixelDepth * toMm};
		// The calibration is what the user sees and may edit; but TIFF stores it as a rational number, which
		// rounds 0.75 mm to 0.7500002 mm. Where the exact spacing recorded at opening agrees with the calibration
		// to 1e-5 (relative), it is that rounding, and the recorded value is the true one.
		double[] recorded = parseDoubles(imp, PROP_SPACING, 3);
		if (recorded != null)
			for (int i = 0; i < 3; i++)
				if (Math.abs(recorded[i] - spacing[i]) <= 1e-5 * recorded[i]) spacing[i] = recorded[i];
		double[] direction = parseDoubles(imp, PROP_DIRECTION, 9);
		if (direction == null) direction = Geometry.AXIAL.clone();
		double[] origin = parseDoubles(imp, PROP_ORIGIN, 3);
		if (origin == null) {
			double[] along = {-cal.xOrigin * spacing[0], -cal.yOrigin * spacing[1], -cal.zOrigin * spacing[2]};
			origin = new double[3];
			for (int i = 0; i < 3; i++)
				origin[i] = along[0] * direction[i] + along[1] * direction[3 + i] + along[2] * direction[6 + i];
		}
		return new Geometry(imp.getWidth(), imp.getHeight(), imp.getStackSize(), spacing, origin, direction);
	}

	/**
	 * The image as a volume: geometry as in {@link #geometry(ImagePlus)}, values as floats (calibrated through
	 * the calibration function for 8- and 16-bit images), modality from {@link #PROP_MODALITY} ("OT" if absent),
	 * slice labels up to their first line break.
	 *
	 * @throws IllegalArgumentException for RGB images and the cases of {@link #geometry(ImagePlus)}
	 */
	public static Volume toVolume(ImagePlus imp) {
		if (imp.getType() == ImagePlus.COLOR_RGB)
			throw new IllegalArgumentException("Image \"" + imp.getTitle() + "\" is RGB; MedCNN needs a grayscale image");
		Geometry g = geometry(imp);
		ImageStack stack = imp.getStack();
		Calibration cal = imp.getCalibration();
		int n = g.sliceSize();
		float[] voxels = new float[g.voxelCount()];
		List<String> labels = new ArrayList<>(g.nz());
		for (int z = 0; z < g.nz(); z++) {
			ImageProcessor ip = stack.getProcessor(z + 1);
			if (ip instanceof FloatProcessor) {
				System.arraycopy((float[]) ip.getPixels(), 0, voxels, z * n, n);
			} else {
				for (int i = 0; i < n; i++) voxels[z * n + i] = (float) cal.getCValue(ip.get(i));
			}
			String label = stack.getSliceLabel(z + 1);
			if (label == null) label = "";
			int nl = label.indexOf('\n');
			labels.add(nl >= 0 ? label.substring(0, nl) : label);
		}
		String modality = imp.getProp(PROP_MODALITY);
		return new Volume(g, voxels, modality, labels);
	}

	/**
	 * One slice of the image as a one-slice volume whose origin is that slice's position (what a 2D classifier
	 * takes), without converting the rest of the stack.
	 *
	 * @param slice 1-based stack slice, as ImageJ counts
	 * @throws IllegalArgumentException for a slice out of range and the cases of {@link #toVolume(ImagePlus)}
	 */
	public static Volume toVolume(ImagePlus imp, int slice) {
		if (imp.getType() == ImagePlus.COLOR_RGB)
			throw new IllegalArgumentException("Image \"" + imp.getTitle() + "\" is RGB; MedCNN needs a grayscale image");
		Geometry g = geometry(imp);
		if (slice < 1 || slice > g.nz())
			throw new IllegalArgumentException("slice = " + slice + " is out of range: image \"" + imp.getTitle()
				+ "\" has slices 1…" + g.nz());
		Geometry sg = new Geometry(g.nx(), g.ny(), 1, g.spacingMm(), g.toPatient(0, 0, slice - 1), g.direction());
		ImageProcessor ip = imp.getStack().getProcessor(slice);
		int n = g.sliceSize();
		float[] voxels = new float[n];
		if (ip instanceof FloatProcessor) {
			System.arraycopy((float[]) ip.getPixels(), 0, voxels, 0, n);
		} else {
			Calibration cal = imp.getCalibration();
			for (int i = 0; i < n; i++) voxels[i] = (float) cal.getCValue(ip.get(i));
		}
		String label = imp.getStack().getSliceLabel(slice);
		if (label == null) label = "";
		int nl = label.indexOf('\n');
		return new Volume(sg, voxels, imp.getProp(PROP_MODALITY), List.of(nl >= 0 ? label.substring(0, nl) : label));
	}

	/**
	 * A mask from an 8- or 16-bit label image (0 = background; values above 255 are refused), on the grid
	 * {@link #geometry(ImagePlus)} gives it.
	 *
	 * @throws IllegalArgumentException for other image types or labels above 255
	 */
	public static Mask toMask(ImagePlus imp) {
		int type = imp.getType();
		if (type != ImagePlus.GRAY8 && type != ImagePlus.GRAY16)
			throw new IllegalArgumentException("Mask image \"" + imp.getTitle() + "\" must be 8- or 16-bit");
		Geometry g = geometry(imp);
		byte[] labels = new byte[g.voxelCount()];
		int n = g.sliceSize();
		ImageStack stack = imp.getStack();
		for (int z = 0; z < g.nz(); z++) {
			ImageProcessor ip = stack.getProcessor(z + 1);
			for (int i = 0; i < n; i++) {
				int v = ip.get(i);
				if (v > 255)
					throw new IllegalArgumentException("Mask image \"" + imp.getTitle() + "\" has label " + v
						+ " on slice " + (z + 1) + "; labels must be 0…255");
				labels[z * n + i] = (byte) v;
			}
		}
		return new Mask(g, labels);
	}

	/**
	 * The window to show a volume with: the series' own {@code centerWidth} if given and valid, else the CT
	 * soft-tissue window for CT, else {@link #autoWindow(Volume)}.
	 *
	 * @param seriesWindow {centre, width} from the DICOM header, or null
	 * @return {centre, width}
	 */
	public static double[] defaultWindow(Volume volume, double[] seriesWindow) {
		if (seriesWindow != null && seriesWindow.length >= 2 && seriesWindow[1] > 0 && Double.isFinite(seriesWindow[0]))
			return new double[] {seriesWindow[0], seriesWindow[1]};
		if ("CT".equalsIgnoreCase(volume.modality())) return CT_SOFT_TISSUE_WINDOW.clone();
		return autoWindow(volume);
	}

	/**
	 * A window spanning the 0.5th to 99.5th percentile of the volume's values (like ImageJ's Auto contrast with
	 * 1% saturation, but over the whole stack so that it does not change from slice to slice).
	 *
	 * @return {centre, width}; width at least 1
	 */
	public static double[] autoWindow(Volume volume) {
		float[] v = volume.voxels();
		// A 4096-bin histogram is plenty for a display range and keeps this linear in the voxel count.
		float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
		for (float f : v) {
			if (f < min) min = f;
			if (f > max) max = f;
		}
		if (!(max > min)) return new double[] {min, 1};
		int bins = 4096;
		long[] hist = new long[bins];
		double scale = bins / ((double) max - min);
		for (float f : v) hist[Math.min(bins - 1, (int) ((f - min) * scale))]++;
		long lowCount = (long) (v.length * 0.005), highCount = (long) (v.length * 0.995);
		int lo = 0, hi = bins - 1;
		long acc = 0;
		for (int i = 0; i < bins; i++) {
			acc += hist[i];
			if (acc > lowCount) {
				lo = i;
				break;
			}
		}
		acc = 0;
		for (int i = 0; i < bins; i++) {
			acc += hist[i];
			if (acc >= highCount) {
				hi = i;
				break;
			}
		}
		double low = min + lo / scale, high = min + (hi + 1) / scale;
		return new double[] {(low + high) / 2, Math.max(1, high - low)};
	}

	/** Sets the display range to {@code centre ± width/2}. */
	public static void setWindow(ImagePlus imp, double center, double width) {
		imp.setDisplayRange(center - width / 2, center + width / 2);
	}

	private static double dot(double[] v, double[] d, int offset) {
		return v[0] * d[offset] + v[1] * d[offset + 1] + v[2] * d[offset + 2];
	}

	private static String join(double[] values) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < values.length; i++) {
			if (i > 0) sb.append(',');
			sb.append(values[i]); // Double.toString round-trips exactly
		}
		return sb.toString();
	}

	private static double[] parseDoubles(ImagePlus imp, String key, int count) {
		String text = imp.getProp(key);
		if (text == null || text.isBlank()) return null;
		String[] parts = text.split(",");
		if (parts.length != count)
			throw new IllegalArgumentException("Image \"" + imp.getTitle() + "\": property " + key + " must have " + count
				+ " comma-separated numbers but is \"" + text + "\"");
		double[] values = new double[count];
		try {
			for (int i = 0; i < count; i++) values[i] = Double.parseDouble(parts[i].trim());
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("Image \"" + imp.getTitle() + "\": property " + key
				+ " is not a list of numbers: \"" + text + "\"", e);
		}
		return values;
	}

	private static double unitToMm(String unit, String title) {
		String u = unit == null ? "" : unit.trim().toLowerCase(Locale.ROOT);
		switch (u) {
			case "mm", "millimeter", "millimeters", "millimetre", "millimetres":
				return 1;
			case "cm":
				return 10;
			case "m", "meter", "metre":
				return 1000;
			case "\u00b5m", "\u03bcm", "um", "micron", "microns":
				return 0.001;
			case "", "pixel", "pixels", "inch":
				// Uncalibrated images: treat one pixel as 1 mm so that models still run; inches are converted.
				return "inch".equals(u) ? 25.4 : 1;
			default:
				throw new IllegalArgumentException("Image \"" + title + "\" has the unit \"" + unit
					+ "\"; MedCNN needs a length unit (mm, cm, m, µm) or none");
		}
	}
}
