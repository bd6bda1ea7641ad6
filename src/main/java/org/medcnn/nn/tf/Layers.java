package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Small layer builders over {@link Ops} (the framework has no layers): convolutions, transposed convolutions,
 * dense layers, activations and pooling, all NHWC float32 (the 3D variants NDHWC).
 * <p>
 * Weights are initialised in Java from a seeded {@link Random} and become the variables' initial values, so
 * that a seed gives the same network on every machine: He normal (σ = √(2 / fan-in)) for ReLU/ELU,
 * Glorot normal (σ = √(2 / (fan-in + fan-out))) for tanh/sigmoid and for output layers; biases start at 0.
 * Variables are named {@code <layer>_kernel} and {@code <layer>_bias} at the top level: the framework optimizers
 * derive slot names from them and refuse '/'. Every weight variable is recorded in {@link #variables()} (in creation order) for snapshots. Not thread-safe.
 */
final class Layers {

	private static final List<Long> STRIDE1 = List.of(1L, 1L, 1L, 1L);
	private static final List<Long> STRIDE2 = List.of(1L, 2L, 2L, 1L);
	private static final List<Long> STRIDE1_3D = List.of(1L, 1L, 1L, 1L, 1L);

	private final Ops tf;
	private final Random rng;
	private final String activation;
	private final List<Variable<TFloat32>> variables = new ArrayList<>();
	private final List<Shape> shapes = new ArrayList<>();

	Layers(Ops tf, long seed, String activation) {
		this.tf = tf;
		this.rng = new Random(seed);
		this.activation = activation;
	}

	Ops tf() {
		return tf;
	}

	List<Variable<TFloat32>> variables() {
		return variables;
	}

	List<Shape> shapes() {
		return shapes;
	}

	long parameterCount() {
		long n = 0;
		for (Shape s : shapes) n += s.size();
		return n;
	}

	/** 'same'-padded k×k convolution with bias, no activation. */
	Operand<TFloat32> conv(String name, Operand<TFloat32> x, int k, int cin, int cout, boolean hidden) {
		Ops s = tf;
		Variable<TFloat32> w = weight(s, name + "_kernel", Shape.of(k, k, cin, cout), k * k * cin, k * k * cout, hidden);
		Variable<TFloat32> b = bias(s, name, cout);
		return s.nn.biasAdd(s.nn.conv2d(x, w, STRIDE1, "SAME"), b);
	}

	/** conv → activation. */
	Operand<TFloat32> convAct(String name, Operand<TFloat32> x, int k, int cin, int cout) {
		return activate(conv(name, x, k, cin, cout, true));
	}

	/**
	 * 2×2 transposed convolution with stride 2 (doubles height and width) and bias; the output takes the shape
	 * of {@code like} (same batch, height, width; {@code cout} channels).
	 */
	Operand<TFloat32> upconv(String name, Operand<TFloat32> x, Operand<TFloat32> like, int cin, int cout) {
		Ops s = tf;
		// Conv2DBackpropInput's filter is [h, w, out channels, in channels].
		Variable<TFloat32> w = weight(s, name + "_kernel", Shape.of(2, 2, cout, cin), 4 * cin, 4 * cout, true);
		Variable<TFloat32> b = bias(s, name, cout);
		Operand<TFloat32> y = s.nn.conv2dBackpropInput(s.shape(like), w, x, STRIDE2, "SAME");
		return s.nn.biasAdd(y, b);
	}

	/**
	 * 'same'-padded k×k×k 3D convolution with bias, no activation (NDHWC). Registers the Conv3D gradients
	 * ({@link Conv3dGradients}) that training needs.
	 */
	Operand<TFloat32> conv3d(String name, Operand<TFloat32> x, int k, int cin, int cout, boolean hidden) {
		Conv3dGradients.register();
		Ops s = tf;
		Variable<TFloat32> w = weight(s, name + "_kernel", Shape.of(k, k, k, cin, cout), k * k * k * cin, k * k * k * cout,
			hidden);
		Variable<TFloat32> b = bias(s, name, cout);
		return s.nn.biasAdd(s.nn.conv3d(x, w, STRIDE1_3D, "SAME"), b);
	}

	/** 3D conv → activation. */
	Operand<TFloat32> convAct3d(String name, Operand<TFloat32> x, int k, int cin, int cout) {
		return activate(conv3d(name, x, k, cin, cout, true));
	}

	/**
	 * 3D transposed convolution with kernel = stride = {@code sz}×2×2 (doubles height and width, and depth when
	 * {@code sz} is 2) and bias; the output takes the shape of {@code like} with {@code cout} channels.
	 */
	Operand<TFloat32> upconv3d(String name, Operand<TFloat32> x, Operand<TFloat32> like, int cin, int cout, int sz) {
		Conv3dGradients.register();
		Ops s = tf;
		// Conv3DBackpropInputV2's filter is [d, h, w, out channels, in channels].
		Variable<TFloat32> w = weight(s, name + "_kernel", Shape.of(sz, 2, 2, cout, cin), sz * 4 * cin, sz * 4 * cout, true);
		Variable<TFloat32> b = bias(s, name, cout);
		Operand<TFloat32> y = s.nn.conv3dBackpropInput(s.shape(like), w, x, List.of(1L, (long) sz, 2L, 2L, 1L), "SAME");
		return s.nn.biasAdd(y, b);
	}

	/** {@code sz}×2×2 max pooling with the same stride (NDHWC). */
	Operand<TFloat32> maxPool3d(Operand<TFloat32> x, int sz) {
		List<Long> k = List.of(1L, (long) sz, 2L, 2L, 1L);
		return tf.nn.maxPool3d(x, k, k, "VALID");
	}

	/** Fully connected layer with bias, no activation. */
	Operand<TFloat32> dense(String name, Operand<TFloat32> x, int in, int out, boolean hidden) {
		Ops s = tf;
		Variable<TFloat32> w = weight(s, name + "_kernel", Shape.of(in, out), in, out, hidden);
		Variable<TFloat32> b = bias(s, name, out);
		return s.nn.biasAdd(s.linalg.matMul(x, w), b);
	}

	Operand<TFloat32> activate(Operand<TFloat32> x) {
		return switch (activation) {
			case "relu" -> tf.nn.relu(x);
			case "elu" -> tf.nn.elu(x);
			case "tanh" -> tf.math.tanh(x);
			case "sigmoid" -> tf.math.sigmoid(x);
			default -> throw new IllegalArgumentException("activation = '" + activation + "' is not supported");
		};
	}

	/** 2×2 pooling with stride 2. */
	Operand<TFloat32> pool(Operand<TFloat32> x, String kind) {
		if (kind.equals("avg")) return tf.nn.avgPool(x, List.of(1L, 2L, 2L, 1L), STRIDE2, "VALID");
		return tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
	}

	private Variable<TFloat32> weight(Ops s, String name, Shape shape, long fanIn, long fanOut, boolean hidden) {
		boolean he = hidden && (activation.equals("relu") || activation.equals("elu"));
		double sigma = he ? Math.sqrt(2.0 / fanIn) : Math.sqrt(2.0 / (fanIn + fanOut));
		float[] v = new float[(int) shape.size()];
		for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * sigma);
		return track(s.withName(name).variable(s.constant(shape, DataBuffers.of(v))), shape);
	}

	private Variable<TFloat32> bias(Ops s, String layer, int n) {
		Shape shape = Shape.of(n);
		return track(s.withName(layer + "_bias").variable(s.constant(shape, DataBuffers.of(new float[n]))), shape);
	}

	private Variable<TFloat32> track(Variable<TFloat32> v, Shape shape) {
		variables.add(v);
		shapes.add(shape);
		return v;
	}
}
