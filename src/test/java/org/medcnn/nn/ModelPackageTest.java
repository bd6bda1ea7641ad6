package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The files of a model package (DESIGN.md "Model package"): rdf.yaml valid against the bioimage.io JSON Schema
 * (../shared/bioimageio), test tensors, cover, history.csv, README; zipped packages; early stopping.
 */
class ModelPackageTest {

	static final String MODEL_DEF = "bioimageio__spec__model__v0_5__ModelDescr";

	@TempDir
	static Path shared;
	static Path seg;
	static Path cls;
	static List<Volume> segImages;

	/** One tiny segmenter and one tiny classifier for all tests (a few seconds). */
	@BeforeAll
	static void train() throws IOException {
		List<Mask> masks = new ArrayList<>();
		segImages = Synthetic.discCases(3, 16, 3, 7, masks);
		TrainingConfig tc = new TrainingConfig(3, 4, 1e-2, "adam", "dice-ce", "relu", 3, 0.34);
		seg = Training.trainSegmenter(segImages, masks, new SegmenterConfig(2, 4, 40, 400, tc), null, null,
			shared.resolve("seg"));
		Random rng = new Random(2);
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[12];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = i % 3;
			items.add(Synthetic.shape(20, i % 2, rng));
		}
		TrainingConfig cc = new TrainingConfig(2, 4, 1e-2, "adam", "cross-entropy", "relu", 3, 0.25);
		cls = Training.trainClassifier(items, labels, List.of("low", "intermediate", "high"),
			new ClassifierConfig("cnn", 16, new int[] {4}, 8, "max", 40, 400, cc), null, null, shared.resolve("cls"));
	}

	static Map<String, Object> schema() throws IOException {
		Path f = Path.of("..", "shared", "bioimageio", "bioimageio_schema.json");
		return Json.asObject(Json.parse(Files.readString(f)), f.toString());
	}

	static Map<String, Object> rdf(Path pkg) throws IOException {
		return RdfYaml.parse(Files.readString(pkg.resolve(BioImageIo.RDF_FILE), StandardCharsets.UTF_8));
	}

	@Test
	void everyPackageHoldsTheBioimageioFiles() throws IOException {
		for (Path pkg : List.of(seg, cls)) {
			for (String f : List.of(ModelCard.FILE_NAME, BioImageIo.RDF_FILE, BioImageIo.TEST_INPUT, BioImageIo.TEST_OUTPUT,
				BioImageIo.COVER, BioImageIo.README, BioImageIo.HISTORY, BioImageIo.WEIGHTS_ZIP, "saved_model/saved_model.pb"))
				assertTrue(Files.isRegularFile(pkg.resolve(f)), pkg + " has " + f);
		}
		assertEquals(List.of(), Files.list(shared).map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))
			.toList(), "no temporary files left");
	}

	@Test
	void rdfYamlIsAValidBioimageioModelDescription() throws IOException {
		SchemaCheck check = new SchemaCheck(schema());
		for (Path pkg : List.of(seg, cls)) {
			Map<String, Object> rdf = rdf(pkg);
			assertEquals(List.of(), check.validate(rdf, MODEL_DEF), pkg + " rdf.yaml against the schema");
			// the fields the brief and bioimage.io consumers rely on, beyond the schema's required ones
			for (String k : List.of("description", "authors", "cite", "license", "documentation", "covers", "tags",
				"timestamp", "version"))
				assertTrue(rdf.containsKey(k), k);
			assertEquals("model", rdf.get("type"));
			assertTrue(((String) rdf.get("format_version")).startsWith("0.5."));
			assertEquals("Apache-2.0", rdf.get("license"));
			assertEquals(List.of(Map.of("name", "MedCNN")), rdf.get("authors"));
			assertEquals(List.of("cover.png"), rdf.get("covers"));
			assertEquals("README.md", rdf.get("documentation"));
			Map<?, ?> in = (Map<?, ?>) ((List<?>) rdf.get("inputs")).get(0);
			Map<?, ?> out = (Map<?, ?>) ((List<?>) rdf.get("outputs")).get(0);
			assertEquals("input", in.get("id"));
			assertEquals("output", out.get("id"));
			for (Map<?, ?> t : List.of(in, out)) {
				Map<?, ?> tt = (Map<?, ?>) t.get("test_tensor");
				assertEquals(BioImageIo.sha256(pkg.resolve((String) tt.get("source"))), tt.get("sha256"), "hash of " + tt);
			}
			Map<?, ?> w = (Map<?, ?>) ((Map<?, ?>) rdf.get("weights")).get("tensorflow_saved_model_bundle");
			assertEquals(BioImageIo.WEIGHTS_ZIP, w.get("source"));
			assertEquals(BioImageIo.sha256(pkg.resolve(BioImageIo.WEIGHTS_ZIP)), w.get("sha256"));
			assertNotNull(w.get("tensorflow_version"));
			// every file the description names exists
			assertTrue(Files.isRegularFile(pkg.resolve((String) rdf.get("documentation"))));
		}
		// the reader is the inverse of the writer, and the writer's output is outside no schema rule by accident
		Map<String, Object> rdf = rdf(seg);
		assertEquals(rdf, RdfYaml.parse(BioImageIo.toYaml(rdf)));
		Map<String, Object> broken = new java.util.LinkedHashMap<>(rdf);
		broken.remove("weights");
		broken.put("name", "abc");
		List<String> errors = check.validate(broken, MODEL_DEF);
		assertTrue(errors.toString().contains("required property 'weights' not found")
			&& errors.toString().contains("$.name: must be at least 5 characters long"), errors.toString());
	}

	@Test
	void preprocessingReproducesTheHuWindowAndAxesMatchTheTask() throws IOException {
		Map<?, ?> in = (Map<?, ?>) ((List<?>) rdf(seg).get("inputs")).get(0);
		List<?> pre = (List<?>) in.get("preprocessing");
		Map<?, ?> clip = (Map<?, ?>) ((Map<?, ?>) pre.get(0)).get("kwargs"), lin = (Map<?, ?>) ((Map<?, ?>) pre.get(1)).get("kwargs");
		double min = ((Number) clip.get("min")).doubleValue(), max = ((Number) clip.get("max")).doubleValue();
		double gain = ((Number) lin.get("gain")).doubleValue(), offset = ((Number) lin.get("offset")).doubleValue();
		float[] hu = {-1000, -160, -100, 0, 40, 239.5f, 240, 3000};
		float[] ours = Inputs.window(hu, 40, 400);
		for (int i = 0; i < hu.length; i++)
			assertEquals(ours[i], Math.min(max, Math.max(min, hu[i])) * gain + offset, 1e-6, "HU " + hu[i]);
		List<?> axes = (List<?>) in.get("axes");
		assertEquals(List.of("batch", "space", "space", "channel"), axes.stream().map(a -> ((Map<?, ?>) a).get("type")).toList());
		assertEquals(Map.of("min", 2, "step", 2), ((Map<?, ?>) axes.get(1)).get("size"), "segmenter: any multiple of 2");
		Map<?, ?> clsIn = (Map<?, ?>) ((List<?>) rdf(cls).get("inputs")).get(0);
		assertEquals(16, ((Map<?, ?>) ((List<?>) clsIn.get("axes")).get(2)).get("size"), "classifier: fixed 16 × 16");
		Map<?, ?> clsOut = (Map<?, ?>) ((List<?>) rdf(cls).get("outputs")).get(0);
		Map<?, ?> channel = (Map<?, ?>) ((List<?>) clsOut.get("axes")).get(1);
		assertEquals(List.of("low", "intermediate", "high"), channel.get("channel_names"));
	}

	@Test
	void testTensorsAreATrainingSliceAndTheModelsOutputOnIt() throws IOException {
		Npy.FloatArray in = Npy.read(seg.resolve(BioImageIo.TEST_INPUT)), out = Npy.read(seg.resolve(BioImageIo.TEST_OUTPUT));
		assertArrayEquals(new int[] {1, 16, 16, 1}, in.shape());
		assertArrayEquals(new int[] {1, 16, 16, 1}, out.shape());
		// the input is a real slice of one of the training cases, in HU
		boolean found = false;
		for (Volume v : segImages)
			for (int z = 0; z < v.geometry().nz(); z++) found |= java.util.Arrays.equals(v.slice(z), in.data());
		assertTrue(found, "test_input.npy is a slice of a training case");
		try (Segmenter s = Models.openSegmenter(seg)) {
			Volume v = new Volume(org.medcnn.volume.Geometry.axial(16, 16, 1, 1, 1, 1), in.data(), "CT");
			assertArrayEquals(out.data(), s.segment(v, null, null).probability(), 1e-6f, "test_output.npy = the model's output");
		}
		Npy.FloatArray cin = Npy.read(cls.resolve(BioImageIo.TEST_INPUT)), cout = Npy.read(cls.resolve(BioImageIo.TEST_OUTPUT));
		assertArrayEquals(new int[] {1, 16, 16, 1}, cin.shape());
		assertArrayEquals(new int[] {1, 3}, cout.shape());
		try (Classifier c = Models.openClassifier(cls)) {
			Volume v = new Volume(org.medcnn.volume.Geometry.axial(16, 16, 1, 1, 1, 1), cin.data(), "CT");
			// test_output.npy is the SavedModel's raw softmax; MedCNN applies the card's calibration temperature on top.
			float[] calibrated = org.medcnn.nn.metrics.TemperatureScaling.rescale(cout.data(),
				org.medcnn.nn.metrics.TemperatureScaling.temperatureOf(c.card()));
			assertArrayEquals(calibrated, c.classify(v).probabilities(), 1e-6f);
		}
	}

	@Test
	void coverShowsTheModelsAnswer() throws IOException {
		BufferedImage s = ImageIO.read(seg.resolve(BioImageIo.COVER).toFile());
		assertEquals(2 * s.getHeight(), s.getWidth(), "segmenter cover: input | overlay, 2:1");
		assertTrue(s.getHeight() >= 256);
		BufferedImage c = ImageIO.read(cls.resolve(BioImageIo.COVER).toFile());
		assertEquals(c.getWidth(), c.getHeight(), "classifier cover is square");
		assertTrue(Files.size(seg.resolve(BioImageIo.COVER)) < 500_000, "bioimage.io asks for covers under 500 kB");
	}

	@Test
	void historyCsvHasOneLinePerEpoch() throws IOException {
		List<String> lines = Files.readAllLines(seg.resolve(BioImageIo.HISTORY));
		assertEquals(PackageFiles.HISTORY_HEADER, lines.get(0));
		assertEquals(4, lines.size(), "header + 3 epochs");
		String[] f = lines.get(3).split(",", -1);
		assertEquals(9, f.length);
		assertEquals("3", f[0]);
		assertEquals("dice", f[3]);
		Map<?, ?> h = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Models.readCard(seg).json().get("training")).get("history")).get(2);
		assertEquals(((Number) h.get("trainLoss")).doubleValue(), Double.parseDouble(f[1]), "same as the card");
		List<String> clsLines = Files.readAllLines(cls.resolve(BioImageIo.HISTORY));
		assertEquals("accuracy", clsLines.get(1).split(",", -1)[3]);
		assertEquals(PackageFiles.HISTORY_HEADER + "\n1,0.5,,dice,0.25,,1.500,,\n",
			PackageFiles.historyCsv(List.of(new EpochMetrics(1, 1, 0.5, Double.NaN, "dice", 0.25, Double.NaN, 1.5))),
			"no validation: empty fields");
	}

	@Test
	void zippedPackagesOpenAndCleanUp() throws IOException {
		Path zip = Models.zip(seg, shared.resolve("out").resolve("seg.zip"));
		assertTrue(Files.isRegularFile(zip));
		try (var zf = new java.util.zip.ZipFile(zip.toFile())) {
			assertNotNull(zf.getEntry(ModelCard.FILE_NAME), "files at the archive's root");
			assertNotNull(zf.getEntry(BioImageIo.RDF_FILE));
		}
		assertEquals(Models.readCard(seg).json(), Models.readCard(zip).json());
		Set<Path> before = tempModels();
		Volume v = segImages.get(0);
		try (Segmenter a = Models.openSegmenter(seg); Segmenter b = Models.openSegmenter(zip)) {
			assertEquals(1, tempModels().size() - before.size(), "one temporary folder while open");
			assertArrayEquals(a.segment(v, null, null).probability(), b.segment(v, null, null).probability());
			b.close();
			b.close(); // idempotent
		}
		assertEquals(before, tempModels(), "the temporary folder is deleted on close");
		assertThrows(ModelFormatException.class, () -> Models.openClassifier(zip), "task is checked for zips too");
		assertEquals(before, tempModels(), "and deleted after a refusal");
		Path clsZip = Models.zip(cls, shared.resolve("out").resolve("cls.zip"));
		try (Classifier c = Models.openClassifier(clsZip)) {
			assertEquals(List.of("low", "intermediate", "high"), c.card().classNames());
		}
		assertThrows(ModelFormatException.class, () -> Models.zip(shared.resolve("nothing"), shared.resolve("x.zip")));
	}

	@Test
	void zipWithAPackageInOneTopFolderIsAccepted() throws IOException {
		Path zip = shared.resolve("nested.zip");
		try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> files = Files.walk(cls)) {
			for (Path f : files.filter(Files::isRegularFile).toList()) {
				z.putNextEntry(new ZipEntry("cls/" + cls.relativize(f).toString().replace('\\', '/')));
				Files.copy(f, z);
				z.closeEntry();
			}
		}
		try (Classifier c = Models.openClassifier(zip)) {
			assertEquals("classification", c.card().task());
		}
		assertEquals("cls", Models.readCard(zip).name());
		Files.delete(zip);
	}

	@Test
	void zipEntriesOutsideThePackageAreRefused() throws IOException {
		Path evil = shared.resolve("evil.zip");
		try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
			z.putNextEntry(new ZipEntry(ModelCard.FILE_NAME));
			z.write(Files.readAllBytes(seg.resolve(ModelCard.FILE_NAME)));
			z.putNextEntry(new ZipEntry("../evil"));
			z.write("pwned".getBytes(StandardCharsets.US_ASCII));
			z.closeEntry();
		}
		Set<Path> before = tempModels();
		for (var open : List.<ThrowingOpen>of(Models::readCard, Models::openSegmenter)) {
			String m = assertThrows(ModelFormatException.class, () -> open.open(evil)).getMessage();
			assertTrue(m.contains("../evil") && m.contains("evil.zip") && m.contains("outside"), m);
		}
		assertFalse(Files.exists(shared.resolve("evil")), "nothing written beside the zip");
		assertEquals(before, tempModels(), "nothing left in the temporary folder");
		Path abs = shared.resolve("abs.zip");
		try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(abs))) {
			z.putNextEntry(new ZipEntry("/tmp/medcnn-evil"));
			z.closeEntry();
		}
		String m = assertThrows(ModelFormatException.class, () -> Models.readCard(abs)).getMessage();
		assertTrue(m.contains("/tmp/medcnn-evil"), m);
		Files.write(shared.resolve("junk.zip"), new byte[] {1, 2, 3});
		m = assertThrows(ModelFormatException.class, () -> Models.readCard(shared.resolve("junk.zip"))).getMessage();
		assertTrue(m.contains("junk.zip"), m);
		Files.delete(evil);
		Files.delete(abs);
		Files.delete(shared.resolve("junk.zip"));
	}

	/**
	 * A package holding anything at its root that is not part of a package is refused, as a folder and zipped (before
	 * extracting: a 5 MB zip with 1.9 GB of junk beside the model was unzipped and run), and a {@code saved_model/} that
	 * links out of a package is refused as such (issue 15 items 3 and 6; before, the message blamed the integrity record).
	 */
	@Test
	void foreignRootEntriesAndLinksOutOfThePackageAreRefused() throws IOException {
		Path junk = PackageFuzzTest.copy(seg, shared.resolve("junkroot"));
		Models.openSegmenter(junk).close();
		Files.write(junk.resolve("junk.bin"), new byte[1000]);
		String m = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(junk)).getMessage();
		assertTrue(m.contains(junk.toString()) && m.contains("'junk.bin'") && m.contains("not part of a model package"), m);
		Path zip = Models.zip(junk, shared.resolve("junkroot.zip"));
		Set<Path> before = tempModels();
		m = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(zip)).getMessage();
		assertTrue(m.contains("junkroot.zip") && m.contains("'junk.bin'"), m);
		assertEquals(before, tempModels(), "refused before anything was extracted");
		Path linked = PackageFuzzTest.copy(seg, shared.resolve("linked"));
		Path elsewhere = shared.resolve("elsewhere");
		Files.move(linked.resolve(Models.SAVED_MODEL_DIR), elsewhere);
		Files.createSymbolicLink(linked.resolve(Models.SAVED_MODEL_DIR), elsewhere);
		m = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(linked)).getMessage();
		assertTrue(m.contains(linked.toString()) && m.contains("saved_model/, a link leading outside the package")
			&& m.contains(elsewhere.toRealPath().toString()) && !m.contains("integrity"), m);
		Zips.deleteTree(junk);
		Files.delete(zip);
		Files.delete(linked.resolve(Models.SAVED_MODEL_DIR));
		Zips.deleteTree(linked);
		Zips.deleteTree(elsewhere);
	}

	interface ThrowingOpen {
		Object open(Path p) throws IOException;
	}

	@Test
	void packagesOfAnotherFormatVersionAreRefused() throws IOException {
		Path other = shared.resolve("other");
		Files.createDirectories(other);
		String card = Files.readString(seg.resolve(ModelCard.FILE_NAME)).replaceFirst("\"formatVersion\": \"2\"",
			"\"formatVersion\": \"9\"");
		assertTrue(card.contains("\"formatVersion\": \"9\""), "card rewritten");
		Files.writeString(other.resolve(ModelCard.FILE_NAME), card);
		String m = assertThrows(ModelFormatException.class, () -> Models.readCard(other)).getMessage();
		assertTrue(m.contains("formatVersion") && m.contains("\"9\""), m);
		Path zip = shared.resolve("other.zip");
		try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
			z.putNextEntry(new ZipEntry(ModelCard.FILE_NAME));
			z.write(card.getBytes(StandardCharsets.UTF_8));
		}
		m = assertThrows(ModelFormatException.class, () -> Models.openSegmenter(zip)).getMessage();
		assertTrue(m.contains("formatVersion") && m.contains("other.zip"), m);
		Zips.deleteTree(other);
		Files.delete(zip);
	}

	@Test
	void earlyStoppingStopsWhenValidationLossStallsAndSaysSo() throws IOException {
		// random labels: nothing to learn, so the validation loss rises as soon as the net memorises the training set
		Random rng = new Random(8);
		List<Volume> items = new ArrayList<>();
		int[] labels = new int[24];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = rng.nextInt(2);
			items.add(Synthetic.shape(16, rng.nextInt(2), rng));
		}
		TrainingConfig tc = new TrainingConfig(60, 4, 3e-2, "adam", "cross-entropy", "relu", 1, 0.5).withPatience(2);
		List<EpochMetrics> history = new ArrayList<>();
		Path out = Training.trainClassifier(items, labels, List.of("a", "b"),
			new ClassifierConfig("mlp", 16, null, 32, "max", 40, 400, tc), history::add, null, shared.resolve("early"));
		Map<?, ?> tr = (Map<?, ?>) Models.readCard(out).json().get("training");
		assertEquals(Boolean.TRUE, tr.get("stoppedEarly"));
		int best = ((Number) tr.get("bestEpoch")).intValue();
		assertEquals(best + 2, history.size(), "stops 2 epochs after the best one");
		assertEquals((long) history.size(), tr.get("epochsRun"));
		assertTrue(history.size() < 60);
		double bestLoss = history.get(best - 1).valLoss();
		for (EpochMetrics m : history.subList(best, history.size())) assertTrue(m.valLoss() > bestLoss, "no improvement after");
		assertEquals(history.size() + 1, Files.readAllLines(out.resolve(BioImageIo.HISTORY)).size());
		assertEquals(2L, tr.get("patience"));
		Zips.deleteTree(out);
	}

	private static Set<Path> tempModels() throws IOException {
		try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
			return s.filter(p -> p.getFileName().toString().startsWith("medcnn-model-")).collect(Collectors.toSet());
		}
	}

}
