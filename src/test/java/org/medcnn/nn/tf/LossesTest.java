package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Loss oracles on tiny hand-computed cases. */
class LossesTest {

	// logits z = [0, ln 3] → sigmoid p = [0.5, 0.75]; targets y = [1, 0]
	private static final float[] Z = {0f, (float) Math.log(3)};
	private static final float[] Y = {1f, 0f};

	private interface LossFn {
		Operand<TFloat32> apply(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target);
	}

	private static double eval(float[][] logits, float[][] target, LossFn f) {
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Operand<TFloat32> loss = f.apply(tf, tf.constant(logits), tf.constant(target));
			try (Session s = new Session(g); Result r = s.runner().fetch(loss).run()) {
				return ((TFloat32) r.get(0)).getFloat();
			}
		}
	}

	@Test
	void binaryCrossEntropy() {
		// mean(-ln 0.5, -ln 0.25) = (0.693147 + 1.386294) / 2
		assertEquals(1.0397208, eval(new float[][] {Z}, new float[][] {Y}, Losses::binaryCrossEntropy), 1e-5);
		// stable for large logits: z = 100, y = 1 → ≈ 0; z = -100, y = 1 → 100
		assertEquals(50.0, eval(new float[][] {{100f, -100f}}, new float[][] {{1f, 1f}}, Losses::binaryCrossEntropy), 1e-5);
	}

	@Test
	void meanSquaredErrorOfProbabilities() {
		// ((0.5 - 1)² + 0.75²) / 2 = 0.40625
		assertEquals(0.40625, eval(new float[][] {Z}, new float[][] {Y},
			(tf, z, y) -> Losses.meanSquaredError(tf, tf.math.sigmoid(z), y)), 1e-5);
	}

	@Test
	void softDice() {
		// Σpy = 0.5, Σp = 1.25, Σy = 1, ε = 1: 1 - (2·0.5 + 1) / (2.25 + 1) = 0.384615
		assertEquals(1 - 2.0 / 3.25, eval(new float[][] {Z}, new float[][] {Y},
			(tf, z, y) -> Losses.softDice(tf, tf.math.sigmoid(z), y)), 1e-5);
		// perfect prediction of an empty mask costs nothing: 1 - ε/ε
		assertEquals(0.0, eval(new float[][] {{-1e4f}}, new float[][] {{0f}},
			(tf, z, y) -> Losses.softDice(tf, tf.math.sigmoid(z), y)), 1e-5);
	}

	@Test
	void categoricalCrossEntropy() {
		// item 1: logits [0, ln 3] → softmax [0.25, 0.75], class 1 → -ln 0.75 = 0.287682
		// item 2: logits [0, 0] → [0.5, 0.5], class 0 → ln 2 = 0.693147; mean = 0.490415
		assertEquals((0.2876821 + 0.6931472) / 2, eval(new float[][] {Z, {0, 0}}, new float[][] {{0, 1}, {1, 0}},
			Losses::categoricalCrossEntropy), 1e-5);
	}

	@Test
	void diceCeIsTheSum() {
		BiFunction<String, Boolean, Double> of = (name, binary) -> eval(new float[][] {Z}, new float[][] {Y},
			(tf, z, y) -> Losses.of(tf, name, true, z, tf.math.sigmoid(z), y));
		assertEquals(of.apply("dice", true) + of.apply("cross-entropy", true), of.apply("dice-ce", true), 1e-5);
	}
}
