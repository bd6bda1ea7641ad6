package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

/**
 * {@code predict --model MODEL --out DIR INPUT…}: runs a model package on DICOM series or NIfTI images. A
 * segmenter runs the per-case pipeline every front end shares ({@link CaseSegmentation}): per case {@code CASE.nii.gz}
 * (the mask on the input's grid), {@code CASE_lesions.json}/{@code .csv}, overlay PNGs of the lesions' key slices, and
 * with {@code --seg} a DICOM Segmentation ({@code --seg-compression deflate}: Deflated Image Frame Compression), with {@code --rtstruct} an RT Structure Set (ROI "Lesion", type GTV)
 * referencing a DICOM input series; inputs of the same name get {@code -2}, {@code -3}, … so that no outputs collide,
 * and a rerun replaces a case's outputs as a whole. A classifier reports class probabilities. A JSON summary goes to
 * stdout, with each case's reader warnings. Inputs are never modified.
 */
final class PredictCommand implements Main.Command {

	@Override
	public String name() {
		return "predict";
	}

	@Override
	public String summary() {
		return "run a model package on DICOM series or NIfTI images";
	}

	@Override
	public boolean usesTensorFlow() {
		return true;
	}

	@Override
	public String usage() {
		return """
			usage: medcnn predict --model MODEL --out DIR [--engine tensorflow|onnx] [--seg [--seg-compression none|deflate]] [--rtstruct] INPUT...
			  INPUT: a DICOM series folder or file, or a NIfTI image. A segmentation model writes into DIR per case
			  CASE.nii.gz (label mask), CASE_lesions.json and .csv (per-lesion volume, HU, diameter), CASE_sliceNN.png
			  (each lesion's key slice) and CASE_overlay.png (the largest lesion's); a rerun replaces them. Two
			  inputs of the same name get CASE-2, CASE-3, ... A classification model reports the class and
			  probabilities of each input (its middle slice).
			  --engine tensorflow|onnx
			                   run the package's SavedModel on TensorFlow (default) or its weights/model.onnx
			                   on ONNX Runtime; same preprocessing and outputs (threads: -Dmedcnn.threads)
			  --min-lesion N   ignore connected components smaller than N voxels (default 10)
			  --classifier M   grade every lesion with the classifier package M, trained on lesion-centred crops
			                   (train-classifier --crop-mm): its crop of that many mm on the lesion's key slice;
			                   the class and probabilities go into CASE_lesions.json/.csv
			  --tta            flip test-time augmentation: average the probabilities of the image and its
			                   left-right, up-down and both-way mirror images (4x the time)
			  --seg            also write CASE_seg.dcm, a DICOM Segmentation referencing the input series
			                   (DICOM inputs with at least one lesion only)
			  --seg-compression none|deflate
			                   how the SEG's pixel data are stored: none (default: bit-packed, Explicit VR
			                   Little Endian, read everywhere) or deflate (Deflated Image Frame Compression,
			                   1.2.840.10008.1.2.8.1, DICOM 2023: each frame deflated, far smaller; older
			                   readers cannot open it)
			  --rtstruct       also write CASE_rtstruct.dcm, an RT Structure Set (ROI "Lesion", GTV) referencing
			                   the input series (DICOM inputs with at least one lesion only)
			  --assume-geometry
			                   measure an input whose pixel spacing, slice spacing or position is not recorded
			                   (1 mm or the instance order assumed); without it such a case is refused. The
			                   warnings go into CASE_lesions.json/.csv and the output JSON""";
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args a = new Args(name(), argv, Set.of("model", "out", "min-lesion", "classifier", "seg-compression", "engine"),
			Set.of("seg", "rtstruct", "tta", "assume-geometry"));
		if (a.positional().isEmpty()) throw new Args.UsageException(name() + ": give at least one INPUT");
		Path model = a.path("model");
		Path outDir = OutputPaths.folder(name(), "--out", a.path("out"));
		int minLesion = a.integer("min-lesion", Lesions.DEFAULT_MIN_VOXELS, 1, Integer.MAX_VALUE);
		SegCompression segCompression = SegCompression.of(a.choice("seg-compression", SegCompression.NONE.key(),
			SegCompression.NONE.key(), SegCompression.DEFLATE.key()));
		if (a.string("seg-compression", null) != null && !a.flag("seg"))
			throw new Args.UsageException(name() + ": --seg-compression applies to the DICOM SEG; add --seg");
		InferenceEngine engine = InferenceEngine.parse(a.choice("engine", InferenceEngine.TENSORFLOW.key(),
			InferenceEngine.TENSORFLOW.key(), InferenceEngine.ONNX.key()));
		ModelCard card = Models.readCard(model);
		Path lesionClassifier = a.string("classifier", null) == null ? null : Path.of(a.string("classifier", null));
		if (lesionClassifier != null && !card.isSegmentation())
			throw new Args.UsageException(name() + ": --classifier grades the lesions a segmentation model finds; "
				+ card.name() + " is a classifier");
		List<Object> results = new ArrayList<>();
		boolean failed = false;
		try (CliCancellation cancel = new CliCancellation()) {
			if (card.isSegmentation()) {
				try (CasePredictor predictor = CasePredictor.open(model, lesionClassifier,
					new CasePredictor.Settings(a.flag("tta"), minLesion, a.flag("seg"), a.flag("rtstruct"), segCompression,
						a.flag("assume-geometry"), engine))) {
					for (CaseSegmentation.Input in : CaseSegmentation.inputs(a.positional().stream().map(Path::of).toList())) {
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
					for (String in : a.positional()) {
						Map<String, Object> r = new LinkedHashMap<>();
						r.put("input", in);
						try {
							Volume v = Datasets.loadImage(Path.of(in), ProgressListener.NONE, cancel.token());
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
