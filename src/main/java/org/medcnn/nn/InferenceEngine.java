package org.medcnn.nn;

import java.util.Locale;

/**
 * Which runtime runs a model package at inference: TensorFlow (its SavedModel, the default) or ONNX Runtime (its
 * {@code weights/model.onnx}). Both run the same network on the same inputs through the same code (preprocessing,
 * batching, tiling, thresholds); only the call into the network differs. The CLI option {@code --engine} and the
 * macro key {@value #KEY} take {@link #key()}.
 */
public enum InferenceEngine {
	TENSORFLOW("tensorflow"), ONNX("onnx");

	/** The macro key and (with {@code --}) the CLI option. */
	public static final String KEY = "engine";

	private final String key;

	InferenceEngine(String key) {
		this.key = key;
	}

	/** {@code tensorflow} or {@code onnx}. */
	public String key() {
		return key;
	}

	/**
	 * The engine named {@code s} (case-insensitive); null or blank gives {@link #TENSORFLOW}.
	 *
	 * @throws IllegalArgumentException naming the value and the allowed ones
	 */
	public static InferenceEngine parse(String s) {
		if (s == null || s.isBlank()) return TENSORFLOW;
		String k = s.trim().toLowerCase(Locale.ROOT);
		for (InferenceEngine e : values()) if (e.key.equals(k)) return e;
		throw new IllegalArgumentException("engine = '" + s + "' is not supported: allowed tensorflow, onnx");
	}
}
