package org.medcnn.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Layer options shared by the classifier (CNN, MLP), the 2D and the 3D U-Net: batch normalisation, dropout and
 * weight initialisation.
 * <p>
 * Batch normalisation follows every hidden convolution and the classifier's hidden dense layer (before the
 * activation; the layer then has no bias): per-channel trainable γ (from 1) and β (from 0), moving mean (from 0) and variance (from 1) updated by
 * each training step with momentum {@value #BN_MOMENTUM} from the batch statistics, ε = {@value #BN_EPSILON}.
 * Training steps normalise with the batch statistics, everything else (validation, export, inference) with the
 * moving ones. Dropout (inverted: kept values are scaled by {@code 1 / (1 − rate)}) is active in training steps
 * only, on the input of the classifier's output layer and on the U-Net bottleneck (the deepest level's output).
 * Hidden layers' weights are drawn from the initialisation named by {@link #init()}; output layers always use
 * Glorot normal. Immutable and validated.
 *
 * @param batchNorm batch normalisation after each hidden convolution and the classifier's hidden dense layer
 * @param dropout dropout rate, [0, 0.9]; 0 (the default) turns dropout off
 * @param init {@code auto} (He normal for relu/elu, Glorot normal for tanh/sigmoid), {@code he-normal},
 *        {@code glorot-normal}, {@code he-uniform} or {@code glorot-uniform}; {@code null} means {@code auto}
 */
public record LayerConfig(boolean batchNorm, double dropout, String init) {

	/** The activation-based default initialisation. */
	public static final String AUTO = "auto";
	public static final List<String> INITS = List.of(AUTO, "he-normal", "glorot-normal", "he-uniform", "glorot-uniform");
	/** Momentum of the batch-norm moving averages: {@code moving = momentum · moving + (1 − momentum) · batch}. */
	public static final double BN_MOMENTUM = 0.99;
	/** ε added to the variance before the square root. */
	public static final double BN_EPSILON = 1e-3;
	public static final double MAX_DROPOUT = 0.9;

	/** No batch norm, no dropout, activation-based initialisation: the network as before these options. */
	public static final LayerConfig DEFAULT = new LayerConfig(false, 0, AUTO);

	public LayerConfig {
		if (!(dropout >= 0 && dropout <= MAX_DROPOUT))
			throw new IllegalArgumentException("dropout = " + dropout + " is out of range: allowed [0, " + MAX_DROPOUT
				+ "] (0 = off)");
		init = TrainingConfig.keyword("init", init == null ? AUTO : init, INITS);
	}

	public LayerConfig withBatchNorm(boolean b) {
		return new LayerConfig(b, dropout, init);
	}

	public LayerConfig withDropout(double d) {
		return new LayerConfig(batchNorm, d, init);
	}

	public LayerConfig withInit(String i) {
		return new LayerConfig(batchNorm, dropout, i);
	}

	/**
	 * The initialisation of hidden layers with the given activation: {@link #init()} unless it is {@code auto},
	 * which gives {@code he-normal} for relu and elu and {@code glorot-normal} otherwise.
	 */
	public String initFor(String activation) {
		if (!init.equals(AUTO)) return init;
		String a = activation == null ? "" : activation.toLowerCase(Locale.ROOT);
		return a.equals("relu") || a.equals("elu") ? "he-normal" : "glorot-normal";
	}

	/** The model card's {@code architecture} fields: {@code batchNorm}, {@code dropout}, {@code init} (resolved). */
	public Map<String, Object> cardFields(String activation) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("batchNorm", batchNorm);
		m.put("dropout", dropout);
		m.put("init", initFor(activation));
		return m;
	}
}
