package org.medcnn.nn.tf;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Loss functions as graph operations, each returning a scalar mean over the batch. All are differentiable
 * with the gradients of TensorFlow's C API.
 */
final class Losses {

	/** Smoothing term of the soft Dice loss: keeps it defined (and small) on batches without foreground. */
	static final float DICE_EPSILON = 1f;

	private Losses() {}

	/**
	 * Binary cross-entropy of sigmoid(logits) against targets in [0, 1], computed stably from the logits z:
	 * mean of max(z, 0) − z·y + log(1 + exp(−|z|)).
	 */
	static Operand<TFloat32> binaryCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target) {
		Operand<TFloat32> z = flat(tf, logits), y = flat(tf, target);
		Operand<TFloat32> e = tf.math.add(tf.math.sub(tf.nn.relu(z), tf.math.mul(z, y)),
			tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(z)))));
		return tf.math.mean(e, tf.constant(0));
	}

	/** Categorical cross-entropy of softmax(logits) [n, k] against one-hot targets: mean over n of −Σ y·log p. */
	static Operand<TFloat32> categoricalCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target) {
		Operand<TFloat32> perItem = tf.reduceSum(tf.math.mul(target, tf.nn.logSoftmax(logits)), tf.constant(1));
		return tf.math.neg(tf.math.mean(perItem, tf.constant(0)));
	}

	/** Mean squared error between probabilities and targets over all elements. */
	static Operand<TFloat32> meanSquaredError(Ops tf, Operand<TFloat32> prob, Operand<TFloat32> target) {
		return tf.math.mean(tf.math.squaredDifference(flat(tf, prob), flat(tf, target)), tf.constant(0));
	}

	/** Soft Dice loss over the whole batch: 1 − (2Σpq + ε) / (Σp + Σq + ε), ε = {@value #DICE_EPSILON}. */
	static Operand<TFloat32> softDice(Ops tf, Operand<TFloat32> prob, Operand<TFloat32> target) {
		Operand<TFloat32> p = flat(tf, prob), q = flat(tf, target);
		Operand<TInt32> axis = tf.constant(0);
		Operand<TFloat32> eps = tf.constant(DICE_EPSILON);
		Operand<TFloat32> num = tf.math.add(tf.math.mul(tf.constant(2f), tf.reduceSum(tf.math.mul(p, q), axis)), eps);
		Operand<TFloat32> den = tf.math.add(tf.math.add(tf.reduceSum(p, axis), tf.reduceSum(q, axis)), eps);
		return tf.math.sub(tf.constant(1f), tf.math.div(num, den));
	}

	/**
	 * The loss named in a {@link org.medcnn.nn.TrainingConfig}, for a sigmoid segmenter ({@code binary}) or a
	 * softmax classifier.
	 */
	static Operand<TFloat32> of(Ops tf, String name, boolean binary, Operand<TFloat32> logits, Operand<TFloat32> prob,
		Operand<TFloat32> target) {
		return switch (name) {
			case "cross-entropy" -> binary ? binaryCrossEntropy(tf, logits, target) : categoricalCrossEntropy(tf, logits, target);
			case "mse" -> meanSquaredError(tf, prob, target);
			case "dice" -> softDice(tf, prob, target);
			case "dice-ce" -> tf.math.add(softDice(tf, prob, target),
				binary ? binaryCrossEntropy(tf, logits, target) : categoricalCrossEntropy(tf, logits, target));
			default -> throw new IllegalArgumentException("loss = '" + name + "' is not supported");
		};
	}

	private static Operand<TFloat32> flat(Ops tf, Operand<TFloat32> x) {
		return tf.reshape(x, tf.constant(new int[] {-1}));
	}
}
