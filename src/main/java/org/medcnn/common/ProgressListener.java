package org.medcnn.common;

/**
 * Receives progress from long-running core work (reading a series, training, prediction).
 * <p>
 * The core never talks to a user interface directly: the ImageJ layer adapts this to
 * {@code IJ.showProgress}/{@code IJ.showStatus}, the CLI to a progress line on stderr.
 * Implementations must be cheap and thread-safe; they may be called from worker threads.
 */
@FunctionalInterface
public interface ProgressListener {

	/** A listener that ignores everything. */
	ProgressListener NONE = (fraction, message) -> {};

	/**
	 * @param fraction progress in [0, 1], or a negative value when unknown
	 * @param message short human-readable status, never containing patient identifiers
	 */
	void progress(double fraction, String message);
}
