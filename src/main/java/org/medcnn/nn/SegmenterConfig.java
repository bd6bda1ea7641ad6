package org.medcnn.nn;

/**
 * A 2D U-Net segmenter: architecture, preprocessing, patch sampling and training settings.
 * <p>
 * The network works on axial slices. Each resolution level has two 3×3 convolutions with the activation;
 * levels are joined by 2×2 max pooling on the way down and 2×2 transposed convolutions plus skip
 * concatenations on the way up; a 1×1 convolution with a sigmoid gives the foreground probability. Inputs are
 * padded to a multiple of {@code 2^(depth-1)} (see {@link #sizeMultiple()}). With {@code context} &gt; 0 the net is a
 * 2.5D U-Net: each slice z is fed with its {@code context} neighbours on either side as channels, in the order
 * z−context … z … z+context ({@link #channels()} channels); beyond the first and last slice of a volume the nearest
 * existing slice is repeated (see {@link Inputs#contextSlices}).
 * <p>
 * Training draws {@code samplesPerEpoch} patches of {@code patchYx} per epoch from the training slices (on the
 * preprocessing's grid): about a third centred on a random lesion voxel, the rest anywhere; patches reaching past a
 * slice's border are padded. The network is fully convolutional, so inference runs on whole slices. Immutable and
 * validated.
 *
 * @param depth resolution levels, 1…6 (depth 3 = two poolings)
 * @param baseFilters filters of the first level (doubled per level), 1…256
 * @param preprocessing normalisation and target spacing
 * @param training training settings
 * @param layers batch norm, dropout (at the bottleneck) and weight initialisation; {@code null} means
 *        {@link LayerConfig#DEFAULT}
 * @param context neighbouring slices on each side fed as extra input channels, 0…{@value #MAX_CONTEXT}; 0 (the
 *        default) is a plain 2D U-Net on single slices
 * @param patchYx training patch {y, x} in pixels (multiples of {@link #sizeMultiple()}), or null for whole slices
 *        (the largest training slice, padded)
 * @param samplesPerEpoch training patches per epoch, 0 for one per training slice
 */
public record SegmenterConfig(int depth, int baseFilters, Preprocessing preprocessing, TrainingConfig training,
	LayerConfig layers, int context, int[] patchYx, int samplesPerEpoch) {

	/** Largest {@link #context()}: 4 neighbours on each side, 9 channels. */
	public static final int MAX_CONTEXT = 4;

	public SegmenterConfig {
		if (depth < 1 || depth > 6)
			throw new IllegalArgumentException("depth = " + depth + " is out of range: allowed 1…6");
		if (baseFilters < 1 || baseFilters > 256)
			throw new IllegalArgumentException("baseFilters = " + baseFilters + " is out of range: allowed 1…256");
		if (preprocessing == null) throw new IllegalArgumentException("preprocessing is missing");
		if (training == null) throw new IllegalArgumentException("training settings are missing");
		if (layers == null) layers = LayerConfig.DEFAULT;
		if (context < 0 || context > MAX_CONTEXT)
			throw new IllegalArgumentException("context = " + context + " is out of range: allowed 0…" + MAX_CONTEXT
				+ " neighbouring slices on each side (0 = plain 2D)");
		if (patchYx != null) {
			int m = 1 << (depth - 1);
			if (patchYx.length != 2 || patchYx[0] < m || patchYx[1] < m || patchYx[0] % m != 0 || patchYx[1] % m != 0
				|| patchYx[0] > 4096 || patchYx[1] > 4096)
				throw new IllegalArgumentException("patchYx = " + java.util.Arrays.toString(patchYx) + " must be 2 multiples of "
					+ m + " (depth " + depth + "), at most 4096");
			patchYx = patchYx.clone();
		}
		if (samplesPerEpoch < 0 || samplesPerEpoch > 1_000_000)
			throw new IllegalArgumentException("samplesPerEpoch = " + samplesPerEpoch + " is out of range: allowed 0…1000000"
				+ " (0 = one per training slice)");
	}

	/** A segmenter with an explicit HU window, no resampling, whole slices (the configuration of card format 1). */
	public SegmenterConfig(int depth, int baseFilters, double windowCenterHu, double windowWidthHu, TrainingConfig training,
		LayerConfig layers, int context) {
		this(depth, baseFilters, Preprocessing.window(windowCenterHu, windowWidthHu), training, layers, context, null, 0);
	}

	/** A plain 2D segmenter ({@code context} 0) with an explicit HU window. */
	public SegmenterConfig(int depth, int baseFilters, double windowCenterHu, double windowWidthHu, TrainingConfig training,
		LayerConfig layers) {
		this(depth, baseFilters, windowCenterHu, windowWidthHu, training, layers, 0);
	}

	/** A plain 2D segmenter with an explicit HU window and {@link LayerConfig#DEFAULT} layer options. */
	public SegmenterConfig(int depth, int baseFilters, double windowCenterHu, double windowWidthHu, TrainingConfig training) {
		this(depth, baseFilters, windowCenterHu, windowWidthHu, training, LayerConfig.DEFAULT, 0);
	}

	/**
	 * Depth 3, 16 base filters, soft-tissue window (centre 40 HU, width 400 HU), whole slices,
	 * {@link TrainingConfig#segmenterDefaults()} with {@value #DEFAULT_EPOCHS} epochs: the settings before the
	 * dataset fingerprint chose them (the pipeline's planner now does; these remain for explicit use and tests).
	 */
	public static SegmenterConfig defaults() {
		return new SegmenterConfig(3, 16, 40, 400, TrainingConfig.segmenterDefaults().withEpochs(DEFAULT_EPOCHS));
	}

	/** Epochs of {@link #defaults()}. */
	public static final int DEFAULT_EPOCHS = 40;

	public SegmenterConfig withTraining(TrainingConfig t) {
		return new SegmenterConfig(depth, baseFilters, preprocessing, t, layers, context, patchYx, samplesPerEpoch);
	}

	public SegmenterConfig withLayers(LayerConfig l) {
		return new SegmenterConfig(depth, baseFilters, preprocessing, training, l, context, patchYx, samplesPerEpoch);
	}

	public SegmenterConfig withContext(int c) {
		return new SegmenterConfig(depth, baseFilters, preprocessing, training, layers, c, patchYx, samplesPerEpoch);
	}

	public SegmenterConfig withPreprocessing(Preprocessing p) {
		return new SegmenterConfig(depth, baseFilters, p, training, layers, context, patchYx, samplesPerEpoch);
	}

	/** Training patches of {@code y × x} pixels ({@code null}: whole slices). */
	public SegmenterConfig withPatch(int[] yx) {
		return new SegmenterConfig(depth, baseFilters, preprocessing, training, layers, context, yx, samplesPerEpoch);
	}

	public SegmenterConfig withSamplesPerEpoch(int n) {
		return new SegmenterConfig(depth, baseFilters, preprocessing, training, layers, context, patchYx, n);
	}

	/** A copy of the training patch {y, x}, or null for whole slices. */
	@Override
	public int[] patchYx() {
		return patchYx == null ? null : patchYx.clone();
	}

	/** Input channels: {@code 2 · context + 1}. */
	public int channels() {
		return 2 * context + 1;
	}

	/**
	 * Receptive field in pixels of a U-Net of {@code depth} levels with two 3×3 convolutions per level on the way down
	 * and on the way up and 2×2 pooling: 44 for depth 3, 96 for depth 4, 200 for depth 5.
	 */
	public static int receptiveField(int depth) {
		int rf = 1, jump = 1;
		for (int level = 0; level < depth; level++) {
			rf += 4 * jump; // two 3×3 convolutions
			if (level < depth - 1) {
				rf += jump; // 2×2 pooling
				jump *= 2;
			}
		}
		for (int level = depth - 2; level >= 0; level--) {
			jump /= 2;
			rf += 4 * jump; // two 3×3 convolutions after the up-convolution
		}
		return rf;
	}

	/** Slice width and height are padded to a multiple of this ({@code 2^(depth-1)}). */
	public int sizeMultiple() {
		return 1 << (depth - 1);
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof SegmenterConfig c && depth == c.depth && baseFilters == c.baseFilters
			&& preprocessing.equals(c.preprocessing) && training.equals(c.training) && layers.equals(c.layers)
			&& context == c.context && java.util.Arrays.equals(patchYx, c.patchYx) && samplesPerEpoch == c.samplesPerEpoch;
	}

	@Override
	public int hashCode() {
		return ((depth * 31 + baseFilters) * 31 + preprocessing.hashCode()) * 31 + java.util.Arrays.hashCode(patchYx);
	}

	@Override
	public String toString() {
		return "SegmenterConfig[depth=" + depth + ", baseFilters=" + baseFilters + ", " + preprocessing + ", context="
			+ context + ", patchYx=" + java.util.Arrays.toString(patchYx) + ", samplesPerEpoch=" + samplesPerEpoch + ", "
			+ training + ", " + layers + "]";
	}
}
