package org.medcnn.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Fingerprint;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;

/**
 * Turns what the user asked for ({@link SegmenterRequest}, {@link ClassifierRequest}) and what the data are
 * ({@link Fingerprint}) into a complete training configuration, the same for the CLI, the ImageJ plugins, the
 * SciJava commands, the demo and the benchmarks. Settings the user gave are kept; the others follow the data, after
 * nnU-Net's rules (Isensee et al. 2021) scaled to a CPU:
 * <ul>
 * <li><b>Normalisation</b>: CT → clip to the training set's 0.5–99.5 percentiles, z-score with its statistics; every
 * other modality → z-score per image over its body ({@link Normalisations#resolve}).</li>
 * <li><b>Spacing</b>: the median spacing per axis; a 2D model keeps each case's slice spacing, and so does a 3D model
 * when the data are strongly anisotropic (median slice spacing more than {@value #ANISOTROPY} times the in-plane
 * spacing).</li>
 * <li><b>Depth</b>: the smallest (from 3) whose receptive field covers twice the larger lesions (the 90th percentile
 * of lesion volume, as a sphere's diameter), as long as the deepest level keeps at least {@value #MIN_BOTTLENECK}
 * pixels across the patch; at most {@value #MAX_DEPTH}.</li>
 * <li><b>2D patch and batch</b>: the median slice, padded to the size multiple, at most {@value #PATCH_2D} pixels a
 * side (on two CPU cores a larger patch costs more than its context gains), more when twice the larger lesions need
 * it, up to {@value #MAX_PATCH_2D}; about {@value #PIXELS_PER_BATCH} pixels per batch (2…32 patches); one patch per training slice and epoch, at
 * most {@value #MAX_SAMPLES_2D} and at least {@value #MIN_STEPS_PER_EPOCH} batches' worth, every third centred on a
 * lesion.</li>
 * <li><b>3D patch</b>: the median volume, shrunk along its physically longest axis until it holds at most
 * {@value #PATCH_VOXELS_3D} voxels, batch 2.</li>
 * <li><b>Classifier</b>: small images keep their size (up to {@value #MAX_NATIVE_CLASSIFIER_SIDE} pixels, else
 * {@value #MAX_NATIVE_CLASSIFIER_SIDE}); large sets (≥ {@value #LARGE_SET} items) get a wider CNN, batch 64 and fewer
 * epochs ({@value #CLASSIFIER_SAMPLE_BUDGET} samples in all, 10…60 epochs); medical images get the standard
 * augmentation, other images (photographs, scans of objects: modality OT) the mild one, which keeps up up.</li>
 * </ul>
 * Each decision is explained in {@link SegmenterPlan#reasons()} / {@link ClassifierPlan#reasons()}. Stateless.
 */
public final class TrainingPlanner {

	/** Median slice spacing / in-plane spacing above which z is not resampled. */
	public static final double ANISOTROPY = 3;
	static final int MIN_DEPTH = 3, MAX_DEPTH = 5, MIN_BOTTLENECK = 8;
	static final int PATCH_2D = 128, MAX_PATCH_2D = 256;
	static final int PIXELS_PER_BATCH = 8 * 128 * 128;
	static final int MAX_SAMPLES_2D = 800;
	/** Small data sets still get this many steps per epoch. */
	static final int MIN_STEPS_PER_EPOCH = 25;
	static final int PATCH_VOXELS_3D = 64 * 64 * 16;
	static final int MAX_NATIVE_CLASSIFIER_SIDE = 64;
	static final int LARGE_SET = 5000;
	static final int CLASSIFIER_SAMPLE_BUDGET = 600_000;

	private TrainingPlanner() {}

	/**
	 * A complete segmenter configuration with the reasons for it.
	 *
	 * @param config2d the 2D configuration, or null for a 3D plan
	 * @param config3d the 3D configuration, or null for a 2D plan
	 * @param reasons one line per decision, for the log
	 * @param overwrite whether an existing package at the output may be replaced
	 */
	public record SegmenterPlan(SegmenterConfig config2d, Segmenter3dConfig config3d, List<String> reasons,
		boolean overwrite) {

		public SegmenterPlan {
			reasons = List.copyOf(reasons);
		}

		public int dims() {
			return config3d != null ? 3 : 2;
		}

		public Preprocessing preprocessing() {
			return config3d != null ? config3d.preprocessing() : config2d.preprocessing();
		}

		public TrainingConfig training() {
			return config3d != null ? config3d.training() : config2d.training();
		}

		/** "Plan: …" and one indented line per reason. */
		public String describe() {
			return "Plan:" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", reasons);
		}
	}

	/** A complete classifier configuration with the reasons for it. */
	public record ClassifierPlan(ClassifierConfig config, List<String> reasons, boolean overwrite) {

		public ClassifierPlan {
			reasons = List.copyOf(reasons);
		}

		public String describe() {
			return "Plan:" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", reasons);
		}
	}

	/**
	 * Plans a segmenter.
	 *
	 * @param names case names (for messages)
	 * @param modalities each case's modality
	 * @throws IllegalArgumentException when a setting is out of range or the set mixes modalities without an explicit
	 *         normalisation (the message names the cases)
	 */
	public static SegmenterPlan plan(SegmenterRequest r, Fingerprint fp, List<String> names, List<String> modalities) {
		List<String> why = new ArrayList<>();
		int dims = r.dimsOrDefault();
		Normalisations.Choice choice = Normalisations.parse(r.common().normalise());
		Normalisation norm = Normalisations.resolve(choice, fp, names, modalities);
		why.add("normalisation: " + norm.describe() + " (" + (choice.scheme().equals("auto")
			? (fp.isCt() ? "CT: Hounsfield units are absolute" : fp.modality() + ": no absolute intensity scale") : "as asked")
			+ ")");
		double[] ms = fp.medianSpacingMm();
		boolean anisotropic = fp.anisotropy() > ANISOTROPY;
		double[] target = dims == 2 || anisotropic ? new double[] {ms[0], ms[1], Double.NaN} : ms.clone();
		why.add(String.format(Locale.ROOT, "spacing: %.2f×%.2f mm in-plane%s (the median; %s)", target[0], target[1],
			Double.isNaN(target[2]) ? ", each case's slice spacing kept" : String.format(Locale.ROOT, ", %.2f mm slices", target[2]),
			dims == 2 ? "a 2D model works slice by slice"
				: anisotropic ? String.format(Locale.ROOT, "slices %.1f× thicker than pixels: not resampled in z", fp.anisotropy())
				: "resampled in all three axes"));
		Preprocessing pre = new Preprocessing(norm, target, fp);
		// median image size on the network's grid {x, y, z}
		int[] size = new int[3];
		for (int a = 0; a < 3; a++)
			size[a] = Double.isNaN(target[a]) ? fp.medianSizeXyz()[a]
				: (int) Math.max(1, Math.round(fp.medianSizeXyz()[a] * ms[a] / target[a]));
		double lesionPx = lesionDiameterPx(fp, target);

		TrainingConfig td = TrainingConfig.segmenterDefaults();
		TrainingConfig tc = training(td, r.common().epochs() != null ? r.common().epochs() : dims == 3 ? td.epochs() : SegmenterConfig.DEFAULT_EPOCHS,
			r.common().batch(), r.common().learningRate(), r.common().optimizer(), r.common().loss(), r.common().activation(), r.common().seed(), r.common().valFraction(), r.common().schedule(),
			r.common().augment(), r.common().resume(), r.common().clipNorm());
		LayerConfig layers = r.common().layers() == null ? LayerConfig.DEFAULT : r.common().layers();

		if (dims == 2) {
			int inPlane = Math.min(size[0], size[1]);
			// a patch of PATCH_2D pixels a side, larger when twice the larger lesions need it (at most MAX_PATCH_2D)
			int cap = (int) Math.min(MAX_PATCH_2D, Math.max(PATCH_2D, Math.ceil(2 * lesionPx) + 16));
			int depth = r.depth() != null ? r.depth() : depthFor(lesionPx, r.patch() != null ? Math.min(r.patch()[0], r.patch()[1])
				: Math.min(inPlane, cap), why);
			int m = 1 << (depth - 1);
			int[] patch = r.patch() != null ? r.patch()
				: new int[] {Math.min(roundUp(size[1], m), cap / m * m), Math.min(roundUp(size[0], m), cap / m * m)};
			int filters = r.filters() != null ? r.filters() : SegmenterConfig.defaults().baseFilters();
			int batch = r.common().batch() != null ? r.common().batch() : clamp((int) Math.round((double) PIXELS_PER_BATCH / (patch[0] * patch[1])), 2, 32);
			long trainSlices = Math.round(fp.totalSlices() * (1 - tc.valFraction()));
			int perEpoch = r.samplesPerEpoch() != null ? r.samplesPerEpoch()
				: (int) Math.max(MIN_STEPS_PER_EPOCH * batch, Math.min(MAX_SAMPLES_2D, trainSlices));
			tc = tc.withBatchSize(batch);
			why.add(String.format(Locale.ROOT, "network: 2D U-Net, depth %d, %d filters%s; training patches %d×%d (y×x; median"
				+ " slice %d×%d), batch %d, %d patches per epoch (every third centred on a lesion), %d epochs", depth, filters,
				r.context() != null && r.context() > 0 ? ", 2.5D with " + r.context() + " slice(s) on each side" : "", patch[0],
				patch[1], size[1], size[0], batch, perEpoch, tc.epochs()));
			SegmenterConfig cfg = new SegmenterConfig(depth, filters, pre, tc, layers, r.context() == null ? 0 : r.context(),
				patch, perEpoch);
			return new SegmenterPlan(cfg, null, why, r.common().overwrite());
		}
		Segmenter3dConfig d3 = Segmenter3dConfig.defaults();
		int[] patch0 = r.patch() != null ? r.patch() : patch3d(size, target, ms);
		int depth = r.depth() != null ? r.depth()
			: depthFor(lesionPx, Math.min(patch0[1], patch0[2]), why);
		int[] patch = r.patch() != null ? r.patch() : fit3d(patch0, depth);
		int filters = r.filters() != null ? r.filters() : d3.baseFilters();
		tc = tc.withBatchSize(r.common().batch() != null ? r.common().batch() : d3.training().batchSize());
		why.add(String.format(Locale.ROOT, "network: 3D U-Net, depth %d, %d filters; patches %d×%d×%d (z×y×x; median volume"
			+ " %d×%d×%d), batch %d, %d epochs", depth, filters, patch[0], patch[1], patch[2], size[2], size[1], size[0],
			tc.batchSize(), tc.epochs()));
		return new SegmenterPlan(null, new Segmenter3dConfig(depth, filters, patch, pre, tc, layers), why, r.common().overwrite());
	}

	/** The 90th-percentile lesion's diameter in in-plane pixels of the target grid (0 without lesions). */
	private static double lesionDiameterPx(Fingerprint fp, double[] target) {
		if (fp.lesions() == null || fp.lesions().count() == 0 || !Double.isFinite(fp.lesions().p90Mm3())) return 0;
		return Fingerprint.LesionSizes.diameterMm(fp.lesions().p90Mm3()) / Math.min(target[0], target[1]);
	}

	/** The depth rule of the class comment; adds its reason. */
	private static int depthFor(double lesionPx, int patchSide, List<String> why) {
		int maxDepth = MIN_DEPTH;
		while (maxDepth < MAX_DEPTH && patchSide >> maxDepth >= MIN_BOTTLENECK) maxDepth++;
		int depth = MIN_DEPTH;
		while (depth < maxDepth && SegmenterConfig.receptiveField(depth) < 2 * lesionPx) depth++;
		why.add(String.format(Locale.ROOT, "depth %d: receptive field %d pixels for lesions up to about %.0f pixels across"
			+ " (90th percentile)%s", depth, SegmenterConfig.receptiveField(depth), lesionPx,
			SegmenterConfig.receptiveField(depth) < 2 * lesionPx ? "; deeper would leave the patch's deepest level under " + MIN_BOTTLENECK
				+ " pixels" : ""));
		return depth;
	}

	/**
	 * A 3D patch {z, y, x}: the median volume (at most 256 a side), shrunk by tenths along the axis of largest physical
	 * extent until it holds at most {@value #PATCH_VOXELS_3D} voxels.
	 */
	static int[] patch3d(int[] sizeXyz, double[] target, double[] median) {
		int[] p = {Math.min(256, sizeXyz[2]), Math.min(256, sizeXyz[1]), Math.min(256, sizeXyz[0])};
		double[] sp = {Double.isNaN(target[2]) ? median[2] : target[2], target[1], target[0]};
		int[] min = {4, 16, 16};
		while ((long) p[0] * p[1] * p[2] > PATCH_VOXELS_3D) {
			int axis = -1;
			for (int a = 0; a < 3; a++)
				if (p[a] > min[a] && (axis < 0 || p[a] * sp[a] > p[axis] * sp[axis])) axis = a;
			if (axis < 0) break;
			p[axis] = Math.max(min[axis], p[axis] * 9 / 10);
		}
		return p;
	}

	/** Rounds a 3D patch down (not below one multiple) to the multiples a U-Net of {@code depth} needs. */
	static int[] fit3d(int[] p, int depth) {
		int m = 1 << (depth - 1);
		int y = Math.max(m, p[1] / m * m), x = Math.max(m, p[2] / m * m);
		int z = p[0];
		for (int tries = 0; tries < 64; tries++) {
			int zm = zMultiple(depth, z);
			if (z % zm == 0) break;
			z = Math.max(zm, z / zm * zm);
		}
		return new int[] {Math.max(1, z), y, x};
	}

	private static int zMultiple(int depth, int z) {
		int m = 1;
		for (int l = 0; l < depth - 1; l++) if ((z >> l) >= Segmenter3dConfig.MIN_Z_TO_POOL) m *= 2;
		return m;
	}

	/**
	 * Plans a classifier.
	 *
	 * @throws IllegalArgumentException when a setting is out of range or the set mixes modalities without an explicit
	 *         normalisation
	 */
	public static ClassifierPlan plan(ClassifierRequest r, Fingerprint fp, List<String> names, List<String> modalities) {
		List<String> why = new ArrayList<>();
		Normalisations.Choice choice = Normalisations.parse(r.common().normalise());
		Normalisation norm = Normalisations.resolve(choice, fp, names, modalities);
		why.add("normalisation: " + norm.describe() + " (" + (choice.scheme().equals("auto")
			? (fp.isCt() ? "CT: Hounsfield units are absolute" : fp.modality() + ": no absolute intensity scale") : "as asked")
			+ ")");
		ClassifierConfig d = ClassifierConfig.defaults();
		int n = fp.cases();
		boolean large = n >= LARGE_SET;
		String arch = r.architecture() != null ? r.architecture() : d.architecture();
		int[] filters = r.filters() != null ? r.filters() : large ? new int[] {32, 64} : d.filters();
		int blocks = arch.equals("cnn") ? filters.length : 0, m = 1 << blocks;
		int side = Math.max(fp.medianSizeXyz()[0], fp.medianSizeXyz()[1]);
		int size = r.inputSize() != null ? r.inputSize()
			: side <= MAX_NATIVE_CLASSIFIER_SIDE ? Math.max(8, roundUp(Math.max(side, m), m)) : MAX_NATIVE_CLASSIFIER_SIDE;
		int dense = r.denseUnits() != null ? r.denseUnits() : large ? 128 : d.denseUnits();
		int epochs = r.common().epochs() != null ? r.common().epochs()
			: clamp((CLASSIFIER_SAMPLE_BUDGET + n - 1) / Math.max(1, n), 10, ClassifierConfig.DEFAULT_EPOCHS);
		boolean medical = fp.modalities().keySet().stream().noneMatch(mod -> mod.equals("OT") || mod.isBlank());
		String augment = r.common().augment() != null && !r.common().augment().equals("auto") ? r.common().augment() : medical ? "standard" : "mild";
		TrainingConfig td = TrainingConfig.classifierDefaults();
		TrainingConfig tc = training(td, epochs, r.common().batch() != null ? r.common().batch() : large ? 64 : td.batchSize(), r.common().learningRate(),
			r.common().optimizer(), r.common().loss(), r.common().activation(), r.common().seed(), r.common().valFraction(), r.common().schedule(), augment, r.common().resume(), r.common().clipNorm());
		why.add(String.format(Locale.ROOT, "network: %s, input %d×%d (median item %d pixels%s), %s dense %d; batch %d, %d"
			+ " epochs (%d items), augmentation %s (%s)", arch.toUpperCase(Locale.ROOT), size, size, side,
			side <= MAX_NATIVE_CLASSIFIER_SIDE ? ": kept" : ": resampled", arch.equals("cnn") ? "filters "
				+ Arrays.toString(filters) + "," : "", dense, tc.batchSize(), tc.epochs(), n, tc.augment(),
			medical ? "medical images: any orientation" : "images with an up and a down"));
		ClassifierConfig cfg = new ClassifierConfig(arch, size, filters, dense, r.pooling() != null ? r.pooling() : d.pooling(),
			new Preprocessing(norm, null, fp), tc, r.common().layers() == null ? LayerConfig.DEFAULT : r.common().layers(),
			r.cropMm() == null ? 0 : r.cropMm());
		return new ClassifierPlan(cfg, why, r.common().overwrite());
	}

	/** The training settings: the defaults {@code d} with every given (non-null) value. */
	private static TrainingConfig training(TrainingConfig d, int epochs, Integer batch, Double lr, String optimizer,
		String loss, String activation, Long seed, Double valFraction, String schedule, String augment, boolean resume,
		Double clipNorm) {
		return new TrainingConfig(epochs, batch != null ? batch : d.batchSize(), lr != null ? lr : d.learningRate(),
			optimizer != null ? optimizer : d.optimizer(), loss != null ? loss : d.loss(),
			activation != null ? activation : d.activation(), seed != null ? seed : d.seed(),
			valFraction != null ? valFraction : d.valFraction(), d.patience(), schedule != null ? schedule : d.schedule(),
			augment != null ? augment : d.augment(), resume, clipNorm != null ? clipNorm : d.clipNorm());
	}

	private static int roundUp(int n, int m) {
		return (n + m - 1) / m * m;
	}

	private static int clamp(int v, int lo, int hi) {
		return Math.max(lo, Math.min(hi, v));
	}
}
