package org.medcnn.nn.tf;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * A loaded classifier's class score as something to differentiate, shared by {@link InputGradients} (saliency)
 * and {@link GradCam}: the input endpoint of the serving signature, the score (the {@code logits} op when the
 * graph has it, else the softmax output), and the scalar {@code Σ score · w} whose gradient, with {@code w} a
 * one-hot row per image fed at run time, is the gradient of the chosen class's score. Stateless.
 *
 * @param input the signature's input tensor
 * @param score logits, or probabilities for graphs without a {@code logits} op
 * @param fromLogits whether {@code score} is the logit
 */
record ClassScore(Output<?> input, Output<?> score, boolean fromLogits) {

	/**
	 * The endpoints of a bundle.
	 *
	 * @throws IllegalStateException when the graph has no serving signature with {@code input} and {@code output}
	 */
	static ClassScore of(SavedModelBundle bundle, String modelName) {
		Graph g = bundle.graph();
		SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get(TrainableNet.SIGNATURE_KEY);
		if (sig == null || !sig.getInputsMap().containsKey(TrainableNet.INPUT) || !sig.getOutputsMap().containsKey(TrainableNet.OUTPUT))
			throw new IllegalStateException("The model " + modelName + " has no signature \"" + TrainableNet.SIGNATURE_KEY
				+ "\" with input \"" + TrainableNet.INPUT + "\" and output \"" + TrainableNet.OUTPUT + "\"");
		Output<?> in = g.outputOrThrow(tensorName(sig.getInputsMap().get(TrainableNet.INPUT).getName()));
		GraphOperation logitsOp = g.operation(TrainableNet.LOGITS);
		boolean fromLogits = logitsOp != null && logitsOp.numOutputs() == 1;
		Output<?> score = fromLogits ? logitsOp.output(0)
			: g.outputOrThrow(tensorName(sig.getOutputsMap().get(TrainableNet.OUTPUT).getName()));
		return new ClassScore(in, score, fromLogits);
	}

	/**
	 * Adds, under {@code scope}, the weights placeholder ({@code batch × classes}) and the gradients of
	 * {@code Σ score · weights} with respect to {@code wrt}; returns the placeholder, then the gradients.
	 */
	@SuppressWarnings("unchecked")
	Output<?>[] weightedGradients(Graph g, String scope, int classes, Output<?> wrt) {
		Ops tf = Ops.create(g).withSubScope(scope);
		Placeholder<TFloat32> w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes)));
		Output<TFloat32> y = tf.reduceSum(tf.math.mul((Output<TFloat32>) score, w), tf.constant(new int[] {0, 1})).asOutput();
		Output<?>[] grads = g.addGradients(y, new Output<?>[] {wrt});
		return new Output<?>[] {w.asOutput(), grads[0]};
	}

	/** "name:0" → "name:0"; "name" → "name:0" (the form {@link Graph#outputOrThrow} reads). */
	private static String tensorName(String n) {
		return n.indexOf(':') >= 0 ? n : n + ":0";
	}
}
