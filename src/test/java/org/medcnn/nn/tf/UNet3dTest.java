package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.RdfYaml;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Npy;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.nn.SchemaCheck;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.testing.HeldOut;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/**
 * The 3D U-Net end to end, trained once on two synthetic 16×32×32 volumes with a bright ball each among bright
 * vessels (patches 8×32×32): training progress, quality on unseen volumes against the best global threshold, the
 * card, export → reload, and sliding-window inference against whole-volume runs.
 */
class UNet3dTest {

	static final int[] PATCH = {8, 32, 32};
	static final int EPOCHS = 50;
	/** Vessels per volume: enough that a global threshold reaches a Dice of only about 0.5. */
	static final int VESSELS = 4;
	static final String MODEL_DEF = "bioimageio__spec__model__v0_5__ModelDescr";

	@TempDir
	static Path dir;
	static Path pkg;
	static final List<Volume> images = new ArrayList<>();
	static final List<Mask> masks = new ArrayList<>();
	static final List<EpochMetrics> history = new ArrayList<>();
	static double patchesPerSecond;

	@BeforeAll
	static void train() throws IOException {
		Random rng = new Random(5);
		for (int i = 0; i < 2; i++) ballCase(16, 32, 32, rng, images, masks);
		// On two volumes the net sometimes sits on the "all background" plateau for all its epochs, depending on
		// multi-threaded rounding: then a second seed has to learn (into the same folder, replacing the package).
		// Seed 5 first: its held-out Dice came out at 0.86 in each of four runs, seed 3's anywhere in 0.70…0.86.
		long t0 = 0;
		for (long seed : new long[] {5, 3}) {
			history.clear();
			TrainingConfig tc = new TrainingConfig(EPOCHS, 2, 1e-2, "adam", "dice-ce", "relu", seed, 0);
			Segmenter3dConfig cfg = new Segmenter3dConfig(2, 8, PATCH, 40, 400, tc);
			t0 = System.nanoTime();
			pkg = Training.trainSegmenter3d(images, masks, cfg, history::add, new Cancellation(), dir.resolve("seg3d"));
			if (history.get(EPOCHS - 1).trainMetric() > 0.5) break;
		}
		double trainSeconds = 0;
		for (EpochMetrics m : history) trainSeconds += m.seconds();
		int perEpoch = 2 * TfTraining3d.patchesPerCase(16 * 32 * 32, PATCH);
		patchesPerSecond = EPOCHS * perEpoch / trainSeconds;
		System.out.printf("3D U-Net: %d epochs of %d patches %dx%dx%d in %.1f s (%.1f s with packaging): %.1f patches/s%n",
			EPOCHS, perEpoch, PATCH[0], PATCH[1], PATCH[2], trainSeconds, (System.nanoTime() - t0) / 1e9, patchesPerSecond);
	}

	/**
	 * A volume at -50 HU (noise σ 20) with a ball of 150 HU, radius 4–6 voxels, at a random place (the lesion), and
	 * {@link #VESSELS} straight tubes of radius 1.5 voxels and 150 HU across the volume at random places, nearly
	 * in-plane (not lesions). Adds the volume and its lesion mask to the lists.
	 */
	static void ballCase(int nz, int ny, int nx, Random rng, List<Volume> images, List<Mask> masks) {
		float[] v = new float[nz * ny * nx];
		byte[] m = new byte[v.length];
		double r = 4 + 2 * rng.nextDouble();
		double cz = 5 + rng.nextDouble() * (nz - 10), cy = 7 + rng.nextDouble() * (ny - 14), cx = 7 + rng.nextDouble() * (nx - 14);
		// tube k: a point (z, y, x) and a unit direction (dz, dy, dx) at most about 17° out of plane
		double[][] tubes = new double[VESSELS][];
		for (int k = 0; k < VESSELS; k++) {
			double azimuth = Math.PI * rng.nextDouble(), elevation = (rng.nextDouble() - 0.5) * 0.6;
			tubes[k] = new double[] {nz * (0.2 + 0.6 * rng.nextDouble()), ny * (0.2 + 0.6 * rng.nextDouble()),
				nx * (0.2 + 0.6 * rng.nextDouble()), Math.sin(elevation), Math.cos(elevation) * Math.sin(azimuth),
				Math.cos(elevation) * Math.cos(azimuth)};
		}
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) {
					int i = (z * ny + y) * nx + x;
					boolean in = Math.pow(z - cz, 2) + Math.pow(y - cy, 2) + Math.pow(x - cx, 2) <= r * r, vessel = false;
					for (double[] t : tubes) {
						double dz = z - t[0], dy = y - t[1], dx = x - t[2], along = dz * t[3] + dy * t[4] + dx * t[5];
						vessel |= dz * dz + dy * dy + dx * dx - along * along <= 1.5 * 1.5;
					}
					v[i] = (float) ((in || vessel ? 150 : -50) + 20 * rng.nextGaussian());
					m[i] = (byte) (in ? 1 : 0);
				}
		Geometry g = Geometry.axial(nx, ny, nz, 1, 1, 1);
		images.add(new Volume(g, v, "CT"));
		masks.add(new Mask(g, m));
	}

	@Test
	void lossFalls() {
		assertEquals(EPOCHS, history.size());
		EpochMetrics first = history.get(0), last = history.get(EPOCHS - 1);
		assertTrue(last.trainLoss() < first.trainLoss() / 2, "loss falls: " + first.trainLoss() + " → " + last.trainLoss());
		assertTrue(patchesPerSecond > 0);
	}

	@Test
	void unseenVolumesAreSegmentedBetterThanByAThreshold() throws IOException {
		List<Volume> fresh = new ArrayList<>();
		List<Mask> freshMasks = new ArrayList<>();
		Random rng = new Random(55);
		for (int i = 0; i < 3; i++) ballCase(16, 32, 32, rng, fresh, freshMasks);
		try (Segmenter s = Models.openSegmenter(pkg)) {
			// measured: U-Net 0.86, global threshold 0.53; trained on volumes without vessels (a learnt threshold)
			// 0.56, after 1 epoch 0
			HeldOut.score(s, images, masks, fresh, freshMasks).assertBeatsThreshold(0.15, 0.7);
		}
	}

	@Test
	void cardRecordsDimsAndPatch() throws IOException {
		ModelCard card = Models.readCard(pkg);
		assertEquals("unet3d", card.architecture());
		assertEquals(3, card.dims());
		assertArrayEquals(PATCH, card.patchZyx());
		Map<?, ?> arch = (Map<?, ?>) card.json().get("architecture");
		assertEquals(3L, arch.get("dims"));
		assertEquals(List.of("2x2x2"), arch.get("pooling"));
		assertEquals(2L, card.input().get("zMultiple"));
		assertArrayEquals(new int[] {1, 8, 32, 32, 1}, Npy.read(pkg.resolve("test_input.npy")).shape());
		String rdf = Files.readString(pkg.resolve("rdf.yaml"));
		Map<String, Object> parsed = RdfYaml.parse(rdf);
		assertTrue(((List<?>) parsed.get("tags")).contains("3d"), rdf);
		Map<?, ?> in = (Map<?, ?>) ((List<?>) parsed.get("inputs")).get(0);
		assertTrue(((List<?>) in.get("axes")).stream().anyMatch(a -> "z".equals(((Map<?, ?>) a).get("id"))), rdf);
		Path schemaFile = Path.of("..", "shared", "bioimageio", "bioimageio_schema.json");
		SchemaCheck check = new SchemaCheck(Json.asObject(Json.parse(Files.readString(schemaFile)), schemaFile.toString()));
		assertEquals(List.of(), check.validate(RdfYaml.parse(rdf), MODEL_DEF), "rdf.yaml against the bioimage.io schema");
	}

	@Test
	void reloadedModelSegmentsTheVolumeIdentically() throws IOException {
		try (Segmenter a = Models.openSegmenter(pkg); Segmenter b = Models.openSegmenter(pkg)) {
			Volume v = images.get(0);
			Segmentation sa = a.segment(v, null, null), sb = b.segment(v, null, null);
			assertArrayEquals(sa.probability(), sb.probability(), "reloading gives identical probabilities");
			assertEquals(v.geometry(), sa.mask().geometry());
		}
	}

	@Test
	void slidingWindowEqualsWholeVolumeRunWhereOnePatchCoversIt() throws IOException {
		ModelCard card = Models.readCard(pkg);
		try (TfSegmenter3d s = new TfSegmenter3d(pkg, card)) {
			// a volume of exactly the patch size: one window
			Volume v = crop(images.get(1), PATCH[0], PATCH[1], PATCH[2]);
			float[] whole = s.run(windowed(v, card), Shape.of(1, PATCH[0], PATCH[1], PATCH[2], 1));
			assertArrayEquals(whole, s.segment(v, null, null).probability(), 1e-6f);
			// a smaller volume: padded to the patch, run, cropped back
			Volume small = crop(images.get(1), 5, 20, 24);
			float[] padded = new float[PATCH[0] * PATCH[1] * PATCH[2]];
			float[] w = windowed(small, card);
			for (int z = 0; z < 5; z++)
				for (int y = 0; y < 20; y++) System.arraycopy(w, (z * 20 + y) * 24, padded, (z * PATCH[1] + y) * PATCH[2], 24);
			float[] out = s.run(padded, Shape.of(1, PATCH[0], PATCH[1], PATCH[2], 1));
			float[] expected = new float[5 * 20 * 24];
			for (int z = 0; z < 5; z++)
				for (int y = 0; y < 20; y++) System.arraycopy(out, (z * PATCH[1] + y) * PATCH[2], expected, (z * 20 + y) * 24, 24);
			assertArrayEquals(expected, s.segment(small, null, null).probability(), 1e-6f);
			// a larger volume: several overlapping windows whose average stays close to the whole-volume run
			Volume big = images.get(1);
			float[] full = s.run(windowed(big, card), Shape.of(1, 16, 32, 32, 1));
			float[] slid = s.segment(big, null, null).probability();
			assertEquals(full.length, slid.length);
			for (float p : slid) assertTrue(p >= 0 && p <= 1, "probability " + p);
			assertTrue(dice(threshold(full), threshold(slid)) > 0.8, "sliding window agrees with the whole-volume run");
		}
	}

	@Test
	void patchMustFitTheDepth() {
		TrainingConfig tc = TrainingConfig.segmenterDefaults();
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> new Segmenter3dConfig(3, 8, new int[] {16, 30, 64}, 40, 400, tc));
		assertTrue(e.getMessage().contains("patchZyx"), e.getMessage());
		Segmenter3dConfig thin = new Segmenter3dConfig(3, 8, new int[] {4, 64, 64}, 40, 400, tc);
		assertEquals(1, thin.zMultiple(), "thin patches pool only in-plane");
		Segmenter3dConfig thick = new Segmenter3dConfig(3, 8, new int[] {16, 64, 64}, 40, 400, tc);
		assertEquals(4, thick.zMultiple());
		assertTrue(thick.poolsZ(0) && thick.poolsZ(1));
	}

	@Test
	void flipsMirrorEverySliceOfAPatch() {
		// 2 slices of 3×2: x flip reverses each row, y flip swaps the rows of each slice
		float[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
		assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, Trainer.flipSlices(a, 3, 2, 2, true, false));
		assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9}, Trainer.flipSlices(a, 3, 2, 2, false, true));
	}

	@Test
	void slidingWindowPositionsCoverTheAxis() {
		assertEquals(List.of(0), Patches.positions(8, 8, 4));
		assertEquals(List.of(0), Patches.positions(5, 8, 4));
		assertEquals(List.of(0, 4, 8, 10), Patches.positions(18, 8, 4));
	}

	@Test
	void inferenceTilesOfAClinicalCtWasteLittleWork() {
		int[] dims = {300, 512, 512}, mult = {4, 4, 4}, min = {32, 44, 44};
		long max = 8L << 20;
		int[] t = Patches.inferenceTile(dims, mult, min, max);
		assertTrue((long) t[0] * t[1] * t[2] <= max, java.util.Arrays.toString(t));
		long computed = (long) t[0] * t[1] * t[2];
		for (int a = 0; a < 3; a++) {
			assertEquals(0, t[a] % mult[a], "axis " + a + " of " + java.util.Arrays.toString(t));
			assertTrue(t[a] >= min[a] && t[a] <= dims[a], "axis " + a + " of " + java.util.Arrays.toString(t));
			List<Integer> starts = Patches.positions(dims[a], t[a], t[a] - Patches.overlap(t[a], mult[a]));
			assertEquals(0, starts.get(0));
			assertEquals(dims[a] - t[a], starts.get(starts.size() - 1), "the windows reach the axis' end");
			for (int i = 1; i < starts.size(); i++)
				assertTrue(starts.get(i) - starts.get(i - 1) <= t[a] - Patches.MIN_OVERLAP, "windows overlap by the reach");
			computed *= starts.size();
		}
		// shrinking the whole grid by quarters (the tiling before) computed 1.84 times the voxels
		assertTrue(computed <= 1.3 * dims[0] * dims[1] * dims[2], "computed " + computed / (300.0 * 512 * 512) + " × the grid");
		assertArrayEquals(new int[] {48, 128, 128}, Patches.inferenceTile(new int[] {48, 128, 128}, mult, min, max),
			"a grid that fits is one tile");
		assertArrayEquals(new int[] {32, 44, 44}, Patches.inferenceTile(new int[] {10, 20, 20}, mult, min, max),
			"never smaller than the training patch");
	}

	@Test
	void onlyTheBodysBoxIsRun() {
		int nx = 200, ny = 160, nz = 40;
		float[] x = new float[nx * ny * nz];
		java.util.Arrays.fill(x, -1000f);
		for (int z = 10; z < 30; z++)
			for (int y = 50; y < 100; y++)
				for (int xx = 60; xx < 150; xx++) x[(z * ny + y) * nx + xx] = 40f;
		Volume v = new Volume(Geometry.axial(nx, ny, nz, 0.7, 0.7, 1.0), x, "CT");
		int m = TfSegmenter3d.BODY_MARGIN;
		assertArrayEquals(new int[] {0, 50 - m, 60 - m, nz, 100 + m, 150 + m}, TfSegmenter3d.bodyBox(v, v.geometry()),
			"the body's box widened by the margin, clipped to the grid");
		Geometry half = Geometry.axial(nx / 2, ny / 2, nz, 1.4, 1.4, 1.0);
		assertArrayEquals(new int[] {0, 25 - m, 30 - m, nz, 50 + m, 75 + m}, TfSegmenter3d.bodyBox(v, half),
			"mapped onto a coarser network grid");
		java.util.Arrays.fill(x, -1000f);
		assertArrayEquals(new int[] {0, 0, 0, nz, ny, nx}, TfSegmenter3d.bodyBox(v, v.geometry()), "no body: the whole grid");
	}

	private static float[] windowed(Volume v, ModelCard card) {
		return card.preprocessing().normalisation().apply(v.voxels(), v.modality());
	}

	private static Volume crop(Volume v, int nz, int ny, int nx) {
		Geometry g = v.geometry();
		float[] out = new float[nz * ny * nx];
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++) System.arraycopy(v.voxels(), (z * g.ny() + y) * g.nx(), out, (z * ny + y) * nx, nx);
		return new Volume(Geometry.axial(nx, ny, nz, 1, 1, 1), out, "CT");
	}

	private static byte[] threshold(float[] p) {
		byte[] b = new byte[p.length];
		for (int i = 0; i < p.length; i++) b[i] = (byte) (p[i] >= 0.5f ? 1 : 0);
		return b;
	}

	static double dice(byte[] a, byte[] b) {
		long inter = 0, sa = 0, sb = 0;
		for (int i = 0; i < a.length; i++) {
			if (a[i] != 0) sa++;
			if (b[i] != 0) sb++;
			if (a[i] != 0 && b[i] != 0) inter++;
		}
		return sa + sb == 0 ? 1 : 2.0 * inter / (sa + sb);
	}
}
