package org.medcnn.nn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.medcnn.common.AtomicFiles;

/**
 * Zips and unzips model package folders safely: writing goes through a temporary file and a rename; unzipping
 * refuses entries that would land outside the target folder ({@code ..} segments, absolute paths, drive letters)
 * and stops at {@link #MAX_ENTRIES} entries or {@link #MAX_BYTES} uncompressed bytes, counted while copying
 * (the sizes a zip declares are not trusted). Stateless and thread-safe.
 */
public final class Zips {

	/** Most entries accepted in one archive. */
	public static final int MAX_ENTRIES = 10_000;
	/** Most uncompressed bytes accepted from one archive (4 GiB). */
	public static final long MAX_BYTES = 4L << 30;
	/** Fixed entry time, so that the same files always give the same archive bytes. */
	private static final FileTime ENTRY_TIME = FileTime.fromMillis(1_577_836_800_000L); // 2020-01-01T00:00:00Z
	private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

	private Zips() {}

	/**
	 * Writes every regular file under {@code dir} into {@code zipFile}, with paths relative to {@code dir}
	 * ({@code /}-separated, sorted), through a temporary file in the target folder and a rename.
	 *
	 * @throws IOException when {@code dir} is no folder, the zip would be written inside it, or writing fails
	 */
	public static Path zipFolder(Path dir, Path zipFile) throws IOException {
		Path src = dir.toAbsolutePath().normalize(), target = zipFile.toAbsolutePath().normalize();
		if (!Files.isDirectory(src)) throw new IOException("Cannot zip " + dir + ": it is not a folder");
		if (target.startsWith(src)) throw new IOException("Cannot write " + zipFile + " inside the folder it zips (" + dir + ")");
		List<Path> files;
		try (Stream<Path> s = Files.walk(src)) {
			files = s.filter(Files::isRegularFile).sorted().toList();
		}
		AtomicFiles.write(target, tmp -> {
			try (ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING))) {
				for (Path f : files) {
					StringBuilder name = new StringBuilder();
					for (Path part : src.relativize(f)) name.append(name.length() == 0 ? "" : "/").append(part);
					ZipEntry e = new ZipEntry(name.toString());
					e.setLastModifiedTime(ENTRY_TIME);
					zos.putNextEntry(e);
					Files.copy(f, zos);
					zos.closeEntry();
				}
			}
		});
		return zipFile;
	}

	/**
	 * Checks an entry name and returns where it lands under {@code root}.
	 *
	 * @throws ZipException naming the entry when it is absolute, has a drive letter or a {@code ..} segment
	 */
	static Path safeTarget(Path root, String name, Path zip) throws ZipException {
		String n = name.replace('\\', '/');
		boolean bad = n.startsWith("/") || DRIVE.matcher(n).matches() || n.indexOf('\0') >= 0;
		for (String seg : n.split("/")) if (seg.equals("..")) bad = true;
		Path t = bad ? null : root.resolve(n).normalize();
		if (t == null || !t.startsWith(root) || t.equals(root))
			throw new ZipException(zip + ": entry \"" + name + "\" points outside the archive's folder (absolute path or"
				+ " \"..\"); the archive is refused");
		return t;
	}

	/**
	 * Checks every entry name of an archive without extracting anything.
	 *
	 * @throws ZipException for an unsafe name or too many entries; IOException when the file is no zip
	 */
	static void checkNames(Path zip) throws IOException {
		Path root = Path.of("/check").toAbsolutePath();
		try (ZipFile zf = new ZipFile(zip.toFile())) {
			if (zf.size() > MAX_ENTRIES) throw new ZipException(zip + ": " + zf.size() + " entries exceed the limit " + MAX_ENTRIES);
			for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) safeTarget(root, en.nextElement().getName(), zip);
		}
	}

	/**
	 * Extracts an archive into an existing empty folder.
	 *
	 * @throws ZipException for an unsafe entry name, a duplicate entry, too many entries or too many bytes (the
	 *         message names the archive and the entry); files already extracted stay for the caller to delete
	 * @throws IOException when the file is no zip or cannot be read
	 */
	public static void unzip(Path zip, Path dir) throws IOException {
		Path root = dir.toAbsolutePath().normalize();
		long total = 0;
		byte[] buf = new byte[65536];
		try (ZipFile zf = new ZipFile(zip.toFile())) {
			if (zf.size() > MAX_ENTRIES) throw new ZipException(zip + ": " + zf.size() + " entries exceed the limit " + MAX_ENTRIES);
			List<ZipEntry> entries = new ArrayList<>();
			for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
				ZipEntry e = en.nextElement();
				safeTarget(root, e.getName(), zip);
				entries.add(e);
			}
			for (ZipEntry e : entries) {
				Path t = safeTarget(root, e.getName(), zip);
				if (e.isDirectory()) {
					Files.createDirectories(t);
					continue;
				}
				Files.createDirectories(t.getParent());
				try (InputStream in = zf.getInputStream(e);
					OutputStream out = Files.newOutputStream(t, StandardOpenOption.CREATE_NEW)) {
					for (int r; (r = in.read(buf)) > 0;) {
						total += r;
						if (total > MAX_BYTES)
							throw new ZipException(zip + ": more than " + MAX_BYTES + " bytes uncompressed (at entry \""
								+ e.getName() + "\"); the archive is refused");
						out.write(buf, 0, r);
					}
				} catch (java.nio.file.FileAlreadyExistsException ex) {
					throw new ZipException(zip + ": entry \"" + e.getName() + "\" occurs twice; the archive is refused");
				}
			}
		}
	}

	/** Deletes a folder tree; a missing folder is fine. */
	public static void deleteTree(Path root) throws IOException {
		if (!Files.exists(root)) return;
		Files.walkFileTree(root, new SimpleFileVisitor<>() {
			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
				Files.delete(file);
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
				if (exc != null) throw exc;
				Files.delete(d);
				return FileVisitResult.CONTINUE;
			}
		});
	}
}
