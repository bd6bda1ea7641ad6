package org.medcnn.nn;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.medcnn.common.Versions;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;
import org.medcnn.nn.onnx.OnnxGraph;
import org.medcnn.nn.onnx.OnnxWeights;

/**
 * The bioimage.io model description ({@code rdf.yaml}, model spec format {@value #FORMAT_VERSION}) of a model
 * package, so that deepImageJ, JDLL and the bioimage.io tools can run it.
 * <p>
 * {@link #describe} builds the description from a package's card and files as a tree of maps, lists, strings,
 * numbers and booleans (the same tree a JSON or YAML reader gives); {@link #toYaml} writes it as block-style
 * YAML with every string double-quoted. Mapping from the package:
 * <ul>
 * <li>input tensor {@code input}: the SavedModel input, axes batch, y, x, channel (NHWC; a 3D segmenter, one whose
 * card has {@code input.patchZyx}, has batch, z, y, x, channel, with z steps of {@code input.zMultiple}); the channel
 * axis has the card's {@code input.channels} (1, or 2·context + 1 neighbouring slices for a 2.5D segmenter). The
 * test input holds real-world values (HU for CT) on the network's grid; the preprocessing is the card's normalisation
 * ({@link Normalisation#rdfPreprocessing}: {@code clip} then {@code scale_linear} for a window or the CT scheme,
 * {@code zero_mean_unit_variance} for a per-image z-score), and the test output is the network's answer to the test
 * input so preprocessed.</li>
 * <li>output tensor {@code output}: a segmenter's foreground probability (batch, y, x, channel; y and x as
 * large as the input's) or a classifier's class probabilities (batch, channel = class names).</li>
 * <li>weights {@code tensorflow_saved_model_bundle}: {@value #WEIGHTS_ZIP}, the SavedModel zipped as
 * bioimage.io asks; the same files are unpacked in {@code saved_model/}.</li>
 * <li>weights {@code onnx} (when the card records them): {@code weights/model.onnx}, the same network converted
 * by MedCNN, with the SavedModel as its parent.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class BioImageIo {

	/** The bioimage.io model description format written. */
	public static final String FORMAT_VERSION = "0.5.7";
	public static final String RDF_FILE = "rdf.yaml";
	public static final String TEST_INPUT = "test_input.npy";
	public static final String TEST_OUTPUT = "test_output.npy";
	public static final String COVER = "cover.png";
	public static final String README = "README.md";
	public static final String HISTORY = "history.csv";
	/** The SavedModel as one zip archive (bioimage.io wants multi-file weights zipped). */
	public static final String WEIGHTS_ZIP = "tensorflow_saved_model_bundle.zip";
	/** License when the card names none. */
	public static final String DEFAULT_LICENSE = "Apache-2.0";
	/** The ε of {@code zero_mean_unit_variance}: bioimage.io's default. */
	public static final double ZMUV_EPS = 1e-6;
	/** Tensor ids, equal to the SavedModel signature's input and output names. */
	public static final String INPUT_ID = "input", OUTPUT_ID = "output";

	private static final Pattern NAME_CHARS = Pattern.compile("[^A-Za-z0-9_\\-() ]");

	private BioImageIo() {}

	/**
	 * Describes a package folder that already holds its card's files, the test tensors ({@value #TEST_INPUT},
	 * {@value #TEST_OUTPUT}) and the zipped weights ({@value #WEIGHTS_ZIP}); file hashes are computed here.
	 *
	 * @param card the card's JSON tree ({@code medcnn.json})
	 * @throws IOException when a file cannot be read or the test input's shape does not fit the task
	 */
	public static Map<String, Object> describe(Map<String, Object> card, Path pkgDir) throws IOException {
		String task = String.valueOf(card.get("task"));
		boolean seg = ModelCard.SEGMENTATION.equals(task);
		Map<String, Object> input = map(card.get("input"));
		String modality = input.get("modality") instanceof String s && !s.isBlank() ? s : "CT";
		Normalisation norm = input.get("normalisation") instanceof Map<?, ?> nm ? Normalisation.fromCard(nm)
			: Normalisation.window(number(input.get("windowCenterHu")), number(input.get("windowWidthHu")));
		String arch = map(card.get("architecture")).get("type") instanceof String s ? s : task;
		List<String> classNames = strings(card.get("classNames"));
		boolean is3d = seg && input.get("patchZyx") instanceof List<?>;
		int channels = input.get("channels") instanceof Number n ? n.intValue() : 1;
		int[] testShape = Npy.read(pkgDir.resolve(TEST_INPUT)).shape();
		if (is3d ? testShape.length != 5 || testShape[0] != 1 || testShape[4] != 1
			: testShape.length != 4 || testShape[0] != 1 || testShape[3] != channels)
			throw new IOException(pkgDir.resolve(TEST_INPUT) + ": shape must be (1, " + (is3d ? "depth, " : "")
				+ "height, width, " + (is3d ? 1 : channels) + "), not " + java.util.Arrays.toString(testShape));
		List<String> spaceAxes = is3d ? List.of("z", "y", "x") : List.of("y", "x");

		Map<String, Object> rdf = new LinkedHashMap<>();
		rdf.put("type", "model");
		rdf.put("format_version", FORMAT_VERSION);
		String cardName = card.get("name") instanceof String s ? s : "model";
		rdf.put("name", rdfName(cardName));
		rdf.put("description", description(card, seg, is3d, arch, modality, norm, classNames));
		rdf.put("authors", authors(card.get("authors")));
		rdf.put("cite", List.of(citation(arch)));
		rdf.put("license", card.get("license") instanceof String s && !s.isBlank() ? s : DEFAULT_LICENSE);
		rdf.put("documentation", README);
		rdf.put("covers", List.of(COVER));
		List<String> tags = new ArrayList<>(List.of("medcnn", modality.toLowerCase(Locale.ROOT), is3d ? "3d" : "2d", arch, task,
			seg ? "lesion" : "risk", "tensorflow"));
		rdf.put("tags", tags);
		if (card.get("date") instanceof String d) rdf.put("timestamp", d);
		rdf.put("version", card.get("version") instanceof String v ? v : "1.0.0");

		Map<String, Object> in = new LinkedHashMap<>();
		in.put("id", INPUT_ID);
		int context = (channels - 1) / 2;
		in.put("description", modality + (is3d ? " patch (z, y, x)" : " slice")
			+ (context > 0 ? " and neighbours as channels (z-" + context + " … z+" + context + ")" : "")
			+ " in real-world values (HU for CT), normalised by the preprocessing"
			+ (norm instanceof Normalisation.ZScore ? " (MedCNN itself takes the z-score's statistics over the image's body"
				+ " voxels)" : ""));
		List<Object> inAxes = new ArrayList<>();
		inAxes.add(axis("batch", "batch"));
		for (String a : spaceAxes) {
			Map<String, Object> ax = axis("space", a);
			if (seg) {
				int m = (int) number(input.get(a.equals("z") ? "zMultiple" : "sizeMultiple"));
				Map<String, Object> size = new LinkedHashMap<>();
				size.put("min", m);
				size.put("step", m);
				ax.put("size", size);
			} else {
				ax.put("size", (int) number(input.get("inputSize")));
			}
			inAxes.add(ax);
		}
		Map<String, Object> inChannel = axis("channel", "channel");
		inChannel.put("channel_names", channelNames(modality, context));
		inAxes.add(inChannel);
		in.put("axes", inAxes);
		in.put("test_tensor", file(pkgDir, TEST_INPUT));
		in.put("preprocessing", norm.rdfPreprocessing(spaceAxes));
		rdf.put("inputs", List.of(in));

		Map<String, Object> out = new LinkedHashMap<>();
		out.put("id", OUTPUT_ID);
		List<Object> outAxes = new ArrayList<>();
		outAxes.add(axis("batch", "batch"));
		Map<String, Object> outChannel = axis("channel", "channel");
		if (seg) {
			out.put("description", "foreground (lesion) probability per " + (is3d ? "voxel" : "pixel")
				+ "; mask = probability >= 0.5");
			for (String a : spaceAxes) {
				Map<String, Object> ax = axis("space", a);
				Map<String, Object> ref = new LinkedHashMap<>();
				ref.put("tensor_id", INPUT_ID);
				ref.put("axis_id", a);
				ax.put("size", ref);
				outAxes.add(ax);
			}
			outChannel.put("channel_names", List.of(classNames.size() > 1 ? classNames.get(1) : "lesion"));
		} else {
			out.put("description", "class probabilities (softmax) in the order of the channel names");
			outChannel.put("channel_names", classNames);
		}
		outAxes.add(outChannel);
		out.put("axes", outAxes);
		out.put("test_tensor", file(pkgDir, TEST_OUTPUT));
		rdf.put("outputs", List.of(out));

		Map<String, Object> tf = new LinkedHashMap<>();
		tf.put("source", WEIGHTS_ZIP);
		tf.put("sha256", sha256(pkgDir.resolve(WEIGHTS_ZIP)));
		Map<String, Object> software = map(card.get("software"));
		tf.put("tensorflow_version", software.get("tensorflow") instanceof String v ? v : "2");
		tf.put("comment", "TensorFlow SavedModel, tag \"serve\", signature \"serving_default\" (input \"" + INPUT_ID
			+ "\", output \"" + OUTPUT_ID + "\"); also unpacked in " + Models.SAVED_MODEL_DIR + "/");
		Map<String, Object> weights = new LinkedHashMap<>();
		weights.put("tensorflow_saved_model_bundle", tf);
		if (card.get(OnnxWeights.CARD_FIELD) instanceof Map<?, ?> rec && Files.isRegularFile(pkgDir.resolve(OnnxWeights.FILE))) {
			Map<String, Object> onnx = new LinkedHashMap<>();
			onnx.put("source", OnnxWeights.FILE);
			onnx.put("sha256", sha256(pkgDir.resolve(OnnxWeights.FILE)));
			onnx.put("opset_version", rec.get("opsetVersion") instanceof Number n ? n.intValue() : OnnxGraph.OPSET);
			onnx.put("parent", "tensorflow_saved_model_bundle");
			onnx.put("comment", "written by MedCNN from its own layers and the trained weights; input \"" + INPUT_ID
				+ "\", output \"" + OUTPUT_ID + "\", same layout as the SavedModel");
			weights.put("onnx", onnx);
			tags.add("onnx");
		}
		rdf.put("weights", weights);

		Map<String, Object> medcnn = new LinkedHashMap<>();
		medcnn.put("card", ModelCard.FILE_NAME);
		medcnn.put("formatVersion", String.valueOf(card.get("formatVersion")));
		medcnn.put("task", task);
		medcnn.put("normalisation", norm.cardRecord());
		if (input.get("targetSpacingMm") != null) medcnn.put("targetSpacingMm", input.get("targetSpacingMm"));
		if (context > 0) medcnn.put("context", context);
		medcnn.put("history", HISTORY);
		medcnn.put("intendedUse", "research only");
		rdf.put("config", Map.of("medcnn", medcnn));
		return rdf;
	}

	/**
	 * Input channel names: the modality for one channel; for a 2.5D input one per slice offset, e.g.
	 * {@code CT_z_minus_1, CT_z, CT_z_plus_1} (identifiers, as bioimage.io asks).
	 */
	static List<String> channelNames(String modality, int context) {
		if (context == 0) return List.of(modality);
		String m = modality.replaceAll("[^A-Za-z0-9_]", "_");
		List<String> out = new ArrayList<>();
		for (int k = -context; k <= context; k++)
			out.add(m + "_z" + (k < 0 ? "_minus_" + -k : k > 0 ? "_plus_" + k : ""));
		return out;
	}

	/**
	 * A bioimage.io model name from a card's name: 5…128 characters of letters, digits, {@code _-()} and
	 * spaces, prefixed with "MedCNN " when shorter.
	 */
	static String rdfName(String cardName) {
		String n = NAME_CHARS.matcher(cardName).replaceAll("_").trim();
		if (n.length() < 5) n = ("MedCNN " + n).trim();
		return n.length() > 128 ? n.substring(0, 128) : n;
	}

	private static String description(Map<String, Object> card, boolean seg, boolean is3d, String arch, String modality,
		Normalisation norm, List<String> classNames) {
		if (card.get("description") instanceof String d && !d.isBlank()) return d.length() > 1024 ? d.substring(0, 1024) : d;
		String how = "normalisation: " + norm.describe();
		String s = seg
			? "MedCNN " + arch + " that outlines lesions " + (is3d ? "in " + modality + " volumes, patch by patch"
				: "on axial " + modality + " slices") + " (" + how + ")."
			: "MedCNN " + arch + " classifier of " + modality + " images (" + how + ") into " + classNames + ".";
		return s + " Research use only, not for diagnosis.";
	}

	private static List<Object> authors(Object a) {
		List<Object> out = new ArrayList<>();
		if (a instanceof List<?> l) for (Object o : l) {
			if (o instanceof String s && !s.isBlank()) out.add(new LinkedHashMap<>(Map.of("name", s)));
			else if (o instanceof Map<?, ?> m && m.get("name") instanceof String s) {
				Map<String, Object> au = new LinkedHashMap<>();
				au.put("name", s);
				for (String k : new String[] {"affiliation", "email", "orcid", "github_user"})
					if (m.get(k) instanceof String v) au.put(k, v);
				out.add(au);
			}
		}
		else if (a instanceof String s && !s.isBlank()) out.add(new LinkedHashMap<>(Map.of("name", s)));
		if (out.isEmpty()) out.add(new LinkedHashMap<>(Map.of("name", "MedCNN")));
		return out;
	}

	private static Map<String, Object> citation(String arch) {
		Map<String, Object> c = new LinkedHashMap<>();
		switch (arch) {
			case "unet2d", "unet3d" -> {
				c.put("text", "Ronneberger O, Fischer P, Brox T. U-Net: Convolutional Networks for Biomedical Image"
					+ " Segmentation. MICCAI 2015, LNCS 9351:234-241.");
				c.put("doi", "10.1007/978-3-319-24574-4_28");
			}
			case "mlp" -> {
				c.put("text", "Rumelhart DE, Hinton GE, Williams RJ. Learning representations by back-propagating errors."
					+ " Nature 323:533-536, 1986.");
				c.put("doi", "10.1038/323533a0");
			}
			default -> {
				c.put("text", "LeCun Y, Bottou L, Bengio Y, Haffner P. Gradient-based learning applied to document"
					+ " recognition. Proc. IEEE 86(11):2278-2324, 1998.");
				c.put("doi", "10.1109/5.726791");
			}
		}
		return c;
	}

	private static Map<String, Object> axis(String type, String id) {
		Map<String, Object> a = new LinkedHashMap<>();
		a.put("type", type);
		a.put("id", id);
		return a;
	}

	private static Map<String, Object> file(Path dir, String name) throws IOException {
		Map<String, Object> f = new LinkedHashMap<>();
		f.put("source", name);
		f.put("sha256", sha256(dir.resolve(name)));
		return f;
	}

	/** Lower-case hex SHA-256 of a file's bytes. */
	public static String sha256(Path file) throws IOException {
		try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
			in.transferTo(java.io.OutputStream.nullOutputStream());
			return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object o) {
		return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
	}

	private static List<String> strings(Object o) {
		List<String> out = new ArrayList<>();
		if (o instanceof List<?> l) for (Object x : l) out.add(String.valueOf(x));
		return out;
	}

	private static double number(Object o) {
		if (o instanceof Number n) return n.doubleValue();
		throw new IllegalArgumentException("the model card lacks a number the bioimage.io description needs (found " + o + ")");
	}

	// ---- YAML ----

	/**
	 * Writes a tree of maps (string keys), lists, strings, numbers, booleans and nulls as block-style YAML with
	 * SnakeYAML: two-space indentation, strings quoted where YAML 1.1 would read them as something else, floats
	 * in plain decimal notation with a decimal point (YAML 1.1 readers such as bioimage.io's read {@code 1E20}
	 * as a string). Ends with a newline.
	 *
	 * @throws IllegalArgumentException for a non-finite number or a value of another type
	 */
	public static String toYaml(Map<String, Object> tree) {
		checkYaml(tree, "rdf");
		DumperOptions o = new DumperOptions();
		o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		o.setIndent(2);
		o.setIndicatorIndent(0);
		o.setSplitLines(false);
		o.setAllowUnicode(true);
		return "# bioimage.io model description written by MedCNN " + Versions.MEDCNN + "\n"
			+ new Yaml(new PlainFloats(o), o).dump(tree);
	}

	/** Refuses what {@link #toYaml} cannot write faithfully, naming where it sits in the tree. */
	private static void checkYaml(Object v, String where) {
		if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
			|| v instanceof Short || v instanceof Byte) return;
		if (v instanceof Double || v instanceof Float) {
			if (!Double.isFinite(((Number) v).doubleValue()))
				throw new IllegalArgumentException("YAML value " + v + " at " + where + " is not a finite number");
		} else if (v instanceof Map<?, ?> m) {
			for (Map.Entry<?, ?> e : m.entrySet()) {
				if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("YAML key " + e.getKey() + " at " + where + " is not a string");
				checkYaml(e.getValue(), where + "." + k);
			}
		} else if (v instanceof List<?> l) {
			for (int i = 0; i < l.size(); i++) checkYaml(l.get(i), where + "[" + i + "]");
		} else {
			throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as YAML (at " + where + ")");
		}
	}

	/** SnakeYAML's representer with floats as plain decimals ({@code 0.00001}, {@code 100000000000000000000.0}). */
	private static final class PlainFloats extends Representer {
		PlainFloats(DumperOptions o) {
			super(o);
			RepresentFloat f = new RepresentFloat();
			representers.put(Double.class, f);
			representers.put(Float.class, f);
		}

		private final class RepresentFloat implements Represent {
			@Override
			public Node representData(Object data) {
				String s = new BigDecimal(Double.toString(((Number) data).doubleValue())).toPlainString();
				return representScalar(Tag.FLOAT, s.contains(".") ? s : s + ".0");
			}
		}
	}
}
