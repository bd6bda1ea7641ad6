package org.medcnn.ij;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.medcnn.nn.ModelCard;

/**
 * The headless part of {@code Model Info...}: a model card ({@code medcnn.json}) as readable text — task,
 * architecture, classes and risk levels, input spec, training record (with the per-epoch history as a small
 * table), validation metrics, software versions, date and intended use. Stateless.
 */
public final class ModelInfoTool {

	/** Sections in display order: card key and heading. Keys not listed here follow under "Other". */
	private static final String[][] SECTIONS = {{"architecture", "Architecture"}, {"input", "Input"},
		{"output", "Output"}, {"training", "Training"}, {"validation", "Validation"}, {"software", "Software"}};
	private static final Set<String> HEADER_KEYS = Set.of("formatVersion", "task", "name", "classNames", "riskLevels",
		"date", "intendedUse", "signature");

	private ModelInfoTool() {}

	/** The card as text, one "key: value" per line under a heading per section. */
	public static String describe(ModelCard card, Path pkg) {
		Map<String, Object> json = card.json();
		StringBuilder sb = new StringBuilder();
		sb.append("Model: ").append(card.name()).append('\n');
		sb.append("Package: ").append(pkg.toAbsolutePath()).append('\n');
		sb.append("Task: ").append(card.task()).append('\n');
		sb.append("Intended use: ").append(json.getOrDefault("intendedUse", "not stated")).append('\n');
		if (!card.classNames().isEmpty()) sb.append("Classes: ").append(String.join(", ", card.classNames())).append('\n');
		if (!card.riskLevels().isEmpty())
			sb.append("Risk levels (low to high): ").append(String.join(" < ", card.riskLevels())).append('\n');
		if (json.get("date") != null) sb.append("Date: ").append(json.get("date")).append('\n');
		sb.append("Card format: ").append(card.formatVersion()).append('\n');
		for (String[] s : SECTIONS) {
			Object v = json.get(s[0]);
			if (!(v instanceof Map<?, ?> m)) continue;
			sb.append('\n').append(s[1]).append('\n');
			for (Map.Entry<?, ?> e : m.entrySet()) {
				if (e.getKey().equals("history") && e.getValue() instanceof List<?> h) continue;
				sb.append("  ").append(e.getKey()).append(": ").append(value(e.getValue())).append('\n');
			}
			if (m.get("history") instanceof List<?> h && !h.isEmpty()) history(sb, h);
		}
		StringBuilder other = new StringBuilder();
		for (Map.Entry<String, Object> e : json.entrySet()) {
			boolean listed = HEADER_KEYS.contains(e.getKey());
			for (String[] s : SECTIONS) listed |= s[0].equals(e.getKey());
			if (!listed) other.append("  ").append(e.getKey()).append(": ").append(value(e.getValue())).append('\n');
		}
		if (other.length() > 0) sb.append("\nOther\n").append(other);
		return sb.toString();
	}

	/** The per-epoch history as a table: epoch, loss, validation loss, metric, validation metric, seconds. */
	private static void history(StringBuilder sb, List<?> history) {
		String metric = history.get(0) instanceof Map<?, ?> f && f.get("metric") != null ? f.get("metric").toString() : "metric";
		sb.append("  history:\n").append(String.format(Locale.ROOT, "    %5s %10s %10s %10s %10s %8s%n", "epoch", "loss",
			"val loss", metric, "val " + metric, "s"));
		for (Object o : history) {
			if (!(o instanceof Map<?, ?> m)) continue;
			sb.append(String.format(Locale.ROOT, "    %5s %10s %10s %10s %10s %8s%n", value(m.get("epoch")),
				value(m.get("trainLoss")), value(m.get("valLoss")), value(m.get("trainMetric")), value(m.get("valMetric")),
				value(m.get("seconds"))));
		}
	}

	/** Numbers compactly (integers without decimals), lists comma-separated, objects as {k: v, …}, null as "–". */
	static String value(Object v) {
		if (v == null) return "–";
		if (v instanceof Number n) {
			double d = n.doubleValue();
			if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
			String t = String.format(Locale.ROOT, "%.4g", d);
			return t.contains("e") || !t.contains(".") ? t : t.replaceAll("0+$", "").replaceAll("\\.$", "");
		}
		if (v instanceof int[] a) return java.util.Arrays.toString(a);
		if (v instanceof List<?> l) {
			StringBuilder sb = new StringBuilder("[");
			for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? ", " : "").append(value(l.get(i)));
			return sb.append(']').toString();
		}
		if (v instanceof Map<?, ?> m) {
			StringBuilder sb = new StringBuilder("{");
			int i = 0;
			for (Map.Entry<?, ?> e : m.entrySet()) sb.append(i++ > 0 ? ", " : "").append(e.getKey()).append(": ").append(value(e.getValue()));
			return sb.append('}').toString();
		}
		return v.toString();
	}
}
