package org.medcnn.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.medcnn.common.Cancellation;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Trains segmenters and classifiers and writes them as model packages. Stateless and thread-safe (each call
 * builds its own graph).
 * <p>
 * Packages are written to a temporary sibling folder and renamed into place, so a failed run never leaves a
 * half-written package; an existing package at the target is replaced, any other existing folder is refused.
 * The package holds the weights of the epoch with the lowest validation loss (the last epoch without a
 * validation set). Cancellation (via {@link Cancellation}) throws {@link java.util.concurrent.CancellationException};
 * when at least one epoch had finished, the package with the best weights so far is written first and the
 * exception's message says so.
 */
public final class Training {

	private Training() {}

	/**
	 * Trains a 2D U-Net on the axial slices of the given cases.
	 *
	 * @param images CT volumes (HU), one per case
	 * @param masks label masks on the same grids (foreground = label &gt; 0)
	 * @param cfg architecture, HU window and training settings; validation is split by case
	 * @param l receives per-step and per-epoch progress, may be null
	 * @param c checked before every step, may be null
	 * @param outPackageDir the package folder to create
	 * @return {@code outPackageDir}
	 * @throws IllegalArgumentException when the inputs are empty or a mask does not fit its image (names the case)
	 * @throws TrainingException when the loss becomes NaN or TensorFlow fails during a step (names epoch and step)
	 * @throws IOException when TensorFlow cannot load or the package cannot be written
	 */
	public static Path trainSegmenter(List<Volume> images, List<Mask> masks, SegmenterConfig cfg, TrainingListener l,
		Cancellation c, Path outPackageDir) throws IOException {
		return Models.engine().trainSegmenter(images, masks, cfg, l, c, outPackageDir);
	}

	/**
	 * Trains a 3D U-Net on patches of the given cases (see {@link Segmenter3dConfig}). Each epoch draws fresh
	 * patches: per training case about twice as many as it takes to cover the case (4…64), half of them centred
	 * near a random lesion voxel and the rest anywhere; volumes smaller than the patch are padded. Validation
	 * uses the patches that tile each validation case. The package opens with {@link Models#openSegmenter} and
	 * segments whole volumes by sliding window.
	 *
	 * @param images CT volumes (HU), one per case
	 * @param masks label masks on the same grids (foreground = label &gt; 0)
	 * @param cfg architecture, patch size, HU window and training settings; validation is split by case
	 * @param l receives per-step and per-epoch progress, may be null
	 * @param c checked before every step, may be null
	 * @param outPackageDir the package folder to create
	 * @return {@code outPackageDir}
	 * @throws IllegalArgumentException when the inputs are empty or a mask does not fit its image (names the case)
	 * @throws TrainingException when the loss becomes NaN or TensorFlow fails during a step (names epoch and step)
	 * @throws IOException when TensorFlow cannot load or the package cannot be written
	 */
	public static Path trainSegmenter3d(List<Volume> images, List<Mask> masks, Segmenter3dConfig cfg, TrainingListener l,
		Cancellation c, Path outPackageDir) throws IOException {
		return Models.engine().trainSegmenter3d(images, masks, cfg, l, c, outPackageDir);
	}

	/**
	 * Fine-tunes a segmenter: builds the parent's network as {@code cfg} describes it (2D or 3D), sets every weight
	 * (and batch norm's moving averages) from the parent package's SavedModel, then trains on the given cases exactly as
	 * {@link #trainSegmenter} does (fresh optimizer state) and writes a new package whose card holds
	 * {@code parent.lineage()} under {@code lineage}. The parent package is only read.
	 *
	 * @param cfg a {@link SegmenterConfig} or {@link Segmenter3dConfig} with the parent's architecture
	 * @throws ModelFormatException when the parent's weights do not fit the network (names the variable)
	 * @throws IOException when TensorFlow cannot load or a package cannot be read or written
	 */
	public static Path fineTuneSegmenter(List<Volume> images, List<Mask> masks, Record cfg, ParentPackage parent,
		TrainingListener l, Cancellation c, Path outPackageDir) throws IOException {
		return Models.engine().fineTuneSegmenter(images, masks, cfg, parent, l, c, outPackageDir);
	}

	/**
	 * Trains an image classifier on 2D images.
	 *
	 * @param items images, each a single slice ({@code nz == 1}; otherwise the middle slice is used), resampled
	 *        bilinearly to the configured input size and windowed
	 * @param labels class index of each item, in {@code [0, classNames.size())}
	 * @param classNames at least two class names, in output order; {@code low/intermediate/high} style names are
	 *        also recorded as ordered risk levels
	 * @param cfg architecture, HU window and training settings; the validation split is stratified by class
	 * @param l receives per-step and per-epoch progress, may be null
	 * @param c checked before every step, may be null
	 * @param outPackageDir the package folder to create
	 * @return {@code outPackageDir}
	 * @throws IllegalArgumentException when inputs are empty, labels out of range or counts differ
	 * @throws TrainingException when the loss becomes NaN or TensorFlow fails during a step
	 * @throws IOException when TensorFlow cannot load or the package cannot be written
	 */
	public static Path trainClassifier(List<Volume> items, int[] labels, List<String> classNames, ClassifierConfig cfg,
		TrainingListener l, Cancellation c, Path outPackageDir) throws IOException {
		return Models.engine().trainClassifier(items, labels, classNames, cfg, l, c, outPackageDir);
	}

	/**
	 * Times a classifier on random {@code inputSize × inputSize} images: a short warm-up, then training steps
	 * (forward, backward, update) for about half of {@code seconds} and inference steps for the other half, at the
	 * configured batch size. Nothing is written.
	 *
	 * @param c checked between steps, may be null
	 * @throws IOException when TensorFlow cannot load
	 */
	public static Throughput benchmarkClassifier(ClassifierConfig cfg, int classes, double seconds, Cancellation c)
		throws IOException {
		return Models.engine().benchmark(cfg, cfg.inputSize(), classes, seconds, c);
	}

	/** Times a 2D U-Net on random {@code size × size} slices, as {@link #benchmarkClassifier} does. */
	public static Throughput benchmarkSegmenter(SegmenterConfig cfg, int size, double seconds, Cancellation c)
		throws IOException {
		return Models.engine().benchmark(cfg, size, 2, seconds, c);
	}

	/** Times a 3D U-Net on random patches of the configured patch size, as {@link #benchmarkClassifier} does. */
	public static Throughput benchmarkSegmenter3d(Segmenter3dConfig cfg, double seconds, Cancellation c) throws IOException {
		return Models.engine().benchmark(cfg, 0, 2, seconds, c);
	}
}
