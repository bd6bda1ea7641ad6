package org.medcnn.ij;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.ResultsTable;

import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.Locale;

import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ModelCard;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * The headless part of {@code Classify Risk...}: classifies one slice of an image, labels the image with the
 * risk level, and writes a results row. Used by {@link ClassifyRiskPlugin}, tests and scripts.
 * <p>
 * The label is a {@link TextRoi} named {@value #LABEL_NAME} in the image's overlay, at the top-left corner, on
 * the classified slice only, with a background colour for the level: green for the lowest risk level, red for
 * the highest, orange in between (levels from the model card's {@code riskLevels}, else recognised by name:
 * low/benign/normal, intermediate/medium/moderate, high/malignant), grey for other class names. A new
 * classification of the same slice replaces the earlier label. Stateless.
 */
public final class ClassifyRiskTool {

	/** Name of the overlay label. */
	public static final String LABEL_NAME = "MedCNN risk";
	/** Title of the results table. */
	public static final String TABLE_TITLE = "MedCNN Risk";

	static final Color LOW = new Color(40, 160, 60);
	static final Color INTERMEDIATE = new Color(235, 140, 0);
	static final Color HIGH = new Color(210, 30, 30);
	static final Color NEUTRAL = new Color(90, 90, 110);

	private ClassifyRiskTool() {}

	/**
	 * Classifies stack slice {@code slice} (1-based) of the image: with an area selection, a square of the model's
	 * input size centred on the selection (lesion classifiers are trained on lesion-centred crops; outside the
	 * image counts as air, −1000 HU); without one, the whole slice, resampled to the input size.
	 *
	 * @throws IllegalArgumentException when the image cannot be converted (see {@link IjVolumes#toVolume(ImagePlus, int)})
	 */
	public static Classification classify(Classifier classifier, ImagePlus imp, int slice) {
		Volume v = IjVolumes.toVolume(imp, slice);
		Roi roi = imp.getRoi();
		int size = classifier.card().inputSize();
		if (roi != null && roi.isArea() && size > 0) {
			java.awt.Rectangle b = roi.getBounds();
			v = Volumes.crop2d(v, 0, b.x + b.width / 2, b.y + b.height / 2, size, AIR_HU);
		}
		return classifier.classify(v);
	}

	private static final float AIR_HU = -1000f;

	/** "Risk: high (0.87)": the predicted class and its probability. */
	public static String labelText(Classification c) {
		return String.format(Locale.ROOT, "Risk: %s (%.2f)", c.className(), c.confidence());
	}

	/**
	 * The background colour for a class: by its position in {@code riskLevels} (lowest first) when the class is
	 * listed there, else by its name.
	 */
	public static Color levelColor(String className, List<String> riskLevels) {
		int i = riskLevels == null ? -1 : riskLevels.indexOf(className);
		if (i >= 0 && riskLevels.size() >= 2) {
			if (i == 0) return LOW;
			if (i == riskLevels.size() - 1) return HIGH;
			return INTERMEDIATE;
		}
		String n = className.toLowerCase(Locale.ROOT);
		if (n.startsWith("low") || n.equals("benign") || n.equals("normal")) return LOW;
		if (n.startsWith("intermediate") || n.startsWith("medium") || n.startsWith("moderate")) return INTERMEDIATE;
		if (n.startsWith("high") || n.equals("malignant")) return HIGH;
		return NEUTRAL;
	}

	/**
	 * Puts the risk label into the image's overlay (creating the overlay if needed) on stack slice {@code slice},
	 * replacing an earlier label on that slice.
	 *
	 * @return the label
	 */
	public static TextRoi annotate(ImagePlus imp, Classification c, List<String> riskLevels, int slice) {
		String text = labelText(c);
		// Fit the text into 90 % of the width (a bold sans-serif character is about 0.62 em wide), 6…28 px.
		int size = (int) Math.min(imp.getHeight() / 8.0, 0.9 * imp.getWidth() / (0.62 * text.length()));
		size = Math.max(6, Math.min(28, size));
		TextRoi label = new TextRoi(2, 2, text, new Font("SansSerif", Font.BOLD, size));
		label.setStrokeColor(Color.WHITE);
		label.setFillColor(levelColor(c.className(), riskLevels));
		label.setName(LABEL_NAME);
		if (imp.getStackSize() > 1) label.setPosition(slice);
		Overlay overlay = imp.getOverlay();
		if (overlay == null) overlay = new Overlay();
		for (Roi r : overlay.toArray())
			if (LABEL_NAME.equals(r.getName()) && (r.getPosition() == 0 || r.getPosition() == slice)) overlay.remove(r);
		overlay.add(label);
		imp.setOverlay(overlay);
		return label;
	}

	/**
	 * Appends a row: image title, slice, predicted class, its probability, and one {@code p(class)} column per
	 * class of the card.
	 */
	public static void addRow(ResultsTable rt, String imageTitle, int slice, Classification c, ModelCard card) {
		rt.incrementCounter();
		rt.addValue("image", imageTitle);
		rt.addValue("slice", slice);
		rt.addValue("class", c.className());
		rt.addValue("probability", c.confidence());
		float[] p = c.probabilities();
		List<String> names = card.classNames();
		for (int i = 0; i < p.length; i++)
			rt.addValue("p(" + (i < names.size() ? names.get(i) : Integer.toString(i)) + ")", p[i]);
	}
}
