package org.medcnn.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

	@TempDir
	Path dir;

	@Test
	void testWritesCreatesFoldersAndIsReadableByOthers() throws IOException {
		Path f = dir.resolve("a/b/out.txt");
		AtomicFiles.writeString(f, "hello");
		assertEquals("hello", Files.readString(f));
		if (Files.getFileStore(f).supportsFileAttributeView("posix"))
			assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
		assertEquals(1, count(f.getParent()), "no temporary file left");
	}

	@Test
	void testFailedWriteKeepsTheOldFileAndLeavesNoTemporary() throws IOException {
		Path f = dir.resolve("out.bin");
		AtomicFiles.write(f, new byte[] {1, 2, 3});
		assertThrows(IOException.class, () -> AtomicFiles.write(f, tmp -> {
			Files.write(tmp, new byte[] {9});
			throw new IOException("disk full");
		}));
		assertEquals(3, Files.size(f), "the old content survives a failed write");
		assertEquals(1, count(dir));
	}

	private static long count(Path d) throws IOException {
		try (Stream<Path> s = Files.list(d)) {
			return s.count();
		}
	}
}
