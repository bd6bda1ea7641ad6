package org.medcnn.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Models;
import org.medcnn.nn.ParentPackage;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingListener;

/**
 * Fine-tuning a segmentation package on an enlarged (or corrected) training set, the same for the CLI
 * ({@code finetune}), the ImageJ plugin ({@code Fine-tune Model...}), its SciJava command and the active-learning
 * benchmark. Stateless.
 * <p>
 * The new network is the parent's (architecture, depth, filters, context, layers, loss, optimizer, activation and
 * seed read from its card), its weights start from the parent's SavedModel, and it trains on the given cases with a
 * fresh optimizer for {@link Request#epochs()} epochs (default {@value #DEFAULT_EPOCHS}) from the parent's learning rate
 * (unless another is asked for) decayed along a cosine to 1 % of it at the last epoch: the fresh optimizer's first steps
 * move furthest, the last ones settle, so that the new package's weights do not depend on where a last step at the full
 * rate happened to land (with a constant rate, one fine-tuning of 8 epochs on 6 cases moved the held-out Dice of the
 * active-learning benchmark from 0.40 to 0.34, the next back up). The preprocessing (normalisation with its parameters, target spacing) is the parent's,
 * because the weights were learnt on inputs prepared that way; {@link Request#refit()} plans it afresh from the new
 * set's fingerprint instead (the card says which). The new card's {@code lineage} records the parent (name, SHA-256 of
 * its card and of its weights), the decision on the preprocessing, every case (name and SHA-256 of its voxels) and
 * which cases are new to the lineage. The parent is never written: an output that is the parent, or lies inside it,
 * or holds it, is refused.
 */
public final class FineTuning {

	/** Epochs when the request does not say. */
	public static final int DEFAULT_EPOCHS = 10;
	/** The learning-rate schedule of every fine-tuning; see the class comment. */
	static final String SCHEDULE = "cosine";

	private FineTuning() {}

	/**
	 * What the user asked for.
	 *
	 * @param parent the package to start from (a folder)
	 * @param epochs null = {@value #DEFAULT_EPOCHS}
	 * @param learningRate null = the parent's
	 * @param refit plan normalisation and spacing from the new set instead of keeping the parent's
	 * @param overwrite replace an existing package (never the parent) at the output
	 * @param seed null = the parent's
	 * @param assumeGeometry train on images whose reader assumed their geometry ({@link AssumedGeometry}); refused
	 *        without
	 */
	public record Request(Path parent, Integer epochs, Double learningRate, boolean refit, boolean overwrite, Long seed,
		boolean assumeGeometry) {

		public Request {
			if (parent == null) throw new IllegalArgumentException("model: the package to fine-tune is missing");
			if (epochs != null && (epochs < 1 || epochs > 100_000))
				throw new IllegalArgumentException("epochs = " + epochs + " is out of range: allowed 1…100000");
			if (learningRate != null && !(learningRate > 0 && learningRate <= 10))
				throw new IllegalArgumentException("learning rate = " + learningRate + " is out of range: allowed (0, 10]");
		}

		/** Refusing images of assumed geometry. */
		public Request(Path parent, Integer epochs, Double learningRate, boolean refit, boolean overwrite, Long seed) {
			this(parent, epochs, learningRate, refit, overwrite, seed, false);
		}

		public static Request of(Path parent, Integer epochs) {
			return new Request(parent, epochs, null, false, false, null);
		}
	}

	/** The plan of a fine-tuning run: the network configuration and what the card's lineage will say. */
	public record Plan(TrainingPlanner.SegmenterPlan plan, ParentPackage parent) {

		/** "Plan: …" with one line per decision. */
		public String describe() {
			return plan.describe();
		}
	}

	/**
	 * Checks the request against the parent and the output, before any training data are loaded.
	 *
	 * @throws IllegalArgumentException when the output is the parent (or inside it, or holds it) or is taken
	 * @throws ModelFormatException when the parent is not a readable segmentation package folder
	 */
	public static ModelCard check(Request r, Path out) throws IOException {
		Path parent = r.parent().toAbsolutePath().normalize();
		if (Models.isZip(parent))
			throw new IllegalArgumentException("model: " + parent + " is a zipped package; fine-tuning reads a package folder:"
				+ " unzip it first");
		if (!Files.isDirectory(parent)) throw new IllegalArgumentException("model: " + parent + " is not a package folder");
		if (out == null) throw new IllegalArgumentException("out: the new package's folder is missing");
		Path o = out.toAbsolutePath().normalize();
		Path realParent = parent.toRealPath();
		Path realOut = Files.exists(o) ? o.toRealPath() : o;
		if (realOut.equals(realParent) || o.equals(parent))
			throw new IllegalArgumentException("out: " + out + " is the parent package; fine-tuning writes a new package and"
				+ " never replaces its parent: give another folder");
		if (realOut.startsWith(realParent) || realParent.startsWith(realOut))
			throw new IllegalArgumentException("out: " + out + (realOut.startsWith(realParent) ? " lies inside" : " holds")
				+ " the parent package " + parent + "; give a folder beside it");
		ModelCard card = Models.readCard(parent);
		if (!card.isSegmentation())
			throw new ModelFormatException(parent, "task", "is \"" + card.task() + "\": fine-tuning takes a segmentation model");
		Trainings.checkTarget(out, r.overwrite());
		return card;
	}

	/**
	 * Plans the run: the parent's network with the request's changes, and the preprocessing kept or refitted.
	 *
	 * @throws IllegalArgumentException when the cases do not suit the parent (modality, channels) or a setting is out of
	 *         range
	 */
	public static Plan plan(Request r, List<Datasets.Case> cases, Path out) throws IOException {
		ModelCard card = check(r, out);
		Path parent = r.parent().toAbsolutePath().normalize();
		Map<String, Object> arch = object(card.json().get("architecture"));
		Map<String, Object> tr = object(card.json().get("training"));
		int dims = card.dims();
		int epochs = r.epochs() != null ? r.epochs() : DEFAULT_EPOCHS;
		SegmenterRequest.Builder b = SegmenterRequest.builder().dims(dims).depth(integer(arch, "depth", parent))
			.filters(integer(arch, "baseFilters", parent)).epochs(epochs)
			.learningRate(r.learningRate() != null ? r.learningRate() : number(tr, "learningRate"))
			.optimizer(string(tr, "optimizer")).loss(string(tr, "loss")).schedule(SCHEDULE).activation(string(arch, "activation"))
			.seed(r.seed() != null ? r.seed() : tr.get("seed") instanceof Number n ? n.longValue() : null)
			.batch(tr.get("batchSize") instanceof Number n && n.intValue() >= 1 ? n.intValue() : null)
			.valFraction(number(tr, "valFraction")).augment(string(tr, "augment")).clipNorm(number(tr, "clipNorm"))
			.layers(new LayerConfig(Boolean.TRUE.equals(arch.get("batchNorm")),
				arch.get("dropout") instanceof Number d ? d.doubleValue() : 0,
				arch.get("init") instanceof String s ? s : LayerConfig.AUTO))
			.overwrite(r.overwrite()).assumeGeometry(r.assumeGeometry());
		if (dims == 3) b.patch(card.patchZyx());
		else {
			b.context(card.context());
			Object p = card.input().get("trainingPatchYx");
			if (p instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number y && l.get(1) instanceof Number x)
				b.patch(new int[] {y.intValue(), x.intValue()});
		}
		if (r.refit()) b.normalise("auto");
		TrainingPlanner.SegmenterPlan planned = Trainings.planSegmenter(b.build(), cases);
		List<String> why = new ArrayList<>();
		why.add("fine-tuning " + card.name() + ": its network and weights, a fresh optimizer, " + epochs + " epochs, the"
			+ " learning rate decayed along a cosine to 1 % at the last epoch");
		Preprocessing kept = card.preprocessing().withFingerprint(planned.preprocessing().fingerprint());
		String preprocessing;
		if (r.refit()) {
			preprocessing = "refitted on the fine-tuning set: " + planned.preprocessing().normalisation().describe()
				+ " (the parent used " + card.preprocessing().normalisation().describe() + ")";
			why.addAll(planned.reasons());
		} else {
			preprocessing = "kept from the parent: " + kept.normalisation().describe() + ", target spacing "
				+ spacing(kept.targetSpacingMm());
			why.add("preprocessing " + preprocessing + " (the weights were learnt on inputs prepared so)");
			for (String reason : planned.reasons()) if (!reason.startsWith("normalisation") && !reason.startsWith("spacing")) why.add(reason);
		}
		TrainingPlanner.SegmenterPlan plan = dims == 3
			? new TrainingPlanner.SegmenterPlan(null, r.refit() ? planned.config3d() : planned.config3d().withPreprocessing(kept), why,
				r.overwrite())
			: new TrainingPlanner.SegmenterPlan(r.refit() ? planned.config2d() : planned.config2d().withPreprocessing(kept), null,
				why, r.overwrite());
		return new Plan(plan, new ParentPackage(parent, lineage(parent, card, cases, preprocessing, r.refit())));
	}

	/**
	 * Fine-tunes as planned and writes the package {@code out}.
	 *
	 * @param l receives the fingerprint and plan as notes, then per-step and per-epoch progress; may be null
	 * @param c checked between steps, may be null
	 * @throws java.util.concurrent.CancellationException when stopped
	 */
	public static Path fineTune(Plan plan, List<Datasets.Case> cases, TrainingListener l, Cancellation c, Path out)
		throws IOException {
		TrainingListener listener = l == null ? TrainingListener.NONE : l;
		Trainings.checkTarget(out, plan.plan().overwrite());
		listener.note(plan.plan().preprocessing().fingerprint().summary());
		listener.note(plan.describe());
		TrainingPlanner.SegmenterPlan p = plan.plan();
		Record cfg = p.dims() == 3 ? p.config3d() : p.config2d();
		return Training.fineTuneSegmenter(cases.stream().map(Datasets.Case::image).toList(),
			cases.stream().map(Datasets.Case::mask).toList(), cfg, plan.parent(), listener, c, out);
	}

	/** {@link #plan} then {@link #fineTune}. */
	public static Path fineTune(Request r, List<Datasets.Case> cases, TrainingListener l, Cancellation c, Path out)
		throws IOException {
		return fineTune(plan(r, cases, out), cases, l, c, out);
	}

	/** The card's {@code lineage} record; see the class comment. */
	static Map<String, Object> lineage(Path parent, ModelCard card, List<Datasets.Case> cases, String preprocessing,
		boolean refit) throws IOException {
		Map<String, Object> p = new LinkedHashMap<>();
		p.put("name", card.name());
		p.put("cardSha256", sha256(Files.readAllBytes(parent.resolve(ModelCard.FILE_NAME))));
		p.put("weightsSha256", weightsSha256(parent));
		p.put("date", card.json().get("date"));
		Set<String> known = new LinkedHashSet<>();
		if (card.json().get("lineage") instanceof Map<?, ?> old && old.get("cases") instanceof List<?> l)
			for (Object o : l) if (o instanceof Map<?, ?> m && m.get("sha256") instanceof String s) known.add(s);
		List<Object> all = new ArrayList<>();
		List<Object> added = new ArrayList<>();
		for (Datasets.Case c : cases) {
			Map<String, Object> e = new LinkedHashMap<>();
			e.put("name", c.name());
			e.put("sha256", caseSha256(c));
			all.add(e);
			if (!known.contains(e.get("sha256"))) added.add(c.name());
		}
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("parent", p);
		out.put("generation", card.json().get("lineage") instanceof Map<?, ?> old && old.get("generation") instanceof Number g
			? g.intValue() + 1 : 1);
		out.put("preprocessing", preprocessing);
		out.put("preprocessingRefitted", refit);
		out.put("cases", all);
		out.put("casesAdded", added);
		out.put("casesAddedNote", known.isEmpty() ? "the parent's card lists no cases (trained from scratch), so every case"
			+ " counts as added" : "cases whose voxels the parent's lineage does not list");
		out.put("date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
		return out;
	}

	/**
	 * SHA-256 over the parent's {@code saved_model/} files in sorted order, each as its relative path (UTF-8, a zero
	 * byte) then its bytes: the weights the fine-tuned network started from.
	 */
	public static String weightsSha256(Path pkg) throws IOException {
		MessageDigest md = digest();
		Path sm = pkg.resolve(Models.SAVED_MODEL_DIR);
		List<Path> files;
		try (Stream<Path> s = Files.walk(sm)) {
			files = s.filter(Files::isRegularFile).sorted().toList();
		}
		byte[] buf = new byte[1 << 16];
		for (Path f : files) {
			md.update(sm.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
			md.update((byte) 0);
			try (InputStream in = Files.newInputStream(f)) {
				for (int n; (n = in.read(buf)) > 0;) md.update(buf, 0, n);
			}
		}
		return HexFormat.of().formatHex(md.digest());
	}

	/** SHA-256 over a case's grid size, image voxels (float bits, little-endian) and mask labels: no identifiers. */
	public static String caseSha256(Datasets.Case c) {
		MessageDigest md = digest();
		var g = c.image().geometry();
		ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(g.nx()).putInt(g.ny()).putInt(g.nz());
		md.update(head.array());
		float[] v = c.image().voxels();
		ByteBuffer bb = ByteBuffer.allocate(4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < v.length; i++) {
			bb.putFloat(v[i]);
			if (!bb.hasRemaining()) {
				md.update(bb.array(), 0, bb.position());
				bb.clear();
			}
		}
		md.update(bb.array(), 0, bb.position());
		md.update(c.mask().labels());
		return HexFormat.of().formatHex(md.digest());
	}

	static String sha256(byte[] bytes) {
		return sha256Hex(bytes);
	}

	/** The SHA-256 of {@code bytes} as lower-case hex. */
	public static String sha256Hex(byte[] bytes) {
		return HexFormat.of().formatHex(digest().digest(bytes));
	}

	private static MessageDigest digest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}

	private static String spacing(double[] t) {
		if (t == null) return "each case's own";
		List<String> s = new ArrayList<>();
		for (double d : t) s.add(Double.isNaN(d) ? "kept" : String.format(Locale.ROOT, "%.2f", d));
		return String.join(" × ", s) + " mm (x, y, z)";
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> object(Object o) {
		return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
	}

	private static Integer integer(Map<String, Object> m, String key, Path pkg) throws ModelFormatException {
		if (m.get(key) instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.intValue() >= 1) return n.intValue();
		throw new ModelFormatException(pkg, "architecture." + key, "is missing or not a whole number ≥ 1; fine-tuning rebuilds"
			+ " the network from it");
	}

	private static Double number(Map<String, Object> m, String key) {
		return m.get(key) instanceof Number n ? n.doubleValue() : null;
	}

	private static String string(Map<String, Object> m, String key) {
		return m.get(key) instanceof String s ? s : null;
	}
}
