package org.medcnn.ij;

import ij.ImagePlus;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.Models;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Classify Risk...} for scripts and headless runs: classifies one slice of an image
 * (the selection's surroundings when it has an area selection) and labels the image, through
 * {@link ClassifyRiskTool} like the ImageJ plugin. No menu entry (the menu item is {@link ClassifyRiskPlugin}).
 * <p>
 * Inputs {@code image}, {@code model} (classification package) and {@code slice} (1-based; 0 or absent: the
 * current slice). Outputs {@code classification} (class, name, probabilities), {@code label} (e.g.
 * {@code Risk: high (0.87)}) and {@code lesions}: for a classifier of lesion-centred crops without a selection, every
 * lesion {@code Segment Tumors} outlined, classified on its key slice ({@code classification} is lesion 1's).
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Classify Risk")
public class ClassifyRiskCommand implements Command {

	@Parameter(label = "Image", persist = false)
	private ImagePlus image;

	@Parameter(label = "Model (classification package)", style = "directory", persist = false)
	private File model;

	@Parameter(label = "Slice (1-based, 0 = current)", required = false, min = "0", persist = false)
	private int slice;

	@Parameter(type = ItemIO.OUTPUT)
	private Classification classification;

	@Parameter(type = ItemIO.OUTPUT)
	private String label;

	/** For a classifier of lesion-centred crops without a selection: every outlined lesion's risk. */
	@Parameter(type = ItemIO.OUTPUT)
	private List<ClassifyRiskTool.LesionRisk> lesions;

	@Override
	public void run() {
		int z = slice > 0 ? slice : image.getCurrentSlice();
		if (z > image.getStackSize())
			throw new IllegalArgumentException("slice " + slice + " is out of range 1…" + image.getStackSize());
		try (Classifier classifier = Models.openClassifier(model.toPath())) {
			org.medcnn.nn.ModelCard card = classifier.card();
			ij.gui.Roi roi = image.getRoi();
			if (card.cropMm() > 0 && (roi == null || !roi.isArea())) {
				lesions = ClassifyRiskTool.classifyLesions(classifier, image);
				if (lesions.isEmpty()) throw new IllegalArgumentException(ClassifyRiskTool.needsLesions(card));
				for (ClassifyRiskTool.LesionRisk r : lesions) ClassifyRiskTool.annotateLesion(image, r, card.riskLevels());
				classification = lesions.get(0).classification();
				label = "Lesion 1: " + ClassifyRiskTool.labelText(classification);
				return;
			}
			lesions = List.of();
			classification = ClassifyRiskTool.classify(classifier, image, z);
			ClassifyRiskTool.annotate(image, classification, card.riskLevels(), z);
			label = ClassifyRiskTool.labelText(classification);
		} catch (IOException e) {
			throw new UncheckedIOException(ClassifyRiskPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
