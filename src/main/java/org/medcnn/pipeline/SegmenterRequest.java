package org.medcnn.pipeline;

import java.util.Arrays;

/**
 * What a user asked for when training a segmenter: every setting the CLI options, the macro keys and the SciJava
 * parameters can set, each {@code null} when the user left it out. The {@link TrainingPlanner} fills the gaps from
 * the dataset fingerprint and the memory plan, so every front end gets the same defaults. Immutable; build one with
 * {@link #builder()}.
 *
 * @param common the settings every training shares
 * @param dims 2 (2D U-Net on slices) or 3 (3D U-Net on patches); null = 2
 * @param depth U-Net levels, null = the planner's (from the lesion sizes)
 * @param filters first-level filters, null = 16 (2D) or 8 (3D)
 * @param patch 3D patch {z, y, x} or 2D patch {y, x}, null = the planner's
 * @param context 2.5D neighbouring slices on each side, null = 0
 * @param samplesPerEpoch 2D training patches per epoch, null = the planner's
 */
public record SegmenterRequest(TrainingChoices common, Integer dims, Integer depth, Integer filters, int[] patch,
	Integer context, Integer samplesPerEpoch) {

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
	public static final class Builder extends TrainingChoices.Builder<Builder> {
		private Integer dims, depth, filters, context, samplesPerEpoch;
		private int[] patch;

		public Builder dims(Integer v) {
			dims = v;
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

		public Builder samplesPerEpoch(Integer v) {
			samplesPerEpoch = v;
			return this;
		}

		public SegmenterRequest build() {
			return new SegmenterRequest(choices(), dims, depth, filters, patch, context, samplesPerEpoch);
		}
	}
}
