package org.medcnn.nn.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.medcnn.nn.ModelCard;

/**
 * Temperature scaling (Guo et al. 2017): one temperature T &gt; 0 that divides all logits before the softmax,
 * fitted on validation logits by minimising the negative log-likelihood (NLL). It changes confidences, never the
 * predicted class. Stateless.
 * <p>
 * The fit is a golden-section search on log T over [{@value #MIN_T}, {@value #MAX_T}]; the NLL is convex in
 * 1/T, so the search finds its minimum within the range. When the search would not lower the NLL, T = 1.
 */
public final class TemperatureScaling {

	/** Search range of T. */
	public static final double MIN_T = 0.05, MAX_T = 20;
	private static final int ITERATIONS = 60;

	private TemperatureScaling() {}

	/**
	 * A fitted temperature.
	 *
	 * @param temperature T
	 * @param nllBefore mean NLL at T = 1
	 * @param nllAfter mean NLL at T
	 */
	public record Fit(double temperature, double nllBefore, double nllAfter) {}

	/**
	 * Fits T.
	 *
	 * @param logits per item, one logit per class (any additive constant per row; log-probabilities also work)
	 * @param labels true class of each item
	 * @throws IllegalArgumentException when there are no items, counts differ or a label is out of range
	 */
	public static Fit fit(double[][] logits, int[] labels) {
		if (logits.length == 0) throw new IllegalArgumentException("Temperature scaling needs at least one item");
		if (logits.length != labels.length)
			throw new IllegalArgumentException(logits.length + " logit rows but " + labels.length + " labels");
		for (int i = 0; i < labels.length; i++)
			if (labels[i] < 0 || labels[i] >= logits[i].length)
				throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is out of range: allowed 0…"
					+ (logits[i].length - 1));
		double before = nll(logits, labels, 1);
		final double phi = (Math.sqrt(5) - 1) / 2;
		double a = StrictMath.log(MIN_T), b = StrictMath.log(MAX_T);
		double c = b - phi * (b - a), d = a + phi * (b - a);
		double fc = nll(logits, labels, StrictMath.exp(c)), fd = nll(logits, labels, StrictMath.exp(d));
		for (int it = 0; it < ITERATIONS; it++) {
			if (fc < fd) {
				b = d;
				d = c;
				fd = fc;
				c = b - phi * (b - a);
				fc = nll(logits, labels, StrictMath.exp(c));
			} else {
				a = c;
				c = d;
				fc = fd;
				d = a + phi * (b - a);
				fd = nll(logits, labels, StrictMath.exp(d));
			}
		}
		double t = StrictMath.exp((a + b) / 2), after = nll(logits, labels, t);
		if (!(after < before)) return new Fit(1, before, before);
		return new Fit(t, before, after);
	}

	/** Mean negative log-likelihood of the labels under softmax(logits / T). */
	public static double nll(double[][] logits, int[] labels, double temperature) {
		double s = 0;
		for (int i = 0; i < logits.length; i++) s -= logSoftmax(logits[i], temperature)[labels[i]];
		return s / logits.length;
	}

	/** log softmax(z / T), computed stably. */
	public static double[] logSoftmax(double[] z, double temperature) {
		double max = Double.NEGATIVE_INFINITY;
		for (double v : z) max = Math.max(max, v / temperature);
		double sum = 0;
		for (double v : z) sum += StrictMath.exp(v / temperature - max);
		double lse = max + StrictMath.log(sum);
		double[] out = new double[z.length];
		for (int j = 0; j < z.length; j++) out[j] = z[j] / temperature - lse;
		return out;
	}

	/**
	 * Applies T to probabilities that a softmax produced: softmax(log p / T), which equals softmax(logits / T)
	 * because log p differs from the logits by a constant per row. Probabilities of 0 stay (nearly) 0.
	 */
	public static float[] rescale(float[] probabilities, double temperature) {
		if (temperature == 1) return probabilities.clone();
		double[] z = logits(probabilities);
		double[] ls = logSoftmax(z, temperature);
		float[] out = new float[ls.length];
		for (int j = 0; j < ls.length; j++) out[j] = (float) StrictMath.exp(ls[j]);
		return out;
	}

	/**
	 * The temperature recorded in a card's {@code calibration.temperature}; 1 when the card has none (not
	 * calibrated) or the value is not a positive finite number.
	 */
	public static double temperatureOf(ModelCard card) {
		if (card.json().get("calibration") instanceof Map<?, ?> c && c.get("temperature") instanceof Number t
			&& t.doubleValue() > 0 && Double.isFinite(t.doubleValue()))
			return t.doubleValue();
		return 1;
	}

	/**
	 * The card's {@code calibration} object: {@code {temperature, nllBefore, nllAfter, items, method}}, or
	 * {@code {temperature: 1, note: "not calibrated (no validation set)"}} when {@code fit} is null.
	 */
	public static Map<String, Object> cardRecord(Fit fit, int items) {
		Map<String, Object> m = new LinkedHashMap<>();
		if (fit == null) {
			m.put("temperature", 1.0);
			m.put("note", "not calibrated (no validation set)");
			return m;
		}
		m.put("temperature", fit.temperature());
		m.put("nllBefore", fit.nllBefore());
		m.put("nllAfter", fit.nllAfter());
		m.put("items", items);
		m.put("method", "temperature scaling on the validation set; probabilities = softmax(log(p) / temperature)"
			+ " where p is the SavedModel's output, applied by MedCNN");
		return m;
	}

	/** log p with 0 mapped to a very low but finite logit. */
	public static double[] logits(float[] probabilities) {
		double[] z = new double[probabilities.length];
		for (int j = 0; j < z.length; j++) z[j] = probabilities[j] > 0 ? StrictMath.log(probabilities[j]) : -1e4;
		return z;
	}
}
