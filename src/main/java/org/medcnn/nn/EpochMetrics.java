package org.medcnn.nn;

/**
 * Loss and metric of one finished training epoch.
 *
 * @param epoch 1-based epoch number
 * @param epochs total epochs planned
 * @param trainLoss mean loss over the epoch's training steps (weights as they were at each step)
 * @param valLoss loss on the validation set after the epoch, NaN without a validation set
 * @param metricName {@code dice} (segmenter: hard Dice at threshold 0.5 over all pixels) or {@code accuracy}
 * @param trainMetric metric over the epoch's training steps
 * @param valMetric metric on the validation set, NaN without a validation set
 * @param seconds wall time of the epoch including validation
 * @param valLesionSensitivity segmenters: reference lesions of the validation cases that the thresholded prediction
 *        touches / all reference lesions (NaN without validation or reference lesions)
 * @param valLesionPrecision segmenters: predicted lesions that touch a reference lesion / all predicted lesions
 *        (NaN without validation or predicted lesions)
 */
public record EpochMetrics(int epoch, int epochs, double trainLoss, double valLoss, String metricName,
	double trainMetric, double valMetric, double seconds, double valLesionSensitivity, double valLesionPrecision) {

	/** An epoch without lesion-wise validation metrics. */
	public EpochMetrics(int epoch, int epochs, double trainLoss, double valLoss, String metricName, double trainMetric,
		double valMetric, double seconds) {
		this(epoch, epochs, trainLoss, valLoss, metricName, trainMetric, valMetric, seconds, Double.NaN, Double.NaN);
	}

	/**
	 * The lesion-wise validation metrics for a progress line, e.g. {@code "  val lesions: sensitivity 0.83, precision
	 * 0.71"}; "" when there are none.
	 */
	public String lesionText() {
		if (Double.isNaN(valLesionSensitivity) && Double.isNaN(valLesionPrecision)) return "";
		return String.format(java.util.Locale.ROOT, "  val lesions: sensitivity %s, precision %s", fmt(valLesionSensitivity),
			fmt(valLesionPrecision));
	}

	private static String fmt(double v) {
		return Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, "%.2f", v);
	}

	/** Whether a validation set was evaluated. */
	public boolean hasValidation() {
		return !Double.isNaN(valLoss);
	}
}
