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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.nn.onnx.OnnxWeights;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Issue 14 items 3 and 4 at the API: a package runs on ONNX Runtime ({@link InferenceEngine#ONNX}) through the same
 * code as on TensorFlow and gives the same masks and probabilities (2D, 2.5D and 3D segmenters, classifier, zipped
 * package); packages whose ONNX weights are missing, damaged, of another hash or hold an operator MedCNN never writes
 * are refused naming the package and the file; a package without ONNX weights still runs on TensorFlow and says it
 * has none when ONNX is asked for.
 */
class OnnxEngineTest {

	@TempDir
	static Path shared;
	static Path seg, seg25, seg3d, cls;
	static List<Volume> cases;
	static List<Volume> items;

	@BeforeAll
	static void train() throws IOException {
		List<Mask> masks = new ArrayList<>();
		cases = Synthetic.discCases(3, 24, 4, 7, masks);
		TrainingConfig tc = new TrainingConfig(8, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0);
		// enough steps to find the discs, so that the masks compared are not empty
		seg = Training.trainSegmenter(cases, masks, new SegmenterConfig(2, 4, 40, 400, tc).withSamplesPerEpoch(64), null, null,
			shared.resolve("seg"));
		seg25 = Training.trainSegmenter(cases, masks, new SegmenterConfig(2, 4, 40, 400, tc).withSamplesPerEpoch(64).withContext(1)
			.withLayers(new LayerConfig(true, 0, "auto")), null, null, shared.resolve("seg25"));
		List<Volume> vols = new ArrayList<>();
		List<Mask> vmasks = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			List<Mask> m = new ArrayList<>();
			Volume v = Synthetic.discCases(1, 16, 8, 11 + i, m).get(0);
			vols.add(v);
			vmasks.add(m.get(0));
		}
		seg3d = Training.trainSegmenter3d(vols, vmasks, new Segmenter3dConfig(2, 4, new int[] {8, 16, 16}, 40, 400,
			new TrainingConfig(2, 2, 1e-2, "adam", "dice-ce", "relu", 5, 0)), null, null, shared.resolve("seg3d"));
		Random rng = new Random(2);
		items = new ArrayList<>();
		int[] labels = new int[8];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			items.add(Synthetic.shape(20, i % 2, rng));
		}
		cls = Training.trainClassifier(items, labels, List.of("benign", "malignant"), new ClassifierConfig("cnn", 16,
			new int[] {4}, 8, "max", 40, 400, new TrainingConfig(2, 4, 1e-2, "adam", "cross-entropy", "relu", 3, 0.25)), null,
			null, shared.resolve("cls"));
	}

	@Test
	void segmentersGiveTheSameMasksOnBothEngines() throws IOException {
		for (Path pkg : List.of(seg, seg25, seg3d)) {
			// an image unlike the training cases: larger, other size (padding and tiling on both engines)
			Volume v = pkg == seg3d ? Synthetic.discCases(1, 20, 9, 21, new ArrayList<>()).get(0)
				: Synthetic.discCases(1, 30, 5, 21, new ArrayList<>()).get(0);
			Segmentation tf, onnx;
			try (Segmenter s = Models.openSegmenter(pkg, InferenceEngine.TENSORFLOW)) {
				tf = s.segment(v, null, null);
			}
			try (Segmenter s = Models.openSegmenter(pkg, InferenceEngine.ONNX)) {
				onnx = s.segment(v, null, null);
			}
			assertArrayEquals(tf.probability(), onnx.probability(), 1e-4f, pkg + ": probabilities");
			assertArrayEquals(tf.mask().labels(), onnx.mask().labels(), pkg + ": identical masks");
			int fg = 0;
			for (byte b : tf.mask().labels()) fg += b;
			System.out.println(pkg.getFileName() + ": " + fg + " foreground voxels on both engines");
			if (pkg != seg3d) assertTrue(fg > 0, pkg + ": the masks compared have foreground");
		}
	}

	@Test
	void classifierAndZippedPackagesRunOnOnnx() throws IOException {
		try (Classifier tf = Models.openClassifier(cls, InferenceEngine.TENSORFLOW);
			Classifier onnx = Models.openClassifier(cls, InferenceEngine.ONNX)) {
			for (Volume item : items)
				assertArrayEquals(tf.classify(item).probabilities(), onnx.classify(item).probabilities(), 1e-5f);
			assertThrows(UnsupportedOperationException.class, () -> onnx.saliency(items.get(0), 0),
				"gradients need TensorFlow");
		}
		Path zip = Models.zip(seg, shared.resolve("seg.zip"));
		Volume v = cases.get(0);
		try (Segmenter a = Models.openSegmenter(seg); Segmenter b = Models.openSegmenter(zip, InferenceEngine.ONNX)) {
			assertArrayEquals(a.segment(v, null, null).mask().labels(), b.segment(v, null, null).mask().labels());
		}
	}

	@Test
	void engineNamesAreParsed() {
		assertEquals(InferenceEngine.TENSORFLOW, InferenceEngine.parse(null));
		assertEquals(InferenceEngine.ONNX, InferenceEngine.parse(" ONNX "));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InferenceEngine.parse("torch"));
		assertTrue(e.getMessage().contains("torch") && e.getMessage().contains("tensorflow, onnx"), e.getMessage());
	}

	@Test
	void aMissingOnnxFileIsRefusedNamingPackageAndFile() throws IOException {
		Path pkg = copy(seg, "missing");
		Files.delete(pkg.resolve(OnnxWeights.FILE));
		for (InferenceEngine e : InferenceEngine.values()) {
			ModelFormatException x = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg, e).close());
			assertTrue(x.getMessage().contains(pkg.toString()) && x.getMessage().contains(OnnxWeights.FILE), x.getMessage());
		}
	}

	@Test
	void aFileAddedBesideTheOnnxWeightsIsRefused() throws IOException {
		// e.g. external data ONNX Runtime would read, or anything else smuggled into the package
		Path pkg = copy(seg, "added");
		Files.write(pkg.resolve(OnnxWeights.DIR).resolve("model.onnx.data"), new byte[] {1, 2, 3});
		for (InferenceEngine e : InferenceEngine.values()) {
			ModelFormatException x = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg, e).close());
			assertTrue(x.getMessage().contains(pkg.toString()) && x.getMessage().contains("weights/model.onnx.data")
				&& x.getMessage().contains("added"), x.getMessage());
		}
	}

	@Test
	void onnxWeightsThatDoNotGiveTheTestOutputAreRefusedAlthoughTheCardWasRehashed() throws IOException {
		Path pkg = copy(seg, "test-output");
		Path out = pkg.resolve(BioImageIo.TEST_OUTPUT);
		Npy.FloatArray o = Npy.read(out);
		float[] far = o.data().clone();
		far[far.length / 2] += 0.01f;
		Npy.write(out, far, o.shape());
		rewriteCard(pkg, card -> integrity(card).put(BioImageIo.TEST_OUTPUT, sha(out)));
		ModelFormatException x = assertThrows(ModelFormatException.class,
			() -> Models.openSegmenter(pkg, InferenceEngine.ONNX).close());
		assertTrue(x.getMessage().contains(pkg.toString()) && x.getMessage().contains(BioImageIo.TEST_OUTPUT),
			x.getMessage());
	}

	@Test
	void aDamagedOnnxFileIsRefused() throws IOException {
		Path pkg = copy(seg, "damaged");
		Path f = pkg.resolve(OnnxWeights.FILE);
		byte[] b = Files.readAllBytes(f);
		b[b.length / 2] ^= 0x55;
		Files.write(f, b);
		ModelFormatException x = assertThrows(ModelFormatException.class,
			() -> Models.openSegmenter(pkg, InferenceEngine.ONNX).close());
		assertTrue(x.getMessage().contains(pkg.toString()) && x.getMessage().contains(OnnxWeights.FILE)
			&& x.getMessage().contains("SHA-256"), x.getMessage());
		// the ONNX engine's own check, even where the card's integrity record was made to agree
		rewriteCard(pkg, card -> integrity(card).put(OnnxWeights.FILE, sha(f)));
		x = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg, InferenceEngine.ONNX).close());
		assertTrue(x.getMessage().contains(OnnxWeights.FILE) && x.getMessage().contains("damaged or was changed"),
			x.getMessage());
		// truncated, with every hash made to agree: the parser refuses it before ONNX Runtime sees it
		Files.write(f, java.util.Arrays.copyOf(b, b.length / 3));
		rewriteCard(pkg, card -> {
			integrity(card).put(OnnxWeights.FILE, sha(f));
			onnxRecord(card).put("sha256", sha(f));
		});
		x = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(pkg, InferenceEngine.ONNX).close());
		assertTrue(x.getMessage().contains(OnnxWeights.FILE) && x.getMessage().contains("not a valid ONNX model"),
			x.getMessage());
	}

	@Test
	void anOperatorOutsideTheAllowListIsRefusedBeforeOnnxRuntimeRunsIt() throws IOException {
		Path pkg = copy(seg, "foreign-op");
		Path f = pkg.resolve(OnnxWeights.FILE);
		// the exported model with its Sigmoid renamed to an operator of the same length that MedCNN never writes
		byte[] b = Files.readAllBytes(f);
		byte[] from = "\"\u0007Sigmoid".getBytes(StandardCharsets.ISO_8859_1), to = "\"\u0007Sinusod".getBytes(
			StandardCharsets.ISO_8859_1);
		int at = indexOf(b, from);
		assertTrue(at >= 0, "the exported model has a Sigmoid node");
		System.arraycopy(to, 0, b, at, to.length);
		Files.write(f, b);
		rewriteCard(pkg, card -> {
			integrity(card).put(OnnxWeights.FILE, sha(f));
			onnxRecord(card).put("sha256", sha(f));
		});
		ModelFormatException x = assertThrows(ModelFormatException.class,
			() -> Models.openSegmenter(pkg, InferenceEngine.ONNX).close());
		assertTrue(x.getMessage().contains(OnnxWeights.FILE) && x.getMessage().contains("Sinusod"), x.getMessage());
		// the TensorFlow engine does not run the ONNX file and opens the package
		Models.openSegmenter(pkg, InferenceEngine.TENSORFLOW).close();
	}

	@Test
	void aPackageWithoutOnnxWeightsRunsOnTensorFlowAndSaysSoForOnnx() throws IOException {
		Path pkg = copy(seg, "old");
		Files.delete(pkg.resolve(OnnxWeights.FILE));
		Files.delete(pkg.resolve(OnnxWeights.DIR));
		rewriteCard(pkg, card -> {
			card.remove(OnnxWeights.CARD_FIELD);
			integrity(card).remove(OnnxWeights.FILE);
		});
		try (Segmenter s = Models.openSegmenter(pkg, InferenceEngine.TENSORFLOW)) {
			s.segment(cases.get(0), null, null);
		}
		ModelFormatException x = assertThrows(ModelFormatException.class,
			() -> Models.openSegmenter(pkg, InferenceEngine.ONNX).close());
		assertTrue(x.getMessage().contains(pkg.toString()) && x.getMessage().contains("has no ONNX weights"), x.getMessage());
	}

	static Path copy(Path pkg, String name) throws IOException {
		Path to = shared.resolve(name);
		try (var s = Files.walk(pkg)) {
			for (Path p : s.toList()) {
				Path t = to.resolve(pkg.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
		return to;
	}

	interface CardEdit {
		void edit(Map<String, Object> card);
	}

	@SuppressWarnings("unchecked")
	static void rewriteCard(Path pkg, CardEdit edit) throws IOException {
		Path f = pkg.resolve(ModelCard.FILE_NAME);
		Map<String, Object> card = new LinkedHashMap<>(Json.asObject(Json.parse(Files.readString(f)), f.toString()));
		edit.edit(card);
		Files.writeString(f, Json.writePretty(card) + "\n");
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> integrity(Map<String, Object> card) {
		return (Map<String, Object>) ((Map<String, Object>) card.get("integrity")).get("files");
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> onnxRecord(Map<String, Object> card) {
		return (Map<String, Object>) card.get(OnnxWeights.CARD_FIELD);
	}

	static String sha(Path f) {
		try {
			return BioImageIo.sha256(f);
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	static int indexOf(byte[] b, byte[] pattern) {
		outer:
		for (int i = 0; i + pattern.length <= b.length; i++) {
			for (int k = 0; k < pattern.length; k++) if (b[i + k] != pattern[k]) continue outer;
			return i;
		}
		return -1;
	}
}
