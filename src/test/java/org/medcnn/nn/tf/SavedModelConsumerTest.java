package org.medcnn.nn.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.BioImageIo;
import org.medcnn.nn.RdfYaml;
import org.medcnn.nn.Npy;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Synthetic;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A plain TensorFlow consumer (no MedCNN code on the prediction path) runs a package as bioimage.io describes it:
 * loads {@code saved_model/} by tag "serve", calls signature "serving_default" on {@code test_input.npy} after the
 * rdf.yaml preprocessing, and gets {@code test_output.npy}; {@link Trainer#stopsEarly} follows its contract.
 */
class SavedModelConsumerTest {

	@TempDir
	Path dir;

	@Test
	void savedModelRunsByItsSignatureAloneAndReproducesTheTestOutput() throws IOException {
		List<Mask> masks = new ArrayList<>();
		List<Volume> images = Synthetic.discCases(2, 16, 2, 4, masks);
		Path pkg = Training.trainSegmenter(images, masks, new SegmenterConfig(2, 4, 40, 400,
			new TrainingConfig(2, 2, 1e-2, "adam", "dice-ce", "relu", 1, 0)), null, null, dir.resolve("m"));

		Map<String, Object> rdf = RdfYaml.parse(Files.readString(pkg.resolve(BioImageIo.RDF_FILE)));
		Map<?, ?> in = (Map<?, ?>) ((List<?>) rdf.get("inputs")).get(0);
		Map<?, ?> out = (Map<?, ?>) ((List<?>) rdf.get("outputs")).get(0);
		Npy.FloatArray x = Npy.read(pkg.resolve((String) ((Map<?, ?>) in.get("test_tensor")).get("source")));
		Npy.FloatArray expected = Npy.read(pkg.resolve((String) ((Map<?, ?>) out.get("test_tensor")).get("source")));
		float[] v = x.data().clone();
		for (Object o : (List<?>) in.get("preprocessing")) {
			Map<?, ?> op = (Map<?, ?>) o, kw = (Map<?, ?>) op.get("kwargs");
			for (int i = 0; i < v.length; i++) {
				if (op.get("id").equals("clip"))
					v[i] = (float) Math.min(((Number) kw.get("max")).doubleValue(), Math.max(((Number) kw.get("min")).doubleValue(), v[i]));
				else if (op.get("id").equals("scale_linear"))
					v[i] = (float) (v[i] * ((Number) kw.get("gain")).doubleValue() + ((Number) kw.get("offset")).doubleValue());
			}
		}
		int[] s = x.shape();
		try (SavedModelBundle b = SavedModelBundle.load(pkg.resolve("saved_model").toString(), "serve")) {
			SessionFunction f = b.function("serving_default");
			try (TFloat32 t = TFloat32.tensorOf(Shape.of(s[0], s[1], s[2], s[3]), DataBuffers.of(v));
				Result r = f.call(Map.of((String) in.get("id"), t))) {
				Tensor y = r.get((String) out.get("id")).orElseThrow();
				assertEquals(Shape.of(expected.shape()[0], expected.shape()[1], expected.shape()[2], expected.shape()[3]), y.shape());
				float[] got = new float[(int) y.shape().size()];
				((TFloat32) y).copyTo(DataBuffers.of(got));
				assertArrayEquals(expected.data(), got, 1e-6f);
			}
		}
	}

	@Test
	void earlyStoppingRule() {
		assertEquals(false, Trainer.stopsEarly(10, 1, 0), "patience 0 never stops");
		assertEquals(false, Trainer.stopsEarly(3, 2, 2));
		assertEquals(true, Trainer.stopsEarly(4, 2, 2));
		assertEquals(false, Trainer.stopsEarly(4, 4, 1), "an improving epoch never stops");
	}
}
