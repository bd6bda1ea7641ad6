package org.medcnn.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes output files so that nobody ever sees half of one: the content goes to a temporary file in the same
 * folder, which is then renamed over the target (atomically where the file system can). A failed write leaves
 * the target as it was and no temporary file behind. The result is readable by others like any ordinary file
 * ({@code rw-r--r--}), not private as Java's temporary files are. Stateless and thread-safe.
 */
public final class AtomicFiles {

	/** Writes the content of a file, given the temporary path to write it to. */
	@FunctionalInterface
	public interface Writer {
		void write(Path tmp) throws IOException;
	}

	private AtomicFiles() {}

	/** Writes {@code file} through {@code writer}, creating parent folders. Returns {@code file}. */
	public static Path write(Path file, Writer writer) throws IOException {
		Path dir = file.toAbsolutePath().getParent();
		Files.createDirectories(dir);
		Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
		try {
			if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
				Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
			writer.write(tmp);
			try {
				Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			} catch (AtomicMoveNotSupportedException e) {
				Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
			}
			return file;
		} finally {
			Files.deleteIfExists(tmp);
		}
	}

	/** Writes bytes to {@code file}. */
	public static Path write(Path file, byte[] bytes) throws IOException {
		return write(file, tmp -> Files.write(tmp, bytes));
	}

	/** Writes UTF-8 text to {@code file}. */
	public static Path writeString(Path file, String text) throws IOException {
		return write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
	}

	/** Deletes a folder and everything in it (files first, then folders, deepest first); nothing when it is absent. */
	public static void deleteTree(Path root) throws IOException {
		if (!Files.exists(root)) return;
		try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
			for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
		}
	}
}
