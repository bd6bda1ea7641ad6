package org.medcnn.nn;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.medcnn.common.SystemProperties;

/**
 * Memory planning for training: estimates what one training item (slice, patch or image) costs TensorFlow and
 * lowers the batch size — for 3D U-Nets also the patch size — until a step fits the memory budget, so that a
 * laptop trains with smaller steps instead of running out of memory.
 * <p>
 * The estimate counts, per resolution level, the float32 feature maps a training step keeps for the backward
 * pass (convolution outputs before and after the activation, pooled maps, up-convolutions, concatenations) and
 * the same again for their gradients, plus four copies of the weights (weights, gradients and Adam's two
 * moments) and the batch's input and target. It is deliberately an upper bound: TensorFlow frees and reuses many
 * buffers. The budget is {@value #BUDGET_SHARE} of the memory the operating system reports as available
 * ({@code MemAvailable} in {@code /proc/meminfo}, else the free physical memory), less the Java heap this JVM may
 * still grow to; {@code -Dmedcnn.memoryBudgetMb=N} sets it. The plan changes nothing when the requested batch
 * fits; when it does not, training uses the plan's values and the model card records them.
 *
 * @param batchSize items per step, at least 1
 * @param patchZyx the 3D patch, {@code null} for 2D models
 * @param bytesPerItem estimated bytes one item adds to a training step
 * @param fixedBytes estimated bytes independent of the batch (weights, gradients, optimizer state)
 * @param budgetBytes the memory the step may use
 * @param requestedBatch the batch size asked for
 * @param requestedPatch the patch asked for, {@code null} for 2D models
 */
public record MemoryPlan(int batchSize, int[] patchZyx, long bytesPerItem, long fixedBytes, long budgetBytes,
	int requestedBatch, int[] requestedPatch) {

	/** Share of the available memory a training step may plan for. */
	public static final double BUDGET_SHARE = 0.5;
	/** System property: the memory (MB) a training step may use, instead of {@value #BUDGET_SHARE} of what is free. */
	public static final String BUDGET_PROPERTY = "medcnn.memoryBudgetMb";
	/** Feature maps kept per level and filter for a U-Net step, forward and backward (see the class comment). */
	static final int UNET_MAPS_PER_FILTER = 22;
	/** Smallest in-plane patch side the planner goes down to. */
	static final int MIN_PATCH_SIDE = 16;

	/** Whether the plan lowered the batch or the patch. */
	public boolean reduced() {
		return batchSize != requestedBatch || (patchZyx != null && !Arrays.equals(patchZyx, requestedPatch));
	}

	/** Estimated bytes of one training step with the planned batch. */
	public long stepBytes() {
		return fixedBytes + bytesPerItem * batchSize;
	}

	/** One line for logs and progress output. */
	public String describe() {
		String what = patchZyx == null ? "batch " + batchSize : "batch " + batchSize + " of " + Arrays.toString(patchZyx)
			+ " patches";
		String s = String.format(Locale.ROOT, "Memory plan: %s, about %d MB per step of a %d MB budget", what,
			mb(stepBytes()), mb(budgetBytes));
		if (!reduced()) return s;
		return s + " (lowered from batch " + requestedBatch + (requestedPatch == null ? ""
			: " of " + Arrays.toString(requestedPatch) + " patches") + " to fit)";
	}

	/** The fields the model card's training record keeps. */
	public Map<String, Object> cardRecord() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("budgetMb", mb(budgetBytes));
		m.put("estimatedStepMb", mb(stepBytes()));
		m.put("requestedBatch", requestedBatch);
		m.put("batch", batchSize);
		if (patchZyx != null) {
			m.put("requestedPatchZyx", Arrays.stream(requestedPatch).boxed().toList());
			m.put("patchZyx", Arrays.stream(patchZyx).boxed().toList());
		}
		m.put("reduced", reduced());
		return m;
	}

	private static long mb(long bytes) {
		return Math.round(bytes / 1048576.0);
	}

	/**
	 * The memory a training step may use: {@code -Dmedcnn.memoryBudgetMb} (MB), else {@value #BUDGET_SHARE} of the
	 * available memory less the heap the JVM may still take.
	 *
	 * @throws IllegalArgumentException when the property is set but not a positive whole number
	 */
	public static long availableBudget() {
		long mb = SystemProperties.wholeNumber(BUDGET_PROPERTY, 0, 1, Long.MAX_VALUE >> 20);
		if (mb > 0) return mb << 20;
		Runtime rt = Runtime.getRuntime();
		long heapStillToGrow = Math.max(0, rt.maxMemory() - rt.totalMemory());
		long available = availableBytes();
		return Math.max(64L << 20, (long) (BUDGET_SHARE * Math.max(0, available - heapStillToGrow)));
	}

	/** {@code MemAvailable} of {@code /proc/meminfo}, else the free physical memory the JVM reports. */
	static long availableBytes() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
				if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
		} catch (IOException | RuntimeException e) {
			// not Linux: fall through
		}
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
			return os.getFreeMemorySize();
		return 4L << 30;
	}

	/** The plan for a 2D U-Net on {@code h × w} slices (padded to the size multiple). */
	public static MemoryPlan segmenter2d(SegmenterConfig cfg, int h, int w, long budget) {
		long per = unetItemBytes(new int[] {1, h, w}, cfg.depth(), cfg.baseFilters(), level -> false);
		long fixed = 16L * unetParameters(cfg.depth(), cfg.baseFilters(), 9);
		int b = fit(cfg.training().batchSize(), per, fixed, budget);
		return new MemoryPlan(b, null, per, fixed, budget, cfg.training().batchSize(), null);
	}

	/**
	 * The plan for a 3D U-Net: the requested batch if it fits, else a smaller batch; if even one patch does not
	 * fit, the patch's larger in-plane side is halved (not below {@value #MIN_PATCH_SIDE}, staying a multiple of
	 * the size multiple) until it does.
	 */
	public static MemoryPlan segmenter3d(Segmenter3dConfig cfg, long budget) {
		long fixed = 16L * unetParameters(cfg.depth(), cfg.baseFilters(), 27);
		int[] patch = cfg.patchZyx().clone();
		int m = cfg.sizeMultiple();
		while (true) {
			Segmenter3dConfig c = cfg.withPatch(patch[0], patch[1], patch[2]);
			long per = unetItemBytes(patch, cfg.depth(), cfg.baseFilters(), c::poolsZ);
			int b = fit(cfg.training().batchSize(), per, fixed, budget);
			boolean fits = fixed + per <= budget;
			int axis = patch[1] >= patch[2] ? 1 : 2;
			int half = patch[axis] / 2 / m * m;
			if (fits || half < Math.max(MIN_PATCH_SIDE, m))
				return new MemoryPlan(b, patch, per, fixed, budget, cfg.training().batchSize(), cfg.patchZyx());
			patch[axis] = half;
		}
	}

	/** The plan for a classifier on {@code s × s} images (conv blocks, then the dense head). */
	public static MemoryPlan classifier(ClassifierConfig cfg, long budget) {
		long s = cfg.inputSize(), floats = 2 * s * s, params = 0, side = s, cin = 1;
		if (cfg.architecture().equals("cnn")) {
			for (int f : cfg.filters()) {
				floats += side * side * f * 4L; // conv output, activation and their gradients
				params += 9L * cin * f + f;
				side /= 2;
				cin = f;
			}
		}
		long flat = side * side * cin;
		params += flat * cfg.denseUnits() + cfg.denseUnits() * 8L;
		floats += 4L * cfg.denseUnits();
		long per = 4 * floats, fixed = 16 * params;
		int b = fit(cfg.training().batchSize(), per, fixed, budget);
		return new MemoryPlan(b, null, per, fixed, budget, cfg.training().batchSize(), null);
	}

	private static int fit(int requested, long per, long fixed, long budget) {
		long room = budget - fixed;
		if (room <= per) return 1;
		return (int) Math.max(1, Math.min(requested, room / per));
	}

	/** Bytes one item keeps in a U-Net training step: see the class comment. */
	static long unetItemBytes(int[] zyx, int depth, int f0, java.util.function.IntPredicate poolsZ) {
		double voxels = (double) zyx[0] * zyx[1] * zyx[2], floats = 2 * voxels; // input and target
		for (int level = 0; level < depth; level++) {
			floats += voxels * (f0 << level) * UNET_MAPS_PER_FILTER;
			voxels /= poolsZ.test(level) ? 8 : 4;
		}
		return (long) (4 * floats);
	}

	/** Weights of a U-Net with {@code k}-element kernels (9 in 2D, 27 in 3D). */
	static long unetParameters(int depth, int f0, int k) {
		long p = 0, cin = 1;
		for (int level = 0; level < depth; level++) {
			long f = (long) f0 << level;
			p += k * cin * f + k * f * f + 2 * f;
			if (level > 0) p += 8 * f * (f / 2) + k * f * (f / 2) + k * (f / 2) * (f / 2); // up path
			cin = f;
		}
		return p;
	}
}
