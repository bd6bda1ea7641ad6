package org.medcnn.ij;

import ij.ImagePlus;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Lesion;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Segment Tumors...} for scripts and headless runs: segments an image with a model,
 * draws the lesions into its overlay and measures them, through {@link SegmentTumorsTool} like the ImageJ plugin.
 * No menu entry (the menu item is {@link SegmentTumorsPlugin}).
 * <p>
 * Inputs: {@code image} (an ImagePlus from {@code Open DICOM}) or, when it is not given, {@code series} (a DICOM
 * series file or folder holding one series); {@code model} (segmentation package); optional {@code tta} (flip
 * test-time augmentation), {@code min_lesion} (smallest lesion kept, voxels, default 10) and {@code engine}
 * ({@code tensorflow}, the default, or {@code onnx}: the package's ONNX weights on ONNX Runtime). Outputs: {@code result} (the
 * image with the lesion overlay), {@code mask} (8-bit mask image, not shown) and {@code lesions} (largest first,
 * numbered as the outlines). Errors throw {@link IllegalArgumentException} or {@link UncheckedIOException} with a
 * message naming the input.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Segment Tumors")
public class SegmentTumorsCommand implements Command {

	@Parameter(label = "Image", required = false, persist = false)
	private ImagePlus image;

	@Parameter(label = "DICOM series (when no image is given)", required = false, style = "both", persist = false)
	private File series;

	@Parameter(label = "Model (segmentation package)", style = "directory", persist = false)
	private File model;

	@Parameter(label = "Flip test-time augmentation", required = false, persist = false)
	private boolean tta;

	@Parameter(label = "Smallest lesion kept (voxels)", required = false, persist = false, min = "1")
	private int min_lesion = BatchProcessTool.MIN_LESION_VOXELS;

	@Parameter(label = "Engine (runtime: TensorFlow SavedModel or the package's ONNX weights)", choices = {"tensorflow",
		"onnx"}, required = false, persist = false)
	private String engine = "tensorflow";

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus result;

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus mask;

	@Parameter(type = ItemIO.OUTPUT)
	private List<Lesion> lesions;

	@Override
	public void run() {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(SegmentTumorsPlugin.TITLE, cancel);
		try {
			ImagePlus imp = image;
			if (imp == null) {
				if (series == null) throw new IllegalArgumentException(SegmentTumorsPlugin.TITLE + ": give an image or a series");
				List<DicomSeries> found = OpenDicomTool.scan(series.toPath(), progress, cancel);
				DicomSeries s = OpenDicomTool.select(found, "");
				if (s == null) throw new IllegalArgumentException(series + " holds " + found.size()
					+ " series; open one with Open DICOM and pass it as image:\n" + OpenDicomTool.describe(found));
				imp = OpenDicomTool.open(s, progress, cancel);
			}
			SegmentTumorsTool.Outcome outcome;
			try (Segmenter segmenter = Models.openSegmenter(model.toPath(), InferenceEngine.parse(engine))) {
				outcome = SegmentTumorsTool.segment(imp, segmenter, tta, Math.max(1, min_lesion), progress, cancel);
			}
			SegmentTumorsTool.annotate(imp, outcome);
			SegmentTumorsTool.remember(imp, outcome.mask(), model.toPath());
			result = imp;
			mask = IjVolumes.toImagePlus(outcome.mask(), imp.getTitle() + "-mask");
			lesions = outcome.lesions();
		} catch (IOException e) {
			throw new UncheckedIOException(SegmentTumorsPlugin.TITLE + ": " + e.getMessage(), e);
		} finally {
			progress.done();
		}
	}
}
