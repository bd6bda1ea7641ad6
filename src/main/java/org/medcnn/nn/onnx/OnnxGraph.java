package org.medcnn.nn.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX inference graph (opset {@value #OPSET}, IR version {@value #IR_VERSION}) built layer by layer beside a
 * MedCNN network, and serialised as an ONNX {@code ModelProto} once the trained weights are known.
 * <p>
 * Layouts: the graph's input and output have the layout of the SavedModel's serving signature (channels last: NHWC,
 * or NDHWC for 3D); convolutions, pooling and batch norm run channels first as ONNX defines them, so values carry
 * their layout ({@link Value#channelsFirst()}) and are transposed only where an operation needs the other one
 * ({@link #channelsFirst}, {@link #channelsLast}, each at most once per value).
 * <p>
 * Weights are declared with {@link #weight} by a key (the network's variable name), their shape in the network's
 * own layout and the axis permutation to ONNX's layout; {@link #toBytes} reads the values by key, permutes them and
 * writes them as float32 initializers. The graph is never given the values before then, so it can be built while the
 * network is built, before training. Not thread-safe.
 */
public final class OnnxGraph {

	/** The ONNX operator set version written. */
	public static final int OPSET = 17;
	/** The ONNX IR version written (the version that introduced opset 17's era, accepted by every runtime of it). */
	public static final int IR_VERSION = 8;
	/** The producer name recorded in the model. */
	public static final String PRODUCER = "MedCNN";

	/** A tensor of the graph: name, rank, and whether its channel axis is axis 1 (else the last axis). */
	public record Value(String name, int rank, boolean channelsFirst) {}

	private record Weight(String name, String key, long[] sourceShape, int[] permutation) {}

	private record Io(String name, long[] dims, String[] params) {}

	private final List<ProtoWriter> nodes = new ArrayList<>();
	private final List<Weight> weights = new ArrayList<>();
	private final Map<String, Value> converted = new HashMap<>();
	private final List<Io> inputs = new ArrayList<>(), outputs = new ArrayList<>();
	private int counter;

	/**
	 * Declares the graph input, channels last.
	 *
	 * @param dims the dimensions, -1 for a dynamic one
	 * @param params names of the dynamic dimensions, one per -1 in order (e.g. {@code batch, height, width})
	 */
	public Value input(String name, long[] dims, String... params) {
		inputs.add(new Io(name, dims.clone(), params.clone()));
		return new Value(name, dims.length, false);
	}

	/**
	 * Declares the graph output: {@code v} brought channels last under the name {@code name}.
	 *
	 * @param dims as for {@link #input}
	 */
	public void output(String name, Value v, long[] dims, String... params) {
		Value last = v.rank() > 2 ? channelsLast(v) : v;
		node("Identity", List.of(last.name()), List.of(name), Map.of());
		outputs.add(new Io(name, dims.clone(), params.clone()));
	}

	/**
	 * Declares a float32 weight read at {@link #toBytes} time: the values of {@code key}, of shape
	 * {@code sourceShape} (row-major), permuted so that ONNX axis {@code i} is source axis {@code permutation[i]}.
	 *
	 * @return the initializer's name
	 */
	public String weight(String key, long[] sourceShape, int... permutation) {
		int[] perm = permutation.length == 0 ? identity(sourceShape.length) : permutation.clone();
		if (perm.length != sourceShape.length)
			throw new IllegalArgumentException("weight " + key + ": permutation " + Arrays.toString(perm) + " does not fit shape "
				+ Arrays.toString(sourceShape));
		String name = key;
		weights.add(new Weight(name, key, sourceShape.clone(), perm));
		return name;
	}

	/** {@code v} with its channel axis first (a Transpose when it is last); rank 2 values are returned as they are. */
	public Value channelsFirst(Value v) {
		if (v.channelsFirst() || v.rank() <= 2) return v;
		return converted.computeIfAbsent(v.name() + "#cf", k -> {
			int r = v.rank();
			long[] perm = new long[r];
			perm[1] = r - 1;
			for (int i = 2; i < r; i++) perm[i] = i - 1;
			return new Value(node("Transpose", List.of(v.name()), Map.of("perm", perm)), r, true);
		});
	}

	/** {@code v} with its channel axis last (a Transpose when it is first); rank 2 values are returned as they are. */
	public Value channelsLast(Value v) {
		if (!v.channelsFirst() || v.rank() <= 2) return v;
		return converted.computeIfAbsent(v.name() + "#cl", k -> {
			int r = v.rank();
			long[] perm = new long[r];
			for (int i = 1; i < r - 1; i++) perm[i] = i + 1;
			perm[r - 1] = 1;
			return new Value(node("Transpose", List.of(v.name()), Map.of("perm", perm)), r, false);
		});
	}

	/**
	 * Convolution with stride 1 and 'same' zero padding of an odd kernel ({@code kernel} per spatial axis).
	 *
	 * @param bias initializer name, or null for none
	 */
	public Value conv(Value x, String kernelWeight, String bias, int[] kernel) {
		Value in = channelsFirst(x);
		long[] pads = new long[2 * kernel.length];
		for (int i = 0; i < kernel.length; i++) {
			if (kernel[i] % 2 == 0) throw new IllegalArgumentException("'same' padding needs an odd kernel, not " + kernel[i]);
			pads[i] = pads[i + kernel.length] = kernel[i] / 2;
		}
		long[] ks = longs(kernel), ones = new long[kernel.length];
		Arrays.fill(ones, 1);
		List<String> ins = bias == null ? List.of(in.name(), kernelWeight) : List.of(in.name(), kernelWeight, bias);
		return cf(node("Conv", ins, attrs("kernel_shape", ks, "pads", pads, "strides", ones, "dilations", ones)), in.rank());
	}

	/** Transposed convolution with kernel = stride (each spatial axis multiplied by its stride), with bias. */
	public Value convTranspose(Value x, String kernelWeight, String bias, int[] kernel) {
		Value in = channelsFirst(x);
		long[] ks = longs(kernel), pads = new long[2 * kernel.length];
		return cf(node("ConvTranspose", List.of(in.name(), kernelWeight, bias), attrs("kernel_shape", ks, "strides", ks,
			"pads", pads)), in.rank());
	}

	/** Max or average pooling ({@code "max"}, {@code "avg"}) with kernel = stride, no padding (TensorFlow's VALID). */
	public Value pool(Value x, String kind, int[] kernel) {
		Value in = channelsFirst(x);
		long[] ks = longs(kernel), pads = new long[2 * kernel.length];
		String op = kind.equals("avg") ? "AveragePool" : "MaxPool";
		return cf(node(op, List.of(in.name()), attrs("kernel_shape", ks, "strides", ks, "pads", pads)), in.rank());
	}

	/** Batch normalisation in inference form over the channel axis: {@code (x − mean) / √(var + ε) · γ + β}. */
	public Value batchNorm(Value x, String gamma, String beta, String mean, String variance, double epsilon) {
		Value in = channelsFirst(x);
		Map<String, Object> a = new LinkedHashMap<>();
		a.put("epsilon", (float) epsilon);
		return new Value(node("BatchNormalization", List.of(in.name(), gamma, beta, mean, variance), a), in.rank(), in.channelsFirst());
	}

	/** An element-wise activation: {@code relu}, {@code elu} (α = 1), {@code tanh} or {@code sigmoid}. */
	public Value activation(Value x, String activation) {
		String op = switch (activation) {
			case "relu" -> "Relu";
			case "elu" -> "Elu";
			case "tanh" -> "Tanh";
			case "sigmoid" -> "Sigmoid";
			default -> throw new IllegalArgumentException("activation = '" + activation + "' has no ONNX export");
		};
		Map<String, Object> a = op.equals("Elu") ? Map.of("alpha", 1f) : Map.of();
		return new Value(node(op, List.of(x.name()), a), x.rank(), x.channelsFirst());
	}

	/** Softmax over the last axis. */
	public Value softmax(Value x) {
		return new Value(node("Softmax", List.of(x.name()), Map.of("axis", -1L)), x.rank(), x.channelsFirst());
	}

	/** Concatenation along the channel axis, in the given order. */
	public Value concatChannels(List<Value> parts) {
		List<String> names = new ArrayList<>();
		int rank = parts.get(0).rank();
		for (Value p : parts) names.add(channelsFirst(p).name());
		return cf(node("Concat", names, Map.of("axis", 1L)), rank);
	}

	/**
	 * Flattens every item of the batch in channels-last order (as a TensorFlow reshape of an NHWC tensor to
	 * {@code [-1, h·w·c]} does).
	 */
	public Value flatten(Value x) {
		Value last = channelsLast(x);
		return new Value(node("Flatten", List.of(last.name()), Map.of("axis", 1L)), 2, false);
	}

	/** {@code x · w (+ b)} for a rank-2 {@code x} and a {@code [in, out]} weight. */
	public Value dense(Value x, String w, String bias) {
		if (bias == null) return new Value(node("MatMul", List.of(x.name(), w), Map.of()), 2, false);
		return new Value(node("Gemm", List.of(x.name(), w, bias), Map.of()), 2, false);
	}

	private static Value cf(String name, int rank) {
		return new Value(name, rank, true);
	}

	private static Map<String, Object> attrs(Object... kv) {
		Map<String, Object> m = new LinkedHashMap<>();
		for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
		return m;
	}

	private static long[] longs(int[] a) {
		long[] out = new long[a.length];
		for (int i = 0; i < a.length; i++) out[i] = a[i];
		return out;
	}

	private static int[] identity(int n) {
		int[] p = new int[n];
		for (int i = 0; i < n; i++) p[i] = i;
		return p;
	}

	/** Adds a node with one fresh output and returns the output's name. */
	private String node(String op, List<String> in, Map<String, Object> attributes) {
		String out = op.toLowerCase(java.util.Locale.ROOT) + "_" + (++counter);
		node(op, in, List.of(out), attributes);
		return out;
	}

	private void node(String op, List<String> in, List<String> out, Map<String, Object> attributes) {
		ProtoWriter n = new ProtoWriter();
		for (String s : in) n.string(1, s);
		for (String s : out) n.string(2, s);
		n.string(3, op + "_" + nodes.size());
		n.string(4, op);
		for (Map.Entry<String, Object> e : attributes.entrySet()) n.message(5, attribute(e.getKey(), e.getValue()));
		nodes.add(n);
	}

	/** AttributeProto: name 1, type 20 (FLOAT 1, INT 2, INTS 7), f 2, i 3, ints 8. */
	private static ProtoWriter attribute(String name, Object v) {
		ProtoWriter a = new ProtoWriter().string(1, name);
		if (v instanceof Float f) a.float32(2, f).int64(20, 1);
		else if (v instanceof Long l) a.int64(3, l).int64(20, 2);
		else if (v instanceof long[] ls) {
			for (long l : ls) a.int64(8, l);
			a.int64(20, 7);
		} else throw new IllegalArgumentException("attribute " + name + ": unsupported value " + v);
		return a;
	}

	/** The names of the declared weights' keys, in declaration order. */
	public List<String> weightKeys() {
		List<String> out = new ArrayList<>();
		for (Weight w : weights) out.add(w.key());
		return out;
	}

	/**
	 * The serialised {@code ModelProto}.
	 *
	 * @param values every declared weight's values by key, in the source layout (not changed)
	 * @param docString what the model is, recorded in the model
	 * @throws IllegalArgumentException naming the weight when one is missing or has the wrong number of values
	 */
	public byte[] toBytes(Map<String, float[]> values, String producerVersion, String docString) {
		ProtoWriter graph = new ProtoWriter();
		for (ProtoWriter n : nodes) graph.message(1, n);
		graph.string(2, "medcnn");
		for (Weight w : weights) {
			float[] v = values.get(w.key());
			long n = 1;
			for (long d : w.sourceShape()) n *= d;
			if (v == null) throw new IllegalArgumentException("ONNX export: the network has no weight " + w.key());
			if (v.length != n)
				throw new IllegalArgumentException("ONNX export: weight " + w.key() + " has " + v.length + " values, its shape "
					+ Arrays.toString(w.sourceShape()) + " needs " + n);
			graph.message(5, floatTensor(w.name(), permutedShape(w), permute(v, w.sourceShape(), w.permutation())));
		}
		for (Io io : inputs) graph.message(11, valueInfo(io));
		for (Io io : outputs) graph.message(12, valueInfo(io));
		ProtoWriter model = new ProtoWriter().int64(1, IR_VERSION).string(2, PRODUCER).string(3, producerVersion)
			.string(4, "org.medcnn").int64(5, 1).string(6, docString).message(7, graph)
			.message(8, new ProtoWriter().string(1, "").int64(2, OPSET));
		return model.toByteArray();
	}

	private static long[] permutedShape(Weight w) {
		long[] d = new long[w.permutation().length];
		for (int i = 0; i < d.length; i++) d[i] = w.sourceShape()[w.permutation()[i]];
		return d;
	}

	/** Row-major {@code v} of shape {@code shape} with its axes reordered: output axis i = input axis perm[i]. */
	static float[] permute(float[] v, long[] shape, int[] perm) {
		int r = shape.length;
		long[] srcStride = new long[r];
		long s = 1;
		for (int i = r - 1; i >= 0; i--) {
			srcStride[i] = s;
			s *= shape[i];
		}
		long[] outDims = new long[r], step = new long[r];
		for (int i = 0; i < r; i++) {
			outDims[i] = shape[perm[i]];
			step[i] = srcStride[perm[i]];
		}
		float[] out = new float[v.length];
		long[] idx = new long[r];
		long src = 0;
		for (int o = 0; o < out.length; o++) {
			out[o] = v[(int) src];
			for (int a = r - 1; a >= 0; a--) {
				idx[a]++;
				src += step[a];
				if (idx[a] < outDims[a]) break;
				src -= step[a] * outDims[a];
				idx[a] = 0;
			}
		}
		return out;
	}

	/** TensorProto: dims 1, data_type 2 (FLOAT 1), name 8, raw_data 9 (little-endian). */
	private static ProtoWriter floatTensor(String name, long[] dims, float[] v) {
		ProtoWriter t = new ProtoWriter();
		for (long d : dims) t.int64(1, d);
		t.int64(2, 1).string(8, name);
		ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
		bb.asFloatBuffer().put(v);
		return t.bytes(9, bb.array());
	}

	/** ValueInfoProto {name 1, type 2: TypeProto {tensor_type 1: {elem_type 1 = FLOAT, shape 2: {dim 1}}}}. */
	private static ProtoWriter valueInfo(Io io) {
		ProtoWriter shape = new ProtoWriter();
		int p = 0;
		for (long d : io.dims()) {
			ProtoWriter dim = new ProtoWriter();
			if (d >= 0) dim.int64(1, d);
			else dim.string(2, io.params()[p++]);
			shape.message(1, dim);
		}
		ProtoWriter tensor = new ProtoWriter().int64(1, 1).message(2, shape);
		return new ProtoWriter().string(1, io.name()).message(2, new ProtoWriter().message(1, tensor));
	}
}
