package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ChildJvm;

/**
 * Issue 15 item 6 for zipped packages: the uncompressed size and entry count are capped (2 GiB and 10,000 by
 * default, system properties override), by the declared sizes before anything is extracted and by the inflated
 * bytes while copying, which must match each entry's declared size; temporary folders are deleted on SIGTERM, and
 * those a SIGKILLed process left behind are swept by the next one. Child processes are bounded in time.
 */
class ZipsTest {

	@TempDir
	Path tmp;

	/** A zip with a small card and {@code zeros} zero bytes in weights/padding.bin (a few KB compressed per MB). */
	private Path zipWithZeros(String name, int zeros) throws IOException {
		Path z = tmp.resolve(name);
		try (ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(z))) {
			zos.putNextEntry(new ZipEntry("medcnn.json"));
			zos.write("{}".getBytes());
			zos.closeEntry();
			zos.putNextEntry(new ZipEntry("weights/padding.bin"));
			byte[] mb = new byte[1 << 20];
			for (int i = 0; i < zeros >> 20; i++) zos.write(mb);
			zos.closeEntry();
		}
		return z;
	}

	private static void withLimit(String property, String value, ThrowingRunnable r) throws Exception {
		String old = System.getProperty(property);
		System.setProperty(property, value);
		try {
			r.run();
		} finally {
			if (old == null) System.clearProperty(property);
			else System.setProperty(property, old);
		}
	}

	private interface ThrowingRunnable {
		void run() throws Exception;
	}

	private static long files(Path dir) throws IOException {
		try (Stream<Path> s = Files.walk(dir)) {
			return s.filter(Files::isRegularFile).count();
		}
	}

	@Test
	void testDefaultsAndOverrides() throws Exception {
		assertEquals(2L << 30, Zips.maxBytes());
		assertEquals(10_000, Zips.maxEntries());
		withLimit(Zips.MAX_BYTES_PROPERTY, "12345", () -> assertEquals(12345, Zips.maxBytes()));
		withLimit(Zips.MAX_ENTRIES_PROPERTY, "no", () -> assertTrue(assertThrows(IllegalArgumentException.class,
			Zips::maxEntries).getMessage().contains(Zips.MAX_ENTRIES_PROPERTY)));
	}

	@Test
	void testTooManyDeclaredBytesAreRefusedBeforeExtracting() throws Exception {
		Path z = zipWithZeros("bomb.zip", 8 << 20);
		assertTrue(Files.size(z) < 100_000, "compressed to " + Files.size(z));
		Path out = Files.createDirectories(tmp.resolve("out"));
		withLimit(Zips.MAX_BYTES_PROPERTY, Integer.toString(4 << 20), () -> {
			ZipException e = assertThrows(ZipException.class, () -> Zips.unzip(z, out));
			assertTrue(e.getMessage().contains("declare more than 4194304 bytes") && e.getMessage().contains("bomb.zip")
				&& e.getMessage().contains(Zips.MAX_BYTES_PROPERTY), e.getMessage());
			assertEquals(0, files(out), "nothing extracted");
			assertThrows(ZipException.class, () -> Zips.checkNames(z));
		});
		Zips.unzip(z, out); // within the default limit
		assertEquals(8 << 20, Files.size(out.resolve("weights/padding.bin")));
	}

	@Test
	void testEntryInflatingBeyondItsDeclaredSizeIsStopped() throws Exception {
		Path z = zipWithZeros("liar.zip", 8 << 20);
		// Declare 1000 bytes for padding.bin in its local header and in the central directory.
		byte[] b = Files.readAllBytes(z);
		ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
		int patched = 0;
		for (int i = 0; i + 46 < b.length; i++) {
			int sig = bb.getInt(i);
			if (sig == 0x02014b50 && new String(b, i + 46, bb.getShort(i + 28), "UTF-8").equals("weights/padding.bin")) {
				bb.putInt(i + 24, 1000);
				patched++;
			}
			if (sig == 0x08074b50 && bb.getInt(i + 12) == 8 << 20) { // data descriptor after the entry
				bb.putInt(i + 12, 1000);
				patched++;
			}
		}
		assertTrue(patched >= 1, "central directory entry found");
		Path liar = tmp.resolve("liar2.zip");
		Files.write(liar, b);
		Path out = Files.createDirectories(tmp.resolve("out"));
		ZipException e = assertThrows(ZipException.class, () -> Zips.unzip(liar, out));
		assertTrue(e.getMessage().contains("inflates to more than the 1000 bytes it declares"), e.getMessage());
		assertTrue(Files.size(out.resolve("weights/padding.bin")) <= 1000, "stopped at the declared size");
	}

	@Test
	void testTooManyEntriesAreRefused() throws Exception {
		Path z = tmp.resolve("many.zip");
		try (ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(z))) {
			for (int i = 0; i < 20; i++) {
				zos.putNextEntry(new ZipEntry("f" + i));
				zos.closeEntry();
			}
		}
		withLimit(Zips.MAX_ENTRIES_PROPERTY, "10", () -> assertTrue(assertThrows(ZipException.class,
			() -> Zips.unzip(z, Files.createDirectories(tmp.resolve("o")))).getMessage().contains("20 entries")));
	}

	/** A child JVM that makes a temporary folder with a file in it, prints its path and waits. */
	private static ChildJvm childHoldingTempFolder(Path tmpdir) throws IOException {
		return ChildJvm.start(List.of("-Xmx64m", "-Djava.io.tmpdir=" + tmpdir), TempFolderChild.class.getName(), List.of(),
			Map.of());
	}

	@Test
	void testTempFolderIsDeletedOnSigtermAndSweptAfterSigkill() throws Exception {
		Path tmpdir = Files.createDirectories(tmp.resolve("tmpdir"));
		try (ChildJvm c = childHoldingTempFolder(tmpdir)) {
			String line = c.awaitLine("out: TEMP ", 30);
			assertNotNull(line, c.transcript());
			Path folder = Path.of(line);
			assertTrue(Files.isRegularFile(folder.resolve("weights.bin")));
			c.process().destroy(); // SIGTERM
			assertNotNull(c.await(20), "the child did not end on SIGTERM");
			assertFalse(Files.exists(folder), "left behind after SIGTERM: " + folder + "\n" + c.transcript());
		}
		Path left;
		try (ChildJvm c = childHoldingTempFolder(tmpdir)) {
			String line = c.awaitLine("out: TEMP ", 30);
			assertNotNull(line, c.transcript());
			left = Path.of(line);
			c.process().destroyForcibly(); // SIGKILL: no hook runs
			assertNotNull(c.await(20));
		}
		assertTrue(Files.exists(left), "SIGKILL leaves the folder");
		// the next process with that prefix sweeps it (its owner is gone)
		try (ChildJvm c = childHoldingTempFolder(tmpdir)) {
			String line = c.awaitLine("out: TEMP ", 30);
			assertNotNull(line, c.transcript());
			assertFalse(Files.exists(left), "not swept: " + left);
			c.process().destroy();
			assertNotNull(c.await(20));
		}
	}

	/** The child of {@link #testTempFolderIsDeletedOnSigtermAndSweptAfterSigkill}. */
	public static final class TempFolderChild {
		public static void main(String[] args) throws Exception {
			Path dir = Zips.createTempFolder("medcnn-model-");
			try (OutputStream o = Files.newOutputStream(dir.resolve("weights.bin"))) {
				o.write(new byte[4096]);
			}
			System.out.println("TEMP " + dir);
			System.out.flush();
			Thread.sleep(60_000);
		}
	}
}
