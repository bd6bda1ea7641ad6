package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Roi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.Models;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * A tiny CNN learns "bright 8×8 square present" (class {@code square}) versus plain noise (class {@code none});
 * its explanation of an image with a square must peak inside the square.
 */
class ExplainToolTest {

	private static final int N = 32, SQ = 8;

	@TempDir
	static Path dir;
	private static Path model;

	/** Soft tissue (0 ± 15 HU); with {@code sx ≥ 0} an 8×8 square of 250 HU at (sx, sy). */
	static Volume image(Random rng, int sx, int sy) {
		float[] v = new float[N * N];
		for (int y = 0; y < N; y++)
			for (int x = 0; x < N; x++) {
				boolean in = sx >= 0 && x >= sx && x < sx + SQ && y >= sy && y < sy + SQ;
				v[y * N + x] = (float) ((in ? 250 : 0) + 15 * rng.nextGaussian());
			}
		return new Volume(Geometry.axial(N, N, 1, 1, 1, 1), v, "CT", List.of(""));
	}

	@BeforeAll
	static void train() throws IOException {
		Random rng = new Random(5);
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[48];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			items.add(image(rng, labels[i] == 1 ? rng.nextInt(N - SQ) : -1, rng.nextInt(N - SQ)));
		}
		// Flips make the model look at the square rather than at noise (without augmentation its saliency peaked
		// outside the square now and then); the standard augmentation's intensity noise left it so unsure that
		// occluding part of the square moved the log-odds by only 0.08-0.11 (flips: about 0.44 in 5 of 5 runs).
		TrainingConfig tc = new TrainingConfig(30, 8, 5e-3, "adam", "cross-entropy", "relu", 5, 0).withAugment("flips");
		ClassifierConfig cfg = new ClassifierConfig("cnn", N, new int[] {4, 8}, 16, "max", 40, 400, tc);
		model = Training.trainClassifier(items, labels, List.of("none", "square"), cfg, null, null, dir.resolve("cls"));
	}

	private static ImagePlus testImage() {
		Volume v = image(new Random(77), 19, 5);
		return IjVolumes.toImagePlus(v, "square");
	}

	/**
	 * Whether the pixel lies in the square grown by {@code margin}: gradient saliency marks the square's edges
	 * (its peak may sit just outside), occlusion marks it at the resolution of its 4-pixel patches.
	 */
	private static boolean inSquare(int[] p, int margin) {
		return p[0] >= 19 - margin && p[0] < 19 + SQ + margin && p[1] >= 5 - margin && p[1] < 5 + SQ + margin;
	}

	@Test
	void saliencyPeaksInsideTheSquareAndIsDrawn() throws IOException {
		ImagePlus imp = testImage();
		try (Classifier c = Models.openClassifier(model)) {
			ExplainTool.Explanation e = ExplainTool.explain(c, imp, 1, ExplainTool.SALIENCY);
			assertEquals("square", e.classification().className());
			assertEquals(N * N, e.map().length);
			assertTrue(e.max() > 0, "non-zero gradient");
			assertTrue(inSquare(e.argmax(), 2), "saliency peak at " + Arrays.toString(e.argmax()));
			ImageRoi heat = ExplainTool.annotate(imp, e, 1);
			ExplainTool.annotate(imp, e, 1); // replaces, does not add
			Roi[] items = imp.getOverlay().toArray();
			assertEquals(4, items.length, "heat map, colour bar, two labels");
			assertEquals(heat.getName(), ExplainTool.HEATMAP_NAME);
			assertEquals(0, items[0].getBounds().x);

			// The same image at 4× (128×128 pixels, 0.25 mm): the map is resampled to the image's pixels.
			ImagePlus big = IjVolumes.toImagePlus(image(new Random(77), 19, 5), "square ×4");
			big.setProcessor(big.getProcessor().resize(4 * N, 4 * N));
			big.getCalibration().pixelWidth = big.getCalibration().pixelHeight = 0.25;
			ExplainTool.Explanation e4 = ExplainTool.explain(c, big, 1, ExplainTool.SALIENCY);
			assertEquals(16 * N * N, e4.map().length);
			int[] p4 = e4.argmax();
			assertTrue(inSquare(new int[] {p4[0] / 4, p4[1] / 4}, 2), "peak at " + Arrays.toString(p4) + " in the 4× image");
			ExplainTool.annotate(big, e4, 1);
			Files.createDirectories(Path.of("target"));
			ImageIO.write(big.flatten().getBufferedImage(), "png", Path.of("target", "explain-screenshot.png").toFile());
		}
	}

	@Test
	void gradCamPeaksInsideTheSquareAndIsTheDefaultForCnns() throws IOException {
		ImagePlus imp = testImage();
		try (Classifier c = Models.openClassifier(model)) {
			assertEquals(ExplainTool.GRAD_CAM, ExplainTool.defaultMethod(c.card()));
			assertEquals(ExplainTool.GRAD_CAM, ExplainTool.METHODS.get(0), "first in the dialog");
			ExplainTool.Explanation e = ExplainTool.explain(c, imp, 1, ExplainTool.GRAD_CAM);
			assertEquals("square", e.classification().className());
			assertEquals(ExplainTool.GRAD_CAM, e.method());
			assertEquals(N * N, e.map().length);
			assertEquals(1, e.max(), 1e-6, "normalised to [0, 1]");
			assertTrue(e.min() >= 0);
			// The CAM lives on a 16×16 feature map (2 pixels a cell): one cell of slack.
			assertTrue(inSquare(e.argmax(), 2), "Grad-CAM peak at " + Arrays.toString(e.argmax()));
			ExplainTool.annotate(imp, e, 1);
			assertEquals(4, imp.getOverlay().size(), "heat map, colour bar, two labels");
			assertTrue(ExplainTool.summary(e).endsWith("explained by grad-cam"), ExplainTool.summary(e));
		}
	}

	@Test
	void occlusionPeaksInsideTheSquareAndASelectionMovesTheRegion() throws IOException {
		ImagePlus imp = testImage();
		try (Classifier c = Models.openClassifier(model)) {
			imp.setRoi(new Roi(20, 6, 4, 4));
			ExplainTool.Explanation cropped = ExplainTool.explain(c, imp, 1, ExplainTool.SALIENCY);
			assertEquals(new java.awt.Rectangle(22 - N / 2, 8 - N / 2, N, N), cropped.region());
			imp.deleteRoi();
			ExplainTool.Explanation e = ExplainTool.explain(c, imp, 1, ExplainTool.OCCLUSION);
			assertTrue(e.max() > 0.1, "occluding the square lowers the log-odds of square: " + e.max());
			// A pixel's value is the mean drop of the 4-pixel patches that cover it, and a patch covering a pixel up to
			// 3 pixels outside the square can overlap the square's edge, which a CNN's edge filters key on.
			assertTrue(inSquare(e.argmax(), 3), "occlusion peak at " + Arrays.toString(e.argmax()));
			assertThrows(IllegalArgumentException.class, () -> ExplainTool.explain(c, imp, 1, "gradcam"));
			assertThrows(IllegalArgumentException.class, () -> c.saliency(image(new Random(1), -1, 0), 2));
		}
	}
}
