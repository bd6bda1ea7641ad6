package org.medcnn.common;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Walks folders the way users lay out data: through symbolic links. Data sets are often split into training and
 * test folders by links to case folders, or a series folder is linked into a work folder; {@link Files#walk} without
 * {@link FileVisitOption#FOLLOW_LINKS} sees such a link as a file that is no regular file and finds nothing in it.
 * <p>
 * A link that leads back to a folder the walk is already inside (a loop) is not followed again and is reported in
 * the warnings, naming the link and the folder it leads to: everything under that folder is found through the
 * folder itself, so one loop in a large data tree costs nothing but a warning, and never hangs the walk. A link whose
 * target does not exist is reported the same way. The same file reached twice through links (a case linked into two
 * folders under one root) is listed once, under the name met first in sorted order. Stateless and thread-safe.
 */
public final class FileTrees {

	private FileTrees() {}

	/**
	 * A path the walk did not follow, and why.
	 *
	 * @param path the loop or dangling link, as reached from the root
	 * @param reason e.g. "symbolic link to ../.., which leads back to /data/ct, a folder that contains it (a loop of
	 *        symbolic links): not followed"
	 */
	public record NotFollowed(Path path, String reason) {

		/** "path: reason", as warnings print it. */
		@Override
		public String toString() {
			return path + ": " + reason;
		}
	}

	/**
	 * The regular files under {@code root}, following symbolic links, sorted by path; {@code root} itself when it is
	 * a file (or a link to one).
	 *
	 * @param notFollowed receives each loop and dangling link that was not followed
	 * @throws java.nio.file.NoSuchFileException if {@code root} does not exist
	 * @throws IOException if a folder under {@code root} cannot be listed
	 */
	public static List<Path> regularFiles(Path root, List<NotFollowed> notFollowed) throws IOException {
		if (!Files.exists(root)) throw new java.nio.file.NoSuchFileException(root.toString(), null, "no such file or folder");
		Map<Path, Object> keys = new TreeMap<>();
		Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
				if (a.isRegularFile()) {
					// The file key (device and inode) tells a file reached twice through links apart from a copy.
					keys.put(f, a.fileKey() != null ? a.fileKey() : f.toRealPath());
				} else if (a.isSymbolicLink()) {
					// With FOLLOW_LINKS a link is reported as a link only when its target cannot be reached.
					notFollowed.add(new NotFollowed(f, "symbolic link to " + target(f) + ", which does not exist: skipped"));
				}
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
				if (e instanceof FileSystemLoopException) {
					notFollowed.add(new NotFollowed(f, loopReason(f) + ": not followed"));
					return FileVisitResult.CONTINUE;
				}
				throw e;
			}
		});
		List<Path> files = new ArrayList<>();
		Set<Object> seen = new HashSet<>();
		for (Map.Entry<Path, Object> e : keys.entrySet()) if (seen.add(e.getValue())) files.add(e.getKey());
		return files;
	}

	/**
	 * Why {@code entry}, an entry of a folder, is a loop: a symbolic link (or a path through one) to that folder or to
	 * a folder that contains it, as "ENTRY: symbolic link to T, which leads back to FOLDER, a folder that contains it
	 * (a loop of symbolic links)"; null when it is not. An entry that is such a loop holds its own parent, so taking it
	 * as one case would take every other case with it.
	 *
	 * @throws IOException if the entry or its folder cannot be resolved
	 */
	public static String loopEntry(Path entry) throws IOException {
		Path parent = entry.toAbsolutePath().getParent();
		if (parent == null || !Files.isDirectory(entry)) return null;
		Path real = entry.toRealPath();
		if (!parent.toRealPath().startsWith(real)) return null;
		return entry + ": " + loopReason(entry);
	}

	/** "[symbolic link to T, which ]leads back to FOLDER, a folder that contains it (a loop of symbolic links)". */
	private static String loopReason(Path f) {
		String to;
		try {
			to = f.toRealPath().toString();
		} catch (IOException e) {
			to = target(f);
		}
		String via = Files.isSymbolicLink(f) ? "symbolic link to " + target(f) + ", which " : "";
		return via + "leads back to " + to + ", a folder that contains it (a loop of symbolic links)";
	}

	/** What a link points to as written, or "?" when it cannot be read. */
	private static String target(Path link) {
		try {
			return Files.readSymbolicLink(link).toString();
		} catch (IOException | UnsupportedOperationException e) {
			return "?";
		}
	}
}
