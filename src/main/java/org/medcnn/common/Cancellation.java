package org.medcnn.common;

import java.util.concurrent.CancellationException;

/**
 * A cancellation flag shared between a user interface (Stop button, Esc, Ctrl-C) and core loops.
 * <p>
 * Core code calls {@link #check()} in its loops; cancellation is not an error, so callers catch
 * {@link CancellationException} and report a status line. Thread-safe.
 */
public final class Cancellation {


	private volatile boolean cancelled;

	/** Requests cancellation; loops stop at their next {@link #check()}. */
	public void cancel() {
		cancelled = true;
	}

	public boolean isCancelled() {
		return cancelled;
	}

	/** @throws CancellationException if cancellation was requested */
	public void check() {
		if (cancelled) throw new CancellationException("Cancelled by the user");
	}
}
