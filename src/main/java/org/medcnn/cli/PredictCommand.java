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
import org.medcnn.dicom.seg.SegCompression;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.data.Datasets;
import org.medcnn.pipeline.CasePredictor;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code predict --model MODEL --out DIR INPUT…}: runs a model package on DICOM series or NIfTI images. A
 * segmenter runs the per-case pipeline every front end shares ({@link CaseSegmentation}): per case {@code CASE.nii.gz}
 * (the mask on the input's grid), {@code CASE_lesions.json}/{@code .csv}, overlay PNGs of the lesions' key slices, and
 * with {@code --seg} a DICOM Segmentation ({@code --seg-compression deflate}: Deflated Image Frame Compression), with {@code --rtstruct} an RT Structure Set (ROI "Lesion", type GTV)
 * referencing a DICOM input series; inputs of the same name get {@code -2}, {@code -3}, … so that no outputs collide,
 * and a rerun replaces a case's outputs as a whole. A classifier reports class probabilities. A JSON summary goes to
 * stdout, with each case's reader warnings. Inputs are never modified.
 */
@Command(name = "predict", header = "run a model package on DICOM series or NIfTI images", description = {
	"INPUT: a DICOM series folder or file, or a NIfTI image. A segmentation model writes into DIR per case CASE.nii.gz "
		+ "(label mask), CASE_lesions.json and .csv (per-lesion volume, HU, diameter), CASE_sliceNN.png (each lesion's "
		+ "key slice) and CASE_overlay.png (the largest lesion's); a rerun replaces them. Two inputs of the same name get "
		+ "CASE-2, CASE-3, ... A classification model reports the class and probabilities of each input (its middle "
		+ "slice)."})
final class PredictCommand implements Main.Command {

	@Option(names = "--model", paramLabel = "MODEL", required = true, description = "the model package (a folder or .zip)")
	Path model;

	@Option(names = "--out", paramLabel = "DIR", required = true, description = "the folder to write the outputs into")
	Path output;

	@Mixin
	SharedOptions.Engine engine;

	@Option(names = "--seg", description = "also write CASE_seg.dcm, a DICOM Segmentation referencing the input series "
		+ "(DICOM inputs with at least one lesion only)")
	boolean seg;

	@Option(names = "--seg-compression", completionCandidates = SegCompressions.class, description = "how the SEG's "
		+ "pixel data are stored: none (default: bit-packed, Explicit VR Little Endian, read everywhere) or deflate "
		+ "(Deflated Image Frame Compression, 1.2.840.10008.1.2.8.1, DICOM 2023: each frame deflated, far smaller; older "
		+ "readers cannot open it)")
	String segCompression;

	@Option(names = "--rtstruct", description = "also write CASE_rtstruct.dcm, an RT Structure Set (ROI \"Lesion\", GTV) "
		+ "referencing the input series (DICOM inputs with at least one lesion only)")
	boolean rtstruct;

	@Option(names = "--min-lesion", paramLabel = "N", description = "ignore connected components smaller than N voxels "
		+ "(default ${DEFAULT-VALUE})")
	@Cli.Range(min = 1, max = Integer.MAX_VALUE)
	int minLesion = Lesions.DEFAULT_MIN_VOXELS;

	@Option(names = "--classifier", paramLabel = "M", description = "grade every lesion with the classifier package M, "
		+ "trained on lesion-centred crops (train-classifier --crop-mm): its crop of that many mm on the lesion's key "
		+ "slice; the class and probabilities go into CASE_lesions.json/.csv")
	Path lesionClassifier;

	@Option(names = "--tta", description = "flip test-time augmentation: average the probabilities of the image and its "
		+ "left-right, up-down and both-way mirror images (4x the time)")
	boolean tta;

	@Mixin
	SharedOptions.AssumeGeometry assumeGeometry;

	@Parameters(paramLabel = "INPUT", arity = "1..*", description = "DICOM series folders or files, NIfTI images")
	List<Path> inputs;

	/** The keys of {@link SegCompression}. */
	static final class SegCompressions extends Cli.Choices {
		SegCompressions() {
			super(java.util.Arrays.stream(SegCompression.values()).map(SegCompression::key).toList());
		}
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		Path outDir = OutputPaths.folder("predict", "--out", output);
		if (segCompression != null && !seg)
			throw new Cli.UsageException("predict: --seg-compression applies to the DICOM SEG; add --seg");
		SegCompression segCompression = SegCompression.of(this.segCompression == null ? SegCompression.NONE.key()
			: this.segCompression);
		InferenceEngine engine = this.engine.engine();
		ModelCard card = Models.readCard(model);
		if (lesionClassifier != null && !card.isSegmentation())
			throw new Cli.UsageException("predict: --classifier grades the lesions a segmentation model finds; "
				+ card.name() + " is a classifier");
		List<Object> results = new ArrayList<>();
		boolean failed = false;
		try (CliCancellation cancel = new CliCancellation()) {
			if (card.isSegmentation()) {
				try (CasePredictor predictor = CasePredictor.open(model, lesionClassifier,
					new CasePredictor.Settings(tta, minLesion, seg, rtstruct, segCompression,
						assumeGeometry.assumeGeometry, engine))) {
					for (CaseSegmentation.Input in : CaseSegmentation.inputs(inputs)) {
						if (!in.name().equals(Datasets.caseName(in.entry())))
							err.println("medcnn predict: " + in.entry() + ": another input is also called '"
								+ Datasets.caseName(in.entry()) + "'; its outputs are named '" + in.name() + "'");
						CaseSegmentation.Result r = predictor.run(in, outDir, new CliProgress(err), cancel.token());
						Map<String, Object> json = r.toJson();
						json.put("input", in.entry().toString());
						results.add(json);
						for (String w : r.warnings()) err.println(in.name() + ": warning: " + w);
						for (String n : r.notes()) err.println(in.name() + ": " + n);
						if (r.ok()) {
							err.printf(Locale.ROOT, "%s: %d lesion(s)%n", in.name(), r.lesions().size());
						} else {
							err.println("medcnn predict: " + r.error());
							failed = true;
						}
					}
				}
			} else {
				if (card.cropMm() > 0)
					err.println("medcnn predict: " + card.name() + " classifies lesion-centred crops of " + card.cropMm()
						+ " mm; each input is classified as it is (give inputs that are such crops)");
				try (Classifier cls = Models.openClassifier(model, engine)) {
					for (Path in : inputs) {
						Map<String, Object> r = new LinkedHashMap<>();
						r.put("input", in.toString());
						try {
							Volume v = Datasets.loadImage(in, ProgressListener.NONE, cancel.token());
							Classification k = cls.classify(v);
							r.put("class", k.className());
							Map<String, Object> p = new LinkedHashMap<>();
							for (int i = 0; i < card.classNames().size(); i++)
								p.put(card.classNames().get(i), (double) k.probabilities()[i]);
							r.put("probabilities", p);
						} catch (java.io.IOException | IllegalArgumentException e) {
							r.put("error", OutputPaths.describe(e));
							err.println("medcnn predict: " + OutputPaths.describe(e));
							failed = true;
						}
						results.add(r);
					}
				}
			}
		}
		out.println(Json.writePretty(results));
		return failed ? 1 : 0;
	}
}
