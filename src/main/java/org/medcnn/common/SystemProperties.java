package org.medcnn.common;

/**
 * The one place where MedCNN's numeric system properties ({@code -Dmedcnn.…}) are read and checked. A value that is
 * not a whole number in the allowed range is refused with an {@link IllegalArgumentException} naming the property,
 * the value and what is allowed, never silently replaced by the default: a typo in a batch script should stop the
 * run, not change how it runs. An unset or blank property means the default. Stateless; thread-safe.
 */
public final class SystemProperties {

	private SystemProperties() {}

	/**
	 * The property {@code name} as a whole number from {@code min} to {@code max}, or {@code fallback} when it is
	 * unset or blank.
	 *
	 * @throws IllegalArgumentException when the value is not a whole number or lies outside {@code min … max}
	 */
	public static long wholeNumber(String name, long fallback, long min, long max) {
		String v = System.getProperty(name);
		if (v == null || v.isBlank()) return fallback;
		long n;
		try {
			n = Long.parseLong(v.trim());
		} catch (NumberFormatException e) {
			throw refused(name, v, min, max, e);
		}
		if (n < min || n > max) throw refused(name, v, min, max, null);
		return n;
	}

	/** {@link #wholeNumber} for a property that fits an int: {@code max} is at most {@link Integer#MAX_VALUE}. */
	public static int intValue(String name, int fallback, int min, int max) {
		return (int) wholeNumber(name, fallback, min, max);
	}

	private static IllegalArgumentException refused(String name, String value, long min, long max, Throwable cause) {
		String allowed = max == Long.MAX_VALUE ? "a whole number from " + min + " up"
			: "a whole number from " + min + " to " + max;
		return new IllegalArgumentException("system property " + name + " = '" + value + "' is refused: allowed is "
			+ allowed + " (set it with -D" + name + "=N, or leave it out for the default)", cause);
	}
}
