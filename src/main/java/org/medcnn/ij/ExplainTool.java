package org.medcnn.ij;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.plugin.LutLoader;
import ij.plugin.filter.GaussianBlur;
import ij.process.FloatProcessor;

import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.List;
import java.util.Locale;

import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.Inputs;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * The headless part of {@code Explain Prediction...}: which pixels drove a classifier's prediction for one
 * slice, shown as a translucent heat map over the image with a colour bar. Used by
 * {@link ExplainPredictionPlugin}, tests and scripts.
 * <p>
 * Methods: {@value #GRAD_CAM} (Grad-CAM, Selvaraju et al. 2017: the last convolutional feature map weighted by
 * the spatial mean of the predicted class logit's gradient per channel, ReLU, upsampled bilinearly to the network
 * input, resampled to the region like saliency and scaled to [0, 1], see {@link Classifier#gradCam}; CNN classifiers
 * only, the default for them),
 * {@value #SALIENCY} ({@code |∂ logit / ∂ pixel|} of the predicted class, computed by TensorFlow
 * through the model's graph, see {@link Classifier#saliency}) and {@value #OCCLUSION} (occlusion sensitivity:
 * a square patch of the region's mean value slides over the input, and each pixel gets the mean drop of the
 * predicted class's probability over the patches that covered it; works with any classifier). The classified
 * region is the one {@link ClassifyRiskTool#classify} uses: the whole slice, or with an area selection a square
 * of the model's input size centred on it; the map is resampled bilinearly from the network input to that
 * region's pixels. Overlay items are named {@value #HEATMAP_NAME} and {@value #SCALE_NAME}; a new explanation
 * of the same slice replaces the earlier one. Stateless.
 */
public final class ExplainTool {

	/** Method: Grad-CAM of the last convolutional feature map (CNN classifiers; the default for them). */
	public static final String GRAD_CAM = "grad-cam";
	/** Method: gradient saliency. */
	public static final String SALIENCY = "saliency";
	/** Method: occlusion sensitivity. */
	public static final String OCCLUSION = "occlusion";
	/** The methods, as the dialog and the macro key {@code method} offer them. */
	public static final List<String> METHODS = List.of(GRAD_CAM, SALIENCY, OCCLUSION);
	/** Name of the heat-map overlay item. */
	public static final String HEATMAP_NAME = "MedCNN explanation";
	/** Name of the colour bar and its labels. */
	public static final String SCALE_NAME = "MedCNN explanation scale";

	private static final float AIR_HU = -1000f;
	/** Most opaque heat-map alpha (of 255), for the highest values. */
	private static final int MAX_ALPHA = 190;
	/** Share of the map's range, from its minimum, drawn fully transparent so that the image shows through. */
	private static final double TRANSPARENT_BELOW = 0.25;

	private ExplainTool() {}

	/**
	 * An explanation: the prediction, the method, and the map ({@code width × height}, row-major) whose pixel
	 * (0, 0) lies on image pixel ({@code region.x}, {@code region.y}); {@code region} may extend beyond the image.
	 */
	public record Explanation(Classification classification, String method, float[] map, Rectangle region) {

		/** The largest map value. */
		public double max() {
			double m = Double.NEGATIVE_INFINITY;
			for (float v : map) m = Math.max(m, v);
			return m;
		}

		/** The smallest map value. */
		public double min() {
			double m = Double.POSITIVE_INFINITY;
			for (float v : map) m = Math.min(m, v);
			return m;
		}

		/** The image pixel {x, y} where the map is largest (the first one in row order). */
		public int[] argmax() {
			int best = 0;
			for (int i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
			return new int[] {region.x + best % region.width, region.y + best / region.width};
		}
	}

	/**
	 * Classifies stack slice {@code slice} (1-based) like {@link ClassifyRiskTool#classify} and explains the
	 * predicted class with {@code method}.
	 *
	 * @throws IllegalArgumentException for an unknown method, or an image that cannot be converted
	 * @throws UnsupportedOperationException when the classifier cannot compute gradients ({@value #SALIENCY}), or
	 *         has no convolutional layer ({@value #GRAD_CAM}; the message suggests {@value #SALIENCY})
	 */
	public static Explanation explain(Classifier classifier, ImagePlus imp, int slice, String method) {
		if (!METHODS.contains(method))
			throw new IllegalArgumentException("method must be one of " + METHODS + ", not \"" + method + "\"");
		Volume v = IjVolumes.toVolume(imp, slice);
		Rectangle region = new Rectangle(0, 0, imp.getWidth(), imp.getHeight());
		Roi roi = imp.getRoi();
		int size = classifier.card().inputSize();
		if (roi != null && roi.isArea() && size > 0) {
			Rectangle b = roi.getBounds();
			int cx = b.x + b.width / 2, cy = b.y + b.height / 2;
			v = Volumes.crop2d(v, 0, cx, cy, size, AIR_HU);
			region = new Rectangle(cx - size / 2, cy - size / 2, size, size);
		}
		Classification c = classifier.classify(v);
		float[] map;
		if (GRAD_CAM.equals(method)) {
			int s = size > 0 ? size : v.geometry().nx();
			map = scaleToOne(Inputs.resizeBilinear(classifier.gradCam(v, c.classIndex()), s, s, region.width, region.height));
		} else if (SALIENCY.equals(method)) {
			int s = size > 0 ? size : v.geometry().nx();
			map = Inputs.resizeBilinear(smooth(classifier.saliency(v, c.classIndex()), s), s, s, region.width, region.height);
		} else {
			map = occlusion(classifier, v, c);
		}
		return new Explanation(c, method, map, region);
	}

	/** Divides by the maximum (when positive), so that a map of non-negative values spans [0, 1] on the image too. */
	private static float[] scaleToOne(float[] map) {
		float max = 0;
		for (float f : map) max = Math.max(max, f);
		if (max > 0) for (int i = 0; i < map.length; i++) map[i] /= max;
		return map;
	}

	/**
	 * The method used when none is given: {@value #GRAD_CAM} for a CNN classifier, {@value #SALIENCY} for the
	 * others (the MLP has no feature map).
	 */
	public static String defaultMethod(org.medcnn.nn.ModelCard card) {
		return "mlp".equals(card.architecture()) ? SALIENCY : GRAD_CAM;
	}

	/**
	 * Gaussian smoothing of an {@code s × s} gradient map, σ = {@code 1.5 s / 32} pixels: raw gradients peak on
	 * the edges of the structures the network looks at; smoothed, they peak on the structures.
	 */
	static float[] smooth(float[] map, int s) {
		FloatProcessor fp = new FloatProcessor(s, s, map.clone());
		new GaussianBlur().blurGaussian(fp, Math.max(1, 1.5 * s / 32.0));
		return (float[]) fp.getPixels();
	}

	/**
	 * Occlusion sensitivity on the volume's grid: patches of an eighth of the smaller side (at least 2 pixels),
	 * stride half a patch, filled with the mean value; the map holds the mean drop of the predicted class's
	 * log-odds {@code log(p / (1 − p))} (which, unlike p, still moves when the prediction is saturated near 1),
	 * negative values (occlusion made the class more likely) clipped to 0.
	 */
	static float[] occlusion(Classifier classifier, Volume v, Classification base) {
		int nx = v.geometry().nx(), ny = v.geometry().ny();
		float[] src = Inputs.representativeSlice(v);
		int patch = Math.max(2, Math.min(nx, ny) / 8), stride = Math.max(1, patch / 2);
		double mean = 0;
		for (float f : src) mean += f;
		mean /= src.length;
		double p0 = logOdds(base.probabilities()[base.classIndex()]);
		float[] sum = new float[nx * ny];
		int[] count = new int[nx * ny];
		Volume one = Volumes.slice(v, v.geometry().nz() == 1 ? 0 : v.geometry().nz() / 2);
		for (int y0 = 0; y0 < ny; y0 += stride)
			for (int x0 = 0; x0 < nx; x0 += stride) {
				float[] occ = src.clone();
				int x1 = Math.min(nx, x0 + patch), y1 = Math.min(ny, y0 + patch);
				for (int y = y0; y < y1; y++)
					for (int x = x0; x < x1; x++) occ[y * nx + x] = (float) mean;
				double p = logOdds(classifier.classify(new Volume(one.geometry(), occ, one.modality(), one.sliceLabels()))
					.probabilities()[base.classIndex()]);
				float drop = (float) Math.max(0, p0 - p);
				for (int y = y0; y < y1; y++)
					for (int x = x0; x < x1; x++) {
						sum[y * nx + x] += drop;
						count[y * nx + x]++;
					}
			}
		for (int i = 0; i < sum.length; i++) sum[i] = count[i] > 0 ? sum[i] / count[i] : 0;
		return sum;
	}

	private static double logOdds(double p) {
		double q = Math.max(1e-9, Math.min(1 - 1e-9, p));
		return Math.log(q / (1 - q));
	}

	/**
	 * Shows the explanation on stack slice {@code slice}: the heat map (ImageJ's "fire" colours; the lowest
	 * quarter of the range transparent, then more opaque with the value) and a colour bar at the right edge labelled with the map's minimum and maximum.
	 * Replaces an earlier explanation of that slice.
	 *
	 * @return the heat-map overlay item
	 */
	public static ImageRoi annotate(ImagePlus imp, Explanation e, int slice) {
		IndexColorModel lut = fire();
		double min = e.min(), max = e.max(), range = max > min ? max - min : 1;
		Rectangle r = e.region();
		BufferedImage heat = new BufferedImage(r.width, r.height, BufferedImage.TYPE_INT_ARGB);
		for (int y = 0; y < r.height; y++)
			for (int x = 0; x < r.width; x++) {
				double t = (e.map()[y * r.width + x] - min) / range;
				double a = (t - TRANSPARENT_BELOW) / (1 - TRANSPARENT_BELOW);
				heat.setRGB(x, y, argb(lut, t, a > 0 ? (int) Math.round(MAX_ALPHA * a) : 0));
			}
		ImageRoi heatRoi = new ImageRoi(r.x, r.y, heat);
		heatRoi.setName(HEATMAP_NAME);

		int barH = Math.max(8, imp.getHeight() / 3), barW = Math.max(3, imp.getWidth() / 40);
		int barX = imp.getWidth() - barW - 2, barY = Math.max(2, imp.getHeight() / 6);
		BufferedImage bar = new BufferedImage(barW, barH, BufferedImage.TYPE_INT_ARGB);
		for (int y = 0; y < barH; y++)
			for (int x = 0; x < barW; x++) bar.setRGB(x, y, argb(lut, 1 - y / (double) Math.max(1, barH - 1), 255));
		ImageRoi barRoi = new ImageRoi(barX, barY, bar);
		barRoi.setName(SCALE_NAME);
		int fontSize = Math.max(6, Math.min(14, imp.getHeight() / 20));
		Font font = new Font("SansSerif", Font.PLAIN, fontSize);
		TextRoi maxLabel = label(format(max), barX, barY - fontSize - 2, font, imp.getWidth());
		TextRoi minLabel = label(format(min), barX, barY + barH + 1, font, imp.getWidth());

		Overlay overlay = imp.getOverlay();
		if (overlay == null) overlay = new Overlay();
		for (Roi old : overlay.toArray())
			if ((HEATMAP_NAME.equals(old.getName()) || SCALE_NAME.equals(old.getName()))
				&& (old.getPosition() == 0 || old.getPosition() == slice)) overlay.remove(old);
		for (Roi item : new Roi[] {heatRoi, barRoi, maxLabel, minLabel}) {
			if (imp.getStackSize() > 1) item.setPosition(slice);
			overlay.add(item);
		}
		imp.setOverlay(overlay);
		return heatRoi;
	}

	/** "Explained low (0.93) by saliency": for the status bar. */
	public static String summary(Explanation e) {
		return String.format(Locale.ROOT, "%s (%.2f) explained by %s", e.classification().className(),
			e.classification().confidence(), e.method());
	}

	private static TextRoi label(String text, int barX, int y, Font font, int imageWidth) {
		int w = (int) Math.ceil(0.6 * font.getSize() * text.length());
		TextRoi t = new TextRoi(Math.max(0, Math.min(barX, imageWidth - w - 1)), Math.max(0, y), text, font);
		t.setStrokeColor(Color.WHITE);
		t.setName(SCALE_NAME);
		return t;
	}

	private static String format(double v) {
		return Math.abs(v) >= 0.01 || v == 0 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.1e", v);
	}

	private static int argb(IndexColorModel lut, double t, int alpha) {
		int i = (int) Math.round(Math.max(0, Math.min(1, t)) * 255);
		return (Math.max(0, Math.min(255, alpha)) << 24) | (lut.getRed(i) << 16) | (lut.getGreen(i) << 8) | lut.getBlue(i);
	}

	/** ImageJ's "fire" lookup table (built in, no file needed). */
	static IndexColorModel fire() {
		return LutLoader.getLut("fire");
	}
}
