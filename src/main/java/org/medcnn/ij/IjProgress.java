package org.medcnn.ij;

import ij.IJ;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;

/**
 * Renders core progress in ImageJ: the fraction on the progress bar ({@link IJ#showProgress(double)}) and the
 * message in the status line, prefixed by the command's title. It also turns a press of Esc
 * ({@link IJ#escapePressed()}) into a request on the given {@link Cancellation}, so that the core stops at its
 * next check.
 * <p>
 * Thread-safe: ImageJ's progress bar and status line may be updated from any thread.
 */
public final class IjProgress implements ProgressListener {

	private final String title;
	private final Cancellation cancellation;

	/**
	 * @param title prefix for status messages, e.g. the command name
	 * @param cancellation cancelled when the user presses Esc; may be null
	 */
	public IjProgress(String title, Cancellation cancellation) {
		this.title = title;
		this.cancellation = cancellation;
	}

	@Override
	public void progress(double fraction, String message) {
		if (cancellation != null && IJ.escapePressed()) cancellation.cancel();
		if (fraction >= 0) IJ.showProgress(Math.min(1, fraction));
		if (message != null && !message.isEmpty()) IJ.showStatus(title + ": " + message);
	}

	/** Clears the progress bar (call when the work is done or has failed). */
	public void done() {
		IJ.showProgress(1.0);
	}
}
