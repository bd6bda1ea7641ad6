package org.medcnn.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.medcnn.common.CpuThreads;

/**
 * Restarts the JVM with {@code TF_ENABLE_ONEDNN_OPTS=1} when it is not set.
 * <p>
 * TensorFlow reads that variable once, when its native library loads, and leaves oneDNN off on these AVX2
 * CPUs by default; oneDNN trains 1.45× (2D CNN) to 6× (3D U-Net) faster here. A Java process cannot change
 * its own environment, so commands that use TensorFlow re-run themselves in a child JVM with the variable set
 * (same class path, JVM options and arguments, inherited standard streams), with {@code OMP_NUM_THREADS} set to
 * {@link CpuThreads#configured()} unless it is set. Set the variable to 0 to keep oneDNN off;
 * {@code MEDCNN_NO_RELAUNCH=1} disables the restart.
 */
final class Relauncher {

	private Relauncher() {}

	static boolean needsRelaunch() {
		return System.getenv("TF_ENABLE_ONEDNN_OPTS") == null && System.getenv("MEDCNN_NO_RELAUNCH") == null;
	}

	static int relaunch(String[] args) {
		List<String> cmd = new ArrayList<>();
		cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
		cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(Main.class.getName());
		cmd.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
		pb.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
		// oneDNN's OpenMP pool: as many threads as TensorFlow's intra-op pool (one with -Dmedcnn.threads=1, which
		// makes seeded training reproducible), not one per logical CPU.
		pb.environment().putIfAbsent("OMP_NUM_THREADS", Integer.toString(CpuThreads.configured()));
		// TensorFlow's own INFO and WARNING lines (MLIR passes, absl start-up) mean nothing to a user; errors still show.
		pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
		try {
			Process p = pb.start();
			// Ctrl-C reaches the child too (same process group): give it time to stop cleanly, then end it.
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) p.destroy();
				} catch (InterruptedException e) {
					p.destroy();
				}
			}));
			return p.waitFor();
		} catch (java.io.IOException e) {
			System.err.println("medcnn: could not restart Java with TF_ENABLE_ONEDNN_OPTS=1 (" + e.getMessage()
				+ "); set it yourself or MEDCNN_NO_RELAUNCH=1");
			return 1;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return 130;
		}
	}
}
