package org.medcnn.dicom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.medcnn.common.HeapBudget;
import org.medcnn.volume.Geometry;

/**
 * The voxel grid of one multi-frame image (enhanced CT/MR with functional groups, RT Dose, classic
 * multi-frame): which stored frame becomes which slice, and the spacing, origin, direction and warnings.
 * <p>
 * Per frame, ImagePositionPatient comes from the frame's PlanePositionSequence, ImageOrientationPatient from
 * the frame's or the shared PlaneOrientationSequence, and PixelSpacing from the frame's or the shared
 * PixelMeasuresSequence, each falling back to the top-level attribute. For RT Dose the positions are
 * ImagePositionPatient plus GridFrameOffsetVector along the normal; both forms of PS3.3 C.8.8.3.2 are handled
 * (relative offsets starting at 0, and absolute offsets whose first value is ImagePositionPatient's z), as
 * offsets minus the first. Frames are sorted along the slice normal {@code row × column} (never by frame
 * number), the slice spacing is the median distance between neighbours, and gaps, duplicate positions, uneven
 * spacing and frames off the normal are warned about as for a series of files. Without any position, frames
 * keep their stored order, SpacingBetweenSlices or SliceThickness (else 1 mm) apart. Immutable.
 *
 * @param order stored frame index (0-based) of each slice, slice 0 first
 * @param spacing voxel size {x, y, z} in mm
 * @param origin ImagePositionPatient of slice 0 (zeros when unknown)
 * @param direction 9 direction cosines: row, column, normal
 * @param warnings human-readable warnings
 */
public record MultiFrameLayout(int[] order, double[] spacing, double[] origin, double[] direction, List<String> warnings) {

	/** DoseUnits (3004,0002). */
	static final int DOSE_UNITS = 0x30040002;
	private static final double ORIENTATION_TOLERANCE = 1e-3;

	public MultiFrameLayout {
		order = order.clone();
		spacing = spacing.clone();
		origin = origin.clone();
		direction = direction.clone();
		warnings = List.copyOf(warnings);
	}

	@Override
	public int[] order() {
		return order.clone();
	}

	@Override
	public double[] spacing() {
		return spacing.clone();
	}

	@Override
	public double[] origin() {
		return origin.clone();
	}

	@Override
	public double[] direction() {
		return direction.clone();
	}

	/**
	 * Positions along the normal (mm, dot product of the normal with ImagePositionPatient) of each slice in
	 * {@link #order}, or null when the frames have no positions.
	 */
	public static double[] slicePositions(DicomObject o) throws DicomReadException {
		int frames = Math.max(1, o.getInt(Tag.NumberOfFrames, 1));
		double[][] ipp = positions(o, frames, new ArrayList<>());
		if (ipp == null) return null;
		double[] dir = SeriesScanner.direction(orientation(o, 0));
		MultiFrameLayout l = of(o);
		double[] d = new double[frames];
		for (int z = 0; z < frames; z++) d[z] = SeriesScanner.dot(dir, 6, ipp[l.order[z]]);
		return d;
	}

	/** Heap bytes per frame that a layout needs while it is worked out (positions, names, sort keys), generously. */
	private static final long BYTES_PER_FRAME = 512;

	/**
	 * The layout of a multi-frame object (header-only reading is enough).
	 *
	 * @throws DicomReadException when the file cannot hold the frames it declares ({@link DicomPixels#checkHeader}),
	 *         when the heap cannot hold the layout of that many frames, or when a frame's orientation, position or
	 *         pixel spacing (or GridFrameOffsetVector) cannot be measured with; the message names the file, the
	 *         attribute and the frame
	 */
	public static MultiFrameLayout of(DicomObject o) throws DicomReadException {
		DicomPixels.checkHeader(o);
		int frames = Math.max(1, o.getInt(Tag.NumberOfFrames, 1));
		String why = HeapBudget.shortfall(frames * BYTES_PER_FRAME, "laying out the " + frames + " frames of " + o.file());
		if (why != null) throw new DicomReadException(o.file(), Tag.NumberOfFrames, why);
		List<String> w = new ArrayList<>();
		double[] iop = orientation(o, 0);
		for (int f = 1; f < frames && iop != null; f++) {
			double[] other = orientation(o, f);
			if (other == null) continue;
			boolean same = true;
			for (int i = 0; i < 6; i++) same &= Math.abs(other[i] - iop[i]) <= ORIENTATION_TOLERANCE;
			if (!same) {
				w.add("frames have different orientations (frame " + (f + 1) + " differs from frame 1): geometry is "
					+ "approximate");
				break;
			}
		}
		double[] dir = SeriesScanner.direction(iop);
		double[] ps = pixelSpacing(o, 0);
		for (int f = 1; f < frames && ps != null; f++) {
			double[] other = pixelSpacing(o, f);
			if (other != null && (Math.abs(other[0] - ps[0]) > 1e-4 || Math.abs(other[1] - ps[1]) > 1e-4)) {
				w.add("inconsistent PixelSpacing: frame " + (f + 1) + " has " + Arrays.toString(other) + " but frame 1 has "
					+ Arrays.toString(ps));
				break;
			}
		}
		double[] xy;
		if (ps == null) {
			w.add("no PixelSpacing: 1 mm assumed");
			xy = new double[] {1, 1};
		} else {
			xy = new double[] {ps[1], ps[0]};
		}
		double[][] ipp = positions(o, frames, w);
		Integer[] idx = new Integer[frames];
		for (int i = 0; i < frames; i++) idx[i] = i;
		double z = Double.NaN;
		double[] origin;
		if (ipp != null && iop != null) {
			Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> SeriesScanner.dot(dir, 6, ipp[i]))
				.thenComparingInt(i -> i));
			double[][] sorted = new double[frames][];
			String[] names = new String[frames];
			for (int i = 0; i < frames; i++) {
				sorted[i] = ipp[idx[i]];
				names[i] = "frame " + (idx[i] + 1);
			}
			if (frames > 1) z = SeriesScanner.sliceSpacing(sorted, names, dir, w);
			origin = sorted[0].clone();
		} else {
			if (frames > 1) w.add("no ImagePositionPatient/ImageOrientationPatient per frame: frames kept in stored order"
				+ (ipp == null && iop == null ? ", axial grid assumed" : ""));
			double[] top = DicomGeometry.position(o, o.file(), "");
			origin = ipp != null ? ipp[0].clone() : top != null ? top : new double[3];
		}
		if (!(z > 0)) z = fallbackSliceSpacing(o, 0);
		if (!(z > 0)) {
			if (frames > 1) w.add("multi-frame file without positions, SpacingBetweenSlices or SliceThickness: 1 mm "
				+ "between frames assumed");
			z = 1;
		}
		if ("RTDOSE".equals(o.getString(Tag.Modality))) {
			String units = o.getString(DOSE_UNITS);
			if (units != null && !units.isBlank() && !"GY".equalsIgnoreCase(units.trim()))
				w.add("RT Dose DoseUnits is " + units.trim() + ", not GY: values are not in Gy");
		}
		int[] order = new int[frames];
		for (int i = 0; i < frames; i++) order[i] = idx[i];
		return new MultiFrameLayout(order, new double[] {xy[0], xy[1], z}, origin, dir, w);
	}

	/** The grid (columns × rows × frames) of this layout. */
	public Geometry geometry(int columns, int rows) {
		return new Geometry(columns, rows, order.length, spacing, origin, direction);
	}

	/** The item of a functional group macro for a frame: per-frame first, then shared; null when absent. */
	private static DicomObject macro(DicomObject o, int frame, int macro) {
		List<DicomObject> perFrame = o.getSequence(Tag.PerFrameFunctionalGroupsSequence);
		if (frame < perFrame.size()) {
			List<DicomObject> m = perFrame.get(frame).getSequence(macro);
			if (!m.isEmpty()) return m.get(0);
		}
		List<DicomObject> shared = o.getSequence(Tag.SharedFunctionalGroupsSequence);
		if (!shared.isEmpty()) {
			List<DicomObject> m = shared.get(0).getSequence(macro);
			if (!m.isEmpty()) return m.get(0);
		}
		return null;
	}

	/** Where a frame's functional group item sits, for messages. */
	private static String where(int frame) {
		return " (frame " + (frame + 1) + ")";
	}

	private static double[] orientation(DicomObject o, int frame) throws DicomReadException {
		DicomObject m = macro(o, frame, Tag.PlaneOrientationSequence);
		double[] v = m == null ? null : DicomGeometry.orientation(m, o.file(), where(frame));
		return v != null ? v : DicomGeometry.orientation(o, o.file(), "");
	}

	private static double[] pixelSpacing(DicomObject o, int frame) throws DicomReadException {
		DicomObject m = macro(o, frame, Tag.PixelMeasuresSequence);
		double[] v = m == null ? null : DicomGeometry.spacing(m, Tag.PixelSpacing, o.file(), where(frame));
		if (v == null) v = DicomGeometry.spacing(o, Tag.PixelSpacing, o.file(), "");
		if (v == null) v = DicomGeometry.spacing(o, Tag.ImagerPixelSpacing, o.file(), "");
		return v;
	}

	private static double fallbackSliceSpacing(DicomObject o, int frame) {
		DicomObject m = macro(o, frame, Tag.PixelMeasuresSequence);
		for (int tag : new int[] {Tag.SpacingBetweenSlices, Tag.SliceThickness}) {
			double z = m == null ? Double.NaN : m.getDouble(tag, Double.NaN);
			if (!(z > 0)) z = o.getDouble(tag, Double.NaN);
			if (z > 0 && Double.isFinite(z)) return z;
		}
		return Double.NaN;
	}

	/** ImagePositionPatient of every stored frame, or null when any is unknown. */
	private static double[][] positions(DicomObject o, int frames, List<String> w) throws DicomReadException {
		double[] top = DicomGeometry.position(o, o.file(), "");
		double[] offsets = o.getDoubles(Tag.GridFrameOffsetVector);
		if (top != null && offsets != null && offsets.length == frames) {
			double[] n = SeriesScanner.direction(orientation(o, 0));
			if (Math.abs(offsets[0]) > 1e-3 && Math.abs(offsets[0] - top[2]) > 1e-3)
				w.add(String.format(Locale.ROOT, "GridFrameOffsetVector starts at %.3f, neither 0 (relative) nor "
					+ "ImagePositionPatient z %.3f (absolute): taken relative to its first value", offsets[0], top[2]));
			double[][] p = new double[frames][];
			for (int f = 0; f < frames; f++) {
				double d = offsets[f] - offsets[0];
				if (!Double.isFinite(d))
					throw new DicomReadException(o.file(), Tag.GridFrameOffsetVector, "value " + (f + 1) + " is "
						+ offsets[f] + " (from " + offsets[0] + "): not a finite offset, so frame " + (f + 1)
						+ " cannot be placed");
				p[f] = new double[] {top[0] + d * n[6], top[1] + d * n[7], top[2] + d * n[8]};
			}
			return p;
		}
		if (top != null && offsets != null && "RTDOSE".equals(o.getString(Tag.Modality)))
			w.add("GridFrameOffsetVector has " + offsets.length + " values for " + frames + " frames: ignored");
		double[][] p = new double[frames][];
		boolean perFrame = false;
		for (int f = 0; f < frames; f++) {
			List<DicomObject> pf = o.getSequence(Tag.PerFrameFunctionalGroupsSequence);
			DicomObject m = f < pf.size() && !pf.get(f).getSequence(Tag.PlanePositionSequence).isEmpty()
				? pf.get(f).getSequence(Tag.PlanePositionSequence).get(0) : null;
			double[] v = m == null ? null : DicomGeometry.position(m, o.file(), where(f));
			if (v != null) perFrame = true;
			p[f] = v;
		}
		if (perFrame) {
			for (double[] v : p) if (v == null) {
				w.add("some frames lack PlanePositionSequence: positions ignored");
				return null;
			}
			return p;
		}
		if (frames == 1) {
			DicomObject m = macro(o, 0, Tag.PlanePositionSequence);
			double[] v = m == null ? null : DicomGeometry.position(m, o.file(), where(0));
			if (v == null) v = top;
			return v == null ? null : new double[][] {v};
		}
		if (top != null) {
			// classic multi-frame: frames stacked from the top-level position along the normal
			double dz = fallbackSliceSpacing(o, 0);
			if (!(dz > 0)) return null;
			double[] n = SeriesScanner.direction(orientation(o, 0));
			for (int f = 0; f < frames; f++)
				p[f] = new double[] {top[0] + f * dz * n[6], top[1] + f * dz * n[7], top[2] + f * dz * n[8]};
			return p;
		}
		return null;
	}
}
