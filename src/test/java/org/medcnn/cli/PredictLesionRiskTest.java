package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.data.Datasets;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.pipeline.ClassifierRequest;
import org.medcnn.pipeline.LesionCrops;
import org.medcnn.pipeline.Trainings;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * {@code predict --classifier}: a classifier of lesion crops grades every lesion the segmenter finds, into the lesion
 * JSON and CSV; a classifier of whole images is refused with the reason.
 */
class PredictLesionRiskTest {

	@TempDir
	Path tmp;

	@Test
	void everyLesionIsGradedAndAWholeImageClassifierIsRefused() throws IOException {
		Mask m0 = Mask.empty(SafeOutputsTest.image(0, null).geometry()), m1 = Mask.empty(m0.geometry());
		Volume v0 = SafeOutputsTest.image(0, m0), v1 = SafeOutputsTest.image(1, m1);
		TrainingConfig t = new TrainingConfig(40, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0);
		Path seg = Training.trainSegmenter(List.of(v0, v1), List.of(m0, m1), new SegmenterConfig(2, 4, 40, 400, t), null, null,
			tmp.resolve("seg"));
		List<Datasets.Item> items = new ArrayList<>();
		for (int k = 0; k < 4; k++) {
			Mask m = Mask.empty(m0.geometry());
			Volume v = SafeOutputsTest.image(k, m);
			Lesion l = Lesions.measure(m, v).get(0);
			items.add(new Datasets.Item("i" + k, LesionCrops.crop(v, l, 16, 16), k % 2));
		}
		Path crops = Trainings.trainClassifier(ClassifierRequest.builder().epochs(2).cropMm(16.0).valFraction(0.0).build(), items,
			List.of("high", "low"), null, null, tmp.resolve("crops"));
		Path in = Files.createDirectories(tmp.resolve("in")).resolve("c.nii.gz");
		Nifti.writeVolume(v0, in, Nifti.DataType.FLOAT32);
		Path out = tmp.resolve("out");
		MainTest.Run r = MainTest.run("predict", "--model", seg.toString(), "--classifier", crops.toString(), "--out",
			out.toString(), in.toString());
		assertEquals(0, r.code(), r.err());
		List<Object> lesions = Json.asArray(((Map<?, ?>) Json.asArray(Json.parse(r.out()), "out").get(0)).get("lesions"), "l");
		assertTrue(!lesions.isEmpty(), r.out());
		for (Object o : lesions) assertTrue(List.of("high", "low").contains(((Map<?, ?>) o).get("risk")), o.toString());
		String csv = Files.readString(out.resolve("c_lesions.csv"));
		assertTrue(csv.startsWith("lesion,") && csv.lines().findFirst().orElseThrow().endsWith(",risk,p(high),p(low)"), csv);

		ClassifierConfig whole = new ClassifierConfig("cnn", 16, new int[] {2}, 4, "max", 40, 400,
			new TrainingConfig(1, 2, 1e-3, "adam", "cross-entropy", "relu", 1, 0));
		Path wholeImages = Training.trainClassifier(List.of(v0, v1), new int[] {0, 1}, List.of("a", "b"), whole, null, null,
			tmp.resolve("whole"));
		r = MainTest.run("predict", "--model", seg.toString(), "--classifier", wholeImages.toString(), "--out",
			out.toString(), in.toString());
		assertNotEquals(0, r.code());
		assertTrue(r.err().contains("does not classify lesion crops") && r.err().contains("--crop-mm"), r.err());
	}
}
