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
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.data.Datasets;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.rt.RtStructOptions;
import org.medcnn.dicom.rt.RtStructWriter;
import org.medcnn.dicom.seg.SegOptions;
import org.medcnn.dicom.seg.SegWriter;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.OverlayImages;
import org.medcnn.volume.Volume;

/**
 * {@code predict --model MODEL --out DIR INPUT…}: runs a model package on DICOM series or NIfTI images. A
 * segmenter writes per case {@code CASE.nii.gz} (the mask on the input's grid), {@code CASE_lesions.json} and
 * overlay PNGs of the lesions' key slices, and with {@code --seg} a DICOM Segmentation {@code CASE_seg.dcm}
 * referencing a DICOM input series, with {@code --rtstruct} an RT Structure Set {@code CASE_rtstruct.dcm}
 * (ROI "Lesion", type GTV) referencing it; a classifier reports class probabilities. A JSON summary goes to stdout.
 * Inputs are never modified.
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
			usage: medcnn predict --model MODEL --out DIR [--seg] [--rtstruct] INPUT...
			  INPUT: a DICOM series folder or file, or a NIfTI image. A segmentation model writes into DIR per case
			  CASE.nii.gz (label mask), CASE_lesions.json (per-lesion volume, HU, diameter) and CASE_sliceNN.png
			  overlays; a classification model reports the class and probabilities of each input (its middle slice).
			  --min-lesion N   ignore connected components smaller than N voxels (default 10)
			  --tta            flip test-time augmentation: average the probabilities of the image and its
			                   left-right, up-down and both-way mirror images (4x the time)
			  --seg            also write CASE_seg.dcm, a DICOM Segmentation referencing the input series
			                   (DICOM inputs with at least one lesion only)
			  --rtstruct       also write CASE_rtstruct.dcm, an RT Structure Set (ROI "Lesion", GTV) referencing
			                   the input series (DICOM inputs with at least one lesion only)""";
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args a = new Args(name(), argv, Set.of("model", "out", "min-lesion"), Set.of("seg", "rtstruct", "tta"));
		if (a.positional().isEmpty()) throw new Args.UsageException(name() + ": give at least one INPUT");
		Path model = a.path("model");
		Path outDir = a.path("out");
		int minLesion = a.integer("min-lesion", Lesions.DEFAULT_MIN_VOXELS, 1, Integer.MAX_VALUE);
		boolean writeSeg = a.flag("seg");
		boolean writeRtStruct = a.flag("rtstruct");
		ModelCard card = Models.readCard(model);
		List<Object> results = new ArrayList<>();
		boolean failed = false;
		try (CliCancellation cancel = new CliCancellation()) {
			if (card.isSegmentation()) {
				try (Segmenter seg = Models.openSegmenter(model)) {
					for (String in : a.positional()) {
						Path input = Path.of(in);
						Map<String, Object> r = new LinkedHashMap<>();
						r.put("input", in);
						try {
							String name = Datasets.caseName(input);
							Volume v = Datasets.loadImage(input, ProgressListener.NONE, cancel.token());
							Segmentation s = seg.segment(v, a.flag("tta"), new CliProgress(err), cancel.token());
							Mask mask = Lesions.removeSmall(s.mask(), minLesion);
							List<Lesion> lesions = Lesions.measure(mask, v, s.probability(), minLesion);
							Path maskFile = outDir.resolve(name + ".nii.gz");
							Nifti.writeMask(mask, maskFile);
							List<Object> lj = new ArrayList<>();
							List<Object> pngs = new ArrayList<>();
							for (Lesion l : lesions) {
								Map<String, Object> m = new LinkedHashMap<>();
								m.put("id", l.id());
								m.put("volumeMl", l.volumeMl());
								m.put("meanHu", l.meanHu());
								m.put("maxHu", l.maxHu());
								m.put("longestAxialDiameterMm", l.longestAxialDiameterMm());
								m.put("firstSlice", l.firstSlice() + 1);
								m.put("lastSlice", l.lastSlice() + 1);
								m.put("centroidMm", l.centroidMm());
								m.put("meanProbability", l.meanProbability());
								lj.add(m);
								Path png = outDir.resolve(String.format("%s_slice%02d.png", name, l.keySlice() + 1));
								OverlayImages.writePng(OverlayImages.render(v, l.keySlice(), mask, null, card.windowCenterHu(),
									card.windowWidthHu(), 3, String.format(Locale.ROOT, "%s  slice %d  lesion %d: %.1f mL, %.0f mm",
										name, l.keySlice() + 1, l.id(), l.volumeMl(), l.longestAxialDiameterMm()),
									"research use only"), png);
								pngs.add(png.toString());
							}
							DemoCommand.writeAtomically(outDir.resolve(name + "_lesions.json"), Json.writePretty(lj) + "\n");
							r.put("mask", maskFile.toString());
							r.put("lesions", lj);
							r.put("overlays", pngs);
							if (writeSeg || writeRtStruct)
								writeDicomObjects(input, name, mask, card, outDir, writeSeg, writeRtStruct, r, err, cancel);
							err.printf(Locale.ROOT, "%s: %d lesion(s)%n", name, lesions.size());
						} catch (java.io.IOException | IllegalArgumentException e) {
							r.put("error", e.getMessage());
							err.println("medcnn predict: " + e.getMessage());
							failed = true;
						}
						results.add(r);
					}
				}
			} else {
				try (Classifier cls = Models.openClassifier(model)) {
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
							r.put("error", e.getMessage());
							err.println("medcnn predict: " + e.getMessage());
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

	/**
	 * Writes {@code NAME_seg.dcm} and/or {@code NAME_rtstruct.dcm} for a DICOM input, or notes in {@code r} (keys
	 * "segNote", "rtstructNote") and on stderr why none was written: a NIfTI/TIFF input has no series to reference,
	 * and an empty mask has no segment or contour. The source series is scanned once for both.
	 */
	private static void writeDicomObjects(Path input, String name, Mask mask, ModelCard card, Path outDir,
		boolean seg, boolean rtstruct, Map<String, Object> r, PrintStream err, CliCancellation cancel)
		throws java.io.IOException {
		String lower = input.getFileName().toString().toLowerCase(Locale.ROOT);
		String why = null;
		if (lower.endsWith(".nii") || lower.endsWith(".nii.gz") || lower.endsWith(".tif") || lower.endsWith(".tiff"))
			why = "the input is not a DICOM series";
		else if (mask.foregroundCount() == 0)
			why = "no lesion found";
		if (why != null) {
			if (seg) note(r, err, name, "segNote", "no DICOM SEG: " + why);
			if (rtstruct) note(r, err, name, "rtstructNote", "no RTSTRUCT: " + why);
			return;
		}
		// Datasets.loadImage has already checked that the input holds exactly one series.
		DicomSeries series = SeriesScanner.scan(List.of(input), ProgressListener.NONE, cancel.token()).get(0);
		if (seg)
			r.put("seg", SegWriter.write(mask, series, outDir.resolve(name + "_seg.dcm"),
				SegOptions.forModel(card.name(), Models.MEDCNN_VERSION), new CliProgress(err), cancel.token()).toString());
		if (rtstruct)
			r.put("rtstruct", RtStructWriter.write(mask, series, outDir.resolve(name + "_rtstruct.dcm"),
				RtStructOptions.forModel(card.name(), Models.MEDCNN_VERSION), new CliProgress(err), cancel.token())
				.toString());
	}

	private static void note(Map<String, Object> r, PrintStream err, String name, String key, String note) {
		r.put(key, note);
		err.println(name + ": " + note);
	}
}
