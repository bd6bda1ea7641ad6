package org.medcnn.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default thread count follows the machine's physical cores; {@code -Dmedcnn.threads} overrides it. */
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
			System.setProperty(CpuThreads.PROPERTY, "many");
			assertEquals(CpuThreads.defaultThreads(), CpuThreads.configured());
		} finally {
			if (before == null) System.clearProperty(CpuThreads.PROPERTY);
			else System.setProperty(CpuThreads.PROPERTY, before);
		}
	}
}
