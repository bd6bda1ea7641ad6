package org.medcnn.nn.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An ONNX model is code for ONNX Runtime: custom-domain operators load native libraries, tensors may point at
 * external data files anywhere, and control-flow operators hide subgraphs. Before a session is created, this check
 * parses the {@code ModelProto} and refuses it unless
 * <ul>
 * <li>it imports only the default operator set ({@code ""} or {@code ai.onnx}) and every node's operator is one that
 * MedCNN's exported networks contain ({@link #ALLOWED}), in the default domain;</li>
 * <li>no attribute holds a graph, no initializer keeps its data outside the file (external data), and the model has
 * no local functions or training information;</li>
 * <li>the graph has the input {@value #INPUT} and the output {@value #OUTPUT}.</li>
 * </ul>
 * Stateless.
 */
public final class OnnxPolicy {

	/** Operators MedCNN writes ({@link OnnxGraph}). */
	public static final Set<String> ALLOWED = Set.of("AveragePool", "BatchNormalization", "Concat", "Conv", "ConvTranspose",
		"Elu", "Flatten", "Gemm", "Identity", "MatMul", "MaxPool", "Relu", "Sigmoid", "Softmax", "Tanh", "Transpose");
	public static final String INPUT = "input", OUTPUT = "output";

	// ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto field numbers (onnx.proto)
	private static final int MODEL_GRAPH = 7, MODEL_OPSET = 8, MODEL_TRAINING_INFO = 20, MODEL_FUNCTIONS = 25;
	private static final int GRAPH_NODE = 1, GRAPH_INITIALIZER = 5, GRAPH_SPARSE_INITIALIZER = 15, GRAPH_INPUT = 11,
		GRAPH_OUTPUT = 12;
	private static final int NODE_OP_TYPE = 4, NODE_DOMAIN = 7, NODE_ATTRIBUTE = 5, NODE_NAME = 3;
	private static final int ATTR_NAME = 1, ATTR_GRAPH = 6, ATTR_GRAPHS = 11, ATTR_TYPE = 20;
	private static final int TENSOR_NAME = 8, TENSOR_EXTERNAL_DATA = 13, TENSOR_DATA_LOCATION = 14;

	/** What the check found: the operators used, the opset version and the IR version. */
	public record Summary(Set<String> operators, long opset, long irVersion, int nodes) {}

	private OnnxPolicy() {}

	/**
	 * Checks a serialised ONNX model.
	 *
	 * @return what it holds
	 * @throws IllegalArgumentException with the reason (the operator and its node, or the field) when it is refused or
	 *         cannot be parsed
	 */
	public static Summary check(byte[] model) {
		Set<String> ops = new TreeSet<>();
		long opset = -1, ir = -1;
		int nodes = 0;
		List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
		boolean graphSeen = false;
		ProtoReader m = new ProtoReader(model, "ModelProto");
		while (m.next()) {
			switch (m.field()) {
				case 1 -> ir = m.varint();
				case MODEL_OPSET -> {
					ProtoReader o = m.message("opset_import");
					String domain = "";
					long version = -1;
					while (o.next()) {
						if (o.field() == 1) domain = o.string();
						else if (o.field() == 2) version = o.varint();
						else o.skip();
					}
					if (!domain.isEmpty() && !domain.equals("ai.onnx"))
						throw new IllegalArgumentException("imports the operator set '" + domain + "', not only ONNX's own");
					opset = version;
				}
				case MODEL_GRAPH -> {
					graphSeen = true;
					ProtoReader g = m.message("graph");
					while (g.next()) {
						switch (g.field()) {
							case GRAPH_NODE -> {
								nodes++;
								ops.add(node(g.message("node")));
							}
							case GRAPH_INITIALIZER -> tensor(g.message("initializer"));
							case GRAPH_SPARSE_INITIALIZER -> throw new IllegalArgumentException("has sparse initializers, which"
								+ " MedCNN never writes");
							case GRAPH_INPUT -> inputs.add(valueName(g.message("input")));
							case GRAPH_OUTPUT -> outputs.add(valueName(g.message("output")));
							default -> g.skip();
						}
					}
				}
				case MODEL_TRAINING_INFO -> throw new IllegalArgumentException("has training information (training_info),"
					+ " which MedCNN never writes");
				case MODEL_FUNCTIONS -> throw new IllegalArgumentException("has model-local functions, which MedCNN never writes");
				default -> m.skip();
			}
		}
		if (!graphSeen || nodes == 0) throw new IllegalArgumentException("has no graph (no nodes)");
		if (opset < 0) throw new IllegalArgumentException("imports no ONNX operator set");
		if (!inputs.contains(INPUT) || !outputs.contains(OUTPUT))
			throw new IllegalArgumentException("must have the input '" + INPUT + "' and the output '" + OUTPUT + "', has "
				+ inputs + " → " + outputs);
		return new Summary(ops, opset, ir, nodes);
	}

	private static String node(ProtoReader n) {
		String op = null, domain = "", name = "";
		List<ProtoReader> attributes = new ArrayList<>();
		while (n.next()) {
			switch (n.field()) {
				case NODE_OP_TYPE -> op = n.string();
				case NODE_DOMAIN -> domain = n.string();
				case NODE_NAME -> name = n.string();
				case NODE_ATTRIBUTE -> attributes.add(n.message("attribute"));
				default -> n.skip();
			}
		}
		String where = "node '" + name + "'";
		if (op == null) throw new IllegalArgumentException(where + " has no operator");
		if (!domain.isEmpty() && !domain.equals("ai.onnx"))
			throw new IllegalArgumentException(where + " uses operator " + op + " of domain '" + domain + "', not ONNX's own");
		if (!ALLOWED.contains(op))
			throw new IllegalArgumentException(where + " uses operator " + op + ", which MedCNN's networks do not contain"
				+ " (allowed: " + new TreeSet<>(ALLOWED) + ")");
		for (ProtoReader a : attributes) {
			String attr = "";
			while (a.next()) {
				switch (a.field()) {
					case ATTR_NAME -> attr = a.string();
					case ATTR_GRAPH, ATTR_GRAPHS -> throw new IllegalArgumentException(where + " (" + op + ") has a subgraph"
						+ " attribute '" + attr + "'");
					case ATTR_TYPE -> {
						long t = a.varint();
						if (t == 5 || t == 10) throw new IllegalArgumentException(where + " (" + op + ") has a graph attribute");
					}
					default -> a.skip();
				}
			}
		}
		return op;
	}

	private static void tensor(ProtoReader t) {
		String name = "";
		while (t.next()) {
			switch (t.field()) {
				case TENSOR_NAME -> name = t.string();
				case TENSOR_EXTERNAL_DATA -> throw new IllegalArgumentException("initializer '" + name + "' keeps its data in"
					+ " an external file");
				case TENSOR_DATA_LOCATION -> {
					if (t.varint() != 0)
						throw new IllegalArgumentException("initializer '" + name + "' keeps its data in an external file");
				}
				default -> t.skip();
			}
		}
	}

	private static String valueName(ProtoReader v) {
		String name = "";
		while (v.next()) {
			if (v.field() == 1) name = v.string();
			else v.skip();
		}
		return name;
	}

	/** A bounds-checked reader of one protobuf message's fields. */
	static final class ProtoReader {
		private final byte[] b;
		private final String what;
		private int pos;
		private final int end;
		private int field, wireType;

		ProtoReader(byte[] b, String what) {
			this(b, 0, b.length, what);
		}

		private ProtoReader(byte[] b, int start, int end, String what) {
			this.b = b;
			this.pos = start;
			this.end = end;
			this.what = what;
		}

		/** Reads the next field's key; false at the end of the message. */
		boolean next() {
			if (pos >= end) return false;
			long key = rawVarint();
			field = (int) (key >>> 3);
			wireType = (int) (key & 7);
			if (field <= 0) throw damaged("field number " + field);
			return true;
		}

		int field() {
			return field;
		}

		long varint() {
			if (wireType != 0) throw damaged("field " + field + " is not a varint");
			return rawVarint();
		}

		String string() {
			return new String(bytes(), StandardCharsets.UTF_8);
		}

		ProtoReader message(String name) {
			int len = length(name);
			ProtoReader r = new ProtoReader(b, pos, pos + len, name);
			pos += len;
			return r;
		}

		void skip() {
			switch (wireType) {
				case 0 -> rawVarint();
				case 1 -> advance(8);
				case 2 -> advance(length("field " + field));
				case 5 -> advance(4);
				default -> throw damaged("field " + field + " has wire type " + wireType);
			}
		}

		private byte[] bytes() {
			int len = length("field " + field);
			byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + len);
			pos += len;
			return out;
		}

		private int length(String name) {
			if (wireType != 2) throw damaged(name + " (field " + field + ") is not length-delimited");
			long len = rawVarint();
			if (len < 0 || len > end - pos) throw damaged(name + " claims " + len + " bytes, " + (end - pos) + " remain");
			return (int) len;
		}

		private void advance(int n) {
			if (n > end - pos) throw damaged("field " + field + " runs past the end");
			pos += n;
		}

		private long rawVarint() {
			long v = 0;
			for (int shift = 0; shift < 64; shift += 7) {
				if (pos >= end) throw damaged("a number runs past the end");
				int x = b[pos++];
				v |= (long) (x & 0x7F) << shift;
				if ((x & 0x80) == 0) return v;
			}
			throw damaged("a number is longer than ten bytes");
		}

		private IllegalArgumentException damaged(String detail) {
			return new IllegalArgumentException("is not a valid ONNX model (" + what + ": " + detail + ")");
		}
	}
}
