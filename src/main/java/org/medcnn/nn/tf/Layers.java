package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.IdentityHashMap;
import java.util.Map;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.onnx.OnnxGraph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Small layer builders over {@link Ops} (the framework has no layers): convolutions, transposed convolutions,
 * dense layers, activations and pooling, all NHWC float32 (the 3D variants NDHWC).
 * <p>
 * Weights are initialised in Java from a seeded {@link Random} and become the variables' initial values, so
 * that a seed gives the same network on every machine. Hidden layers use the initialisation of
 * {@link LayerConfig#initFor}: He normal (σ = √(2 / fan-in)), Glorot normal (σ = √(2 / (fan-in + fan-out))),
 * He uniform (±√(6 / fan-in)) or Glorot uniform (±√(6 / (fan-in + fan-out))); by default He normal for ReLU/ELU
 * and Glorot normal for tanh/sigmoid. Output layers use Glorot normal; biases start at 0. One draw per weight in
 * creation order, so the default gives the same weights as before these options existed.
 * <p>
 * With {@link LayerConfig#batchNorm()} every hidden convolution and dense layer ({@link #convAct},
 * {@link #convAct3d}, {@link #denseAct}) is followed by batch normalisation; {@link #dropout} drops activations. Both switch on a boolean placeholder
 * {@link #trainingFlag()} (named {@value TrainableNet#TRAINING}, default false = inference), created when the
 * first such layer is built. Batch norm's moving averages are recorded in {@link #stateVariables()}, not in
 * {@link #variables()}: they get no gradients; {@link #movingUpdates()} lists the values training steps assign.
 * <p>
 * Variables are named {@code <layer>_kernel} and {@code <layer>_bias} (batch norm: {@code <layer>_bn_gamma},
 * {@code _bn_beta}, {@code _bn_moving_mean}, {@code _bn_moving_variance}) at the top level: the framework
 * optimizers derive slot names from them and refuse '/'. Every trainable variable is recorded in
 * {@link #variables()} (in creation order) for snapshots. Not thread-safe.
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
	private final List<Variable<TFloat32>> stateVariables = new ArrayList<>();
	private final List<Shape> stateShapes = new ArrayList<>();
	private final List<MovingUpdate> movingUpdates = new ArrayList<>();
	private final long seed;
	private LayerConfig options = LayerConfig.DEFAULT;
	/** The same network as an ONNX graph, built beside the TensorFlow one ({@link #onnx()}). */
	private final OnnxGraph onnx = new OnnxGraph();
	private final Map<Operand<?>, OnnxGraph.Value> onnxValues = new IdentityHashMap<>();
	private PlaceholderWithDefault<TBool> training;
	private int dropouts;

	/** A moving average and the batch statistic that a training step blends into it. */
	record MovingUpdate(Variable<TFloat32> moving, Operand<TFloat32> batchValue) {}

	Layers(Ops tf, long seed, String activation) {
		this.tf = tf;
		this.rng = new Random(seed);
		this.seed = seed;
		this.activation = activation;
	}

	/** Sets the layer options; call before creating layers. */
	Layers options(LayerConfig o) {
		this.options = o == null ? LayerConfig.DEFAULT : o;
		return this;
	}

	LayerConfig options() {
		return options;
	}

	/** The training-mode flag, or {@code null} when no layer depends on the mode. */
	PlaceholderWithDefault<TBool> trainingFlag() {
		return training;
	}

	/** Non-trainable variables (batch norm's moving averages), in creation order. */
	List<Variable<TFloat32>> stateVariables() {
		return stateVariables;
	}

	List<Shape> stateShapes() {
		return stateShapes;
	}

	/** The moving averages and their batch statistics, for the training step's updates. */
	List<MovingUpdate> movingUpdates() {
		return movingUpdates;
	}

	Ops tf() {
		return tf;
	}

	/**
	 * The ONNX graph of the layers built so far (see {@link OnnxGraph}): every builder here adds the same computation in
	 * its inference form (batch norm with the moving statistics, dropout as the identity), with the variables as weights
	 * by name. Architectures build their whole network through this class ({@link #concat}, {@link #flatten}), so that
	 * the two graphs cannot differ.
	 */
	OnnxGraph onnx() {
		return onnx;
	}

	/** Declares {@code x} (the network's input placeholder, channels last) as the ONNX graph's input. */
	void onnxInput(Operand<TFloat32> x, String name, long[] dims, String... dynamicNames) {
		onnxValues.put(x, onnx.input(name, dims, dynamicNames));
	}

	/**
	 * The ONNX value of a tensor built by this class, or null when the network used an operation built outside this
	 * class (test networks may): such a network has no ONNX export.
	 */
	OnnxGraph.Value onnxValue(Operand<?> x) {
		return onnxValues.get(x);
	}

	/** Thrown by {@link #value} for a tensor this class did not build. */
	private static final class NotMirrored extends RuntimeException {
		NotMirrored() {
			super(null, null, false, false);
		}
	}

	/**
	 * Records that {@code y} is computed by the ONNX value {@code v} builds; returns {@code y}. When an input of the layer
	 * was not built here, {@code y} gets no ONNX value (nor anything computed from it).
	 */
	private <T extends Operand<TFloat32>> T mirror(T y, java.util.function.Supplier<OnnxGraph.Value> v) {
		try {
			onnxValues.put(y, v.get());
		} catch (NotMirrored e) {
			onnxValues.remove(y); // an input was built outside this class: y has no ONNX value
		}
		return y;
	}

	/** Concatenation along the channel (last) axis. */
	Operand<TFloat32> concat(List<Operand<TFloat32>> parts) {
		int rank = parts.get(0).shape().numDimensions();
		return mirror(tf.concat(parts, tf.constant(rank - 1)), () -> {
			List<OnnxGraph.Value> vs = new ArrayList<>();
			for (Operand<TFloat32> p : parts) vs.add(value(p));
			return onnx.concatChannels(vs);
		});
	}

	/** Each batch item as one row of {@code features} values, in channels-last order. */
	Operand<TFloat32> flatten(Operand<TFloat32> x, int features) {
		return mirror(tf.reshape(x, tf.constant(new int[] {-1, features})), () -> onnx.flatten(value(x)));
	}

	private OnnxGraph.Value value(Operand<?> x) {
		OnnxGraph.Value v = onnxValues.get(x);
		if (v == null) throw new NotMirrored();
		return v;
	}

	/** The variable as an ONNX weight named after it, its axes permuted to ONNX's layout. */
	private String onnxWeight(Variable<TFloat32> v, int... permutation) {
		return onnx.weight(v.op().name(), v.shape().asArray(), permutation);
	}

	List<Variable<TFloat32>> variables() {
		return variables;
	}

	List<Shape> shapes() {
		return shapes;
	}

	/** Number of trainable and non-trainable (moving average) values. */
	long parameterCount() {
		long n = 0;
		for (Shape s : shapes) n += s.size();
		for (Shape s : stateShapes) n += s.size();
		return n;
	}

	/** 'same'-padded k×k convolution with bias, no activation. */
	Operand<TFloat32> conv(String name, Operand<TFloat32> x, int k, int cin, int cout, boolean hidden) {
		Ops s = tf;
		Variable<TFloat32> w = weight(s, name + "_kernel", Shape.of(k, k, cin, cout), k * k * cin, k * k * cout, hidden);
		Variable<TFloat32> b = bias(s, name, cout);
		return mirror(s.nn.biasAdd(s.nn.conv2d(x, w, STRIDE1, "SAME"), b), () -> onnx.conv(value(x), onnxWeight(w, 3, 2, 0, 1),
			onnxWeight(b), new int[] {k, k}));
	}

	/** conv → activation, or with batch norm conv (no bias) → batch norm → activation. */
	Operand<TFloat32> convAct(String name, Operand<TFloat32> x, int k, int cin, int cout) {
		if (!options.batchNorm()) return activate(conv(name, x, k, cin, cout, true));
		Variable<TFloat32> w = weight(tf, name + "_kernel", Shape.of(k, k, cin, cout), k * k * cin, k * k * cout, true);
		Operand<TFloat32> y = mirror(tf.nn.conv2d(x, w, STRIDE1, "SAME"), () -> onnx.conv(value(x), onnxWeight(w, 3, 2, 0, 1), null,
			new int[] {k, k}));
		return activate(batchNorm(name, y, cout, 4));
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
		return mirror(s.nn.biasAdd(y, b), () -> onnx.convTranspose(value(x), onnxWeight(w, 3, 2, 0, 1), onnxWeight(b), new int[] {2, 2}));
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
		return mirror(s.nn.biasAdd(s.nn.conv3d(x, w, STRIDE1_3D, "SAME"), b), () -> onnx.conv(value(x), onnxWeight(w, 4, 3, 0, 1, 2),
			onnxWeight(b), new int[] {k, k, k}));
	}

	/** 3D conv → activation, or with batch norm 3D conv (no bias) → batch norm → activation. */
	Operand<TFloat32> convAct3d(String name, Operand<TFloat32> x, int k, int cin, int cout) {
		if (!options.batchNorm()) return activate(conv3d(name, x, k, cin, cout, true));
		Conv3dGradients.register();
		Variable<TFloat32> w = weight(tf, name + "_kernel", Shape.of(k, k, k, cin, cout), k * k * k * cin, k * k * k * cout,
			true);
		Operand<TFloat32> y = mirror(tf.nn.conv3d(x, w, STRIDE1_3D, "SAME"), () -> onnx.conv(value(x), onnxWeight(w, 4, 3, 0, 1, 2), null,
			new int[] {k, k, k}));
		return activate(batchNorm(name, y, cout, 5));
	}

	/**
	 * Batch normalisation over all axes but the last (channels) of a rank-{@code rank} tensor: in training mode
	 * {@code (y − batch mean) / √(batch variance + ε) · γ + β} with the biased batch variance, otherwise the same
	 * with the moving mean and variance. Registers the moving averages' updates ({@link #movingUpdates()}).
	 */
	Operand<TFloat32> batchNorm(String name, Operand<TFloat32> y, int channels, int rank) {
		Shape shape = Shape.of(channels);
		float[] ones = new float[channels];
		java.util.Arrays.fill(ones, 1f);
		Variable<TFloat32> gamma = track(tf.withName(name + "_bn_gamma").variable(tf.constant(shape, DataBuffers.of(ones))),
			shape);
		Variable<TFloat32> beta = track(tf.withName(name + "_bn_beta").variable(tf.constant(shape,
			DataBuffers.of(new float[channels]))), shape);
		Variable<TFloat32> movingMean = state(tf.withName(name + "_bn_moving_mean").variable(tf.constant(shape,
			DataBuffers.of(new float[channels]))), shape);
		Variable<TFloat32> movingVar = state(tf.withName(name + "_bn_moving_variance").variable(tf.constant(shape,
			DataBuffers.of(ones.clone()))), shape);
		int[] axes = new int[rank - 1];
		for (int i = 0; i < axes.length; i++) axes[i] = i;
		Operand<TFloat32> batchMean = tf.math.mean(y, tf.constant(axes));
		Operand<TFloat32> batchVar = tf.math.mean(tf.math.squaredDifference(y, tf.stopGradient(batchMean)), tf.constant(axes));
		movingUpdates.add(new MovingUpdate(movingMean, batchMean));
		movingUpdates.add(new MovingUpdate(movingVar, batchVar));
		PlaceholderWithDefault<TBool> t = trainingFlag0();
		Operand<TFloat32> mean = tf.select(t, batchMean, movingMean);
		Operand<TFloat32> var = tf.select(t, batchVar, movingVar);
		Operand<TFloat32> scale = tf.math.mul(tf.math.rsqrt(tf.math.add(var, tf.constant((float) LayerConfig.BN_EPSILON))),
			gamma);
		// y · scale + (β − mean · scale): two passes over the activations instead of three
		return mirror(tf.math.add(tf.math.mul(y, scale), tf.math.sub(beta, tf.math.mul(mean, scale))), () -> onnx.batchNorm(value(y),
			onnxWeight(gamma), onnxWeight(beta), onnxWeight(movingMean), onnxWeight(movingVar), LayerConfig.BN_EPSILON));
	}

	/**
	 * Inverted dropout with the configured rate: in training mode each value is kept with probability
	 * {@code 1 − rate} and scaled by {@code 1 / (1 − rate)}, otherwise passed through; the identity when the rate
	 * is 0. The random op is seeded from the training seed (and the dropout layer's index), so runs repeat.
	 */
	Operand<TFloat32> dropout(Operand<TFloat32> x) {
		double rate = options.dropout();
		if (rate <= 0) return x;
		dropouts++;
		Operand<TFloat32> u = tf.random.randomUniform(tf.shape(x), TFloat32.class,
			RandomUniform.seed(seed).seed2(0x44524F50L + dropouts));
		Operand<TFloat32> keep = tf.stopGradient(tf.math.div(
			tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant((float) rate)), TFloat32.class),
			tf.constant((float) (1 - rate))));
		return mirror(tf.select(trainingFlag0(), tf.math.mul(x, keep), x), () -> value(x)); // inference: the identity
	}

	private PlaceholderWithDefault<TBool> trainingFlag0() {
		if (training == null)
			training = tf.withName(TrainableNet.TRAINING).placeholderWithDefault(tf.constant(false), Shape.scalar());
		return training;
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
		return mirror(s.nn.biasAdd(y, b), () -> onnx.convTranspose(value(x), onnxWeight(w, 4, 3, 0, 1, 2), onnxWeight(b),
			new int[] {sz, 2, 2}));
	}

	/** {@code sz}×2×2 max pooling with the same stride (NDHWC). */
	Operand<TFloat32> maxPool3d(Operand<TFloat32> x, int sz) {
		List<Long> k = List.of(1L, (long) sz, 2L, 2L, 1L);
		return mirror(tf.nn.maxPool3d(x, k, k, "VALID"), () -> onnx.pool(value(x), "max", new int[] {sz, 2, 2}));
	}

	/** Fully connected layer → activation, or with batch norm dense (no bias) → batch norm → activation. */
	Operand<TFloat32> denseAct(String name, Operand<TFloat32> x, int in, int out) {
		if (!options.batchNorm()) return activate(dense(name, x, in, out, true));
		Variable<TFloat32> w = weight(tf, name + "_kernel", Shape.of(in, out), in, out, true);
		Operand<TFloat32> y = mirror(tf.linalg.matMul(x, w), () -> onnx.dense(value(x), onnxWeight(w), null));
		return activate(batchNorm(name, y, out, 2));
	}

	/** Fully connected layer with bias, no activation. */
	Operand<TFloat32> dense(String name, Operand<TFloat32> x, int in, int out, boolean hidden) {
		Ops s = tf;
		Variable<TFloat32> w = weight(s, name + "_kernel", Shape.of(in, out), in, out, hidden);
		Variable<TFloat32> b = bias(s, name, out);
		return mirror(s.nn.biasAdd(s.linalg.matMul(x, w), b), () -> onnx.dense(value(x), onnxWeight(w), onnxWeight(b)));
	}

	Operand<TFloat32> activate(Operand<TFloat32> x) {
		Operand<TFloat32> y = switch (activation) {
			case "relu" -> tf.nn.relu(x);
			case "elu" -> tf.nn.elu(x);
			case "tanh" -> tf.math.tanh(x);
			case "sigmoid" -> tf.math.sigmoid(x);
			default -> throw new IllegalArgumentException("activation = '" + activation + "' is not supported");
		};
		return mirror(y, () -> onnx.activation(value(x), activation));
	}

	/** 2×2 pooling with stride 2. */
	Operand<TFloat32> pool(Operand<TFloat32> x, String kind) {
		Operand<TFloat32> y = kind.equals("avg") ? tf.nn.avgPool(x, List.of(1L, 2L, 2L, 1L), STRIDE2, "VALID")
			: tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
		return mirror(y, () -> onnx.pool(value(x), kind, new int[] {2, 2}));
	}

	private Variable<TFloat32> weight(Ops s, String name, Shape shape, long fanIn, long fanOut, boolean hidden) {
		float[] v = initialWeights((int) shape.size(), fanIn, fanOut, hidden ? options.initFor(activation) : "glorot-normal",
			rng);
		return track(s.withName(name).variable(s.constant(shape, DataBuffers.of(v))), shape);
	}

	/**
	 * {@code n} weights of a layer drawn from {@code rng} for the initialisation {@code init} (one of
	 * {@link LayerConfig#INITS} but {@code auto}): normal ones σ · N(0, 1), uniform ones limit · U(−1, 1).
	 */
	static float[] initialWeights(int n, long fanIn, long fanOut, String init, Random rng) {
		float[] v = new float[n];
		boolean uniform = switch (init) {
			case "he-normal", "glorot-normal" -> false;
			case "he-uniform", "glorot-uniform" -> true;
			default -> throw new IllegalArgumentException("init = '" + init + "' is not supported: allowed "
				+ LayerConfig.INITS.subList(1, LayerConfig.INITS.size()));
		};
		double fans = init.startsWith("he") ? fanIn : fanIn + fanOut;
		if (uniform) {
			double limit = Math.sqrt(6.0 / fans);
			for (int i = 0; i < n; i++) v[i] = (float) ((2 * rng.nextDouble() - 1) * limit);
		} else {
			double sigma = Math.sqrt(2.0 / fans);
			for (int i = 0; i < n; i++) v[i] = (float) (rng.nextGaussian() * sigma);
		}
		return v;
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

	private Variable<TFloat32> state(Variable<TFloat32> v, Shape shape) {
		stateVariables.add(v);
		stateShapes.add(shape);
		return v;
	}
}
