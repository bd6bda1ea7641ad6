package org.medcnn.nn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.medcnn.common.Json;

/**
 * The parsed {@code medcnn.json} of a model package (see DESIGN.md "Model package").
 * <p>
 * {@link #json()} is the whole card as parsed by {@link Json} (read-only view); the typed getters read the
 * fields that prediction needs and were validated by {@link #parse}. Immutable.
 *
 * @param formatVersion card format version, {@value #FORMAT_VERSION} for this release
 * @param task {@value #SEGMENTATION} or {@value #CLASSIFICATION}
 * @param name model name
 * @param classNames class names in output order ({@code [background, lesion]} for a segmenter)
 * @param json the full card
 */
public record ModelCard(String formatVersion, String task, String name, List<String> classNames,
	Map<String, Object> json) {

	/**
	 * The card format this release writes: 2 (a normalisation chosen from the dataset fingerprint, a target spacing).
	 * Format 1 (a fixed HU window, no resampling) is still read, and such packages predict as they always did.
	 */
	public static final String FORMAT_VERSION = "2";
	/** Card formats this release reads. */
	public static final List<String> READABLE_FORMATS = List.of("1", "2");
	public static final String SEGMENTATION = "segmentation";
	public static final String CLASSIFICATION = "classification";
	/** File name of the card inside a package. */
	public static final String FILE_NAME = "medcnn.json";
	/** Architecture types MedCNN trains and runs. */
	public static final List<String> ARCHITECTURES = List.of("unet2d", "unet3d", "cnn", "mlp");
	/** Largest size multiple (2^(depth − 1) of the deepest U-Net MedCNN builds, with room). */
	static final int MAX_SIZE_MULTIPLE = 64;

	public ModelCard {
		classNames = List.copyOf(classNames);
		json = Collections.unmodifiableMap(json);
	}

	/**
	 * Parses and validates a card: every field that prediction reads is checked here (types, ranges, consistency),
	 * so that a damaged or hostile card is refused with a message instead of producing nonsense.
	 *
	 * @param pkg the package, for messages
	 * @throws ModelFormatException naming the package and field when the JSON is malformed, the format version is
	 *         not one of {@link #READABLE_FORMATS}, the task or architecture is unknown, or the input spec is missing
	 *         a field or holds a value out of range
	 */
	public static ModelCard parse(String text, Path pkg) throws ModelFormatException {
		Map<String, Object> m;
		try {
			m = Json.asObject(Json.parse(text), FILE_NAME);
		} catch (IllegalArgumentException e) {
			throw new ModelFormatException(pkg, FILE_NAME + " is not valid JSON: " + e.getMessage(), e);
		}
		Object fv = m.get("formatVersion");
		if (fv == null) throw new ModelFormatException(pkg, "formatVersion", "is missing");
		String version = String.valueOf(fv);
		if (fv instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) version = Long.toString(n.longValue());
		if (!READABLE_FORMATS.contains(version))
			throw new ModelFormatException(pkg, "formatVersion", "is \"" + version + "\" but this MedCNN reads only format"
				+ (READABLE_FORMATS.size() > 1 ? "s " : " ") + READABLE_FORMATS.stream().map(v -> "\"" + v + "\"").toList());
		String task = string(m, "task", pkg);
		if (!task.equals(SEGMENTATION) && !task.equals(CLASSIFICATION))
			throw new ModelFormatException(pkg, "task", "is \"" + task + "\": expected \"" + SEGMENTATION + "\" or \""
				+ CLASSIFICATION + "\"");
		String name = m.get("name") instanceof String s ? s : pkg.getFileName().toString();
		List<String> classes = new ArrayList<>();
		Object cn = m.get("classNames");
		if (cn instanceof List<?> l) {
			for (Object o : l) {
				if (!(o instanceof String s)) throw new ModelFormatException(pkg, "classNames", "must hold strings");
				classes.add(s);
			}
		} else if (cn != null) {
			throw new ModelFormatException(pkg, "classNames", "must be an array of strings");
		}
		if (task.equals(CLASSIFICATION) && (classes.size() < 2 || classes.size() > 1000))
			throw new ModelFormatException(pkg, "classNames", "must name 2…1000 classes for a classifier, not " + classes.size());
		String arch = m.get("architecture") instanceof Map<?, ?> a && a.get("type") instanceof String t ? t : null;
		if (arch == null) throw new ModelFormatException(pkg, "architecture.type", "is missing");
		if (!ARCHITECTURES.contains(arch))
			throw new ModelFormatException(pkg, "architecture.type", "is \"" + arch + "\": MedCNN runs " + ARCHITECTURES);
		boolean segArch = arch.startsWith("unet");
		if (segArch != task.equals(SEGMENTATION))
			throw new ModelFormatException(pkg, "architecture.type", "is \"" + arch + "\", which is not a " + task + " model");
		if (!(m.get("input") instanceof Map<?, ?> input))
			throw new ModelFormatException(pkg, "input", "is missing or not an object");
		if (version.equals("1")) {
			double c = finite(input, "windowCenterHu", pkg), w = finite(input, "windowWidthHu", pkg);
			if (!(w > 0)) throw new ModelFormatException(pkg, "input.windowWidthHu", "is " + w + ": it must be > 0");
			if (Math.abs(c) > MAX_ABS_HU || w > MAX_WIDTH_HU)
				throw new ModelFormatException(pkg, "input.windowCenterHu", "and windowWidthHu " + c + "/" + w + " are absurd");
			plausible(pkg, "input.windowWidthHu", w, MIN_WIDTH_HU, MAX_WIDTH_HU, WIDTH_WHY);
		} else {
			Normalisation n;
			try {
				n = Normalisation.fromCard(input.get("normalisation"));
			} catch (IllegalArgumentException e) {
				throw new ModelFormatException(pkg, "input.normalisation", "is invalid: " + e.getMessage());
			}
			plausible(pkg, n);
			try {
				targetSpacing(input);
			} catch (IllegalArgumentException e) {
				throw new ModelFormatException(pkg, "input.targetSpacingMm", "is " + input.get("targetSpacingMm") + ": "
					+ e.getMessage());
			}
		}
		if (task.equals(CLASSIFICATION)) {
			int s = whole(input, "inputSize", pkg);
			if (s < 8 || s > 1024) throw new ModelFormatException(pkg, "input.inputSize", "is " + s + ": allowed 8…1024");
		} else {
			int sm = whole(input, "sizeMultiple", pkg);
			if (sm < 1 || sm > MAX_SIZE_MULTIPLE || Integer.bitCount(sm) != 1)
				throw new ModelFormatException(pkg, "input.sizeMultiple", "is " + sm + ": expected a power of two 1…"
					+ MAX_SIZE_MULTIPLE);
		}
		Object ch = input.get("channels");
		if (ch != null && !(ch instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() % 2 == 1
			&& n.doubleValue() <= 2 * SegmenterConfig.MAX_CONTEXT + 1))
			throw new ModelFormatException(pkg, "input.channels", "is " + ch + ": expected an odd whole number 1…"
				+ (2 * SegmenterConfig.MAX_CONTEXT + 1) + " (the slice and its neighbours on either side)");
		if (ch instanceof Number n && n.intValue() > 1 && (!task.equals(SEGMENTATION) || input.get("patchZyx") != null))
			throw new ModelFormatException(pkg, "input.channels", "is " + n.intValue()
				+ ": several channels (neighbouring slices) are supported by 2D segmenters only");
		if (arch.equals("unet3d")) {
			if (!(input.get("patchZyx") instanceof List<?> p && p.size() == 3 && p.stream().allMatch(
				o -> o instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() <= 512 && n.doubleValue() == Math.rint(n.doubleValue()))))
				throw new ModelFormatException(pkg, "input.patchZyx", "is missing or not 3 whole numbers 1…512 {z, y, x}");
			if (input.get("zMultiple") != null) {
				int zm = whole(input, "zMultiple", pkg);
				if (zm < 1 || zm > MAX_SIZE_MULTIPLE || Integer.bitCount(zm) != 1)
					throw new ModelFormatException(pkg, "input.zMultiple", "is " + zm + ": expected a power of two 1…"
						+ MAX_SIZE_MULTIPLE);
			}
		} else if (input.get("patchZyx") != null) {
			throw new ModelFormatException(pkg, "input.patchZyx", "is set, but only a unet3d has a patch size");
		}
		if (m.get("calibration") instanceof Map<?, ?> cal && cal.get("temperature") != null
			&& !(cal.get("temperature") instanceof Number t && t.doubleValue() > 0 && t.doubleValue() <= 1e3))
			throw new ModelFormatException(pkg, "calibration.temperature", "is " + cal.get("temperature") + ": allowed (0, 1000]");
		return new ModelCard(version, task, name, classes, m);
	}

	/** Largest magnitude of a value in HU a card may hold (format 1 had the same bound). */
	static final double MAX_ABS_HU = 1e6;
	/** Window widths a card may hold (HU): a narrower window makes the input a threshold. */
	static final double MIN_WIDTH_HU = 1, MAX_WIDTH_HU = 1e7;
	private static final String WIDTH_WHY = "a window narrower than 1 HU turns the input into a threshold";
	/** Narrowest CT clip range (HU): a narrower one makes the input a threshold. */
	static final double MIN_CLIP_WIDTH_HU = 1;
	/** Most extreme CT clip bound (HU): beyond what 16-bit CT pixels with their rescale reach. */
	static final double MAX_CT_HU = 1e5;
	/** Smallest standard deviation of a CT normalisation (HU): real training sets have tens to hundreds. */
	static final double MIN_STD_HU = 0.1;

	/**
	 * Refuses finite but absurd normalisation values (a card edited by hand or by an attacker), naming the field and the
	 * value: they make every prediction silently wrong (a near-zero width or standard deviation thresholds the input, a
	 * clip bound of 1e308 ignores clipping). Plausible but changed values (a clip bound of 0.5 HU) are caught when the
	 * package is opened: its test input, normalised by the card, no longer gives its test output ({@link TestTensors}).
	 */
	private static void plausible(Path pkg, Normalisation n) throws ModelFormatException {
		String f = "input.normalisation.";
		if (n instanceof Normalisation.Window w) {
			plausible(pkg, f + "centerHu", w.centerHu(), -MAX_ABS_HU, MAX_ABS_HU, "a value in HU");
			plausible(pkg, f + "widthHu", w.widthHu(), MIN_WIDTH_HU, MAX_WIDTH_HU, WIDTH_WHY);
		} else if (n instanceof Normalisation.CtClip c) {
			plausible(pkg, f + "clipLowHu", c.clipLowHu(), -MAX_CT_HU, MAX_CT_HU, "CT values lie within ±" + MAX_CT_HU + " HU");
			plausible(pkg, f + "clipHighHu", c.clipHighHu(), c.clipLowHu() + MIN_CLIP_WIDTH_HU, MAX_CT_HU, "the clip range must"
				+ " be at least " + MIN_CLIP_WIDTH_HU + " HU wide (a narrower one thresholds the input) and within ±" + MAX_CT_HU
				+ " HU");
			plausible(pkg, f + "meanHu", c.meanHu(), c.clipLowHu(), c.clipHighHu(), "the mean of values clipped to [clipLowHu,"
				+ " clipHighHu] lies within it");
			plausible(pkg, f + "stdHu", c.stdHu(), MIN_STD_HU, c.clipHighHu() - c.clipLowHu(), "the standard deviation of values"
				+ " clipped to [clipLowHu, clipHighHu] is at most its width, and a smaller one than " + MIN_STD_HU
				+ " HU makes the input overflow");
		}
	}

	private static void plausible(Path pkg, String field, double v, double min, double max, String why)
		throws ModelFormatException {
		if (!(v >= min && v <= max))
			throw new ModelFormatException(pkg, field, "is " + v + ": allowed " + min + " … " + max + " (" + why + ")");
	}

	private static double finite(Map<?, ?> input, String key, Path pkg) throws ModelFormatException {
		if (!(input.get(key) instanceof Number n) || !Double.isFinite(n.doubleValue()))
			throw new ModelFormatException(pkg, "input." + key, "is missing or not a finite number");
		return n.doubleValue();
	}

	private static int whole(Map<?, ?> input, String key, Path pkg) throws ModelFormatException {
		double v = finite(input, key, pkg);
		if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE)
			throw new ModelFormatException(pkg, "input." + key, "is " + v + ": expected a whole number");
		return (int) v;
	}

	/** Target spacings a card may hold (mm): finer than CT or MR are acquired would only multiply the voxels. */
	static final double MIN_SPACING_MM = 0.05, MAX_SPACING_MM = 100;

	/**
	 * {@code input.targetSpacingMm} of a format-2 card: 3 entries, each null (axis kept) or a spacing in
	 * [{@value #MIN_SPACING_MM}, {@value #MAX_SPACING_MM}] mm.
	 */
	private static double[] targetSpacing(Map<?, ?> input) {
		Object t = input.get("targetSpacingMm");
		double[] out = {Double.NaN, Double.NaN, Double.NaN};
		if (t == null) return out;
		if (!(t instanceof List<?> l) || l.size() != 3)
			throw new IllegalArgumentException("expected 3 entries {x, y, z} (null keeps an axis)");
		for (int i = 0; i < 3; i++) {
			Object o = l.get(i);
			if (o == null) continue;
			if (!(o instanceof Number n) || !(n.doubleValue() >= MIN_SPACING_MM && n.doubleValue() <= MAX_SPACING_MM))
				throw new IllegalArgumentException("entry " + i + " (" + "xyz".charAt(i) + ") is " + o + ": allowed "
					+ MIN_SPACING_MM + " … " + MAX_SPACING_MM + " mm, or null to keep the image's spacing");
			out[i] = n.doubleValue();
		}
		return out;
	}

	private static String string(Map<String, Object> m, String key, Path pkg) throws ModelFormatException {
		Object v = m.get(key);
		if (!(v instanceof String s)) throw new ModelFormatException(pkg, key, v == null ? "is missing" : "must be a string");
		return s;
	}

	/** The input spec object. */
	@SuppressWarnings("unchecked")
	public Map<String, Object> input() {
		return (Map<String, Object>) json.get("input");
	}

	/**
	 * What the network expects: the intensity normalisation and the target spacing. A card of format 1 has its HU
	 * window and no resampling.
	 */
	public Preprocessing preprocessing() {
		Map<String, Object> in = input();
		if (formatVersion.equals("1"))
			return Preprocessing.window(((Number) in.get("windowCenterHu")).doubleValue(),
				((Number) in.get("windowWidthHu")).doubleValue());
		return new Preprocessing(Normalisation.fromCard(in.get("normalisation")), targetSpacing(in), null);
	}

	/**
	 * The HU window for pictures of this model's inputs (overlays, covers) as {center, width}: the card's window for a
	 * windowed model, {@code input.displayWindow} when the card has one, else null (choose one per image).
	 */
	public double[] displayWindow() {
		if (preprocessing().normalisation() instanceof Normalisation.Window w) return new double[] {w.centerHu(), w.widthHu()};
		if (input().get("displayWindow") instanceof Map<?, ?> d && d.get("centerHu") instanceof Number c
			&& d.get("widthHu") instanceof Number w && w.doubleValue() > 0)
			return new double[] {c.doubleValue(), w.doubleValue()};
		return null;
	}

	/**
	 * For a classifier, the side (mm) of the lesion-centred crop its items are ({@code input.cropMm}), or 0 when it
	 * classifies whole images or slices (also for cards that do not say).
	 */
	public double cropMm() {
		return input().get("cropMm") instanceof Number n && n.doubleValue() > 0 ? n.doubleValue() : 0;
	}

	/** Square input side of a classifier; 0 for a segmenter (any size that is a multiple of {@link #sizeMultiple()}). */
	public int inputSize() {
		return input().get("inputSize") instanceof Number n ? n.intValue() : 0;
	}

	/** Slices are padded to a multiple of this (segmenter); 1 for a classifier. */
	public int sizeMultiple() {
		return input().get("sizeMultiple") instanceof Number n ? n.intValue() : 1;
	}

	/**
	 * The patch size {z, y, x} of a 3D segmenter ({@code input.patchZyx}), or null for 2D models. A fresh array.
	 */
	public int[] patchZyx() {
		if (!(input().get("patchZyx") instanceof List<?> l) || l.size() != 3) return null;
		int[] p = new int[3];
		for (int i = 0; i < 3; i++) {
			if (!(l.get(i) instanceof Number n)) return null;
			p[i] = n.intValue();
		}
		return p;
	}

	/** 3 for a 3D segmenter (one with a patch size), else 2. */
	public int dims() {
		return patchZyx() != null ? 3 : 2;
	}

	/**
	 * Input channels ({@code input.channels}): 1, or for a 2.5D segmenter {@code 2 · context + 1} (the slice and its
	 * neighbours on either side, in slice order). Cards without the field (older packages) have 1.
	 */
	public int channels() {
		return input().get("channels") instanceof Number n ? n.intValue() : 1;
	}

	/** Neighbouring slices on each side fed as channels: {@code (channels() - 1) / 2}; 0 for a plain 2D model. */
	public int context() {
		return (channels() - 1) / 2;
	}

	/** Architecture type: {@code unet2d}, {@code unet3d}, {@code cnn} or {@code mlp} ("" when absent). */
	public String architecture() {
		return json.get("architecture") instanceof Map<?, ?> a && a.get("type") instanceof String s ? s : "";
	}

	/** Class names from lowest to highest risk when the classes are risk levels, else an empty list. */
	public List<String> riskLevels() {
		List<String> out = new ArrayList<>();
		if (json.get("riskLevels") instanceof List<?> l) for (Object o : l) out.add(String.valueOf(o));
		return out;
	}

	/** The validation metrics object (may be empty). */
	@SuppressWarnings("unchecked")
	public Map<String, Object> validation() {
		return json.get("validation") instanceof Map<?, ?> v ? (Map<String, Object>) v : Map.of();
	}

	public boolean isSegmentation() {
		return SEGMENTATION.equals(task);
	}

	public boolean isClassification() {
		return CLASSIFICATION.equals(task);
	}

	@Override
	public String toString() {
		return "ModelCard[" + name + ", " + task + ", " + architecture() + ", classes " + classNames + "]";
	}
}
