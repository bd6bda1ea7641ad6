package org.medcnn.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.medcnn.common.CpuThreads;

/**
 * Restarts the JVM in a child process, for two reasons, and ties the child's life to its launcher.
 * <p>
 * <b>oneDNN.</b> TensorFlow reads {@code TF_ENABLE_ONEDNN_OPTS} once, when its native library loads, and leaves
 * oneDNN off on these AVX2 CPUs by default; oneDNN trains 1.45× (2D CNN) to 6× (3D U-Net) faster here. A Java
 * process cannot change its own environment, so commands that use TensorFlow re-run themselves in a child JVM
 * with the variable set (same class path, JVM options and arguments, inherited standard streams), with
 * {@code OMP_NUM_THREADS} set to {@link CpuThreads#configured()} unless it is set. Set the variable to 0 to keep
 * oneDNN off; {@code MEDCNN_NO_RELAUNCH=1} disables the restart.
 * <p>
 * <b>File-name encoding.</b> Java decodes its arguments and encodes file names with the locale's charset
 * ({@code sun.jnu.encoding}); under {@code LANG=C} that is ASCII, and a path such as {@code séries/} arrives as
 * {@code s??ries} and can never be opened. When an argument did not decode, the original bytes are taken from
 * {@code /proc/self/cmdline} (Linux), and if they are UTF-8 the command is re-run with {@code LC_ALL=C.UTF-8} (the
 * arguments passed in {@value #ARGS_ENV}, base64, since the launcher cannot encode them). Where that is not
 * possible (no {@code /proc}, not UTF-8, relaunching off, or the child still without UTF-8), the command stops
 * with a message that names the argument and says to run with a UTF-8 locale. {@code -Dsun.jnu.encoding} is not
 * used: Java 17 ignores it.
 * <p>
 * <b>One life.</b> The child gets the launcher's process id ({@code -D}{@value #LAUNCHER_PID_PROPERTY}) and checks
 * every {@value #POLL_MS} ms that its parent is still that process; when the launcher is gone (even killed with
 * SIGKILL, which no hook sees) it says so on stderr and exits, through its shutdown hooks (so training stops at
 * the end of its step and temporary folders are deleted), and is halted if those take more than
 * {@value #HALT_AFTER_SECONDS} s. The launcher forwards SIGTERM and SIGINT: its shutdown hook ends the child
 * (SIGTERM, then SIGKILL after {@value #HALT_AFTER_SECONDS} s) and waits for it.
 */
final class Relauncher {

	/** System property of the child: the process id of the launcher it must not outlive. */
	static final String LAUNCHER_PID_PROPERTY = "medcnn.launcherPid";
	/** Environment variable of the child: its arguments, base64 of their UTF-8 bytes each followed by a NUL byte. */
	static final String ARGS_ENV = "MEDCNN_ARGS";
	/** How often the child checks that its launcher is alive. */
	static final long POLL_MS = 250;
	/** How long a child may take to stop (shutdown hooks) before it is killed. */
	static final int HALT_AFTER_SECONDS = 20;
	/** Exit code of a child whose launcher ended (as if it had been sent SIGTERM). */
	static final int ORPHANED = 143;

	private Relauncher() {}

	static boolean needsRelaunch() {
		return System.getenv("TF_ENABLE_ONEDNN_OPTS") == null && !relaunchOff();
	}

	private static boolean relaunchOff() {
		return System.getenv("MEDCNN_NO_RELAUNCH") != null;
	}

	/** Whether this JVM is a child started by a launcher that is still its parent. */
	static boolean isChild() {
		long launcher = launcherPid();
		return launcher > 0 && ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == launcher;
	}

	private static long launcherPid() {
		try {
			return Long.parseLong(System.getProperty(LAUNCHER_PID_PROPERTY, "-1"));
		} catch (NumberFormatException e) {
			return -1;
		}
	}

	/**
	 * In a child: starts the daemon thread that ends this JVM when its launcher has gone (or ends it at once when
	 * the launcher is gone already). Does nothing in a JVM that was not relaunched.
	 */
	static void watchLauncher(PrintStream err) {
		long launcher = launcherPid();
		if (launcher <= 0) return;
		// checked again right before any output is put in place: the watch below may notice the end too late
		org.medcnn.common.OutputGate.install(() -> launcherAlive(launcher), "the launching process (pid " + launcher
			+ ") has ended");
		Thread t = new Thread(() -> {
			while (true) {
				if (!launcherAlive(launcher)) {
					err.println("medcnn: the launching process (pid " + launcher + ") has ended; stopping this one (pid "
						+ ProcessHandle.current().pid() + ")");
					err.flush();
					Thread halt = new Thread(() -> {
						try {
							Thread.sleep(TimeUnit.SECONDS.toMillis(HALT_AFTER_SECONDS));
						} catch (InterruptedException e) {
							Thread.currentThread().interrupt();
						}
						Runtime.getRuntime().halt(ORPHANED);
					}, "medcnn-halt");
					halt.setDaemon(true);
					halt.start();
					System.exit(ORPHANED);
					return;
				}
				try {
					Thread.sleep(POLL_MS);
				} catch (InterruptedException e) {
					return;
				}
			}
		}, "medcnn-launcher-watch");
		t.setDaemon(true);
		t.start();
	}

	/** Whether this JVM's parent is still the launcher {@code launcher}. */
	static boolean launcherAlive(long launcher) {
		Optional<ProcessHandle> parent = ProcessHandle.current().parent();
		// Re-parented (to init or a subreaper) means the launcher has ended, whatever became of its number.
		return parent.isPresent() && parent.get().pid() == launcher && parent.get().isAlive();
	}

	/**
	 * The command's arguments: in a child started for the file-name encoding, those its launcher passed in
	 * {@value #ARGS_ENV}; otherwise {@code args}.
	 */
	static String[] arguments(String[] args) {
		String packed = System.getenv(ARGS_ENV);
		if (packed == null || !isChild()) return args;
		byte[] b = Base64.getDecoder().decode(packed);
		List<String> out = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < b.length; i++) {
			if (b[i] != 0) continue;
			out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
			start = i + 1;
		}
		return out.toArray(String[]::new);
	}

	/** The first argument that did not decode in this JVM's file-name encoding (it holds U+FFFD), or null. */
	static String undecodable(String[] args) {
		for (String a : args) if (a.indexOf('\uFFFD') >= 0) return a;
		return null;
	}

	/** The first argument that this JVM cannot encode as a file name, or null. */
	static String unencodable(String[] args) {
		Charset jnu = jnuCharset();
		for (String a : args) if (!jnu.newEncoder().canEncode(a)) return a;
		return null;
	}

	/**
	 * Whether this JVM encodes file names as ASCII (LANG=C and the like): whatever its arguments, a file or folder found
	 * in a folder with another character in its name comes out with {@code ?} and cannot be opened.
	 */
	static boolean asciiFileNames() {
		return StandardCharsets.US_ASCII.equals(jnuCharset());
	}

	/** What to tell a user whose file names are ASCII only, when a relaunch with a UTF-8 locale is not possible. */
	static String asciiFileNamesWarning() {
		return "this Java's file-name encoding is " + jnuCharset().name() + " (from the locale: LANG=" + System.getenv("LANG")
			+ ", LC_ALL=" + System.getenv("LC_ALL") + "), so files and folders found with other characters in their names"
			+ " are shown with '?' and cannot be opened: run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8 java -jar medcnn.jar ...";
	}

	/** What to tell a user whose argument cannot be represented, naming it and the fix. */
	static String encodingAdvice(String arg) {
		return "the argument '" + arg.replace('\uFFFD', '?') + "' cannot be represented in this Java's file-name "
			+ "encoding (" + jnuCharset().name() + ", from the locale: LANG=" + System.getenv("LANG") + ", LC_ALL="
			+ System.getenv("LC_ALL") + "), so a file or folder of that name cannot be opened: run with a UTF-8 locale, "
			+ "e.g. LC_ALL=C.UTF-8 java -jar medcnn.jar ...";
	}

	private static Charset jnuCharset() {
		try {
			return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
		} catch (RuntimeException e) {
			return Charset.defaultCharset();
		}
	}

	/**
	 * The arguments as the user typed them, from {@code /proc/self/cmdline} decoded as UTF-8, when this JVM could
	 * not decode them; null when they cannot be recovered (no /proc, not UTF-8, or the command line does not end
	 * with these arguments, e.g. they came from an @argfile).
	 */
	static String[] utf8Arguments(String[] args) {
		Path cmdline = Path.of("/proc/self/cmdline");
		if (!Files.isReadable(cmdline)) return null;
		try {
			byte[] b = Files.readAllBytes(cmdline);
			List<byte[]> parts = new ArrayList<>();
			int start = 0;
			for (int i = 0; i < b.length; i++) {
				if (b[i] != 0) continue;
				parts.add(java.util.Arrays.copyOfRange(b, start, i));
				start = i + 1;
			}
			if (parts.size() < args.length) return null;
			List<byte[]> tail = parts.subList(parts.size() - args.length, parts.size());
			Charset jnu = jnuCharset();
			String[] out = new String[args.length];
			for (int i = 0; i < args.length; i++) {
				if (!new String(tail.get(i), jnu).equals(args[i])) return null; // not these arguments
				out[i] = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(tail.get(i))).toString();
			}
			return out;
		} catch (IOException e) { // unreadable, or not UTF-8 (CharacterCodingException)
			return null;
		}
	}

	/** Whether a relaunch with a UTF-8 locale may help: allowed, and this JVM is not such a child already. */
	static boolean mayRelaunchForEncoding() {
		return !relaunchOff() && !isChild();
	}

	/** Re-runs the command in a child JVM with oneDNN on; returns the child's exit code. */
	static int relaunch(String[] args) {
		return relaunch(args, true, false);
	}

	/**
	 * Re-runs the command in a child JVM and returns its exit code.
	 *
	 * @param tensorflow set oneDNN's variables for TensorFlow
	 * @param utf8 run the child with {@code LC_ALL=C.UTF-8} and pass {@code args} in {@value #ARGS_ENV}
	 */
	static int relaunch(String[] args, boolean tensorflow, boolean utf8) {
		return relaunch(args, tensorflow, utf8, Main.class.getName());
	}

	/** {@link #relaunch(String[], boolean, boolean)} running {@code mainClass} in the child (tests use their own). */
	static int relaunch(String[] args, boolean tensorflow, boolean utf8, String mainClass) {
		List<String> cmd = new ArrayList<>();
		cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
		for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
			if (!a.startsWith("-D" + LAUNCHER_PID_PROPERTY + "=")) cmd.add(a);
		cmd.add("-D" + LAUNCHER_PID_PROPERTY + "=" + ProcessHandle.current().pid());
		if (utf8) cmd.add("-Dfile.encoding=UTF-8");
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(mainClass);
		cmd.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
		pb.environment().remove(ARGS_ENV);
		if (tensorflow) {
			pb.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
			// oneDNN's OpenMP pool: as many threads as TensorFlow's intra-op pool (one with -Dmedcnn.threads=1, which
			// makes seeded training reproducible), not one per logical CPU.
			pb.environment().putIfAbsent("OMP_NUM_THREADS", Integer.toString(CpuThreads.configured()));
			// TensorFlow's own INFO and WARNING lines (MLIR passes, absl start-up) mean nothing to a user; errors still show.
			pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
		}
		if (utf8) {
			pb.environment().put("LC_ALL", "C.UTF-8");
			StringBuilder packed = new StringBuilder();
			java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
			for (String a : args) {
				bytes.writeBytes(a.getBytes(StandardCharsets.UTF_8));
				bytes.write(0);
			}
			packed.append(Base64.getEncoder().encodeToString(bytes.toByteArray()));
			pb.environment().put(ARGS_ENV, packed.toString());
		}
		Process p;
		try {
			p = pb.start();
		} catch (IOException e) {
			System.err.println("medcnn: could not restart Java" + (tensorflow ? " with TF_ENABLE_ONEDNN_OPTS=1" : "")
				+ (utf8 ? " with LC_ALL=C.UTF-8" : "") + " (" + e.getMessage() + "); "
				+ (tensorflow ? "set TF_ENABLE_ONEDNN_OPTS yourself or MEDCNN_NO_RELAUNCH=1" : "run with a UTF-8 locale"));
			return 1;
		}
		// SIGTERM or SIGINT to the launcher (or its normal end) ends the child too: SIGTERM first, so that it
		// stops cleanly (its own hooks cancel the work at the end of a step), then SIGKILL.
		Thread hook = new Thread(() -> stop(p), "medcnn-child-stop");
		Runtime.getRuntime().addShutdownHook(hook);
		try {
			int code = p.waitFor();
			try {
				Runtime.getRuntime().removeShutdownHook(hook);
			} catch (IllegalStateException e) {
				// already shutting down: the hook runs and finds the child gone
			}
			return code;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			stop(p);
			return 130;
		}
	}

	/** Ends a child: SIGTERM, then SIGKILL when it is still running {@value #HALT_AFTER_SECONDS} s later. */
	private static void stop(Process p) {
		if (!p.isAlive()) return;
		p.destroy();
		try {
			if (!p.waitFor(HALT_AFTER_SECONDS, TimeUnit.SECONDS)) {
				p.descendants().forEach(ProcessHandle::destroyForcibly);
				p.destroyForcibly();
			}
		} catch (InterruptedException e) {
			p.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}
}
