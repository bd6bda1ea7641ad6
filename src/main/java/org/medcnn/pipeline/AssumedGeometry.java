package org.medcnn.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Images whose reader had to assume their geometry (no PixelSpacing: "1 mm assumed"; no position or orientation:
 * "geometry assumed"; no slice spacing): the one rule every command applies to them (issue 15 item 7). Measuring
 * ({@code predict}, Batch Process) and training ({@code train-segmenter}, {@code train-classifier}, {@code finetune},
 * the Train and Fine-tune plugins and commands) refuse such images unless the user asks for it with
 * {@value #OPTION} (macro key {@value #KEY}); then the warnings go with the results (lesion tables, the Log, the
 * model card's {@code readWarnings}). Stateless.
 */
public final class AssumedGeometry {

	/** How a user asks to use images of assumed geometry: the CLI option and the ImageJ macro key. */
	public static final String OPTION = "--assume-geometry", KEY = "assume_geometry";

	private AssumedGeometry() {}

	/**
	 * The readers' warnings that say the image's geometry was assumed, not recorded (each says what was "assumed": a
	 * 1 mm pixel or slice spacing, or positions from the instance order).
	 */
	public static List<String> of(List<String> warnings) {
		return warnings.stream().filter(w -> w.contains(" assumed")).toList();
	}

	/** Why a case whose geometry was assumed is not measured, and how to measure it anyway. */
	static String measuringRefusal(Object entry, List<String> assumed) {
		return entry + ": " + String.join("; ", assumed) + ": lesion volumes, diameters and positions cannot be measured"
			+ " without the real geometry, so the case is refused; to measure it in the assumed geometry anyway, add "
			+ OPTION + " (ImageJ Batch Process: macro key " + KEY + "), and the warnings go with the results";
	}

	/**
	 * Refuses a training set that holds images of assumed geometry, unless {@code allowed}: a model learns sizes and
	 * (with a target spacing) resamples in the units its images claim, so an assumed 1 mm would be learnt as real.
	 *
	 * @param names the cases' (or items') names, as in the set
	 * @param warnings each case's reader warnings, in the same order
	 * @param allowed the user gave {@value #OPTION} (or the macro key {@value #KEY})
	 * @throws IllegalArgumentException naming the cases (at most five) and what was assumed, and how to train anyway
	 */
	public static void checkTraining(List<String> names, List<List<String>> warnings, boolean allowed) {
		if (allowed) return;
		List<String> refused = new ArrayList<>();
		int count = 0;
		for (int i = 0; i < names.size(); i++) {
			List<String> assumed = of(warnings.get(i));
			if (assumed.isEmpty()) continue;
			if (++count <= 5) refused.add(names.get(i) + " (" + String.join("; ", assumed) + ")");
		}
		if (count == 0) return;
		throw new IllegalArgumentException(count + " training case" + (count == 1 ? " has" : "s have") + " an assumed"
			+ " geometry: " + String.join(", ", refused) + (count > 5 ? ", …" : "") + ". A model learns lesion sizes and"
			+ " spacings in the units its images claim, so training on an assumed geometry is refused; to train on them"
			+ " anyway, add " + OPTION + " (ImageJ: macro key " + KEY + "), and the model card records what was assumed"
			+ " (fingerprint.readWarnings)");
	}
}
