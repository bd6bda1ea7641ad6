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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.SystemProperties;

/**
 * Zips and unzips model package folders safely: writing goes through a temporary file and a rename; unzipping
 * refuses entries that would land outside the target folder ({@code ..} segments, absolute paths, drive letters)
 * and archives with too many entries or too many uncompressed bytes — by the sizes the archive declares before
 * anything is extracted, and by the bytes actually inflated while copying, which must also match each entry's
 * declared size and CRC-32 (so a zip bomb whose directory lies is stopped at the limit, not at the full disk).
 * <p>
 * Limits: {@value #MAX_BYTES} uncompressed bytes (2 GiB; a large 3D U-Net package with its ONNX copy is a
 * few hundred MB) and {@value #MAX_ENTRIES} entries by default; the system properties
 * {@code medcnn.zip.maxBytes} and {@code medcnn.zip.maxEntries} raise or lower them (e.g.
 * {@code java -Dmedcnn.zip.maxBytes=8000000000 -jar medcnn.jar …}).
 * <p>
 * Temporary folders made by {@link #createTempFolder} are deleted on every exit path: by {@link #deleteTree} when
 * their owner is done, and otherwise by a shutdown hook when the JVM ends (normal exit, an uncaught error, SIGTERM
 * or SIGINT), which first stops any unzip still writing into them. Only SIGKILL skips the hook; the folders a
 * killed process left behind (their names carry its process id) are deleted by the next {@code createTempFolder}
 * with the same prefix once that process is gone. Stateless apart from that registry; thread-safe.
 */
public final class Zips {

	/** Most entries accepted in one archive by default ({@code medcnn.zip.maxEntries} overrides). */
	public static final int MAX_ENTRIES = 10_000;
	/** Most uncompressed bytes accepted from one archive by default, 2 GiB ({@code medcnn.zip.maxBytes} overrides). */
	public static final long MAX_BYTES = 2L << 30;
	/** System property: most uncompressed bytes accepted from one archive. */
	public static final String MAX_BYTES_PROPERTY = "medcnn.zip.maxBytes";
	/** System property: most entries accepted in one archive. */
	public static final String MAX_ENTRIES_PROPERTY = "medcnn.zip.maxEntries";
	/** Fixed entry time, so that the same files always give the same archive bytes. */
	private static final FileTime ENTRY_TIME = FileTime.fromMillis(1_577_836_800_000L); // 2020-01-01T00:00:00Z
	private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

	/** Temporary folders to delete when the JVM ends, unless deleted before. */
	private static final Set<Path> TEMP_FOLDERS = ConcurrentHashMap.newKeySet();
	/** Set by the shutdown hook: unzips still running stop at their next chunk. */
	private static volatile boolean shuttingDown;
	private static final Object HOOK_LOCK = new Object();
	private static Thread hook;

	private Zips() {}

	/** The limit on uncompressed bytes: {@code medcnn.zip.maxBytes}, else {@link #MAX_BYTES}. */
	public static long maxBytes() {
		return limit(MAX_BYTES_PROPERTY, MAX_BYTES);
	}

	/** The limit on entries: {@code medcnn.zip.maxEntries}, else {@link #MAX_ENTRIES}. */
	public static int maxEntries() {
		return (int) Math.min(Integer.MAX_VALUE, limit(MAX_ENTRIES_PROPERTY, MAX_ENTRIES));
	}

	private static long limit(String property, long def) {
		return SystemProperties.wholeNumber(property, def, 1, Long.MAX_VALUE);
	}

	/**
	 * Creates a temporary folder ({@code java.io.tmpdir}/PREFIX&lt;pid&gt;-&lt;random&gt;) that is deleted when the JVM
	 * ends unless {@link #deleteTree} deletes it before (see the class comment), after deleting the folders of the
	 * same prefix that processes no longer running left behind.
	 */
	public static Path createTempFolder(String prefix) throws IOException {
		long pid = ProcessHandle.current().pid();
		sweepStale(prefix);
		Path dir = Files.createTempDirectory(prefix + pid + "-");
		synchronized (HOOK_LOCK) {
			if (hook == null) {
				hook = new Thread(Zips::deleteAtExit, "medcnn-temp-cleanup");
				Runtime.getRuntime().addShutdownHook(hook);
			}
		}
		TEMP_FOLDERS.add(dir.toAbsolutePath().normalize());
		return dir;
	}

	/** Deletes the temporary folders of {@code prefix} whose process (the number after the prefix) has ended. */
	private static void sweepStale(String prefix) {
		Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
		Pattern own = Pattern.compile(Pattern.quote(prefix) + "(\\d+)-.*");
		try (Stream<Path> s = Files.list(tmp)) {
			for (Path p : s.toList()) {
				java.util.regex.Matcher m = own.matcher(p.getFileName().toString());
				if (!m.matches() || !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
				long pid;
				try {
					pid = Long.parseLong(m.group(1));
				} catch (NumberFormatException e) {
					continue; // not a process id of ours
				}
				if (ProcessHandle.of(pid).isPresent()) continue; // alive (or its number reused): not ours to delete
				try {
					deleteTree(p);
				} catch (IOException e) {
					// another process may be sweeping it too, or it is not ours to delete: leave it
				}
			}
		} catch (IOException | SecurityException e) {
			// the temporary folder cannot be listed: nothing to sweep
		}
	}

	/** The shutdown hook: stops running unzips, then deletes the registered folders (retrying while they settle). */
	private static void deleteAtExit() {
		shuttingDown = true;
		for (Path dir : List.copyOf(TEMP_FOLDERS)) {
			for (int attempt = 0; attempt < 20 && Files.exists(dir); attempt++) {
				try {
					deleteTree(dir);
				} catch (IOException e) {
					try {
						Thread.sleep(50); // an unzip may be closing its last file
					} catch (InterruptedException ie) {
						Thread.currentThread().interrupt();
						return;
					}
				}
			}
		}
	}

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
	 * Checks every entry name of an archive, the entry count and the declared uncompressed sizes, without
	 * extracting anything.
	 *
	 * @throws ZipException for an unsafe name, too many entries or too many declared bytes; IOException when the
	 *         file is no zip
	 */
	static void checkNames(Path zip) throws IOException {
		Path root = Path.of("/check").toAbsolutePath();
		try (ZipFile zf = new ZipFile(zip.toFile())) {
			checkDirectory(zip, zf, root);
		}
	}

	/** Names, count and declared sizes of every entry, before anything is extracted; returns the entries. */
	private static List<ZipEntry> checkDirectory(Path zip, ZipFile zf, Path root) throws ZipException {
		int maxEntries = maxEntries();
		long maxBytes = maxBytes();
		if (zf.size() > maxEntries)
			throw new ZipException(zip + ": " + zf.size() + " entries exceed the limit of " + maxEntries + " (system "
				+ "property " + MAX_ENTRIES_PROPERTY + "); the archive is refused");
		List<ZipEntry> entries = new ArrayList<>();
		long declared = 0;
		for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
			ZipEntry e = en.nextElement();
			safeTarget(root, e.getName(), zip);
			if (e.getSize() > 0) declared += e.getSize();
			if (declared > maxBytes)
				throw new ZipException(zip + ": its entries declare more than " + maxBytes + " bytes uncompressed (" + tooMuch()
					+ ", at entry \"" + e.getName() + "\"); the archive is refused");
			entries.add(e);
		}
		return entries;
	}

	private static String tooMuch() {
		return "the limit; system property " + MAX_BYTES_PROPERTY + " raises it";
	}

	/**
	 * Extracts an archive into an existing empty folder.
	 *
	 * @throws ZipException for an unsafe entry name, a duplicate entry, too many entries or too many bytes (declared
	 *         or inflated), an entry that inflates to more or fewer bytes than it declares or fails its CRC-32, or a
	 *         JVM shutting down (the message names the archive and the entry); files already extracted stay for
	 *         the caller to delete ({@link #deleteTree}, or at exit for a {@link #createTempFolder})
	 * @throws IOException when the file is no zip or cannot be read
	 */
	public static void unzip(Path zip, Path dir) throws IOException {
		Path root = dir.toAbsolutePath().normalize();
		long maxBytes = maxBytes();
		long total = 0;
		byte[] buf = new byte[65536];
		CRC32 crc = new CRC32();
		try (ZipFile zf = new ZipFile(zip.toFile())) {
			for (ZipEntry e : checkDirectory(zip, zf, root)) {
				Path t = safeTarget(root, e.getName(), zip);
				if (e.isDirectory()) {
					Files.createDirectories(t);
					continue;
				}
				Files.createDirectories(t.getParent());
				long declared = e.getSize();
				long entryBytes = 0;
				crc.reset();
				try (InputStream in = zf.getInputStream(e);
					OutputStream out = Files.newOutputStream(t, StandardOpenOption.CREATE_NEW)) {
					for (int r; (r = in.read(buf)) > 0;) {
						if (shuttingDown)
							throw new ZipException(zip + ": unzipping stopped at entry \"" + e.getName() + "\": Java is "
								+ "shutting down");
						total += r;
						entryBytes += r;
						if (total > maxBytes)
							throw new ZipException(zip + ": more than " + maxBytes + " bytes uncompressed (" + tooMuch()
								+ ", at entry \"" + e.getName() + "\"); the archive is refused");
						if (declared >= 0 && entryBytes > declared)
							throw new ZipException(zip + ": entry \"" + e.getName() + "\" inflates to more than the " + declared
								+ " bytes it declares; the archive is damaged or hostile and is refused");
						crc.update(buf, 0, r);
						out.write(buf, 0, r);
					}
				} catch (java.nio.file.FileAlreadyExistsException ex) {
					throw new ZipException(zip + ": entry \"" + e.getName() + "\" occurs twice; the archive is refused");
				}
				if (declared >= 0 && entryBytes != declared)
					throw new ZipException(zip + ": entry \"" + e.getName() + "\" inflates to " + entryBytes + " bytes but "
						+ "declares " + declared + "; the archive is damaged and is refused");
				if (e.getCrc() >= 0 && crc.getValue() != e.getCrc())
					throw new ZipException(zip + ": entry \"" + e.getName() + "\" fails its CRC-32 check; the archive is "
						+ "damaged and is refused");
			}
		}
	}

	/**
	 * Deletes a folder tree; a missing folder is fine. A folder made by {@link #createTempFolder} is no longer
	 * deleted at exit once this has deleted it.
	 */
	public static void deleteTree(Path root) throws IOException {
		deleteFiles(root);
		TEMP_FOLDERS.remove(root.toAbsolutePath().normalize());
	}

	private static void deleteFiles(Path root) throws IOException {
		if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
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
