package org.medcnn.nn;

/**
 * A 2D U-Net segmenter: architecture, input window and training settings.
 * <p>
 * The network works on axial slices. Each resolution level has two 3×3 convolutions with the activation;
 * levels are joined by 2×2 max pooling on the way down and 2×2 transposed convolutions plus skip
 * concatenations on the way up; a 1×1 convolution with a sigmoid gives the foreground probability. Slices are
 * padded to a multiple of {@code 2^(depth-1)} (see {@link #sizeMultiple()}). With {@code context} &gt; 0 the net is a
 * 2.5D U-Net: each slice z is fed with its {@code context} neighbours on either side as channels, in the order
 * z−context … z … z+context ({@link #channels()} channels); beyond the first and last slice of a volume the nearest
 * existing slice is repeated (see {@link Inputs#contextSlices}). Immutable and validated.
 *
 * @param depth resolution levels, 1…6 (depth 3 = two poolings)
 * @param baseFilters filters of the first level (doubled per level), 1…256
 * @param windowCenterHu centre of the HU window mapped to [0, 1]
 * @param windowWidthHu width of the HU window, &gt; 0
 * @param training training settings
 * @param layers batch norm, dropout (at the bottleneck) and weight initialisation; {@code null} means
 *        {@link LayerConfig#DEFAULT}
 * @param context neighbouring slices on each side fed as extra input channels, 0…{@value #MAX_CONTEXT}; 0 (the
 *        default) is a plain 2D U-Net on single slices
 */
public record SegmenterConfig(int depth, int baseFilters, double windowCenterHu, double windowWidthHu,
	TrainingConfig training, LayerConfig layers, int context) {

	/** Largest {@link #context()}: 4 neighbours on each side, 9 channels. */
	public static final int MAX_CONTEXT = 4;

	public SegmenterConfig {
		if (depth < 1 || depth > 6)
			throw new IllegalArgumentException("depth = " + depth + " is out of range: allowed 1…6");
		if (baseFilters < 1 || baseFilters > 256)
			throw new IllegalArgumentException("baseFilters = " + baseFilters + " is out of range: allowed 1…256");
		checkWindow(windowCenterHu, windowWidthHu);
		if (training == null) throw new IllegalArgumentException("training settings are missing");
		if (layers == null) layers = LayerConfig.DEFAULT;
		if (context < 0 || context > MAX_CONTEXT)
			throw new IllegalArgumentException("context = " + context + " is out of range: allowed 0…" + MAX_CONTEXT
				+ " neighbouring slices on each side (0 = plain 2D)");
	}

	/** A plain 2D segmenter ({@code context} 0). */
	public SegmenterConfig(int depth, int baseFilters, double windowCenterHu, double windowWidthHu, TrainingConfig training,
		LayerConfig layers) {
		this(depth, baseFilters, windowCenterHu, windowWidthHu, training, layers, 0);
	}

	/** A plain 2D segmenter with {@link LayerConfig#DEFAULT} layer options. */
	public SegmenterConfig(int depth, int baseFilters, double windowCenterHu, double windowWidthHu, TrainingConfig training) {
		this(depth, baseFilters, windowCenterHu, windowWidthHu, training, LayerConfig.DEFAULT, 0);
	}

	/**
	 * Depth 3, 16 base filters, soft-tissue window (centre 40 HU, width 400 HU), {@link TrainingConfig#segmenterDefaults()}
	 * with {@value #DEFAULT_EPOCHS} epochs. Chosen with {@code medcnn bench quality} and the bundled phantom: 8 filters
	 * and 30 epochs stopped at a mean held-out Dice of about 0.83, these settings reach about 0.93 (a few minutes
	 * on a laptop CPU).
	 */
	public static SegmenterConfig defaults() {
		return new SegmenterConfig(3, 16, 40, 400, TrainingConfig.segmenterDefaults().withEpochs(DEFAULT_EPOCHS));
	}

	/** Epochs of {@link #defaults()}. */
	public static final int DEFAULT_EPOCHS = 40;

	public SegmenterConfig withTraining(TrainingConfig t) {
		return new SegmenterConfig(depth, baseFilters, windowCenterHu, windowWidthHu, t, layers, context);
	}

	public SegmenterConfig withLayers(LayerConfig l) {
		return new SegmenterConfig(depth, baseFilters, windowCenterHu, windowWidthHu, training, l, context);
	}

	public SegmenterConfig withContext(int c) {
		return new SegmenterConfig(depth, baseFilters, windowCenterHu, windowWidthHu, training, layers, c);
	}

	/** Input channels: {@code 2 · context + 1}. */
	public int channels() {
		return 2 * context + 1;
	}

	/** Slice width and height are padded to a multiple of this ({@code 2^(depth-1)}). */
	public int sizeMultiple() {
		return 1 << (depth - 1);
	}

	static void checkWindow(double center, double width) {
		if (!Double.isFinite(center))
			throw new IllegalArgumentException("windowCenterHu = " + center + " must be a finite number");
		if (!(width > 0) || !Double.isFinite(width))
			throw new IllegalArgumentException("windowWidthHu = " + width + " is out of range: allowed (0, ∞)");
	}
}
