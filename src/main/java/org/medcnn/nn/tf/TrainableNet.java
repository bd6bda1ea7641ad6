package org.medcnn.nn.tf;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medcnn.common.Closeables;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.onnx.OnnxGraph;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.framework.optimizers.Momentum;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * A training graph and its session: named endpoints ({@link #INPUT}, {@link #TARGET}, {@link #LOGITS},
 * {@link #OUTPUT}, {@link #LOSS}, {@link #TRAIN}), the weight variables and ops to snapshot and restore them.
 * <p>
 * Nets with batch norm or dropout have a boolean {@link #TRAINING} placeholder that defaults to false
 * (inference: moving statistics, no dropout); training steps feed it true ({@link #feedTraining}). Batch norm's
 * moving averages belong to the snapshots and the SavedModel but get no gradients or optimizer slots: gradients
 * are taken over the trainable variables only, and the train op also assigns the moving averages, after all
 * gradients are computed.
 * <p>
 * Owns the {@link Graph} and {@link Session}; {@link #close()} closes the session, then the graph. Not
 * thread-safe.
 */
final class TrainableNet implements AutoCloseable {

	static final String INPUT = "input";
	static final String TARGET = "target";
	static final String LOGITS = "logits";
	static final String OUTPUT = "output";
	static final String LOSS = "loss";
	static final String TRAIN = "train";
	/** The global L2 norm of the weight gradients, when the net clips them ({@link TrainingConfig#clipNorm()}). */
	static final String GRAD_NORM = "grad_norm";
	/** The training-mode flag (batch norm, dropout): a boolean placeholder with default false. */
	static final String TRAINING = "training";
	static final String SIGNATURE_KEY = Signature.DEFAULT_KEY;

	/** Builds logits from the input; implementations create their weights through the given {@link Layers}. */
	interface Architecture {
		Operand<TFloat32> logits(Layers layers, Operand<TFloat32> input);
	}

	final Graph graph;
	final Session session;
	final Placeholder<TFloat32> input;
	final Placeholder<TFloat32> target;
	final Operand<TFloat32> output;
	final Operand<TFloat32> loss;
	final Op train;
	/** The steps' global gradient norm before clipping ({@link #GRAD_NORM}); null when the net does not clip. */
	final Output<TFloat32> gradNorm;
	final boolean binary;
	final long parameterCount;
	/** Trainable variables, then the moving averages. */
	private final List<Variable<TFloat32>> variables;
	private final List<Shape> shapes;
	/** The training-mode flag, {@code null} without batch norm and dropout. */
	private final PlaceholderWithDefault<TBool> training;
	private final TBool trainingTrue;
	private final List<Placeholder<TFloat32>> restoreFeeds = new ArrayList<>();
	private final List<Op> restoreOps = new ArrayList<>();
	/** Learning-rate schedule ops, {@code null} with a constant schedule: see {@link #scaleLastStep}. */
	private final Op keepWeights;
	private final Op scaleStep;
	private final Placeholder<TFloat32> stepScale;
	/** Every variable of the graph (weights, optimizer state, …), for checkpoints: see {@link #fullState()}. */
	private final List<Output<TFloat32>> stateVars = new ArrayList<>();
	private final List<String> stateNames = new ArrayList<>();
	private final List<Placeholder<TFloat32>> stateFeeds = new ArrayList<>();
	private final List<Op> stateAssigns = new ArrayList<>();
	private final String fingerprint;
	/** The inference graph in ONNX ({@link #onnxModel}); null for a net built partly outside {@link Layers}. */
	private final OnnxGraph onnx;

	/**
	 * @param inputShape e.g. {@code [-1, -1, -1, 1]}
	 * @param targetShape e.g. {@code [-1, -1, -1, 1]} (segmenter) or {@code [-1, k]} (classifier)
	 * @param binary sigmoid output with binary losses (segmenter) instead of softmax (classifier)
	 */
	TrainableNet(Shape inputShape, Shape targetShape, boolean binary, Architecture arch, TrainingConfig tc) {
		this.binary = binary;
		graph = new Graph();
		Session opened = null;
		try {
			Ops tf = Ops.create(graph);
			input = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(inputShape));
			Layers layers = new Layers(tf, tc.seed(), tc.activation());
			layers.onnxInput(input, INPUT, inputShape.asArray(), dynamicNames(inputShape));
			Operand<TFloat32> netLogits = arch.logits(layers, input);
			Operand<TFloat32> logits = tf.withName(LOGITS).identity(netLogits);
			OnnxGraph.Value onnxLogits = layers.onnxValue(netLogits);
			onnx = onnxLogits == null ? null : layers.onnx();
			if (onnx != null)
				onnx.output(OUTPUT, binary ? onnx.activation(onnxLogits, "sigmoid") : onnx.softmax(onnxLogits),
					targetShape.asArray(), dynamicNames(targetShape));
			output = binary ? tf.withName(OUTPUT).math.sigmoid(logits) : tf.withName(OUTPUT).nn.softmax(logits);
			target = tf.withName(TARGET).placeholder(TFloat32.class, Placeholder.shape(targetShape));
			loss = tf.withName(LOSS).identity(Losses.of(tf.withSubScope("loss_fn"), tc.loss(), binary, logits, output, target));
			List<Variable<TFloat32>> trainable = List.copyOf(layers.variables());
			List<Shape> trainableShapes = List.copyOf(layers.shapes());
			List<Variable<TFloat32>> all = new ArrayList<>(trainable);
			all.addAll(layers.stateVariables());
			List<Shape> allShapes = new ArrayList<>(trainableShapes);
			allShapes.addAll(layers.stateShapes());
			variables = List.copyOf(all);
			shapes = List.copyOf(allShapes);
			parameterCount = layers.parameterCount();
			training = layers.trainingFlag();
			Optimizer opt = switch (tc.optimizer()) {
				case "sgd" -> new GradientDescent(graph, (float) tc.learningRate());
				case "momentum" -> new Momentum(graph, (float) tc.learningRate(), 0.9f);
				case "adam" -> new Adam(graph, (float) tc.learningRate());
				default -> throw new IllegalArgumentException("optimizer = '" + tc.optimizer() + "' is not supported");
			};
			train = minimize(graph, tf, opt, loss, trainable, layers.movingUpdates(), tc.clipNorm());
			gradNorm = tc.clipNorm() > 0 ? graph.operation("clip_by_global_norm/" + GRAD_NORM).output(0) : null;
			Ops restore = tf.withSubScope("restore");
			for (int i = 0; i < variables.size(); i++) {
				Placeholder<TFloat32> p = restore.placeholder(TFloat32.class, Placeholder.shape(shapes.get(i)));
				restoreFeeds.add(p);
				restoreOps.add(restore.assign(variables.get(i), p));
			}
			if ("constant".equals(tc.schedule())) {
				keepWeights = null;
				scaleStep = null;
				stepScale = null;
			} else {
				// The step of every optimizer here (SGD, momentum, Adam) is proportional to its learning rate and
				// its state (accumulators, moments) does not depend on it, so scaling the step scales the rate.
				Ops lr = tf.withSubScope("lr_schedule");
				stepScale = lr.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
				List<Op> keeps = new ArrayList<>(), scales = new ArrayList<>();
				for (int i = 0; i < trainable.size(); i++) {
					Variable<TFloat32> v = trainable.get(i);
					Variable<TFloat32> before = lr.variable(lr.zeros(lr.constant(trainableShapes.get(i)), TFloat32.class));
					keeps.add(lr.assign(before, v));
					scales.add(lr.assign(v, lr.math.add(before, lr.math.mul(stepScale, lr.math.sub(v, before)))));
				}
				keepWeights = lr.withControlDependencies(keeps).noOp();
				scaleStep = lr.withControlDependencies(scales).noOp();
			}
			collectState(tf.withSubScope("checkpoint"));
			fingerprint = sha256(deterministicBytes(graph));
			opened = new Session(graph, TfEngine.trainingConfig());
			session = opened;
			trainingTrue = training == null ? null : TBool.scalarOf(true);
		} catch (Throwable t) {
			Closeables.closeAfter(t, opened, graph); // the session first: closing a Graph waits for its sessions
			throw t;
		}
	}

	/** Feeds the training-mode flag (true) when the net has one; for training steps only. */
	Session.Runner feedTraining(Session.Runner r) {
		return training == null ? r : r.feed(training, trainingTrue);
	}

	/** Whether the net has layers that behave differently in training steps (batch norm, dropout). */
	boolean hasTrainingMode() {
		return training != null;
	}

	/**
	 * Like {@link Optimizer#minimize} but over the {@code trainable} variables only (the framework's
	 * {@code computeGradients} takes every variable of the graph, moving averages included), and every update waits
	 * for all gradients: the updates change the variables in place, and without this barrier an update could run
	 * while another gradient still reads the variable (a race that makes steps wrong and irreproducible when ops
	 * run in parallel). The moving averages' updates ({@code moving = m · moving + (1 − m) · batch}) wait for the
	 * same barrier and belong to the returned op.
	 */
	@SuppressWarnings({"unchecked", "rawtypes"})
	private static Op minimize(Graph graph, Ops tf, Optimizer opt, Operand<TFloat32> loss, List<Variable<TFloat32>> trainable,
		List<Layers.MovingUpdate> moving, double clipNorm) {
		Output<?>[] xs = new Output<?>[trainable.size()];
		for (int i = 0; i < xs.length; i++) xs[i] = trainable.get(i).asOutput();
		Output<?>[] dys = graph.addGradients(loss.asOutput(), xs);
		List<Op> barrier = new ArrayList<>();
		for (Output<?> dy : dys) barrier.add(tf.identity((Operand) dy));
		Ops after = tf.withSubScope("gradients_done").withControlDependencies(barrier);
		Operand<TFloat32> clip = clipNorm > 0 ? clipScale(tf.withSubScope("clip_by_global_norm"), dys, (float) clipNorm) : null;
		List<Optimizer.GradAndVar<? extends TType>> gated = new ArrayList<>();
		for (int i = 0; i < xs.length; i++) {
			Operand<TFloat32> g = after.identity((Operand) dys[i]);
			if (clip != null) g = after.math.mul(g, clip);
			gated.add(new Optimizer.GradAndVar(g.asOutput(), xs[i]));
		}
		if (moving.isEmpty()) return opt.applyGradients(gated, TRAIN);
		List<Op> steps = new ArrayList<>();
		steps.add(opt.applyGradients(gated, TRAIN + "_weights"));
		Ops bn = after.withSubScope("bn_moving");
		Operand<TFloat32> m = bn.constant((float) LayerConfig.BN_MOMENTUM), m1 = bn.constant((float) (1 - LayerConfig.BN_MOMENTUM));
		for (Layers.MovingUpdate u : moving)
			steps.add(bn.assign(u.moving(), bn.math.add(bn.math.mul(u.moving(), m), bn.math.mul(u.batchValue(), m1))));
		return tf.withName(TRAIN).withControlDependencies(steps).noOp();
	}

	/**
	 * The factor {@code c / max(‖g‖, c)} that scales all gradients {@code g} together down to global L2 norm
	 * {@code c} when their norm exceeds it (1 otherwise): the direction of the step is kept, only its length is
	 * bounded.
	 */
	@SuppressWarnings("unchecked")
	private static Operand<TFloat32> clipScale(Ops tf, Output<?>[] grads, float c) {
		Operand<TFloat32> sum = tf.constant(0f);
		for (Output<?> g : grads) {
			Operand<TFloat32> flat = tf.reshape((Output<TFloat32>) g, tf.constant(new int[] {-1}));
			sum = tf.math.add(sum, tf.reduceSum(tf.math.square(flat), tf.constant(0)));
		}
		Operand<TFloat32> norm = tf.withName(GRAD_NORM).math.sqrt(sum);
		Operand<TFloat32> limit = tf.constant(c);
		return tf.math.div(limit, tf.math.maximum(norm, limit));
	}

	/**
	 * Records every variable of the finished graph — the weights and whatever the optimizer and the layers keep
	 * (moments, step counters, statistics) — with an assign op each, so that a checkpoint captures the whole state.
	 */
	@SuppressWarnings("unchecked")
	private void collectState(Ops ck) {
		List<GraphOperation> vars = new ArrayList<>();
		for (Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
			GraphOperation op = it.next();
			if (op.type().equals("VariableV2")) vars.add(op);
		}
		vars.sort(Comparator.comparing(GraphOperation::name));
		for (GraphOperation op : vars) {
			Output<?> out = op.output(0);
			if (out.dataType() != DataType.DT_FLOAT && out.dataType() != DataType.DT_FLOAT_REF)
				throw new IllegalStateException("variable " + op.name() + " is " + out.dataType() + ", checkpoints hold float32 only");
			Output<TFloat32> v = (Output<TFloat32>) out;
			Placeholder<TFloat32> p = ck.placeholder(TFloat32.class, Placeholder.shape(v.shape()));
			stateVars.add(v);
			stateNames.add(op.name());
			stateFeeds.add(p);
			stateAssigns.add(ck.assign(v, p));
		}
	}

	/** SHA-256 of the graph definition: architecture, loss, optimizer and initial weights (hence the seed). */
	String fingerprint() {
		return fingerprint;
	}

	/** The names of the variables in {@link #fullState()}, sorted. */
	List<String> stateNames() {
		return List.copyOf(stateNames);
	}

	/** Copies every variable of the graph (see {@link #collectState}) to Java arrays, in {@link #stateNames()} order. */
	float[][] fullState() {
		return fetch(stateVars);
	}

	/**
	 * Sets every variable from a {@link #fullState()} of a graph with the same {@link #fingerprint()}.
	 *
	 * @throws IllegalArgumentException when names or sizes differ
	 */
	void restoreFullState(List<String> names, float[][] state) {
		if (!names.equals(stateNames))
			throw new IllegalArgumentException("the checkpoint holds variables " + names + ", the network " + stateNames);
		session.initialize(); // initialisers must not run after (and undo) the restore
		List<Shape> shapes = new ArrayList<>();
		for (int i = 0; i < state.length; i++) {
			Shape shape = stateVars.get(i).shape();
			if (state[i].length != shape.size())
				throw new IllegalArgumentException("variable " + names.get(i) + " has " + state[i].length
					+ " values in the checkpoint, the network needs " + shape.size());
			shapes.add(shape);
		}
		assign(state, shapes, stateFeeds, stateAssigns);
	}

	/** Fetches float variables into Java arrays. */
	private float[][] fetch(List<? extends Operand<TFloat32>> vars) {
		Session.Runner r = session.runner();
		for (Operand<TFloat32> v : vars) r.fetch(v);
		float[][] out = new float[vars.size()][];
		try (Result res = r.run()) {
			for (int i = 0; i < out.length; i++) {
				out[i] = new float[(int) res.get(i).shape().size()];
				((TFloat32) res.get(i)).copyTo(DataBuffers.of(out[i]));
			}
		}
		return out;
	}

	/** Feeds each value array to its placeholder and runs the matching assign ops, in one session run. */
	private void assign(float[][] values, List<Shape> shapes, List<Placeholder<TFloat32>> feeds, List<Op> assigns) {
		List<TFloat32> tensors = new ArrayList<>();
		try {
			Session.Runner r = session.runner();
			for (int i = 0; i < values.length; i++) {
				TFloat32 t = TFloat32.tensorOf(shapes.get(i), DataBuffers.of(values[i]));
				tensors.add(t);
				r.feed(feeds.get(i), t).addTarget(assigns.get(i));
			}
			r.run().close();
		} finally {
			for (TFloat32 t : tensors) t.close();
		}
	}

	/**
	 * The graph definition serialised with sorted map entries: plain serialisation writes the attribute maps of
	 * the nodes in an arbitrary order, so two identical graphs could give different bytes.
	 */
	static byte[] deterministicBytes(Graph graph) {
		GraphDef def = graph.toGraphDef();
		byte[] out = new byte[def.getSerializedSize()];
		CodedOutputStream cos = CodedOutputStream.newInstance(out);
		cos.useDeterministicSerialization();
		try {
			def.writeTo(cos);
			cos.checkNoSpaceLeft();
		} catch (IOException e) {
			throw new IllegalStateException("cannot serialise the graph definition", e);
		}
		return out;
	}

	static String sha256(byte[] bytes) {
		try {
			return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}

	/** Whether training steps must be bracketed by {@link #keepWeightsBeforeStep()} and {@link #scaleLastStep}. */
	boolean hasSchedule() {
		return keepWeights != null;
	}

	/** Remembers the weights before a training step (schedules other than {@code constant} only). */
	void keepWeightsBeforeStep() {
		session.runner().addTarget(keepWeights).run().close();
	}

	/**
	 * Rescales the last training step: weights become {@code before + scale · (after − before)}, i.e. the step
	 * taken with the configured learning rate times {@code scale} (schedules other than {@code constant} only).
	 */
	void scaleLastStep(float scale) {
		try (TFloat32 t = TFloat32.scalarOf(scale)) {
			session.runner().feed(stepScale, t).addTarget(scaleStep).run().close();
		}
	}

	/** The serving signature: {@code input} → {@code output}. */
	Signature signature() {
		return Signature.builder().key(SIGNATURE_KEY).input(INPUT, input).output(OUTPUT, output).build();
	}

	/**
	 * Names for a shape's dynamic (-1) axes: {@code batch} first, then {@code depth, height, width} (rank 5) or
	 * {@code height, width} (rank 4), {@code channels} last.
	 */
	static String[] dynamicNames(Shape shape) {
		long[] d = shape.asArray();
		List<String> axes = new ArrayList<>(List.of("batch"));
		if (d.length == 5) axes.addAll(List.of("depth", "height", "width"));
		if (d.length == 4) axes.addAll(List.of("height", "width"));
		while (axes.size() < d.length) axes.add("channels");
		List<String> out = new ArrayList<>();
		for (int i = 0; i < d.length; i++) if (d[i] < 0) out.add(axes.get(i));
		return out.toArray(String[]::new);
	}

	/**
	 * The network in ONNX (see {@link OnnxGraph}) with its current weights: the inference graph from {@link #INPUT} to
	 * {@link #OUTPUT}, same layout as the serving signature. Reads the weights only ({@link #snapshot()}).
	 *
	 * @throws IllegalStateException when the network was built partly outside {@link Layers} (test networks only)
	 */
	byte[] onnxModel(String docString) {
		if (onnx == null) throw new IllegalStateException("This network was built partly outside Layers and has no ONNX export");
		float[][] values = snapshot();
		Map<String, float[]> byName = new HashMap<>();
		for (int i = 0; i < values.length; i++) byName.put(variables.get(i).op().name(), values[i]);
		return onnx.toBytes(byName, org.medcnn.common.Versions.MEDCNN, docString);
	}

	/** Copies all weights to Java arrays: the trainable ones, then batch norm's moving averages. */
	float[][] snapshot() {
		return fetch(variables);
	}

	/** The graph names of the variables of {@link #snapshot()}, in its order. */
	List<String> weightNames() {
		List<String> names = new ArrayList<>();
		for (Variable<TFloat32> v : variables) names.add(v.op().name());
		return names;
	}

	/** The shapes of the variables of {@link #snapshot()}, in its order. */
	List<Shape> weightShapes() {
		return List.copyOf(shapes);
	}

	/**
	 * Starts training from the given weights (in {@link #snapshot()} order) instead of the initialisers': runs the
	 * initialisers first, so that they cannot run later and undo the assignment (as {@link #restoreFullState} does);
	 * the optimizer's state stays fresh.
	 */
	void startFrom(float[][] weights) {
		session.initialize();
		restore(weights);
	}

	/** Sets all weights from a {@link #snapshot()}. */
	void restore(float[][] weights) {
		assign(weights, shapes, restoreFeeds, restoreOps);
	}

	@Override
	public void close() {
		if (trainingTrue != null) trainingTrue.close();
		session.close();
		graph.close();
	}
}
