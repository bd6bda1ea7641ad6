package org.medcnn.nn;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;

/**
 * Training was stopped (Stop, Esc, Ctrl-C, a killed launcher) after at least one epoch had finished: the package with
 * the best weights so far was written, and the checkpoint to go on from was kept. Cancellation is not an error: a
 * front end shows where the model is instead of a failure.
 */
public final class TrainingStoppedException extends CancellationException {

	private static final long serialVersionUID = 1L;

	private final transient Path model;
	private final transient Path checkpoint;
	private final int epochsRun, bestEpoch;

	/**
	 * @param model the package written
	 * @param bestEpoch the epoch whose weights it holds
	 * @param epochsRun the epochs finished
	 * @param checkpoint the checkpoint folder to resume from
	 */
	public TrainingStoppedException(Path model, int bestEpoch, int epochsRun, Path checkpoint) {
		super("Training cancelled after epoch " + epochsRun + "; the model of epoch " + bestEpoch + " was saved to " + model
			+ ", and a checkpoint to " + checkpoint + " (continue with --resume)");
		this.model = model;
		this.bestEpoch = bestEpoch;
		this.epochsRun = epochsRun;
		this.checkpoint = checkpoint;
	}

	/** The package written, with the best weights so far. */
	public Path model() {
		return model;
	}

	/** The epoch whose weights the package holds. */
	public int bestEpoch() {
		return bestEpoch;
	}

	/** The epochs finished. */
	public int epochsRun() {
		return epochsRun;
	}

	/** The checkpoint folder to resume from. */
	public Path checkpoint() {
		return checkpoint;
	}
}
