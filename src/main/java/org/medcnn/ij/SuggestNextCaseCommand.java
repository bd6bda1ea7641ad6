package org.medcnn.ij;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.Suggestions;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * SciJava command of {@code Suggest Next Case...}: ranks a folder's unlabelled cases with {@link Suggestions}, most
 * useful first. Inputs {@code model}, {@code folder}; output {@code ranking} (every case with score and reason) and
 * {@code next} (the first case's file or folder). Opens nothing. No menu entry.
 */
@Plugin(type = Command.class, headless = true, label = "MedCNN Suggest Next Case")
public class SuggestNextCaseCommand implements Command {

	@Parameter(label = "Model (segmentation package)", style = "directory", persist = false)
	private File model;

	@Parameter(label = "Folder (unlabelled cases)", style = "directory", persist = false)
	private File folder;

	@Parameter(type = ItemIO.OUTPUT)
	private List<Suggestions.Suggestion> ranking;

	@Parameter(type = ItemIO.OUTPUT)
	private File next;

	@Override
	public void run() {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(SuggestNextCasePlugin.TITLE, cancel);
		try (Segmenter s = Models.openSegmenter(model.toPath())) {
			ranking = Suggestions.rank(s, List.of(folder.toPath()), progress, cancel);
			next = ranking.get(0).error() == null ? ranking.get(0).entry().toFile() : null;
		} catch (IOException e) {
			throw new UncheckedIOException(SuggestNextCasePlugin.TITLE + ": " + e.getMessage(), e);
		} finally {
			progress.done();
		}
	}
}
