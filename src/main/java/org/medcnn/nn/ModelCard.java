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

	/** The card format this release writes and reads. */
	public static final String FORMAT_VERSION = "1";
	public static final String SEGMENTATION = "segmentation";
	public static final String CLASSIFICATION = "classification";
	/** File name of the card inside a package. */
	public static final String FILE_NAME = "medcnn.json";

	public ModelCard {
		classNames = List.copyOf(classNames);
		json = Collections.unmodifiableMap(json);
	}

	/**
	 * Parses and validates a card.
	 *
	 * @param pkg the package, for messages
	 * @throws ModelFormatException naming the package and field when the JSON is malformed, the format version is
	 *         not {@value #FORMAT_VERSION}, the task is unknown, or the input spec lacks its window
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
		if (!FORMAT_VERSION.equals(version))
			throw new ModelFormatException(pkg, "formatVersion", "is \"" + version + "\" but this MedCNN reads only format \""
				+ FORMAT_VERSION + "\"");
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
		if (task.equals(CLASSIFICATION) && classes.size() < 2)
			throw new ModelFormatException(pkg, "classNames", "must name at least 2 classes for a classifier");
		if (!(m.get("input") instanceof Map<?, ?> input))
			throw new ModelFormatException(pkg, "input", "is missing or not an object");
		for (String k : new String[] {"windowCenterHu", "windowWidthHu"})
			if (!(input.get(k) instanceof Number))
				throw new ModelFormatException(pkg, "input." + k, "is missing or not a number");
		if (task.equals(CLASSIFICATION) && !(input.get("inputSize") instanceof Number))
			throw new ModelFormatException(pkg, "input.inputSize", "is missing or not a number");
		if (task.equals(SEGMENTATION) && !(input.get("sizeMultiple") instanceof Number))
			throw new ModelFormatException(pkg, "input.sizeMultiple", "is missing or not a number");
		Object ch = input.get("channels");
		if (ch != null && !(ch instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() % 2 == 1
			&& n.doubleValue() <= 2 * SegmenterConfig.MAX_CONTEXT + 1))
			throw new ModelFormatException(pkg, "input.channels", "is " + ch + ": expected an odd whole number 1…"
				+ (2 * SegmenterConfig.MAX_CONTEXT + 1) + " (the slice and its neighbours on either side)");
		if (ch instanceof Number n && n.intValue() > 1 && (!task.equals(SEGMENTATION) || input.get("patchZyx") != null))
			throw new ModelFormatException(pkg, "input.channels", "is " + n.intValue()
				+ ": several channels (neighbouring slices) are supported by 2D segmenters only");
		if (m.get("architecture") instanceof Map<?, ?> a && "unet3d".equals(a.get("type"))
			&& !(input.get("patchZyx") instanceof List<?> p && p.size() == 3 && p.stream().allMatch(
				o -> o instanceof Number n && n.doubleValue() >= 1 && n.doubleValue() == Math.rint(n.doubleValue()))))
			throw new ModelFormatException(pkg, "input.patchZyx", "is missing or not 3 positive integers {z, y, x}");
		return new ModelCard(version, task, name, classes, m);
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

	public double windowCenterHu() {
		return ((Number) input().get("windowCenterHu")).doubleValue();
	}

	public double windowWidthHu() {
		return ((Number) input().get("windowWidthHu")).doubleValue();
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
