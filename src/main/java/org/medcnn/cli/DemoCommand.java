package org.medcnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.pipeline.ClassifierRequest;
import org.medcnn.pipeline.LesionCrops;
import org.medcnn.pipeline.SegmenterRequest;
import org.medcnn.pipeline.Trainings;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.OverlayImages;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;
import org.medcnn.common.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo [--out DIR]}: the main job on the bundled {@code sample-dicom/phantom} cases.
 * <ol>
 * <li>Trains a 2D U-Net on the training cases (DICOM series + NIfTI masks).</li>
 * <li>Trains a risk classifier (low / intermediate / high) on lesion-centred crops of the training cases' slices
 * through their largest lesion (a two-stage pipeline: the segmenter finds the lesion, the classifier grades it).</li>
 * <li>Predicts the held-out test cases: mask, Dice against the reference, lesion measurements, risk level.</li>
 * <li>Writes the model packages, the predicted masks (NIfTI), overlay PNGs of the key slices and
 * {@code metrics.json}, and prints a summary.</li>
 * </ol>
 */
@Command(name = "demo", header = "train and apply a segmenter and a risk classifier on sample-dicom/", description = {
	"Trains a 2D U-Net and a risk classifier on the training cases of sample-dicom/phantom, predicts the held-out "
		+ "cases, and writes into DIR: models/, masks/, overlays/, metrics.json."})
final class DemoCommand implements Main.Command {

	/** Side of the lesion-centred crop the risk classifier sees, in mm (64 pixels of the sample's 2.5 mm). */
	static final double CROP_MM = 160;
	/** Pixels across a crop. */
	static final int CROP = 64;
	/** Components smaller than this (voxels) are not reported as lesions. */
	static final int MIN_LESION_VOXELS = Lesions.DEFAULT_MIN_VOXELS;

	@Option(names = "--out", paramLabel = "DIR", description = "the folder to write into (default ${DEFAULT-VALUE})")
	Path output = Path.of("medcnn-demo");

	@Option(names = "--samples", paramLabel = "DIR", description = "the sample-dicom folder (default: ./sample-dicom, "
		+ "else next to the jar)")
	String samples;

	@Option(names = "--epochs", paramLabel = "N", description = "segmenter epochs (default ${DEFAULT-VALUE})")
	@Cli.Range(min = 1, max = 10000)
	int segEpochs = DEFAULT_SEG_EPOCHS;

	@Option(names = "--classifier-epochs", paramLabel = "N", description = "classifier epochs (default ${DEFAULT-VALUE})")
	@Cli.Range(min = 1, max = 10000)
	int clsEpochs = DEFAULT_CLS_EPOCHS;

	@Option(names = "--seed", paramLabel = "N", description = "random seed (default ${DEFAULT-VALUE})")
	long seed = 42;

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	/**
	 * Segmenter epochs: the planner's epoch is 256 patches of 128² (about 9 s on 2 cores), and validation Dice levels
	 * off near 0.95 after a dozen epochs; 22 keep the whole demo within 5 minutes (45 took 404 s).
	 */
	static final int DEFAULT_SEG_EPOCHS = 22;
	/** Filters of the U-Net's first level: 16 learns the phantom lesions reliably, 8 does not. */
	static final int SEG_FILTERS = 16;
	static final int DEFAULT_CLS_EPOCHS = 30;

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		Path outDir = OutputPaths.folder("demo", "--out", output);
		Path phantom = samples(samples).resolve("phantom");
		long t0 = System.nanoTime();

		Map<String, Object> doc = Json.asObject(Json.parse(Files.readString(phantom.resolve("cases.json"),
			StandardCharsets.UTF_8)), phantom.resolve("cases.json").toString());
		List<Map<String, Object>> train = new ArrayList<>(), test = new ArrayList<>();
		for (Object o : Json.asArray(doc.get("cases"), "cases")) {
			Map<String, Object> c = Json.asObject(o, "case");
			("train".equals(c.get("split")) ? train : test).add(c);
		}
		if (train.isEmpty() || test.isEmpty())
			throw new IOException(phantom.resolve("cases.json") + ": needs both train and test cases");
		Files.createDirectories(outDir);
		Path models = outDir.resolve("models");
		Path segPkg = models.resolve("segmenter"), clsPkg = models.resolve("risk-classifier");
		deletePackage(segPkg);
		deletePackage(clsPkg);

		try (CliCancellation cancel = new CliCancellation()) {
			Cancellation token = cancel.token();
			CliProgress progress = new CliProgress(err);
			List<Datasets.Case> trainCases = load(phantom, train, progress, token);
			progress.done();
			err.println(Models.runtimeVersion() + " on " + Models.device() + "; oneDNN "
				+ ("1".equals(System.getenv("TF_ENABLE_ONEDNN_OPTS")) ? "on" : "off"));

			// 1. Segmenter: the planner's choices (as train-segmenter makes them) with the demo's epochs and seed.
			SegmenterRequest segRequest = SegmenterRequest.builder().epochs(segEpochs).seed(seed).filters(SEG_FILTERS).build();
			err.println("Training a 2D U-Net on " + trainCases.size() + " cases (" + segEpochs + " epochs)…");
			long ts = System.nanoTime();
			Trainings.trainSegmenter(segRequest, trainCases, new EpochPrinter("segmenter", err), token, segPkg);
			double segSeconds = seconds(ts);

			// 2. Risk classifier on lesion-centred crops.
			List<String> levels = List.of("low", "intermediate", "high");
			List<Volume> crops = new ArrayList<>();
			java.util.Random rng = new java.util.Random(seed);
			List<Integer> labels = new ArrayList<>();
			for (int i = 0; i < trainCases.size(); i++) {
				Datasets.Case c = trainCases.get(i);
				int label = levels.indexOf(Json.asString(train.get(i).get("riskLevel"), "riskLevel"));
				if (label < 0) throw new IOException("cases.json: unknown risk level for " + c.name());
				for (Volume crop : lesionCrops(c.image(), c.mask(), true, rng)) {
					crops.add(crop);
					labels.add(label);
				}
			}
			// No validation split here: the crops of one case are near-copies, so a split by crop would leak; the
			// held-out test cases below measure the classifier instead.
			ClassifierRequest clsRequest = ClassifierRequest.builder().inputSize(CROP).epochs(clsEpochs).seed(seed)
				.valFraction(0.0).augment("none").normalise("window " + RISK_WINDOW_CENTER_HU + "/" + RISK_WINDOW_WIDTH_HU)
				.cropMm(CROP_MM).build();
			List<Datasets.Item> items = new ArrayList<>();
			for (int i = 0; i < crops.size(); i++) items.add(new Datasets.Item("crop " + (i + 1), crops.get(i), labels.get(i)));
			err.println("Training a CNN risk classifier on " + crops.size() + " lesion crops (" + clsEpochs + " epochs)…");
			long tc = System.nanoTime();
			Trainings.trainClassifier(clsRequest, items, levels, new EpochPrinter("classifier", err), token, clsPkg);
			double clsSeconds = seconds(tc);

			// 3. Held-out cases.
			List<Datasets.Case> testCases = load(phantom, test, progress, token);
			progress.done();
			List<Object> perCase = new ArrayList<>();
			double diceSum = 0;
			int riskCorrect = 0;
			try (Segmenter seg = Models.openSegmenter(segPkg); Classifier cls = Models.openClassifier(clsPkg)) {
				for (int i = 0; i < testCases.size(); i++) {
					Datasets.Case c = testCases.get(i);
					String truthRisk = Json.asString(test.get(i).get("riskLevel"), "riskLevel");
					CaseSegmentation.Segmented s = CaseSegmentation.segment(seg, c.image(), CaseSegmentation.Options.DEFAULT,
						ProgressListener.NONE, token);
					Mask predicted = s.mask();
					double dice = Volumes.dice(predicted, c.mask());
					diceSum += dice;
					List<Lesion> lesions = s.lesions();
					Map<String, Object> r = new LinkedHashMap<>();
					r.put("case", c.name());
					r.put("dice", round(dice));
					r.put("lesionsPredicted", lesions.size());
					r.put("lesionsReference", Lesions.measure(c.mask(), c.image()).size());
					Path maskFile = outDir.resolve("masks").resolve(c.name() + ".nii.gz");
					Nifti.writeMask(predicted, maskFile);
					r.put("mask", outDir.relativize(maskFile).toString());
					String riskText = "no lesion found";
					if (!lesions.isEmpty()) {
						Lesion main = lesions.get(0);
						Classification k = cls.classify(LesionCrops.crop(c.image(), main, cls.card().cropMm(), CROP));
						riskText = String.format(Locale.ROOT, "%s (%.2f)", k.className(),
							k.probabilities()[k.classIndex()]);
						r.put("risk", k.className());
						r.put("riskProbabilities", probabilities(levels, k.probabilities()));
						if (k.className().equals(truthRisk)) riskCorrect++;
					} else {
						r.put("risk", null);
					}
					r.put("riskReference", truthRisk);
					List<Object> lesionJson = new ArrayList<>();
					for (Lesion l : lesions) lesionJson.add(lesionJson(l));
					r.put("lesions", lesionJson);
					r.put("overlays", overlays(outDir, c, predicted, lesions, dice, riskText, truthRisk));
					perCase.add(r);
					err.printf(Locale.ROOT, "%s: Dice %.3f, %d lesion(s), risk %s (reference %s)%n", c.name(), dice,
						lesions.size(), riskText, truthRisk);
				}
			}
			double meanDice = diceSum / testCases.size();
			double riskAccuracy = (double) riskCorrect / testCases.size();
			Map<String, Object> metrics = new LinkedHashMap<>();
			metrics.put("meanDice", round(meanDice));
			metrics.put("riskAccuracy", round(riskAccuracy));
			metrics.put("trainCases", trainCases.size());
			metrics.put("testCases", testCases.size());
			metrics.put("device", Models.device());
			metrics.put("segmenterTrainingSeconds", round(segSeconds));
			metrics.put("classifierTrainingSeconds", round(clsSeconds));
			metrics.put("totalSeconds", round(seconds(t0)));
			metrics.put("cases", perCase);
			Path metricsFile = outDir.resolve("metrics.json");
			writeAtomically(metricsFile, Json.writePretty(metrics) + "\n");

			out.printf(Locale.ROOT, "MedCNN demo: mean Dice %.3f on %d held-out cases, risk accuracy %.0f%% (%d/%d), "
				+ "%.0f s in all%n", meanDice, testCases.size(), 100 * riskAccuracy, riskCorrect, testCases.size(),
				seconds(t0));
			out.println("  models:   " + models.toAbsolutePath());
			out.println("  masks:    " + outDir.resolve("masks").toAbsolutePath());
			out.println("  overlays: " + outDir.resolve("overlays").toAbsolutePath());
			out.println("  metrics:  " + metricsFile.toAbsolutePath());
		}
		return 0;
	}

	/** The sample-dicom folder: the option, ./sample-dicom, or the one beside the jar's folder. */
	static Path samples(String option) throws IOException {
		if (option != null) return Path.of(option);
		Path here = Path.of("sample-dicom");
		if (Files.isDirectory(here)) return here;
		try {
			Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			Path beside = jar.getParent().getParent().resolve("sample-dicom");
			if (Files.isDirectory(beside)) return beside;
		} catch (java.net.URISyntaxException | RuntimeException e) {
			// fall through to the error below
		}
		throw new NoSuchFileException("sample-dicom", null,
			"not found in the current folder nor beside the jar; run from the MedCNN folder or give --samples DIR");
	}

	private static List<Datasets.Case> load(Path phantom, List<Map<String, Object>> cases, ProgressListener progress,
		Cancellation cancel) throws IOException {
		List<Datasets.Case> out = new ArrayList<>();
		for (int i = 0; i < cases.size(); i++) {
			Map<String, Object> c = cases.get(i);
			String name = Json.asString(c.get("name"), "name");
			progress.progress((double) i / cases.size(), "Reading " + name);
			Volume v = Datasets.loadImage(phantom.resolve(Json.asString(c.get("images"), "images")),
				ProgressListener.NONE, cancel);
			Mask m = Datasets.loadMask(phantom.resolve(Json.asString(c.get("mask"), "mask")), v.geometry());
			out.add(new Datasets.Case(name, v, m));
		}
		progress.progress(1, "Read " + out.size() + " cases");
		return out;
	}

	/**
	 * Crops of {@value #CROP_MM} mm centred on the largest lesion. For prediction: its key slice
	 * ({@link LesionCrops}). For training: the key slice and its neighbours that hold the lesion, each in the 8
	 * orientations of the square (rotations by 90° and mirror images) and with the centre shifted by up to
	 * {@value #MAX_SHIFT_MM} mm (the segmenter's centroid is not the reference's). The risk rule depends on the lesion's
	 * size only, never on its orientation or position.
	 */
	static List<Volume> lesionCrops(Volume image, Mask mask, boolean augment, java.util.Random rng) {
		List<Lesion> lesions = Lesions.measure(mask, image);
		if (lesions.isEmpty()) return List.of();
		Lesion main = lesions.get(0);
		if (!augment) return List.of(LesionCrops.crop(image, main, CROP_MM, CROP));
		List<Volume> crops = new ArrayList<>();
		double[] c = main.centroidVoxel();
		double sx0 = image.geometry().spacingMm()[0], sy0 = image.geometry().spacingMm()[1];
		int cx = (int) Math.round(c[0]), cy = (int) Math.round(c[1]);
		float outside = LesionCrops.outside(image);
		for (int z = main.keySlice() - 1; z <= main.keySlice() + 1; z++) {
			if (z < main.firstSlice() || z > main.lastSlice()) continue;
			for (int k = 0; k < 8; k++) {
				int sx = (int) Math.round((rng.nextDouble() * 2 - 1) * MAX_SHIFT_MM / sx0);
				int sy = (int) Math.round((rng.nextDouble() * 2 - 1) * MAX_SHIFT_MM / sy0);
				crops.add(dihedral(Volumes.cropMm(image, z, cx + sx, cy + sy, CROP_MM, CROP, outside), k));
			}
		}
		return crops;
	}

	/**
	 * The risk classifier's HU window: narrow (liver window 40/150) so that the lesion's edge, whose extent sets
	 * the risk level, stands out; the wide soft-tissue window 40/400 classified the held-out lesions worse.
	 */
	static final double RISK_WINDOW_CENTER_HU = 40, RISK_WINDOW_WIDTH_HU = 150;

	/** Largest shift of a training crop's centre, mm (6 pixels of the sample's 2.5 mm). */
	static final double MAX_SHIFT_MM = 15;

	/**
	 * Orientation k (0…7) of a square one-slice crop: k &amp; 3 quarter turns, mirrored when k ≥ 4. The geometry
	 * is kept: these are training samples, not measurements.
	 */
	static Volume dihedral(Volume v, int k) {
		int n = v.geometry().nx();
		float[] src = v.voxels(), dst = new float[src.length];
		for (int y = 0; y < n; y++)
			for (int x = 0; x < n; x++) {
				int u = k >= 4 ? n - 1 - x : x, w = y;
				for (int r = 0; r < (k & 3); r++) {
					int t = u;
					u = n - 1 - w;
					w = t;
				}
				dst[w * n + u] = src[y * n + x];
			}
		return new Volume(v.geometry(), dst, v.modality(), v.sliceLabels());
	}

	/** Overlay PNGs of the key slices: each predicted lesion's and each reference lesion's largest slice. */
	private static List<Object> overlays(Path outDir, Datasets.Case c, Mask predicted, List<Lesion> lesions,
		double dice, String risk, String truthRisk) throws IOException {
		java.util.TreeSet<Integer> slices = new java.util.TreeSet<>();
		for (Lesion l : lesions) slices.add(l.keySlice());
		for (Lesion l : Lesions.measure(c.mask(), c.image())) slices.add(l.keySlice());
		List<Object> files = new ArrayList<>();
		int nz = c.image().geometry().nz();
		for (int z : slices) {
			double zMm = c.image().geometry().toPatient(0, 0, z)[2];
			Path png = outDir.resolve("overlays").resolve(String.format("%s_slice%02d.png", c.name(), z + 1));
			OverlayImages.writePng(OverlayImages.render(c.image(), z, predicted, c.mask(), 40, 400, 3,
				String.format(Locale.ROOT, "%s  slice %d/%d  z = %.1f mm   Dice %.3f", c.name(), z + 1, nz, zMm, dice),
				"risk: " + risk + "   reference: " + truthRisk,
				"yellow/red = predicted, green = reference"), png);
			files.add(outDir.relativize(png).toString());
		}
		return files;
	}

	private static Map<String, Object> lesionJson(Lesion l) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", l.id());
		m.put("volumeMl", round(l.volumeMl()));
		m.put("meanHu", round(l.meanHu()));
		m.put("maxHu", round(l.maxHu()));
		m.put("longestAxialDiameterMm", round(l.longestAxialDiameterMm()));
		m.put("firstSlice", l.firstSlice() + 1);
		m.put("lastSlice", l.lastSlice() + 1);
		m.put("meanProbability", round(l.meanProbability()));
		return m;
	}

	private static Map<String, Object> probabilities(List<String> names, float[] p) {
		Map<String, Object> m = new LinkedHashMap<>();
		for (int i = 0; i < names.size(); i++) m.put(names.get(i), round(p[i]));
		return m;
	}

	/** Removes a package this demo wrote before (only if it is one: a folder with medcnn.json). */
	private static void deletePackage(Path pkg) throws IOException {
		if (!Files.exists(pkg)) return;
		if (!Files.isRegularFile(pkg.resolve("medcnn.json")))
			throw new IOException(pkg + " exists and is not a MedCNN model package; choose another --out");
		org.medcnn.nn.Zips.deleteTree(pkg);
	}

	static void writeAtomically(Path file, String text) throws IOException {
		AtomicFiles.writeString(file, text);
	}

	private static double seconds(long t0) {
		return (System.nanoTime() - t0) / 1e9;
	}

	private static double round(double v) {
		return Math.round(v * 1000) / 1000.0;
	}
}
