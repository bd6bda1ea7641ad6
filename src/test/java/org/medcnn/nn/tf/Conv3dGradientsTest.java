package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * Numerical gradient checks (central differences, float64) of the custom Conv3D and transposed Conv3D
 * gradients: loss = Σ r ⊙ f(a, w) with a fixed random r, compared element by element with the analytic gradient.
 */
class Conv3dGradientsTest {

	private static final double EPS = 1e-6, TOL = 1e-6;

	@BeforeAll
	static void register() {
		Conv3dGradients.register();
		Conv3dGradients.register(); // idempotent
	}

	private interface Net {
		Operand<TFloat64> apply(Ops tf, Operand<TFloat64> a, Operand<TFloat64> w);
	}

	@Test
	void conv3dSameStride1() {
		check(new long[] {1, 3, 4, 4, 2}, new long[] {3, 3, 3, 2, 2},
			(tf, x, w) -> tf.nn.conv3d(x, w, List.of(1L, 1L, 1L, 1L, 1L), "SAME"));
	}

	@Test
	void conv3dValidStride2() {
		check(new long[] {2, 4, 5, 4, 1}, new long[] {2, 2, 2, 1, 3},
			(tf, x, w) -> tf.nn.conv3d(x, w, List.of(1L, 2L, 2L, 2L, 1L), "VALID"));
	}

	@Test
	void transposedConv3d() {
		// upsampling 2×2×2 as in the U-Net: g [1, 2, 3, 3, 3] → [1, 4, 6, 6, 2]; filter [d, h, w, out, in]
		check(new long[] {1, 2, 3, 3, 3}, new long[] {2, 2, 2, 2, 3},
			(tf, g, w) -> tf.nn.conv3dBackpropInput(tf.constant(new int[] {1, 4, 6, 6, 2}), w, g,
				List.of(1L, 2L, 2L, 2L, 1L), "SAME"));
	}

	@Test
	void transposedConv3dOnlyInPlane() {
		// 1×2×2 upsampling (no pooling along z): g [1, 3, 2, 2, 2] → [1, 3, 4, 4, 1]
		check(new long[] {1, 3, 2, 2, 2}, new long[] {1, 2, 2, 1, 2},
			(tf, g, w) -> tf.nn.conv3dBackpropInput(tf.constant(new int[] {1, 3, 4, 4, 1}), w, g,
				List.of(1L, 1L, 2L, 2L, 1L), "SAME"));
	}

	private static void check(long[] aShape, long[] wShape, Net net) {
		Random rng = new Random(7);
		double[] a = random(rng, Shape.of(aShape)), w = random(rng, Shape.of(wShape));
		try (Graph g = new Graph()) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat64> pa = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(aShape)));
			Placeholder<TFloat64> pw = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(wShape)));
			Operand<TFloat64> y = net.apply(tf, pa, pw);
			long ySize = 1;
			for (long d : g.operation(y.op().name()).output(0).shape().asArray()) ySize *= d;
			double[] r = new double[(int) ySize];
			for (int i = 0; i < r.length; i++) r[i] = rng.nextGaussian();
			Operand<TFloat64> loss = tf.reduceSum(tf.math.mul(tf.reshape(y, tf.constant(new int[] {-1})), tf.constant(r)),
				tf.constant(0));
			Gradients grads = tf.gradients(loss, List.of(pa, pw));
			try (Session s = new Session(g)) {
				double[][] analytic = new double[2][];
				try (TFloat64 ta = tensor(aShape, a); TFloat64 tw = tensor(wShape, w);
					Result res = s.runner().feed(pa, ta).feed(pw, tw).fetch(grads.dy(0)).fetch(grads.dy(1)).run()) {
					analytic[0] = new double[a.length];
					analytic[1] = new double[w.length];
					((TFloat64) res.get(0)).copyTo(DataBuffers.of(analytic[0]));
					((TFloat64) res.get(1)).copyTo(DataBuffers.of(analytic[1]));
				}
				double maxAbs = 0;
				for (int which = 0; which < 2; which++) {
					double[] v = which == 0 ? a : w;
					for (int i = 0; i < v.length; i++) {
						double old = v[i];
						v[i] = old + EPS;
						double up = eval(s, pa, pw, loss, aShape, a, wShape, w);
						v[i] = old - EPS;
						double down = eval(s, pa, pw, loss, aShape, a, wShape, w);
						v[i] = old;
						double numeric = (up - down) / (2 * EPS);
						assertEquals(numeric, analytic[which][i], TOL * Math.max(1, Math.abs(numeric)),
							(which == 0 ? "input" : "filter") + " gradient element " + i);
						maxAbs = Math.max(maxAbs, Math.abs(numeric));
					}
				}
				assertTrue(maxAbs > 0.1, "the gradients should not all be ~0");
			}
		}
	}

	private static double eval(Session s, Placeholder<TFloat64> pa, Placeholder<TFloat64> pw, Operand<TFloat64> loss,
		long[] aShape, double[] a, long[] wShape, double[] w) {
		try (TFloat64 ta = tensor(aShape, a); TFloat64 tw = tensor(wShape, w);
			Result res = s.runner().feed(pa, ta).feed(pw, tw).fetch(loss).run()) {
			return ((TFloat64) res.get(0)).getDouble();
		}
	}

	private static TFloat64 tensor(long[] shape, double[] v) {
		return TFloat64.tensorOf(Shape.of(shape), DataBuffers.of(v));
	}

	private static double[] random(Random rng, Shape s) {
		double[] v = new double[(int) s.size()];
		for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
		return v;
	}
}
