package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/** A 2.5D segmenter (context 1: slices z-1, z, z+1 as channels): training, package, reload, old packages. */
class ContextSegmenterTest {

	@TempDir
	static Path shared;
	static Path pkg;
	static List<Volume> images;

	@BeforeAll
	static void train() throws IOException {
		List<Mask> masks = new ArrayList<>();
		images = Synthetic.discCases(4, 16, 4, 1, masks);
		TrainingConfig tc = new TrainingConfig(20, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0.25);
		pkg = Training.trainSegmenter(images, masks, new SegmenterConfig(2, 4, 40, 400, tc).withContext(1), null, null,
			shared.resolve("ctx1"));
	}

	@Test
	void configValidatesContext() {
		SegmenterConfig d = SegmenterConfig.defaults();
		assertEquals(0, d.context());
		assertEquals(1, d.channels());
		assertEquals(5, d.withContext(2).channels());
		assertEquals(2, d.withContext(2).withLayers(LayerConfig.DEFAULT).withTraining(d.training()).context());
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.withContext(-1));
		assertTrue(e.getMessage().contains("context"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> d.withContext(SegmenterConfig.MAX_CONTEXT + 1));
	}

	@Test
	void trainingLossFallsAndTheCardRecordsThreeChannels() throws IOException {
		ModelCard card = Models.readCard(pkg);
		assertEquals(3, card.channels());
		assertEquals(1, card.context());
		assertEquals(3, ((Number) card.input().get("channels")).intValue());
		assertEquals(1, ((Number) ((Map<?, ?>) card.json().get("architecture")).get("context")).intValue());
		assertTrue(String.valueOf(card.input().get("slices")).contains("z-1"), card.input().toString());
		String readme = Files.readString(pkg.resolve(BioImageIo.README));
		assertTrue(readme.contains("2.5D: 3 channels, slices z-1 … z+1"), readme);
		List<?> history = (List<?>) ((Map<?, ?>) card.json().get("training")).get("history");
		double first = ((Number) ((Map<?, ?>) history.get(0)).get("trainLoss")).doubleValue();
		double last = ((Number) ((Map<?, ?>) history.get(history.size() - 1)).get("trainLoss")).doubleValue();
		assertTrue(last < first / 2, "train loss fell from " + first + " to " + last);
	}

	@Test
	void rdfYamlHasAThreeChannelInputAndIsSchemaValid() throws IOException {
		Map<String, Object> rdf = ModelPackageTest.rdf(pkg);
		assertEquals(List.of(), new SchemaCheck(ModelPackageTest.schema()).validate(rdf, ModelPackageTest.MODEL_DEF));
		Map<?, ?> in = (Map<?, ?>) ((List<?>) rdf.get("inputs")).get(0);
		List<?> axes = (List<?>) in.get("axes");
		Map<?, ?> channel = (Map<?, ?>) axes.get(3);
		assertEquals("channel", channel.get("type"));
		assertEquals(List.of("CT_z_minus_1", "CT_z", "CT_z_plus_1"), channel.get("channel_names"));
		assertArrayEquals(new int[] {1, 16, 16, 3}, Npy.read(pkg.resolve(BioImageIo.TEST_INPUT)).shape());
		assertArrayEquals(new int[] {1, 16, 16, 1}, Npy.read(pkg.resolve(BioImageIo.TEST_OUTPUT)).shape());
		assertEquals(1, ((Number) ((Map<?, ?>) ((Map<?, ?>) rdf.get("config")).get("medcnn")).get("context")).intValue());
		assertEquals(List.of("CT"), BioImageIo.channelNames("CT", 0));
	}

	@Test
	void reloadedPackageGivesTheTrainedNetsOutputOnTheTestStack() throws IOException {
		Npy.FloatArray in = Npy.read(pkg.resolve(BioImageIo.TEST_INPUT)), out = Npy.read(pkg.resolve(BioImageIo.TEST_OUTPUT));
		int n = 16 * 16;
		// the test input is a training slice with its neighbours (channels z-1, z, z+1)
		float[] volume = new float[3 * n];
		for (int i = 0; i < n; i++)
			for (int k = 0; k < 3; k++) volume[k * n + i] = in.data()[i * 3 + k];
		boolean found = false;
		for (Volume v : images)
			for (int z = 0; z < v.geometry().nz(); z++) {
				int[] zs = Inputs.contextSlices(z, v.geometry().nz(), 1);
				boolean same = true;
				for (int k = 0; k < 3; k++)
					same &= Arrays.equals(v.slice(zs[k]), Arrays.copyOfRange(volume, k * n, (k + 1) * n));
				found |= same;
			}
		assertTrue(found, "test_input.npy holds a training slice with its neighbours in channel order");
		// as a 3-slice volume, the middle slice sees exactly that stack: the reloaded model must reproduce the output
		try (Segmenter s = Models.openSegmenter(pkg)) {
			Volume v = new Volume(Geometry.axial(16, 16, 3, 1, 1, 2), volume, "CT");
			float[] p = s.segment(v, null, null).probability();
			assertArrayEquals(out.data(), Arrays.copyOfRange(p, n, 2 * n), 1e-6f, "export → reload: the same prediction");
			// flip TTA works with channels too
			assertEquals(3 * n, s.segment(v, true, null, null).probability().length);
		}
	}

	@Test
	void packagesWithoutAChannelsFieldStillLoad() throws IOException {
		List<Mask> masks = new ArrayList<>();
		List<Volume> vols = Synthetic.discCases(2, 8, 2, 3, masks);
		TrainingConfig tc = new TrainingConfig(1, 4, 1e-2, "adam", "dice-ce", "relu", 1, 0);
		Path plain = Training.trainSegmenter(vols, masks, new SegmenterConfig(2, 2, 40, 400, tc), null, null,
			shared.resolve("plain"));
		float[] before;
		try (Segmenter s = Models.openSegmenter(plain)) {
			assertEquals(1, s.card().channels());
			before = s.segment(vols.get(0), null, null).probability();
		}
		// an older card: no channels, no context
		Path cardFile = plain.resolve(ModelCard.FILE_NAME);
		Map<String, Object> card = new LinkedHashMap<>(Json.asObject(Json.parse(Files.readString(cardFile)), "card"));
		Map<String, Object> input = new LinkedHashMap<>(Json.asObject(card.get("input"), "input"));
		input.remove("channels");
		input.remove("context");
		card.put("input", input);
		Files.writeString(cardFile, Json.writePretty(card), StandardCharsets.UTF_8);
		try (Segmenter s = Models.openSegmenter(plain)) {
			assertEquals(1, s.card().channels());
			assertEquals(0, s.card().context());
			assertArrayEquals(before, s.segment(vols.get(0), null, null).probability(), 0f);
		}
	}

	/** Slice size and count of the {@link #between} cases: 32 × 32 leaves a lesion's place open to chance. */
	static final int SIZE = 32, NZ = 5;

	/**
	 * Bright discs on the even slices 0, 2, 4; the lesion lies on the odd slices between two discs, which show only
	 * soft tissue themselves: only the neighbouring slices tell where it is.
	 */
	static Volume between(Random rng, byte[] maskOut) {
		int size = SIZE, nz = NZ;
		Geometry g = Geometry.axial(size, size, nz, 1, 1, 2);
		float[] v = new float[g.voxelCount()];
		double r = 3 + rng.nextDouble();
		double cx = r + 1 + rng.nextDouble() * (size - 2 * r - 2), cy = r + 1 + rng.nextDouble() * (size - 2 * r - 2);
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++) {
					int i = g.index(x, y, z);
					boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
					v[i] = (float) ((in && z % 2 == 0 ? 150 : 0) + rng.nextGaussian() * 20);
					maskOut[i] = (byte) (in && z % 2 == 1 ? 1 : 0);
				}
		return new Volume(g, v, "CT");
	}

	/** Hard Dice of a model on fresh {@link #between} cases. */
	static double diceOnFreshCases(Path model, long seed) throws IOException {
		Random rng = new Random(seed);
		long inter = 0, sum = 0;
		try (Segmenter s = Models.openSegmenter(model)) {
			for (int c = 0; c < 3; c++) {
				byte[] truth = new byte[SIZE * SIZE * NZ];
				byte[] pred = s.segment(between(rng, truth), null, null).mask().labels();
				for (int i = 0; i < truth.length; i++) {
					if (truth[i] != 0 && pred[i] != 0) inter++;
					sum += (truth[i] != 0 ? 1 : 0) + (pred[i] != 0 ? 1 : 0);
				}
			}
		}
		return sum == 0 ? 1 : 2.0 * inter / sum;
	}

	@Test
	void neighboursRevealWhatTheSliceItselfHides() throws IOException {
		Random rng = new Random(21);
		List<Volume> vols = new ArrayList<>();
		List<Mask> masks = new ArrayList<>();
		for (int c = 0; c < 4; c++) {
			byte[] m = new byte[SIZE * SIZE * NZ];
			Volume v = between(rng, m);
			vols.add(v);
			masks.add(new Mask(v.geometry(), m));
		}
		TrainingConfig tc = new TrainingConfig(30, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0);
		Path flat = Training.trainSegmenter(vols, masks, new SegmenterConfig(2, 4, 40, 400, tc), null, null,
			shared.resolve("between-2d"));
		Path stack = Training.trainSegmenter(vols, masks, new SegmenterConfig(2, 4, 40, 400, tc).withContext(1), null, null,
			shared.resolve("between-25d"));
		double d2 = diceOnFreshCases(flat, 99), d25 = diceOnFreshCases(stack, 99);
		// measured: 2D 0.000, 2.5D 0.955 (32 × 32, 30 epochs, about 2 s each)
		assertTrue(d25 > 0.7, "2.5D Dice " + d25 + " (2D: " + d2 + ")");
		assertTrue(d2 < 0.4, "2D Dice " + d2 + " (2.5D: " + d25 + ")");
	}

	@Test
	void cardsWithImpossibleChannelCountsAreRefused() {
		String seg = """
			{"formatVersion": "1", "task": "segmentation", "name": "toy", "classNames": ["background", "lesion"],
			 "architecture": {"type": "unet2d"},
			 "input": {"channels": %s, "windowCenterHu": 40, "windowWidthHu": 400, "sizeMultiple": 2}}
			""";
		Path p = Path.of("toy");
		for (String bad : new String[] {"2", "0", "\"3\"", "11"}) {
			ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelCard.parse(seg.formatted(bad), p), bad);
			assertTrue(e.getMessage().contains("input.channels"), e.getMessage());
		}
		assertEquals(5, assertParses(seg.formatted("5")).channels());
		String cls = """
			{"formatVersion": "1", "task": "classification", "name": "toy", "classNames": ["low", "high"],
			 "architecture": {"type": "cnn"}, "input": {"channels": 3, "windowCenterHu": 40, "windowWidthHu": 400, "inputSize": 16}}
			""";
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelCard.parse(cls, p));
		assertTrue(e.getMessage().contains("2D segmenters only"), e.getMessage());
	}

	private static ModelCard assertParses(String text) {
		try {
			return ModelCard.parse(text, Path.of("toy"));
		} catch (ModelFormatException e) {
			throw new AssertionError(e.getMessage(), e);
		}
	}
}
