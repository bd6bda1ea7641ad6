package org.medcnn.nn;

import org.medcnn.volume.Volume;

/**
 * A loaded classification model. Obtain one with {@link Models#openClassifier}; the caller owns it and closes
 * it (idempotent). {@link #classify} may be called from several threads at once but not after {@link #close()}.
 */
public interface Classifier extends AutoCloseable {

	/**
	 * Classifies a 2D image: slice 0 when {@code nz == 1}, else the middle slice ({@code nz / 2}), resampled
	 * bilinearly to the model's input size and windowed with the card's HU window.
	 *
	 * @throws IllegalStateException if the model was closed, or TensorFlow failed (message says why)
	 */
	Classification classify(Volume image2d);

	ModelCard card();

	@Override
	void close();
}
