package org.medcnn.nn.tf;

import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Gradients of a loaded classifier's class scores with respect to its input image, added to the SavedModel's
 * own graph with {@link Graph#addGradients} (the session runs the extended graph). The score is the class
 * logit (the graph's {@value TrainableNet#LOGITS} node, which MedCNN packages have), else the class
 * probability. A one-hot weight placeholder picks the class, so the gradient ops are built once per model.
 * Use under the owner's lock; {@link #gradient} is thread-safe.
 */
final class InputGradients {

	private static final String SCOPE = "medcnn_input_gradients";

	private final SavedModelBundle bundle;
	private final Output<?> input;
	private final Output<?> weights;
	private final Output<?> gradient;
	private final int classes;
	private final boolean fromLogits;

	private InputGradients(SavedModelBundle bundle, Output<?> input, Output<?> weights, Output<?> gradient, int classes,
		boolean fromLogits) {
		this.bundle = bundle;
		this.input = input;
		this.weights = weights;
		this.gradient = gradient;
		this.classes = classes;
		this.fromLogits = fromLogits;
	}

	/**
	 * Extends the bundle's graph with the gradient ops.
	 *
	 * @param classes the number of classes (the width of the output)
	 * @throws IllegalStateException when the graph has no input/output endpoint or TensorFlow cannot
	 *         differentiate it (message says which)
	 */
	static InputGradients build(SavedModelBundle bundle, String modelName, int classes) {
		ClassScore cs = ClassScore.of(bundle, modelName);
		try {
			Output<?>[] wg = cs.weightedGradients(bundle.graph(), SCOPE, classes, cs.input());
			return new InputGradients(bundle, cs.input(), wg[0], wg[1], classes, cs.fromLogits());
		} catch (RuntimeException e) {
			throw new IllegalStateException("TensorFlow cannot differentiate the model " + modelName
				+ " with respect to its input: " + e.getMessage(), e);
		}
	}

	/** Whether the score is the logit (else the probability). */
	boolean fromLogits() {
		return fromLogits;
	}

	/**
	 * The gradient of class {@code classIndex}'s score with respect to the NHWC input {@code x}, same layout.
	 */
	float[] gradient(float[] x, Shape shape, int classIndex) {
		if (classIndex < 0 || classIndex >= classes)
			throw new IllegalArgumentException("class index " + classIndex + " is outside 0…" + (classes - 1));
		int n = (int) shape.size(0);
		float[] w = new float[n * classes];
		for (int i = 0; i < n; i++) w[i * classes + classIndex] = 1;
		try (TFloat32 xt = TFloat32.tensorOf(shape, DataBuffers.of(x));
			TFloat32 wt = TFloat32.tensorOf(Shape.of(n, classes), DataBuffers.of(w));
			Result r = bundle.session().runner().feed(input, xt).feed(weights, wt).fetch(gradient).run()) {
			Tensor t = r.get(0);
			float[] v = new float[(int) t.shape().size()];
			((TFloat32) t).copyTo(DataBuffers.of(v));
			return v;
		}
	}
}
