package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 12: an {@code --out} that is a file (or lies below one, or is a folder that is no package) is
 * refused up front with the option, the path and the reason; file-system exceptions, which carry only a path, are
 * described in words.
 */
class OutputPathsTest {

	@TempDir
	Path tmp;

	@Test
	void testOutputFolderThatIsAFileIsRefusedWithTheReason() throws Exception {
		Path file = Files.writeString(tmp.resolve("afile"), "x");
		Cli.UsageException e = assertThrows(Cli.UsageException.class,
			() -> OutputPaths.folder("predict", "--out", file));
		assertEquals("predict: --out " + file + ": is a file, not a folder; give a folder for the outputs (it is created "
			+ "when missing)", e.getMessage());
		Cli.UsageException below = assertThrows(Cli.UsageException.class,
			() -> OutputPaths.folder("predict", "--out", file.resolve("sub")));
		assertTrue(below.getMessage().contains(file + " is a file"), below.getMessage());
		Path made = OutputPaths.folder("predict", "--out", tmp.resolve("new/deeper"));
		assertTrue(Files.isDirectory(made));
	}

	@Test
	void testFileSystemExceptionsAreDescribed() {
		assertEquals("/data/out: is in the way: it exists and is a file, not a folder, or was not expected to exist",
			OutputPaths.describe(new FileAlreadyExistsException("/data/out")));
		assertEquals("/data/in.dcm: no such file or folder", OutputPaths.describe(new NoSuchFileException("/data/in.dcm")));
		assertEquals("plain", OutputPaths.describe(new java.io.IOException("plain")));
	}
}
