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

	/**
	 * Gradient saliency: {@code |∂ score(classIndex) / ∂ x|} for every pixel of the network input {@code x} that
	 * {@link #classify} builds from {@code image2d} (the representative slice resampled to the card's
	 * {@code inputSize × inputSize}, row-major {@code [y][x]}); the score is the class logit where the model
	 * exposes it, else the class probability. The default refuses, for models that cannot be differentiated.
	 *
	 * @throws UnsupportedOperationException if this classifier cannot compute gradients
	 * @throws IllegalArgumentException if {@code classIndex} is not a class of the card
	 * @throws IllegalStateException if the model was closed, or TensorFlow failed (message says why)
	 */
	default float[] saliency(Volume image2d, int classIndex) {
		throw new UnsupportedOperationException("The classifier " + card().name() + " (" + getClass().getName()
			+ ") cannot compute input gradients");
	}

	/**
	 * Grad-CAM (Selvaraju et al. 2017) of class {@code classIndex} on the network input that {@link #classify}
	 * builds from {@code image2d}: {@code ReLU(Σ_k α_k A_k)} over the channels {@code A_k} of the last convolutional
	 * feature map, {@code α_k} the spatial mean of {@code ∂ logit(classIndex) / ∂ A_k}, upsampled bilinearly to the
	 * card's {@code inputSize × inputSize} (row-major {@code [y][x]}) and divided by its maximum, so values lie in
	 * [0, 1]. The default refuses, for models without a graph to differentiate.
	 *
	 * @throws UnsupportedOperationException if this classifier has no convolutional feature map (an MLP: the
	 *         message suggests saliency) or cannot compute gradients
	 * @throws IllegalArgumentException if {@code classIndex} is not a class of the card
	 * @throws IllegalStateException if the model was closed, or TensorFlow failed (message says why)
	 */
	default float[] gradCam(Volume image2d, int classIndex) {
		throw new UnsupportedOperationException("The classifier " + card().name() + " (" + getClass().getName()
			+ ") cannot compute Grad-CAM; use method=saliency or occlusion");
	}

	ModelCard card();

	@Override
	void close();
}
