package org.medcnn.pipeline;

import org.medcnn.nn.LayerConfig;

/**
 * The settings every training request shares (see {@link SegmenterRequest}, {@link ClassifierRequest}), each
 * {@code null} when the user left it out: the {@link TrainingPlanner} fills the gaps. Immutable.
 *
 * @param epochs passes, null = the planner's
 * @param batch items per step, null = the planner's
 * @param learningRate step size, null = 1e-3
 * @param optimizer {@code sgd|momentum|adam}, null = adam
 * @param loss a loss keyword, null = the task's default (dice-ce, cross-entropy)
 * @param activation {@code relu|tanh|sigmoid|elu}, null = relu
 * @param seed random seed, null = 42
 * @param valFraction validation share, null = 0.2
 * @param schedule learning-rate schedule, null = constant
 * @param augment augmentation keyword, null or auto = the planner's
 * @param resume continue from the checkpoint
 * @param clipNorm gradient clipping, null = the task's default
 * @param layers batch norm, dropout, init; null = {@link LayerConfig#DEFAULT}
 * @param normalise {@code auto|ct|zscore|none|window C/W}, null = auto
 * @param overwrite replace an existing model package at the output folder
 * @param assumeGeometry train on images whose reader assumed their geometry ({@link AssumedGeometry}); refused without
 */
public record TrainingChoices(Integer epochs, Integer batch, Double learningRate, String optimizer, String loss,
	String activation, Long seed, Double valFraction, String schedule, String augment, boolean resume, Double clipNorm,
	LayerConfig layers, String normalise, boolean overwrite, boolean assumeGeometry) {

	public TrainingChoices {
		if (normalise != null) Normalisations.parse(normalise); // validates
	}

	/**
	 * The setters of the shared choices for a request's builder {@code B} (each accepts null = leave to the planner).
	 */
	@SuppressWarnings("unchecked")
	public abstract static class Builder<B extends Builder<B>> {
		private Integer epochs, batch;
		private Double learningRate, valFraction, clipNorm;
		private String optimizer, loss, activation, schedule, augment, normalise;
		private Long seed;
		private boolean resume, overwrite, assumeGeometry;
		private LayerConfig layers;

		public B epochs(Integer v) {
			epochs = v;
			return (B) this;
		}

		public B batch(Integer v) {
			batch = v;
			return (B) this;
		}

		public B learningRate(Double v) {
			learningRate = v;
			return (B) this;
		}

		public B optimizer(String v) {
			optimizer = v;
			return (B) this;
		}

		public B loss(String v) {
			loss = v;
			return (B) this;
		}

		public B activation(String v) {
			activation = v;
			return (B) this;
		}

		public B seed(Long v) {
			seed = v;
			return (B) this;
		}

		public B valFraction(Double v) {
			valFraction = v;
			return (B) this;
		}

		public B schedule(String v) {
			schedule = v;
			return (B) this;
		}

		public B augment(String v) {
			augment = v;
			return (B) this;
		}

		public B resume(boolean v) {
			resume = v;
			return (B) this;
		}

		public B clipNorm(Double v) {
			clipNorm = v;
			return (B) this;
		}

		public B layers(LayerConfig v) {
			layers = v;
			return (B) this;
		}

		public B normalise(String v) {
			normalise = v;
			return (B) this;
		}

		public B overwrite(boolean v) {
			overwrite = v;
			return (B) this;
		}

		/** Train on images of assumed geometry ({@link AssumedGeometry#OPTION}); refused without. */
		public B assumeGeometry(boolean v) {
			assumeGeometry = v;
			return (B) this;
		}

		/** The shared choices set so far. */
		protected TrainingChoices choices() {
			return new TrainingChoices(epochs, batch, learningRate, optimizer, loss, activation, seed, valFraction, schedule,
				augment, resume, clipNorm, layers, normalise, overwrite, assumeGeometry);
		}
	}
}
