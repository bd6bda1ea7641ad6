package org.medcnn.nn.tf;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.medcnn.common.Cancellation;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.MemoryPlan;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.PackageFiles;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.TrainingListener;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * Training and packaging of the 3D U-Net on patches (see {@link Segmenter3dConfig}). Stateless.
 * <p>
 * Each epoch draws fresh patches ({@link #patchesPerCase} per training case, at most {@value #MAX_PATCHES_PER_EPOCH}
 * in all), alternately centred near a random lesion voxel and placed uniformly at random; patches get random
 * augmentations ({@link org.medcnn.nn.TrainingConfig#augment()}; {@code auto}: in-plane flips). The validation patches are drawn the same way once, with a fixed seed, at most
 * {@value #MAX_VAL_PATCHES_PER_CASE} per case.
 */
final class TfTraining3d {

	/** Architecture type written to the card and dispatched on by {@link TfEngine#openSegmenter}. */
	static final String ARCHITECTURE = "unet3d";
	static final int MAX_PATCHES_PER_EPOCH = 512;
	static final int MAX_VAL_PATCHES_PER_CASE = 16;

	private TfTraining3d() {}

	/** Patches per case and epoch: twice the number that would tile the case, 4…64. */
	static int patchesPerCase(int voxels, int[] patch) {
		long pv = (long) patch[0] * patch[1] * patch[2];
		return (int) Math.max(4, Math.min(64, (2L * voxels + pv - 1) / pv));
	}

	static Path train(List<Volume> images, List<Mask> masks, Segmenter3dConfig cfg, TrainingListener l, Cancellation c,
		Path out) throws IOException {
		if (images == null || masks == null || images.isEmpty())
			throw new IllegalArgumentException("No training cases: give at least one image with its mask");
		if (images.size() != masks.size())
			throw new IllegalArgumentException(images.size() + " images but " + masks.size() + " masks: each case needs one of each");
		for (int i = 0; i < images.size(); i++) {
			String d = images.get(i).geometry().describeMismatch(masks.get(i).geometry(), TfTraining.GEOMETRY_TOLERANCE_MM);
			if (!d.isEmpty())
				throw new IllegalArgumentException("Case " + (i + 1) + ": the mask does not lie on the image's grid (" + d + ")");
		}
		MemoryPlan plan = MemoryPlan.segmenter3d(cfg, MemoryPlan.availableBudget());
		if (l != null) l.note(plan.describe());
		if (plan.reduced())
			cfg = new Segmenter3dConfig(cfg.depth(), cfg.baseFilters(), plan.patchZyx(), cfg.windowCenterHu(), cfg.windowWidthHu(),
				cfg.training().withBatchSize(plan.batchSize()), cfg.layers());
		TrainingConfig tc = cfg.training();
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < images.size(); i++) order.add(i);
		Collections.shuffle(order, new Random(tc.seed()));
		int nVal = TfTraining.valCount(images.size(), tc.valFraction());
		List<Integer> valCases = new ArrayList<>(order.subList(0, nVal));
		List<Integer> trainCases = new ArrayList<>(order.subList(nVal, order.size()));
		Collections.sort(valCases);
		Collections.sort(trainCases);
		int[] patch = cfg.patchZyx();
		List<Patches.Grid> trainGrids = grids(images, masks, trainCases, cfg), valGrids = grids(images, masks, valCases, cfg);
		int perEpoch = 0;
		for (Patches.Grid g : trainGrids) perEpoch += patchesPerCase(g.x.length, patch);
		int epochPatches = Math.min(MAX_PATCHES_PER_EPOCH, perEpoch);
		Trainer.EpochSampler sampler = (ignored, rng) -> draw(trainGrids, epochPatches, patch, rng);
		List<Trainer.Sample> val = new ArrayList<>();
		Random valRng = new Random(tc.seed() ^ 0x5DEECE66DL);
		for (Patches.Grid g : valGrids)
			val.addAll(draw(List.of(g), Math.min(MAX_VAL_PATCHES_PER_CASE, patchesPerCase(g.x.length, patch)), patch, valRng));

		long t0 = System.nanoTime();
		Trainer.Outcome o;
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, -1, 1), Shape.of(-1, -1, -1, -1, 1), true,
			Architectures.unet3d(cfg), tc)) {
			o = new Trainer(net, tc, new Trainer.Dice(), l, c).sampler(sampler).augmenter(Augmentations.of(tc.augment(), true))
				.checkpoint(Checkpoint.folderFor(out), ARCHITECTURE + " " + TfTraining.fingerprint(images, masks) + " "
					+ trainCases).fit(List.of(), val);
			double seconds = (System.nanoTime() - t0) / 1e9;

			Map<String, Object> card = TfTraining.header(ModelCard.SEGMENTATION, out);
			Map<String, Object> arch = new LinkedHashMap<>();
			arch.put("type", ARCHITECTURE);
			arch.put("dims", 3);
			arch.put("depth", cfg.depth());
			arch.put("baseFilters", cfg.baseFilters());
			arch.put("kernelSize", 3);
			arch.put("patchZyx", List.of(patch[0], patch[1], patch[2]));
			List<String> pooling = new ArrayList<>();
			for (int level = 0; level < cfg.depth() - 1; level++) pooling.add(cfg.poolsZ(level) ? "2x2x2" : "1x2x2");
			arch.put("pooling", pooling);
			arch.put("upsampling", "transposed-conv");
			arch.put("augmentation", Augmentations.describe(tc.augment(), true));
			arch.put("sampling", "per epoch " + epochPatches + " random patches, every other one centred near a lesion voxel");
			arch.put("inference", "sliding window of the patch size, half a patch overlap, Gaussian blending (sigma = patch / 4)");
			arch.put("activation", tc.activation());
			arch.putAll(cfg.layers().cardFields(tc.activation()));
			arch.put("output", "sigmoid");
			arch.put("parameters", net.parameterCount);
			card.put("architecture", arch);
			card.put("classNames", List.of("background", "lesion"));
			Map<String, Object> input = TfTraining.inputSpec(images.get(0).modality(), cfg.windowCenterHu(), cfg.windowWidthHu());
			input.put("axes", "bzyxc");
			input.put("inputSize", "patch; the network takes any z multiple of " + cfg.zMultiple() + " and y, x multiples of "
				+ cfg.sizeMultiple());
			input.put("sizeMultiple", cfg.sizeMultiple());
			input.put("zMultiple", cfg.zMultiple());
			input.put("patchZyx", List.of(patch[0], patch[1], patch[2]));
			input.put("slices", "3D patches of the volume, z = slice index");
			card.put("input", input);
			Map<String, Object> output = TfTraining.outputSpec("foreground probability per voxel (sigmoid); mask = probability >= 0.5");
			output.put("axes", "bzyxc");
			card.put("output", output);
			card.put("signature", TfTraining.signatureSpec());
			Map<String, Object> tr = TfTraining.trainingRecord(tc, o, seconds);
			tr.put("trainCases", trainCases.size());
			tr.put("valCases", valCases.size());
			tr.put("memoryPlan", plan.cardRecord());
			tr.put("patchesPerEpoch", epochPatches);
			tr.put("valPatches", val.size());
			tr.put("dataFingerprint", TfTraining.fingerprint(images, masks));
			card.put("training", tr);
			card.put("validation", TfTraining.validationRecord(o, valCases.size(), "cases"));
			TfTraining.finish(card);
			TfTraining.Showcase sc = showcase(net, images, masks, trainCases.isEmpty() ? valCases : trainCases, cfg);
			PackageWriter.write(out, card, dir -> TfTraining.export(net, dir),
				dir -> TfTraining.extras(dir, card, o.history(), sc));
		}
		return TfTraining.cancelledOrDone(o, out);
	}

	/** Windowed, padded volumes with 0/1 targets. */
	private static List<Patches.Grid> grids(List<Volume> images, List<Mask> masks, List<Integer> cases, Segmenter3dConfig cfg) {
		List<Patches.Grid> out = new ArrayList<>();
		for (int ci : cases) {
			Volume v = images.get(ci);
			byte[] labels = masks.get(ci).labels();
			float[] y = new float[labels.length];
			for (int i = 0; i < y.length; i++) y[i] = labels[i] != 0 ? 1f : 0f;
			var g = v.geometry();
			out.add(new Patches.Grid(Inputs.window(v.voxels(), cfg.windowCenterHu(), cfg.windowWidthHu()), y, g.nz(), g.ny(),
				g.nx(), cfg.patchZyx(), 0f));
		}
		return out;
	}

	/** {@code count} patches from random cases, even-numbered ones centred near lesion (when the case has any). */
	static List<Trainer.Sample> draw(List<Patches.Grid> grids, int count, int[] p, Random rng) {
		List<Trainer.Sample> out = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			Patches.Grid g = grids.size() == 1 ? grids.get(0) : grids.get(rng.nextInt(grids.size()));
			int[] s = g.start(p, i % 2 == 0, rng);
			out.add(new Trainer.Sample(g.extract(g.x, s[0], s[1], s[2], p), g.extract(g.y, s[0], s[1], s[2], p), p[2], p[1], p[0]));
		}
		return out;
	}

	/**
	 * The package's sample: a patch in HU (padded with the window's lower bound) centred on a lesion voxel of the
	 * training case with the most lesion, the model's output on it, and its middle slice as the cover.
	 */
	private static TfTraining.Showcase showcase(TrainableNet net, List<Volume> images, List<Mask> masks, List<Integer> cases,
		Segmenter3dConfig cfg) {
		int best = cases.get(0);
		long bestCount = -1;
		for (int ci : cases) {
			long count = 0;
			for (byte b : masks.get(ci).labels()) if (b != 0) count++;
			if (count > bestCount) {
				bestCount = count;
				best = ci;
			}
		}
		Volume v = images.get(best);
		var geo = v.geometry();
		int[] p = cfg.patchZyx();
		float lo = (float) (cfg.windowCenterHu() - cfg.windowWidthHu() / 2);
		Patches.Grid g = new Patches.Grid(v.voxels(), null, geo.nz(), geo.ny(), geo.nx(), p, lo);
		byte[] labels = masks.get(best).labels();
		int[] s = new int[3];
		int centre = -1;
		List<Integer> fg = new ArrayList<>();
		for (int i = 0; i < labels.length; i++) if (labels[i] != 0) fg.add(i);
		if (!fg.isEmpty()) centre = fg.get(fg.size() / 2);
		if (centre >= 0) {
			int[] c = {centre / (geo.ny() * geo.nx()), (centre / geo.nx()) % geo.ny(), centre % geo.nx()};
			int[] n = {g.nz, g.ny, g.nx};
			for (int a = 0; a < 3; a++) s[a] = Patches.clamp(c[a] - p[a] / 2, 0, n[a] - p[a]);
		}
		float[] hu = g.extract(g.x, s[0], s[1], s[2], p);
		float[] prob = TfTraining.infer(net, Inputs.window(hu, cfg.windowCenterHu(), cfg.windowWidthHu()),
			Shape.of(1, p[0], p[1], p[2], 1));
		int n = p[1] * p[2], mid = p[0] / 2;
		BufferedImage cover = PackageFiles.segmentationCover(Arrays.copyOfRange(hu, mid * n, (mid + 1) * n),
			Arrays.copyOfRange(prob, mid * n, (mid + 1) * n), p[2], p[1], cfg.windowCenterHu(), cfg.windowWidthHu(),
			"MedCNN 3D U-Net: predicted lesion in red (middle slice of a patch)");
		int[] shape = {1, p[0], p[1], p[2], 1};
		return new TfTraining.Showcase(hu, shape, prob, shape, cover);
	}
}
