package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Synthetic;
import org.medcnn.nn.onnx.OnnxWeights;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * {@code predict} and {@code evaluate} with {@code --engine tensorflow|onnx} (issue 14 item 3): the ONNX weights that
 * training wrote give the same masks and the same scores as the SavedModel; a package without ONNX weights is
 * refused for {@code --engine onnx} with a message naming it; an unknown engine is a usage error.
 */
class EngineOptionTest {

	@TempDir
	Path tmp;

	@Test
	void predictAndEvaluateGiveTheSameResultsOnBothEngines() throws IOException {
		Path images = tmp.resolve("images"), masks = tmp.resolve("masks");
		Files.createDirectories(images);
		Files.createDirectories(masks);
		List<Mask> ms = new ArrayList<>();
		List<Volume> vs = Synthetic.discCases(3, 24, 4, 9, ms);
		for (int k = 0; k < vs.size(); k++) {
			Nifti.writeVolume(vs.get(k), images.resolve("case" + k + ".nii.gz"), Nifti.DataType.FLOAT32);
			Nifti.writeMask(ms.get(k), masks.resolve("case" + k + ".nii.gz"));
		}
		Path model = tmp.resolve("model");
		MainTest.Run t = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(), "--out",
			model.toString(), "--epochs", "8", "--samples", "64", "--depth", "2", "--filters", "4", "--val-fraction", "0");
		assertEquals(0, t.code(), t.err());
		assertTrue(Files.isRegularFile(model.resolve(OnnxWeights.FILE)), "training wrote the ONNX weights");

		Map<String, Mask> byEngine = new LinkedHashMap<>();
		for (String engine : List.of("tensorflow", "onnx")) {
			Path out = tmp.resolve("pred-" + engine);
			MainTest.Run p = MainTest.run("predict", "--model", model.toString(), "--engine", engine, "--out", out.toString(),
				images.resolve("case1.nii.gz").toString());
			assertEquals(0, p.code(), p.err());
			byEngine.put(engine, Nifti.readMask(out.resolve("case1.nii.gz")));
		}
		assertArrayEquals(byEngine.get("tensorflow").labels(), byEngine.get("onnx").labels(), "identical masks");
		int fg = 0;
		for (byte b : byEngine.get("onnx").labels()) fg += b;
		assertTrue(fg > 0, "the masks compared have foreground");
		MainTest.Run plain = MainTest.run("predict", "--model", model.toString(), "--out", tmp.resolve("pred").toString(),
			images.resolve("case1.nii.gz").toString());
		assertEquals(0, plain.code(), plain.err());
		assertArrayEquals(byEngine.get("tensorflow").labels(), Nifti.readMask(tmp.resolve("pred").resolve("case1.nii.gz"))
			.labels(), "tensorflow is the default");

		Object[] overall = new Object[2];
		int i = 0;
		for (String engine : List.of("tensorflow", "onnx")) {
			MainTest.Run e = MainTest.run("evaluate", "--model", model.toString(), "--engine", engine, "--images",
				images.toString(), "--masks", masks.toString(), "--json");
			assertEquals(0, e.code(), e.err());
			overall[i++] = Json.asObject(Json.parse(e.out()), "evaluate").get("overall");
		}
		assertEquals(overall[0], overall[1], "the same scores on both engines");

		// without its ONNX weights (a package written before they existed), --engine onnx says so
		Files.delete(model.resolve(OnnxWeights.FILE));
		Files.delete(model.resolve(OnnxWeights.DIR));
		Path cardFile = model.resolve(ModelCard.FILE_NAME);
		Map<String, Object> card = new LinkedHashMap<>(Json.asObject(Json.parse(Files.readString(cardFile)), "card"));
		card.remove(OnnxWeights.CARD_FIELD);
		((Map<?, ?>) ((Map<?, ?>) card.get("integrity")).get("files")).remove(OnnxWeights.FILE);
		Files.writeString(cardFile, Json.writePretty(card) + "\n");
		MainTest.Run old = MainTest.run("predict", "--model", model.toString(), "--engine", "onnx", "--out",
			tmp.resolve("old").toString(), images.resolve("case1.nii.gz").toString());
		assertNotEquals(0, old.code());
		assertTrue(old.err().contains(model.toString()) && old.err().contains("has no ONNX weights"), old.err());
		assertEquals(0, MainTest.run("predict", "--model", model.toString(), "--out", tmp.resolve("old-tf").toString(),
			images.resolve("case1.nii.gz").toString()).code(), "the TensorFlow engine still runs it");
	}

	@Test
	void helpNamesTheOptionAndAnUnknownEngineIsAUsageError() {
		for (String cmd : List.of("predict", "evaluate")) {
			MainTest.Run h = MainTest.run(cmd, "--help");
			assertTrue(h.out().contains("--engine tensorflow|onnx"), h.out());
		}
		MainTest.Run r = MainTest.run("predict", "--model", "m", "--engine", "torch", "--out", tmp.toString(), "x");
		assertEquals(2, r.code(), r.err());
		assertTrue(r.err().contains("--engine") && r.err().contains("torch"), r.err());
	}
}
