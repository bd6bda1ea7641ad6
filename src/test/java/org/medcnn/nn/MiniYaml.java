package org.medcnn.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medcnn.common.Json;

/**
 * A purpose-built reader for the block-style YAML subset that {@link BioImageIo#toYaml} writes: nested block
 * mappings and sequences (a sequence item may start a mapping on its "- " line), plain keys, double-quoted
 * strings with JSON escapes, plain numbers, {@code true/false/null}, {@code []}, {@code {}} and full-line
 * comments. Gives the same tree as {@link Json#parse} would for the equivalent JSON. Fails loudly on anything
 * else, so that a test notices when the writer produces something outside the subset.
 */
public final class MiniYaml {

	private record Line(int number, int indent, String text) {}

	private final List<Line> lines = new ArrayList<>();
	private int pos;

	private MiniYaml(String text) {
		String[] raw = text.split("\n", -1);
		for (int i = 0; i < raw.length; i++) {
			String l = raw[i];
			if (l.contains("\t")) throw new IllegalArgumentException("line " + (i + 1) + ": tab in YAML");
			String t = l.strip();
			if (t.isEmpty() || t.startsWith("#")) continue;
			lines.add(new Line(i + 1, l.length() - l.stripLeading().length(), t));
		}
	}

	/** Parses a document whose root is a mapping. */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> parse(String text) {
		MiniYaml y = new MiniYaml(text);
		Object root = y.block(0);
		if (y.pos != y.lines.size()) throw y.error("unexpected indentation");
		return (Map<String, Object>) root;
	}

	private IllegalArgumentException error(String msg) {
		Line l = pos < lines.size() ? lines.get(pos) : null;
		return new IllegalArgumentException((l == null ? "end" : "line " + l.number() + " '" + l.text() + "'") + ": " + msg);
	}

	private Object block(int indent) {
		Line l = lines.get(pos);
		if (l.indent() != indent) throw error("expected indentation " + indent);
		return l.text().equals("-") || l.text().startsWith("- ") ? sequence(indent) : mapping(indent);
	}

	private List<Object> sequence(int indent) {
		List<Object> out = new ArrayList<>();
		while (pos < lines.size() && lines.get(pos).indent() == indent
			&& (lines.get(pos).text().equals("-") || lines.get(pos).text().startsWith("- "))) {
			Line l = lines.get(pos);
			String rest = l.text().substring(1).strip();
			if (rest.isEmpty()) {
				pos++;
				out.add(block(lines.get(pos).indent()));
			} else if (keyEnd(rest) > 0) {
				// "- key: value" starts a mapping indented like its key
				int inner = indent + (l.text().length() - rest.length());
				lines.set(pos, new Line(l.number(), inner, rest));
				out.add(mapping(inner));
			} else {
				pos++;
				out.add(scalar(rest));
			}
		}
		return out;
	}

	private Map<String, Object> mapping(int indent) {
		Map<String, Object> out = new LinkedHashMap<>();
		while (pos < lines.size() && lines.get(pos).indent() == indent) {
			String t = lines.get(pos).text();
			if (t.startsWith("- ")) throw error("sequence item inside a mapping");
			int end = keyEnd(t);
			if (end < 0) throw error("expected 'key: value'");
			String rawKey = t.substring(0, end);
			String key = rawKey.startsWith("\"") ? (String) Json.parse(rawKey) : rawKey;
			String rest = t.substring(end + 1).strip();
			if (out.containsKey(key)) throw error("duplicate key " + key);
			pos++;
			if (rest.isEmpty()) {
				if (pos >= lines.size() || lines.get(pos).indent() <= indent) throw error("missing value of " + key);
				out.put(key, block(lines.get(pos).indent()));
			} else {
				out.put(key, scalar(rest));
			}
		}
		return out;
	}

	/** Index of the colon that ends a key (plain or double-quoted) followed by space or end of line, or -1. */
	private static int keyEnd(String t) {
		int i = 0;
		if (t.startsWith("\"")) {
			i = 1;
			while (i < t.length() && t.charAt(i) != '"') i += t.charAt(i) == '\\' ? 2 : 1;
			i++;
			if (i >= t.length() || t.charAt(i) != ':') return -1;
		} else {
			while (i < t.length() && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_')) i++;
			if (i == 0 || i >= t.length() || t.charAt(i) != ':') return -1;
		}
		return i + 1 == t.length() || t.charAt(i + 1) == ' ' ? i : -1;
	}

	private Object scalar(String s) {
		switch (s) {
			case "null", "~" -> { return null; }
			case "true" -> { return Boolean.TRUE; }
			case "false" -> { return Boolean.FALSE; }
			case "[]" -> { return new ArrayList<>(); }
			case "{}" -> { return new LinkedHashMap<>(); }
			default -> { }
		}
		if (s.startsWith("\"")) {
			if (!s.endsWith("\"") || s.length() < 2) throw error("unterminated string");
			return Json.parse(s);
		}
		if (s.matches("-?[0-9]+")) return Long.parseLong(s);
		if (s.matches("-?[0-9]+\\.[0-9]*([eE][-+]?[0-9]+)?")) return Double.parseDouble(s);
		throw error("unsupported scalar (strings must be double-quoted): " + s);
	}
}
