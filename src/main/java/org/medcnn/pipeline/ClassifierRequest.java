package org.medcnn.pipeline;

/**
 * What a user asked for when training a classifier, each setting {@code null} when left out; the
 * {@link TrainingPlanner} fills the gaps from the dataset fingerprint. Immutable; build one with {@link #builder()}.
 *
 * @param common the settings every training shares
 * @param architecture {@code cnn|mlp}, null = cnn
 * @param inputSize square input side, null = the planner's (small images keep their size)
 * @param filters filters per conv block, null = the planner's
 * @param denseUnits hidden dense units, null = the planner's
 * @param pooling {@code max|avg}, null = max
 * @param cropMm side of the lesion-centred crops the items are (mm), null or 0 = whole images
 */
public record ClassifierRequest(TrainingChoices common, String architecture, Integer inputSize, int[] filters,
	Integer denseUnits, String pooling, Double cropMm) {

	public ClassifierRequest {
		filters = filters == null ? null : filters.clone();
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
	public static final class Builder extends TrainingChoices.Builder<Builder> {
		private String architecture, pooling;
		private Integer inputSize, denseUnits;
		private int[] filters;
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

		public Builder cropMm(Double v) {
			cropMm = v;
			return this;
		}

		public ClassifierRequest build() {
			return new ClassifierRequest(choices(), architecture, inputSize, filters, denseUnits, pooling, cropMm);
		}
	}
}
