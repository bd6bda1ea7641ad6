package org.medcnn.cli;

import java.io.PrintStream;

import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.TrainingListener;

/** Prints one line per epoch (loss, validation loss, main metric, time) and a progress line per step. */
final class EpochPrinter implements TrainingListener {

	private final PrintStream err;
	private final CliProgress steps;
	private final String what;

	EpochPrinter(String what, PrintStream err) {
		this.what = what;
		this.err = err;
		this.steps = new CliProgress(err);
	}

	@Override
	public void stepEnded(int epoch, int step, int stepCount, double loss) {
		if (System.console() != null)
			steps.progress((double) step / stepCount, String.format("%s epoch %d, step %d/%d, loss %.4f", what, epoch, step,
				stepCount, loss));
	}

	@Override
	public void note(String message) {
		err.println(message);
	}

	@Override
	public void epochEnded(EpochMetrics m) {
		steps.done();
		StringBuilder sb = new StringBuilder(String.format("%s epoch %d/%d  loss %.4f", what, m.epoch(), m.epochs(),
			m.trainLoss()));
		if (!Double.isNaN(m.valLoss())) sb.append(String.format("  val loss %.4f", m.valLoss()));
		sb.append(String.format("  %s %.3f", m.metricName(), m.trainMetric()));
		if (!Double.isNaN(m.valMetric())) sb.append(String.format("  val %s %.3f", m.metricName(), m.valMetric()));
		sb.append(m.lesionText()).append(String.format(java.util.Locale.ROOT, "  (%.1f s)", m.seconds()));
		err.println(sb);
	}
}
