package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.Zips;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;

/**
 * The graph check of model packages: every operation MedCNN's networks contain passes (every architecture, activation,
 * optimizer, loss, pooling, batch norm, dropout, clipping and schedule), and graphs edited to write a file — a
 * {@code WriteFile} or a {@code SaveV2} wired as a control dependency of the output — are refused before a session
 * runs anything, so no file appears.
 */
class GraphPolicyTest {

	private static final Path LEGACY = Path.of("src", "test", "resources", "legacy", "format1-segmenter");

	@TempDir
	Path dir;

	@Test
	void everyOperationOfMedCnnsNetworksIsAllowed() {
		TreeSet<String> ops = new TreeSet<>();
		List<TrainingConfig> trainings = new ArrayList<>();
		TrainingConfig base = new TrainingConfig(2, 2, 1e-3, "adam", "dice-ce", "relu", 1, 0.2);
		for (String o : TrainingConfig.OPTIMIZERS) trainings.add(base.withOptimizer(o));
		for (String a : TrainingConfig.ACTIVATIONS) trainings.add(base.withActivation(a));
		for (String l : TrainingConfig.LOSSES) trainings.add(base.withLoss(l));
		trainings.add(base.withSchedule("cosine").withClipNorm(0.3));
		for (TrainingConfig tc : trainings)
			for (LayerConfig l : List.of(LayerConfig.DEFAULT, new LayerConfig(true, 0.3, null))) {
				collect(ops, new TrainableNet(Shape.of(-1, -1, -1, 3), Shape.of(-1, -1, -1, 1), true,
					Architectures.unet2d(new SegmenterConfig(3, 2, 40, 400, tc, l, 1)), tc));
				if (tc == base)
					collect(ops, new TrainableNet(Shape.of(-1, -1, -1, -1, 1), Shape.of(-1, -1, -1, -1, 1), true,
						Architectures.unet3d(new Segmenter3dConfig(3, 2, new int[] {16, 16, 16}, 40, 400, tc, l)), tc));
				if (!tc.loss().startsWith("dice"))
					for (String arch : ClassifierConfig.ARCHITECTURES)
						for (String pool : ClassifierConfig.POOLINGS)
							collect(ops, new TrainableNet(Shape.of(-1, 16, 16, 1), Shape.of(-1, 3), false, Architectures.classifier(
								new ClassifierConfig(arch, 16, new int[] {2, 2}, 4, pool, 40, 400, tc, l), 3), tc));
			}
		TreeSet<String> missing = new TreeSet<>(ops);
		missing.removeAll(GraphPolicy.ALLOWED);
		assertTrue(missing.isEmpty(), "operations MedCNN builds but the policy refuses: " + missing);
	}

	private static void collect(TreeSet<String> ops, TrainableNet n) {
		try (n) {
			for (Iterator<GraphOperation> it = n.graph.operations(); it.hasNext();) ops.add(it.next().type());
		}
	}

	@Test
	void aGraphThatWritesAFileIsRefusedBeforeItRuns() throws IOException {
		Path pkg = copyLegacy("writefile");
		Path victim = dir.resolve("pwned.txt");
		edit(pkg, mg -> {
			NodeDef name = constString("evil/name", victim.toString()), text = constString("evil/text", "owned");
			NodeDef write = NodeDef.newBuilder().setName("evil/write").setOp("WriteFile").addInput("evil/name")
				.addInput("evil/text").build();
			return withControlInput(mg, "output", "^evil/write", name, text, write);
		});
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("WriteFile") && e.getMessage().contains("evil/write"), e.getMessage());
		assertFalse(Files.exists(victim), "nothing ran");
	}

	@Test
	void aSaveOpFeedingTheOutputIsRefused() throws IOException {
		Path pkg = copyLegacy("save");
		edit(pkg, mg -> withControlInput(mg, "output", "^save/Save"));
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("SaveV2") && e.getMessage().contains("write files"), e.getMessage());
	}

	@Test
	void aSaveOpRunAtLoadIsRefused() throws IOException {
		Path pkg = copyLegacy("restore");
		edit(pkg, mg -> withControlInput(mg, "save/restore_all", "^save/Save"));
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("SaveV2") && e.getMessage().contains("loader"), e.getMessage());
	}

	@Test
	void aSaveOpBehindTheLoadersInitSignatureIsRefused() throws IOException {
		// TensorFlow's loader runs the output of the "__saved_model_init_op" signature after restoring the weights
		Path pkg = copyLegacy("initsig");
		edit(pkg, mg -> {
			MetaGraphDef with = withControlInput(mg, "(no node)", "",
				NodeDef.newBuilder().setName("evil_init").setOp("NoOp").addInput("^save/Save").build());
			return with.toBuilder().putSignatureDef("__saved_model_init_op", SignatureDef.newBuilder()
				.putOutputs("__saved_model_init_op", TensorInfo.newBuilder().setName("evil_init").build()).build()).build();
		});
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("SaveV2") && e.getMessage().contains("loader"), e.getMessage());
	}

	@Test
	void theUneditedPackageLoads() throws IOException {
		Models.openSegmenter(copyLegacy("plain")).close();
	}

	private Path copyLegacy(String name) throws IOException {
		return copy(LEGACY, dir.resolve(name));
	}

	/** A copy of the package folder {@code from} at {@code to}. */
	static Path copy(Path from, Path to) throws IOException {
		try (var s = Files.walk(from)) {
			for (Path p : s.toList()) {
				Path t = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
		return to;
	}

	interface Edit {
		MetaGraphDef apply(MetaGraphDef mg);
	}

	static void edit(Path pkg, Edit e) throws IOException {
		Path pb = pkg.resolve(Models.SAVED_MODEL_DIR).resolve("saved_model.pb");
		SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(pb));
		SavedModel.Builder b = sm.toBuilder().clearMetaGraphs();
		for (MetaGraphDef mg : sm.getMetaGraphsList()) b.addMetaGraphs(e.apply(mg));
		Files.write(pb, b.build().toByteArray());
	}

	/** The graph with {@code added} nodes and {@code input} added to the inputs of node {@code target}. */
	static MetaGraphDef withControlInput(MetaGraphDef mg, String target, String input, NodeDef... added) {
		MetaGraphDef.Builder b = mg.toBuilder();
		var g = b.getGraphDefBuilder();
		for (int i = 0; i < g.getNodeCount(); i++)
			if (g.getNode(i).getName().equals(target)) g.setNode(i, g.getNode(i).toBuilder().addInput(input).build());
		for (NodeDef n : added) g.addNode(n);
		return b.build();
	}

	private static NodeDef constString(String name, String value) {
		TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
			.addStringVal(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
		return NodeDef.newBuilder().setName(name).setOp("Const").putAttr("dtype", AttrValue.newBuilder()
			.setType(DataType.DT_STRING).build()).putAttr("value", AttrValue.newBuilder().setTensor(t).build()).build();
	}

	@Test
	void integrityRecordCatchesChangedAndAddedFiles() throws IOException {
		// a format-2 package: written by PackageWriter, which records the hashes
		TrainingConfig tc = new TrainingConfig(1, 2, 1e-3, "adam", "dice-ce", "relu", 1, 0);
		SegmenterConfig cfg = new SegmenterConfig(2, 2, 40, 400, tc);
		Path pkg = dir.resolve("fresh");
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), tc)) {
			java.util.Map<String, Object> card = new java.util.LinkedHashMap<>();
			card.put("formatVersion", "2");
			card.put("task", "segmentation");
			card.put("architecture", java.util.Map.of("type", "unet2d"));
			card.put("classNames", List.of("background", "lesion"));
			java.util.Map<String, Object> input = new java.util.LinkedHashMap<>(cfg.preprocessing().cardFields());
			input.put("sizeMultiple", 2);
			card.put("input", input);
			PackageWriter.write(pkg, card, d -> TfTraining.export(net, d), TestTensorsCheckTest.testTensors(net, 16, 16));
		}
		Models.openSegmenter(pkg).close();
		Path vars = pkg.resolve("saved_model").resolve("variables");
		Path data;
		try (var s = Files.list(vars)) {
			data = s.filter(p -> p.getFileName().toString().startsWith("variables.data")).findFirst().orElseThrow();
		}
		byte[] b = Files.readAllBytes(data);
		b[b.length / 2] ^= 1;
		Files.write(data, b);
		ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("variables.data") && e.getMessage().contains("SHA-256"), e.getMessage());
		b[b.length / 2] ^= 1;
		Files.write(data, b);
		Files.writeString(pkg.resolve("saved_model").resolve("extra.txt"), "x");
		e = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg));
		assertTrue(e.getMessage().contains("extra.txt") && e.getMessage().contains("added"), e.getMessage());
		Zips.deleteTree(pkg);
	}
}
