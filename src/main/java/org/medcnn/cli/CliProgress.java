package org.medcnn.cli;

import java.io.PrintStream;

import org.medcnn.common.ProgressListener;

/** Renders progress as one rewritten line on stderr (a new line when the message changes phase). */
final class CliProgress implements ProgressListener {

	private final PrintStream err;
	/** On a terminal the line is rewritten in place; in a log file each update is its own line, less often. */
	private final boolean terminal = System.console() != null;
	private long lastNanos;
	private int lastPercent = -1;

	CliProgress(PrintStream err) {
		this.err = err;
	}

	@Override
	public synchronized void progress(double fraction, String message) {
		long now = System.nanoTime();
		int percent = fraction < 0 ? -1 : (int) Math.round(Math.min(1, fraction) * 100);
		long minGap = terminal ? 200_000_000L : 2_000_000_000L;
		// Rate-limited, but the final update always shows.
		if (percent != 100 && lastPercent >= 0 && now - lastNanos < minGap) return;
		lastNanos = now;
		lastPercent = percent;
		String line = (percent < 0 ? "" : String.format("%3d%% ", percent)) + message;
		if (terminal) {
			err.print("\r" + line + "\033[K");
			if (percent == 100) err.println();
		} else {
			err.println(line);
		}
		err.flush();
	}

	/** Ends the current line. */
	synchronized void done() {
		if (terminal && lastPercent >= 0 && lastPercent != 100) err.println();
		lastPercent = -1;
	}
}
