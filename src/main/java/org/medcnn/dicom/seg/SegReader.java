package org.medcnn.dicom.seg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.medcnn.common.Cancellation;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomPixels;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.Tag;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * Reads a DICOM Segmentation (PS3.3 A.51) into a {@link Mask} on the grid of the series it was drawn on.
 * <p>
 * Each voxel's label is the number of the segment that covers it (a later frame wins where segments
 * overlap). A frame is placed by its ImagePositionPatient (per-frame or shared Plane Position): the position
 * must lie on one of the grid's slices, within {@link #POSITION_TOLERANCE_MM} (or a tenth of the spacing,
 * whichever is smaller) along every axis. A frame without a position is placed by the slice its
 * Source Image Sequence references (SOPInstanceUID, and the frame number for a multi-frame source), which
 * needs {@link #read(Path, DicomSeries)}. BINARY segmentations are read bit by bit (least significant bit
 * first); FRACTIONAL ones (8 bits) count a voxel in when its value exceeds half the MaximumFractionalValue.
 * Compressed Pixel Data (Deflated Image Frame Compression, as {@link SegCompression#DEFLATE} writes, or any
 * codec of {@link DicomPixels}) is decoded frame by frame.
 * <p>
 * A file that is not a SEG, whose pixel data cannot be decoded, or whose geometry does not fit the grid (size,
 * orientation, pixel spacing, a frame between or outside the slices, a different frame of reference) gives a
 * {@link DicomReadException} naming the SEG file and the mismatch. Stateless and thread-safe.
 */
public final class SegReader {

	/** Largest distance (mm) between a frame's position and the slice it is placed on. */
	public static final double POSITION_TOLERANCE_MM = 0.05;
	private static final double ORIENTATION_TOLERANCE = 1e-3;

	private SegReader() {}

	/**
	 * Reads a SEG on a series' grid; frames without a plane position are matched by SOPInstanceUID, and a SEG
	 * whose FrameOfReferenceUID differs from the series' is refused.
	 *
	 * @throws DicomReadException if the SEG cannot be read or does not fit the series
	 * @throws IOException if a series header cannot be read
	 */
	public static Mask read(Path segFile, DicomSeries series) throws IOException {
		return read(segFile, series, null);
	}

	/** The same, checking {@code cancel} per series header read. */
	public static Mask read(Path segFile, DicomSeries series, Cancellation cancel) throws IOException {
		DicomObject seg = DicomReader.read(segFile);
		DicomObject first = DicomReader.readHeader(series.files().get(0));
		String segFor = seg.getString(Tag.FrameOfReferenceUID);
		String seriesFor = first.getString(Tag.FrameOfReferenceUID);
		if (segFor != null && seriesFor != null && !segFor.equals(seriesFor))
			throw new DicomReadException(segFile, Tag.FrameOfReferenceUID, "the SEG's frame of reference " + segFor
				+ " is not the series' " + seriesFor);
		Map<String, Integer> bySop = null;
		if (needsSopLookup(seg)) {
			bySop = new HashMap<>();
			List<Path> files = series.files();
			boolean multiFrame = files.size() == 1 && series.slices() > 1;
			for (int z = 0; z < files.size(); z++) {
				if (cancel != null) cancel.check();
				String uid = z == 0 ? first.getString(Tag.SOPInstanceUID)
					: DicomReader.readHeader(files.get(z)).getString(Tag.SOPInstanceUID);
				if (uid == null) continue;
				if (multiFrame) for (int f = 1; f <= series.slices(); f++) bySop.put(uid + "#" + f, f - 1);
				else bySop.put(uid + "#0", z);
			}
		}
		return decode(seg, segFile, series.geometry(), bySop);
	}

	/**
	 * Reads a SEG on a grid, placing every frame by its plane position.
	 *
	 * @throws DicomReadException if the SEG cannot be read, a frame has no position, or it does not fit the grid
	 */
	public static Mask read(Path segFile, Geometry grid) throws IOException {
		return decode(DicomReader.read(segFile), segFile, grid, null);
	}

	private static boolean needsSopLookup(DicomObject seg) {
		DicomObject shared = firstItem(seg, Tag.SharedFunctionalGroupsSequence);
		if (shared != null && firstItem(shared, Tag.PlanePositionSequence) != null) return false;
		for (DicomObject f : seg.getSequence(Tag.PerFrameFunctionalGroupsSequence))
			if (firstItem(f, Tag.PlanePositionSequence) == null) return true;
		return false;
	}

	private static Mask decode(DicomObject seg, Path file, Geometry g, Map<String, Integer> bySop)
		throws DicomReadException {
		if (!SegWriter.SEGMENTATION_STORAGE.equals(seg.getString(Tag.SOPClassUID)))
			throw new DicomReadException(file, Tag.SOPClassUID, "not a DICOM Segmentation (SOP class "
				+ seg.getString(Tag.SOPClassUID) + ")");
		int rows = seg.getInt(Tag.Rows, -1);
		int cols = seg.getInt(Tag.Columns, -1);
		if (rows != g.ny() || cols != g.nx())
			throw new DicomReadException(file, Tag.Rows, "the SEG's frames are " + cols + "×" + rows
				+ " (columns × rows) but the series' slices are " + g.nx() + "×" + g.ny());
		String type = seg.getString(SegTags.SegmentationType);
		boolean fractional = "FRACTIONAL".equals(type);
		int bits = seg.getInt(Tag.BitsAllocated, -1);
		if (fractional ? bits != 8 : bits != 1)
			throw new DicomReadException(file, Tag.BitsAllocated, "BitsAllocated " + bits + " does not fit SegmentationType "
				+ type);
		double threshold = fractional ? seg.getInt(SegTags.MaximumFractionalValue, 255) / 2.0 : 0;
		int frames = seg.getInt(Tag.NumberOfFrames, 1);
		List<DicomObject> perFrame = seg.getSequence(Tag.PerFrameFunctionalGroupsSequence);
		if (perFrame.size() != frames)
			throw new DicomReadException(file, Tag.PerFrameFunctionalGroupsSequence, perFrame.size()
				+ " per-frame items for " + frames + " frames");
		int plane = g.sliceSize();
		DicomObject shared = firstItem(seg, Tag.SharedFunctionalGroupsSequence);
		checkPlane(file, g, shared);
		byte[] labels = new byte[g.voxelCount()];
		FramePlacer placer = new FramePlacer(file, g, perFrame, shared, bySop, labels);

		if (seg.isPixelDataEncapsulated()) {
			// Compressed (Deflated Image Frame Compression, RLE, …): the codecs of DicomPixels, one frame at a time.
			DicomPixels.storedFrames(seg, (i, v) -> placer.place(i, p -> v[p] > threshold));
			return new Mask(g, labels);
		}
		byte[] px = seg.getBytes(Tag.PixelData);
		if (px == null) throw new DicomReadException(file, Tag.PixelData, "the SEG has no pixel data");
		long needed = fractional ? (long) plane * frames : ((long) plane * frames + 7) / 8;
		if (px.length < needed)
			throw new DicomReadException(file, Tag.PixelData, "pixel data has " + px.length + " bytes where " + frames
				+ " frames of " + cols + "×" + rows + " need " + needed);
		for (int i = 0; i < frames; i++) {
			long base = (long) i * plane;
			if (fractional) placer.place(i, p -> (px[(int) (base + p)] & 0xFF) > threshold);
			else placer.place(i, p -> {
				// Native 1-bit frames follow one another in one bit stream (PS3.5 §8.1.1).
				long bit = base + p;
				return (px[(int) (bit >>> 3)] >> (bit & 7) & 1) != 0;
			});
		}
		return new Mask(g, labels);
	}

	/** Whether pixel {@code p} (row-major) of a frame is in its segment. */
	@FunctionalInterface
	private interface FramePixels {
		boolean on(int p);
	}

	/** Puts each frame's pixels into the label volume, at the slice and with the segment number the frame says. */
	private record FramePlacer(Path file, Geometry g, List<DicomObject> perFrame, DicomObject shared,
		Map<String, Integer> bySop, byte[] labels) {

		void place(int i, FramePixels pixels) throws DicomReadException {
			DicomObject f = perFrame.get(i);
			checkPlane(file, g, f);
			int segment = segmentNumber(f, shared);
			if (segment < 1 || segment > 255)
				throw new DicomReadException(file, SegTags.ReferencedSegmentNumber, "frame " + (i + 1) + " has segment number "
					+ segment + "; labels 1…255 are supported");
			int z = slice(file, g, f, shared, bySop, i);
			int plane = g.sliceSize();
			int off = z * plane;
			for (int p = 0; p < plane; p++) if (pixels.on(p)) labels[off + p] = (byte) segment;
		}
	}

	private static int segmentNumber(DicomObject frame, DicomObject shared) {
		DicomObject id = firstItem(frame, SegTags.SegmentIdentificationSequence);
		if (id == null && shared != null) id = firstItem(shared, SegTags.SegmentIdentificationSequence);
		return id == null ? -1 : id.getInt(SegTags.ReferencedSegmentNumber, -1);
	}

	/** The slice a frame lies on: by position when it has one, else by its source image. */
	private static int slice(Path file, Geometry g, DicomObject frame, DicomObject shared, Map<String, Integer> bySop,
		int index) throws DicomReadException {
		DicomObject pos = firstItem(frame, Tag.PlanePositionSequence);
		if (pos == null && shared != null) pos = firstItem(shared, Tag.PlanePositionSequence);
		double[] ipp = pos == null ? null : pos.getDoubles(Tag.ImagePositionPatient);
		if (ipp != null && ipp.length == 3) return sliceAt(file, g, ipp, index);
		if (bySop != null) {
			DicomObject derivation = firstItem(frame, SegTags.DerivationImageSequence);
			DicomObject src = derivation == null ? null : firstItem(derivation, SegTags.SourceImageSequence);
			String uid = src == null ? null : src.getString(Tag.ReferencedSOPInstanceUID);
			if (uid != null) {
				Integer z = bySop.get(uid + "#" + src.getInt(SegTags.ReferencedFrameNumber, 0));
				if (z == null) z = bySop.get(uid + "#0");
				if (z != null) return z;
				throw new DicomReadException(file, Tag.ReferencedSOPInstanceUID, "frame " + (index + 1)
					+ " references instance " + uid + ", which is not in the series");
			}
		}
		throw new DicomReadException(file, Tag.PlanePositionSequence, "frame " + (index + 1)
			+ " has no ImagePositionPatient" + (bySop == null ? "" : " and no source image") + " to place it by");
	}

	private static int sliceAt(Path file, Geometry g, double[] ipp, int index) throws DicomReadException {
		double[] o = g.originMm();
		double[] d = g.direction();
		double[] sp = g.spacingMm();
		double[] delta = {ipp[0] - o[0], ipp[1] - o[1], ipp[2] - o[2]};
		double[] along = new double[3];
		for (int a = 0; a < 3; a++)
			along[a] = delta[0] * d[3 * a] + delta[1] * d[3 * a + 1] + delta[2] * d[3 * a + 2];
		double w = along[2] / sp[2];
		int z = (int) Math.round(w);
		double offPlane = Math.max(Math.abs(along[0]), Math.abs(along[1]));
		double offSlice = Math.abs(w - z) * sp[2];
		double tolInPlane = Math.min(POSITION_TOLERANCE_MM, 0.1 * Math.min(sp[0], sp[1]));
		double tolNormal = Math.min(POSITION_TOLERANCE_MM, 0.1 * sp[2]);
		if (offPlane > tolInPlane || offSlice > tolNormal || z < 0 || z >= g.nz())
			throw new DicomReadException(file, Tag.ImagePositionPatient, String.format(Locale.ROOT,
				"frame %d at (%.3f, %.3f, %.3f) mm does not lie on a slice of the series (%.3f mm along the normal = "
					+ "slice %.3f of 0…%d, %.3f mm off the first slice's corner in plane)",
				index + 1, ipp[0], ipp[1], ipp[2], along[2], w, g.nz() - 1, offPlane));
		return z;
	}

	/** Checks a functional group item's orientation and pixel spacing, where it has them, against the grid. */
	private static void checkPlane(Path file, Geometry g, DicomObject group) throws DicomReadException {
		if (group == null) return;
		DicomObject orientation = firstItem(group, Tag.PlaneOrientationSequence);
		double[] iop = orientation == null ? null : orientation.getDoubles(Tag.ImageOrientationPatient);
		double[] d = g.direction();
		if (iop != null && iop.length == 6)
			for (int i = 0; i < 6; i++)
				if (!(Math.abs(iop[i] - d[i]) <= ORIENTATION_TOLERANCE))
					throw new DicomReadException(file, Tag.ImageOrientationPatient, String.format(Locale.ROOT,
						"the SEG's orientation (%.4f, %.4f, %.4f / %.4f, %.4f, %.4f) is not the series' (%.4f, %.4f, %.4f / "
							+ "%.4f, %.4f, %.4f)", iop[0], iop[1], iop[2], iop[3], iop[4], iop[5], d[0], d[1], d[2], d[3], d[4],
						d[5]));
		DicomObject measures = firstItem(group, Tag.PixelMeasuresSequence);
		double[] ps = measures == null ? null : measures.getDoubles(Tag.PixelSpacing);
		double[] sp = g.spacingMm();
		if (ps != null && ps.length == 2
			&& !(Math.abs(ps[0] - sp[1]) <= POSITION_TOLERANCE_MM * 0.1 && Math.abs(ps[1] - sp[0]) <= POSITION_TOLERANCE_MM * 0.1))
			throw new DicomReadException(file, Tag.PixelSpacing, String.format(Locale.ROOT,
				"the SEG's pixel spacing (%.4f, %.4f) mm is not the series' (%.4f, %.4f) mm (row, column)", ps[0], ps[1],
				sp[1], sp[0]));
	}

	private static DicomObject firstItem(DicomObject o, int tag) {
		List<DicomObject> items = o.getSequence(tag);
		return items.isEmpty() ? null : items.get(0);
	}
}
