package org.medcnn.nn;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.medcnn.nn.onnx.OnnxGraph;
import org.medcnn.nn.onnx.OnnxWeights;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.OverlayImages;
import org.medcnn.volume.Volume;

/**
 * The human-readable files of a model package besides the card: {@code history.csv} (loss and metric per
 * epoch), {@code README.md} (the documentation that {@code rdf.yaml} points to) and {@code cover.png} (what the
 * model does, on its test input). TensorFlow-free; stateless and thread-safe.
 */
public final class PackageFiles {

	/** Header of {@code history.csv}. */
	public static final String HISTORY_HEADER = "epoch,train_loss,val_loss,metric,train_metric,val_metric,seconds,"
		+ "val_lesion_sensitivity,val_lesion_precision";
	/** Covers are drawn at least this wide (pixels), zoomed by a whole factor. */
	static final int COVER_MIN_SIDE = 256;

	private PackageFiles() {}

	/** What a model package folder holds (and so all that replacing a package may delete). */
	public static final Set<String> ENTRIES = Set.of(ModelCard.FILE_NAME, Models.SAVED_MODEL_DIR, BioImageIo.RDF_FILE,
		BioImageIo.TEST_INPUT, BioImageIo.TEST_OUTPUT, BioImageIo.COVER, BioImageIo.README, BioImageIo.HISTORY,
		BioImageIo.WEIGHTS_ZIP, OnnxWeights.DIR);

	/**
	 * Refuses a package folder holding anything at its root that is not part of a model package ({@link #ENTRIES}):
	 * the integrity record covers the SavedModel and the test tensors only, so nothing else may travel with a model.
	 *
	 * @throws ModelFormatException naming the package and the entry
	 */
	public static void checkEntries(Path pkg) throws IOException {
		String foreign = foreignEntry(pkg);
		if (foreign != null) throw new ModelFormatException(pkg, null, foreignReason(foreign));
	}

	/** Why a package with the root entry {@code name}, which is not one of {@link #ENTRIES}, is refused. */
	public static String foreignReason(String name) {
		return "holds '" + name + "' at its root, which is not part of a model package (a package holds only "
			+ new TreeSet<>(ENTRIES) + "); refused, as nothing its card does not vouch for may travel with a model";
	}

	/**
	 * Refuses a package folder with any file or folder that is a link leading outside it (or to nothing), before anything
	 * in it is read.
	 *
	 * @throws ModelFormatException naming the package, the link and where it leads
	 */
	public static void checkLinks(Path pkg) throws IOException {
		Path root = pkg.toRealPath();
		try (Stream<Path> s = Files.walk(pkg)) { // does not follow links: a linked folder is one entry
			for (Path p : s.toList()) {
				if (!Files.isSymbolicLink(p)) continue;
				Path target;
				try {
					target = p.toRealPath();
				} catch (IOException e) {
					throw new ModelFormatException(pkg, null, "has " + relative(pkg, p) + ", a link to nothing ("
						+ Files.readSymbolicLink(p) + "); refused");
				}
				if (!target.startsWith(root))
					throw new ModelFormatException(pkg, null, "has " + relative(pkg, p) + (Files.isDirectory(p) ? "/" : "")
						+ ", a link leading outside the package (to " + target + "); refused, as a package must hold its own files");
			}
		}
	}

	/**
	 * Why a model package cannot be written at {@code out}, or null when it can: the one check that training runs
	 * before it loads anything and that the package writer runs again before it writes. Refused: a path under a file
	 * (or under a folder this user cannot write in), a file, a non-empty folder that is no package, and an existing
	 * package unless {@code replace}, and even then one whose card cannot be read or that holds anything a package does
	 * not (replacing a package deletes the folder).
	 */
	public static String whyNotWritable(Path out, boolean replace) throws IOException {
		Path abs = out.toAbsolutePath().normalize();
		if (!Files.exists(abs)) {
			for (Path a = abs.getParent(); a != null; a = a.getParent()) {
				if (Files.isDirectory(a)) {
					if (!Files.isWritable(a))
						return a + " is a folder this user cannot write in, so the model package " + out + " cannot be created";
					return null;
				}
				if (Files.exists(a) || Files.isSymbolicLink(a))
					return a + " is a file, not a folder, so the model package " + out + " cannot be created under it: give a"
						+ " folder path";
			}
			return null;
		}
		if (!Files.isDirectory(abs)) return out + " is a file; the model package is a folder: give a new folder name";
		if (Files.isRegularFile(abs.resolve(ModelCard.FILE_NAME))) {
			if (!replace)
				return out + " is a model package already; choose another folder, or replace it (--overwrite; in ImageJ the"
					+ " Overwrite checkbox, macro key overwrite)";
			try {
				Models.readCard(abs);
			} catch (ModelFormatException e) {
				return out + " has a " + ModelCard.FILE_NAME + " but is not a readable model package, so it is not replaced: "
					+ e.getMessage();
			}
			String foreign = foreignEntry(abs);
			if (foreign != null)
				return out + " holds '" + foreign + "', which is not part of a model package; replacing the package would delete"
					+ " it: move it, or choose another folder";
			return null;
		}
		try (var s = Files.list(abs)) {
			if (s.findAny().isPresent())
				return out + " is a folder that holds other files (not a model package); choose an empty or new folder";
		}
		return null;
	}

	/** The name of the first entry of the folder {@code dir} that is not part of a model package, or null. */
	public static String foreignEntry(Path dir) throws IOException {
		try (var s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).filter(n -> !ENTRIES.contains(n)).sorted().findFirst().orElse(null);
		}
	}

	/**
	 * {@code history.csv}: a header line ({@value #HISTORY_HEADER}) and one line per epoch; values use a dot as
	 * decimal separator, a missing validation value is an empty field. Lines end with {@code \n}.
	 */
	public static String historyCsv(List<EpochMetrics> history) {
		StringBuilder sb = new StringBuilder(HISTORY_HEADER).append('\n');
		for (EpochMetrics m : history) {
			sb.append(m.epoch()).append(',').append(num(m.trainLoss())).append(',').append(num(m.valLoss())).append(',')
				.append(m.metricName()).append(',').append(num(m.trainMetric())).append(',').append(num(m.valMetric()))
				.append(',').append(String.format(Locale.ROOT, "%.3f", m.seconds())).append(',')
				.append(num(m.valLesionSensitivity())).append(',').append(num(m.valLesionPrecision())).append('\n');
		}
		return sb.toString();
	}

	/** The normalisation formula of an {@code input} record of either card format. */
	private static String normalisationFormula(Map<?, ?> input) {
		if (input.get("normalisation") instanceof Map<?, ?> n) {
			StringBuilder sb = new StringBuilder(String.valueOf(n.get("formula")));
			for (Map.Entry<?, ?> e : n.entrySet())
				if (e.getValue() instanceof Number v) sb.append(", ").append(e.getKey()).append(" = ").append(v);
			return sb.toString();
		}
		return "clip((HU - (" + input.get("windowCenterHu") + " - " + input.get("windowWidthHu") + " / 2)) / "
			+ input.get("windowWidthHu") + ", 0, 1)";
	}

	/** The files a package's integrity record covers: the SavedModel's, the ONNX weights (if any), the test tensors. */
	static List<Path> integrityFiles(Path pkg) throws IOException {
		List<Path> out = new ArrayList<>();
		Path sm = pkg.resolve(Models.SAVED_MODEL_DIR);
		try (Stream<Path> s = Files.walk(sm)) {
			for (Path p : s.filter(Files::isRegularFile).sorted().toList()) out.add(p);
		}
		Path weights = pkg.resolve(OnnxWeights.DIR); // the ONNX weights, and anything added beside them
		if (Files.isDirectory(weights, java.nio.file.LinkOption.NOFOLLOW_LINKS))
			try (Stream<Path> s = Files.walk(weights)) {
				out.addAll(s.filter(q -> !Files.isDirectory(q, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList());
			}
		for (String f : List.of(BioImageIo.TEST_INPUT, BioImageIo.TEST_OUTPUT))
			if (Files.isRegularFile(pkg.resolve(f))) out.add(pkg.resolve(f));
		return out;
	}

	/**
	 * The card's {@code integrity} record of a package folder: the SHA-256 of each file of the SavedModel and of the
	 * test tensors, by path relative to the package ({@code /}-separated).
	 */
	public static Map<String, Object> integrityRecord(Path pkg) throws IOException {
		Map<String, Object> files = new TreeMap<>();
		for (Path f : integrityFiles(pkg)) files.put(relative(pkg, f), BioImageIo.sha256(f));
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("algorithm", "sha256");
		m.put("files", files);
		return m;
	}

	/**
	 * Checks a package against its card's {@code integrity} record: every listed file present with its hash, and no
	 * other file in {@code saved_model/} or {@code weights/}. A card of format 1 has no record (those packages predate
	 * it); a later card must have one.
	 *
	 * @throws ModelFormatException naming the package and the file that is missing, added or different
	 */
	public static void checkIntegrity(Path pkg, ModelCard card) throws IOException {
		Object rec = card.json().get("integrity");
		if (rec == null) {
			if (card.formatVersion().equals("1")) return;
			throw new ModelFormatException(pkg, "integrity", "is missing: the card must record the SHA-256 of the weights and"
				+ " test tensors");
		}
		if (!(rec instanceof Map<?, ?> r) || !(r.get("files") instanceof Map<?, ?> files) || !"sha256".equals(r.get("algorithm")))
			throw new ModelFormatException(pkg, "integrity", "must be {\"algorithm\": \"sha256\", \"files\": {path: hash}}");
		Set<String> present = new TreeSet<>();
		for (Path f : integrityFiles(pkg)) present.add(relative(pkg, f));
		for (Map.Entry<?, ?> e : files.entrySet()) {
			String name = String.valueOf(e.getKey());
			if (!present.contains(name))
				throw new ModelFormatException(pkg, "integrity", "lists " + name + ", which the package lacks");
			if (!String.valueOf(e.getValue()).equals(BioImageIo.sha256(pkg.resolve(name))))
				throw new ModelFormatException(pkg, "integrity", name + " differs from the SHA-256 its card records (the"
					+ " package was changed after it was written)");
		}
		for (String name : present)
			if (!files.containsKey(name))
				throw new ModelFormatException(pkg, "integrity", name + " is not in the card's integrity record (a file was"
					+ " added after the package was written)");
	}

	/**
	 * Refuses a package whose {@code saved_model/} (or a file in it) is a link that leads outside the package.
	 *
	 * @throws ModelFormatException naming the path
	 */
	public static void checkInside(Path pkg, Path savedModel) throws IOException {
		Path root = pkg.toRealPath();
		if (!savedModel.toRealPath().startsWith(root))
			throw new ModelFormatException(pkg, null, "has a " + Models.SAVED_MODEL_DIR + "/ that leads outside the package ("
				+ savedModel.toRealPath() + ")");
		try (Stream<Path> s = Files.walk(savedModel)) {
			for (Path p : s.toList())
				if (!p.toRealPath().startsWith(root))
					throw new ModelFormatException(pkg, null, "has " + pkg.relativize(p) + " leading outside the package ("
						+ p.toRealPath() + ")");
		}
	}

	private static String relative(Path pkg, Path f) {
		return pkg.relativize(f).toString().replace('\\', '/');
	}

	private static String num(double v) {
		return Double.isNaN(v) ? "" : Double.toString(v);
	}

	/** {@code README.md}: what the model is, its input, its training, the files of the package and the intended use. */
	public static String readme(Map<String, Object> card) {
		String name = String.valueOf(card.get("name"));
		String task = String.valueOf(card.get("task"));
		Map<?, ?> input = card.get("input") instanceof Map<?, ?> m ? m : Map.of();
		Map<?, ?> arch = card.get("architecture") instanceof Map<?, ?> m ? m : Map.of();
		Map<?, ?> training = card.get("training") instanceof Map<?, ?> m ? m : Map.of();
		Map<?, ?> validation = card.get("validation") instanceof Map<?, ?> m ? m : Map.of();
		StringBuilder sb = new StringBuilder();
		sb.append("# ").append(name).append("\n\n");
		sb.append("A MedCNN ").append(task).append(" model (").append(arch.get("type")).append(", ")
			.append(arch.get("parameters")).append(" parameters). **Intended use: research only** — not for diagnosis or"
				+ " treatment decisions.\n\n");
		sb.append("## Input\n\n");
		sb.append("- ").append(input.get("modality")).append(" in real-world values (HU for CT), ").append(
			input.get("patchZyx") != null ? "3D patches" : "one axial slice at a time").append(", normalised: `")
			.append(normalisationFormula(input)).append("`\n");
		if (input.get("targetSpacingMm") instanceof List<?> t && t.stream().anyMatch(v -> v != null))
			sb.append("- resampled to the spacing ").append(t).append(" mm {x, y, z} (null: kept) before the network, the"
				+ " prediction interpolated back onto the image's grid\n");
		if (ModelCard.SEGMENTATION.equals(task))
			sb.append("- any slice size; slices are padded to a multiple of ").append(input.get("sizeMultiple")).append(" pixels\n");
		else
			sb.append("- resampled bilinearly to ").append(input.get("inputSize")).append(" × ").append(input.get("inputSize"))
				.append(" pixels\n");
		int context = input.get("context") instanceof Number n ? n.intValue() : 0;
		if (context > 0)
			sb.append("- 2.5D: ").append(2 * context + 1).append(" channels, slices z-").append(context).append(" … z+")
				.append(context).append(" around each slice z, in that order; at the first and last slice the nearest slice"
					+ " is repeated\n");
		sb.append("- tensor `input`, float32, axes batch, y, x, channel (NHWC)\n\n");
		sb.append("## Output\n\n");
		Map<?, ?> output = card.get("output") instanceof Map<?, ?> m ? m : Map.of();
		sb.append("- tensor `output`: ").append(output.get("meaning")).append('\n');
		if (card.get("classNames") instanceof List<?> l) sb.append("- classes: ").append(l).append('\n');
		sb.append('\n');
		sb.append("## Training\n\n");
		sb.append("- ").append(training.get("epochsRun")).append(" of ").append(training.get("epochs"))
			.append(" epochs, best epoch ").append(training.get("bestEpoch"));
		if (Boolean.TRUE.equals(training.get("stoppedEarly")))
			sb.append(" (stopped early, patience ").append(training.get("patience")).append(")");
		sb.append("; optimizer ").append(training.get("optimizer")).append(", learning rate ").append(training.get("learningRate"))
			.append(", loss ").append(training.get("loss")).append(", batch ").append(training.get("batchSize")).append(", seed ")
			.append(training.get("seed")).append('\n');
		if (validation.get("metric") instanceof String metric)
			sb.append("- validation ").append(metric).append(": ").append(validation.get(metric)).append(", loss ")
				.append(validation.get("loss")).append('\n');
		sb.append("- per-epoch loss and metric: `").append(BioImageIo.HISTORY).append("`\n\n");
		sb.append("## Files\n\n");
		sb.append("| file | content |\n|---|---|\n");
		sb.append("| `").append(ModelCard.FILE_NAME).append("` | MedCNN model card: input spec, training record, metrics |\n");
		sb.append("| `").append(Models.SAVED_MODEL_DIR).append("/` | TensorFlow SavedModel, tag `serve`, signature"
			+ " `serving_default` (`input` → `output`) |\n");
		if (card.get(OnnxWeights.CARD_FIELD) != null)
			sb.append("| `").append(OnnxWeights.FILE).append("` | the same network in ONNX (opset ").append(OnnxGraph.OPSET)
				.append("), same input and output tensors and layout, for ONNX Runtime |\n");
		sb.append("| `").append(BioImageIo.WEIGHTS_ZIP).append("` | the same SavedModel zipped, for bioimage.io |\n");
		sb.append("| `").append(BioImageIo.RDF_FILE).append("` | bioimage.io model description (format ")
			.append(BioImageIo.FORMAT_VERSION).append(") |\n");
		sb.append("| `").append(BioImageIo.TEST_INPUT).append("`, `").append(BioImageIo.TEST_OUTPUT)
			.append("` | a training input in real-world values and the model's output on it (after the preprocessing) |\n");
		sb.append("| `").append(BioImageIo.COVER).append("` | the test slice and the model's answer |\n");
		sb.append("| `").append(BioImageIo.HISTORY).append("` | loss and metric per epoch |\n");
		return sb.toString();
	}

	/**
	 * A segmentation cover, 2:1: the slice in grey (left) and the same slice with the predicted mask (probability
	 * ≥ 0.5) as a translucent red fill with a yellow outline (right), zoomed to at least {@value #COVER_MIN_SIDE}
	 * pixels high, with a one-line caption.
	 *
	 * @param hu the slice in HU, {@code w × h} row-major
	 * @param probability foreground probability per pixel, same layout
	 */
	public static BufferedImage segmentationCover(float[] hu, float[] probability, int w, int h, double centerHu,
		double widthHu, String caption) {
		Geometry g = Geometry.axial(w, h, 1, 1, 1, 1);
		Volume v = new Volume(g, hu.clone(), "CT");
		byte[] labels = new byte[w * h];
		for (int i = 0; i < labels.length; i++) if (probability[i] >= 0.5f) labels[i] = 1;
		int scale = zoom(w, h);
		BufferedImage plain = OverlayImages.render(v, 0, null, null, centerHu, widthHu, scale);
		BufferedImage over = OverlayImages.render(v, 0, new Mask(g, labels), null, centerHu, widthHu, scale);
		int side = Math.max(plain.getWidth(), plain.getHeight());
		BufferedImage out = new BufferedImage(2 * side, side, BufferedImage.TYPE_INT_RGB);
		Graphics2D gr = out.createGraphics();
		gr.drawImage(plain, (side - plain.getWidth()) / 2, (side - plain.getHeight()) / 2, null);
		gr.drawImage(over, side + (side - over.getWidth()) / 2, (side - over.getHeight()) / 2, null);
		caption(gr, caption, 2 * side, side);
		gr.dispose();
		return out;
	}

	/**
	 * A classification cover, 1:1: the network's input in grey, zoomed to at least {@value #COVER_MIN_SIDE}
	 * pixels, with the predicted class and its probability as caption.
	 *
	 * @param hu the input image in HU, {@code size × size} row-major
	 */
	public static BufferedImage classificationCover(float[] hu, int size, double centerHu, double widthHu, String className,
		double probability) {
		Volume v = new Volume(Geometry.axial(size, size, 1, 1, 1, 1), hu.clone(), "CT");
		BufferedImage img = OverlayImages.render(v, 0, null, null, centerHu, widthHu, zoom(size, size));
		Graphics2D gr = img.createGraphics();
		caption(gr, String.format(Locale.ROOT, "%s  p = %.2f", className, probability), img.getWidth(), img.getHeight());
		gr.dispose();
		return img;
	}

	private static int zoom(int w, int h) {
		return Math.max(1, (COVER_MIN_SIDE + Math.max(w, h) - 1) / Math.max(w, h));
	}

	/** Draws a caption on a dark band at the bottom. */
	private static void caption(Graphics2D gr, String text, int width, int height) {
		gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		int fontSize = Math.max(12, height / 16);
		gr.setFont(new Font(Font.SANS_SERIF, Font.BOLD, fontSize));
		int band = fontSize + fontSize / 2;
		gr.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.6f));
		gr.setColor(Color.BLACK);
		gr.fillRect(0, height - band, width, band);
		gr.setComposite(AlphaComposite.SrcOver);
		gr.setColor(Color.WHITE);
		gr.drawString(text, fontSize / 2, height - fontSize / 3 - 2);
	}
}
