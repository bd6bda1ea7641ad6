package org.medcnn.nn;

import java.io.IOException;

/**
 * Training failed at a known point: the loss became NaN or infinite, or TensorFlow reported an error during a
 * step. Checked ({@link IOException}) so that it travels with the other failures of a training command.
 * {@link #epoch()} and {@link #step()} are 1-based; 0 means "before the first epoch/step".
 */
public class TrainingException extends IOException {

	private static final long serialVersionUID = 1L;
	private final int epoch;
	private final int step;

	public TrainingException(int epoch, int step, String message) {
		super("Training failed at epoch " + epoch + ", step " + step + ": " + message);
		this.epoch = epoch;
		this.step = step;
	}

	public TrainingException(int epoch, int step, String message, Throwable cause) {
		super("Training failed at epoch " + epoch + ", step " + step + ": " + message, cause);
		this.epoch = epoch;
		this.step = step;
	}

	public int epoch() {
		return epoch;
	}

	public int step() {
		return step;
	}
}
