package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.nn.metrics.ClassificationMetrics;
import org.medcnn.nn.metrics.SegmentationMetrics;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code evaluate --model MODEL (--images DIR --masks DIR | --data DIR) [--engine tensorflow|onnx] [--json]}: runs a model on labelled data
 * and reports metrics. A segmenter is compared case by case with the reference masks (Dice, IoU, HD95 in mm,
 * lesion-wise sensitivity and precision, volume error; see {@link SegmentationMetrics}); a classifier is scored
 * on a class-folder layout (accuracy, balanced accuracy, per-class precision/recall, one-vs-rest AUC, confusion
 * matrix; see {@link ClassificationMetrics}). Output: {@code {task, model, cases: [...], overall: {...}}}.
 */
@Command(name = "evaluate", header = "score a model on labelled data (Dice, HD95, lesion-wise; accuracy, AUC)",
	description = {"Segmentation model: --images holds the cases (DICOM series folders, NIfTI files or TIFF stacks), "
		+ "--masks the reference masks named after them (NIfTI, DICOM SEG or TIFF label stacks of the image's size, page "
		+ "k = slice k). Per case and overall: dice, iou, hd95Mm (95th percentile of symmetric surface distances, mm), "
		+ "lesion-wise sensitivity and precision (26-connected components; a reference lesion counts as detected when a "
		+ "predicted voxel overlaps it), predicted/reference volume (mL) and volume error. Both masks empty: dice 1, "
		+ "hd95 0; one empty: dice 0, hd95 undefined (null).",
		"Classification model: --data holds one sub-folder per class (named as the model's classes) with images "
			+ "(DICOM, NIfTI, or PNG, TIFF, JPEG, BMP files; colour is read as grey); reports accuracy, balancedAccuracy, "
			+ "per-class precision/recall/auc, macroAuc, confusion (rows = true class, columns = predicted), and each "
			+ "item's prediction."})
final class EvaluateCommand implements Main.Command {

	@Option(names = "--model", paramLabel = "MODEL", required = true, description = "the model package to score")
	Path model;

	@Option(names = "--images", paramLabel = "DIR", description = "segmentation: the cases")
	Path images;

	@Option(names = "--masks", paramLabel = "DIR", description = "segmentation: the reference masks, named after the cases")
	Path masks;

	@Option(names = "--data", paramLabel = "DIR", description = "classification: one sub-folder per class")
	Path data;

	@Option(names = "--min-lesion", paramLabel = "N", description = "drop predicted components smaller than N voxels "
		+ "before scoring (default ${DEFAULT-VALUE}, as predict does, so the scores are those of the masks MedCNN "
		+ "delivers; 0 scores the raw mask)")
	@Cli.Range(min = 0, max = Integer.MAX_VALUE)
	int minLesion = Lesions.DEFAULT_MIN_VOXELS;

	@Option(names = "--tta", description = "segment with flip test-time augmentation (see predict --help)")
	boolean tta;

	@Mixin
	SharedOptions.Engine engine;

	@Mixin
	SharedOptions.Json json;

	@Override
	public Map<String, String> helpValues() {
		return Cli.values("engine", "run the SavedModel on TensorFlow (default) or weights/model.onnx on ONNX Runtime",
			"json", "print {task, model, cases: [...], overall: {...}} as JSON (default: a table)");
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		boolean json = this.json.json;
		InferenceEngine engine = this.engine.engine();
		ModelCard card = Models.readCard(model);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("task", card.task());
		result.put("model", card.name());
		try (CliCancellation cancel = new CliCancellation()) {
			CliProgress progress = new CliProgress(err);
			if (card.isSegmentation()) {
				if (data != null) throw new Cli.UsageException("evaluate: " + card.name()
					+ " is a segmentation model: give --images DIR --masks DIR, not --data");
				Path images = required(this.images, "--images", card), masks = required(this.masks, "--masks", card);
				List<Path> entries = Datasets.entries(images);
				if (entries.isEmpty()) throw new java.io.IOException(images + ": no cases found");
				List<Object> cases = new ArrayList<>();
				List<SegmentationMetrics.Result> results = new ArrayList<>();
				try (Segmenter seg = Models.openSegmenter(model, engine)) {
					for (int i = 0; i < entries.size(); i++) {
						Path e = entries.get(i);
						String caseName = Datasets.caseName(e);
						progress.progress(i / (double) entries.size(), "Evaluating " + caseName);
						Volume v = Datasets.loadImage(e, ProgressListener.NONE, cancel.token());
						Mask ref = Datasets.loadMask(Datasets.findMask(masks, caseName), v.geometry());
						Mask pred = seg.segment(v, tta, ProgressListener.NONE, cancel.token()).mask();
						if (minLesion > 1) pred = Lesions.removeSmall(pred, minLesion);
						SegmentationMetrics.Result r = SegmentationMetrics.compare(pred, ref);
						results.add(r);
						Map<String, Object> c = new LinkedHashMap<>();
						c.put("name", caseName);
						c.putAll(r.toMap());
						cases.add(c);
					}
				}
				progress.done();
				result.put("cases", cases);
				result.put("overall", SegmentationMetrics.summarise(results));
			} else {
				if (images != null || masks != null)
					throw new Cli.UsageException("evaluate: " + card.name()
						+ " is a classification model: give --data DIR (one sub-folder per class), not --images/--masks");
				Path data = required(this.data, "--data", card);
				List<String> folders = Datasets.classNames(data);
				for (String f : folders)
					if (!card.classNames().contains(f))
						throw new IllegalArgumentException(data.resolve(f) + ": class folder '" + f + "' is not a class of the model "
							+ card.name() + " " + card.classNames());
				List<Datasets.Item> items = Datasets.loadItems(data, progress, cancel.token());
				int[] labels = new int[items.size()];
				float[][] probs = new float[items.size()][];
				List<Object> cases = new ArrayList<>();
				try (Classifier cls = Models.openClassifier(model, engine)) {
					for (int i = 0; i < items.size(); i++) {
						Datasets.Item it = items.get(i);
						// Every 64th item: a line per item would flood a log (each one at "100%" over the last 0.5 %).
						if (i % 64 == 0)
							progress.progress(i / (double) items.size(), String.format(Locale.ROOT, "Classifying %,d/%,d items (%s)",
								i + 1, items.size(), it.name()));
						labels[i] = card.classNames().indexOf(folders.get(it.label()));
						Classification c = cls.classify(it.image());
						probs[i] = c.probabilities();
						Map<String, Object> m = new LinkedHashMap<>();
						m.put("name", it.name());
						m.put("label", card.classNames().get(labels[i]));
						m.put("predicted", c.className());
						m.put("probabilities", c.probabilities());
						cases.add(m);
					}
				}
				progress.done();
				result.put("cases", cases);
				result.put("overall", ClassificationMetrics.of(card.classNames(), labels, probs).toMap());
			}
		}
		if (json) out.println(Json.writePretty(result));
		else printTable(result, card, out);
		return 0;
	}

	/** An option the model's task needs: refused, naming it and the task, when absent. */
	private static Path required(Path value, String option, ModelCard card) throws Cli.UsageException {
		if (value == null) throw new Cli.UsageException("evaluate: " + option + " is required for the " + card.task()
			+ " model " + card.name());
		return value;
	}

	@SuppressWarnings("unchecked")
	private static void printTable(Map<String, Object> r, ModelCard card, PrintStream out) {
		Map<String, Object> overall = (Map<String, Object>) r.get("overall");
		List<Object> cases = (List<Object>) r.get("cases");
		out.println("Model " + card.name() + " (" + card.task() + ")");
		if (card.isSegmentation()) {
			out.printf(Locale.ROOT, "%-24s %7s %7s %9s %8s %8s %10s %10s%n", "case", "dice", "iou", "hd95 mm", "sens",
				"prec", "pred mL", "ref mL");
			for (Object o : cases) {
				Map<String, Object> c = (Map<String, Object>) o;
				out.printf(Locale.ROOT, "%-24s %7s %7s %9s %8s %8s %10s %10s%n", c.get("name"), f(c.get("dice"), 3),
					f(c.get("iou"), 3), f(c.get("hd95Mm"), 2), f(c.get("lesionSensitivity"), 2), f(c.get("lesionPrecision"), 2),
					f(c.get("predictedMl"), 2), f(c.get("referenceMl"), 2));
			}
			out.printf(Locale.ROOT, "overall (%s cases): mean dice %s, mean iou %s, mean hd95 %s mm, lesion sensitivity %s"
				+ " (%s/%s), lesion precision %s, mean |volume error| %s mL%n", overall.get("cases"), f(overall.get("meanDice"), 3),
				f(overall.get("meanIou"), 3), f(overall.get("meanHd95Mm"), 2), f(overall.get("lesionSensitivity"), 2),
				overall.get("detectedLesions"), overall.get("referenceLesions"), f(overall.get("lesionPrecision"), 2),
				f(overall.get("meanAbsVolumeErrorMl"), 2));
		} else {
			out.printf(Locale.ROOT, "items %s, accuracy %s, balanced accuracy %s, macro AUC %s%n", overall.get("items"),
				f(overall.get("accuracy"), 3), f(overall.get("balancedAccuracy"), 3), f(overall.get("macroAuc"), 3));
			out.printf(Locale.ROOT, "%-20s %9s %9s %7s %8s%n", "class", "precision", "recall", "auc", "support");
			for (Object o : (List<Object>) overall.get("perClass")) {
				Map<String, Object> c = (Map<String, Object>) o;
				out.printf(Locale.ROOT, "%-20s %9s %9s %7s %8s%n", c.get("class"), f(c.get("precision"), 3),
					f(c.get("recall"), 3), f(c.get("auc"), 3), c.get("support"));
			}
			out.println("confusion (rows = true, columns = predicted, order " + overall.get("classNames") + "):");
			for (Object row : (List<Object>) overall.get("confusion")) out.println("  " + java.util.Arrays.toString((long[]) row));
		}
	}

	/** A number with the given decimals, or "-" when undefined. */
	private static String f(Object v, int decimals) {
		if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) return "-";
		return String.format(Locale.ROOT, "%." + decimals + "f", n.doubleValue());
	}
}
