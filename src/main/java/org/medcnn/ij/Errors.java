package org.medcnn.ij;

import ij.IJ;

/**
 * The unexpected-error path of the plugins' single catch site: a short message in {@code IJ.error} (which also
 * aborts a running macro) and the full stack trace in the Log, for bug reports.
 */
final class Errors {

	private Errors() {}

	/**
	 * The single catch site's dispatch: cancellation is not an error (a status line); expected errors (bad
	 * input: I/O, invalid arguments or state) go to {@code IJ.error}; anything else is {@link #unexpected}.
	 */
	static void report(String title, Exception e) {
		if (e instanceof java.util.concurrent.CancellationException) {
			IJ.showStatus(title + ": cancelled");
		} else if (e instanceof java.io.IOException || e instanceof IllegalArgumentException
			|| e instanceof IllegalStateException) {
			IJ.error(title, e.getMessage());
		} else {
			unexpected(title, e);
		}
	}

	static void unexpected(String title, Throwable e) {
		IJ.log(title + ": unexpected error\n" + trace(e));
		IJ.error(title, "Unexpected error: " + e + "\nThe details are in the Log window.");
	}

	/** The exception, its stack and its causes as text. */
	static String trace(Throwable e) {
		StringBuilder sb = new StringBuilder();
		for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (t != e) sb.append("Caused by: ");
			sb.append(t).append('\n');
			for (StackTraceElement el : t.getStackTrace()) sb.append("\tat ").append(el).append('\n');
		}
		return sb.toString();
	}
}
