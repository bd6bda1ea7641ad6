package org.medcnn.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON (RFC 8259) for model cards, CLI output and manifests, read and written by Jackson; this class fixes the
 * Java types both ways and the limits for untrusted files.
 * <p>
 * Values map to Java as: object → {@code LinkedHashMap<String, Object>} (key order kept; a key twice is an error),
 * array → {@code ArrayList<Object>}, string → {@code String}, number → {@code Long} when integral and in range,
 * else {@code Double}, {@code true/false} → {@code Boolean}, {@code null} → {@code null}. The writer also accepts
 * other {@code Number}s, {@code double[]}, {@code int[]}, {@code long[]}, {@code float[]}, {@code Object[]},
 * {@code Iterable}s, {@code Map}s (keys written as strings) and enums (written by name); NaN and infinities,
 * which JSON lacks, are written as {@code null}. Stateless and thread-safe.
 */
public final class Json {

	/** Deepest nesting a parsed text may have (a crafted file could otherwise exhaust the stack). */
	static final int MAX_DEPTH = 512;

	private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
		.enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
		.build())
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

	/** Two-space indentation, {@code "key": value}, arrays of scalars on one line. */
	/** A new line, then two spaces per level. */
	private static final DefaultIndenter LINES = new DefaultIndenter("  ", "\n");
	private static final ObjectWriter PRETTY = MAPPER.writer(new Pretty());
	private static final ObjectWriter COMPACT = MAPPER.writer();

	private Json() {}

	/** Parses a JSON text. @throws IllegalArgumentException naming the line and column of the first error */
	public static Object parse(String text) {
		try {
			return plain(MAPPER.readValue(text, Object.class));
		} catch (JsonProcessingException e) {
			JsonLocation at = e.getLocation();
			throw new IllegalArgumentException("Invalid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
				+ at.getColumnNr()) + ": " + e.getOriginalMessage(), e);
		}
	}

	/** Writes a value compactly on one line. */
	public static String write(Object value) {
		return write(COMPACT, value);
	}

	/** Writes a value indented by two spaces, ending without a newline. */
	public static String writePretty(Object value) {
		return write(PRETTY, value);
	}

	/** A JSON string literal with quotes and escapes. */
	public static String quote(String s) {
		return write(COMPACT, s);
	}

	private static String write(ObjectWriter w, Object value) {
		try {
			return w.writeValueAsString(tree(value));
		} catch (JsonProcessingException e) {
			throw new IllegalStateException("JSON writing failed: " + e.getOriginalMessage(), e);
		}
	}

	/** Integers become {@code Long}, or {@code Double} beyond its range, as the class promises. */
	private static Object plain(Object v) {
		if (v instanceof Integer i) return i.longValue();
		if (v instanceof BigInteger b) return b.doubleValue();
		if (v instanceof BigDecimal d) return d.doubleValue();
		if (v instanceof Map<?, ?> m) {
			@SuppressWarnings("unchecked")
			Map<String, Object> o = (Map<String, Object>) m;
			o.replaceAll((k, x) -> plain(x));
		} else if (v instanceof List<?> l) {
			@SuppressWarnings("unchecked")
			List<Object> a = (List<Object>) l;
			a.replaceAll(Json::plain);
		}
		return v;
	}

	/** {@code v} as maps, lists and scalars that JSON can hold, in the writer's conventions. */
	private static Object tree(Object v) {
		if (v == null || v instanceof String || v instanceof Boolean) return v;
		if (v instanceof Double || v instanceof Float) {
			double d = ((Number) v).doubleValue();
			return Double.isFinite(d) ? d : null; // JSON has no NaN/Infinity
		}
		if (v instanceof Number) return v;
		if (v instanceof Enum<?> e) return e.name();
		if (v instanceof Map<?, ?> m) {
			Map<String, Object> o = new LinkedHashMap<>();
			m.forEach((k, x) -> o.put(String.valueOf(k), tree(x)));
			return o;
		}
		List<Object> l = new ArrayList<>();
		if (v instanceof double[] a) {
			for (double d : a) l.add(tree(d));
		} else if (v instanceof float[] a) {
			for (float d : a) l.add(tree((double) d));
		} else if (v instanceof int[] a) {
			for (int d : a) l.add(d);
		} else if (v instanceof long[] a) {
			for (long d : a) l.add(d);
		} else if (v instanceof Object[] a) {
			for (Object x : a) l.add(tree(x));
		} else if (v instanceof Iterable<?> it) {
			for (Object x : it) l.add(tree(x));
		} else {
			throw new IllegalArgumentException("Cannot write " + v.getClass().getName() + " as JSON");
		}
		return l;
	}

	/**
	 * The pretty layout: objects one member per line, indented by two spaces, {@code "key": value}; arrays of
	 * scalars (coordinates, spacings, probabilities) on one line, arrays holding objects or arrays one element
	 * per line.
	 */
	private static final class Pretty extends DefaultPrettyPrinter {
		private static final long serialVersionUID = 1L;

		Pretty() {
			super(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
				.withObjectEmptySeparator("").withArrayEmptySeparator(""));
			indentObjectsWith(LINES);
			indentArraysWith(new ScalarsInline());
		}

		Pretty(Pretty base) {
			super(base);
		}

		@Override
		public Pretty createInstance() {
			return new Pretty(this);
		}

		@Override
		public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
			g.writeRaw(',');
			if (breaksLines(g)) LINES.writeIndentation(g, _nesting);
			else g.writeRaw(' ');
		}
	}

	/** Whether the array being written holds an object or an array (then one element per line). */
	private static boolean breaksLines(JsonGenerator g) {
		return g.getOutputContext().getCurrentValue() instanceof List<?> l
			&& l.stream().anyMatch(o -> o instanceof Map || o instanceof List);
	}

	/** Breaks lines inside an array only when the array's next value is an object or an array. */
	private static final class ScalarsInline implements DefaultPrettyPrinter.Indenter {
		@Override
		public void writeIndentation(JsonGenerator g, int level) throws IOException {
			if (breaksLines(g)) LINES.writeIndentation(g, level);
		}

		@Override
		public boolean isInline() {
			return false;
		}
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
}
