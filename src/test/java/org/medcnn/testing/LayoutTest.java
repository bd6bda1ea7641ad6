package org.medcnn.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The repository's layout as the product was specified: ImageJ's menu entries live in the top-level
 * {@code plugins.config}, and the build puts exactly that file at the class path's root (so at the jar's root).
 */
class LayoutTest {

	@Test
	void topLevelPluginsConfigIsTheOneOnTheClassPath() throws IOException {
		Path topLevel = Path.of("plugins.config");
		assertTrue(Files.isRegularFile(topLevel), "plugins.config must sit at the repository's top level");
		assertTrue(Files.notExists(Path.of("src/main/resources/plugins.config")),
			"a second plugins.config under src/main/resources would shadow the top-level one");
		try (InputStream packed = LayoutTest.class.getResourceAsStream("/plugins.config")) {
			assertNotNull(packed, "the build must put plugins.config on the class path's root");
			assertArrayEquals(Files.readAllBytes(topLevel), packed.readAllBytes(),
				"the class path's plugins.config differs from the top-level one");
		}
	}
}
