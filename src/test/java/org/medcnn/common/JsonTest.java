package org.medcnn.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java types and limits {@link Json} promises on top of Jackson. */
class JsonTest {

	@Test
	void parsedValuesHaveThePromisedTypes() {
		Map<String, Object> o = Json.asObject(Json.parse("{\"b\": 1, \"a\": [2.5, true, null, \"x\"], \"big\": 123456789012345678901234}"), "t");
		assertEquals(List.of("b", "a", "big"), new ArrayList<>(o.keySet()), "key order kept");
		assertEquals(1L, o.get("b"));
		List<Object> a = Json.asArray(o.get("a"), "a");
		assertEquals(2.5, a.get(0));
		assertEquals(Boolean.TRUE, a.get(1));
		assertEquals(null, a.get(2));
		assertEquals("x", a.get(3));
		assertEquals(1.2345678901234568e23, o.get("big"), "integers beyond long become Double");
		assertTrue(o instanceof LinkedHashMap && a instanceof ArrayList);
	}

	@Test
	void untrustedTextIsRefusedWithItsPosition() {
		IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,\n \"a\": 2}"));
		assertTrue(dup.getMessage().contains("line 2") && dup.getMessage().contains("'a'"), dup.getMessage());
		String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
		assertThrows(IllegalArgumentException.class, () -> Json.parse(deep));
		assertEquals(List.of(), toList(Json.parse("[".repeat(20) + "]".repeat(20)), 19));
		assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"), "trailing characters");
		assertThrows(IllegalArgumentException.class, () -> Json.parse("[NaN]"), "JSON has no NaN");
		assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1"), "truncated");
	}

	private static Object toList(Object v, int depth) {
		for (int i = 0; i < depth; i++) v = ((List<?>) v).get(0);
		return v;
	}

	@Test
	void writerHoldsJavaArraysEnumsAndNonFiniteNumbers() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("spacing", new double[] {0.7, 2.5});
		m.put("size", new int[] {512, 300});
		m.put("nan", Double.NaN);
		m.put("inf", Float.POSITIVE_INFINITY);
		m.put("unit", java.util.concurrent.TimeUnit.SECONDS);
		m.put("three", 3.0);
		assertEquals("{\"spacing\":[0.7,2.5],\"size\":[512,300],\"nan\":null,\"inf\":null,\"unit\":\"SECONDS\",\"three\":3.0}",
			Json.write(m));
		assertEquals("\"a\\\"b\\n\\u0001\"", Json.quote("a\"b\n\u0001"));
	}

	@Test
	void prettyLayoutKeepsScalarArraysOnOneLine() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("name", "liver");
		m.put("spacing", List.of(0.7, 0.7, 2.5));
		m.put("lesions", List.of(Map.of("id", 1), Map.of("id", 2)));
		m.put("empty", List.of());
		m.put("none", Map.of());
		assertEquals("""
			{
			  "name": "liver",
			  "spacing": [0.7, 0.7, 2.5],
			  "lesions": [
			    {
			      "id": 1
			    },
			    {
			      "id": 2
			    }
			  ],
			  "empty": [],
			  "none": {}
			}""", Json.writePretty(m));
		assertEquals(Json.parse(Json.writePretty(m)), Json.parse(Json.write(m)));
	}
}
