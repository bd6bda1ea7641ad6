package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/** {@link MemoryPlan}: the batch (and 3D patch) shrink to the budget, never below one item, and are reported. */
class MemoryPlanTest {

	private static final long MB = 1L << 20;

	@Test
	void aRoomyBudgetKeepsTheRequestAndATightOneLowersTheBatch() {
		SegmenterConfig u1 = new SegmenterConfig(4, 16, 40, 400, TrainingConfig.segmenterDefaults().withBatchSize(8));
		MemoryPlan roomy = MemoryPlan.segmenter2d(u1, 128, 128, 8192 * MB);
		assertEquals(8, roomy.batchSize());
		assertFalse(roomy.reduced());
		// U1's step: 16 filters at 128², 22 maps each, over 4 levels ≈ 4 · 128² · 16 · 22 · (1 + 1/2 + 1/4 + 1/8) bytes
		double expected = 4.0 * 128 * 128 * 16 * 22 * 1.875;
		assertEquals(expected, roomy.bytesPerItem(), expected * 0.02);
		MemoryPlan tight = MemoryPlan.segmenter2d(u1, 128, 128, roomy.fixedBytes() + 3 * roomy.bytesPerItem() + 1);
		assertEquals(3, tight.batchSize());
		assertTrue(tight.reduced());
		assertTrue(tight.describe().contains("lowered from batch 8"), tight.describe());
		assertEquals(1, MemoryPlan.segmenter2d(u1, 512, 512, 1 * MB).batchSize(), "never below one slice");
	}

	@Test
	void a3dPlanHalvesThePatchWhenOnePatchDoesNotFit() {
		Segmenter3dConfig u3 = new Segmenter3dConfig(3, 8, new int[] {32, 128, 128}, 40, 400,
			TrainingConfig.segmenterDefaults().withBatchSize(2));
		MemoryPlan full = MemoryPlan.segmenter3d(u3, 1L << 40);
		assertArrayEquals(new int[] {32, 128, 128}, full.patchZyx());
		long onePatchAtHalf = full.bytesPerItem() / 2 + full.fixedBytes();
		MemoryPlan smaller = MemoryPlan.segmenter3d(u3, onePatchAtHalf + MB);
		assertEquals(1, smaller.batchSize());
		assertEquals(32, smaller.patchZyx()[0]);
		assertEquals(128 * 64, smaller.patchZyx()[1] * smaller.patchZyx()[2], "one in-plane side halved");
		Map<String, Object> card = smaller.cardRecord();
		assertEquals(Boolean.TRUE, card.get("reduced"));
		assertEquals(List.of(32, 128, 128), card.get("requestedPatchZyx"));
		MemoryPlan floor = MemoryPlan.segmenter3d(u3, MB);
		assertTrue(floor.patchZyx()[1] >= MemoryPlan.MIN_PATCH_SIDE && floor.patchZyx()[2] >= MemoryPlan.MIN_PATCH_SIDE);
	}

	@Test
	void theBudgetComesFromThePropertyOrTheMachine() {
		String before = System.getProperty("medcnn.memoryBudgetMb");
		try {
			System.setProperty("medcnn.memoryBudgetMb", "300");
			assertEquals(300 * MB, MemoryPlan.availableBudget());
			System.setProperty("medcnn.memoryBudgetMb", "lots");
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, MemoryPlan::availableBudget);
			assertTrue(e.getMessage().contains("medcnn.memoryBudgetMb"), e.getMessage());
			System.clearProperty("medcnn.memoryBudgetMb");
			assertTrue(MemoryPlan.availableBudget() >= 64 * MB);
		} finally {
			if (before == null) System.clearProperty("medcnn.memoryBudgetMb");
			else System.setProperty("medcnn.memoryBudgetMb", before);
		}
	}

	@Test
	void trainingUsesAndRecordsThePlan(@TempDir Path dir) throws IOException {
		List<Mask> masks = new ArrayList<>();
		List<Volume> images = Synthetic.discCases(2, 96, 2, 7, masks);
		SegmenterConfig cfg = new SegmenterConfig(2, 4, 40, 400, new TrainingConfig(1, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0));
		long per = MemoryPlan.segmenter2d(cfg, 96, 96, 1L << 40).bytesPerItem();
		long fixed = MemoryPlan.segmenter2d(cfg, 96, 96, 1L << 40).fixedBytes();
		String before = System.getProperty("medcnn.memoryBudgetMb");
		List<String> notes = new ArrayList<>();
		try {
			// a budget with room for two slices but not four
			System.setProperty("medcnn.memoryBudgetMb", Long.toString((fixed + 5 * per / 2) / MB));
			long budget = MemoryPlan.availableBudget();
			int expected = (int) Math.max(1, Math.min(4, (budget - fixed) / per));
			Path pkg = Training.trainSegmenter(images, masks, cfg, new TrainingListener() {
				@Override
				public void epochEnded(EpochMetrics m) {}

				@Override
				public void note(String message) {
					notes.add(message);
				}
			}, null, dir.resolve("m"));
			@SuppressWarnings("unchecked")
			Map<String, Object> tr = (Map<String, Object>) Models.readCard(pkg).json().get("training");
			assertEquals(expected, ((Number) tr.get("batchSize")).intValue());
			@SuppressWarnings("unchecked")
			Map<String, Object> plan = (Map<String, Object>) tr.get("memoryPlan");
			assertEquals(4, ((Number) plan.get("requestedBatch")).intValue());
			assertTrue(notes.get(0).startsWith("Memory plan: batch " + expected), notes.toString());
		} finally {
			if (before == null) System.clearProperty("medcnn.memoryBudgetMb");
			else System.setProperty("medcnn.memoryBudgetMb", before);
		}
	}
}
