package org.medcnn.ij;

import ij.gui.Plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.medcnn.nn.EpochMetrics;

/**
 * The data behind the live training window: the per-epoch losses and metric of one training run, turned into an
 * {@link Plot} (training and validation loss, training and validation metric, against the epoch), a status line
 * (epoch, latest values, remaining time, device) and one Log line per epoch. Headless: the window
 * ({@link TrainingWindow}) only displays what this class produces.
 * <p>
 * The x axis spans the planned epochs from the start, so that the curves grow to the right instead of the axis
 * being rescaled every epoch; the y axis spans 0 to the largest value seen (at least 1, the metric's range).
 * Validation series appear only when the run has a validation set. Thread-safe (methods are synchronized: the
 * training thread adds epochs while the window's thread reads).
 */
public final class TrainingPlotModel {

	/** Colours of the series: training loss, validation loss, training metric, validation metric. */
	static final Color TRAIN_LOSS = new Color(0, 90, 200), VAL_LOSS = new Color(230, 120, 0),
		TRAIN_METRIC = new Color(0, 150, 60), VAL_METRIC = new Color(200, 0, 120);

	private final String title;
	private final int plannedEpochs;
	private final String device;
	private final List<EpochMetrics> epochs = new ArrayList<>();

	/**
	 * @param title what is trained, e.g. "Train Segmenter"; the plot's title and the Log lines' prefix
	 * @param plannedEpochs epochs configured (≥ 1)
	 * @param device the device TensorFlow runs on ({@link org.medcnn.nn.Models#device()}), shown in the status
	 */
	public TrainingPlotModel(String title, int plannedEpochs, String device) {
		if (plannedEpochs < 1) throw new IllegalArgumentException("plannedEpochs = " + plannedEpochs + ": must be at least 1");
		this.title = title;
		this.plannedEpochs = plannedEpochs;
		this.device = device;
	}

	/** Records a finished epoch. */
	public synchronized void add(EpochMetrics m) {
		epochs.add(m);
	}

	/** The epochs recorded so far, first first. */
	public synchronized List<EpochMetrics> epochs() {
		return List.copyOf(epochs);
	}

	/** Epochs configured. */
	public int plannedEpochs() {
		return plannedEpochs;
	}

	public String title() {
		return title;
	}

	public String device() {
		return device;
	}

	/** The metric's name ("dice", "accuracy"), or "metric" before the first epoch. */
	public synchronized String metricName() {
		return epochs.isEmpty() ? "metric" : epochs.get(0).metricName();
	}

	/** Estimated seconds left: mean epoch time × epochs left; NaN before the first epoch. */
	public synchronized double etaSeconds() {
		if (epochs.isEmpty()) return Double.NaN;
		double sum = 0;
		for (EpochMetrics m : epochs) sum += m.seconds();
		EpochMetrics last = epochs.get(epochs.size() - 1);
		return sum / epochs.size() * Math.max(0, last.epochs() - last.epoch());
	}

	/** e.g. "Epoch 3/30 · loss 0.412 · val dice 0.618 · about 1 min 20 s left · CPU". */
	public synchronized String status() {
		if (epochs.isEmpty()) return "Epoch 1/" + plannedEpochs + " running · " + device;
		EpochMetrics m = epochs.get(epochs.size() - 1);
		StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d · loss %.4f", m.epoch(), m.epochs(),
			m.trainLoss()));
		if (m.hasValidation()) sb.append(String.format(Locale.ROOT, " · val loss %.4f · val %s %.3f", m.valLoss(),
			m.metricName(), m.valMetric()));
		else sb.append(String.format(Locale.ROOT, " · %s %.3f", m.metricName(), m.trainMetric()));
		if (m.epoch() < m.epochs()) sb.append(" · about ").append(duration(etaSeconds())).append(" left");
		return sb.append(" · ").append(device).toString();
	}

	/** The Log line of an epoch, e.g. "Train Segmenter: epoch 2/30  loss 0.5120  val loss 0.4800  dice 0.210  val dice 0.300  (1.2 s)". */
	public String logLine(EpochMetrics m) {
		StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: epoch %d/%d  loss %.4f", title, m.epoch(),
			m.epochs(), m.trainLoss()));
		if (m.hasValidation()) sb.append(String.format(Locale.ROOT, "  val loss %.4f", m.valLoss()));
		sb.append(String.format(Locale.ROOT, "  %s %.3f", m.metricName(), m.trainMetric()));
		if (!Double.isNaN(m.valMetric())) sb.append(String.format(Locale.ROOT, "  val %s %.3f", m.metricName(), m.valMetric()));
		return sb.append(m.lesionText()).append(String.format(Locale.ROOT, "  (%.1f s)", m.seconds())).toString();
	}

	/**
	 * The plot of the epochs so far: training loss (blue), validation loss (orange), training metric (green) and
	 * validation metric (magenta), lines with circles, and a legend. An empty frame before the first epoch.
	 */
	public synchronized Plot plot() {
		String metric = metricName();
		Plot p = new Plot(title + " — loss and " + metric, "epoch", "loss / " + metric);
		p.setFrameSize(520, 300);
		int n = epochs.size();
		double[] x = new double[n], tl = new double[n], vl = new double[n], tm = new double[n], vm = new double[n];
		double max = 1;
		boolean validation = false;
		for (int i = 0; i < n; i++) {
			EpochMetrics m = epochs.get(i);
			x[i] = m.epoch();
			tl[i] = m.trainLoss();
			vl[i] = m.valLoss();
			tm[i] = m.trainMetric();
			vm[i] = m.valMetric();
			validation |= m.hasValidation();
			for (double v : new double[] {tl[i], vl[i], tm[i], vm[i]}) if (Double.isFinite(v)) max = Math.max(max, v);
		}
		int planned = n == 0 ? plannedEpochs : Math.max(plannedEpochs, epochs.get(n - 1).epochs());
		p.setLimits(0.5, Math.max(2, planned) + 0.5, 0, max * 1.05);
		if (n == 0) {
			p.setColor(Color.GRAY);
			p.addLabel(0.35, 0.5, "waiting for the first epoch…");
			return p;
		}
		StringBuilder legend = new StringBuilder();
		series(p, TRAIN_LOSS, x, tl, legend, "training loss");
		if (validation) series(p, VAL_LOSS, x, vl, legend, "validation loss");
		series(p, TRAIN_METRIC, x, tm, legend, "training " + metric);
		if (validation) series(p, VAL_METRIC, x, vm, legend, "validation " + metric);
		p.setColor(Color.BLACK);
		p.setLegend(legend.toString(), Plot.AUTO_POSITION);
		return p;
	}

	private static void series(Plot p, Color c, double[] x, double[] y, StringBuilder legend, String label) {
		p.setColor(c, c);
		p.setLineWidth(2);
		p.add("connected circle", x, y);
		if (legend.length() > 0) legend.append('\n');
		legend.append(label);
	}

	/** "45 s", "3 min 05 s", "2 h 07 min". */
	static String duration(double seconds) {
		if (!Double.isFinite(seconds)) return "?";
		long s = Math.round(seconds);
		if (s < 60) return s + " s";
		if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
		return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
	}
}
