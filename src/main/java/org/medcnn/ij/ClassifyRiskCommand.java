package org.medcnn.ij;

import ij.ImagePlus;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

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
 * current slice). Outputs {@code classification} (class, name, probabilities) and {@code label} (e.g.
 * {@code Risk: high (0.87)}).
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

	@Override
	public void run() {
		int z = slice > 0 ? slice : image.getCurrentSlice();
		if (z > image.getStackSize())
			throw new IllegalArgumentException("slice " + slice + " is out of range 1…" + image.getStackSize());
		try (Classifier classifier = Models.openClassifier(model.toPath())) {
			classification = ClassifyRiskTool.classify(classifier, image, z);
			ClassifyRiskTool.annotate(image, classification, classifier.card().riskLevels(), z);
			label = ClassifyRiskTool.labelText(classification);
		} catch (IOException e) {
			throw new UncheckedIOException(ClassifyRiskPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
