package org.medcnn.nn;

import java.util.Arrays;
import java.util.List;

/**
 * An image classifier: a small CNN or a fully connected (MLP) baseline, its preprocessing and training settings.
 * <p>
 * CNN: per entry of {@code filters} a block conv 3×3 → activation → 2×2 pooling, then flatten → dense
 * ({@code denseUnits}) → activation → dense (classes) → softmax. MLP: flatten → dense ({@code denseUnits}) →
 * activation → dense (classes) → softmax ({@code filters} and {@code pooling} are ignored). Images are resampled
 * bilinearly to {@code inputSize × inputSize}, after the preprocessing's normalisation (classifiers do not resample
 * to a spacing: the item's field of view is what it is). {@code cropMm} records what an item is: a lesion-centred
 * crop of that many millimetres (front ends that classify lesions crop this field of view around each lesion), or 0
 * for whole images. Immutable and validated; the losses allowed are {@code cross-entropy} and {@code mse}.
 *
 * @param architecture {@code cnn} or {@code mlp}
 * @param inputSize square input side in pixels, 8…1024; for a CNN divisible by {@code 2^filters.length}
 * @param filters filters per convolution block, each 1…1024 (at least one block for a CNN)
 * @param denseUnits units of the hidden fully connected layer, 1…65536
 * @param pooling {@code max} or {@code avg}
 * @param preprocessing the intensity normalisation (its target spacing is not used)
 * @param training training settings
 * @param layers batch norm, dropout (on the output layer's input) and weight initialisation; {@code null} means
 *        {@link LayerConfig#DEFAULT}
 * @param cropMm side of the lesion-centred crop each item is, in mm, or 0 for whole images (slices)
 */
public record ClassifierConfig(String architecture, int inputSize, int[] filters, int denseUnits, String pooling,
	Preprocessing preprocessing, TrainingConfig training, LayerConfig layers, double cropMm) {

	public static final List<String> ARCHITECTURES = List.of("cnn", "mlp");
	public static final List<String> POOLINGS = List.of("max", "avg");

	public ClassifierConfig {
		architecture = TrainingConfig.keyword("architecture", architecture, ARCHITECTURES);
		pooling = TrainingConfig.keyword("pooling", pooling, POOLINGS);
		if (inputSize < 8 || inputSize > 1024)
			throw new IllegalArgumentException("inputSize = " + inputSize + " is out of range: allowed 8…1024");
		filters = filters == null ? new int[0] : filters.clone();
		if (architecture.equals("cnn")) {
			if (filters.length == 0 || filters.length > 6)
				throw new IllegalArgumentException("filters = " + Arrays.toString(filters)
					+ ": a CNN needs 1…6 convolution blocks");
			int m = 1 << filters.length;
			if (inputSize % m != 0)
				throw new IllegalArgumentException("inputSize = " + inputSize + " must be divisible by " + m
					+ " for " + filters.length + " pooling blocks");
		}
		for (int f : filters)
			if (f < 1 || f > 1024)
				throw new IllegalArgumentException("filters = " + Arrays.toString(filters) + ": each must be in 1…1024");
		if (denseUnits < 1 || denseUnits > 65536)
			throw new IllegalArgumentException("denseUnits = " + denseUnits + " is out of range: allowed 1…65536");
		if (preprocessing == null) throw new IllegalArgumentException("preprocessing is missing");
		if (!(cropMm >= 0 && cropMm <= 10_000))
			throw new IllegalArgumentException("cropMm = " + cropMm + " is out of range: allowed 0 (whole images) or (0, 10000]");
		if (training == null) throw new IllegalArgumentException("training settings are missing");
		if (training.loss().startsWith("dice"))
			throw new IllegalArgumentException("loss = '" + training.loss()
				+ "' is for segmenters: a classifier allows [cross-entropy, mse]");
		if (layers == null) layers = LayerConfig.DEFAULT;
	}

	/** A classifier of whole images with an explicit HU window (the configuration of card format 1). */
	public ClassifierConfig(String architecture, int inputSize, int[] filters, int denseUnits, String pooling,
		double windowCenterHu, double windowWidthHu, TrainingConfig training, LayerConfig layers) {
		this(architecture, inputSize, filters, denseUnits, pooling, Preprocessing.window(windowCenterHu, windowWidthHu),
			training, layers, 0);
	}

	/** A classifier of whole images with an explicit HU window and {@link LayerConfig#DEFAULT} layer options. */
	public ClassifierConfig(String architecture, int inputSize, int[] filters, int denseUnits, String pooling,
		double windowCenterHu, double windowWidthHu, TrainingConfig training) {
		this(architecture, inputSize, filters, denseUnits, pooling, windowCenterHu, windowWidthHu, training,
			LayerConfig.DEFAULT);
	}

	/**
	 * CNN, 64×64 input, filters {8, 16}, 64 dense units, max pooling, window 40/400 HU,
	 * {@link TrainingConfig#classifierDefaults()} with {@value #DEFAULT_EPOCHS} epochs (with the {@code standard}
	 * augmentation that {@code auto} gives classifiers, 30 epochs stopped short: see {@code medcnn bench quality}).
	 */
	public static ClassifierConfig defaults() {
		return new ClassifierConfig("cnn", 64, new int[] {8, 16}, 64, "max", 40, 400,
			TrainingConfig.classifierDefaults().withEpochs(DEFAULT_EPOCHS));
	}

	/** Epochs of {@link #defaults()}. */
	public static final int DEFAULT_EPOCHS = 60;

	public ClassifierConfig withArchitecture(String a) {
		return new ClassifierConfig(a, inputSize, filters, denseUnits, pooling, preprocessing, training, layers, cropMm);
	}

	public ClassifierConfig withTraining(TrainingConfig t) {
		return new ClassifierConfig(architecture, inputSize, filters, denseUnits, pooling, preprocessing, t, layers, cropMm);
	}

	public ClassifierConfig withLayers(LayerConfig l) {
		return new ClassifierConfig(architecture, inputSize, filters, denseUnits, pooling, preprocessing, training, l, cropMm);
	}

	public ClassifierConfig withPreprocessing(Preprocessing p) {
		return new ClassifierConfig(architecture, inputSize, filters, denseUnits, pooling, p, training, layers, cropMm);
	}

	@Override
	public int[] filters() {
		return filters.clone();
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof ClassifierConfig c && architecture.equals(c.architecture) && inputSize == c.inputSize
			&& Arrays.equals(filters, c.filters) && denseUnits == c.denseUnits && pooling.equals(c.pooling)
			&& preprocessing.equals(c.preprocessing) && training.equals(c.training) && layers.equals(c.layers)
			&& cropMm == c.cropMm;
	}

	@Override
	public int hashCode() {
		return (architecture.hashCode() * 31 + inputSize) * 31 + Arrays.hashCode(filters);
	}

	@Override
	public String toString() {
		return "ClassifierConfig[" + architecture + ", inputSize=" + inputSize + ", filters=" + Arrays.toString(filters)
			+ ", denseUnits=" + denseUnits + ", pooling=" + pooling + ", " + preprocessing + ", cropMm=" + cropMm + ", "
			+ training + ", " + layers + "]";
	}
}
