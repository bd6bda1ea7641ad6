package org.medcnn.nn;

import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reads an rdf.yaml as bioimage.io consumers do: YAML 1.1 by SnakeYAML, plain data types only. */
public final class RdfYaml {

	private RdfYaml() {}

	/** The document's top-level mapping. @throws IllegalArgumentException when it is not a mapping */
	public static Map<String, Object> parse(String text) {
		Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
		if (!(doc instanceof Map<?, ?> m)) throw new IllegalArgumentException("rdf.yaml: expected a mapping, found " + doc);
		@SuppressWarnings("unchecked")
		Map<String, Object> map = (Map<String, Object>) m;
		return map;
	}
}
