package org.medcnn.nn.tf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medcnn.nn.ModelFormatException;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * A model package is code: its {@code saved_model.pb} is a TensorFlow graph, and TensorFlow has operations that read
 * and write files, open sockets or run anything. Before a session is created, this check walks the graph (and its
 * function library) and refuses the package unless
 * <ul>
 * <li>every operation is one that MedCNN's networks contain ({@link #ALLOWED}: convolutions and their transposes,
 * pooling, matrix products, activations, normalisation, concatenation, arithmetic, variables, the optimisers and
 * gradients of the exported training graph, and the SavedModel loader's save/restore ops), and</li>
 * <li>the operations that touch files ({@link #FILE_OPS}) or change variables ({@link #STATE_OPS}) feed nothing the
 * serving signature's output needs, and nothing that file-writing ops feed runs at load (the restore op, the init
 * ops the loader runs and the outputs of every other signature, {@code __saved_model_init_op} among them, must not
 * need {@code SaveV2} or {@code MergeV2Checkpoints}).</li>
 * </ul>
 * The message names the package, the operation and its node. Stateless.
 */
final class GraphPolicy {

	/** Operation types MedCNN's exported graphs contain (checked by a test that builds every architecture and option). */
	static final Set<String> ALLOWED = Set.of("Abs", "Add", "AddN", "AddV2", "ApplyAdam", "ApplyGradientDescent",
		"ApplyMomentum", "Assign", "AvgPool", "AvgPoolGrad", "BiasAdd", "BiasAddGrad", "BroadcastGradientArgs", "Cast",
		"ConcatOffset", "ConcatV2", "Const", "Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput", "Conv3D",
		"Conv3DBackpropFilterV2", "Conv3DBackpropInputV2", "Div", "DynamicStitch", "Elu", "EluGrad", "Exp", "Fill",
		"GreaterEqual", "Identity", "IdentityN", "Log", "Log1p", "LogSoftmax", "MatMul", "MaxPool", "MaxPool3D",
		"MaxPool3DGrad", "MaxPoolGrad", "MaxPoolGradV2", "MaxPoolV2", "Maximum", "Mean", "Minimum", "Mod", "Mul", "Neg",
		"NoOp", "OnesLike", "Pack", "Placeholder", "PlaceholderWithDefault", "Prod", "RandomUniform", "Range", "RealDiv",
		"Reciprocal", "Relu", "ReluGrad", "Reshape", "RestoreV2", "Rsqrt", "RsqrtGrad", "SaveV2", "Select", "SelectV2",
		"Shape", "ShapeN", "Sigmoid", "SigmoidGrad", "Sign", "Size", "Slice", "Softmax", "Sqrt", "Square",
		"SquaredDifference", "StopGradient", "StridedSlice", "Sub", "Sum", "Tanh", "TanhGrad", "Tile", "VariableV2",
		"ZerosLike", "MergeV2Checkpoints", "ShardedFilename", "StringJoin");
	/** Operations that read or write files: the loader's restore and the exporter's save, nothing else. */
	static final Set<String> FILE_OPS = Set.of("SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename", "StringJoin");
	/** Operations that change variables: training and restoring only. */
	static final Set<String> STATE_OPS = Set.of("Assign", "ApplyAdam", "ApplyGradientDescent", "ApplyMomentum");
	/** Operations that write files. */
	static final Set<String> WRITE_OPS = Set.of("SaveV2", "MergeV2Checkpoints");
	/** The largest {@code saved_model.pb} read (MedCNN's are under 1 MB: the weights live in variables/). */
	static final long MAX_GRAPH_BYTES = 64L << 20;
	/** Collections whose ops the SavedModel loader runs. */
	static final List<String> INIT_COLLECTIONS = List.of("saved_model_main_op", "legacy_init_op", "init_op",
		"table_initializer", "saved_model_assets");

	private GraphPolicy() {}

	/**
	 * Checks {@code savedModelDir/saved_model.pb} of the package {@code pkg}.
	 *
	 * @param signature the signature the package is run through ({@code serving_default})
	 * @throws ModelFormatException when the graph breaks the policy, cannot be parsed, or is too large
	 */
	static void check(Path pkg, Path savedModelDir, String signature) throws ModelFormatException {
		Path pb = savedModelDir.resolve("saved_model.pb");
		SavedModel sm;
		try {
			long size = Files.size(pb);
			if (size > MAX_GRAPH_BYTES)
				throw new ModelFormatException(pkg, null, "has a saved_model.pb of " + size + " bytes; MedCNN's graphs are"
					+ " under " + (MAX_GRAPH_BYTES >> 20) + " MB (the weights live in variables/)");
			try (InputStream in = Files.newInputStream(pb)) {
				sm = SavedModel.parseFrom(in);
			}
		} catch (ModelFormatException e) {
			throw e;
		} catch (IOException | RuntimeException e) {
			throw new ModelFormatException(pkg, "saved_model.pb cannot be parsed as a TensorFlow SavedModel: " + e.getMessage(), e);
		}
		if (sm.getMetaGraphsCount() == 0) throw new ModelFormatException(pkg, null, "has a saved_model.pb without a graph");
		for (MetaGraphDef mg : sm.getMetaGraphsList()) check(pkg, mg, signature);
	}

	private static void check(Path pkg, MetaGraphDef mg, String signature) throws ModelFormatException {
		Map<String, NodeDef> nodes = new HashMap<>();
		for (NodeDef n : mg.getGraphDef().getNodeList()) {
			allowed(pkg, n, "");
			nodes.put(n.getName(), n);
		}
		for (FunctionDef f : mg.getGraphDef().getLibrary().getFunctionList())
			for (NodeDef n : f.getNodeDefList()) allowed(pkg, n, " in function " + f.getSignature().getName());
		SignatureDef sig = mg.getSignatureDefMap().get(signature);
		if (sig != null)
			for (TensorInfo t : sig.getOutputsMap().values())
				refuseAncestors(pkg, nodes, List.of(nodeName(t.getName())), union(FILE_OPS, STATE_OPS),
					"the signature's output \"" + t.getName() + "\"");
		List<String> loadTime = new ArrayList<>();
		if (!mg.getSaverDef().getRestoreOpName().isEmpty()) loadTime.add(nodeName(mg.getSaverDef().getRestoreOpName()));
		for (String c : INIT_COLLECTIONS) {
			CollectionDef cd = mg.getCollectionDefMap().get(c);
			if (cd != null) for (String n : cd.getNodeList().getValueList()) loadTime.add(nodeName(n));
		}
		// Every other signature counts as run at load: the loader runs "__saved_model_init_op" after the restore, and
		// MedCNN never runs any other one.
		for (Map.Entry<String, SignatureDef> e : mg.getSignatureDefMap().entrySet())
			if (!e.getKey().equals(signature))
				for (TensorInfo t : e.getValue().getOutputsMap().values()) loadTime.add(nodeName(t.getName()));
		if (!loadTime.isEmpty()) refuseAncestors(pkg, nodes, loadTime, WRITE_OPS, "what the loader runs");
	}

	private static Set<String> union(Set<String> a, Set<String> b) {
		Set<String> s = new HashSet<>(a);
		s.addAll(b);
		return s;
	}

	private static void allowed(Path pkg, NodeDef n, String where) throws ModelFormatException {
		if (!ALLOWED.contains(n.getOp()))
			throw new ModelFormatException(pkg, null, "has a graph with the operation '" + n.getOp() + "' (node \""
				+ n.getName() + "\"" + where + "), which MedCNN's networks never contain; a model package must not run"
				+ " other operations (they can read and write files or reach the network), so it is refused");
	}

	/** Refuses when a node of a {@code forbidden} type is an ancestor (by data or control input) of {@code roots}. */
	private static void refuseAncestors(Path pkg, Map<String, NodeDef> nodes, List<String> roots, Set<String> forbidden,
		String what) throws ModelFormatException {
		Set<String> seen = new HashSet<>();
		Deque<String> todo = new ArrayDeque<>(roots);
		while (!todo.isEmpty()) {
			String name = todo.pop();
			if (!seen.add(name)) continue;
			NodeDef n = nodes.get(name);
			if (n == null) continue;
			if (forbidden.contains(n.getOp()))
				throw new ModelFormatException(pkg, null, "has a graph in which " + what + " needs the operation '" + n.getOp()
					+ "' (node \"" + n.getName() + "\"): running the model would " + (STATE_OPS.contains(n.getOp())
						? "change its own weights" : "read or write files") + "; refused");
			for (String in : n.getInputList()) todo.push(nodeName(in));
		}
	}

	/** "^name", "name:1" → "name". */
	static String nodeName(String input) {
		String s = input.startsWith("^") ? input.substring(1) : input;
		int colon = s.indexOf(':');
		return colon >= 0 ? s.substring(0, colon) : s;
	}
}
