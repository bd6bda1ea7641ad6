package org.medcnn.ij;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks the values read from a plugin's dialog (or macro options) and turns them into typed values, with
 * messages that name the field and its macro key. Stateless.
 */
final class DialogValues {

	private DialogValues() {}

	/**
	 * A whole number in {@code [min, max]}.
	 *
	 * @throws IllegalArgumentException naming the field, the key, the value and the range
	 */
	static int whole(String field, String key, double value, int min, int max) {
		if (Double.isNaN(value) || value != Math.rint(value) || value < min || value > max)
			throw new IllegalArgumentException(field + " must be a whole number from " + min + " to " + max
				+ " (macro key " + key + "); got " + text(value));
		return (int) value;
	}

	/**
	 * A number in {@code [min, max]} ({@code minExclusive}: in {@code (min, max]}).
	 *
	 * @throws IllegalArgumentException naming the field, the key, the value and the range
	 */
	static double number(String field, String key, double value, double min, boolean minExclusive, double max) {
		boolean ok = !Double.isNaN(value) && (minExclusive ? value > min : value >= min) && value <= max;
		if (!ok)
			throw new IllegalArgumentException(field + " must be a number in " + (minExclusive ? "(" : "[") + text(min) + ", "
				+ text(max) + "] (macro key " + key + "); got " + text(value));
		return value;
	}

	/**
	 * An existing folder.
	 *
	 * @throws IllegalArgumentException when empty or not a folder
	 */
	static Path folder(String field, String key, String text) {
		Path p = path(field, key, text);
		if (!Files.isDirectory(p))
			throw new IllegalArgumentException(field + " " + p + " is not a folder (macro key " + key + ")");
		return p;
	}

	/**
	 * A path that need not exist yet.
	 *
	 * @throws IllegalArgumentException when empty
	 */
	static Path path(String field, String key, String text) {
		String t = text == null ? "" : text.trim();
		if (t.isEmpty()) throw new IllegalArgumentException("Please give the " + field.toLowerCase(java.util.Locale.ROOT)
			+ " (macro key " + key + ").");
		return Path.of(t);
	}

	private static String text(double v) {
		if (Double.isNaN(v)) return "not a number";
		return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
	}
}
