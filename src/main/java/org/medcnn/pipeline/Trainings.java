package org.medcnn.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.Fingerprint;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingListener;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Training as every front end runs it (CLI, ImageJ plugins, SciJava commands, demo, benchmarks): measure the data's
 * {@link Fingerprint}, let the {@link TrainingPlanner} complete the user's request, report both (through
 * {@link TrainingListener#note}: the CLI's stderr, the ImageJ Log and training window), then train with the engine
 * and write the package. Stateless.
 */
public final class Trainings {

	private Trainings() {}

	/**
	 * The plan for a segmentation training set: its fingerprint (in the plan's preprocessing) and the complete
	 * configuration.
	 *
	 * @throws IllegalArgumentException when a setting is out of range, the set mixes modalities (naming the cases) or
	 *         holds images of assumed geometry without {@link TrainingChoices#assumeGeometry()} ({@link AssumedGeometry})
	 */
	public static TrainingPlanner.SegmenterPlan planSegmenter(SegmenterRequest r, List<Datasets.Case> cases) {
		if (cases.isEmpty()) throw new IllegalArgumentException("No training cases: give at least one image with its mask");
		AssumedGeometry.checkTraining(names(cases), cases.stream().map(Datasets.Case::warnings).toList(),
			r.common().assumeGeometry());
		List<Volume> images = images(cases);
		Fingerprint fp = Fingerprint.of(images, masks(cases)).withReadWarnings(cases.stream().map(Datasets.Case::warnings)
			.toList());
		return TrainingPlanner.plan(r, fp, names(cases), modalities(images));
	}

	/**
	 * Trains a segmenter (2D, 2.5D or 3D U-Net as planned) on labelled cases and writes the package {@code out}.
	 *
	 * @param l receives the fingerprint and plan as notes, then per-step and per-epoch progress; may be null
	 * @param c checked between steps, may be null
	 * @return the package folder
	 * @throws IllegalArgumentException when a setting is out of range, the set mixes modalities (naming the cases) or a
	 *         mask does not fit its image
	 * @throws java.util.concurrent.CancellationException when stopped (see {@link Training})
	 * @throws IOException when TensorFlow cannot load or the package cannot be written
	 */
	public static Path trainSegmenter(SegmenterRequest r, List<Datasets.Case> cases, TrainingListener l, Cancellation c,
		Path out) throws IOException {
		return trainSegmenter(planSegmenter(r, cases), cases, l, c, out);
	}

	/**
	 * Refuses a model package target before any work: a file, a folder that is not a MedCNN package and not empty, or an
	 * existing package unless {@code replace} (the user asked to overwrite it, or to resume the run that wrote it); even
	 * then a folder whose card cannot be read, or that holds anything a package does not, is refused, as replacing it
	 * would delete the user's files.
	 *
	 * @throws IllegalArgumentException naming the path and what to do
	 */
	public static void checkTarget(Path out, boolean replace) throws IOException {
		String why = org.medcnn.nn.PackageFiles.whyNotWritable(out, replace);
		if (why != null) throw new IllegalArgumentException(why);
	}

	/** Trains as {@code plan} says (from {@link #planSegmenter} on the same cases); see {@link #trainSegmenter}. */
	public static Path trainSegmenter(TrainingPlanner.SegmenterPlan plan, List<Datasets.Case> cases, TrainingListener l,
		Cancellation c, Path out) throws IOException {
		checkTarget(out, plan.overwrite() || plan.training().resume());
		TrainingListener listener = l == null ? TrainingListener.NONE : l;
		listener.note(plan.preprocessing().fingerprint().summary());
		listener.note(plan.describe());
		List<Volume> images = images(cases);
		List<Mask> masks = masks(cases);
		return plan.dims() == 3 ? Training.trainSegmenter3d(images, masks, plan.config3d(), listener, c, out)
			: Training.trainSegmenter(images, masks, plan.config2d(), listener, c, out);
	}

	/**
	 * The plan for a classification training set.
	 *
	 * @param classNames class names in output order; item labels index them
	 * @throws IllegalArgumentException when a setting is out of range, the set mixes modalities or holds images of
	 *         assumed geometry without {@link TrainingChoices#assumeGeometry()} ({@link AssumedGeometry})
	 */
	public static TrainingPlanner.ClassifierPlan planClassifier(ClassifierRequest r, List<Datasets.Item> items,
		List<String> classNames) {
		if (items.isEmpty()) throw new IllegalArgumentException("No training items");
		List<List<String>> warnings = items.stream().map(Datasets.Item::warnings).toList();
		AssumedGeometry.checkTraining(items.stream().map(Datasets.Item::name).toList(), warnings, r.common().assumeGeometry());
		List<Volume> images = items.stream().map(Datasets.Item::image).toList();
		int[] labels = items.stream().mapToInt(Datasets.Item::label).toArray();
		return TrainingPlanner.plan(r, Fingerprint.ofItems(images, labels, classNames).withReadWarnings(warnings),
			items.stream().map(Datasets.Item::name).toList(), modalities(images));
	}

	/**
	 * Trains a classifier on labelled items and writes the package {@code out}.
	 *
	 * @throws IllegalArgumentException when a setting is out of range or the set mixes modalities
	 * @throws IOException when TensorFlow cannot load or the package cannot be written
	 */
	public static Path trainClassifier(ClassifierRequest r, List<Datasets.Item> items, List<String> classNames,
		TrainingListener l, Cancellation c, Path out) throws IOException {
		return trainClassifier(planClassifier(r, items, classNames), items, classNames, l, c, out);
	}

	/** Trains as {@code plan} says (from {@link #planClassifier} on the same items). */
	public static Path trainClassifier(TrainingPlanner.ClassifierPlan plan, List<Datasets.Item> items, List<String> classNames,
		TrainingListener l, Cancellation c, Path out) throws IOException {
		checkTarget(out, plan.overwrite() || plan.config().training().resume());
		TrainingListener listener = l == null ? TrainingListener.NONE : l;
		listener.note(plan.config().preprocessing().fingerprint().summary());
		listener.note(plan.describe());
		List<Volume> images = items.stream().map(Datasets.Item::image).toList();
		int[] labels = items.stream().mapToInt(Datasets.Item::label).toArray();
		return Training.trainClassifier(images, labels, classNames, plan.config(), listener, c, out);
	}

	private static List<Volume> images(List<Datasets.Case> cases) {
		return cases.stream().map(Datasets.Case::image).toList();
	}

	private static List<Mask> masks(List<Datasets.Case> cases) {
		return cases.stream().map(Datasets.Case::mask).toList();
	}

	private static List<String> names(List<Datasets.Case> cases) {
		return cases.stream().map(Datasets.Case::name).toList();
	}

	private static List<String> modalities(List<Volume> images) {
		return images.stream().map(Volume::modality).toList();
	}
}
