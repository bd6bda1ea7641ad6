package org.medcnn.common;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for tests that need a real process (signals, process trees, encodings): started with this JVM's
 * class path, its stdout and stderr read on daemon threads (so it never blocks on a full pipe), its lines
 * available as they come, and every wait bounded: {@link #close} kills it (and its descendants) forcibly if it
 * is still running, so a failing test never leaves a process behind.
 */
public final class ChildJvm implements AutoCloseable {

	private final Process process;
	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
	private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());

	private ChildJvm(Process process) {
		this.process = process;
		pump(process.getInputStream(), "out: ");
		pump(process.getErrorStream(), "err: ");
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
		pb.directory(new File("."));
		return new ChildJvm(pb.start());
	}

	private void pump(InputStream in, String prefix) {
		Thread t = new Thread(() -> {
			try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
				for (String l; (l = r.readLine()) != null;) {
					lines.add(prefix + l);
					all.add(prefix + l);
				}
			} catch (IOException e) {
				all.add(prefix + "(stream closed: " + e.getMessage() + ")");
			}
		}, "child-jvm-" + prefix.trim());
		t.setDaemon(true);
		t.start();
	}

	public Process process() {
		return process;
	}

	/**
	 * The rest of the next line that starts with {@code prefix} (lines are "out: …" or "err: …", so a prefix is
	 * e.g. "out: PATH "), or null when none came within {@code seconds}.
	 */
	public String awaitLine(String prefix, double seconds) throws InterruptedException {
		long end = System.nanoTime() + (long) (seconds * 1e9);
		while (true) {
			long left = end - System.nanoTime();
			if (left <= 0) return null;
			String l = lines.poll(left, TimeUnit.NANOSECONDS);
			if (l == null) return null;
			if (l.startsWith(prefix)) return l.substring(prefix.length());
		}
	}

	/** The exit code, or null when still running after {@code seconds}. */
	public Integer await(double seconds) throws InterruptedException {
		return process.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
	}

	/** Everything read so far, one line each ("out: …", "err: …"). */
	public String transcript() {
		synchronized (all) {
			return String.join("\n", all);
		}
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
	}
}
