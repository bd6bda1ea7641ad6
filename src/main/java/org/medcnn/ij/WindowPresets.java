package org.medcnn.ij;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.medcnn.volume.Volume;

/**
 * Named CT display windows (centre and width in HU), as radiology viewers offer them, for
 * {@code Open DICOM...}'s macro key {@code window}. {@value #AUTO} keeps the series' own window (from its
 * DICOM header, else soft tissue for CT, else the volume's value range, see {@link IjVolumes#defaultWindow}).
 * Stateless.
 */
public final class WindowPresets {

	/** The series' own window. */
	public static final String AUTO = "auto";

	private static final Map<String, double[]> PRESETS = new LinkedHashMap<>();
	static {
		PRESETS.put("soft-tissue", new double[] {40, 400});
		PRESETS.put("lung", new double[] {-600, 1500});
		PRESETS.put("bone", new double[] {400, 1800});
		PRESETS.put("brain", new double[] {40, 80});
		PRESETS.put("liver", new double[] {60, 160});
	}

	private WindowPresets() {}

	/** All names, {@value #AUTO} first. */
	public static List<String> names() {
		List<String> n = new java.util.ArrayList<>();
		n.add(AUTO);
		n.addAll(PRESETS.keySet());
		return n;
	}

	/**
	 * The window {centre, width} in HU for a preset name (case-insensitive); for {@value #AUTO}, the
	 * volume's default window.
	 *
	 * @param seriesWindow {centre, width} from the DICOM header, or null
	 * @throws IllegalArgumentException for an unknown name, listing the known ones
	 */
	public static double[] window(String name, Volume volume, double[] seriesWindow) {
		String n = check(name);
		return AUTO.equals(n) ? IjVolumes.defaultWindow(volume, seriesWindow) : PRESETS.get(n).clone();
	}

	/**
	 * The preset's name in canonical form (trimmed, lower case; null or blank → {@value #AUTO}).
	 *
	 * @throws IllegalArgumentException for an unknown name, listing the known ones
	 */
	public static String check(String name) {
		String n = name == null || name.isBlank() ? AUTO : name.trim().toLowerCase(Locale.ROOT);
		if (!AUTO.equals(n) && !PRESETS.containsKey(n))
			throw new IllegalArgumentException("window must be one of " + names() + ", not \"" + name + "\"");
		return n;
	}
}
