package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default TensorFlow thread count follows the machine's physical cores. */
class TfEngineThreadsTest {

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
		assertEquals(2, TfEngine.physicalCores(dir));
	}

	@Test
	void unreadableTopologyGivesZeroAndTheDefaultStaysWithinTheAvailableProcessors() {
		assertEquals(0, TfEngine.physicalCores(dir.resolve("missing")));
		int d = TfEngine.defaultThreads();
		assertTrue(d >= 1 && d <= Runtime.getRuntime().availableProcessors(), "threads " + d);
	}

	@Test
	void theCpuBuildIsRecognised() {
		assertTrue(!TfEngine.gpuBuild(), "the test class path holds the linux-x86_64 (CPU) native library");
	}
}
