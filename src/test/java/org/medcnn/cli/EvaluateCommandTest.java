package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.metrics.SegmentationMetrics;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** {@code evaluate} on tiny trained models, and {@code bench train --help}. */
class EvaluateCommandTest {

	private static final Geometry GRID = new Geometry(24, 24, 3, new double[] {1, 1, 3}, new double[] {0, 0, 0},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	/** A body (40 HU) with one bright ball (130 HU) that {@code mask} receives. */
	private static Volume phantom(int k, Mask mask) {
		Random rnd = new Random(200 + k);
		int cx = 8 + 4 * k, cy = 9 + 3 * k;
		float[] v = new float[GRID.voxelCount()];
		for (int z = 0; z < GRID.nz(); z++)
			for (int y = 0; y < GRID.ny(); y++)
				for (int x = 0; x < GRID.nx(); x++) {
					float hu = 40;
					if (Math.pow(x - cx, 2) + Math.pow(y - cy, 2) + Math.pow((z - 1) * 3.0, 2) <= 16) {
						hu = 130;
						mask.labels()[GRID.index(x, y, z)] = 1;
					}
					v[GRID.index(x, y, z)] = Math.round(hu + 5 * rnd.nextGaussian());
				}
		return new Volume(GRID, v, "CT");
	}

	@Test
	@SuppressWarnings("unchecked")
	void segmentationJsonMatchesTheMetricsOfEachCase() throws IOException {
		List<Volume> images = new ArrayList<>();
		List<Mask> masks = new ArrayList<>();
		Path imgDir = Files.createDirectories(tmp.resolve("images")), maskDir = Files.createDirectories(tmp.resolve("masks"));
		for (int k = 0; k < 2; k++) {
			Mask m = Mask.empty(GRID);
			images.add(phantom(k, m));
			masks.add(m);
			Nifti.writeVolume(images.get(k), imgDir.resolve("case" + k + ".nii.gz"), Nifti.DataType.FLOAT32);
			Nifti.writeMask(m, maskDir.resolve("case" + k + ".nii.gz"));
		}
		TrainingConfig t = new TrainingConfig(15, 3, 1e-2, "adam", "dice-ce", "relu", 42, 0);
		Path model = Training.trainSegmenter(images, masks, new SegmenterConfig(2, 4, 40, 400, t), null, null, tmp.resolve("m"));

		MainTest.Run r = MainTest.run("evaluate", "--model", model.toString(), "--images", imgDir.toString(), "--masks",
			maskDir.toString(), "--json");
		assertEquals(0, r.code(), r.err());
		Map<String, Object> j = Json.asObject(Json.parse(r.out()), "stdout");
		assertEquals("segmentation", j.get("task"));
		List<Object> cases = Json.asArray(j.get("cases"), "cases");
		assertEquals(2, cases.size());
		double sum = 0;
		try (Segmenter seg = Models.openSegmenter(model)) {
			for (int k = 0; k < 2; k++) {
				Map<String, Object> c = (Map<String, Object>) cases.get(k);
				assertEquals("case" + k, c.get("name"));
				SegmentationMetrics.Result expected = SegmentationMetrics.compare(
					seg.segment(images.get(k), ProgressListener.NONE, null).mask(), masks.get(k));
				assertEquals(expected.dice(), ((Number) c.get("dice")).doubleValue(), 1e-9);
				assertEquals(expected.referenceLesions(), ((Number) c.get("referenceLesions")).intValue());
				sum += expected.dice();
			}
		}
		Map<String, Object> overall = (Map<String, Object>) j.get("overall");
		assertEquals(sum / 2, ((Number) overall.get("meanDice")).doubleValue(), 1e-9);
		assertEquals(2, ((Number) overall.get("referenceLesions")).intValue());

		MainTest.Run table = MainTest.run("evaluate", "--model", model.toString(), "--images", imgDir.toString(), "--masks",
			maskDir.toString());
		assertEquals(0, table.code(), table.err());
		assertTrue(table.out().contains("case1") && table.out().contains("mean dice"), table.out());

		Path missing = tmp.resolve("no-masks");
		MainTest.Run bad = MainTest.run("evaluate", "--model", model.toString(), "--images", imgDir.toString(), "--masks",
			missing.toString());
		assertEquals(1, bad.code());
		assertTrue(bad.err().contains("no-masks"), bad.err());
		assertEquals(2, MainTest.run("evaluate", "--model", model.toString(), "--data", imgDir.toString()).code());
	}

	@Test
	@SuppressWarnings("unchecked")
	void classificationReportsConfusionAndAuc() throws IOException {
		Random rng = new Random(4);
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[8];
		Geometry g = Geometry.axial(16, 16, 1, 1, 1, 1);
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			float[] v = new float[g.voxelCount()];
			for (int p = 0; p < v.length; p++) v[p] = (labels[i] == 0 ? -100 : 150) + 20 * (float) rng.nextGaussian();
			Volume item = new Volume(g, v, "CT");
			items.add(item);
			Path dir = Files.createDirectories(tmp.resolve("data").resolve(labels[i] == 0 ? "low" : "high"));
			Nifti.writeVolume(item, dir.resolve("item" + i + ".nii.gz"), Nifti.DataType.FLOAT32);
		}
		TrainingConfig t = new TrainingConfig(2, 4, 1e-2, "adam", "cross-entropy", "relu", 1, 0);
		Path model = Training.trainClassifier(items, labels, List.of("low", "high"), new ClassifierConfig("mlp", 8, null, 4,
			"avg", 40, 400, t), null, null, tmp.resolve("c"));
		MainTest.Run r = MainTest.run("evaluate", "--model", model.toString(), "--data", tmp.resolve("data").toString(), "--json");
		assertEquals(0, r.code(), r.err());
		Map<String, Object> j = Json.asObject(Json.parse(r.out()), "stdout");
		assertEquals("classification", j.get("task"));
		assertEquals(8, Json.asArray(j.get("cases"), "cases").size());
		Map<String, Object> overall = (Map<String, Object>) j.get("overall");
		assertEquals(8, ((Number) overall.get("items")).intValue());
		long total = 0;
		for (Object row : (List<Object>) overall.get("confusion")) for (Object v : (List<Object>) row) total += ((Number) v).longValue();
		assertEquals(8, total);
		assertEquals(2, ((List<Object>) overall.get("perClass")).size());
	}

	@Test
	void benchTrainHasHelp() {
		MainTest.Run r = MainTest.run("bench", "train", "--help");
		assertEquals(0, r.code());
		assertTrue(r.out().contains("usage: medcnn bench train"), r.out());
		assertTrue(r.out().contains("trainImagesPerSecond"), r.out());
		assertEquals(2, MainTest.run("bench", "train", "--seconds", "0").code());
	}
}
