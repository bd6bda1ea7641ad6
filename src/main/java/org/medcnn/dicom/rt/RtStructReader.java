package org.medcnn.dicom.rt;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.Tag;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * Reads one ROI of a DICOM RT Structure Set (PS3.3 A.19) into a {@link Mask} on the grid of an image series.
 * <p>
 * The ROI is found by its ROIName (exact match first, then ignoring case). Its CLOSED_PLANAR contours
 * (ROIContourSequence → ContourSequence → ContourData, LPS mm triplets) are projected onto the grid's row and
 * column axes, so oblique grids work too, and placed on the slice whose plane they lie in: every point must lie
 * within half a slice spacing of that slice's plane. The contours of a slice are combined even-odd (a contour
 * inside another is a hole) and a pixel is in the mask (label 1) when its centre is inside. POINT and open
 * contours are skipped.
 * <p>
 * An unknown ROI name gives a {@link DicomReadException} listing the ROI names; a contour off the grid (between
 * or outside the slices, or not planar along the grid's normal) one naming the file, the ROI and the contour.
 * Stateless and thread-safe.
 */
public final class RtStructReader {

	private static final double SLICE_TOLERANCE = 1e-3;

	private RtStructReader() {}

	/**
	 * The ROI names of an RT Structure Set, in StructureSetROISequence order.
	 *
	 * @throws DicomReadException if the file cannot be read or is not an RT Structure Set
	 */
	public static List<String> roiNames(Path rtstruct) throws IOException {
		return names(open(rtstruct));
	}

	/** Whether a parsed DICOM object is an RT Structure Set (by SOPClassUID, or Modality RTSTRUCT). */
	public static boolean isRtStruct(DicomObject o) {
		return RtStructWriter.RT_STRUCTURE_SET_STORAGE.equals(o.getString(Tag.SOPClassUID))
			|| "RTSTRUCT".equals(o.getString(Tag.Modality));
	}

	/**
	 * Reads an ROI on a series' grid, refusing an ROI drawn in another frame of reference.
	 *
	 * @throws DicomReadException if the file cannot be read, has no such ROI, or its contours do not fit the series
	 * @throws IOException if the series' first header cannot be read
	 */
	public static Mask read(Path rtstruct, String roiName, DicomSeries series) throws IOException {
		DicomObject rt = open(rtstruct);
		DicomObject roi = roi(rt, rtstruct, roiName);
		String roiFor = roi.getString(RtTags.ReferencedFrameOfReferenceUID);
		String seriesFor = DicomReader.readHeader(series.files().get(0)).getString(Tag.FrameOfReferenceUID);
		if (roiFor != null && seriesFor != null && !roiFor.equals(seriesFor))
			throw new DicomReadException(rtstruct, RtTags.ReferencedFrameOfReferenceUID, "ROI '" + roiName
				+ "' is drawn in frame of reference " + roiFor + ", not the series' " + seriesFor);
		return rasterise(rt, rtstruct, roi, series.geometry());
	}

	/**
	 * Reads an ROI on a grid.
	 *
	 * @param roiName the ROIName
	 * @throws DicomReadException if the file cannot be read, has no such ROI, or its contours do not fit the grid
	 */
	public static Mask read(Path rtstruct, String roiName, Geometry grid) throws IOException {
		DicomObject rt = open(rtstruct);
		return rasterise(rt, rtstruct, roi(rt, rtstruct, roiName), grid);
	}

	private static DicomObject open(Path file) throws IOException {
		DicomObject o = DicomReader.read(file);
		if (!isRtStruct(o))
			throw new DicomReadException(file, Tag.SOPClassUID, "not an RT Structure Set (SOP class "
				+ o.getString(Tag.SOPClassUID) + ", modality " + o.getString(Tag.Modality) + ")");
		return o;
	}

	private static List<String> names(DicomObject rt) {
		List<String> out = new ArrayList<>();
		for (DicomObject r : rt.getSequence(RtTags.StructureSetROISequence)) {
			String n = r.getString(RtTags.ROIName);
			out.add(n == null ? "" : n);
		}
		return out;
	}

	/** The StructureSetROISequence item of the ROI. */
	private static DicomObject roi(DicomObject rt, Path file, String name) throws DicomReadException {
		if (name == null) throw new IllegalArgumentException("ROI name must not be null");
		List<DicomObject> rois = rt.getSequence(RtTags.StructureSetROISequence);
		for (DicomObject r : rois) if (name.equals(r.getString(RtTags.ROIName))) return r;
		for (DicomObject r : rois) {
			String n = r.getString(RtTags.ROIName);
			if (n != null && n.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) return r;
		}
		throw new DicomReadException(file, RtTags.ROIName, "no ROI named '" + name + "'; the structure set holds "
			+ (rois.isEmpty() ? "no ROIs" : "ROIs " + String.join(", ", quoted(names(rt)))));
	}

	private static List<String> quoted(List<String> names) {
		List<String> out = new ArrayList<>();
		for (String n : names) out.add("'" + n + "'");
		return out;
	}

	private static Mask rasterise(DicomObject rt, Path file, DicomObject roi, Geometry g) throws DicomReadException {
		String name = roi.getString(RtTags.ROIName);
		int number = roi.getInt(RtTags.ROINumber, Integer.MIN_VALUE);
		DicomObject roiContour = null;
		for (DicomObject c : rt.getSequence(RtTags.ROIContourSequence))
			if (c.getInt(RtTags.ReferencedROINumber, Integer.MIN_VALUE - 1) == number) roiContour = c;
		if (roiContour == null)
			throw new DicomReadException(file, RtTags.ROIContourSequence, "ROI '" + name + "' (number " + number
				+ ") has no item in ROIContourSequence");
		double[] d = g.direction(), o = g.originMm(), sp = g.spacingMm();
		List<List<double[]>> perSlice = new ArrayList<>();
		for (int z = 0; z < g.nz(); z++) perSlice.add(new ArrayList<>());
		int index = 0, closed = 0;
		for (DicomObject c : roiContour.getSequence(RtTags.ContourSequence)) {
			index++;
			if (!"CLOSED_PLANAR".equals(c.getString(RtTags.ContourGeometricType))) continue;
			double[] data = c.getDoubles(RtTags.ContourData);
			String where = "ROI '" + name + "', contour " + index;
			if (data == null || data.length < 9 || data.length % 3 != 0)
				throw new DicomReadException(file, RtTags.ContourData, where + ": ContourData must hold at least 3 x\\y\\z"
					+ " points but has " + (data == null ? 0 : data.length) + " values");
			int points = data.length / 3;
			int declared = c.getInt(RtTags.NumberOfContourPoints, points);
			if (declared != points)
				throw new DicomReadException(file, RtTags.NumberOfContourPoints, where + ": NumberOfContourPoints is "
					+ declared + " but ContourData holds " + points + " points (x\\y\\z triplets): damaged contour");
			double[] polygon = new double[points * 2];
			double sum = 0;
			double[] w = new double[points];
			for (int i = 0; i < points; i++) {
				double px = data[3 * i] - o[0], py = data[3 * i + 1] - o[1], pz = data[3 * i + 2] - o[2];
				polygon[2 * i] = (px * d[0] + py * d[1] + pz * d[2]) / sp[0];
				polygon[2 * i + 1] = (px * d[3] + py * d[4] + pz * d[5]) / sp[1];
				w[i] = (px * d[6] + py * d[7] + pz * d[8]) / sp[2];
				sum += w[i];
			}
			long z = Math.round(sum / points);
			for (int i = 0; i < points; i++)
				if (z < 0 || z >= g.nz() || Math.abs(w[i] - z) > 0.5 + SLICE_TOLERANCE)
					throw new DicomReadException(file, RtTags.ContourData, where + ": point (" + data[3 * i] + ", "
						+ data[3 * i + 1] + ", " + data[3 * i + 2] + ") lies at slice position " + String.format(Locale.ROOT,
							"%.2f", w[i]) + ", not within half a slice spacing of one of the grid's " + g.nz() + " slices");
			perSlice.get((int) z).add(polygon);
			closed++;
		}
		if (closed == 0)
			throw new DicomReadException(file, RtTags.ContourSequence, "ROI '" + name + "' has no CLOSED_PLANAR contours");
		byte[] labels = new byte[g.voxelCount()];
		for (int z = 0; z < g.nz(); z++)
			if (!perSlice.get(z).isEmpty()) Contours.fill(perSlice.get(z), labels, z * g.sliceSize(), g.nx(), g.ny(), (byte) 1);
		return new Mask(g, labels);
	}
}
