package org.medcnn.nn;

/**
 * Receives training progress: a call per finished epoch and, optionally, per step (mini-batch).
 * <p>
 * Called on the training thread; implementations must return quickly (a UI should hand the values to its own
 * thread) and must not throw.
 */
@FunctionalInterface
public interface TrainingListener {

	/** A listener that ignores everything. */
	TrainingListener NONE = m -> {};

	void epochEnded(EpochMetrics m);

	/**
	 * @param epoch 1-based epoch
	 * @param step 1-based step within the epoch
	 * @param steps steps per epoch
	 * @param loss loss of this mini-batch
	 */
	default void stepEnded(int epoch, int step, int steps, double loss) {}

	/**
	 * A message about the run for the user before the first epoch, e.g. the memory plan or that the run resumes
	 * from a checkpoint. Never contains patient identifiers.
	 */
	default void note(String message) {}
}
