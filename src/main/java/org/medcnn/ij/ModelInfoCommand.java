package org.medcnn.ij;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Model Info...} for scripts and headless runs: a model package's card as text, made by
 * {@link ModelInfoTool} like the ImageJ plugin's. It has no menu entry (the menu item is {@link ModelInfoPlugin}).
 * <p>
 * Input {@code model} (package folder or {@code .zip}); output {@code info}. A package that cannot be read throws
 * an {@link UncheckedIOException} whose message names the package and the problem.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Model Info")
public class ModelInfoCommand implements Command {

	@Parameter(label = "Model package", style = "directory", persist = false)
	private File model;

	@Parameter(type = ItemIO.OUTPUT)
	private String info;

	@Override
	public void run() {
		try {
			ModelCard card = Models.readCard(model.toPath());
			info = ModelInfoTool.describe(card, model.toPath());
		} catch (IOException e) {
			throw new UncheckedIOException(ModelInfoPlugin.TITLE + ": " + e.getMessage(), e);
		}
	}
}
