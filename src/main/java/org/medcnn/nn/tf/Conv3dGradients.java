package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.op.nn.Conv3dBackpropFilter;
import org.tensorflow.op.nn.Conv3dBackpropInput;
import org.tensorflow.types.family.TNumber;

/**
 * Gradients that TensorFlow's C API lacks and the 3D U-Net needs, registered with
 * {@link TensorFlow#registerCustomGradient}:
 * <ul>
 * <li>{@code Conv3D(x, w)}: ∂x = {@code Conv3DBackpropInputV2(shape(x), w, dy)}, ∂w =
 * {@code Conv3DBackpropFilterV2(x, shape(w), dy)};</li>
 * <li>{@code Conv3DBackpropInputV2(sizes, w, g)} (the transposed convolution): ∂sizes = 0, ∂w =
 * {@code Conv3DBackpropFilterV2(dy, shape(w), g)}, ∂g = {@code Conv3D(dy, w)}.</li>
 * </ul>
 * All with the forward op's strides, padding, data format and dilations. {@link #register()} is idempotent and
 * thread-safe; the registration lasts for the process (TensorFlow's gradient registry is global).
 */
final class Conv3dGradients {

	private static boolean registered;

	private Conv3dGradients() {}

	/**
	 * Registers both gradients unless this was done before in this process (a gradient that TensorFlow already
	 * knows, e.g. registered through another class loader, is left as it is).
	 */
	@SuppressWarnings({"unchecked", "rawtypes"})
	static synchronized void register() {
		if (registered) return;
		TensorFlow.registerCustomGradient(Conv3d.Inputs.class, (tf, op, grads) -> conv3dGrad(tf, (Conv3d.Inputs) op, grads));
		TensorFlow.registerCustomGradient(Conv3dBackpropInput.Inputs.class,
			(tf, op, grads) -> transposedGrad(tf, (Conv3dBackpropInput.Inputs) op, grads));
		registered = true;
	}

	@SuppressWarnings({"unchecked", "rawtypes"})
	private static List<Operand<?>> conv3dGrad(Ops tf, Conv3d.Inputs<?> op, List<Output<?>> grads) {
		Operand dy = grads.get(0);
		Operand x = op.input, w = op.filter;
		List<Long> strides = longs(op.strides), dil = longs(op.dilations);
		Operand<?> dx = tf.nn.conv3dBackpropInput(tf.shape(x), w, dy, strides, op.padding,
			Conv3dBackpropInput.dataFormat(op.dataFormat), Conv3dBackpropInput.dilations(dil));
		Operand<?> dw = tf.nn.conv3dBackpropFilter(x, tf.shape(w), dy, strides, op.padding,
			Conv3dBackpropFilter.dataFormat(op.dataFormat), Conv3dBackpropFilter.dilations(dil));
		List<Operand<?>> out = new ArrayList<>();
		out.add(dx);
		out.add(dw);
		return out;
	}

	@SuppressWarnings({"unchecked", "rawtypes"})
	private static List<Operand<?>> transposedGrad(Ops tf, Conv3dBackpropInput.Inputs<?> op, List<Output<?>> grads) {
		Operand dy = grads.get(0);
		Operand w = op.filter, g = op.outBackprop;
		List<Long> strides = longs(op.strides), dil = longs(op.dilations);
		Operand<?> dw = tf.nn.conv3dBackpropFilter(dy, tf.shape(w), g, strides, op.padding,
			Conv3dBackpropFilter.dataFormat(op.dataFormat), Conv3dBackpropFilter.dilations(dil));
		Operand<?> dg = tf.nn.conv3d(dy, w, strides, op.padding, Conv3d.dataFormat(op.dataFormat), Conv3d.dilations(dil));
		List<Operand<?>> out = new ArrayList<>();
		out.add(tf.zerosLike((Operand<? extends TNumber>) op.inputSizes));
		out.add(dw);
		out.add(dg);
		return out;
	}

	private static List<Long> longs(long[] a) {
		List<Long> l = new ArrayList<>(a.length);
		for (long v : a) l.add(v);
		return l;
	}
}
