package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Models;
import org.tensorflow.SavedModelBundle;

/**
 * A package whose SavedModel loads but whose checks then fail leaves nothing open: the real bundle, seen through
 * {@link LoadedModel#afterLoad} as soon as it is loaded, is closed when the constructor throws (its graph refuses
 * further use, as TensorFlow does for a closed graph). The packages are the format-1 fixtures of
 * {@link LegacyPackageTest}, opened with cards that fail a check after loading.
 */
class LoadedModelClosingTest {

	private static final Path SEGMENTER = Path.of("src", "test", "resources", "legacy", "format1-segmenter");
	private static final Path CLASSIFIER = Path.of("src", "test", "resources", "legacy", "format1-classifier");

	private final List<SavedModelBundle> loaded = new ArrayList<>();

	@AfterEach
	void removeHook() {
		LoadedModel.afterLoad = null;
	}

	private void watch() {
		LoadedModel.afterLoad = loaded::add;
	}

	/** Whether TensorFlow refuses to use the graph because it was closed. */
	private static boolean closed(SavedModelBundle b) {
		try {
			b.graph().operation(TrainableNet.INPUT);
			return false;
		} catch (IllegalStateException e) {
			return true;
		}
	}

	@Test
	void theWatchedBundleOfAnOpenModelIsOpenUntilClosed() throws IOException {
		watch();
		TfClassifier c = new TfClassifier(CLASSIFIER, Models.readCard(CLASSIFIER));
		assertEquals(1, loaded.size());
		assertNotNull(loaded.get(0).graph().operation(TrainableNet.INPUT), "an open model's graph is usable");
		c.close();
		assertTrue(closed(loaded.get(0)), "close() closes the bundle");
	}

	@Test
	void a3dCardWithoutPatchLeavesNothingOpen() throws IOException {
		watch();
		ModelCard card = Models.readCard(SEGMENTER); // a 2D package: no patch size
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> new TfSegmenter3d(SEGMENTER, card));
		assertTrue(e.getMessage().contains("patchZyx"), e.getMessage());
		assertEquals(1, loaded.size(), "the graph was loaded before the check failed");
		assertTrue(closed(loaded.get(0)), "the refused package's bundle is closed");
	}

	@Test
	void aClassifierWhoseNormalisationIsRefusedLeavesNothingOpen() throws IOException {
		watch();
		ModelCard good = Models.readCard(CLASSIFIER);
		Map<String, Object> json = new LinkedHashMap<>(good.json());
		Map<String, Object> input = new LinkedHashMap<>(good.input());
		input.put("normalisation", Map.of("scheme", "sepia"));
		json.put("input", input);
		ModelCard bad = new ModelCard("2", good.task(), good.name(), good.classNames(), json);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TfClassifier(CLASSIFIER, bad));
		assertTrue(e.getMessage().contains("sepia"), e.getMessage());
		assertEquals(1, loaded.size());
		assertTrue(closed(loaded.get(0)), "the refused package's bundle is closed");
	}

	@Test
	void aFailingHookStandsForAnyFailureAfterLoading() throws IOException {
		// The first moment after loading: even an Error there closes the bundle.
		LoadedModel.afterLoad = b -> {
			loaded.add(b);
			throw new AssertionError("refused right after loading");
		};
		ModelCard card = Models.readCard(SEGMENTER);
		assertThrows(AssertionError.class, () -> new TfSegmenter(SEGMENTER, card));
		assertTrue(closed(loaded.get(0)));
	}
}
