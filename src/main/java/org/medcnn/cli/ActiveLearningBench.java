package org.medcnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.data.MrPhantomCase;
import org.medcnn.data.MrPhantomConfig;
import org.medcnn.data.MrPhantomGenerator;
import org.medcnn.data.MrTemplate;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.pipeline.FineTuning;
import org.medcnn.pipeline.SegmenterRequest;
import org.medcnn.pipeline.Suggestions;
import org.medcnn.pipeline.Trainings;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volumes;

/**
 * {@code bench active-learning}: does labelling the suggested cases ({@link Suggestions}) help a model more than
 * labelling random ones? A simulation of the annotation loop on the MR phantoms of {@code bench quality --modality mr}
 * ({@link MrPhantomGenerator}, the same anatomy, lesions, intensity scales, bias and noise), on a coarser grid so
 * that it runs in minutes on two cores: pixels of {@value #PIXEL_MIN}–{@value #PIXEL_MAX} mm, slices of
 * {@value #SLICE_MIN}–{@value #SLICE_MAX} mm, at most {@value #MAX_VOXELS} voxels per case, kept in memory (the DICOM
 * round trip is {@code bench quality}'s subject, not this one's).
 * <p>
 * Per seed: a pool of {@value #POOL} cases and {@value #TEST} held-out cases; {@value #INITIAL} pool cases, drawn at
 * random, start labelled and train the initial 2D U-Net ({@value #INITIAL_EPOCHS} epochs, {@value #FILTERS} filters,
 * batch {@value #BATCH}, {@value #SAMPLES} patches per epoch, every labelled case for training: no validation split, so
 * the package holds the last epoch's weights, and so do its fine-tuned children). Then {@value #ROUNDS} rounds for each strategy, from the
 * same initial model: pick {@value #PER_ROUND} unlabelled cases (suggest: the highest {@link Suggestions} scores under
 * the current model; random: a seeded shuffle), add them with their reference masks (the expert's correction), fine-tune
 * the current model on all labelled cases for {@value #FINETUNE_EPOCHS} epochs at learning rate {@value #FINETUNE_LR}
 * ({@link FineTuning}), and measure the
 * mean Dice on the held-out cases. The initial training and every fine-tuning decay their learning rate along a cosine,
 * so that a round's Dice measures the cases added rather than where a last full-rate step landed. The verdict compares
 * the mean Dice over seeds and rounds; beside it, per seed, the gain of suggest over random (mean over rounds) with its
 * standard error and the number of seeds suggest won, and how well the score foretells the volume an expert corrects in
 * the initial model's predictions on the unlabelled pool (Spearman).
 */
final class ActiveLearningBench {

	static final double PIXEL_MIN = 2.2, PIXEL_MAX = 2.6, SLICE_MIN = 3.5, SLICE_MAX = 4.5;
	static final int MAX_VOXELS = 400_000;
	static final int POOL = 24, TEST = 10, INITIAL = 4, ROUNDS = 3, PER_ROUND = 2;
	static final int INITIAL_EPOCHS = 30, FINETUNE_EPOCHS = 8, FILTERS = 8, BATCH = 8, SAMPLES = 320;
	/**
	 * Fine-tuning's learning rate: a third of the initial training's (Adam, 1e-3), decayed along a cosine as every
	 * fine-tuning is ({@link FineTuning}). With the initial rate and the best epoch chosen on one or two validation
	 * cases, a round could drop the held-out Dice from 0.11 to 0.01.
	 */
	static final double FINETUNE_LR = 3e-4;
	/** The initial training's learning-rate schedule: it ends settled, as the fine-tunings do. */
	static final String INITIAL_SCHEDULE = "cosine";
	static final int DEFAULT_SEEDS = 5;
	static final long SEED_BASE = 990_000;

	private ActiveLearningBench() {}

	/** The description in {@code bench active-learning --help} (picocli writes the usage line and the options). */
	static String usage() {
		return """
			Simulates the annotation loop on MR phantoms (bench quality's generator on a grid of
			  %.1f-%.1f mm pixels and %.1f-%.1f mm slices, at most %,d voxels per case): per seed a pool of %d
			  cases and %d held out; %d labelled cases train a 2D U-Net (%d epochs, %d filters); then %d rounds of
			  pick %d cases -> add them with their reference masks -> fine-tune %d epochs, once picking by
			  suggest's score and once at random. Prints the held-out mean Dice per round for both strategies,
			  per seed (default %d seeds) and averaged; exit code 3 when suggest does not beat random on average."""
			.formatted(PIXEL_MIN, PIXEL_MAX, SLICE_MIN, SLICE_MAX, MAX_VOXELS, POOL, TEST, INITIAL, INITIAL_EPOCHS, FILTERS,
				ROUNDS, PER_ROUND, FINETUNE_EPOCHS, DEFAULT_SEEDS);
	}

	/** Runs {@code bench active-learning} with its parsed options. */
	static int command(BenchCommand.ActiveLearning args, PrintStream out, PrintStream err) throws Exception {
		int seeds = args.seeds;
		Path keep = args.keep.keep;
		Path work = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("medcnn-active-learning");
		try (CliCancellation cancel = new CliCancellation()) {
			Map<String, Object> r = run(args.firstSeed, seeds, work, err, cancel.token());
			out.println(args.json.json ? Json.writePretty(r) : human(r));
			return Boolean.TRUE.equals(r.get("suggestBeatsRandom")) ? 0 : 3;
		} finally {
			if (keep == null) AtomicFiles.deleteTree(work);
		}
	}

	/**
	 * Runs seeds {@code firstSeed} … {@code firstSeed + seeds - 1} (numbered from 1; seed k draws its cases from {@value
	 * #SEED_BASE} + 1000 (k − 1)), so that a study can be extended by more seeds without repeating the first ones.
	 */
	static Map<String, Object> run(int firstSeed, int seeds, Path work, PrintStream err, Cancellation cancel)
		throws IOException {
		long t0 = System.nanoTime();
		MrTemplate template = MrTemplate.debian();
		MrPhantomConfig cfg = MrPhantomConfig.DEFAULT.withGrid(PIXEL_MIN, PIXEL_MAX, SLICE_MIN, SLICE_MAX, MAX_VOXELS);
		List<Object> perSeed = new ArrayList<>();
		double[][] suggestDice = new double[seeds][], randomDice = new double[seeds][];
		for (int s = 0; s < seeds; s++) {
			int k = firstSeed + s;
			long seed = SEED_BASE + 1000L * (k - 1);
			List<Datasets.Case> pool = new ArrayList<>(), test = new ArrayList<>();
			for (int i = 0; i < POOL + TEST; i++) {
				cancel.check();
				MrPhantomCase pc = MrPhantomGenerator.generate(seed + i, cfg, template, cancel);
				(i < POOL ? pool : test).add(new Datasets.Case(String.format(Locale.ROOT, "s%d-case%02d", k, i + 1),
					pc.volume(), pc.mask(), List.of()));
			}
			List<Datasets.Case> order = new ArrayList<>(pool);
			Collections.shuffle(order, new Random(seed));
			List<Datasets.Case> initial = new ArrayList<>(order.subList(0, INITIAL));
			err.printf(Locale.ROOT, "bench active-learning: seed %d: %d pool and %d test cases (%s …); initial %s%n", k,
				POOL, TEST, pool.get(0).image().geometry(), names(initial));
			Path seedDir = work.resolve("seed" + k);
			Path m0 = seedDir.resolve("round0");
			Trainings.trainSegmenter(SegmenterRequest.builder().epochs(INITIAL_EPOCHS).filters(FILTERS).batch(BATCH)
				.samplesPerEpoch(SAMPLES).schedule(INITIAL_SCHEDULE).seed(seed).valFraction(0.0).overwrite(true).build(), initial,
				null, cancel, m0);
			double d0 = dice(m0, test, cancel);
			List<Datasets.Case> unlabelled0 = new ArrayList<>(pool);
			unlabelled0.removeAll(initial);
			List<Suggestions.Suggestion> scored0 = scores(m0, unlabelled0, cancel);
			double[] agreement = scoreAgainstError(m0, unlabelled0, scored0, cancel);
			err.printf(Locale.ROOT, "bench active-learning: seed %d: initial model, held-out Dice %.4f; on the unlabelled pool"
				+ " (mean Dice %.4f) suggest's score ranks the volumes an expert corrects with Spearman %.3f%n", k, d0, agreement[1],
				agreement[0]);
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("seed", seed);
			row.put("initialCases", names(initial));
			row.put("initialDice", round(d0));
			row.put("initialPoolDice", round(agreement[1]));
			row.put("scoreCorrectionSpearman", round(agreement[0]));
			for (String strategy : List.of("suggest", "random")) {
				List<Datasets.Case> labelled = new ArrayList<>(initial);
				List<Datasets.Case> unlabelled = new ArrayList<>(pool);
				unlabelled.removeAll(initial);
				Random rng = new Random(seed + 7);
				Path model = m0;
				double[] dice = new double[ROUNDS + 1];
				dice[0] = d0;
				List<Object> picks = new ArrayList<>();
				for (int round = 1; round <= ROUNDS; round++) {
					// round 1 picks by the scores the initial model's pool already has (scored0)
					List<Datasets.Case> chosen = !strategy.equals("suggest") ? random(unlabelled, rng)
						: best(round == 1 ? scored0 : scores(model, unlabelled, cancel), unlabelled);
					labelled.addAll(chosen);
					unlabelled.removeAll(chosen);
					picks.add(names(chosen));
					Path next = seedDir.resolve(strategy + "-round" + round);
					FineTuning.fineTune(new FineTuning.Request(model, FINETUNE_EPOCHS, FINETUNE_LR, false, true, null), labelled, null,
						cancel, next);
					model = next;
					dice[round] = dice(model, test, cancel);
					err.printf(Locale.ROOT, "bench active-learning: seed %d, %s, round %d: +%s, held-out Dice %.4f%n", k,
						strategy, round, names(chosen), dice[round]);
				}
				row.put(strategy + "Picks", picks);
				row.put(strategy + "Dice", rounded(dice));
				if (strategy.equals("suggest")) suggestDice[s] = dice;
				else randomDice[s] = dice;
			}
			perSeed.add(row);
		}
		double[] meanSuggest = mean(suggestDice), meanRandom = mean(randomDice);
		double sumS = 0, sumR = 0;
		for (int round = 1; round <= ROUNDS; round++) {
			sumS += meanSuggest[round];
			sumR += meanRandom[round];
		}
		double[] gains = new double[seeds];
		int won = 0;
		for (int s = 0; s < seeds; s++) {
			for (int round = 1; round <= ROUNDS; round++) gains[s] += (suggestDice[s][round] - randomDice[s][round]) / ROUNDS;
			if (gains[s] > 0) won++;
		}
		double meanGain = 0, var = 0;
		for (double g : gains) meanGain += g / seeds;
		for (double g : gains) var += (g - meanGain) * (g - meanGain) / Math.max(1, seeds - 1);
		Map<String, Object> r = new LinkedHashMap<>();
		r.put("bench", "active-learning");
		r.put("modality", "mr");
		Map<String, Object> setup = new LinkedHashMap<>();
		setup.put("grid", String.format(Locale.ROOT, "pixels %.1f-%.1f mm, slices %.1f-%.1f mm, at most %d voxels", PIXEL_MIN,
			PIXEL_MAX, SLICE_MIN, SLICE_MAX, MAX_VOXELS));
		setup.put("pool", POOL);
		setup.put("test", TEST);
		setup.put("initial", INITIAL);
		setup.put("rounds", ROUNDS);
		setup.put("perRound", PER_ROUND);
		setup.put("initialEpochs", INITIAL_EPOCHS);
		setup.put("finetuneEpochs", FINETUNE_EPOCHS);
		setup.put("finetuneLearningRate", FINETUNE_LR);
		setup.put("validation", "none: every labelled case trains; the last epoch's weights are kept");
		setup.put("network", "2D U-Net, " + FILTERS + " filters, batch " + BATCH + ", " + SAMPLES + " patches per epoch (initial)");
		setup.put("score", "suggest: the volume the model expects to be corrected, by its own probabilities over 4 mirrored"
			+ " passes");
		setup.put("schedule", "initial training and fine-tuning: learning rate decayed along a cosine to 1 % at the last epoch");
		r.put("setup", setup);
		r.put("firstSeed", firstSeed);
		r.put("seeds", perSeed);
		r.put("meanSuggestDice", rounded(meanSuggest));
		r.put("meanRandomDice", rounded(meanRandom));
		r.put("meanOverRoundsSuggest", round(sumS / ROUNDS));
		r.put("meanOverRoundsRandom", round(sumR / ROUNDS));
		r.put("meanGainPerSeed", round(meanGain));
		r.put("gainStandardError", round(Math.sqrt(var / seeds)));
		r.put("seedsWon", won);
		r.put("suggestBeatsRandom", sumS > sumR);
		r.put("device", Models.device());
		r.put("seconds", round((System.nanoTime() - t0) / 1e9));
		return r;
	}

	/** Suggest's score of each case under {@code model}, in the cases' order. */
	static List<Suggestions.Suggestion> scores(Path model, List<Datasets.Case> cases, Cancellation cancel) throws IOException {
		List<Suggestions.Suggestion> scored = new ArrayList<>();
		try (Segmenter s = Models.openSegmenter(model)) {
			for (Datasets.Case c : cases) scored.add(Suggestions.suggest(c.name(), Path.of(c.name()), c.image(), s, cancel));
		}
		return scored;
	}

	/** The {@value #PER_ROUND} unlabelled cases that suggest ranks first by {@code scored}, most useful first. */
	static List<Datasets.Case> best(List<Suggestions.Suggestion> scored, List<Datasets.Case> unlabelled) {
		List<String> best = Suggestions.sort(scored).stream().limit(PER_ROUND).map(Suggestions.Suggestion::name).toList();
		return unlabelled.stream().filter(c -> best.contains(c.name()))
			.sorted(Comparator.comparingInt(c -> best.indexOf(c.name()))).toList();
	}

	/**
	 * How well suggest's score foretells the expert's work: Spearman's rank correlation between the score (the volume the
	 * model expects to be corrected) and the volume actually corrected (the voxels where the model's prediction, with
	 * Segment Tumors' defaults, and the reference differ, mL) over {@code cases}; and the prediction's mean Dice.
	 *
	 * @param scored the cases' scores under {@code model} ({@link #scores}), in the cases' order
	 */
	static double[] scoreAgainstError(Path model, List<Datasets.Case> cases, List<Suggestions.Suggestion> scored,
		Cancellation cancel) throws IOException {
		double[] score = new double[cases.size()], corrected = new double[cases.size()];
		double sum = 0;
		try (Segmenter s = Models.openSegmenter(model)) {
			for (int i = 0; i < cases.size(); i++) {
				Datasets.Case c = cases.get(i);
				score[i] = scored.get(i).score();
				Mask predicted = CaseSegmentation.segment(s, c.image(), CaseSegmentation.Options.DEFAULT, ProgressListener.NONE,
					cancel).mask();
				byte[] a = predicted.labels(), b = c.mask().labels();
				long differ = 0;
				for (int k = 0; k < a.length; k++) if ((a[k] != 0) != (b[k] != 0)) differ++;
				double[] sp = c.image().geometry().spacingMm();
				corrected[i] = differ * sp[0] * sp[1] * sp[2] / 1000;
				sum += Volumes.dice(predicted, c.mask());
			}
		}
		return new double[] {spearman(score, corrected), sum / cases.size()};
	}

	/** Spearman's rank correlation (ties get their mean rank). */
	static double spearman(double[] a, double[] b) {
		double[] ra = ranks(a), rb = ranks(b);
		int n = a.length;
		double ma = (n - 1) / 2.0, cov = 0, va = 0, vb = 0;
		for (int i = 0; i < n; i++) {
			cov += (ra[i] - ma) * (rb[i] - ma);
			va += (ra[i] - ma) * (ra[i] - ma);
			vb += (rb[i] - ma) * (rb[i] - ma);
		}
		return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
	}

	private static double[] ranks(double[] v) {
		Integer[] order = new Integer[v.length];
		for (int i = 0; i < v.length; i++) order[i] = i;
		java.util.Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
		double[] r = new double[v.length];
		for (int i = 0; i < v.length;) {
			int j = i;
			while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
			for (int k = i; k <= j; k++) r[order[k]] = (i + j) / 2.0;
			i = j + 1;
		}
		return r;
	}

	static List<Datasets.Case> random(List<Datasets.Case> unlabelled, Random rng) {
		List<Datasets.Case> shuffled = new ArrayList<>(unlabelled);
		Collections.shuffle(shuffled, rng);
		return List.copyOf(shuffled.subList(0, Math.min(PER_ROUND, shuffled.size())));
	}

	/** Mean Dice of the model on the held-out cases (Segment Tumors' defaults). */
	static double dice(Path model, List<Datasets.Case> test, Cancellation cancel) throws IOException {
		double sum = 0;
		try (Segmenter s = Models.openSegmenter(model)) {
			for (Datasets.Case c : test)
				sum += Volumes.dice(CaseSegmentation.segment(s, c.image(), CaseSegmentation.Options.DEFAULT, ProgressListener.NONE,
					cancel).mask(), c.mask());
		}
		return sum / test.size();
	}

	private static List<String> names(List<Datasets.Case> cases) {
		return cases.stream().map(Datasets.Case::name).toList();
	}

	private static double[] mean(double[][] rows) {
		double[] m = new double[rows[0].length];
		for (double[] r : rows) for (int i = 0; i < m.length; i++) m[i] += r[i] / rows.length;
		return m;
	}

	private static List<Double> rounded(double[] a) {
		List<Double> out = new ArrayList<>();
		for (double d : a) out.add(round(d));
		return out;
	}

	private static double round(double v) {
		return Math.round(v * 10000) / 10000.0;
	}

	static String human(Map<String, Object> r) {
		return String.format(Locale.ROOT, "active learning (%s): mean held-out Dice by round (0 = initial)%n  suggest %s%n"
			+ "  random  %s%n  mean over rounds 1-%d: suggest %s, random %s -> %s (%s s)%n  per seed, suggest minus random:"
			+ " %s ± %s (standard error), suggest ahead in %s of %d seeds", r.get("modality"),
			r.get("meanSuggestDice"), r.get("meanRandomDice"), ROUNDS, r.get("meanOverRoundsSuggest"),
			r.get("meanOverRoundsRandom"), Boolean.TRUE.equals(r.get("suggestBeatsRandom")) ? "suggest beats random"
				: "suggest does not beat random", r.get("seconds"), r.get("meanGainPerSeed"), r.get("gainStandardError"),
			r.get("seedsWon"), ((List<?>) r.get("seeds")).size());
	}
}
