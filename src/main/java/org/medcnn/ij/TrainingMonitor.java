package org.medcnn.ij;

import ij.IJ;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CancellationException;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.TrainingStoppedException;
import org.medcnn.nn.TrainingListener;

/**
 * Shows a training run in ImageJ: per step the progress bar and status line (through {@link IjProgress}, so Esc
 * cancels too), per epoch a Log line and, with a window, the updated plot and status of the
 * {@link TrainingWindow}. Without a window (batch mode, headless) the Log lines are the whole display. Stop in
 * the window requests cancellation on the run's {@link Cancellation}.
 */
final class TrainingMonitor implements TrainingListener {

	private final TrainingPlotModel model;
	private final Cancellation cancel;
	private final IjProgress progress;
	private final TrainingWindow window;

	/**
	 * @param model receives the epochs
	 * @param cancel cancelled by Stop and Esc
	 * @param withWindow whether to open the live window (false in batch mode and headless)
	 */
	TrainingMonitor(TrainingPlotModel model, Cancellation cancel, boolean withWindow) {
		this.model = model;
		this.cancel = cancel;
		this.progress = new IjProgress(model.title(), cancel);
		this.window = withWindow ? new TrainingWindow(model.title() + " (MedCNN)", this::stop) : null;
		if (window != null) window.open(image(), model.status());
		IJ.log(model.title() + ": training on " + model.device());
	}

	/** The window, or null without one. */
	TrainingWindow window() {
		return window;
	}

	TrainingPlotModel model() {
		return model;
	}

	/** What Stop does: requests cancellation; the engine stops at its next step and saves the best model so far. */
	void stop() {
		cancel.cancel();
		IJ.showStatus(model.title() + ": stopping…");
	}

	@Override
	public void stepEnded(int epoch, int step, int steps, double loss) {
		progress.progress(((epoch - 1) + (double) step / steps) / model.plannedEpochs(), String.format(Locale.ROOT,
			"epoch %d, step %d/%d, loss %.4f", epoch, step, steps, loss));
	}

	@Override
	public void note(String message) {
		IJ.log(model.title() + ": " + message);
		if (window != null) window.note(message);
	}

	@Override
	public void epochEnded(EpochMetrics m) {
		model.add(m);
		IJ.log(model.logLine(m));
		String status = model.status();
		IJ.showStatus(model.title() + ": " + status);
		if (window != null) window.update(image(), status);
	}

	/** Ends the display: clears the progress bar, shows the final status in the window, status line and Log. */
	void finished(String status) {
		progress.done();
		IJ.showStatus(model.title() + ": " + status);
		IJ.log(model.title() + ": " + status);
		if (window != null) window.finished(status);
	}

	private BufferedImage image() {
		return model.plot().getProcessor().getBufferedImage();
	}

	/**
	 * The status after a stopped run: "Training stopped; model saved to OUT (best epoch …)" when the engine saved
	 * the best model so far, else that nothing was saved.
	 */
	static String stoppedStatus(CancellationException e, Path out) {
		if (e instanceof TrainingStoppedException s)
			return "Training stopped; model saved to " + s.model() + " (model of epoch " + s.bestEpoch() + ")";
		return "Training stopped before the first epoch ended; no model was saved";
	}
}
