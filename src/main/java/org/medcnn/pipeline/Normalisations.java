package org.medcnn.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.medcnn.nn.Fingerprint;
import org.medcnn.nn.Normalisation;

/**
 * The {@code --normalise} option and macro key {@code normalise}: {@code auto} (the default: the dataset fingerprint
 * chooses), {@code ct}, {@code zscore}, {@code none} or {@code window C/W} (also {@code window C,W}); and its
 * resolution into a {@link Normalisation}. Stateless.
 */
public final class Normalisations {

	/** The keywords, for help texts and dialog choices. */
	public static final List<String> KEYWORDS = List.of("auto", "ct", "zscore", "none", "window C/W");

	private Normalisations() {}

	/**
	 * A parsed choice: {@code scheme} is {@code auto}, {@code ct}, {@code zscore}, {@code none} or {@code window}
	 * (then with its centre and width in HU).
	 */
	public record Choice(String scheme, double centerHu, double widthHu) {}

	/**
	 * Parses a choice (case-insensitive; {@code z-score} is accepted for {@code zscore}).
	 *
	 * @throws IllegalArgumentException naming the value and what is allowed
	 */
	public static Choice parse(String s) {
		if (s == null) return new Choice("auto", Double.NaN, Double.NaN);
		String v = s.trim().toLowerCase(Locale.ROOT);
		switch (v) {
			case "", "auto" -> {
				return new Choice("auto", Double.NaN, Double.NaN);
			}
			case "ct" -> {
				return new Choice(Normalisation.CT, Double.NaN, Double.NaN);
			}
			case "zscore", "z-score" -> {
				return new Choice(Normalisation.ZSCORE, Double.NaN, Double.NaN);
			}
			case "none" -> {
				return new Choice(Normalisation.NONE, Double.NaN, Double.NaN);
			}
			default -> {
				if (v.startsWith("window")) {
					String[] p = v.substring("window".length()).trim().split("[/,\\s]+");
					try {
						if (p.length == 2) {
							double c = Double.parseDouble(p[0]), w = Double.parseDouble(p[1]);
							if (Double.isFinite(c) && w > 0 && Double.isFinite(w)) return new Choice(Normalisation.WINDOW, c, w);
						}
					} catch (NumberFormatException e) {
						// reported below
					}
				}
				throw new IllegalArgumentException("normalise = '" + s + "' is not supported: allowed auto, ct, zscore, none or"
					+ " 'window C/W' (centre and width in HU, width > 0, e.g. 'window 40/400')");
			}
		}
	}

	/**
	 * The normalisation for a training set: {@code auto} gives {@link Normalisation.CtClip} from the fingerprint when
	 * every case is CT, else a per-image {@link Normalisation.ZScore}; explicit choices are taken as they are ({@code ct}
	 * with the fingerprint's statistics).
	 *
	 * @param names case names, for the message
	 * @param modalities each case's modality, in the same order
	 * @throws IllegalArgumentException with {@code auto} when the set mixes modalities (its message lists the cases of
	 *         each modality and how to override)
	 */
	public static Normalisation resolve(Choice c, Fingerprint fp, List<String> names, List<String> modalities) {
		switch (c.scheme()) {
			case Normalisation.CT -> {
				return fp.ctNormalisation();
			}
			case Normalisation.ZSCORE -> {
				return new Normalisation.ZScore();
			}
			case Normalisation.NONE -> {
				return new Normalisation.Identity();
			}
			case Normalisation.WINDOW -> {
				return new Normalisation.Window(c.centerHu(), c.widthHu());
			}
			default -> {
				if (fp.modality() == null) throw new IllegalArgumentException(mixed(names, modalities));
				return fp.isCt() ? fp.ctNormalisation() : new Normalisation.ZScore();
			}
		}
	}

	private static String mixed(List<String> names, List<String> modalities) {
		Map<String, List<String>> by = new TreeMap<>();
		for (int i = 0; i < modalities.size(); i++)
			by.computeIfAbsent(modalities.get(i), k -> new ArrayList<>()).add(i < names.size() ? names.get(i) : "case " + (i + 1));
		StringBuilder sb = new StringBuilder("The training set mixes modalities in one input channel, which one normalisation"
			+ " cannot serve:");
		by.forEach((m, cases) -> sb.append("\n  ").append(m).append(" (").append(cases.size()).append("): ")
			.append(cases.size() <= 8 ? String.join(", ", cases) : String.join(", ", cases.subList(0, 8)) + ", …"));
		sb.append("\nTrain one model per modality, or choose a normalisation for all of them with --normalise"
			+ " (macro key normalise): zscore, ct, none or 'window C/W'.");
		return sb.toString();
	}
}
