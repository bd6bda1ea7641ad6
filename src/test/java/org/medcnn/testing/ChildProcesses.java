package org.medcnn.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process for a test (DCMTK, dciodvfy, a child JVM) with a time limit that fires. The child's stdout
 * and stderr go, merged, to a temporary file, so it never blocks on a full pipe and nothing has to read while the
 * test waits; the test waits with {@link Process#waitFor(long, TimeUnit)}. When the limit passes, the child and
 * every process it started are killed ({@link ProcessHandle#destroyForcibly()}, descendants first) and the test
 * fails with the command, the limit and the tail of the output. A process that a descendant starts in the instant
 * between the listing of the tree and its killing can escape; nothing the tests run does that. Stateless.
 */
public final class ChildProcesses {

	/** Most characters of output quoted in a failure message. */
	static final int TAIL_CHARS = 4000;

	/**
	 * What a child that finished in time left.
	 *
	 * @param exitCode its exit status
	 * @param output its stdout and stderr, merged in the order written
	 */
	public record Finished(int exitCode, byte[] output) {

		/** The output as UTF-8 text. */
		public String text() {
			return text(StandardCharsets.UTF_8);
		}

		/** The output decoded with {@code charset} (e.g. ISO-8859-1 for tools that print raw bytes). */
		public String text(Charset charset) {
			return new String(output, charset);
		}
	}

	private ChildProcesses() {}

	/** Runs {@code command} (see {@link #run(ProcessBuilder, Duration)}). */
	public static Finished run(List<String> command, Duration limit) throws IOException, InterruptedException {
		return run(new ProcessBuilder(command), limit);
	}

	/**
	 * Starts {@code pb} (its command, directory and environment; its output redirection is replaced) and waits for
	 * it at most {@code limit}.
	 *
	 * @return the exit code and the output, when the child finished in time (whatever its exit code)
	 * @throws org.opentest4j.AssertionFailedError naming the command, the limit and the tail of the output, after
	 *         killing the child and its descendants, when it did not finish in time
	 * @throws IOException when the child cannot be started (e.g. the program is not there)
	 * @throws InterruptedException when the test is interrupted while waiting (the child and its descendants are
	 *         killed first)
	 */
	public static Finished run(ProcessBuilder pb, Duration limit) throws IOException, InterruptedException {
		String command = String.join(" ", pb.command());
		Path out = Files.createTempFile("medcnn-child", ".out");
		try {
			pb.redirectErrorStream(true).redirectOutput(out.toFile());
			Process p = pb.start();
			boolean finished;
			try {
				finished = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
			} catch (InterruptedException e) {
				destroyTree(p.toHandle());
				throw e;
			}
			if (!finished) {
				int killed = destroyTree(p.toHandle());
				fail("'" + command + "' did not finish within " + seconds(limit) + " s; it was killed"
					+ (killed > 0 ? " with the " + killed + " process" + (killed == 1 ? "" : "es") + " it had started" : "")
					+ ". Its last output:\n" + tail(out));
			}
			return new Finished(p.exitValue(), Files.readAllBytes(out));
		} finally {
			Files.deleteIfExists(out);
		}
	}

	/**
	 * Kills {@code root} and its descendants (the descendants first, so that none is left behind under a new
	 * parent) and waits up to 10 s for them to end; returns how many descendants there were.
	 */
	static int destroyTree(ProcessHandle root) throws InterruptedException {
		List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
		for (int i = tree.size() - 1; i >= 0; i--) tree.get(i).destroyForcibly();
		root.destroyForcibly();
		tree.add(root);
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		for (ProcessHandle h : tree) {
			long left = end - System.nanoTime();
			if (left <= 0) break;
			try {
				h.onExit().get(left, TimeUnit.NANOSECONDS);
			} catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
				// the test's assertion names the command; a process that will not die is beyond a test's reach
			}
		}
		return tree.size() - 1;
	}

	private static String seconds(Duration d) {
		long ms = d.toMillis();
		return ms % 1000 == 0 ? Long.toString(ms / 1000) : Double.toString(ms / 1000.0);
	}

	/** The last {@value #TAIL_CHARS} bytes of the output (as UTF-8), without reading the rest of a large file. */
	private static String tail(Path out) {
		try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "r")) {
			long n = f.length(), from = Math.max(0, n - TAIL_CHARS);
			byte[] b = new byte[(int) (n - from)];
			f.seek(from);
			f.readFully(b);
			String s = new String(b, StandardCharsets.UTF_8);
			return (from > 0 ? "…" : "") + (s.isEmpty() ? "(none)" : s);
		} catch (IOException e) {
			return "(unreadable: " + e.getMessage() + ")";
		}
	}
}
