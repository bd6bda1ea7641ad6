package org.medcnn.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of one command: {@code --name value} options, {@code --flag} switches and positional
 * arguments. Unknown options are refused with a message naming them, never ignored.
 */
final class Args {

	private final String command;
	private final Map<String, String> options = new LinkedHashMap<>();
	private final List<String> positional = new ArrayList<>();

	/**
	 * @param valued options that take a value (without "--")
	 * @param flags options without a value
	 * @throws UsageException on an unknown option or a missing value
	 */
	Args(String command, String[] argv, Set<String> valued, Set<String> flags) throws UsageException {
		this.command = command;
		for (int i = 0; i < argv.length; i++) {
			String a = argv[i];
			if (a.startsWith("--") && a.length() > 2) {
				String name = a.substring(2);
				String value = null;
				int eq = name.indexOf('=');
				if (eq > 0) {
					value = name.substring(eq + 1);
					name = name.substring(0, eq);
				}
				if (flags.contains(name)) {
					if (value != null) throw new UsageException(command + ": --" + name + " takes no value");
					options.put(name, "true");
				} else if (valued.contains(name)) {
					if (value == null) {
						if (i + 1 >= argv.length) throw new UsageException(command + ": --" + name + " needs a value");
						value = argv[++i];
					}
					options.put(name, value);
				} else {
					throw new UsageException(command + ": unknown option --" + name + " (see " + command + " --help)");
				}
			} else {
				positional.add(a);
			}
		}
	}

	boolean flag(String name) {
		return options.containsKey(name);
	}

	String string(String name, String def) {
		return options.getOrDefault(name, def);
	}

	Path path(String name) throws UsageException {
		String v = options.get(name);
		if (v == null) throw new UsageException(command + ": --" + name + " is required");
		return Path.of(v);
	}

	Path path(String name, Path def) {
		String v = options.get(name);
		return v == null ? def : Path.of(v);
	}

	int integer(String name, int def, int min, int max) throws UsageException {
		String v = options.get(name);
		if (v == null) return def;
		try {
			int n = Integer.parseInt(v.trim());
			if (n < min || n > max)
				throw new UsageException(command + ": --" + name + " " + n + " is out of range [" + min + ", " + max + "]");
			return n;
		} catch (NumberFormatException e) {
			throw new UsageException(command + ": --" + name + " expects an integer but got '" + v + "'");
		}
	}

	long longValue(String name, long def) throws UsageException {
		String v = options.get(name);
		if (v == null) return def;
		try {
			return Long.parseLong(v.trim());
		} catch (NumberFormatException e) {
			throw new UsageException(command + ": --" + name + " expects an integer but got '" + v + "'");
		}
	}

	double number(String name, double def, double min, double max) throws UsageException {
		String v = options.get(name);
		if (v == null) return def;
		try {
			double d = Double.parseDouble(v.trim());
			if (!(d >= min && d <= max))
				throw new UsageException(command + ": --" + name + " " + v + " is out of range [" + min + ", " + max + "]");
			return d;
		} catch (NumberFormatException e) {
			throw new UsageException(command + ": --" + name + " expects a number but got '" + v + "'");
		}
	}

	String choice(String name, String def, String... allowed) throws UsageException {
		String v = options.getOrDefault(name, def);
		for (String a : allowed) if (a.equals(v)) return v;
		throw new UsageException(command + ": --" + name + " must be one of " + String.join(", ", allowed) + " but got '"
			+ v + "'");
	}

	/** {@link #integer} or null when the option is absent. */
	Integer integerOrNull(String name, int min, int max) throws UsageException {
		return options.containsKey(name) ? integer(name, 0, min, max) : null;
	}

	/** {@link #longValue} or null when the option is absent. */
	Long longOrNull(String name) throws UsageException {
		return options.containsKey(name) ? longValue(name, 0) : null;
	}

	/** {@link #number} or null when the option is absent. */
	Double numberOrNull(String name, double min, double max) throws UsageException {
		return options.containsKey(name) ? number(name, 0, min, max) : null;
	}

	/** {@link #choice} or null when the option is absent. */
	String choiceOrNull(String name, String... allowed) throws UsageException {
		return options.containsKey(name) ? choice(name, null, allowed) : null;
	}

	List<String> positional() {
		return positional;
	}

	/** Wrong usage: printed with a hint to --help, exit code 2. */
	static final class UsageException extends Exception {
		UsageException(String message) {
			super(message);
		}
	}
}
