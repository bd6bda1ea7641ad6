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

	/** Whether a validation set was evaluated. */
	public boolean hasValidation() {
		return !Double.isNaN(valLoss);
	}
}
