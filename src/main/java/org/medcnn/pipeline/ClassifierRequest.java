package org.medcnn.pipeline;

import org.medcnn.nn.LayerConfig;

/**
 * What a user asked for when training a classifier, each setting {@code null} when left out; the
 * {@link TrainingPlanner} fills the gaps from the dataset fingerprint. Immutable; build one with {@link #builder()}.
 *
 * @param architecture {@code cnn|mlp}, null = cnn
 * @param inputSize square input side, null = the planner's (small images keep their size)
 * @param filters filters per conv block, null = the planner's
 * @param denseUnits hidden dense units, null = the planner's
 * @param pooling {@code max|avg}, null = max
 * @param epochs passes, null = the planner's
 * @param batch items per step, null = 16
 * @param learningRate step size, null = 1e-3
 * @param optimizer null = adam
 * @param loss {@code cross-entropy|mse}, null = cross-entropy
 * @param activation null = relu
 * @param seed null = 42
 * @param valFraction null = 0.2
 * @param schedule null = constant
 * @param augment null = auto (the planner's: standard for medical images, mild for others)
 * @param resume continue from the checkpoint
 * @param clipNorm null = 0 (off)
 * @param layers null = {@link LayerConfig#DEFAULT}
 * @param normalise {@code auto|ct|zscore|none|window C/W}, null = auto
 * @param cropMm side of the lesion-centred crops the items are (mm), null or 0 = whole images
 * @param overwrite replace an existing model package at the output folder
 */
public record ClassifierRequest(String architecture, Integer inputSize, int[] filters, Integer denseUnits, String pooling,
	Integer epochs, Integer batch, Double learningRate, String optimizer, String loss, String activation, Long seed,
	Double valFraction, String schedule, String augment, boolean resume, Double clipNorm, LayerConfig layers,
	String normalise, Double cropMm, boolean overwrite) {

	public ClassifierRequest {
		filters = filters == null ? null : filters.clone();
		if (normalise != null) Normalisations.parse(normalise); // validates
		if (cropMm != null && !(cropMm >= 0 && cropMm <= 10_000))
			throw new IllegalArgumentException("cropMm = " + cropMm + " is out of range: allowed 0 (whole images) or (0, 10000]");
	}

	@Override
	public int[] filters() {
		return filters == null ? null : filters.clone();
	}

	public static Builder builder() {
		return new Builder();
	}

	/** A builder; every setter accepts null (= leave to the planner). */
	public static final class Builder {
		private String architecture;
		private Integer inputSize;
		private int[] filters;
		private Integer denseUnits;
		private String pooling;
		private Integer epochs;
		private Integer batch;
		private Double learningRate;
		private String optimizer;
		private String loss;
		private String activation;
		private Long seed;
		private Double valFraction;
		private String schedule;
		private String augment;
		private boolean resume;
		private boolean overwrite;
		private Double clipNorm;
		private LayerConfig layers;
		private String normalise;
		private Double cropMm;

		public Builder architecture(String v) {
			architecture = v;
			return this;
		}

		public Builder inputSize(Integer v) {
			inputSize = v;
			return this;
		}

		public Builder filters(int[] v) {
			filters = v;
			return this;
		}

		public Builder denseUnits(Integer v) {
			denseUnits = v;
			return this;
		}

		public Builder pooling(String v) {
			pooling = v;
			return this;
		}

		public Builder epochs(Integer v) {
			epochs = v;
			return this;
		}

		public Builder batch(Integer v) {
			batch = v;
			return this;
		}

		public Builder learningRate(Double v) {
			learningRate = v;
			return this;
		}

		public Builder optimizer(String v) {
			optimizer = v;
			return this;
		}

		public Builder loss(String v) {
			loss = v;
			return this;
		}

		public Builder activation(String v) {
			activation = v;
			return this;
		}

		public Builder seed(Long v) {
			seed = v;
			return this;
		}

		public Builder valFraction(Double v) {
			valFraction = v;
			return this;
		}

		public Builder schedule(String v) {
			schedule = v;
			return this;
		}

		public Builder augment(String v) {
			augment = v;
			return this;
		}

		public Builder overwrite(boolean v) {
			overwrite = v;
			return this;
		}

		public Builder resume(boolean v) {
			resume = v;
			return this;
		}

		public Builder clipNorm(Double v) {
			clipNorm = v;
			return this;
		}

		public Builder layers(LayerConfig v) {
			layers = v;
			return this;
		}

		public Builder normalise(String v) {
			normalise = v;
			return this;
		}

		public Builder cropMm(Double v) {
			cropMm = v;
			return this;
		}

		public ClassifierRequest build() {
			return new ClassifierRequest(architecture, inputSize, filters, denseUnits, pooling, epochs, batch, learningRate,
				optimizer, loss, activation, seed, valFraction, schedule, augment, resume, clipNorm, layers, normalise, cropMm,
				overwrite);
		}
	}
}
