package org.medcnn.ij;

import ij.ImagePlus;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.medcnn.pipeline.TrainingSets;
import org.medcnn.volume.Mask;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Add to Training Set...}: adds an image and its corrected mask (a mask image on its grid,
 * or else the lesion outlines of its overlay) to a training-set folder ({@link TrainingSets}). Inputs {@code image},
 * {@code mask} (optional), {@code project}, {@code case_name} ({@code case} is a Java keyword), {@code copy},
 * {@code replace}; output {@code manifest} (the written manifest file). No menu entry.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Add to Training Set")
public class AddToTrainingSetCommand implements Command {

	@Parameter(label = "Image", persist = false)
	private ImagePlus image;

	@Parameter(label = "Mask image (else the overlay's lesion outlines)", required = false, persist = false)
	private ImagePlus mask;

	@Parameter(label = "Project (training-set folder)", style = "directory", persist = false)
	private File project;

	@Parameter(label = "Case (name of the case's files)", persist = false)
	private String case_name;

	@Parameter(label = "Copy (the image, not a reference to its DICOM files)", required = false, persist = false)
	private boolean copy;

	@Parameter(label = "Replace (a case of that name)", required = false, persist = false)
	private boolean replace;

	@Parameter(type = ItemIO.OUTPUT)
	private File manifest;

	@Override
	public void run() {
		try {
			Mask corrected = mask != null ? ImageTrainingData.fromLabelImage(image, mask)
				: AddToTrainingSetTool.correctedMask(image, AddToTrainingSetTool.OVERLAY, null, t -> null);
			manifest = AddToTrainingSetTool.add(image, corrected, project.toPath(), case_name, copy, replace).manifestFile()
				.toFile();
		} catch (IOException e) {
			throw new UncheckedIOException(AddToTrainingSetPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
