package org.medcnn.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default thread count follows the machine's physical cores; {@code -Dmedcnn.threads} overrides it, and a bad value is refused. */
class CpuThreadsTest {

	@TempDir
	Path dir;

	private void cpu(int n, String siblings) throws IOException {
		Path t = Files.createDirectories(dir.resolve("cpu" + n).resolve("topology"));
		Files.writeString(t.resolve("thread_siblings_list"), siblings + "\n");
	}

	@Test
	void hyperThreadsCountOncePerCore() throws IOException {
		cpu(0, "0,2");
		cpu(1, "1,3");
		cpu(2, "0,2");
		cpu(3, "1,3");
		Files.createDirectories(dir.resolve("cpufreq")); // not a CPU
		assertEquals(2, CpuThreads.physicalCores(dir));
	}

	@Test
	void unreadableTopologyGivesZeroAndTheDefaultStaysWithinTheAvailableProcessors() {
		assertEquals(0, CpuThreads.physicalCores(dir.resolve("missing")));
		int d = CpuThreads.defaultThreads();
		assertTrue(d >= 1 && d <= Runtime.getRuntime().availableProcessors(), "threads " + d);
	}

	@Test
	void thePropertyOverridesTheDefault() {
		String before = System.getProperty(CpuThreads.PROPERTY);
		try {
			System.setProperty(CpuThreads.PROPERTY, "1");
			assertEquals(1, CpuThreads.configured());
			System.setProperty(CpuThreads.PROPERTY, " 1024 ");
			assertEquals(1024, CpuThreads.configured());
			System.setProperty(CpuThreads.PROPERTY, "");
			assertEquals(CpuThreads.defaultThreads(), CpuThreads.configured());
		} finally {
			if (before == null) System.clearProperty(CpuThreads.PROPERTY);
			else System.setProperty(CpuThreads.PROPERTY, before);
		}
	}

	@Test
	void aBadValueIsRefusedNamingThePropertyTheValueAndTheRange() {
		String before = System.getProperty(CpuThreads.PROPERTY);
		try {
			for (String bad : List.of("abc", "0", "-3", "99999", "1.5", "99999999999")) {
				System.setProperty(CpuThreads.PROPERTY, bad);
				IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuThreads::configured, bad);
				assertEquals("system property medcnn.threads = '" + bad + "' is refused: allowed is a whole number from 1 to "
					+ "1024 (set it with -Dmedcnn.threads=N, or leave it out for the default)", e.getMessage());
			}
		} finally {
			if (before == null) System.clearProperty(CpuThreads.PROPERTY);
			else System.setProperty(CpuThreads.PROPERTY, before);
		}
	}
}
