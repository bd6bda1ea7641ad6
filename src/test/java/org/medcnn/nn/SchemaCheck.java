package org.medcnn.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small JSON Schema (draft 2020-12) checker for the keywords the bioimage.io schema uses on model
 * descriptions: {@code $ref} (local {@code #/$defs/…}), {@code type}, {@code const}, {@code enum},
 * {@code anyOf}/{@code oneOf}/{@code allOf}, {@code required}, {@code properties}, {@code additionalProperties},
 * {@code items}, {@code prefixItems}, {@code minItems}/{@code maxItems}, {@code minLength}/{@code maxLength},
 * {@code pattern} and numeric bounds. Annotations such as {@code format}, {@code discriminator} and
 * {@code default} are ignored (as a validator does by default).
 */
public final class SchemaCheck {

	private final Map<String, Object> root;

	public SchemaCheck(Map<String, Object> root) {
		this.root = root;
	}

	/** The errors of {@code value} against {@code #/$defs/<def>}, empty when valid. */
	public List<String> validate(Object value, String def) {
		List<String> errors = new ArrayList<>();
		check(value, ref("#/$defs/" + def), "$", errors);
		return errors;
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> ref(String r) {
		if (!r.startsWith("#/$defs/")) throw new IllegalArgumentException("unsupported $ref " + r);
		Object d = ((Map<String, Object>) root.get("$defs")).get(r.substring(8));
		if (d == null) throw new IllegalArgumentException("unknown $ref " + r);
		return (Map<String, Object>) d;
	}

	@SuppressWarnings("unchecked")
	private void check(Object v, Map<String, Object> s, String path, List<String> errors) {
		if (s.get("$ref") instanceof String r) check(v, ref(r), path, errors);
		if (s.containsKey("const") && !same(v, s.get("const"))) errors.add(path + ": must be " + s.get("const") + ", is " + v);
		if (s.get("enum") instanceof List<?> e && e.stream().noneMatch(x -> same(v, x)))
			errors.add(path + ": " + v + " is not one of the allowed values");
		if (s.containsKey("type") && !typeMatches(v, s.get("type")))
			errors.add(path + ": type must be " + s.get("type") + ", is " + (v == null ? "null" : v.getClass().getSimpleName()));
		if (s.get("anyOf") instanceof List<?> any && any.stream().noneMatch(x -> valid(v, (Map<String, Object>) x, path)))
			errors.add(path + ": matches none of anyOf " + firstErrors(v, any, path));
		if (s.get("oneOf") instanceof List<?> one) {
			long n = one.stream().filter(x -> valid(v, (Map<String, Object>) x, path)).count();
			if (n != 1) errors.add(path + ": matches " + n + " of oneOf (must be exactly 1) " + (n == 0 ? firstErrors(v, one, path) : ""));
		}
		if (s.get("allOf") instanceof List<?> all) for (Object x : all) check(v, (Map<String, Object>) x, path, errors);
		if (v instanceof Map<?, ?> m) {
			if (s.get("required") instanceof List<?> req)
				for (Object k : req) if (!m.containsKey(k)) errors.add(path + ": required field '" + k + "' is missing");
			Map<String, Object> props = s.get("properties") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
			for (Map.Entry<?, ?> e : m.entrySet()) {
				String k = (String) e.getKey();
				if (props.get(k) instanceof Map<?, ?> ps) check(e.getValue(), (Map<String, Object>) ps, path + "." + k, errors);
				else if (Boolean.FALSE.equals(s.get("additionalProperties"))) errors.add(path + ": field '" + k + "' is not allowed");
				else if (s.get("additionalProperties") instanceof Map<?, ?> ap)
					check(e.getValue(), (Map<String, Object>) ap, path + "." + k, errors);
			}
		}
		if (v instanceof List<?> l) {
			int prefix = 0;
			if (s.get("prefixItems") instanceof List<?> pi) {
				prefix = pi.size();
				for (int i = 0; i < Math.min(prefix, l.size()); i++) check(l.get(i), (Map<String, Object>) pi.get(i), path + "[" + i + "]", errors);
			}
			if (s.get("items") instanceof Map<?, ?> it)
				for (int i = prefix; i < l.size(); i++) check(l.get(i), (Map<String, Object>) it, path + "[" + i + "]", errors);
			if (s.get("minItems") instanceof Number n && l.size() < n.intValue()) errors.add(path + ": fewer than " + n + " items");
			if (s.get("maxItems") instanceof Number n && l.size() > n.intValue()) errors.add(path + ": more than " + n + " items");
		}
		if (v instanceof String str) {
			int len = str.codePointCount(0, str.length());
			if (s.get("minLength") instanceof Number n && len < n.intValue()) errors.add(path + ": shorter than " + n);
			if (s.get("maxLength") instanceof Number n && len > n.intValue()) errors.add(path + ": longer than " + n);
			if (s.get("pattern") instanceof String p && !Pattern.compile(p).matcher(str).find())
				errors.add(path + ": '" + str + "' does not match " + p);
		}
		if (v instanceof Number num && !(v instanceof Boolean)) {
			double d = num.doubleValue();
			if (s.get("minimum") instanceof Number n && d < n.doubleValue()) errors.add(path + ": below " + n);
			if (s.get("maximum") instanceof Number n && d > n.doubleValue()) errors.add(path + ": above " + n);
			if (s.get("exclusiveMinimum") instanceof Number n && d <= n.doubleValue()) errors.add(path + ": not above " + n);
			if (s.get("exclusiveMaximum") instanceof Number n && d >= n.doubleValue()) errors.add(path + ": not below " + n);
		}
	}

	private boolean valid(Object v, Map<String, Object> s, String path) {
		List<String> e = new ArrayList<>();
		check(v, s, path, e);
		return e.isEmpty();
	}

	@SuppressWarnings("unchecked")
	private String firstErrors(Object v, List<?> alternatives, String path) {
		List<String> all = new ArrayList<>();
		for (Object x : alternatives) {
			List<String> e = new ArrayList<>();
			check(v, (Map<String, Object>) x, path, e);
			if (!e.isEmpty()) all.add(e.get(0));
		}
		return all.toString();
	}

	private static boolean typeMatches(Object v, Object type) {
		if (type instanceof List<?> l) return l.stream().anyMatch(t -> typeMatches(v, t));
		return switch (String.valueOf(type)) {
			case "null" -> v == null;
			case "string" -> v instanceof String;
			case "boolean" -> v instanceof Boolean;
			case "object" -> v instanceof Map;
			case "array" -> v instanceof List;
			case "integer" -> v instanceof Long || v instanceof Integer
				|| (v instanceof Double d && d == Math.rint(d) && Double.isFinite(d));
			case "number" -> v instanceof Number;
			default -> throw new IllegalArgumentException("unknown type " + type);
		};
	}

	private static boolean same(Object a, Object b) {
		if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
		return a == null ? b == null : a.equals(b);
	}
}
