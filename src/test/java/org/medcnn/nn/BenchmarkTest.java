package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The benchmark entry points time real steps of tiny networks. */
class BenchmarkTest {

	@Test
	void tinyNetworksAreTimed() throws IOException {
		TrainingConfig tc = TrainingConfig.classifierDefaults().withBatchSize(4);
		Throughput c = Training.benchmarkClassifier(new ClassifierConfig("cnn", 16, new int[] {4}, 8, "max", 40, 400, tc), 3,
			0.2, null);
		assertEquals(4, c.batch());
		assertTrue(c.trainSteps() >= 2 && c.inferSteps() >= 2, c.toString());
		assertTrue(c.trainImagesPerSecond() > 0 && c.inferImagesPerSecond() > 0, c.toString());
		assertTrue(c.parameters() > 0);
		assertTrue(c.pipelineTrainImagesPerSecond() > 0, c.toString());
		assertTrue(c.pipelineOutsideShare() >= 0 && c.pipelineOutsideShare() < 1, c.toString());
		// the same network on ONNX Runtime (issue 14)
		assertTrue(c.onnxInferSteps() >= 2 && c.onnxInferImagesPerSecond() > 0, c.toString());
		Throughput s = Training.benchmarkSegmenter(new SegmenterConfig(2, 4, 40, 400, tc.withBatchSize(2)), 16, 0.2, null);
		assertEquals(2, s.batch());
		assertTrue(s.trainImagesPerSecond() > 0, s.toString());
		Throughput s3 = Training.benchmarkSegmenter3d(new Segmenter3dConfig(2, 2, new int[] {4, 8, 8}, 40, 400,
			tc.withBatchSize(1)), 0.2, null);
		assertTrue(s3.inferImagesPerSecond() > 0, s3.toString());
		assertTrue(s.onnxInferImagesPerSecond() > 0 && s3.onnxInferImagesPerSecond() > 0, s3.toString());
		assertTrue(s3.pipelineTrainImagesPerSecond() > 0 && s3.pipelineOutsideShare() < 1, s3.toString());
		assertThrows(IllegalArgumentException.class, () -> Training.benchmarkSegmenter(new SegmenterConfig(2, 4, 40, 400, tc),
			15, 0.2, null), "size not a multiple of 2");
	}
}
