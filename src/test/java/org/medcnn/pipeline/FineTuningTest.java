package org.medcnn.pipeline;

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
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.data.Datasets;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;

/**
 * Fine-tuning ({@link FineTuning}) on small MR-like cases ({@link SelfConfiguringTrainingTest#mrCase}): the new
 * network starts from the parent's weights, the parent is left byte for byte as it was, and the card records the
 * lineage.
 */
class FineTuningTest {

	@TempDir
	Path dir;

	static List<Datasets.Case> cases(int n, long seed) {
		Random r = new Random(seed);
		List<Datasets.Case> out = new ArrayList<>();
		for (int i = 0; i < n; i++) out.add(SelfConfiguringTrainingTest.mrCase("c" + i, r, 1.5, 72, 1, 0));
		return out;
	}

	/** Every file under {@code root} with its bytes' SHA-256. */
	static Map<String, String> files(Path root) throws IOException {
		Map<String, String> out = new TreeMap<>();
		try (Stream<Path> s = Files.walk(root)) {
			for (Path f : s.filter(Files::isRegularFile).toList())
				out.put(root.relativize(f).toString(), FineTuning.sha256(Files.readAllBytes(f)));
		}
		return out;
	}

	static double trainLoss(ModelCard card, int index) {
		List<?> h = (List<?>) ((Map<?, ?>) card.json().get("training")).get("history");
		return ((Number) ((Map<?, ?>) h.get(index < 0 ? h.size() + index : index)).get("trainLoss")).doubleValue();
	}

	@Test
	void startsFromTheParentsWeightsAndLeavesTheParentUntouched() throws IOException {
		List<Datasets.Case> train = cases(6, 11);
		Path parent = dir.resolve("parent");
		// no validation split: the package holds the last epoch's weights, whose loss is the history's last
		Trainings.trainSegmenter(SegmenterRequest.builder().epochs(8).filters(8).batch(8).seed(3L).samplesPerEpoch(96)
			.valFraction(0.0).build(), train, null, null, parent);
		Map<String, String> before = files(parent);
		ModelCard parentCard = Models.readCard(parent);
		double fresh = trainLoss(parentCard, 0), last = trainLoss(parentCard, -1);
		assertTrue(fresh - last > 0.2, "the parent learnt: first epoch " + fresh + ", last " + last);

		Path child = dir.resolve("child");
		FineTuning.fineTune(new FineTuning.Request(parent, 1, null, false, false, null), train, null, null, child);
		ModelCard card = Models.readCard(child);
		double first = trainLoss(card, 0);
		// from the parent's weights the first epoch goes on where the parent stopped; from fresh weights it would start
		// near the parent's first epoch
		assertTrue(Math.abs(first - last) < 0.25 * (fresh - last), "fine-tuning's first epoch loss " + first
			+ " should be close to the parent's last " + last + ", far below a fresh model's first " + fresh);
		assertEquals(before, files(parent), "the parent package is byte for byte unchanged");
		assertEquals("cosine", ((Map<?, ?>) card.json().get("training")).get("schedule"),
			"fine-tuning decays its learning rate, whatever the parent's schedule");

		Map<?, ?> lineage = (Map<?, ?>) card.json().get("lineage");
		Map<?, ?> p = (Map<?, ?>) lineage.get("parent");
		assertEquals("parent", p.get("name"));
		assertEquals(FineTuning.sha256(Files.readAllBytes(parent.resolve(ModelCard.FILE_NAME))), p.get("cardSha256"));
		assertEquals(FineTuning.weightsSha256(parent), p.get("weightsSha256"));
		assertEquals(false, lineage.get("preprocessingRefitted"));
		assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5"), lineage.get("casesAdded"));
		assertEquals(parentCard.preprocessing().normalisation(), card.preprocessing().normalisation(),
			"the parent's normalisation is kept");

		// the next generation adds one case: only it is new to the lineage
		List<Datasets.Case> more = new ArrayList<>(train);
		more.add(SelfConfiguringTrainingTest.mrCase("added", new Random(99), 1.5, 72, 1, 0));
		Path grandchild = dir.resolve("grandchild");
		Map<String, String> childBefore = files(child);
		FineTuning.fineTune(FineTuning.Request.of(child, 1), more, null, null, grandchild);
		Map<?, ?> l2 = (Map<?, ?>) Models.readCard(grandchild).json().get("lineage");
		assertEquals(List.of("added"), l2.get("casesAdded"));
		assertEquals(2, ((Number) l2.get("generation")).intValue());
		assertEquals(childBefore, files(child));
	}

	/**
	 * The same for a 3D parent (a tiny 3D U-Net on 4-slice patches): the child's first epoch goes on from the parent's
	 * last, the parent is untouched, and the child's card records its parent and keeps the 3D architecture.
	 */
	@Test
	void startsA3dChildFromTheParentsWeights() throws IOException {
		List<Datasets.Case> train = cases(4, 23);
		Path parent = dir.resolve("parent3d");
		Trainings.trainSegmenter(SegmenterRequest.builder().dims(3).depth(2).filters(4).patch(new int[] {4, 32, 32})
			.epochs(8).batch(4).learningRate(1e-2).seed(5L).valFraction(0.0).build(), train, null, null, parent);
		Map<String, String> before = files(parent);
		ModelCard parentCard = Models.readCard(parent);
		assertEquals(3, parentCard.dims());
		double fresh = trainLoss(parentCard, 0), last = trainLoss(parentCard, -1);
		assertTrue(fresh - last > 0.2, "the 3D parent learnt: first epoch " + fresh + ", last " + last);

		Path child = dir.resolve("child3d");
		FineTuning.fineTune(FineTuning.Request.of(parent, 1), train, null, null, child);
		ModelCard card = Models.readCard(child);
		assertEquals(3, card.dims(), "the child is the parent's 3D network");
		double first = trainLoss(card, 0);
		assertTrue(Math.abs(first - last) < 0.25 * (fresh - last), "3D fine-tuning's first epoch loss " + first
			+ " should be close to the parent's last " + last + ", far below a fresh model's first " + fresh);
		assertEquals(before, files(parent), "the 3D parent package is byte for byte unchanged");

		Map<?, ?> lineage = (Map<?, ?>) card.json().get("lineage");
		Map<?, ?> p = (Map<?, ?>) lineage.get("parent");
		assertEquals("parent3d", p.get("name"));
		assertEquals(FineTuning.sha256(Files.readAllBytes(parent.resolve(ModelCard.FILE_NAME))), p.get("cardSha256"));
		assertEquals(FineTuning.weightsSha256(parent), p.get("weightsSha256"));
		assertEquals(List.of("c0", "c1", "c2", "c3"), lineage.get("casesAdded"));
		assertEquals("[4, 32, 32]", String.valueOf(((Map<?, ?>) card.json().get("architecture")).get("patchZyx")));
	}

	@Test
	void refusesToWriteOverOrInsideTheParent() throws IOException {
		List<Datasets.Case> train = cases(2, 5);
		Path parent = dir.resolve("p");
		Trainings.trainSegmenter(SegmenterRequest.builder().epochs(1).filters(4).batch(4).seed(1L).samplesPerEpoch(8).build(),
			train, null, null, parent);
		Map<String, String> before = files(parent);
		for (Path out : List.of(parent, parent.resolve("."), parent.resolve("inside"), dir)) {
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> FineTuning.fineTune(new FineTuning.Request(parent, 1, null, false, true, null), train, null, null, out));
			assertTrue(e.getMessage().startsWith("out: "), e.getMessage());
		}
		assertEquals(before, files(parent));
	}
}
