package org.medcnn.common;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for tests that need a real process (signals, process trees, encodings): started with this JVM's
 * class path, its stdout and stderr written to files (so it never blocks on a full pipe, and what it and its own
 * children print stays readable after it is killed, which closes a pipe's reading end), every wait bounded, and
 * {@link #close} killing it and its descendants forcibly if they are still running, so a failing test never
 * leaves a process behind.
 */
public final class ChildJvm implements AutoCloseable {

	private final Process process;
	private final Path out;
	private final Path err;

	private ChildJvm(Process process, Path out, Path err) {
		this.process = process;
		this.out = out;
		this.err = err;
	}

	/**
	 * Starts {@code java [jvmOptions] -cp <this class path> mainClass args}.
	 *
	 * @param env variables to add (a null value removes one)
	 */
	public static ChildJvm start(List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env)
		throws IOException {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.addAll(jvmOptions);
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(mainClass);
		cmd.addAll(args);
		ProcessBuilder pb = new ProcessBuilder(cmd);
		for (Map.Entry<String, String> e : env.entrySet()) {
			if (e.getValue() == null) pb.environment().remove(e.getKey());
			else pb.environment().put(e.getKey(), e.getValue());
		}
		Path out = Files.createTempFile("child-jvm", ".out");
		Path err = Files.createTempFile("child-jvm", ".err");
		out.toFile().deleteOnExit();
		err.toFile().deleteOnExit();
		pb.directory(new File(".")).redirectOutput(out.toFile()).redirectError(err.toFile());
		return new ChildJvm(pb.start(), out, err);
	}

	public Process process() {
		return process;
	}

	/**
	 * The rest of the first line that starts with {@code prefix} (lines are "out: …" or "err: …", so a prefix is
	 * e.g. "out: PATH "), or null when none came within {@code seconds}.
	 */
	public String awaitLine(String prefix, double seconds) throws InterruptedException {
		long end = System.nanoTime() + (long) (seconds * 1e9);
		do {
			for (String l : lines()) if (l.startsWith(prefix)) return l.substring(prefix.length());
			Thread.sleep(50);
		} while (System.nanoTime() < end);
		return null;
	}

	/** The exit code, or null when still running after {@code seconds}. */
	public Integer await(double seconds) throws InterruptedException {
		return process.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
	}

	private List<String> lines() {
		List<String> all = new ArrayList<>();
		for (String[] f : new String[][] {{"out: ", out.toString()}, {"err: ", err.toString()}}) {
			try {
				for (String l : Files.readAllLines(Path.of(f[1]), StandardCharsets.UTF_8)) all.add(f[0] + l);
			} catch (IOException e) {
				all.add(f[0] + "(unreadable: " + e.getMessage() + ")");
			}
		}
		return all;
	}

	/** Everything printed so far, one line each ("out: …", then "err: …"). */
	public String transcript() {
		return String.join("\n", lines());
	}

	@Override
	public void close() {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		process.destroyForcibly();
		try {
			process.waitFor(10, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		try {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		} catch (IOException e) {
			// left for deleteOnExit
		}
	}
}
