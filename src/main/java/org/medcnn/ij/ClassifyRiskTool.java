package org.medcnn.ij;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.ResultsTable;

import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ModelCard;
import org.medcnn.pipeline.LesionCrops;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * The headless part of {@code Classify Risk...}: classifies what the model card says the classifier expects, labels
 * the image with the risk level, and writes results rows. Used by {@link ClassifyRiskPlugin}, {@link ClassifyRiskCommand},
 * tests and scripts.
 * <p>
 * A classifier of lesion-centred crops (the card's {@code input.cropMm} &gt; 0) classifies, with an area selection, the
 * crop of that field of view around the selection's centre; without one, every lesion {@code Segment Tumors...} drew
 * into the overlay (its "Lesion k" outlines), each on its key slice around its centroid ({@link LesionCrops}), with a
 * label and a row per lesion; with neither it says what it needs instead of guessing. A classifier of whole images
 * (or a card that does not say, as before card format 2) classifies the current slice, or the selection's
 * surroundings.
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
	 * Classifies stack slice {@code slice} (1-based) of the image: with an area selection, the surroundings of the
	 * selection's centre (for a lesion-crop classifier its card's field of view in mm, else a square of the model's input
	 * size; outside the image counts as air for CT); without one, the whole slice, resampled to the input size.
	 *
	 * @throws IllegalArgumentException when the image cannot be converted (see {@link IjVolumes#toVolume(ImagePlus, int)})
	 */
	public static Classification classify(Classifier classifier, ImagePlus imp, int slice) {
		Volume v = IjVolumes.toVolume(imp, slice);
		Roi roi = imp.getRoi();
		int size = classifier.card().inputSize();
		double cropMm = classifier.card().cropMm();
		if (roi != null && roi.isArea() && size > 0) {
			java.awt.Rectangle b = roi.getBounds();
			v = cropMm > 0
				? Volumes.cropMm(v, 0, b.x + b.width / 2.0, b.y + b.height / 2.0, cropMm, size, LesionCrops.outside(v))
				: Volumes.crop2d(v, 0, b.x + b.width / 2, b.y + b.height / 2, size, AIR_HU);
		}
		return classifier.classify(v);
	}

	/** The risk of one lesion: its number (as in the outlines and the lesion table), its key slice (1-based), its class. */
	public record LesionRisk(int lesion, int keySlice, Classification classification) {}

	/**
	 * Classifies every lesion {@code Segment Tumors...} outlined in the image's overlay: the crop of the card's field of
	 * view around each lesion's centroid on its key slice.
	 *
	 * @return one result per lesion, lesion 1 (the largest) first; empty when the overlay holds no lesion
	 */
	public static List<LesionRisk> classifyLesions(Classifier classifier, ImagePlus imp) {
		Volume v = IjVolumes.toVolume(imp);
		Mask mask = lesionMask(imp, v.geometry());
		List<LesionRisk> out = new ArrayList<>();
		double cropMm = classifier.card().cropMm();
		for (Lesion l : Lesions.measure(mask, v)) {
			Volume crop = LesionCrops.crop(v, l, cropMm, classifier.card().inputSize());
			out.add(new LesionRisk(l.id(), l.keySlice() + 1, classifier.classify(crop)));
		}
		return out;
	}

	/** The union of the overlay's "Lesion k" outlines (each on its slice) as a mask on the image grid. */
	static Mask lesionMask(ImagePlus imp, org.medcnn.volume.Geometry g) {
		byte[] labels = new byte[g.voxelCount()];
		Overlay overlay = imp.getOverlay();
		if (overlay != null)
			for (Roi r : overlay.toArray()) {
				if (!SegmentTumorsTool.isSegmentationRoi(r) || r instanceof ij.gui.ImageRoi) continue;
				int z = Math.max(1, r.getPosition()) - 1;
				if (z >= g.nz()) continue;
				for (java.awt.Point p : r.getContainedPoints())
					if (p.x >= 0 && p.y >= 0 && p.x < g.nx() && p.y < g.ny()) labels[g.index(p.x, p.y, z)] = 1;
			}
		return new Mask(g, labels);
	}

	/**
	 * What to do when a lesion-crop classifier finds neither a selection nor segmented lesions.
	 */
	static String needsLesions(ModelCard card) {
		return "The classifier " + card.name() + " classifies lesion-centred crops of " + fmt(card.cropMm()) + " mm: run"
			+ " Segment Tumors... first (every lesion it outlines is classified), or select the lesion.";
	}

	private static String fmt(double mm) {
		return mm == Math.rint(mm) ? Long.toString((long) mm) : String.format(Locale.ROOT, "%.1f", mm);
	}

	/**
	 * Labels lesion {@code r.lesion()} on its key slice, beside the lesion ("Lesion 1: high (0.93)") in its level's
	 * colour, replacing an earlier label of that lesion.
	 */
	public static TextRoi annotateLesion(ImagePlus imp, LesionRisk r, List<String> riskLevels) {
		String text = "Lesion " + r.lesion() + ": " + r.classification().className() + String.format(Locale.ROOT, " (%.2f)",
			r.classification().confidence());
		int size = Math.max(8, Math.min(18, imp.getHeight() / 20));
		java.awt.Rectangle box = null;
		Overlay overlay = imp.getOverlay();
		if (overlay == null) overlay = new Overlay();
		for (Roi o : overlay.toArray())
			if ((SegmentationOverlay.LESION_PREFIX + r.lesion()).equals(o.getName()) && o.getPosition() == r.keySlice())
				box = o.getBounds();
		int x = box == null ? 2 : Math.min(imp.getWidth() - 8 * size, box.x + box.width + 2);
		int y = box == null ? 2 : Math.max(0, box.y - size - 4);
		TextRoi label = new TextRoi(Math.max(0, x), y, text, new Font("SansSerif", Font.BOLD, size));
		label.setStrokeColor(Color.WHITE);
		label.setFillColor(levelColor(r.classification().className(), riskLevels));
		String name = LABEL_NAME + " lesion " + r.lesion();
		label.setName(name);
		if (imp.getStackSize() > 1) label.setPosition(r.keySlice());
		for (Roi o : overlay.toArray()) if (name.equals(o.getName())) overlay.remove(o);
		overlay.add(label);
		imp.setOverlay(overlay);
		return label;
	}

	/** Appends a row for a lesion: image, lesion, key slice, class, probability and one {@code p(class)} per class. */
	public static void addLesionRow(ResultsTable rt, String imageTitle, LesionRisk r, ModelCard card) {
		addRow(rt, imageTitle, r.keySlice(), r.classification(), card);
		rt.addValue("lesion", r.lesion());
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
