package org.medcnn.nn.tf;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medcnn.common.Cancellation;
import org.medcnn.nn.MemoryPlan;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.PackageFiles;
import org.medcnn.nn.ParentPackage;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.TrainingListener;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Resampling;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * Training and packaging of the 3D U-Net on patches (see {@link Segmenter3dConfig}). Stateless.
 * <p>
 * Each epoch draws fresh patches ({@link #patchesPerCase} per training case, at most {@value #MAX_PATCHES_PER_EPOCH}
 * in all) from the cases on the preprocessing's grid ({@link PreparedCases}), every third centred near a random lesion
 * voxel and the others placed uniformly at random; patches get random augmentations
 * ({@link org.medcnn.nn.TrainingConfig#augment()}; {@code auto}: in-plane flips). Validation covers each validation
 * case with patch-sized tiles, so its Dice and its lesion-wise sensitivity and precision are those of whole cases.
 */
final class TfTraining3d {

	/** Architecture type written to the card and dispatched on by {@link TfEngine#openSegmenter}. */
	static final String ARCHITECTURE = "unet3d";
	static final int MAX_PATCHES_PER_EPOCH = 512;

	private TfTraining3d() {}

	/** Patches per case and epoch: twice the number that would tile the case, 4…64. */
	static int patchesPerCase(int voxels, int[] patch) {
		long pv = (long) patch[0] * patch[1] * patch[2];
		return (int) Math.max(4, Math.min(64, (2L * voxels + pv - 1) / pv));
	}

	static Path train(List<Volume> images, List<Mask> masks, Segmenter3dConfig cfg, TrainingListener l, Cancellation c,
		Path out) throws IOException {
		return train(images, masks, cfg, null, l, c, out);
	}

	/** Trains from the initialisers, or with {@code parent} from its weights (fine-tuning, see {@link ParentWeights}). */
	static Path train(List<Volume> images, List<Mask> masks, Segmenter3dConfig cfg, ParentPackage parent, TrainingListener l,
		Cancellation c, Path out) throws IOException {
		TfTraining.checkCases(images, masks);
		MemoryPlan plan = MemoryPlan.segmenter3d(cfg, MemoryPlan.availableBudget());
		if (l != null) l.note(plan.describe());
		if (plan.reduced())
			cfg = new Segmenter3dConfig(cfg.depth(), cfg.baseFilters(), plan.patchZyx(), cfg.preprocessing(),
				cfg.training().withBatchSize(plan.batchSize()), cfg.layers());
		TrainingConfig tc = cfg.training();
		TfTraining.Split split = TfTraining.split(images.size(), tc);
		Preprocessing pre = TfTraining.withFingerprint(cfg.preprocessing(), images, masks);
		PreparedCases train = PreparedCases.of(images, masks, split.train(), pre, c);
		PreparedCases val = PreparedCases.of(images, masks, split.val(), pre, c);
		int[] patch = cfg.patchZyx();
		int perEpoch = 0;
		for (PreparedCases.Case pc : train.cases) perEpoch += patchesPerCase(pc.labels().length, patch);
		int epochPatches = Math.max(1, Math.min(MAX_PATCHES_PER_EPOCH, perEpoch));
		PreparedCases.Validation validation = val.validationTiles(patch);

		long t0 = System.nanoTime();
		Trainer.Outcome o;
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, -1, 1), Shape.of(-1, -1, -1, -1, 1), true,
			Architectures.unet3d(cfg), tc)) {
			if (parent != null) ParentWeights.load(net, parent.dir());
			o = new Trainer(net, tc, new Trainer.Dice(), l, c).patches(train.volumePatches(patch, epochPatches))
				.validator(val.isEmpty() ? null : val.validator(validation)).augmenter(Augmentations.of(tc.augment(), true))
				.checkpoint(Checkpoint.folderFor(out), ARCHITECTURE + " " + TfTraining.fingerprint(images, masks) + " "
					+ split.train() + " " + pre.describe() + TfTraining.parentTag(parent))
				.fit(List.of(), validation.samples());
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
			arch.put("sampling", "per epoch " + epochPatches + " random patches, every "
				+ TfTraining.ordinal(PreparedCases.CENTRED_EVERY) + " centred near a lesion voxel");
			arch.put("inference", "overlapping tiles as large as memory allows (at least the patch), Gaussian blending"
				+ " (sigma = a quarter of the tile per axis)");
			arch.put("activation", tc.activation());
			arch.putAll(cfg.layers().cardFields(tc.activation()));
			arch.put("output", "sigmoid");
			arch.put("parameters", net.parameterCount);
			card.put("architecture", arch);
			card.put("classNames", List.of("background", "lesion"));
			Map<String, Object> input = TfTraining.inputSpec(images.get(0), pre);
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
			card.put("fingerprint", pre.fingerprint().cardRecord());
			Map<String, Object> tr = TfTraining.trainingRecord(tc, o, seconds);
			tr.put("trainCases", split.train().size());
			tr.put("valCases", split.val().size());
			tr.put("memoryPlan", plan.cardRecord());
			tr.put("patchesPerEpoch", epochPatches);
			tr.put("valPatches", validation.samples().size());
			tr.put("dataFingerprint", TfTraining.fingerprint(images, masks));
			card.put("training", tr);
			if (parent != null) card.put("lineage", parent.lineage());
			card.put("validation", TfTraining.validationRecord(o, split.val().size(), "cases"));
			TfTraining.finish(card);
			TfTraining.Showcase sc = showcase(net, train.isEmpty() ? val : train, cfg, pre);
			PackageWriter.write(out, card, dir -> TfTraining.export(net, dir),
				dir -> TfTraining.extras(dir, card, o.history(), sc, net));
		}
		return TfTraining.cancelledOrDone(o, out);
	}

	/**
	 * The package's sample: a patch in real-world values centred on a lesion voxel of the training case with the most
	 * lesion (on the network's grid, padded at the high end), the model's output on it (see
	 * {@link TfTraining#rdfInput}), and its middle slice as the cover.
	 */
	private static TfTraining.Showcase showcase(TrainableNet net, PreparedCases cases, Segmenter3dConfig cfg,
		Preprocessing pre) {
		PreparedCases.Case best = cases.cases.get(0);
		for (PreparedCases.Case pc : cases.cases) if (pc.foreground().length > best.foreground().length) best = pc;
		var geo = best.grid();
		int[] p = cfg.patchZyx();
		Normalisation.IntensityMap map = best.image().map();
		Patches.Grid g = new Patches.Grid(Resampling.resample(best.original(), geo).voxels(), null, geo.nz(), geo.ny(), geo.nx(),
			p, (float) map.inverse(best.image().padValue()));
		int[] s = new int[3];
		if (best.foreground().length > 0) {
			int centre = best.foreground()[best.foreground().length / 2];
			int[] c = {centre / (geo.ny() * geo.nx()), (centre / geo.nx()) % geo.ny(), centre % geo.nx()};
			int[] n = {g.nz, g.ny, g.nx};
			for (int a = 0; a < 3; a++) s[a] = Patches.clamp(c[a] - p[a] / 2, 0, n[a] - p[a]);
		}
		float[] hu = g.extract(g.x, s[0], s[1], s[2], p);
		float[] normalised = map.apply(hu);
		float[] prob = TfTraining.infer(net, TfTraining.rdfInput(hu, normalised, 1, pre), Shape.of(1, p[0], p[1], p[2], 1));
		int n = p[1] * p[2], mid = p[0] / 2;
		float[] slice = Arrays.copyOfRange(hu, mid * n, (mid + 1) * n);
		double[] window = TfTraining.displayWindow(slice, pre);
		BufferedImage cover = PackageFiles.segmentationCover(slice, Arrays.copyOfRange(prob, mid * n, (mid + 1) * n), p[2],
			p[1], window[0], window[1], "MedCNN 3D U-Net: predicted lesion in red (middle slice of a patch)");
		int[] shape = {1, p[0], p[1], p[2], 1};
		return new TfTraining.Showcase(hu, shape, prob, shape, cover);
	}
}
