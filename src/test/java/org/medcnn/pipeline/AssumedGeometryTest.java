package org.medcnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.data.Datasets;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Training on images whose reader assumed their geometry is refused unless asked for, as predict refuses to measure
 * them (issue 15 item 7): before, train-segmenter, train-classifier and finetune trained on "1 mm assumed" with a
 * warning only. With the option the card records what was assumed. One rule, one home ({@link AssumedGeometry}).
 */
class AssumedGeometryTest {

	private static final List<String> ASSUMED = List.of("no PixelSpacing: 1 mm assumed");
	private static final Geometry GRID = Geometry.axial(16, 12, 3, 0.8, 0.8, 2.5);

	static Datasets.Case labelled(String name, List<String> warnings) {
		float[] hu = new float[GRID.voxelCount()];
		byte[] m = new byte[hu.length];
		for (int i = 0; i < hu.length; i++) {
			hu[i] = (i * 37) % 200 - 50;
			if (i % 16 >= 5 && i % 16 < 9 && i / 16 % 12 >= 4 && i / 16 % 12 < 8) {
				m[i] = 1;
				hu[i] = 120;
			}
		}
		return new Datasets.Case(name, new Volume(GRID, hu, "CT"), new Mask(GRID, m), warnings);
	}

	private static void assertRefusal(IllegalArgumentException e, String refused, String accepted) {
		String m = e.getMessage();
		assertTrue(m.contains(refused) && m.contains("1 mm assumed") && m.contains(AssumedGeometry.OPTION)
			&& m.contains(AssumedGeometry.KEY), m);
		assertFalse(m.contains(accepted), m);
	}

	@Test
	void aSegmenterIsNotTrainedOnAssumedGeometryUnlessAskedAndTheCardThenRecordsIt() {
		List<Datasets.Case> cases = List.of(labelled("measured", List.of()), labelled("nospacing", ASSUMED));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> Trainings.planSegmenter(SegmenterRequest.builder().epochs(1).build(), cases));
		assertRefusal(e, "nospacing", "measured");
		TrainingPlanner.SegmenterPlan plan = Trainings.planSegmenter(SegmenterRequest.builder().epochs(1)
			.assumeGeometry(true).build(), cases);
		assertEquals(1, plan.preprocessing().fingerprint().readWarnings().get(ASSUMED.get(0)));
		assertTrue(plan.preprocessing().fingerprint().cardRecord().toString().contains(ASSUMED.get(0)));
		// without assumed geometry nothing changes
		Trainings.planSegmenter(SegmenterRequest.builder().epochs(1).build(), List.of(labelled("measured", List.of())));
	}

	@Test
	void aClassifierIsNotTrainedOnAssumedGeometryUnlessAsked() {
		List<Datasets.Item> items = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			Datasets.Case c = labelled("c" + i, List.of());
			items.add(new Datasets.Item("class" + i % 2 + "/item" + i, c.image(), i % 2, false, i == 3 ? ASSUMED : List.of()));
		}
		List<String> classes = List.of("class0", "class1");
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> Trainings.planClassifier(ClassifierRequest.builder().epochs(1).build(), items, classes));
		assertRefusal(e, "class1/item3", "item0");
		TrainingPlanner.ClassifierPlan plan = Trainings.planClassifier(ClassifierRequest.builder().epochs(1)
			.assumeGeometry(true).build(), items, classes);
		assertEquals(1, plan.config().preprocessing().fingerprint().readWarnings().get(ASSUMED.get(0)));
	}

	@Test
	void fineTuningIsNotDoneOnAssumedGeometryUnlessAsked(@TempDir Path dir) throws Exception {
		Path parent = Path.of("src/test/resources/golden/models/segmenter");
		List<Datasets.Case> cases = List.of(labelled("nospacing", ASSUMED));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> FineTuning.plan(new FineTuning.Request(parent, 1, null, false, false, null), cases, dir.resolve("out")));
		assertRefusal(e, "nospacing", "measured");
		FineTuning.Plan plan = FineTuning.plan(new FineTuning.Request(parent, 1, null, false, false, null, true), cases,
			dir.resolve("out"));
		assertEquals(1, plan.plan().preprocessing().fingerprint().readWarnings().get(ASSUMED.get(0)));
	}
}
