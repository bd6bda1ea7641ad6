package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.nn.BioImageIo;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Models;
import org.medcnn.nn.Npy;
import org.medcnn.nn.PackageFiles;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TestTensors;
import org.medcnn.nn.TrainingConfig;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * A package's test tensors are run when it is opened (issue 15 item 2): a graph edited to output a constant is
 * refused even when the editor re-hashed the card (before, it was accepted and marked every voxel as lesion), as is a
 * format-2 package without its test tensors or a card whose channels do not fit its network; untouched packages open.
 */
class TestTensorsCheckTest {

	private static final Path LEGACY = Path.of("src", "test", "resources", "legacy", "format1-segmenter");

	@TempDir
	Path dir;

	@Test
	void aGraphEditedToOutputAConstantIsRefusedAlthoughTheCardWasRehashed() throws IOException {
		Path pkg = fresh("const");
		Models.openSegmenter(pkg).close();
		GraphPolicyTest.edit(pkg, TestTensorsCheckTest::constantOutput);
		rehash(pkg);
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		String m = e.getMessage();
		assertTrue(m.contains(pkg.toString()) && m.contains(BioImageIo.TEST_INPUT) && m.contains(BioImageIo.TEST_OUTPUT)
			&& m.contains("changed after the package was written"), m);
	}

	@Test
	void aFormat1PackageEditedToOutputAConstantIsRefused() throws IOException {
		Path pkg = GraphPolicyTest.copy(LEGACY, dir.resolve("legacy-const"));
		Models.openSegmenter(pkg).close();
		GraphPolicyTest.edit(pkg, TestTensorsCheckTest::constantOutput);
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains(BioImageIo.TEST_OUTPUT), e.getMessage());
	}

	@Test
	void aFormat2PackageWithoutTestTensorsIsRefused() throws IOException {
		Path pkg = fresh("no-tensors");
		Files.delete(pkg.resolve(BioImageIo.TEST_OUTPUT));
		rehash(pkg);
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("has no " + BioImageIo.TEST_OUTPUT), e.getMessage());
	}

	@Test
	void aCardWhoseChannelsDoNotFitItsNetworkIsRefusedNamingTheField() throws IOException {
		Path pkg = GraphPolicyTest.copy(LEGACY, dir.resolve("channels"));
		Path card = pkg.resolve(ModelCard.FILE_NAME);
		String text = Files.readString(card);
		assertTrue(text.contains("\"channels\": 1"));
		Files.writeString(card, text.replace("\"channels\": 1", "\"channels\": 3"));
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("field 'input.channels' is 3") && e.getMessage().contains(BioImageIo.TEST_INPUT),
			e.getMessage());
	}

	/**
	 * A plausible but changed normalisation in the card (here the window centre 40 → 300 HU; a CT clip bound of 0.5 HU
	 * likewise) passes every range check, but the test input normalised by it no longer gives the test output.
	 */
	@Test
	void aPlausibleButChangedNormalisationIsRefusedByTheTestTensors() throws IOException {
		Path pkg = GraphPolicyTest.copy(LEGACY, dir.resolve("window"));
		Path card = pkg.resolve(ModelCard.FILE_NAME);
		String text = Files.readString(card);
		assertTrue(text.contains("\"windowCenterHu\": 40.0"));
		Files.writeString(card, text.replace("\"windowCenterHu\": 40.0", "\"windowCenterHu\": 300.0"));
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains(BioImageIo.TEST_OUTPUT), e.getMessage());
	}

	@Test
	void aTestOutputOffByMoreThanTheToleranceIsRefusedAndWithinItAccepted() throws IOException {
		Path pkg = GraphPolicyTest.copy(LEGACY, dir.resolve("tolerance"));
		Path out = pkg.resolve(BioImageIo.TEST_OUTPUT);
		Npy.FloatArray o = Npy.read(out);
		float[] near = o.data().clone(), far = o.data().clone();
		for (int i = 0; i < near.length; i++) near[i] += (float) (TestTensors.ABS_TOLERANCE / 2);
		far[far.length / 2] += 0.01f;
		Npy.write(out, near, o.shape());
		Models.openSegmenter(pkg).close();
		Npy.write(out, far, o.shape());
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("1 of " + far.length + " differ"), e.getMessage());
	}

	/** The graph with its output replaced by {@code OnesLike} of what the network computed: every voxel a lesion. */
	private static MetaGraphDef constantOutput(MetaGraphDef mg) {
		MetaGraphDef.Builder b = mg.toBuilder();
		var g = b.getGraphDefBuilder();
		boolean found = false;
		for (int i = 0; i < g.getNodeCount(); i++)
			if (g.getNode(i).getName().equals(TrainableNet.OUTPUT)) {
				g.setNode(i, g.getNode(i).toBuilder().setName("evil/orig").build());
				found = true;
			}
		assertTrue(found, "the graph has a node named " + TrainableNet.OUTPUT);
		g.addNode(NodeDef.newBuilder().setName(TrainableNet.OUTPUT).setOp("OnesLike").addInput("evil/orig")
			.putAttr("T", g.getNodeList().stream().filter(n -> n.getName().equals("evil/orig")).findFirst().orElseThrow()
				.getAttrOrThrow("T")));
		return b.build();
	}

	/** Re-signs the card's integrity record, as an attacker who edits a package would. */
	static void rehash(Path pkg) throws IOException {
		Path card = pkg.resolve(ModelCard.FILE_NAME);
		Map<String, Object> m = new LinkedHashMap<>(Json.asObject(Json.parse(Files.readString(card)), "card"));
		m.put("integrity", PackageFiles.integrityRecord(pkg));
		Files.writeString(card, Json.writePretty(m), StandardCharsets.UTF_8);
	}

	/** A format-2 segmentation package of an untrained 2D U-Net (window 40/400), with its test tensors. */
	private Path fresh(String name) throws IOException {
		TrainingConfig tc = new TrainingConfig(1, 2, 1e-3, "adam", "dice-ce", "relu", 1, 0);
		SegmenterConfig cfg = new SegmenterConfig(2, 2, 40, 400, tc);
		Path pkg = dir.resolve(name);
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), tc)) {
			Map<String, Object> card = new LinkedHashMap<>();
			card.put("formatVersion", "2");
			card.put("task", "segmentation");
			card.put("architecture", Map.of("type", "unet2d"));
			card.put("classNames", List.of("background", "lesion"));
			Map<String, Object> input = new LinkedHashMap<>(cfg.preprocessing().cardFields());
			input.put("sizeMultiple", 2);
			card.put("input", input);
			PackageWriter.write(pkg, card, d -> TfTraining.export(net, d), testTensors(net, 16, 16));
		}
		return pkg;
	}

	/**
	 * Writes a package's test tensors: an {@code h × w} slice of random HU and the network's output on it after the
	 * card's normalisation (read back from the package folder, where the card is written before the extras).
	 */
	static PackageWriter.ExtrasWriter testTensors(TrainableNet net, int h, int w) {
		return d -> {
			ModelCard card = Models.readCard(d);
			Random rng = new Random(7);
			float[] hu = new float[h * w];
			for (int i = 0; i < hu.length; i++) hu[i] = -200 + 500 * rng.nextFloat();
			float[] y = TfTraining.infer(net, TestTensors.networkInput(hu, 1, card), Shape.of(1, h, w, 1));
			Npy.write(d.resolve(BioImageIo.TEST_INPUT), hu, 1, h, w, 1);
			Npy.write(d.resolve(BioImageIo.TEST_OUTPUT), y, 1, h, w, 1);
		};
	}
}
