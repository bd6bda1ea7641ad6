package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rdf.yaml's writer: what a YAML 1.1 reader (SnakeYAML, as bioimage.io's PyYAML) reads back is what was written. */
class BioImageIoYamlTest {

	@Test
	void valuesReadBackWithTheirTypes() {
		Map<String, Object> t = new LinkedHashMap<>();
		t.put("big", 1e20);
		t.put("small", 1e-5);
		t.put("whole", 3.0);
		t.put("count", 7L);
		t.put("looksLikeNumber", "1.0");
		t.put("looksLikeBoolean", "yes");
		t.put("empty", "");
		t.put("unicode", "Größe – µm");
		t.put("multi", "line 1\nline 2: \"quoted\"");
		t.put("list", List.of(Map.of("id", "input"), 2.5, List.of()));
		t.put("map", Map.of());
		t.put("none", null);
		String yaml = BioImageIo.toYaml(t);
		assertTrue(yaml.startsWith("# bioimage.io model description written by MedCNN "), yaml);
		Map<String, Object> back = RdfYaml.parse(yaml);
		assertEquals(1e20, back.get("big"), yaml);
		assertEquals(1e-5, back.get("small"), yaml);
		assertEquals(3.0, back.get("whole"), yaml);
		assertEquals(7, ((Number) back.get("count")).intValue());
		for (String k : List.of("looksLikeNumber", "looksLikeBoolean", "empty", "unicode", "multi", "list", "map"))
			assertEquals(t.get(k), back.get(k), k + " in\n" + yaml);
		assertTrue(back.containsKey("none") && back.get("none") == null);
	}

	@Test
	void whatYamlCannotHoldFaithfullyIsRefused() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> BioImageIo.toYaml(Map.of("inputs", List.of(Map.of("scale", Double.NaN)))));
		assertTrue(e.getMessage().contains("rdf.inputs[0].scale"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> BioImageIo.toYaml(Map.of("x", new Object())));
	}
}
