package org.medcnn.nn.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classification metrics from true labels, predicted labels and class probabilities: confusion matrix,
 * accuracy, balanced accuracy, per-class precision and recall, and one-vs-rest ROC AUC. Immutable.
 * <p>
 * Undefined values are NaN (written as {@code null} in JSON): precision of a class never predicted, recall and
 * AUC of a class absent from the labels (AUC also when every item has that class). Balanced accuracy and the
 * macro AUC average the defined per-class values.
 */
public final class ClassificationMetrics {

	private final List<String> classNames;
	private final long[][] confusion;
	private final double[] auc;
	private final int n;

	private ClassificationMetrics(List<String> classNames, long[][] confusion, double[] auc, int n) {
		this.classNames = classNames;
		this.confusion = confusion;
		this.auc = auc;
		this.n = n;
	}

	/**
	 * Computes the metrics.
	 *
	 * @param classNames class names in index order (at least 2)
	 * @param labels true class index of each item
	 * @param probabilities per item, the probability of each class (its arg-max is the prediction)
	 * @throws IllegalArgumentException when counts differ, a label is out of range or a row has the wrong length
	 */
	public static ClassificationMetrics of(List<String> classNames, int[] labels, float[][] probabilities) {
		int k = classNames.size();
		if (k < 2) throw new IllegalArgumentException("classNames must name at least 2 classes, got " + classNames);
		if (labels.length != probabilities.length)
			throw new IllegalArgumentException(labels.length + " labels but " + probabilities.length + " probability rows");
		long[][] cm = new long[k][k];
		for (int i = 0; i < labels.length; i++) {
			if (labels[i] < 0 || labels[i] >= k)
				throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is out of range: allowed 0…" + (k - 1));
			if (probabilities[i].length != k)
				throw new IllegalArgumentException("probabilities[" + i + "] has " + probabilities[i].length + " values, expected " + k);
			cm[labels[i]][argMax(probabilities[i])]++;
		}
		double[] auc = new double[k];
		for (int c = 0; c < k; c++) {
			double[] scores = new double[labels.length];
			boolean[] positive = new boolean[labels.length];
			for (int i = 0; i < labels.length; i++) {
				scores[i] = probabilities[i][c];
				positive[i] = labels[i] == c;
			}
			auc[c] = rocAuc(scores, positive);
		}
		return new ClassificationMetrics(List.copyOf(classNames), cm, auc, labels.length);
	}

	/** Index of the largest value (the first on ties). */
	public static int argMax(float[] p) {
		int best = 0;
		for (int j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
		return best;
	}

	/**
	 * ROC AUC by the Mann–Whitney U statistic with mid-ranks for ties: the probability that a random positive
	 * scores higher than a random negative, ties counting one half. NaN without positives or without negatives.
	 */
	public static double rocAuc(double[] scores, boolean[] positive) {
		int n = scores.length;
		Integer[] order = new Integer[n];
		for (int i = 0; i < n; i++) order[i] = i;
		Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
		double rankSumPos = 0;
		long nPos = 0;
		for (int i = 0; i < n;) {
			int j = i;
			while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
			double midRank = (i + j) / 2.0 + 1; // ranks are 1-based
			for (int t = i; t <= j; t++)
				if (positive[order[t]]) {
					rankSumPos += midRank;
					nPos++;
				}
			i = j + 1;
		}
		long nNeg = n - nPos;
		if (nPos == 0 || nNeg == 0) return Double.NaN;
		return (rankSumPos - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
	}

	/** Confusion matrix: row = true class, column = predicted class. A copy. */
	public long[][] confusion() {
		long[][] c = new long[confusion.length][];
		for (int i = 0; i < c.length; i++) c[i] = confusion[i].clone();
		return c;
	}

	public int count() {
		return n;
	}

	/** Share of items predicted right; NaN without items. */
	public double accuracy() {
		long right = 0;
		for (int c = 0; c < confusion.length; c++) right += confusion[c][c];
		return n == 0 ? Double.NaN : right / (double) n;
	}

	/** Mean recall over the classes present in the labels. */
	public double balancedAccuracy() {
		double[] r = new double[confusion.length];
		for (int c = 0; c < r.length; c++) r[c] = recall(c);
		return SegmentationMetrics.mean(r);
	}

	/** Of the items predicted as class c, the share that are c; NaN when none was predicted c. */
	public double precision(int c) {
		long col = 0;
		for (long[] row : confusion) col += row[c];
		return col == 0 ? Double.NaN : confusion[c][c] / (double) col;
	}

	/** Of the items of class c, the share predicted as c; NaN when there are none. */
	public double recall(int c) {
		long row = 0;
		for (long v : confusion[c]) row += v;
		return row == 0 ? Double.NaN : confusion[c][c] / (double) row;
	}

	/** One-vs-rest ROC AUC of class c. */
	public double auc(int c) {
		return auc[c];
	}

	/** Mean of the defined one-vs-rest AUCs. */
	public double macroAuc() {
		return SegmentationMetrics.mean(auc);
	}

	/**
	 * {@code {items, accuracy, balancedAccuracy, macroAuc, classNames, confusion, perClass: [{class, precision,
	 * recall, auc, support}]}}.
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("items", n);
		m.put("accuracy", accuracy());
		m.put("balancedAccuracy", balancedAccuracy());
		m.put("macroAuc", macroAuc());
		m.put("classNames", classNames);
		List<Object> rows = new ArrayList<>();
		for (long[] row : confusion) rows.add(row.clone());
		m.put("confusion", rows);
		List<Object> per = new ArrayList<>();
		for (int c = 0; c < classNames.size(); c++) {
			Map<String, Object> pc = new LinkedHashMap<>();
			pc.put("class", classNames.get(c));
			pc.put("precision", precision(c));
			pc.put("recall", recall(c));
			pc.put("auc", auc(c));
			pc.put("support", Arrays.stream(confusion[c]).sum());
			per.add(pc);
		}
		m.put("perClass", per);
		return m;
	}
}
