package org.medcnn.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.medcnn.common.Cancellation;
import org.medcnn.common.IoMessages;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Which unlabelled case to label next: ranks cases by how much an expert's correction of the model's prediction
 * should teach it, the same for the CLI ({@code suggest}), the ImageJ plugin ({@code Suggest Next Case...}) and the
 * active-learning benchmark. Stateless.
 * <p>
 * <b>The score</b> is the volume of the model's prediction that the expert is expected to correct, by the model's own
 * probabilities. Each case is segmented four times, plain and mirrored left-right, up-down and both (as
 * {@link Segmenter#segment(Volume, boolean, ProgressListener, Cancellation)} does for test-time augmentation); p is the
 * mean of the four probability maps and m = [p ≥ 0.5] the predicted mask. If the true labels were drawn voxel by voxel
 * with the probabilities p, a voxel's label would differ from m with probability min(p, 1 − p): the score is the sum of
 * that over the candidate region (the voxels with p ≥ {@value #CANDIDATE}; the far larger background below it would
 * otherwise add its tiny doubts up to a volume that says nothing about lesions), in millilitres. It is 0 when every
 * candidate voxel is certain (p near 0 or 1, and the four passes agree, since disagreeing passes average to middling
 * probabilities), and large when the model sees a large lesion-like region it cannot commit to, or whose extent the
 * mirrored passes disagree on.
 * <p>
 * Why a volume, not a ratio: the first version ranked by 1 − the expected Dice over the candidate region, a ratio that
 * is highest where the model barely sees anything (a few lesion-like voxels at p &lt; 0.5). On the MR phantoms of
 * {@code bench active-learning} such cases taught the model least. Fine-tuning an initial model (4 cases) with each of 12
 * pool cases added in turn (8 epochs; two seeds other than the benchmark's), the held-out Dice gained by a case had a
 * rank correlation of −0.28 and −0.32 with that ratio, and +0.46 and +0.15 with the summed uncertainty Σ p(1 − p) over
 * the candidates (gains −0.03 to +0.06; fine-tuning without a new case: +0.009 and −0.005); in the benchmark (5 seeds)
 * random picks beat the ratio by 0.011 ± 0.006 of held-out Dice. A correction teaches in proportion to what it changes.
 * The expected Dice is still reported, beside the voxels in doubt (0.05 ≤ p &lt; 0.95), the flips' disagreement (1 − the
 * Dice between the intersection and the union of the four masks), the predicted lesions and their volume. A case with
 * fewer than {@value #MIN_CANDIDATES} candidate voxels gets 0: the model confidently sees no lesion there. Ties go to the
 * case with more voxels in doubt.
 */
public final class Suggestions {

	/** Probability from which a voxel counts as a candidate for lesion. */
	public static final double CANDIDATE = 0.05;
	/** Fewer candidate voxels than this: confidently no lesion. */
	public static final int MIN_CANDIDATES = 10;

	private Suggestions() {}

	/**
	 * One ranked case.
	 *
	 * @param name the case name
	 * @param entry where it was read from
	 * @param seriesUid the DICOM series of the entry that was scored ("" for other images): an entry may hold several
	 * @param score the volume the expert is expected to correct, mL; NaN when the case could not be read ({@code error})
	 * @param expectedDice the Dice the model expects of its prediction by its own probabilities, over the candidates (1
	 *        when there are none); NaN when not scored
	 * @param doubtVoxels voxels with 0.05 ≤ p &lt; 0.95
	 * @param flipDisagreement 1 − |∩| / |∪| of the four passes' masks (0 when all are empty)
	 * @param lesions predicted lesions (connected components of m)
	 * @param burdenMl predicted lesion volume
	 * @param reason a sentence for the user
	 * @param error why the case could not be scored, or null
	 */
	public record Suggestion(String name, Path entry, String seriesUid, double score, double expectedDice, long doubtVoxels,
		double flipDisagreement, int lesions, double burdenMl, String reason, String error) {

		public Map<String, Object> toJson() {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("case", name);
			m.put("input", entry.toString());
			m.put("score", Double.isNaN(score) ? null : round(score));
			m.put("expectedDice", Double.isNaN(expectedDice) ? null : round(expectedDice));
			m.put("doubtVoxels", doubtVoxels);
			m.put("flipDisagreement", round(flipDisagreement));
			m.put("lesions", lesions);
			m.put("burdenMl", round(burdenMl));
			m.put("reason", reason);
			if (error != null) m.put("error", error);
			return m;
		}
	}

	/**
	 * The scores of the parts of a probability map; see the class comment.
	 *
	 * @param score the volume the expert is expected to correct, mL
	 * @param expectedDice 2 Σ p·m / (Σ p + Σ m) over the candidates; 1 when there are fewer than {@value #MIN_CANDIDATES}
	 */
	public record Score(double score, double expectedDice, long candidates, long doubtVoxels, double flipDisagreement,
		Mask mask) {}

	/**
	 * Ranks the cases of {@code folders} (each entry a case, as {@link CaseSegmentation#folderInputs} lists them), most
	 * useful first; cases that cannot be read come last with their error.
	 *
	 * @param p progress over the cases, may be null
	 * @param c checked between cases and passes
	 */
	public static List<Suggestion> rank(Segmenter segmenter, List<Path> folders, ProgressListener p, Cancellation c)
		throws IOException {
		ProgressListener progress = p == null ? ProgressListener.NONE : p;
		Cancellation cancel = c == null ? new Cancellation() : c;
		List<CaseSegmentation.Input> inputs = new ArrayList<>();
		for (Path f : folders) inputs.addAll(CaseSegmentation.folderInputs(f, progress, cancel));
		if (inputs.isEmpty()) throw new IllegalArgumentException("No images found in " + folders + ": give folders holding one"
			+ " case per entry (DICOM series folders, NIfTI files or TIFF stacks)");
		List<Suggestion> out = new ArrayList<>();
		for (int i = 0; i < inputs.size(); i++) {
			CaseSegmentation.Input in = inputs.get(i);
			cancel.check();
			progress.progress((double) i / inputs.size(), "scoring " + in.name() + " (" + (i + 1) + "/" + inputs.size() + ")");
			if (in.error() != null) {
				out.add(failed(in, in.error()));
				continue;
			}
			try {
				Datasets.Loaded loaded = in.series() != null ? Datasets.load(in.series(), ProgressListener.NONE, cancel)
					: Datasets.load(in.entry(), ProgressListener.NONE, cancel);
				Suggestion sg = suggest(in.name(), in.entry(), loaded.image(), segmenter, cancel);
				String uid = loaded.series() == null ? "" : loaded.series().seriesInstanceUID();
				out.add(new Suggestion(sg.name(), sg.entry(), uid, sg.score(), sg.expectedDice(), sg.doubtVoxels(), sg.flipDisagreement(),
					sg.lesions(), sg.burdenMl(), sg.reason(), null));
			} catch (CancellationException e) {
				throw e;
			} catch (IOException | IllegalArgumentException | IllegalStateException e) {
				out.add(failed(in, IoMessages.describe(e)));
			}
		}
		progress.progress(1, "ranked " + inputs.size() + " cases");
		return sort(out);
	}

	/** Most useful first: by score, then voxels in doubt; unreadable cases last, by name. */
	public static List<Suggestion> sort(List<Suggestion> list) {
		List<Suggestion> out = new ArrayList<>(list);
		out.sort(Comparator.comparing((Suggestion s) -> s.error() != null).thenComparing(Suggestion::score,
			Comparator.reverseOrder()).thenComparing(Suggestion::doubtVoxels, Comparator.reverseOrder())
			.thenComparing(Suggestion::name));
		return out;
	}

	/** Scores one loaded case. */
	public static Suggestion suggest(String name, Path entry, Volume v, Segmenter segmenter, Cancellation c) {
		int nx = v.geometry().nx(), ny = v.geometry().ny();
		boolean[][] flips = {{false, false}, {true, false}, {false, true}, {true, true}};
		float[][] maps = new float[flips.length][];
		for (int k = 0; k < flips.length; k++) {
			boolean fx = flips[k][0], fy = flips[k][1];
			Volume mirrored = k == 0 ? v : new Volume(v.geometry(), Segmenter.mirror(v.voxels(), nx, ny, fx, fy), v.modality());
			float[] prob = segmenter.segment(mirrored, null, c).probability();
			maps[k] = k == 0 ? prob : Segmenter.mirror(prob, nx, ny, fx, fy);
		}
		Score s = score(maps, v.geometry());
		double[] sp = v.geometry().spacingMm();
		double voxelMl = sp[0] * sp[1] * sp[2] / 1000;
		int lesions = Lesions.measure(s.mask(), v).size();
		double burden = s.mask().foregroundCount() * voxelMl;
		return new Suggestion(name, entry, "", s.score(), s.expectedDice(), s.doubtVoxels(), s.flipDisagreement(), lesions, burden,
			reason(s, lesions, burden), null);
	}

	/**
	 * The score of the passes' probability maps (each over the same voxels, mirrored back already); see the class
	 * comment.
	 */
	public static Score score(float[][] maps, org.medcnn.volume.Geometry g) {
		int n = maps[0].length;
		byte[] labels = new byte[n];
		double sumP = 0, sumM = 0, sumPM = 0, corrections = 0;
		long candidates = 0, doubt = 0, union = 0, inter = 0;
		for (int i = 0; i < n; i++) {
			double p = 0;
			int votes = 0;
			for (float[] m : maps) {
				p += m[i];
				if (m[i] >= 0.5f) votes++;
			}
			p /= maps.length;
			if (votes > 0) union++;
			if (votes == maps.length) inter++;
			if (p >= 0.05 && p < 0.95) doubt++;
			if (p >= 0.5) labels[i] = 1;
			if (p < CANDIDATE) continue;
			candidates++;
			double m = p >= 0.5 ? 1 : 0;
			sumP += p;
			sumM += m;
			sumPM += p * m;
			corrections += Math.min(p, 1 - p);
		}
		boolean none = candidates < MIN_CANDIDATES;
		double[] sp = g.spacingMm();
		double score = none ? 0 : corrections * sp[0] * sp[1] * sp[2] / 1000;
		double expectedDice = none ? 1 : Math.max(0, Math.min(1, 2 * sumPM / (sumP + sumM)));
		double disagreement = union == 0 ? 0 : 1 - (double) inter / union;
		return new Score(score, expectedDice, candidates, doubt, disagreement, new Mask(g, labels));
	}

	private static String reason(Score s, int lesions, double burdenMl) {
		if (s.candidates() < MIN_CANDIDATES) return "confident: no lesion predicted (fewer than " + MIN_CANDIDATES
			+ " voxels at probability ≥ " + CANDIDATE + ")";
		double d = s.expectedDice();
		String level = d <= 0.5 ? "very uncertain" : d <= 0.8 ? "uncertain" : d <= 0.95 ? "mostly confident" : "confident";
		return String.format(Locale.ROOT, "%s: expects %.2f mL of its prediction to be corrected (expected Dice %.2f by its"
			+ " own probabilities); %d voxels in doubt (0.05 ≤ p < 0.95); the flips disagree on %.0f %% of the voxels any of"
			+ " them calls lesion; %d predicted lesion%s, %.2f mL", level, s.score(), d, s.doubtVoxels(),
			100 * s.flipDisagreement(), lesions, lesions == 1 ? "" : "s", burdenMl);
	}

	private static Suggestion failed(CaseSegmentation.Input in, String error) {
		return new Suggestion(in.name(), in.entry(), in.series() == null ? "" : in.series().seriesInstanceUID(), Double.NaN,
			Double.NaN, 0, 0, 0, 0, "not scored: " + error, error);
	}

	private static double round(double v) {
		return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : v;
	}
}
