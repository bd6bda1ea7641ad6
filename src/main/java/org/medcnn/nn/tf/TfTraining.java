package org.medcnn.nn.tf;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Versions;
import org.medcnn.nn.BioImageIo;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.Fingerprint;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.MemoryPlan;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Normalisation;
import org.medcnn.nn.Npy;
import org.medcnn.nn.PackageFiles;
import org.medcnn.nn.ParentPackage;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TestTensors;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.TrainingListener;
import org.medcnn.nn.TrainingStoppedException;
import org.medcnn.volume.Mask;
import org.medcnn.nn.Zips;
import org.medcnn.nn.metrics.TemperatureScaling;
import org.medcnn.nn.onnx.OnnxWeights;
import org.medcnn.volume.Intensities;
import org.medcnn.volume.OverlayImages;
import org.medcnn.volume.Resampling;
import org.medcnn.volume.Volume;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Data preparation, training and packaging for the two model kinds. Stateless.
 * <p>
 * Besides the card and the SavedModel, each package gets {@code history.csv}, {@code README.md}, the test
 * tensors (a training slice in HU and the model's output on it), {@code cover.png}, the zipped SavedModel and
 * {@code rdf.yaml} (see {@link BioImageIo}).
 */
final class TfTraining {

	/** Tolerance when checking that a mask lies on its image's grid. */
	static final double GEOMETRY_TOLERANCE_MM = 0.01;
	/** Class names recognised as ordered risk levels, lowest first. */
	static final List<String> RISK_ORDER = List.of("none", "minimal", "low", "intermediate", "moderate", "medium",
		"high", "very high", "very-high");

	private TfTraining() {}

	static Path trainSegmenter(List<Volume> images, List<Mask> masks, SegmenterConfig cfg, TrainingListener l,
		Cancellation c, Path out) throws IOException {
		return trainSegmenter(images, masks, cfg, null, l, c, out);
	}

	/** Trains from the initialisers, or with {@code parent} from its weights (fine-tuning, see {@link ParentWeights}). */
	static Path trainSegmenter(List<Volume> images, List<Mask> masks, SegmenterConfig cfg, ParentPackage parent,
		TrainingListener l, Cancellation c, Path out) throws IOException {
		checkCases(images, masks);
		TrainingConfig tc = cfg.training();
		Split split = split(images.size(), tc);
		Preprocessing pre = withFingerprint(cfg.preprocessing(), images, masks);
		PreparedCases train = PreparedCases.of(images, masks, split.train(), pre, c);
		PreparedCases val = PreparedCases.of(images, masks, split.val(), pre, c);
		int m = cfg.sizeMultiple();
		int[] patch = cfg.patchYx() != null ? cfg.patchYx() : (train.isEmpty() ? val : train).largestSlice(m);
		int perEpoch = cfg.samplesPerEpoch() > 0 ? cfg.samplesPerEpoch() : Math.max(1, train.slices());
		PreparedCases.Validation validation = val.validationSlices(m, cfg.context());

		MemoryPlan plan = MemoryPlan.segmenter2d(cfg, patch[0], patch[1], MemoryPlan.availableBudget());
		if (l != null) l.note(plan.describe());
		tc = tc.withBatchSize(plan.batchSize());
		long t0 = System.nanoTime();
		Trainer.Outcome o;
		Map<String, Object> card;
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, cfg.channels()), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), tc)) {
			if (parent != null) ParentWeights.load(net, parent.dir());
			o = new Trainer(net, tc, new Trainer.Dice(), l, c).patches(train.slicePatches(patch, cfg.context(), perEpoch))
				.validator(val.isEmpty() ? null : val.validator(validation)).augmenter(Augmentations.of(tc.augment(), true))
				.checkpoint(Checkpoint.folderFor(out), "unet2d " + fingerprint(images, masks) + " " + split.train() + " "
					+ pre.describe() + " " + Arrays.toString(patch) + " " + perEpoch + parentTag(parent))
				.fit(List.of(), validation.samples());
			double seconds = (System.nanoTime() - t0) / 1e9;

			card = header(ModelCard.SEGMENTATION, out);
			Map<String, Object> arch = new LinkedHashMap<>();
			arch.put("type", "unet2d");
			arch.put("dims", 2);
			arch.put("depth", cfg.depth());
			arch.put("baseFilters", cfg.baseFilters());
			arch.put("context", cfg.context());
			arch.put("upsampling", "transposed-conv");
			arch.put("receptiveFieldPx", SegmenterConfig.receptiveField(cfg.depth()));
			arch.put("augmentation", Augmentations.describe(tc.augment(), true));
			arch.put("sampling", "per epoch " + perEpoch + " patches of " + patch[0] + "×" + patch[1] + " pixels (y×x), every "
				+ ordinal(PreparedCases.CENTRED_EVERY) + " centred near a random lesion voxel, the others on random slices at"
				+ " random positions");
			arch.put("activation", tc.activation());
			arch.putAll(cfg.layers().cardFields(tc.activation()));
			arch.put("output", "sigmoid");
			arch.put("parameters", net.parameterCount);
			card.put("architecture", arch);
			card.put("classNames", List.of("background", "lesion"));
			Map<String, Object> input = inputSpec(images.get(0), pre);
			input.put("inputSize", "any multiple of " + m);
			input.put("sizeMultiple", m);
			input.put("channels", cfg.channels());
			input.put("context", cfg.context());
			input.put("trainingPatchYx", List.of(patch[0], patch[1]));
			input.put("slices", cfg.context() == 0 ? "axial, one at a time" : "axial, each with its " + cfg.context()
				+ " neighbouring slice" + (cfg.context() > 1 ? "s" : "") + " on either side as channels (z-" + cfg.context()
				+ " … z+" + cfg.context() + "); beyond the first and last slice the nearest slice is repeated");
			card.put("input", input);
			card.put("output", outputSpec("foreground probability per pixel (sigmoid); mask = probability >= 0.5"));
			card.put("signature", signatureSpec());
			card.put("fingerprint", pre.fingerprint().cardRecord());
			Map<String, Object> tr = trainingRecord(tc, o, seconds);
			tr.put("trainCases", split.train().size());
			tr.put("valCases", split.val().size());
			tr.put("samplesPerEpoch", perEpoch);
			tr.put("valSlices", validation.samples().size());
			tr.put("dataFingerprint", fingerprint(images, masks));
			tr.put("memoryPlan", plan.cardRecord());
			card.put("training", tr);
			if (parent != null) card.put("lineage", parent.lineage());
			card.put("validation", validationRecord(o, split.val().size(), "cases"));
			finish(card);
			Showcase sc = segmenterShowcase(net, train.isEmpty() ? val : train, cfg, pre);
			Map<String, Object> cardCopy = card;
			PackageWriter.write(out, card, dir -> export(net, dir), dir -> extras(dir, cardCopy, o.history(), sc, net));
		}
		return cancelledOrDone(o, out);
	}


	/** What a checkpoint's data fingerprint adds for a fine-tuning run: its parent (resuming it as a fresh run is refused). */
	static String parentTag(ParentPackage parent) {
		return parent == null ? "" : " fine-tuned from " + parent.lineage().get("parent");
	}

	static String ordinal(int n) {
		return n == 2 ? "second" : n == 3 ? "third" : n + "th";
	}

	/** Refuses inconsistent segmentation training data, naming the case. */
	static void checkCases(List<Volume> images, List<Mask> masks) {
		if (images == null || masks == null || images.isEmpty())
			throw new IllegalArgumentException("No training cases: give at least one image with its mask");
		if (images.size() != masks.size())
			throw new IllegalArgumentException(images.size() + " images but " + masks.size() + " masks: each case needs one of each");
		for (int i = 0; i < images.size(); i++) {
			String d = images.get(i).geometry().describeMismatch(masks.get(i).geometry(), GEOMETRY_TOLERANCE_MM);
			if (!d.isEmpty())
				throw new IllegalArgumentException("Case " + (i + 1) + ": the mask does not lie on the image's grid (" + d + ")");
		}
	}

	/** Training and validation cases, each sorted. */
	record Split(List<Integer> train, List<Integer> val) {}

	/** The seeded split by case: {@link #valCount} cases for validation, the rest for training. */
	static Split split(int n, TrainingConfig tc) {
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < n; i++) order.add(i);
		Collections.shuffle(order, new Random(tc.seed()));
		int nVal = valCount(n, tc.valFraction());
		List<Integer> val = new ArrayList<>(order.subList(0, nVal)), train = new ArrayList<>(order.subList(nVal, order.size()));
		Collections.sort(val);
		Collections.sort(train);
		return new Split(List.copyOf(train), List.copyOf(val));
	}

	/** The preprocessing with the data's fingerprint, measured here when the caller did not give one. */
	static Preprocessing withFingerprint(Preprocessing pre, List<Volume> images, List<Mask> masks) {
		return pre.fingerprint() != null ? pre : pre.withFingerprint(Fingerprint.of(images, masks));
	}

	static Path trainClassifier(List<Volume> items, int[] labels, List<String> classNames, ClassifierConfig cfg,
		TrainingListener l, Cancellation c, Path out) throws IOException {
		if (items == null || labels == null || items.isEmpty())
			throw new IllegalArgumentException("No training items: give at least one image with its label");
		if (items.size() != labels.length)
			throw new IllegalArgumentException(items.size() + " items but " + labels.length + " labels");
		if (classNames == null || classNames.size() < 2)
			throw new IllegalArgumentException("classNames must name at least 2 classes, got " + classNames);
		int k = classNames.size();
		for (int i = 0; i < labels.length; i++)
			if (labels[i] < 0 || labels[i] >= k)
				throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is out of range: allowed 0…" + (k - 1));
		TrainingConfig tc = cfg.training();
		// Stratified split: each class gives its share of validation items but keeps at least one for training.
		Random rng = new Random(tc.seed());
		List<Integer> trainIdx = new ArrayList<>(), valIdx = new ArrayList<>();
		for (int cls = 0; cls < k; cls++) {
			List<Integer> members = new ArrayList<>();
			for (int i = 0; i < labels.length; i++) if (labels[i] == cls) members.add(i);
			Collections.shuffle(members, rng);
			int nVal = valCount(members.size(), tc.valFraction());
			valIdx.addAll(members.subList(0, nVal));
			trainIdx.addAll(members.subList(nVal, members.size()));
		}
		Collections.sort(trainIdx);
		Collections.sort(valIdx);
		List<Trainer.Sample> train = new ArrayList<>(), val = new ArrayList<>();
		Preprocessing pre = cfg.preprocessing().fingerprint() != null ? cfg.preprocessing()
			: cfg.preprocessing().withFingerprint(Fingerprint.ofItems(items, labels, classNames));
		for (int i : trainIdx) train.add(classifierSample(items.get(i), labels[i], k, cfg));
		for (int i : valIdx) val.add(classifierSample(items.get(i), labels[i], k, cfg));

		MemoryPlan plan = MemoryPlan.classifier(cfg, MemoryPlan.availableBudget());
		if (l != null) l.note(plan.describe());
		tc = tc.withBatchSize(plan.batchSize());
		long t0 = System.nanoTime();
		Trainer.Outcome o;
		int s = cfg.inputSize();
		try (TrainableNet net = new TrainableNet(Shape.of(-1, s, s, 1), Shape.of(-1, k), false,
			Architectures.classifier(cfg, k), tc)) {
			o = new Trainer(net, tc, new Trainer.Accuracy(k), l, c).augmenter(Augmentations.of(tc.augment(), false))
				.checkpoint(Checkpoint.folderFor(out), "classifier " + classNames).fit(train, val);
			double seconds = (System.nanoTime() - t0) / 1e9;

			Map<String, Object> card = header(ModelCard.CLASSIFICATION, out);
			Map<String, Object> arch = new LinkedHashMap<>();
			arch.put("type", cfg.architecture());
			arch.put("inputSize", s);
			if (cfg.architecture().equals("cnn")) {
				arch.put("filters", cfg.filters());
				arch.put("kernelSize", 3);
				arch.put("pooling", cfg.pooling());
			}
			arch.put("denseUnits", cfg.denseUnits());
			arch.put("augmentation", Augmentations.describe(tc.augment(), false));
			arch.put("activation", tc.activation());
			arch.putAll(cfg.layers().cardFields(tc.activation()));
			arch.put("output", "softmax");
			arch.put("parameters", net.parameterCount);
			card.put("architecture", arch);
			card.put("classNames", classNames);
			List<String> risk = riskLevels(classNames);
			if (!risk.isEmpty()) card.put("riskLevels", risk);
			Map<String, Object> input = inputSpec(items.get(0), pre.withTargetSpacing(null));
			input.put("inputSize", s);
			input.put("sizeMultiple", 1);
			input.put("resample", "bilinear to inputSize × inputSize");
			input.put("slices", "slice 0 of a single-slice image, else the middle slice");
			input.put("cropMm", cfg.cropMm());
			input.put("field", cfg.cropMm() > 0 ? "a lesion-centred crop of " + fmtMm(cfg.cropMm())
				+ " mm on the lesion's key slice (the slice where it is largest)" : "the whole image (slice)");
			card.put("input", input);
			card.put("fingerprint", pre.fingerprint().cardRecord());
			card.put("output", outputSpec("class probabilities (softmax) in classNames order, before calibration (MedCNN"
				+ " applies calibration.temperature: softmax(log(p) / temperature))"));
			card.put("signature", signatureSpec());
			Map<String, Object> tr = trainingRecord(tc, o, seconds);
			tr.put("trainItems", train.size());
			tr.put("valItems", val.size());
			tr.put("dataFingerprint", fingerprint(items, null));
			tr.put("memoryPlan", plan.cardRecord());
			card.put("training", tr);
			card.put("validation", validationRecord(o, val.size(), "items"));
			card.put("calibration", calibrate(net, val, s));
			finish(card);
			Showcase sc = classifierShowcase(net, items.get(trainIdx.isEmpty() ? valIdx.get(0) : trainIdx.get(0)), classNames, cfg,
				pre);
			PackageWriter.write(out, card, dir -> export(net, dir), dir -> extras(dir, card, o.history(), sc, net));
		}
		return cancelledOrDone(o, out);
	}

	/**
	 * After the package was written: a cancelled run keeps its checkpoint (to go on with {@code resume}) and
	 * throws; a finished run deletes it.
	 */
	static Path cancelledOrDone(Trainer.Outcome o, Path out) throws IOException {
		Path ck = Checkpoint.folderFor(out);
		if (o.cancelled())
			throw new TrainingStoppedException(out, o.bestEpoch(), o.history().size(), ck);
		Checkpoint.delete(ck);
		return out;
	}

	/** Validation share of n units: none when the fraction is 0 or n &lt; 2; else at least 1, leaving 1 for training. */
	static int valCount(int n, double fraction) {
		if (fraction <= 0 || n < 2) return 0;
		return (int) Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
	}

	private static String fmtMm(double mm) {
		return mm == Math.rint(mm) ? Long.toString((long) mm) : String.format(Locale.ROOT, "%.1f", mm);
	}

	private static Trainer.Sample classifierSample(Volume v, int label, int k, ClassifierConfig cfg) {
		float[] x = Inputs.classifierInput(v, cfg.inputSize(), cfg.preprocessing().normalisation());
		float[] y = new float[k];
		y[label] = 1;
		return new Trainer.Sample(x, y, cfg.inputSize(), cfg.inputSize());
	}

	/**
	 * The sample the package shows: the test input in HU ({@code 1 × h × w × 1}), the model's output on it after
	 * windowing, and the cover picture.
	 */
	record Showcase(float[] hu, int[] inputShape, float[] output, int[] outputShape, BufferedImage cover) {}

	/**
	 * The training slice with the most lesion pixels on the network's grid, padded to the size multiple, in real-world
	 * values ({@code 1 × h × w × channels}, with its neighbours as channels for a 2.5D net), and the model's output on
	 * it after the preprocessing the package's rdf.yaml describes (see {@link #rdfInput}).
	 */
	static Showcase segmenterShowcase(TrainableNet net, PreparedCases cases, SegmenterConfig cfg, Preprocessing pre) {
		PreparedCases.Case best = cases.cases.get(0);
		int bestZ = 0;
		long bestCount = -1;
		for (PreparedCases.Case pc : cases.cases) {
			int n = pc.grid().sliceSize();
			for (int z = 0; z < pc.grid().nz(); z++) {
				long count = 0;
				for (int i = z * n; i < (z + 1) * n; i++) if (pc.labels()[i] != 0) count++;
				if (count > bestCount) {
					bestCount = count;
					best = pc;
					bestZ = z;
				}
			}
		}
		int m = cfg.sizeMultiple(), c = cfg.channels(), nx = best.grid().nx(), ny = best.grid().ny();
		int pw = Inputs.roundUp(nx, m), ph = Inputs.roundUp(ny, m), pn = pw * ph;
		Normalisation.IntensityMap map = best.image().map();
		float[] raw = Resampling.resample(best.original(), best.grid()).voxels();
		float[] planar = PreparedCases.stack(raw, best.grid(), bestZ, 0, 0, ph, pw, cfg.context(),
			(float) map.inverse(best.image().padValue())); // channel-planar, real-world values
		float[] normalised = map.apply(planar);
		float[] hu = Inputs.interleave(planar, c);
		float[] prob = infer(net, rdfInput(hu, normalised, c, pre), Shape.of(1, ph, pw, c));
		float[] centre = java.util.Arrays.copyOfRange(planar, cfg.context() * pn, (cfg.context() + 1) * pn);
		float[] slice = Inputs.crop(centre, pw, ph, nx, ny);
		double[] window = displayWindow(slice, pre);
		BufferedImage cover = PackageFiles.segmentationCover(slice, Inputs.crop(prob, pw, ph, nx, ny), nx, ny, window[0],
			window[1], "MedCNN U-Net: predicted lesion in red");
		return new Showcase(hu, new int[] {1, ph, pw, c}, prob, new int[] {1, ph, pw, 1}, cover);
	}

	/**
	 * The network input for a package's test tensor {@code hu} (channels-last, {@code channels} per pixel): the
	 * normalised values MedCNN uses, except for a per-image z-score, whose body statistics bioimage.io cannot express:
	 * there the input is what rdf.yaml's {@code zero_mean_unit_variance} gives the test tensor (per channel), so that
	 * the package's test tensors agree with its rdf.yaml.
	 */
	static float[] rdfInput(float[] hu, float[] normalisedPlanar, int channels, Preprocessing pre) {
		if (!(pre.normalisation() instanceof Normalisation.ZScore)) return Inputs.interleave(normalisedPlanar, channels);
		return TestTensors.zeroMeanUnitVariance(hu, channels);
	}

	/** The window for pictures of {@code values}: the model's own window when it has one, else chosen per image. */
	static double[] displayWindow(float[] values, Preprocessing pre) {
		if (pre.normalisation() instanceof Normalisation.Window w) return new double[] {w.centerHu(), w.widthHu()};
		String modality = pre.fingerprint() == null ? null : pre.fingerprint().modality();
		return Intensities.displayWindow(values, modality);
	}

	/** A training item, resampled to the input size (HU), and the class probabilities the model gives it. */
	static Showcase classifierShowcase(TrainableNet net, Volume item, List<String> classNames, ClassifierConfig cfg,
		Preprocessing pre) {
		int s = cfg.inputSize();
		float[] hu = Inputs.resizeBilinear(Inputs.representativeSlice(item), item.geometry().nx(), item.geometry().ny(), s, s);
		float[] normalised = Inputs.classifierInput(item, s, pre.normalisation());
		float[] p = infer(net, rdfInput(hu, normalised, 1, pre), Shape.of(1, s, s, 1));
		int best = 0;
		for (int k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
		double[] window = displayWindow(hu, pre);
		BufferedImage cover = PackageFiles.classificationCover(hu, s, window[0], window[1], classNames.get(best), p[best]);
		return new Showcase(hu, new int[] {1, s, s, 1}, p, new int[] {1, p.length}, cover);
	}

	/**
	 * Fits the calibration temperature on the validation samples' outputs (the best epoch's weights), see
	 * {@link TemperatureScaling}; T = 1, recorded as not calibrated, without a validation set.
	 */
	static Map<String, Object> calibrate(TrainableNet net, List<Trainer.Sample> val, int size) {
		if (val.isEmpty()) return TemperatureScaling.cardRecord(null, 0);
		double[][] logits = new double[val.size()][];
		int[] labels = new int[val.size()];
		for (int i = 0; i < val.size(); i++) {
			Trainer.Sample v = val.get(i);
			logits[i] = TemperatureScaling.logits(infer(net, v.x(), Shape.of(1, size, size, 1)));
			for (int k = 1; k < v.y().length; k++) if (v.y()[k] > v.y()[labels[i]]) labels[i] = k;
		}
		return TemperatureScaling.cardRecord(TemperatureScaling.fit(logits, labels), val.size());
	}

	/** Runs the trained network (its current weights) on one NHWC input. */
	static float[] infer(TrainableNet net, float[] x, Shape shape) {
		try (TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(x));
			Result r = net.session.runner().feed(net.input, t).fetch(net.output).run()) {
			float[] out = new float[(int) r.get(0).shape().size()];
			((TFloat32) r.get(0)).copyTo(DataBuffers.of(out));
			return out;
		}
	}

	/**
	 * Writes the package's files besides card and SavedModel: first the ONNX weights ({@link #exportOnnx}, recorded in
	 * the card), {@code rdf.yaml} last, as it hashes the others.
	 */
	static void extras(Path dir, Map<String, Object> card, List<EpochMetrics> history, Showcase sc, TrainableNet net)
		throws IOException {
		exportOnnx(net, dir, card, sc.inputShape().length == 5 ? "NDHWC" : "NHWC");
		Files.writeString(dir.resolve(BioImageIo.HISTORY), PackageFiles.historyCsv(history), StandardCharsets.UTF_8);
		Files.writeString(dir.resolve(BioImageIo.README), PackageFiles.readme(card), StandardCharsets.UTF_8);
		Npy.write(dir.resolve(BioImageIo.TEST_INPUT), sc.hu(), sc.inputShape());
		Npy.write(dir.resolve(BioImageIo.TEST_OUTPUT), sc.output(), sc.outputShape());
		OverlayImages.writePng(sc.cover(), dir.resolve(BioImageIo.COVER));
		Zips.zipFolder(dir.resolve(Models.SAVED_MODEL_DIR), dir.resolve(BioImageIo.WEIGHTS_ZIP));
		Files.writeString(dir.resolve(BioImageIo.RDF_FILE), BioImageIo.toYaml(BioImageIo.describe(card, dir)),
			StandardCharsets.UTF_8);
	}

	/**
	 * Writes {@value OnnxWeights#FILE}: the network's inference graph in ONNX with its current (trained) weights, read
	 * and never changed; puts the card's {@value OnnxWeights#CARD_FIELD} record.
	 */
	static void exportOnnx(TrainableNet net, Path dir, Map<String, Object> card, String layout) throws IOException {
		String doc = "MedCNN " + (card.get("architecture") instanceof Map<?, ?> a ? a.get("type") : "network") + " '"
			+ card.get("name") + "': input '" + TrainableNet.INPUT + "' (" + layout + ", normalised as medcnn.json's input record"
			+ " says), output '" + TrainableNet.OUTPUT + "'. Research use only.";
		card.put(OnnxWeights.CARD_FIELD, OnnxWeights.write(dir, net.onnxModel(doc), layout));
	}

	static void export(TrainableNet net, Path dir) throws IOException {
		SavedModelBundle.exporter(dir.toString()).withSession(net.session).withSignature(net.signature()).export();
	}

	static List<String> riskLevels(List<String> classNames) {
		List<String> named = new ArrayList<>();
		for (String c : classNames) {
			String n = c.trim().toLowerCase(Locale.ROOT);
			if (!RISK_ORDER.contains(n)) return List.of();
			named.add(c);
		}
		named.sort((a, b) -> Integer.compare(RISK_ORDER.indexOf(a.trim().toLowerCase(Locale.ROOT)),
			RISK_ORDER.indexOf(b.trim().toLowerCase(Locale.ROOT))));
		return named;
	}

	static Map<String, Object> header(String task, Path out) {
		Map<String, Object> card = new LinkedHashMap<>();
		card.put("formatVersion", ModelCard.FORMAT_VERSION);
		card.put("task", task);
		String name = out.toAbsolutePath().normalize().getFileName().toString();
		card.put("name", name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name);
		return card;
	}

	/**
	 * The card's {@code input} record: tensor, modality, dtype, axes, the preprocessing (normalisation and target
	 * spacing) and, for CT, the display window of pictures.
	 */
	static Map<String, Object> inputSpec(Volume first, Preprocessing pre) {
		Map<String, Object> input = new LinkedHashMap<>();
		input.put("tensor", TrainableNet.INPUT);
		String modality = pre.fingerprint() != null && pre.fingerprint().modality() != null ? pre.fingerprint().modality()
			: first.modality();
		input.put("modality", modality);
		input.put("channels", 1);
		input.put("dtype", "float32");
		input.put("axes", "byxc");
		input.putAll(pre.cardFields());
		if ("CT".equalsIgnoreCase(modality)) {
			Map<String, Object> dw = new LinkedHashMap<>();
			dw.put("centerHu", Intensities.CT_DISPLAY_WINDOW[0]);
			dw.put("widthHu", Intensities.CT_DISPLAY_WINDOW[1]);
			input.put("displayWindow", dw);
		}
		return input;
	}

	static Map<String, Object> outputSpec(String meaning) {
		Map<String, Object> o = new LinkedHashMap<>();
		o.put("tensor", TrainableNet.OUTPUT);
		o.put("axes", "byxc");
		o.put("meaning", meaning);
		return o;
	}

	static Map<String, Object> signatureSpec() {
		Map<String, Object> s = new LinkedHashMap<>();
		s.put("key", TrainableNet.SIGNATURE_KEY);
		s.put("tags", List.of(SavedModelBundle.DEFAULT_TAG));
		s.put("input", TrainableNet.INPUT);
		s.put("output", TrainableNet.OUTPUT);
		return s;
	}

	static Map<String, Object> trainingRecord(TrainingConfig tc, Trainer.Outcome o, double seconds) {
		Map<String, Object> tr = new LinkedHashMap<>();
		tr.put("epochs", tc.epochs());
		tr.put("epochsRun", o.history().size());
		tr.put("bestEpoch", o.bestEpoch());
		tr.put("cancelled", o.cancelled());
		tr.put("optimizer", tc.optimizer());
		tr.put("loss", tc.loss());
		tr.put("learningRate", tc.learningRate());
		tr.put("schedule", tc.schedule());
		tr.put("clipNorm", tc.clipNorm());
		if (o.gradientNorms() != null) {
			Map<String, Object> g = new LinkedHashMap<>();
			g.put("steps", o.gradientNorms().steps());
			g.put("clippedSteps", o.gradientNorms().clipped());
			g.put("median", o.gradientNorms().median());
			g.put("max", o.gradientNorms().max());
			tr.put("gradientNorm", g);
		}
		tr.put("batchSize", tc.batchSize());
		tr.put("seed", tc.seed());
		tr.put("valFraction", tc.valFraction());
		tr.put("activation", tc.activation());
		tr.put("patience", tc.patience());
		tr.put("stoppedEarly", o.stoppedEarly());
		tr.put("augment", tc.augment());
		tr.put("intraOpThreads", TfEngine.trainingConfig().getIntraOpParallelismThreads());
		if (o.resumedAfter() > 0) tr.put("resumedAfterEpoch", o.resumedAfter());
		if (!Double.isNaN(o.outsideShare()))
			tr.put("stepTimeOutsideTensorFlow", Math.round(o.outsideShare() * 10000) / 10000.0);
		tr.put("seconds", Math.round(seconds * 1000) / 1000.0);
		List<Object> history = new ArrayList<>();
		for (EpochMetrics m : o.history()) {
			Map<String, Object> h = new LinkedHashMap<>();
			h.put("epoch", m.epoch());
			h.put("learningRate", tc.learningRateAt(m.epoch()));
			h.put("trainLoss", m.trainLoss());
			h.put("valLoss", m.hasValidation() ? m.valLoss() : null);
			h.put("metric", m.metricName());
			h.put("trainMetric", m.trainMetric());
			h.put("valMetric", m.hasValidation() ? m.valMetric() : null);
			if (!Double.isNaN(m.valLesionSensitivity())) h.put("valLesionSensitivity", m.valLesionSensitivity());
			if (!Double.isNaN(m.valLesionPrecision())) h.put("valLesionPrecision", m.valLesionPrecision());
			h.put("seconds", Math.round(m.seconds() * 1000) / 1000.0);
			history.add(h);
		}
		tr.put("history", history);
		return tr;
	}

	static Map<String, Object> validationRecord(Trainer.Outcome o, int count, String unit) {
		Map<String, Object> v = new LinkedHashMap<>();
		EpochMetrics b = o.best();
		if (!b.hasValidation()) {
			v.put("note", "no validation set");
			return v;
		}
		v.put("epoch", b.epoch());
		v.put(unit, count);
		v.put("loss", b.valLoss());
		v.put("metric", b.metricName());
		v.put(b.metricName(), b.valMetric());
		return v;
	}

	static void finish(Map<String, Object> card) {
		Map<String, Object> sw = new LinkedHashMap<>();
		sw.put("medcnn", Versions.MEDCNN);
		sw.put("tensorflow", TensorFlow.version());
		sw.put("tensorflowJava", Versions.TENSORFLOW_JAVA);
		sw.put("java", System.getProperty("java.version"));
		card.put("software", sw);
		card.put("date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
		card.put("intendedUse", "research only");
	}

	/**
	 * SHA-256 over the training data — voxel values as little-endian float32 case by case, then the mask labels —
	 * so that two models can be checked for having seen the same data without storing any identifier.
	 */
	static String fingerprint(List<Volume> images, List<Mask> masks) {
		try {
			MessageDigest md = MessageDigest.getInstance("SHA-256");
			for (Volume v : images) {
				ByteBuffer bb = ByteBuffer.allocate(v.voxels().length * 4).order(ByteOrder.LITTLE_ENDIAN);
				bb.asFloatBuffer().put(v.voxels());
				md.update(bb.array());
			}
			if (masks != null) for (Mask m : masks) md.update(m.labels());
			return "sha256:" + HexFormat.of().formatHex(md.digest());
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}
}
