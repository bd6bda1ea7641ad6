package org.medcnn.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer (RFC 8259), enough for model cards, CLI output and test manifests.
 * <p>
 * Values map to Java as: object → {@code LinkedHashMap<String, Object>} (key order kept), array →
 * {@code ArrayList<Object>}, string → {@code String}, number → {@code Long} when integral and in range,
 * else {@code Double}, {@code true/false} → {@code Boolean}, {@code null} → {@code null}. The writer also
 * accepts other {@code Number}s, {@code double[]}, {@code int[]}, {@code long[]}, {@code float[]},
 * {@code Iterable}s, {@code Map}s with string keys and enums (written by name). Stateless and thread-safe.
 */
public final class Json {

	private Json() {}

	/** Parses a JSON text. @throws IllegalArgumentException with the offset of the first error */
	public static Object parse(String text) {
		Parser p = new Parser(text);
		p.ws();
		Object v = p.value(0);
		p.ws();
		if (p.pos != text.length()) throw p.error("unexpected trailing characters");
		return v;
	}

	/** Writes a value compactly on one line. */
	public static String write(Object value) {
		StringBuilder sb = new StringBuilder();
		write(sb, value, -1, 0);
		return sb.toString();
	}

	/** Writes a value indented by two spaces, ending without a newline. */
	public static String writePretty(Object value) {
		StringBuilder sb = new StringBuilder();
		write(sb, value, 2, 0);
		return sb.toString();
	}

	/** A JSON string literal with quotes and escapes. */
	public static String quote(String s) {
		StringBuilder sb = new StringBuilder(s.length() + 2);
		writeString(sb, s);
		return sb.toString();
	}

	// ---- typed accessors for parsed objects ----

	@SuppressWarnings("unchecked")
	public static Map<String, Object> asObject(Object v, String what) {
		if (v instanceof Map) return (Map<String, Object>) v;
		throw new IllegalArgumentException(what + ": expected a JSON object but found " + kind(v));
	}

	@SuppressWarnings("unchecked")
	public static List<Object> asArray(Object v, String what) {
		if (v instanceof List) return (List<Object>) v;
		throw new IllegalArgumentException(what + ": expected a JSON array but found " + kind(v));
	}

	public static double asDouble(Object v, String what) {
		if (v instanceof Number n) return n.doubleValue();
		throw new IllegalArgumentException(what + ": expected a number but found " + kind(v));
	}

	public static String asString(Object v, String what) {
		if (v instanceof String s) return s;
		throw new IllegalArgumentException(what + ": expected a string but found " + kind(v));
	}

	private static String kind(Object v) {
		if (v == null) return "null";
		if (v instanceof Map) return "an object";
		if (v instanceof List) return "an array";
		if (v instanceof String) return "a string";
		if (v instanceof Number) return "a number";
		if (v instanceof Boolean) return "a boolean";
		return v.getClass().getSimpleName();
	}

	// ---- writer ----

	private static void write(StringBuilder sb, Object v, int indent, int depth) {
		if (v == null) {
			sb.append("null");
		} else if (v instanceof String s) {
			writeString(sb, s);
		} else if (v instanceof Boolean b) {
			sb.append(b.booleanValue());
		} else if (v instanceof Double || v instanceof Float) {
			double d = ((Number) v).doubleValue();
			writeDouble(sb, d);
		} else if (v instanceof Number n) {
			sb.append(n.toString());
		} else if (v instanceof Enum<?> e) {
			writeString(sb, e.name());
		} else if (v instanceof Map<?, ?> m) {
			if (m.isEmpty()) {
				sb.append("{}");
				return;
			}
			sb.append('{');
			boolean first = true;
			for (Map.Entry<?, ?> e : m.entrySet()) {
				if (!first) sb.append(',');
				first = false;
				newline(sb, indent, depth + 1);
				writeString(sb, String.valueOf(e.getKey()));
				sb.append(indent >= 0 ? ": " : ":");
				write(sb, e.getValue(), indent, depth + 1);
			}
			newline(sb, indent, depth);
			sb.append('}');
		} else if (v instanceof double[] a) {
			List<Object> l = new ArrayList<>(a.length);
			for (double d : a) l.add(d);
			writeArray(sb, l, indent, depth);
		} else if (v instanceof float[] a) {
			List<Object> l = new ArrayList<>(a.length);
			for (float d : a) l.add((double) d);
			writeArray(sb, l, indent, depth);
		} else if (v instanceof int[] a) {
			List<Object> l = new ArrayList<>(a.length);
			for (int d : a) l.add(d);
			writeArray(sb, l, indent, depth);
		} else if (v instanceof long[] a) {
			List<Object> l = new ArrayList<>(a.length);
			for (long d : a) l.add(d);
			writeArray(sb, l, indent, depth);
		} else if (v instanceof Object[] a) {
			writeArray(sb, List.of(a), indent, depth);
		} else if (v instanceof Iterable<?> it) {
			List<Object> l = new ArrayList<>();
			it.forEach(l::add);
			writeArray(sb, l, indent, depth);
		} else {
			throw new IllegalArgumentException("Cannot write " + v.getClass().getName() + " as JSON");
		}
	}

	private static void writeArray(StringBuilder sb, List<?> l, int indent, int depth) {
		if (l.isEmpty()) {
			sb.append("[]");
			return;
		}
		// Arrays of scalars stay on one line: they are coordinates, spacings, probabilities.
		boolean scalars = l.stream().noneMatch(o -> o instanceof Map || o instanceof Iterable
			|| (o != null && o.getClass().isArray()));
		sb.append('[');
		for (int i = 0; i < l.size(); i++) {
			if (i > 0) sb.append(scalars && indent >= 0 ? ", " : ",");
			if (!scalars) newline(sb, indent, depth + 1);
			write(sb, l.get(i), indent, depth + 1);
		}
		if (!scalars) newline(sb, indent, depth);
		sb.append(']');
	}

	private static void writeDouble(StringBuilder sb, double d) {
		if (Double.isNaN(d) || Double.isInfinite(d)) {
			sb.append("null"); // JSON has no NaN/Infinity
		} else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
			sb.append((long) d).append(".0");
		} else {
			sb.append(d);
		}
	}

	private static void newline(StringBuilder sb, int indent, int depth) {
		if (indent < 0) return;
		sb.append('\n');
		for (int i = 0; i < indent * depth; i++) sb.append(' ');
	}

	private static void writeString(StringBuilder sb, String s) {
		sb.append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
				case '"' -> sb.append("\\\"");
				case '\\' -> sb.append("\\\\");
				case '\n' -> sb.append("\\n");
				case '\r' -> sb.append("\\r");
				case '\t' -> sb.append("\\t");
				case '\b' -> sb.append("\\b");
				case '\f' -> sb.append("\\f");
				default -> {
					if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
					else sb.append(c);
				}
			}
		}
		sb.append('"');
	}

	// ---- parser ----

	private static final class Parser {
		private static final int MAX_DEPTH = 512;
		private final String s;
		private int pos;

		Parser(String s) {
			this.s = s;
		}

		IllegalArgumentException error(String msg) {
			return new IllegalArgumentException("Invalid JSON at offset " + pos + ": " + msg);
		}

		void ws() {
			while (pos < s.length()) {
				char c = s.charAt(pos);
				if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
				else break;
			}
		}

		Object value(int depth) {
			if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
			if (pos >= s.length()) throw error("unexpected end of text");
			char c = s.charAt(pos);
			switch (c) {
				case '{': return object(depth);
				case '[': return array(depth);
				case '"': return string();
				case 't': return literal("true", Boolean.TRUE);
				case 'f': return literal("false", Boolean.FALSE);
				case 'n': return literal("null", null);
				default:
					if (c == '-' || (c >= '0' && c <= '9')) return number();
					throw error("unexpected character '" + c + "'");
			}
		}

		Object literal(String word, Object v) {
			if (!s.startsWith(word, pos)) throw error("expected " + word);
			pos += word.length();
			return v;
		}

		Map<String, Object> object(int depth) {
			Map<String, Object> m = new LinkedHashMap<>();
			pos++;
			ws();
			if (peek() == '}') {
				pos++;
				return m;
			}
			while (true) {
				ws();
				if (peek() != '"') throw error("expected a string key");
				String k = string();
				ws();
				if (peek() != ':') throw error("expected ':'");
				pos++;
				ws();
				m.put(k, value(depth + 1));
				ws();
				char c = peek();
				pos++;
				if (c == '}') return m;
				if (c != ',') throw error("expected ',' or '}'");
			}
		}

		List<Object> array(int depth) {
			List<Object> l = new ArrayList<>();
			pos++;
			ws();
			if (peek() == ']') {
				pos++;
				return l;
			}
			while (true) {
				ws();
				l.add(value(depth + 1));
				ws();
				char c = peek();
				pos++;
				if (c == ']') return l;
				if (c != ',') throw error("expected ',' or ']'");
			}
		}

		char peek() {
			if (pos >= s.length()) throw error("unexpected end of text");
			return s.charAt(pos);
		}

		String string() {
			pos++; // opening quote
			StringBuilder sb = new StringBuilder();
			while (true) {
				char c = peek();
				pos++;
				if (c == '"') return sb.toString();
				if (c == '\\') {
					char e = peek();
					pos++;
					switch (e) {
						case '"', '\\', '/' -> sb.append(e);
						case 'n' -> sb.append('\n');
						case 'r' -> sb.append('\r');
						case 't' -> sb.append('\t');
						case 'b' -> sb.append('\b');
						case 'f' -> sb.append('\f');
						case 'u' -> {
							if (pos + 4 > s.length()) throw error("truncated \\u escape");
							try {
								sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
							} catch (NumberFormatException ex) {
								throw error("bad \\u escape");
							}
							pos += 4;
						}
						default -> throw error("bad escape \\" + e);
					}
				} else if (c < 0x20) {
					throw error("control character in string");
				} else {
					sb.append(c);
				}
			}
		}

		Number number() {
			int start = pos;
			if (peek() == '-') pos++;
			boolean integral = true;
			while (pos < s.length()) {
				char c = s.charAt(pos);
				if (c >= '0' && c <= '9') pos++;
				else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
					integral = false;
					pos++;
				} else break;
			}
			String t = s.substring(start, pos);
			try {
				if (integral && t.length() < 19) return Long.parseLong(t);
				return Double.parseDouble(t);
			} catch (NumberFormatException e) {
				pos = start;
				throw error("bad number '" + t + "'");
			}
		}
	}
}
