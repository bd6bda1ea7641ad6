package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import org.medcnn.common.Closeables;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.metrics.TemperatureScaling;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * A classification package: items are normalised with the card's normalisation (the mapping of their representative
 * slice) after resampling to the input size. Thread-safe.
 */
final class TfClassifier extends LoadedModel implements Classifier {

	private final Normalisation normalisation;

	TfClassifier(Path pkg, ModelCard card) throws IOException {
		this(pkg, card, InferenceEngine.TENSORFLOW);
	}

	TfClassifier(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		super(pkg, card, engine);
		try {
			normalisation = card.preprocessing().normalisation();
		} catch (Throwable t) {
			Closeables.closeAfter(t, this);
			throw t;
		}
	}

	@Override
	public Classification classify(Volume image2d) {
		int s = card.inputSize();
		float[] x = Inputs.classifierInput(image2d, s, normalisation);
		// The SavedModel gives the raw softmax; the card's calibration temperature is applied here (1 = none).
		float[] p = TemperatureScaling.rescale(run(x, Shape.of(1, s, s, 1)), TemperatureScaling.temperatureOf(card));
		if (p.length != card.classNames().size())
			throw new IllegalStateException("The model " + card.name() + " gives " + p.length + " probabilities but its card names "
				+ card.classNames().size() + " classes");
		int best = 0;
		for (int k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
		return new Classification(best, card.classNames().get(best), p);
	}

	private InputGradients gradients;

	@Override
	public float[] saliency(Volume image2d, int classIndex) {
		int s = card.inputSize(), classes = card.classNames().size();
		if (classIndex < 0 || classIndex >= classes)
			throw new IllegalArgumentException("class index " + classIndex + " is outside 0…" + (classes - 1) + " for the model "
				+ card.name());
		float[] x = Inputs.classifierInput(image2d, s, normalisation);
		float[] g = withBundle(b -> {
			InputGradients ig;
			synchronized (this) {
				if (gradients == null) gradients = InputGradients.build(b, card.name(), classes);
				ig = gradients;
			}
			try {
				return ig.gradient(x, Shape.of(1, s, s, 1), classIndex);
			} catch (RuntimeException e) {
				throw new IllegalStateException("TensorFlow failed computing input gradients of " + card.name() + ": "
					+ e.getMessage(), e);
			}
		});
		for (int i = 0; i < g.length; i++) g[i] = Math.abs(g[i]);
		return g;
	}

	private GradCam gradCam;

	@Override
	public float[] gradCam(Volume image2d, int classIndex) {
		return GradCam.inputMap(gradCamMaps(image2d, classIndex), card.inputSize());
	}

	/** The feature maps and gradients behind {@link #gradCam} (package-private for tests). */
	GradCam.Maps gradCamMaps(Volume image2d, int classIndex) {
		int s = card.inputSize(), classes = card.classNames().size();
		if (classIndex < 0 || classIndex >= classes)
			throw new IllegalArgumentException("class index " + classIndex + " is outside 0…" + (classes - 1) + " for the model "
				+ card.name());
		float[] x = Inputs.classifierInput(image2d, s, normalisation);
		return withBundle(b -> {
			GradCam gc = gradCamOps(b);
			try {
				return gc.maps(x, Shape.of(1, s, s, 1), classIndex);
			} catch (RuntimeException e) {
				throw new IllegalStateException("TensorFlow failed computing Grad-CAM of " + card.name() + ": " + e.getMessage(), e);
			}
		});
	}

	/** The Grad-CAM ops, built on first use (package-private for tests). */
	GradCam gradCamOps() {
		return withBundle(this::gradCamOps);
	}

	private synchronized GradCam gradCamOps(org.tensorflow.SavedModelBundle b) {
		if (gradCam == null) gradCam = GradCam.build(b, card.name(), card.classNames().size());
		return gradCam;
	}

	/** Runs {@code work} on the loaded bundle (package-private for tests that feed intermediate tensors). */
	<T> T onBundle(java.util.function.Function<org.tensorflow.SavedModelBundle, T> work) {
		return withBundle(work);
	}
}
