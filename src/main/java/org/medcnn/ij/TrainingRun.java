package org.medcnn.ij;

import ij.macro.Interpreter;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.Models;
import org.medcnn.nn.TrainingListener;
import org.medcnn.nn.TrainingStoppedException;

/**
 * Runs one training job under a {@link TrainingMonitor}: the live window with Stop when there is a display and no
 * batch mode, else Log lines per epoch. A stopped run is not an error: the engine has saved the best model so
 * far, and the final status says where.
 */
final class TrainingRun {

	/** The training call itself. */
	@FunctionalInterface
	interface Job {
		Path train(TrainingListener listener, Cancellation cancel) throws IOException;
	}

	/** What came of a run: the package (null when stopped before any was saved) and the final status. */
	record Result(Path model, String status, boolean stopped) {}

	private TrainingRun() {}

	/** Whether the live window can and should open. */
	static boolean windowWanted() {
		return !GraphicsEnvironment.isHeadless() && !Interpreter.isBatchMode();
	}

	/**
	 * @param title command title (plot title and Log prefix)
	 * @param epochs planned epochs
	 * @param out the package folder being written
	 * @throws IOException or a runtime exception from the job, after the window has shown the failure
	 */
	static Result run(String title, int epochs, Path out, Job job, Cancellation cancel) throws IOException {
		TrainingPlotModel model = new TrainingPlotModel(title, epochs, Models.device());
		TrainingMonitor monitor = new TrainingMonitor(model, cancel, windowWanted());
		try {
			Path pkg = job.train(monitor, cancel);
			String status = "Model saved to " + pkg;
			monitor.finished(status);
			return new Result(pkg, status, false);
		} catch (CancellationException e) {
			String status = TrainingMonitor.stoppedStatus(e, out);
			monitor.finished(status);
			return new Result(e instanceof TrainingStoppedException s ? s.model() : null, status, true);
		} catch (IOException | RuntimeException e) {
			monitor.finished("Training failed: " + e.getMessage());
			throw e;
		}
	}
}
