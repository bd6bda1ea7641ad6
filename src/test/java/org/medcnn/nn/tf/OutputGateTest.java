package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.OutputGate;

/**
 * A process whose launcher has ended writes no package and no checkpoint (issue 15 item 11): before, a launcher killed
 * with SIGKILL after an epoch still let its relaunched child write that epoch's package and checkpoint on its way out.
 * The CLI's child installs the gate ({@code Relauncher.watchLauncher}); here it is closed by hand.
 */
class OutputGateTest {

	@TempDir
	Path dir;

	@AfterEach
	void open() {
		OutputGate.reset();
	}

	@Test
	void aClosedGateWritesNoPackageAndNoCheckpoint() throws IOException {
		Map<String, Object> card = new LinkedHashMap<>(Map.of("formatVersion", "2", "task", "segmentation"));
		PackageWriter.write(dir.resolve("before"), card, d -> Files.writeString(d.resolve("saved_model.pb"), "x"));
		assertTrue(Files.isDirectory(dir.resolve("before")), "an open gate writes");
		OutputGate.install(() -> false, "the launching process (pid 4242) has ended");
		Path pkg = dir.resolve("model");
		IOException e = assertThrows(IOException.class, () -> PackageWriter.write(pkg, new LinkedHashMap<>(card),
			d -> Files.writeString(d.resolve("saved_model.pb"), "x")));
		assertTrue(e.getMessage().contains("pid 4242") && e.getMessage().contains(pkg.getFileName().toString()), e.getMessage());
		Path ckpt = Checkpoint.folderFor(pkg);
		e = assertThrows(IOException.class, () -> Checkpoint.write(ckpt, null));
		assertTrue(e.getMessage().contains("has ended"), e.getMessage());
		try (var s = Files.list(dir)) {
			assertEquals(List.of("before"), s.map(p -> p.getFileName().toString()).toList(), "nothing else was written");
		}
		assertFalse(Files.exists(ckpt));
	}
}
