package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The public nn API never names TensorFlow: only org.medcnn.nn.tf may import it. */
class LayeringTest {

	@Test
	void apiPackageDoesNotImportTensorFlow() throws IOException {
		Path api = Path.of("src", "main", "java", "org", "medcnn", "nn");
		List<String> offenders = new ArrayList<>();
		try (var files = Files.list(api)) {
			for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList())
				if (Files.readString(f).contains("org.tensorflow")) offenders.add(f.getFileName().toString());
		}
		assertTrue(offenders.isEmpty(), "TensorFlow named in the API package: " + offenders);
	}
}
