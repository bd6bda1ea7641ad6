package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.nn.BioImageIo;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.RdfYaml;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Npy;
import org.medcnn.nn.PackageFiles;
import org.medcnn.nn.SchemaCheck;
import org.medcnn.nn.Segmenter3dConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Synthetic;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.onnx.OnnxNet;
import org.medcnn.nn.onnx.OnnxPolicy;
import org.medcnn.nn.onnx.OnnxWeights;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Issue 14: every package written by training carries {@code weights/model.onnx}, the same network as its SavedModel.
 * For each architecture MedCNN trains (CNN classifier with max and with average pooling, MLP, 2D U-Net, 2.5D U-Net, 3D
 * U-Net; with and without batch norm and dropout; each activation), ONNX Runtime runs the exported model on the
 * package's test input (preprocessed as its rdf.yaml says) and must give TensorFlow's output (test_output.npy, and the
 * SavedModel run here on the same tensor) within 1e-4. Tiny networks, one to two epochs.
 */
class OnnxExportTest {

	static final double TOLERANCE = 1e-4;
	static final String MODEL_DEF = "bioimageio__spec__model__v0_5__ModelDescr";

	@TempDir
	static Path dir;
	static final Map<String, Path> packages = new java.util.LinkedHashMap<>();

	@BeforeAll
	static void train() throws IOException {
		List<Volume> items = new ArrayList<>();
		Random rng = new Random(4);
		int[] labels = new int[8];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 2;
			items.add(Synthetic.shape(16, i % 2, rng));
		}
		List<String> names = List.of("benign", "malignant");
		TrainingConfig cc = new TrainingConfig(2, 4, 1e-2, "adam", "cross-entropy", "relu", 3, 0.25);
		packages.put("cnn-relu-max", Training.trainClassifier(items, labels, names,
			new ClassifierConfig("cnn", 16, new int[] {4, 6}, 8, "max", 40, 400, cc), null, null, dir.resolve("cnn")));
		packages.put("cnn-elu-avg-bn-dropout", Training.trainClassifier(items, labels, names,
			new ClassifierConfig("cnn", 16, new int[] {4}, 8, "avg", 40, 400, cc.withActivation("elu"))
				.withLayers(new LayerConfig(true, 0.3, "he-uniform")), null, null, dir.resolve("cnn-bn")));
		packages.put("mlp-tanh-bn", Training.trainClassifier(items, labels, names,
			new ClassifierConfig("mlp", 16, new int[] {4}, 8, "max", 40, 400, cc.withActivation("tanh"))
				.withLayers(new LayerConfig(true, 0, "auto")), null, null, dir.resolve("mlp")));

		List<Mask> masks = new ArrayList<>();
		List<Volume> cases = Synthetic.discCases(2, 16, 3, 7, masks);
		TrainingConfig tc = new TrainingConfig(1, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0);
		packages.put("unet2d", Training.trainSegmenter(cases, masks, new SegmenterConfig(2, 4, 40, 400, tc), null, null,
			dir.resolve("unet2d")));
		packages.put("unet2.5d-sigmoid-bn", Training.trainSegmenter(cases, masks, new SegmenterConfig(3, 4, 40, 400,
			tc.withActivation("sigmoid")).withContext(1).withLayers(new LayerConfig(true, 0.2, "auto")), null, null,
			dir.resolve("unet25d")));

		List<Volume> vols = new ArrayList<>();
		List<Mask> vmasks = new ArrayList<>();
		UNet3dTest.ballCase(8, 16, 16, new Random(5), vols, vmasks);
		TrainingConfig t3 = new TrainingConfig(1, 2, 1e-2, "adam", "dice-ce", "relu", 5, 0);
		packages.put("unet3d-bn", Training.trainSegmenter3d(vols, vmasks, new Segmenter3dConfig(3, 4, new int[] {8, 16, 16},
			40, 400, t3).withLayers(new LayerConfig(true, 0, "auto")), null, null, dir.resolve("unet3d")));
	}

	@Test
	void onnxRuntimeGivesTensorFlowsOutputOnTheTestInputForEveryArchitecture() throws IOException {
		for (Map.Entry<String, Path> e : packages.entrySet()) {
			Path pkg = e.getValue();
			Npy.FloatArray in = Npy.read(pkg.resolve(BioImageIo.TEST_INPUT)), expected = Npy.read(pkg.resolve(BioImageIo.TEST_OUTPUT));
			float[] x = preprocess(RdfYaml.parse(Files.readString(pkg.resolve(BioImageIo.RDF_FILE), StandardCharsets.UTF_8)),
				in.data(), in.shape()[in.shape().length - 1]);
			long[] shape = longs(in.shape());
			float[] onnx;
			try (OnnxNet net = new OnnxNet(OnnxWeights.read(pkg, Models.readCard(pkg)), 1, pkg.toString())) {
				onnx = net.run(x, shape);
			}
			float[] tf = savedModel(pkg, x, shape);
			assertEquals(expected.data().length, onnx.length, e.getKey() + ": output size");
			double vsFile = maxAbs(expected.data(), onnx), vsTf = maxAbs(tf, onnx);
			System.out.printf("ONNX vs TensorFlow, %s: max |Δ| %.2e (test_output.npy), %.2e (SavedModel)%n", e.getKey(), vsFile,
				vsTf);
			assertTrue(vsFile <= TOLERANCE, e.getKey() + ": ONNX differs from test_output.npy by " + vsFile);
			assertTrue(vsTf <= TOLERANCE, e.getKey() + ": ONNX differs from the SavedModel by " + vsTf);
		}
	}

	@Test
	void theCardRecordsTheOnnxFileAndTheIntegrityRecordCoversIt() throws IOException {
		for (Map.Entry<String, Path> e : packages.entrySet()) {
			Path pkg = e.getValue();
			ModelCard card = Models.readCard(pkg);
			Map<?, ?> rec = (Map<?, ?>) card.json().get(OnnxWeights.CARD_FIELD);
			String sha = BioImageIo.sha256(pkg.resolve(OnnxWeights.FILE));
			assertEquals(sha, rec.get("sha256"), e.getKey());
			assertTrue(((Number) rec.get("opsetVersion")).intValue() >= 17, e.getKey() + ": opset >= 17");
			Map<?, ?> files = (Map<?, ?>) ((Map<?, ?>) card.json().get("integrity")).get("files");
			assertEquals(sha, files.get(OnnxWeights.FILE), e.getKey() + ": integrity record");
			OnnxPolicy.Summary s = OnnxPolicy.check(Files.readAllBytes(pkg.resolve(OnnxWeights.FILE)));
			assertTrue(OnnxPolicy.ALLOWED.containsAll(s.operators()), e.getKey() + " " + s.operators());
			assertTrue(PackageFiles.ENTRIES.contains(OnnxWeights.DIR));
			assertEquals(null, PackageFiles.foreignEntry(pkg), e.getKey() + ": every entry belongs to a package");
		}
		assertTrue(OnnxPolicy.check(Files.readAllBytes(packages.get("unet3d-bn").resolve(OnnxWeights.FILE))).operators()
			.containsAll(List.of("Conv", "ConvTranspose", "MaxPool", "BatchNormalization", "Concat", "Relu", "Sigmoid")));
		assertTrue(OnnxPolicy.check(Files.readAllBytes(packages.get("cnn-elu-avg-bn-dropout").resolve(OnnxWeights.FILE)))
			.operators().containsAll(List.of("Conv", "AveragePool", "BatchNormalization", "Elu", "Flatten", "Softmax")));
	}

	@Test
	void rdfYamlListsTheOnnxWeightsAndStaysValid() throws IOException {
		Path schemaFile = Path.of("..", "shared", "bioimageio", "bioimageio_schema.json");
		SchemaCheck check = new SchemaCheck(Json.asObject(Json.parse(Files.readString(schemaFile)), schemaFile.toString()));
		for (Map.Entry<String, Path> e : packages.entrySet()) {
			Path pkg = e.getValue();
			Map<String, Object> rdf = RdfYaml.parse(Files.readString(pkg.resolve(BioImageIo.RDF_FILE), StandardCharsets.UTF_8));
			assertEquals(List.of(), check.validate(rdf, MODEL_DEF), e.getKey() + " rdf.yaml against the schema");
			Map<?, ?> onnx = (Map<?, ?>) ((Map<?, ?>) rdf.get("weights")).get("onnx");
			assertEquals(OnnxWeights.FILE, onnx.get("source"), e.getKey());
			assertEquals(BioImageIo.sha256(pkg.resolve(OnnxWeights.FILE)), onnx.get("sha256"), e.getKey());
			assertEquals(17L, ((Number) onnx.get("opset_version")).longValue());
			assertEquals("tensorflow_saved_model_bundle", onnx.get("parent"));
		}
	}

	@Test
	void exportReadsTheWeightsAndNeverChangesThem() throws IOException {
		TrainingConfig tc = new TrainingConfig(1, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0);
		SegmenterConfig cfg = new SegmenterConfig(2, 4, 40, 400, tc).withLayers(new LayerConfig(true, 0, "auto"));
		try (TrainableNet net = new TrainableNet(Shape.of(-1, -1, -1, 1), Shape.of(-1, -1, -1, 1), true,
			Architectures.unet2d(cfg), tc)) {
			float[][] before = net.snapshot();
			byte[] a = net.onnxModel("doc"), b = net.onnxModel("doc");
			float[][] after = net.snapshot();
			for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], "variable " + i);
			assertArrayEquals(a, b, "the export is deterministic");
			float[] x = new float[2 * 8 * 8];
			Random rng = new Random(1);
			for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
			float[] tf = TfTraining.infer(net, x, Shape.of(2, 8, 8, 1));
			try (OnnxNet onnx = new OnnxNet(a, 1, "fresh net")) {
				assertTrue(maxAbs(tf, onnx.run(x, new long[] {2, 8, 8, 1})) <= TOLERANCE, "batch of 2, untrained weights");
			}
		}
	}

	@Test
	void onnxRuntimeUsesTheThreadsTensorFlowUses() throws IOException {
		Path pkg = packages.get("unet2d");
		String old = System.getProperty(org.medcnn.common.CpuThreads.PROPERTY);
		try {
			for (String n : List.of("1", "3")) {
				System.setProperty(org.medcnn.common.CpuThreads.PROPERTY, n);
				try (TfSegmenter s = new TfSegmenter(pkg, Models.readCard(pkg), org.medcnn.nn.InferenceEngine.ONNX)) {
					assertEquals(Integer.parseInt(n), s.onnxThreads(), "-Dmedcnn.threads=" + n);
					assertEquals(TfEngine.inferenceConfig().getIntraOpParallelismThreads(), s.onnxThreads(), "as TensorFlow's");
				}
			}
		} finally {
			if (old == null) System.clearProperty(org.medcnn.common.CpuThreads.PROPERTY);
			else System.setProperty(org.medcnn.common.CpuThreads.PROPERTY, old);
		}
	}

	/** The SavedModel of {@code pkg} run on {@code x} through its serving signature. */
	static float[] savedModel(Path pkg, float[] x, long[] shape) {
		try (SavedModelBundle b = SavedModelBundle.load(pkg.resolve(Models.SAVED_MODEL_DIR).toString(), SavedModelBundle.DEFAULT_TAG);
			TFloat32 t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x));
			Result r = b.function(TrainableNet.SIGNATURE_KEY).call(Map.of(TrainableNet.INPUT, t))) {
			TFloat32 out = (TFloat32) r.get(TrainableNet.OUTPUT).orElseThrow();
			float[] v = new float[(int) out.shape().size()];
			out.copyTo(DataBuffers.of(v));
			return v;
		}
	}

	/**
	 * The rdf.yaml input preprocessing applied to a channels-last test tensor: {@code clip}, {@code scale_linear} and
	 * {@code zero_mean_unit_variance} (per channel over the space axes, σ + ε) as bioimage.io defines them.
	 */
	static float[] preprocess(Map<String, Object> rdf, float[] x, int channels) {
		Map<?, ?> in = (Map<?, ?>) ((List<?>) rdf.get("inputs")).get(0);
		double[] v = new double[x.length];
		for (int i = 0; i < x.length; i++) v[i] = x[i];
		for (Object o : (List<?>) in.get("preprocessing")) {
			Map<?, ?> op = (Map<?, ?>) o;
			Map<?, ?> kw = (Map<?, ?>) op.get("kwargs");
			switch ((String) op.get("id")) {
				case "clip" -> {
					double lo = ((Number) kw.get("min")).doubleValue(), hi = ((Number) kw.get("max")).doubleValue();
					for (int i = 0; i < v.length; i++) v[i] = Math.min(hi, Math.max(lo, v[i]));
				}
				case "scale_linear" -> {
					double g = ((Number) kw.get("gain")).doubleValue(), off = ((Number) kw.get("offset")).doubleValue();
					for (int i = 0; i < v.length; i++) v[i] = v[i] * g + off;
				}
				case "zero_mean_unit_variance" -> {
					double eps = ((Number) kw.get("eps")).doubleValue();
					int n = v.length / channels;
					for (int k = 0; k < channels; k++) {
						double sum = 0, ss = 0;
						for (int i = 0; i < n; i++) sum += v[i * channels + k];
						double mean = sum / n;
						for (int i = 0; i < n; i++) ss += (v[i * channels + k] - mean) * (v[i * channels + k] - mean);
						double sd = Math.sqrt(ss / n) + eps;
						for (int i = 0; i < n; i++) v[i * channels + k] = (v[i * channels + k] - mean) / sd;
					}
				}
				default -> throw new AssertionError("unknown preprocessing " + op.get("id"));
			}
		}
		float[] out = new float[x.length];
		for (int i = 0; i < x.length; i++) out[i] = (float) v[i];
		return out;
	}

	static double maxAbs(float[] a, float[] b) {
		assertEquals(a.length, b.length, "sizes");
		double m = 0;
		for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
		return m;
	}

	static long[] longs(int[] a) {
		long[] out = new long[a.length];
		for (int i = 0; i < a.length; i++) out[i] = a[i];
		return out;
	}
}
