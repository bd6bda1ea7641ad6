package org.medcnn.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Map;

/**
 * Validates documents against one definition ({@code $defs}) of a JSON Schema (draft 2020-12, as the bioimage.io
 * schema declares), with networknt's json-schema-validator.
 */
public final class SchemaCheck {

	private static final ObjectMapper MAPPER = new ObjectMapper();
	private final JsonNode root;

	public SchemaCheck(Map<String, Object> root) {
		this.root = MAPPER.valueToTree(root);
	}

	/** The validation errors of {@code value} against {@code #/$defs/def}; empty when valid. */
	public List<String> validate(Object value, String def) {
		if (!root.path("$defs").has(def)) throw new IllegalArgumentException("the schema has no definition " + def);
		ObjectNode schema = MAPPER.createObjectNode();
		schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
		schema.set("$defs", root.get("$defs"));
		schema.put("$ref", "#/$defs/" + def);
		JsonSchema s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
		return s.validate(MAPPER.valueToTree(value)).stream().map(ValidationMessage::getMessage).sorted().toList();
	}
}
