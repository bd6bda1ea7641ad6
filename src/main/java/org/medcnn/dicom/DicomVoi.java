package org.medcnn.dicom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The VOI LUT module of an image (PS3.3 §C.11.2) for display: its windows (Window Center/Width pairs with
 * their explanations and VOI LUT Function) and the first VOI LUT of the VOI LUT Sequence (0028,3010). Read
 * from the top level, else from the Frame VOI LUT functional group (shared, else the first frame's) of an
 * enhanced image. Windows are in modality-output units (HU for CT), so they apply to a {@code Volume}'s voxels
 * directly. Invalid windows (width &lt; 1 for LINEAR, ≤ 0 otherwise, not a number, centre and width counts
 * differing) are dropped with a warning; an unknown VOI LUT Function is read as LINEAR with a warning.
 * Immutable.
 *
 * @param windows the valid windows, in file order (empty when none)
 * @param function the VOI LUT Function as given ("LINEAR" when absent)
 * @param lut the first VOI LUT, or null
 * @param warnings what was doubtful
 */
public record DicomVoi(List<VoiWindow> windows, String function, DicomLut lut, List<String> warnings) {

	public DicomVoi {
		windows = List.copyOf(windows);
		warnings = List.copyOf(warnings);
	}

	/** The first window, or null when the image has none: the "DICOM window" display preset. */
	public VoiWindow firstWindow() {
		return windows.isEmpty() ? null : windows.get(0);
	}

	/**
	 * Reads the VOI attributes of an image (header only is enough).
	 *
	 * @throws DicomReadException for a VOI LUT whose descriptor or data are malformed
	 */
	public static DicomVoi of(DicomObject o) throws DicomReadException {
		DicomObject src = o;
		if (!o.contains(Tag.WindowCenter) && !o.contains(Tag.VOILUTSequence)) {
			DicomObject fg = frameVoi(o);
			if (fg != null) src = fg;
		}
		List<String> warnings = new ArrayList<>();
		String fn = src.getString(Tag.VOILUTFunction);
		String function = fn == null ? VoiWindow.LINEAR : fn.trim().toUpperCase(Locale.ROOT);
		String use = function;
		if (!function.equals(VoiWindow.LINEAR) && !function.equals(VoiWindow.LINEAR_EXACT)
			&& !function.equals(VoiWindow.SIGMOID)) {
			warnings.add("unknown VOI LUT Function " + function + ": LINEAR used");
			use = VoiWindow.LINEAR;
		}
		double[] c = src.getDoubles(Tag.WindowCenter);
		double[] w = src.getDoubles(Tag.WindowWidth);
		String[] ex = src.getStrings(Tag.WindowCenterWidthExplanation);
		List<VoiWindow> windows = new ArrayList<>();
		if (c != null || w != null) {
			int nc = c == null ? 0 : c.length;
			int nw = w == null ? 0 : w.length;
			if (nc != nw)
				warnings.add("Window Center has " + nc + " values but Window Width has " + nw + ": the first "
					+ Math.min(nc, nw) + " pairs used");
			for (int i = 0; i < Math.min(nc, nw); i++) {
				String e = ex != null && i < ex.length && !ex[i].isEmpty() ? ex[i] : null;
				try {
					windows.add(new VoiWindow(c[i], w[i], e, use));
				} catch (IllegalArgumentException bad) {
					warnings.add("window " + (i + 1) + " dropped: " + bad.getMessage());
				}
			}
		}
		DicomLut lut = null;
		List<DicomObject> seq = src.getSequence(Tag.VOILUTSequence);
		if (!seq.isEmpty()) {
			lut = DicomLut.decode(o, seq.get(0), Tag.LUTDescriptor, Tag.LUTData, "VOI LUT", o.file());
			if (seq.size() > 1) warnings.add("VOI LUT Sequence has " + seq.size() + " LUTs: the first is described");
		}
		return new DicomVoi(windows, function, lut, warnings);
	}

	/**
	 * The VOI attributes of a series: those of its first file (slice 0), read header only. What the ImageJ
	 * "DICOM window" preset should use: {@code firstWindow().displayMin()/displayMax()}.
	 *
	 * @throws DicomReadException if the first file cannot be read or its VOI LUT is malformed
	 */
	public static DicomVoi of(DicomSeries series) throws DicomReadException {
		return of(DicomReader.readHeader(series.files().get(0)));
	}

	/** The Frame VOI LUT functional group item (shared, else the first frame's), or null. */
	private static DicomObject frameVoi(DicomObject o) {
		for (int seq : new int[] {Tag.SharedFunctionalGroupsSequence, Tag.PerFrameFunctionalGroupsSequence}) {
			List<DicomObject> g = o.getSequence(seq);
			if (g.isEmpty()) continue;
			List<DicomObject> m = g.get(0).getSequence(Tag.FrameVOILUTSequence);
			if (!m.isEmpty()) return m.get(0);
		}
		return null;
	}

	/**
	 * The {@code info --json} fields: {@code windows: [{center, width, explanation, displayMin, displayMax}]},
	 * {@code voiLutFunction}, {@code voiLut: {entries, firstMapped, bitsPerEntry, explanation, min, max}} or
	 * null.
	 */
	public Map<String, Object> toJson() {
		Map<String, Object> m = new LinkedHashMap<>();
		List<Object> ws = new ArrayList<>();
		for (VoiWindow w : windows) {
			Map<String, Object> j = new LinkedHashMap<>();
			j.put("center", w.center());
			j.put("width", w.width());
			j.put("explanation", w.explanation());
			j.put("displayMin", w.displayMin());
			j.put("displayMax", w.displayMax());
			ws.add(j);
		}
		m.put("windows", ws);
		m.put("voiLutFunction", function);
		m.put("voiLut", lut == null ? null : DicomPixels.lutJson(lut));
		return m;
	}
}
