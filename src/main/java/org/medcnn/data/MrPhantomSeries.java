package org.medcnn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.DicomWriter.ImageOptions;
import org.medcnn.dicom.DicomWriter.SeriesInfo;
import org.medcnn.dicom.PixelCoding;
import org.medcnn.volume.Nifti;

/**
 * Writes {@link MrPhantomCase}s in the segmentation layout of DESIGN.md: the image as a DICOM MR Image Storage
 * series, one file per slice with InstanceNumbers shuffled by the case's seed ({@code IMAGES/NAME/IMnnnn.dcm}),
 * and the label mask as NIfTI-1 on exactly the image's grid ({@code MASKS/NAME.nii.gz}).
 * <p>
 * Cases are stored with one of {@value #CODINGS} value codings, as different scanners do ({@link #coding}):
 * <ol start="0">
 * <li>unsigned 16 bits, no RescaleSlope/RescaleIntercept (stored value = real-world value);</li>
 * <li>signed 16 bits, RescaleSlope 1, RescaleIntercept −1024;</li>
 * <li>unsigned 16 bits with RescaleSlope 0.25 and RescaleIntercept −12.5 (or, when the values do not fit,
 * slope 2.5 and intercept −5): fractional values;</li>
 * <li>BitsStored 12 unsigned, no rescale tags when the values fit in 0…4095, else the smallest of the slopes
 * 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 that fits (intercept 0).</li>
 * </ol>
 * Patient names are synthetic ("MR phantom^NAME"); UIDs derive from the seed, so output is reproducible.
 * Stateless and thread-safe.
 */
public final class MrPhantomSeries {

	/** Number of coding variants; variant {@code i % CODINGS} is used for case i. */
	public static final int CODINGS = 4;

	private static final double[] TWELVE_BIT_SLOPES = {1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};

	private MrPhantomSeries() {}

	/**
	 * The coding of variant {@code variant % CODINGS} for a case's value range (see the class comment).
	 *
	 * @throws IllegalArgumentException when no coding of the variant holds the case's values
	 */
	public static PixelCoding coding(MrPhantomCase pc, int variant) {
		float max = 0;
		for (float v : pc.volume().voxels()) max = Math.max(max, v);
		List<PixelCoding> choices = switch (Math.floorMod(variant, CODINGS)) {
			case 0 -> List.of(PixelCoding.unsigned(16));
			case 1 -> List.of(PixelCoding.rescaled(16, true, 1, -1024));
			case 2 -> List.of(PixelCoding.rescaled(16, false, 0.25, -12.5), PixelCoding.rescaled(16, false, 2.5, -5));
			default -> twelveBit();
		};
		for (PixelCoding c : choices) if (c.holds(0, max)) return c;
		throw new IllegalArgumentException("no coding of variant " + variant + " holds values up to " + max + " (seed "
			+ pc.seed() + ")");
	}

	private static List<PixelCoding> twelveBit() {
		PixelCoding[] c = new PixelCoding[TWELVE_BIT_SLOPES.length + 1];
		c[0] = PixelCoding.unsigned(12);
		for (int i = 0; i < TWELVE_BIT_SLOPES.length; i++) c[i + 1] = PixelCoding.rescaled(12, false, TWELVE_BIT_SLOPES[i], 0);
		return List.of(c);
	}

	/**
	 * Writes a case: its DICOM series into {@code imagesDir/name/} and its mask as {@code masksDir/name.nii.gz}.
	 *
	 * @param coding how values are stored (e.g. {@link #coding(MrPhantomCase, int)})
	 * @param name the case name (folder and file name, PatientID), printable ASCII, at most 16 characters
	 * @return the series folder
	 * @throws IOException when a file cannot be written
	 */
	public static Path write(MrPhantomCase pc, PixelCoding coding, Path imagesDir, Path masksDir, String name)
		throws IOException {
		double wm = pc.whiteMatter();
		SeriesInfo info = SeriesInfo.synthetic("medcnn-mr-phantom/" + pc.seed(), "MR phantom^" + name, name,
			"T1 after contrast, synthetic").withWindow(0.9 * wm, 2 * wm).withBodyPart("HEAD");
		Path series = imagesDir.resolve(name);
		DicomWriter.writeSeries(pc.volume(), series, info, ImageOptions.mr(coding).withShuffledInstances(pc.seed()), null,
			null);
		java.nio.file.Files.createDirectories(masksDir);
		Nifti.writeMask(pc.mask(), masksDir.resolve(name + ".nii.gz"));
		return series;
	}

	/** The values a reader gets back from a case written with a coding: each voxel through {@link PixelCoding#quantise}. */
	public static float[] readBackValues(MrPhantomCase pc, PixelCoding coding) {
		float[] v = pc.volume().voxels(), out = new float[v.length];
		for (int i = 0; i < v.length; i++) out[i] = (float) coding.quantise(v[i]);
		return out;
	}
}
