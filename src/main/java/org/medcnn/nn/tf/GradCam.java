package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.medcnn.nn.Inputs;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Grad-CAM (Selvaraju et al. 2017) for a loaded CNN classifier, on the SavedModel's own graph, so packages made
 * before this class existed work without retraining.
 * <p>
 * <b>Which feature map.</b> From the class scores (the {@value TrainableNet#LOGITS} node, pre-softmax; else the
 * signature's output) the graph is walked back along each op's data input (input 0; for dropout's {@code Select} the
 * inference branch) to the first dense layer
 * (the deepest {@code MatMul}); behind it, flatten ({@code Reshape}) and pooling ops ({@code MaxPool},
 * {@code MaxPoolV2}, {@code AvgPool}) and {@code Identity} are skipped, and the op reached must be the last
 * convolution's activation ({@code Relu}, {@code Elu}, {@code Tanh}, {@code Sigmoid}, …) or the convolution
 * itself ({@code BiasAdd}/{@code Conv2D}). That is the output of the last convolutional layer <em>before</em> its
 * pooling: twice the spatial detail of the pooled map that the head reads, and the layer the paper uses. A
 * network whose flatten reads the input image (the MLP) has no convolutional feature map and is refused.
 * <p>
 * <b>The map.</b> With {@code A} the feature map ({@code h × w × K}) and {@code G = ∂ y_c / ∂ A} the gradient of
 * the chosen class's logit, {@code α_k = mean_{i,j} G_{ijk}} and {@code cam = ReLU(Σ_k α_k A_k)} on the
 * {@code h × w} grid; {@link #inputMap} upsamples it bilinearly (pixel centres aligned) to the network input and
 * divides by its maximum, so it lies in [0, 1] (all 0 when no location speaks for the class). A one-hot weight
 * placeholder picks the class, so the gradient ops are built once per model. Use under the owner's lock;
 * {@link #maps} is thread-safe.
 */
final class GradCam {

	private static final String SCOPE = "medcnn_grad_cam";
	private static final Set<String> SKIPPED = Set.of("Reshape", "MaxPool", "MaxPoolV2", "AvgPool", "Identity", "Select",
		"SelectV2");
	private static final Set<String> FEATURE_OPS = Set.of("Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Tanh", "Sigmoid",
		"BiasAdd", "Conv2D");

	/** Feature maps {@code A} and gradients {@code G} of one image, both {@code h × w × channels}, HWC order. */
	record Maps(float[] features, float[] gradients, int height, int width, int channels) {}

	private final SavedModelBundle bundle;
	private final Output<?> input;
	private final Output<?> weights;
	private final Output<?> featureMap;
	private final Output<?> gradient;
	private final int classes;

	private GradCam(SavedModelBundle bundle, Output<?> input, Output<?> weights, Output<?> featureMap, Output<?> gradient,
		int classes) {
		this.bundle = bundle;
		this.input = input;
		this.weights = weights;
		this.featureMap = featureMap;
		this.gradient = gradient;
		this.classes = classes;
	}

	/**
	 * Finds the feature map and extends the bundle's graph with the gradient ops.
	 *
	 * @param classes the number of classes (the width of the output)
	 * @throws UnsupportedOperationException when the network has no convolutional feature map (an MLP)
	 * @throws IllegalStateException when the graph has no input/output endpoint or TensorFlow cannot
	 *         differentiate it (message says which)
	 */
	static GradCam build(SavedModelBundle bundle, String modelName, int classes) {
		ClassScore cs = ClassScore.of(bundle, modelName);
		Output<?> a = featureMap(cs.score(), modelName);
		try {
			Output<?>[] wg = cs.weightedGradients(bundle.graph(), SCOPE, classes, a);
			return new GradCam(bundle, cs.input(), wg[0], a, wg[1], classes);
		} catch (RuntimeException e) {
			throw new IllegalStateException("TensorFlow cannot differentiate the model " + modelName
				+ " with respect to its feature map " + a.op().name() + ": " + e.getMessage(), e);
		}
	}


	/**
	 * The last convolutional feature map feeding the dense head of the network whose class scores are
	 * {@code score} (see the class comment).
	 *
	 * @throws UnsupportedOperationException when there is none
	 */
	static Output<?> featureMap(Output<?> score, String modelName) {
		List<Operation> chain = new ArrayList<>();
		Operation op = score.op();
		while (op instanceof GraphOperation go && go.numInputs() > 0 && chain.size() < 10_000) {
			chain.add(go);
			op = dataInput(go).op();
		}
		int firstDense = -1;
		for (int i = 0; i < chain.size(); i++) if (chain.get(i).type().equals("MatMul")) firstDense = i;
		if (firstDense < 0)
			throw new UnsupportedOperationException("The classifier " + modelName + " has no dense head (MatMul) behind its "
				+ "class scores, so Grad-CAM cannot find its feature map; use method=saliency");
		Output<?> x = ((GraphOperation) chain.get(firstDense)).input(0);
		while (SKIPPED.contains(x.op().type()) && x.op() instanceof GraphOperation go && go.numInputs() > 0) x = dataInput(go);
		int rank = x.shape().numDimensions();
		if (!FEATURE_OPS.contains(x.op().type()) || (rank >= 0 && rank != 4))
			throw new UnsupportedOperationException("The classifier " + modelName + " has no convolutional layer (its dense "
				+ "head reads " + x.op().type() + " \"" + x.op().name() + "\"), so it has no feature map for Grad-CAM; "
				+ "use method=saliency instead");
		return x;
	}


	/**
	 * The input an op passes the data on through: input 0, except for dropout's {@code Select(training, x · keep, x)},
	 * whose inference branch (input 2) is the data (input 0 is the training flag).
	 */
	static Output<?> dataInput(GraphOperation op) {
		boolean select = (op.type().equals("Select") || op.type().equals("SelectV2")) && op.numInputs() == 3;
		return op.input(select ? 2 : 0);
	}

	/** The name of the graph op whose output is the feature map. */
	String featureOpName() {
		return featureMap.op().name();
	}

	/** The feature map, for tests that feed it. */
	Output<?> featureMap() {
		return featureMap;
	}

	/**
	 * The feature maps and the gradients of class {@code classIndex}'s score for one NHWC input image
	 * {@code x} of shape {@code (1, s, s, 1)}.
	 */
	Maps maps(float[] x, Shape shape, int classIndex) {
		if (classIndex < 0 || classIndex >= classes)
			throw new IllegalArgumentException("class index " + classIndex + " is outside 0…" + (classes - 1));
		if (shape.size(0) != 1) throw new IllegalArgumentException("Grad-CAM takes one image, not a batch of " + shape.size(0));
		float[] w = new float[classes];
		w[classIndex] = 1;
		try (TFloat32 xt = TFloat32.tensorOf(shape, DataBuffers.of(x));
			TFloat32 wt = TFloat32.tensorOf(Shape.of(1, classes), DataBuffers.of(w));
			Result r = bundle.session().runner().feed(input, xt).feed(weights, wt).fetch(featureMap).fetch(gradient).run()) {
			TFloat32 a = (TFloat32) r.get(0), g = (TFloat32) r.get(1);
			Shape s = a.shape();
			if (s.numDimensions() != 4 || !s.equals(g.shape()))
				throw new IllegalStateException("feature map " + featureOpName() + " has shape " + s + " and its gradient "
					+ g.shape() + "; expected equal shapes (1, h, w, channels)");
			float[] av = new float[(int) s.size()], gv = new float[(int) s.size()];
			a.copyTo(DataBuffers.of(av));
			g.copyTo(DataBuffers.of(gv));
			return new Maps(av, gv, (int) s.size(1), (int) s.size(2), (int) s.size(3));
		}
	}

	/** {@code ReLU(Σ_k α_k A_k)} with {@code α_k} the spatial mean of {@code G_k}: an {@code h × w} map, row-major. */
	static float[] cam(Maps m) {
		int hw = m.height() * m.width(), k = m.channels();
		double[] alpha = new double[k];
		for (int i = 0; i < hw; i++)
			for (int c = 0; c < k; c++) alpha[c] += m.gradients()[i * k + c];
		for (int c = 0; c < k; c++) alpha[c] /= hw;
		float[] cam = new float[hw];
		for (int i = 0; i < hw; i++) {
			double sum = 0;
			for (int c = 0; c < k; c++) sum += alpha[c] * m.features()[i * k + c];
			cam[i] = (float) Math.max(0, sum);
		}
		return cam;
	}

	/**
	 * {@link #cam} upsampled bilinearly to the {@code size × size} network input and divided by its maximum (values
	 * in [0, 1]; all 0 when the CAM is 0 everywhere).
	 */
	static float[] inputMap(Maps m, int size) {
		float[] up = Inputs.resizeBilinear(cam(m), m.width(), m.height(), size, size);
		float max = 0;
		for (float v : up) max = Math.max(max, v);
		if (max > 0) for (int i = 0; i < up.length; i++) up[i] /= max;
		return up;
	}
}
