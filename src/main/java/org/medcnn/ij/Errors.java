package org.medcnn.ij;

import ij.IJ;

/**
 * The unexpected-error path of the plugins' single catch site: a short message in {@code IJ.error} (which also
 * aborts a running macro) and the full stack trace in the Log, for bug reports.
 */
final class Errors {

	private Errors() {}

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
