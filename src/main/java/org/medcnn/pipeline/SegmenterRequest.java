package org.medcnn.pipeline;

import java.util.Arrays;
import org.medcnn.nn.LayerConfig;

/**
 * What a user asked for when training a segmenter: every setting the CLI options, the macro keys and the SciJava
 * parameters can set, each {@code null} when the user left it out. The {@link TrainingPlanner} fills the gaps from
 * the dataset fingerprint and the memory plan, so every front end gets the same defaults. Immutable; build one with
 * {@link #builder()}.
 *
 * @param dims 2 (2D U-Net on slices) or 3 (3D U-Net on patches); null = 2
 * @param epochs passes, null = the planner's
 * @param batch items per step, null = the planner's
 * @param learningRate step size, null = 1e-3
 * @param optimizer {@code sgd|momentum|adam}, null = adam
 * @param loss {@code dice|dice-ce|cross-entropy|mse}, null = dice-ce
 * @param activation {@code relu|tanh|sigmoid|elu}, null = relu
 * @param depth U-Net levels, null = the planner's (from the lesion sizes)
 * @param filters first-level filters, null = 16 (2D) or 8 (3D)
 * @param patch 3D patch {z, y, x} or 2D patch {y, x}, null = the planner's
 * @param context 2.5D neighbouring slices on each side, null = 0
 * @param seed random seed, null = 42
 * @param valFraction validation share of the cases, null = 0.2
 * @param schedule learning-rate schedule, null = constant
 * @param augment augmentation keyword, null = auto
 * @param resume continue from the checkpoint
 * @param clipNorm gradient clipping, null = 0.3
 * @param layers batch norm, dropout, init; null = {@link LayerConfig#DEFAULT}
 * @param normalise {@code auto|ct|zscore|none|window C/W}, null = auto
 * @param samplesPerEpoch 2D training patches per epoch, null = the planner's
 * @param overwrite replace an existing model package at the output folder
 */
public record SegmenterRequest(Integer dims, Integer epochs, Integer batch, Double learningRate, String optimizer,
	String loss, String activation, Integer depth, Integer filters, int[] patch, Integer context, Long seed,
	Double valFraction, String schedule, String augment, boolean resume, Double clipNorm, LayerConfig layers,
	String normalise, Integer samplesPerEpoch, boolean overwrite) {

	public SegmenterRequest {
		if (dims != null && dims != 2 && dims != 3) throw new IllegalArgumentException("dims = " + dims + " is not 2 or 3");
		if (patch != null) {
			patch = patch.clone();
			int want = dims != null && dims == 3 ? 3 : 2;
			if (patch.length != want)
				throw new IllegalArgumentException("patch " + Arrays.toString(patch) + " must have " + want + " sizes ("
					+ (want == 3 ? "z, y, x" : "y, x") + ")");
		}
		if (context != null && context > 0 && dims != null && dims == 3)
			throw new IllegalArgumentException("context (neighbouring slices as channels) is for the 2D U-Net only; leave it"
				+ " out with dims 3, whose 3D convolutions see the neighbouring slices already");
		if (normalise != null) Normalisations.parse(normalise); // validates
	}

	/** 2 unless the user asked for 3. */
	public int dimsOrDefault() {
		return dims == null ? 2 : dims;
	}

	@Override
	public int[] patch() {
		return patch == null ? null : patch.clone();
	}

	public static Builder builder() {
		return new Builder();
	}

	/** A builder; every setter accepts null (= leave to the planner). */
	public static final class Builder {
		private Integer dims, epochs, batch, depth, filters, context, samplesPerEpoch;
		private Double learningRate, valFraction, clipNorm;
		private String optimizer, loss, activation, schedule, augment, normalise;
		private int[] patch;
		private Long seed;
		private boolean resume, overwrite;
		private LayerConfig layers;

		public Builder dims(Integer v) {
			dims = v;
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

		public Builder depth(Integer v) {
			depth = v;
			return this;
		}

		public Builder filters(Integer v) {
			filters = v;
			return this;
		}

		public Builder patch(int[] v) {
			patch = v;
			return this;
		}

		public Builder context(Integer v) {
			context = v;
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

		public Builder samplesPerEpoch(Integer v) {
			samplesPerEpoch = v;
			return this;
		}

		public SegmenterRequest build() {
			return new SegmenterRequest(dims, epochs, batch, learningRate, optimizer, loss, activation, depth, filters, patch,
				context, seed, valFraction, schedule, augment, resume, clipNorm, layers, normalise, samplesPerEpoch, overwrite);
		}
	}
}
