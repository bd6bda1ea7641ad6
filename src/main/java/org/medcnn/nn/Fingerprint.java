package org.medcnn.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Intensities;
import org.medcnn.volume.Intensities.Stats;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The dataset fingerprint of a training set (after nnU-Net's, Isensee et al. 2021): what the data are, measured
 * before training so that preprocessing, network and training can follow them instead of fixed values.
 * <p>
 * It holds the modalities, the voxel spacing and image size per axis (median, least, largest), intensity statistics
 * of the body voxels and of the lesion voxels in real-world units (pooled over the cases, each case contributing a
 * bounded, deterministic sample), the lesion voxels' statistics in units of their own image's body z-score (a lesion's
 * contrast whatever the scanner's scale), the lesions' sizes (connected components, in voxels and mm³), the
 * foreground's share of voxels and slices, and for classifiers the items per class. No identifier of any case is
 * kept. Immutable.
 *
 * @param cases number of training cases (or classification items)
 * @param modalities cases per modality, sorted by name
 * @param medianSpacingMm median voxel spacing {x, y, z}
 * @param minSpacingMm least spacing per axis
 * @param maxSpacingMm largest spacing per axis
 * @param medianSizeXyz median image size {x, y, z} in voxels
 * @param minSizeXyz least size per axis
 * @param maxSizeXyz largest size per axis
 * @param body the body voxels' statistics (see {@link Intensities#bodyThreshold}), real-world units
 * @param lesion the lesion voxels' statistics, real-world units ({@link Stats#NONE} without masks)
 * @param lesionZ the lesion voxels in units of their image's body z-score ({@link Stats#NONE} without masks)
 * @param ctClip the CT normalisation's statistics over the pooled body and lesion voxels: {0.5 percentile, 99.5
 *        percentile, mean and standard deviation after clipping to them}
 * @param lesions the lesions' sizes, or null without masks
 * @param foregroundFraction lesion voxels / all voxels (NaN without masks)
 * @param lesionSliceFraction slices showing lesion / all slices (NaN without masks)
 * @param classCounts items per class name for a classification set, else empty
 * @param totalSlices slices of all cases together
 * @param readWarnings what the readers assumed or left out (a missing spacing, a skipped slice), each with the number
 *        of cases it concerns; file names are replaced by "…" so that no identifier reaches the card
 */
public record Fingerprint(int cases, Map<String, Integer> modalities, double[] medianSpacingMm, double[] minSpacingMm,
	double[] maxSpacingMm, int[] medianSizeXyz, int[] minSizeXyz, int[] maxSizeXyz, Stats body, Stats lesion,
	Stats lesionZ, double[] ctClip, LesionSizes lesions, double foregroundFraction, double lesionSliceFraction,
	Map<String, Integer> classCounts, long totalSlices, Map<String, Integer> readWarnings) {

	/** Values each case contributes to the pooled statistics, at most (so every case counts about equally). */
	static final int POOLED_PER_CASE = 1 << 17;

	/**
	 * Sizes of the connected lesions (26-connected components of the label &gt; 0 voxels) over all cases.
	 *
	 * @param count lesions in all cases
	 * @param minPerCase fewest lesions in one case
	 * @param maxPerCase most lesions in one case
	 * @param medianVoxels median lesion size in voxels
	 * @param medianMm3 median lesion volume (mm³)
	 * @param p10Mm3 10th percentile of the volumes (mm³)
	 * @param p90Mm3 90th percentile of the volumes (mm³)
	 * @param minMm3 smallest volume (mm³)
	 * @param maxMm3 largest volume (mm³)
	 */
	public record LesionSizes(int count, int minPerCase, int maxPerCase, double medianVoxels, double medianMm3,
		double p10Mm3, double p90Mm3, double minMm3, double maxMm3) {

		/** The diameter (mm) of a sphere of {@code mm3} cubic millimetres. */
		public static double diameterMm(double mm3) {
			return Math.cbrt(6 * mm3 / Math.PI);
		}
	}

	public Fingerprint {
		// unmodifiable copies that keep their order (Map.copyOf does not: the summary and card would vary between runs)
		modalities = java.util.Collections.unmodifiableMap(new TreeMap<>(modalities));
		classCounts = classCounts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(classCounts));
		readWarnings = readWarnings == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(readWarnings));
		medianSpacingMm = medianSpacingMm.clone();
		minSpacingMm = minSpacingMm.clone();
		maxSpacingMm = maxSpacingMm.clone();
		medianSizeXyz = medianSizeXyz.clone();
		minSizeXyz = minSizeXyz.clone();
		maxSizeXyz = maxSizeXyz.clone();
		ctClip = ctClip.clone();
	}

	/**
	 * Measures a segmentation training set.
	 *
	 * @param images the cases' images (real-world values)
	 * @param masks their label masks on the same grids, or null (a classification set)
	 * @throws IllegalArgumentException when there are no images or the counts differ
	 */
	public static Fingerprint of(List<Volume> images, List<Mask> masks) {
		if (images == null || images.isEmpty()) throw new IllegalArgumentException("No cases to fingerprint");
		if (masks != null && masks.size() != images.size())
			throw new IllegalArgumentException(images.size() + " images but " + masks.size() + " masks");
		int n = images.size();
		Map<String, Integer> modalities = new TreeMap<>();
		double[][] spacing = new double[3][n];
		int[][] size = new int[3][n];
		List<float[]> bodies = new ArrayList<>(), lesionsRaw = new ArrayList<>(), lesionsZ = new ArrayList<>();
		List<Double> lesionMm3 = new ArrayList<>(), lesionVoxels = new ArrayList<>();
		int minPerCase = Integer.MAX_VALUE, maxPerCase = 0;
		long fgVoxels = 0, allVoxels = 0, fgSlices = 0, allSlices = 0, totalSlices = 0;
		for (int c = 0; c < n; c++) {
			Volume v = images.get(c);
			Geometry g = v.geometry();
			modalities.merge(v.modality(), 1, Integer::sum);
			totalSlices += g.nz();
			double[] s = g.spacingMm();
			int[] dims = {g.nx(), g.ny(), g.nz()};
			for (int a = 0; a < 3; a++) {
				spacing[a][c] = s[a];
				size[a][c] = dims[a];
			}
			float[] x = v.voxels();
			double threshold = Intensities.bodyThreshold(x, v.modality());
			float[] body = Intensities.select(x, null, threshold, POOLED_PER_CASE);
			bodies.add(body);
			if (masks == null) continue;
			byte[] labels = masks.get(c).labels();
			float[] lesion = Intensities.select(x, labels, Double.NEGATIVE_INFINITY, POOLED_PER_CASE);
			lesionsRaw.add(lesion);
			double[] ms = Intensities.meanStd(Intensities.select(x, null, threshold, Intensities.MAX_SAMPLE));
			float[] z = new float[lesion.length];
			double sd = ms[1] > 0 ? ms[1] : 1;
			for (int i = 0; i < z.length; i++) z[i] = (float) ((lesion[i] - ms[0]) / sd);
			lesionsZ.add(z);
			int[] comp = Lesions.label(masks.get(c), 1);
			int k = 0;
			for (int id : comp) k = Math.max(k, id);
			long[] counts = new long[k + 1];
			for (int id : comp) if (id > 0) counts[id]++;
			for (int id = 1; id <= k; id++) {
				lesionVoxels.add((double) counts[id]);
				lesionMm3.add(counts[id] * g.voxelVolumeMm3());
			}
			minPerCase = Math.min(minPerCase, k);
			maxPerCase = Math.max(maxPerCase, k);
			int sliceSize = g.sliceSize();
			for (int zz = 0; zz < g.nz(); zz++) {
				boolean any = false;
				for (int i = zz * sliceSize; i < (zz + 1) * sliceSize; i++)
					if (labels[i] != 0) {
						fgVoxels++;
						any = true;
					}
				if (any) fgSlices++;
			}
			allVoxels += labels.length;
			allSlices += g.nz();
		}
		float[] bodyAll = concat(bodies);
		Stats bodyStats = Stats.of(bodyAll);
		Stats lesionStats = masks == null ? Stats.NONE : Stats.of(concat(lesionsRaw));
		Stats lesionZStats = masks == null ? Stats.NONE : Stats.of(concat(lesionsZ));
		List<float[]> pooled = new ArrayList<>(bodies);
		pooled.addAll(lesionsRaw);
		double[] ctClip = clipStatistics(concat(pooled));
		LesionSizes sizes = null;
		if (masks != null) {
			double[] mm3 = lesionMm3.stream().mapToDouble(Double::doubleValue).sorted().toArray();
			double[] vox = lesionVoxels.stream().mapToDouble(Double::doubleValue).sorted().toArray();
			sizes = new LesionSizes(mm3.length, minPerCase == Integer.MAX_VALUE ? 0 : minPerCase, maxPerCase,
				pct(vox, 50), pct(mm3, 50), pct(mm3, 10), pct(mm3, 90), mm3.length == 0 ? Double.NaN : mm3[0],
				mm3.length == 0 ? Double.NaN : mm3[mm3.length - 1]);
		}
		return new Fingerprint(n, modalities, medians(spacing), mins(spacing), maxs(spacing), medians(size), mins(size),
			maxs(size), bodyStats, lesionStats, lesionZStats, ctClip, sizes,
			masks == null ? Double.NaN : (double) fgVoxels / Math.max(1, allVoxels),
			masks == null ? Double.NaN : (double) fgSlices / Math.max(1, allSlices), Map.of(), totalSlices, Map.of());
	}

	/** Measures a classification set: {@link #of} without masks, plus the items per class. */
	public static Fingerprint ofItems(List<Volume> items, int[] labels, List<String> classNames) {
		Fingerprint f = of(items, null);
		Map<String, Integer> counts = new LinkedHashMap<>();
		for (String c : classNames) counts.put(c, 0);
		for (int l : labels) counts.merge(classNames.get(l), 1, Integer::sum);
		return new Fingerprint(f.cases, f.modalities, f.medianSpacingMm, f.minSpacingMm, f.maxSpacingMm, f.medianSizeXyz,
			f.minSizeXyz, f.maxSizeXyz, f.body, f.lesion, f.lesionZ, f.ctClip, f.lesions, f.foregroundFraction,
			f.lesionSliceFraction, counts, f.totalSlices, f.readWarnings);
	}

	/**
	 * This fingerprint with the readers' warnings of its cases (one list per case): each distinct warning, file names
	 * replaced by "…", with the number of cases it concerns.
	 */
	public Fingerprint withReadWarnings(List<List<String>> perCase) {
		Map<String, Integer> counts = new TreeMap<>();
		for (List<String> ws : perCase) {
			java.util.Set<String> seen = new java.util.TreeSet<>();
			for (String w : ws) seen.add(withoutFileNames(w));
			for (String w : seen) counts.merge(w, 1, Integer::sum);
		}
		return new Fingerprint(cases, modalities, medianSpacingMm, minSpacingMm, maxSpacingMm, medianSizeXyz, minSizeXyz,
			maxSizeXyz, body, lesion, lesionZ, ctClip, lesions, foregroundFraction, lesionSliceFraction, classCounts,
			totalSlices, counts);
	}

	/**
	 * A reader's warning without the file names it may hold (they can be patient names or UIDs): the slots the
	 * series reader and DICOMDIR reader fill with names, and any word that looks like a path or a file with an
	 * extension, become "…".
	 */
	static String withoutFileNames(String warning) {
		return warning.replaceAll("(damaged slice) \\S+", "$1 …")
			.replaceAll("(neighbouring slices) \\S+ and \\S+", "$1 … and …")
			.replaceAll("(missing files?): .*", "$1: …")
			.replaceAll("(Referenced File ID) \\S+", "$1 …")
			.replaceAll("[^\\s(),;:]*[/\\\\][^\\s(),;:]*|[^\\s(),;:]*[A-Za-z_\\-][^\\s(),;:]*\\.[A-Za-z][A-Za-z0-9]{0,4}\\b", "…");
	}

	/** {p0.5, p99.5, mean and sd of the values clipped to them}; NaNs without values. */
	static double[] clipStatistics(float[] values) {
		float[] v = values.clone();
		Arrays.sort(v);
		int n = v.length;
		while (n > 0 && Float.isNaN(v[n - 1])) n--;
		if (n == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
		float[] s = n == v.length ? v : Arrays.copyOf(v, n);
		double lo = Intensities.percentile(s, 0.5), hi = Intensities.percentile(s, 99.5), sum = 0, ss = 0;
		for (float x : s) sum += Math.min(hi, Math.max(lo, x));
		double mean = sum / n;
		for (float x : s) {
			double d = Math.min(hi, Math.max(lo, x)) - mean;
			ss += d * d;
		}
		return new double[] {lo, hi, mean, Math.sqrt(ss / n)};
	}

	/** The single modality of the set, or null when it mixes several. */
	public String modality() {
		return modalities.size() == 1 ? modalities.keySet().iterator().next() : null;
	}

	/** Whether every case is CT (Hounsfield units). */
	public boolean isCt() {
		return "CT".equalsIgnoreCase(modality());
	}

	/** The median spacing's largest axis ratio z / in-plane (≥ 1 means thicker slices). */
	public double anisotropy() {
		return medianSpacingMm[2] / Math.max(medianSpacingMm[0], medianSpacingMm[1]);
	}

	/** The CT normalisation the statistics give (see {@link Normalisation.CtClip}). */
	public Normalisation.CtClip ctNormalisation() {
		double std = ctClip[3] > 0 ? ctClip[3] : 1;
		double hi = ctClip[1] > ctClip[0] ? ctClip[1] : ctClip[0] + 1;
		return new Normalisation.CtClip(ctClip[0], hi, ctClip[2], std);
	}

	/** A few lines for the CLI, the ImageJ Log and the training window. */
	public String summary() {
		StringBuilder sb = new StringBuilder();
		sb.append(String.format(Locale.ROOT, "Dataset fingerprint: %d %s, %s%n", cases, classCounts.isEmpty() ? "cases" : "items",
			modalityText()));
		sb.append(String.format(Locale.ROOT, "  spacing median %s mm (x×y×z; range %s to %s), size median %s (range %s to %s)%n",
			xyz(medianSpacingMm), xyz(minSpacingMm), xyz(maxSpacingMm), xyz(medianSizeXyz), xyz(minSizeXyz), xyz(maxSizeXyz)));
		sb.append("  body: ").append(body.describe());
		if (lesion.count() > 0)
			sb.append(System.lineSeparator()).append("  lesion: ").append(lesion.describe()).append(String.format(Locale.ROOT,
				"; in body z-units mean %+.2f (p0.5 %+.2f, p99.5 %+.2f)", lesionZ.mean(), lesionZ.p005(), lesionZ.p995()));
		if (lesions != null)
			sb.append(System.lineSeparator()).append(String.format(Locale.ROOT,
				"  lesions: %d (%d-%d per case), median %.2f mL (ø %.0f mm), 10-90 %% %.2f-%.2f mL; foreground %.2f %% of voxels,"
					+ " %.0f %% of slices", lesions.count(), lesions.minPerCase(), lesions.maxPerCase(), lesions.medianMm3() / 1000,
				LesionSizes.diameterMm(lesions.medianMm3()), lesions.p10Mm3() / 1000, lesions.p90Mm3() / 1000,
				100 * foregroundFraction, 100 * lesionSliceFraction));
		if (!classCounts.isEmpty()) sb.append(System.lineSeparator()).append("  classes: ").append(classCounts);
		readWarnings.forEach((w, n) -> sb.append(System.lineSeparator()).append(String.format(Locale.ROOT,
			"  warning (%d of %d %s): %s", n, cases, classCounts.isEmpty() ? "cases" : "items", w)));
		return sb.toString();
	}

	private String modalityText() {
		List<String> parts = new ArrayList<>();
		modalities.forEach((m, c) -> parts.add(m + " ×" + c));
		return String.join(", ", parts);
	}

	/** The card record {@code fingerprint}. */
	public Map<String, Object> cardRecord() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("cases", cases);
		m.put("slices", totalSlices);
		m.put("modalities", new TreeMap<>(modalities));
		Map<String, Object> sp = new LinkedHashMap<>();
		sp.put("median", list(medianSpacingMm));
		sp.put("min", list(minSpacingMm));
		sp.put("max", list(maxSpacingMm));
		m.put("spacingMmXyz", sp);
		Map<String, Object> sz = new LinkedHashMap<>();
		sz.put("median", Arrays.stream(medianSizeXyz).boxed().toList());
		sz.put("min", Arrays.stream(minSizeXyz).boxed().toList());
		sz.put("max", Arrays.stream(maxSizeXyz).boxed().toList());
		m.put("sizeXyz", sz);
		m.put("bodyIntensity", stats(body));
		if (lesion.count() > 0) {
			m.put("lesionIntensity", stats(lesion));
			m.put("lesionIntensityBodyZ", stats(lesionZ));
		}
		if (lesions != null) {
			Map<String, Object> l = new LinkedHashMap<>();
			l.put("count", lesions.count());
			l.put("perCaseMin", lesions.minPerCase());
			l.put("perCaseMax", lesions.maxPerCase());
			l.put("medianVoxels", round(lesions.medianVoxels()));
			l.put("medianMm3", round(lesions.medianMm3()));
			l.put("p10Mm3", round(lesions.p10Mm3()));
			l.put("p90Mm3", round(lesions.p90Mm3()));
			l.put("minMm3", round(lesions.minMm3()));
			l.put("maxMm3", round(lesions.maxMm3()));
			m.put("lesions", l);
			m.put("foregroundVoxelFraction", round(foregroundFraction));
			m.put("lesionSliceFraction", round(lesionSliceFraction));
		}
		if (!classCounts.isEmpty()) m.put("classCounts", new LinkedHashMap<>(classCounts));
		if (!readWarnings.isEmpty()) {
			List<Object> ws = new ArrayList<>();
			readWarnings.forEach((w, n) -> {
				Map<String, Object> r = new LinkedHashMap<>();
				r.put("warning", w);
				r.put("cases", n);
				ws.add(r);
			});
			m.put("readWarnings", ws);
		}
		return m;
	}

	private static Map<String, Object> stats(Stats s) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("samples", s.count());
		m.put("p0.5", round(s.p005()));
		m.put("p50", round(s.p50()));
		m.put("p99.5", round(s.p995()));
		m.put("mean", round(s.mean()));
		m.put("std", round(s.std()));
		return m;
	}

	private static Object round(double v) {
		if (!Double.isFinite(v)) return null;
		return Math.round(v * 10000) / 10000.0;
	}

	private static List<Object> list(double[] a) {
		List<Object> l = new ArrayList<>();
		for (double v : a) l.add(round(v));
		return l;
	}

	private static String xyz(double[] a) {
		return String.format(Locale.ROOT, "%.2f×%.2f×%.2f", a[0], a[1], a[2]);
	}

	private static String xyz(int[] a) {
		return a[0] + "×" + a[1] + "×" + a[2];
	}

	private static float[] concat(List<float[]> parts) {
		int n = 0;
		for (float[] p : parts) n += p.length;
		float[] out = new float[n];
		int k = 0;
		for (float[] p : parts) {
			System.arraycopy(p, 0, out, k, p.length);
			k += p.length;
		}
		return out;
	}

	private static double pct(double[] sorted, double p) {
		if (sorted.length == 0) return Double.NaN;
		double r = p / 100 * (sorted.length - 1);
		int i = (int) Math.floor(r);
		if (i >= sorted.length - 1) return sorted[sorted.length - 1];
		return sorted[i] + (r - i) * (sorted[i + 1] - sorted[i]);
	}

	private static double[] medians(double[][] v) {
		double[] out = new double[3];
		for (int a = 0; a < 3; a++) {
			double[] s = v[a].clone();
			Arrays.sort(s);
			out[a] = pct(s, 50);
		}
		return out;
	}

	private static double[] mins(double[][] v) {
		double[] out = new double[3];
		for (int a = 0; a < 3; a++) out[a] = Arrays.stream(v[a]).min().orElse(Double.NaN);
		return out;
	}

	private static double[] maxs(double[][] v) {
		double[] out = new double[3];
		for (int a = 0; a < 3; a++) out[a] = Arrays.stream(v[a]).max().orElse(Double.NaN);
		return out;
	}

	private static int[] medians(int[][] v) {
		int[] out = new int[3];
		for (int a = 0; a < 3; a++) {
			int[] s = v[a].clone();
			Arrays.sort(s);
			out[a] = s[(s.length - 1) / 2];
		}
		return out;
	}

	private static int[] mins(int[][] v) {
		int[] out = new int[3];
		for (int a = 0; a < 3; a++) out[a] = Arrays.stream(v[a]).min().orElse(0);
		return out;
	}

	private static int[] maxs(int[][] v) {
		int[] out = new int[3];
		for (int a = 0; a < 3; a++) out[a] = Arrays.stream(v[a]).max().orElse(0);
		return out;
	}
}
