package org.medcnn.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medcnn.volume.Intensities;

/**
 * How real-world voxel values become network input. One of four schemes, chosen from the training data's
 * {@link Fingerprint} (or by the user) and recorded in the model card, so that training, validation and every
 * consumer of the package apply the same mapping:
 * <ul>
 * <li>{@link Window} ({@code window}): {@code clip((x − (c − w/2)) / w, 0, 1)}, a display-style HU window; what
 * every package of card format 1 used (a CT soft-tissue window 40/400).</li>
 * <li>{@link CtClip} ({@code ct}): Hounsfield units are absolute, so one mapping fits every CT: clip to the
 * training set's 0.5–99.5 percentiles of its body and lesion voxels, then z-score with that set's mean and standard
 * deviation (of the clipped values).</li>
 * <li>{@link ZScore} ({@code zscore}): for MR and everything without absolute units, a z-score per image over its
 * body voxels ({@link Intensities#bodyThreshold}), so that a global scale and offset change nothing.</li>
 * <li>{@link Identity} ({@code none}): the values as they are.</li>
 * </ul>
 * A scheme is resolved per image with {@link #forImage}; the resulting {@link IntensityMap} maps NaN to 0.
 * Immutable and thread-safe.
 */
public sealed interface Normalisation permits Normalisation.Window, Normalisation.CtClip, Normalisation.ZScore,
	Normalisation.Identity {

	String WINDOW = "window", CT = "ct", ZSCORE = "zscore", NONE = "none";
	/** The schemes a user may ask for ({@code auto} lets the fingerprint choose). */
	List<String> SCHEMES = List.of("auto", CT, ZSCORE, WINDOW, NONE);

	/** The scheme's keyword. */
	String scheme();

	/** The mapping for one image (per-image statistics are computed here for {@link ZScore}). */
	IntensityMap forImage(float[] voxels, String modality);

	/** The card record {@code input.normalisation}: the scheme, its parameters and its formula. */
	Map<String, Object> cardRecord();

	/** One line for logs, e.g. {@code z-score per image over its body voxels}. */
	String describe();

	/**
	 * The bioimage.io preprocessing steps that reproduce the mapping on real-world values (deepImageJ and JDLL run
	 * them); for {@link ZScore} the closest bioimage.io has ({@code zero_mean_unit_variance} over the space axes of
	 * each channel of the input tensor), as bioimage.io cannot restrict statistics to the body.
	 *
	 * @param spaceAxes the input tensor's space axes, e.g. {@code [y, x]} or {@code [z, y, x]}
	 */
	List<Map<String, Object>> rdfPreprocessing(List<String> spaceAxes);

	/** Applies {@link #forImage} to all of {@code voxels}: a new array. */
	default float[] apply(float[] voxels, String modality) {
		return forImage(voxels, modality).apply(voxels);
	}

	/**
	 * A resolved mapping {@code y = (clamp(x, low, high) − shift) / divisor}, NaN → 0; with {@code windowOutput} the
	 * window arithmetic of card format 1 instead, bit for bit: {@code y = clamp((x − shift) / divisor, 0, 1)}.
	 */
	record IntensityMap(double low, double high, double shift, double divisor, boolean windowOutput) {

		/** The mapped values of {@code x}: a new array. */
		public float[] apply(float[] x) {
			float[] out = new float[x.length];
			apply(x, 0, out, 0, x.length);
			return out;
		}

		/** Maps {@code n} values of {@code src} from {@code from} into {@code dst} at {@code to}. */
		public void apply(float[] src, int from, float[] dst, int to, int n) {
			if (windowOutput) {
				for (int i = 0; i < n; i++) {
					double v = (src[from + i] - shift) / divisor;
					dst[to + i] = v > 0 ? (v < 1 ? (float) v : 1f) : 0f; // NaN fails v > 0 and lands on 0
				}
				return;
			}
			for (int i = 0; i < n; i++) {
				float x = src[from + i];
				if (Float.isNaN(x)) {
					dst[to + i] = 0;
					continue;
				}
				double c = x < low ? low : x > high ? high : x;
				dst[to + i] = (float) ((c - shift) / divisor);
			}
		}

		/** The input value that maps to {@code y} (the inverse of the unclipped map), e.g. to pad in real-world units. */
		public double inverse(double y) {
			return shift + y * divisor;
		}
	}

	/** A display-style window mapped to [0, 1]: {@code clip((x − (center − width/2)) / width, 0, 1)}. */
	record Window(double centerHu, double widthHu) implements Normalisation {

		public Window {
			if (!Double.isFinite(centerHu))
				throw new IllegalArgumentException("windowCenterHu = " + centerHu + " must be a finite number");
			if (!(widthHu > 0) || !Double.isFinite(widthHu))
				throw new IllegalArgumentException("windowWidthHu = " + widthHu + " is out of range: allowed (0, ∞)");
		}

		@Override
		public String scheme() {
			return WINDOW;
		}

		@Override
		public IntensityMap forImage(float[] voxels, String modality) {
			double lo = centerHu - widthHu / 2;
			return new IntensityMap(lo, lo + widthHu, lo, widthHu, true);
		}

		@Override
		public Map<String, Object> cardRecord() {
			Map<String, Object> m = record(WINDOW);
			m.put("centerHu", centerHu);
			m.put("widthHu", widthHu);
			m.put("formula", "clip((x - (centerHu - widthHu / 2)) / widthHu, 0, 1)");
			return m;
		}

		@Override
		public String describe() {
			return String.format(Locale.ROOT, "window %s/%s mapped to [0, 1]", fmt(centerHu), fmt(widthHu));
		}

		@Override
		public List<Map<String, Object>> rdfPreprocessing(List<String> spaceAxes) {
			double lo = centerHu - widthHu / 2;
			return List.of(op("clip", kwargs("min", lo, "max", centerHu + widthHu / 2)),
				op("scale_linear", kwargs("gain", 1 / widthHu, "offset", -lo / widthHu)));
		}
	}

	/** CT: clip to the training set's percentiles, then z-score with its statistics. */
	record CtClip(double clipLowHu, double clipHighHu, double meanHu, double stdHu) implements Normalisation {

		public CtClip {
			if (!Double.isFinite(clipLowHu) || !Double.isFinite(clipHighHu) || !(clipHighHu > clipLowHu))
				throw new IllegalArgumentException("CT clip range [" + clipLowHu + ", " + clipHighHu + "] HU must be finite and"
					+ " not empty");
			if (!Double.isFinite(meanHu)) throw new IllegalArgumentException("meanHu = " + meanHu + " must be finite");
			if (!(stdHu > 0) || !Double.isFinite(stdHu))
				throw new IllegalArgumentException("stdHu = " + stdHu + " is out of range: allowed (0, ∞)");
		}

		@Override
		public String scheme() {
			return CT;
		}

		@Override
		public IntensityMap forImage(float[] voxels, String modality) {
			return new IntensityMap(clipLowHu, clipHighHu, meanHu, stdHu, false);
		}

		@Override
		public Map<String, Object> cardRecord() {
			Map<String, Object> m = record(CT);
			m.put("clipLowHu", clipLowHu);
			m.put("clipHighHu", clipHighHu);
			m.put("meanHu", meanHu);
			m.put("stdHu", stdHu);
			m.put("formula", "(clip(x, clipLowHu, clipHighHu) - meanHu) / stdHu");
			m.put("statistics", "0.5 and 99.5 percentiles, mean and standard deviation of the training set's body and"
				+ " lesion voxels (the mean and standard deviation after clipping)");
			return m;
		}

		@Override
		public String describe() {
			return String.format(Locale.ROOT, "CT: clip to [%s, %s] HU, then (x - %s) / %s", fmt(clipLowHu), fmt(clipHighHu),
				fmt(meanHu), fmt(stdHu));
		}

		@Override
		public List<Map<String, Object>> rdfPreprocessing(List<String> spaceAxes) {
			return List.of(op("clip", kwargs("min", clipLowHu, "max", clipHighHu)),
				op("scale_linear", kwargs("gain", 1 / stdHu, "offset", -meanHu / stdHu)));
		}
	}

	/** A z-score per image over its body voxels. */
	record ZScore() implements Normalisation {

		/** Standard deviations below this (a constant image) count as 1. */
		public static final double MIN_STD = 1e-6;

		@Override
		public String scheme() {
			return ZSCORE;
		}

		@Override
		public IntensityMap forImage(float[] voxels, String modality) {
			double[] ms = Intensities.meanStd(Intensities.bodyValues(voxels, modality, Intensities.MAX_SAMPLE));
			double mean = Double.isNaN(ms[0]) ? 0 : ms[0], std = ms[1] > MIN_STD * Math.max(1, Math.abs(mean)) ? ms[1] : 1;
			return new IntensityMap(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, mean, std, false);
		}

		@Override
		public Map<String, Object> cardRecord() {
			Map<String, Object> m = record(ZSCORE);
			m.put("formula", "(x - mean(body)) / std(body), per image");
			m.put("body", "CT: voxels above " + Intensities.CT_BODY_THRESHOLD_HU + " HU; other modalities: voxels above p0.1 + "
				+ Intensities.BODY_FRACTION + " × (p99 - p0.1) of the image; the whole image when that leaves under "
				+ Intensities.MIN_BODY_FRACTION * 100 + " % or over " + Intensities.MAX_BODY_FRACTION * 100 + " % as body");
			return m;
		}

		@Override
		public String describe() {
			return "z-score per image over its body voxels";
		}

		@Override
		public List<Map<String, Object>> rdfPreprocessing(List<String> spaceAxes) {
			Map<String, Object> kw = new LinkedHashMap<>();
			kw.put("axes", List.copyOf(spaceAxes));
			kw.put("eps", BioImageIo.ZMUV_EPS);
			return List.of(op("zero_mean_unit_variance", kw));
		}
	}

	/** No normalisation. */
	record Identity() implements Normalisation {

		@Override
		public String scheme() {
			return NONE;
		}

		@Override
		public IntensityMap forImage(float[] voxels, String modality) {
			return new IntensityMap(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 1, false);
		}

		@Override
		public Map<String, Object> cardRecord() {
			Map<String, Object> m = record(NONE);
			m.put("formula", "x");
			return m;
		}

		@Override
		public String describe() {
			return "none (real-world values as they are)";
		}

		@Override
		public List<Map<String, Object>> rdfPreprocessing(List<String> spaceAxes) {
			return List.of();
		}
	}

	/** A window: the normalisation of card format 1 packages and of explicit window requests. */
	static Window window(double centerHu, double widthHu) {
		return new Window(centerHu, widthHu);
	}

	/**
	 * Reads {@code input.normalisation} of a card of format 2 or later (public as interface members are; callers use
	 * {@link ModelCard#preprocessing()}).
	 *
	 * @throws IllegalArgumentException naming the field when it is missing, of an unknown scheme or out of range
	 */
	static Normalisation fromCard(Object record) {
		if (!(record instanceof Map<?, ?> m)) throw new IllegalArgumentException("input.normalisation is missing or not an object");
		Object s = m.get("scheme");
		if (!(s instanceof String scheme)) throw new IllegalArgumentException("input.normalisation.scheme is missing");
		return switch (scheme) {
			case WINDOW -> new Window(number(m, "centerHu"), number(m, "widthHu"));
			case CT -> new CtClip(number(m, "clipLowHu"), number(m, "clipHighHu"), number(m, "meanHu"), number(m, "stdHu"));
			case ZSCORE -> new ZScore();
			case NONE -> new Identity();
			default -> throw new IllegalArgumentException("input.normalisation.scheme is \"" + scheme + "\": expected one of "
				+ List.of(CT, ZSCORE, WINDOW, NONE));
		};
	}

	private static double number(Map<?, ?> m, String key) {
		if (!(m.get(key) instanceof Number n) || !Double.isFinite(n.doubleValue()))
			throw new IllegalArgumentException("input.normalisation." + key + " is missing or not a finite number");
		return n.doubleValue();
	}

	private static Map<String, Object> record(String scheme) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("scheme", scheme);
		return m;
	}

	private static Map<String, Object> op(String id, Map<String, Object> kwargs) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", id);
		m.put("kwargs", kwargs);
		return m;
	}

	private static Map<String, Object> kwargs(String k1, Object v1, String k2, Object v2) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put(k1, v1);
		m.put(k2, v2);
		return m;
	}

	private static String fmt(double v) {
		return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v);
	}
}
