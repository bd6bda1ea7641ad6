package org.medcnn.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How many CPU threads MedCNN's numeric work uses: {@code -Dmedcnn.threads=N} when given, else one per physical
 * core this process may use. TensorFlow's intra-op pool and, through {@code OMP_NUM_THREADS} (which the CLI sets
 * when it restarts the JVM), oneDNN's OpenMP pool follow it. One thread makes seeded CPU training bit-for-bit
 * reproducible: OpenMP's parallel reductions otherwise sum in a schedule-dependent order. A value that is not a
 * whole number from 1 to {@value #MAX_THREADS} is refused, as every {@code medcnn.…} property is. Stateless.
 */
public final class CpuThreads {

	/** System property that sets the thread count. */
	public static final String PROPERTY = "medcnn.threads";
	/**
	 * Most threads {@value #PROPERTY} may ask for: more than the cores of any machine MedCNN runs on, so a larger
	 * number is a typo (TensorFlow and OpenMP would start that many threads).
	 */
	public static final int MAX_THREADS = 1024;

	private CpuThreads() {}

	/**
	 * {@value #PROPERTY} when set, else {@link #defaultThreads()}.
	 *
	 * @throws IllegalArgumentException naming the property and value when it is set but not a whole number from 1 to
	 *         {@value #MAX_THREADS} (see {@link SystemProperties})
	 */
	public static int configured() {
		String p = System.getProperty(PROPERTY);
		if (p == null || p.isBlank()) return defaultThreads();
		return SystemProperties.intValue(PROPERTY, 1, 1, MAX_THREADS);
	}

	/**
	 * The processors this JVM may use (which honours CPU quotas and affinity), but not more than the physical
	 * cores the kernel reports: oneDNN's convolutions gain nothing from a core's second hardware thread and lose
	 * to the contention. Where the topology cannot be read (not Linux), all available processors.
	 */
	public static int defaultThreads() {
		int available = Runtime.getRuntime().availableProcessors();
		int physical = physicalCores(Path.of("/sys/devices/system/cpu"));
		return physical > 0 ? Math.max(1, Math.min(available, physical)) : available;
	}

	/**
	 * Physical cores from Linux's CPU topology under {@code cpuRoot}: the number of distinct
	 * {@code thread_siblings_list} entries of the CPUs, 0 when it cannot be read.
	 */
	public static int physicalCores(Path cpuRoot) {
		Set<String> cores = new HashSet<>();
		try (Stream<Path> cpus = Files.list(cpuRoot)) {
			for (Path cpu : (Iterable<Path>) cpus::iterator) {
				if (!cpu.getFileName().toString().matches("cpu\\d+")) continue;
				Path siblings = cpu.resolve("topology").resolve("thread_siblings_list");
				if (Files.isReadable(siblings)) cores.add(Files.readString(siblings).trim());
			}
		} catch (IOException | RuntimeException e) {
			return 0;
		}
		return cores.size();
	}
}
