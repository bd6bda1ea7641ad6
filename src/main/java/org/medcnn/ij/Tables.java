package org.medcnn.ij;

import ij.macro.Interpreter;
import ij.measure.ResultsTable;

import java.awt.GraphicsEnvironment;
import java.util.HashMap;
import java.util.Map;

/**
 * Named results tables that collect rows across runs of a command (one table per command, e.g.
 * "MedCNN Lesions"). With a display, the open table window is the store, so closing it starts a new table; in
 * batch mode and headless, where ImageJ may keep no window, the tables are remembered here. Thread-safe.
 */
final class Tables {

	private static final Map<String, ResultsTable> WITHOUT_WINDOW = new HashMap<>();

	private Tables() {}

	/** The table with this title, or a new one. */
	static synchronized ResultsTable named(String title) {
		ResultsTable rt = windowless() ? null : ResultsTable.getResultsTable(title);
		if (rt == null && windowless()) rt = WITHOUT_WINDOW.get(title);
		if (rt == null) {
			rt = new ResultsTable();
			WITHOUT_WINDOW.put(title, rt);
		}
		return rt;
	}

	/** Shows (or refreshes) the table's window unless headless. */
	static synchronized void show(ResultsTable rt, String title) {
		WITHOUT_WINDOW.put(title, rt);
		if (!GraphicsEnvironment.isHeadless()) rt.show(title);
	}

	/** Empties the table with this title, the one in a window and the one kept without a window (for tests). */
	static synchronized void clear(String title) {
		ResultsTable shown = ResultsTable.getResultsTable(title);
		if (shown != null) shown.reset();
		ResultsTable kept = WITHOUT_WINDOW.get(title);
		if (kept != null) kept.reset();
	}

	private static boolean windowless() {
		return GraphicsEnvironment.isHeadless() || Interpreter.isBatchMode();
	}
}
