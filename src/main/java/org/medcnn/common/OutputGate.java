package org.medcnn.common;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Whether this process may still write its outputs (model packages, checkpoints, a case's files). Open unless a front
 * end installs a condition: the command line's relaunched child closes it once its launcher has ended (even by
 * SIGKILL), so that a process nobody waits for any more writes nothing on its way out. Writers call {@link #check}
 * right before they put an output in place. Thread-safe.
 */
public final class OutputGate {

	private static volatile BooleanSupplier open = () -> true;
	private static volatile String reason = "";

	private OutputGate() {}

	/**
	 * Makes writing depend on {@code condition}, checked at each {@link #check}.
	 *
	 * @param why what to say when it is false, e.g. {@code the launching process (pid 42) has ended}
	 */
	public static void install(BooleanSupplier condition, String why) {
		reason = why;
		open = condition;
	}

	/** Opens the gate for good (tests). */
	public static void reset() {
		open = () -> true;
		reason = "";
	}

	/**
	 * Refuses to write {@code output} when the gate is closed.
	 *
	 * @throws IOException naming the output and why it is not written
	 */
	public static void check(Path output) throws IOException {
		if (!open.getAsBoolean())
			throw new IOException(output + " was not written: " + reason + ", so this process writes nothing more");
	}
}
