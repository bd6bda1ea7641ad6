package org.medcnn.ij;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Reads the keys of an ImageJ macro options string ({@code "path=[/data/case 01] series=2 flag"}), so that
 * commands can report keys their dialog does not know instead of silently ignoring them (a misspelt key
 * would otherwise fall back to the default value).
 * <p>
 * Syntax as ImageJ writes it: {@code key=value}, {@code key=[value with spaces]}, or a bare {@code key} for a
 * checked checkbox, separated by spaces. Stateless.
 */
public final class MacroOptions {

	private MacroOptions() {}

	/** The keys of an options string in order of appearance; empty for null or blank options. */
	public static List<String> keys(String options) {
		List<String> keys = new ArrayList<>();
		if (options == null) return keys;
		int i = 0, n = options.length();
		while (i < n) {
			while (i < n && Character.isWhitespace(options.charAt(i))) i++;
			if (i >= n) break;
			int start = i;
			while (i < n && options.charAt(i) != '=' && !Character.isWhitespace(options.charAt(i))) i++;
			keys.add(options.substring(start, i).toLowerCase(Locale.ROOT));
			if (i < n && options.charAt(i) == '=') {
				i++;
				if (i < n && options.charAt(i) == '[') {
					int close = options.indexOf(']', i);
					i = close < 0 ? n : close + 1;
				} else {
					while (i < n && !Character.isWhitespace(options.charAt(i))) i++;
				}
			}
		}
		return keys;
	}

	/** The keys of {@code options} that are not in {@code known}. */
	public static List<String> unknownKeys(String options, Collection<String> known) {
		List<String> unknown = new ArrayList<>();
		for (String k : keys(options))
			if (!known.contains(k) && !unknown.contains(k)) unknown.add(k);
		return unknown;
	}

	/**
	 * Refuses options with keys the command does not know.
	 *
	 * @param command the menu label, for the message
	 * @throws IllegalArgumentException naming the unknown keys and listing the known ones
	 */
	public static void checkKeys(String command, String options, Collection<String> known) {
		List<String> unknown = unknownKeys(options, known);
		if (!unknown.isEmpty())
			throw new IllegalArgumentException("Unknown macro key" + (unknown.size() > 1 ? "s " : " ")
				+ String.join(", ", unknown) + " for \"" + command + "\"; known keys: " + String.join(", ", known));
	}
}
