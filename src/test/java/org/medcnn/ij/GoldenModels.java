package org.medcnn.ij;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Makes the two model packages bundled in {@code src/test/resources/golden/models/} that {@link GoldenMacroTest}'s
 * model-dependent commands use, from fixed seeds on the bundled {@code sample-dicom/} data: {@code OUT/segmenter} (a
 * small 2D U-Net fitted to test case 21) and {@code OUT/classifier} (a small CNN on the key slices of the 20 training
 * cases). They are bundled rather than trained by the test because TensorFlow's CPU training is not bitwise
 * reproducible here (not even with {@code -Dmedcnn.threads=1}: two runs from the same seed end with different
 * weights), and a segmenter's borderline voxels turn such differences into other lesions.
 * <p>
 * A package that exists is kept: remove it to remake it. Rerun only when the package format changes, then regenerate
 * the golden files (see {@link GoldenMacroTest}):
 * {@code java -Dmedcnn.threads=1 -cp TEST_CLASSPATH org.medcnn.ij.GoldenModels src/test/resources/golden/models}
 * (working directory: the repository root).
 */
final class GoldenModels {

	static final Path PHANTOM = Path.of("sample-dicom", "phantom");

	private GoldenModels() {}

	public static void main(String[] args) throws IOException {
		if (args.length != 1) throw new IllegalArgumentException("usage: GoldenModels OUT_DIR");
		Path out = Path.of(args[0]);
		long t0 = System.nanoTime();
		if (!Files.exists(out.resolve("segmenter"))) {
			List<Volume> images = new ArrayList<>();
			List<Mask> masks = new ArrayList<>();
			for (String c : List.of("case21")) {
				Volume v = Datasets.loadImage(PHANTOM.resolve("test/images/" + c), ProgressListener.NONE, new Cancellation());
				images.add(v);
				masks.add(Datasets.loadMask(PHANTOM.resolve("test/masks/" + c + ".nii.gz"), v.geometry()));
			}
			Training.trainSegmenter(images, masks, new SegmenterConfig(2, 8, 40, 400,
				new TrainingConfig(100, 8, 1e-2, "adam", "dice-ce", "relu", 42, 0)), null, null, out.resolve("segmenter"));
		}
		long t1 = System.nanoTime();
		if (!Files.exists(out.resolve("classifier"))) {
			Path classes = PHANTOM.resolve("train/classes");
			List<Datasets.Item> items = Datasets.loadItems(classes, ProgressListener.NONE, new Cancellation());
			Training.trainClassifier(items.stream().map(Datasets.Item::image).toList(),
				items.stream().mapToInt(Datasets.Item::label).toArray(), Datasets.classNames(classes),
				new ClassifierConfig("cnn", 32, new int[] {4, 8}, 16, "max", 40, 400,
					new TrainingConfig(80, 4, 3e-3, "adam", "cross-entropy", "relu", 42, 0)), null, null, out.resolve("classifier"));
		}
		System.out.printf("segmenter %.1f s, classifier %.1f s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
	}
}
