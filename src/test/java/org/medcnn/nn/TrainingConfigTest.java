package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainingConfigTest {

	@Test
	void defaultsAreValid() {
		assertEquals("dice-ce", TrainingConfig.segmenterDefaults().loss());
		assertEquals("cross-entropy", TrainingConfig.classifierDefaults().loss());
		assertEquals(3, SegmenterConfig.defaults().depth());
		assertEquals(4, SegmenterConfig.defaults().sizeMultiple());
		assertEquals("cnn", ClassifierConfig.defaults().architecture());
	}

	@Test
	void patienceDefaultsToOffAndIsValidated() {
		TrainingConfig t = new TrainingConfig(5, 2, 0.1, "sgd", "mse", "relu", 1, 0.2);
		assertEquals(0, t.patience(), "the 8-argument constructor keeps early stopping off");
		assertEquals(0, TrainingConfig.segmenterDefaults().patience());
		TrainingConfig p = t.withPatience(3);
		assertEquals(3, p.patience());
		assertEquals(3, p.withEpochs(9).withSeed(2).patience(), "other with-methods keep the patience");
		assertEquals(new TrainingConfig(5, 2, 0.1, "sgd", "mse", "relu", 1, 0.2, 3), p);
		String m = assertThrows(IllegalArgumentException.class, () -> t.withPatience(-1)).getMessage();
		assertTrue(m.contains("patience") && m.contains("-1") && m.contains("0…10000"), m);
	}

	@Test
	void keywordsAreNormalised() {
		TrainingConfig t = new TrainingConfig(1, 1, 0.1, " Adam", "MSE", "ReLU", 0, 0);
		assertEquals("adam", t.optimizer());
		assertEquals("mse", t.loss());
		assertEquals("relu", t.activation());
	}

	@Test
	void outOfRangeValuesNameParameterValueAndRange() {
		TrainingConfig d = TrainingConfig.segmenterDefaults();
		String m = assertThrows(IllegalArgumentException.class, () -> d.withEpochs(0)).getMessage();
		assertTrue(m.contains("epochs") && m.contains("0") && m.contains("1…10000"), m);
		m = assertThrows(IllegalArgumentException.class, () -> d.withLearningRate(-1)).getMessage();
		assertTrue(m.contains("learningRate") && m.contains("-1") && m.contains("(0, 10]"), m);
		m = assertThrows(IllegalArgumentException.class, () -> d.withOptimizer("rmsprop")).getMessage();
		assertTrue(m.contains("optimizer") && m.contains("rmsprop") && m.contains("adam"), m);
		m = assertThrows(IllegalArgumentException.class, () -> d.withValFraction(0.95)).getMessage();
		assertTrue(m.contains("valFraction") && m.contains("0.95"), m);
		m = assertThrows(IllegalArgumentException.class, () -> d.withActivation(null)).getMessage();
		assertTrue(m.contains("activation"), m);
		assertThrows(IllegalArgumentException.class, () -> d.withBatchSize(0));
	}

	@Test
	void architectureConfigsAreValidated() {
		TrainingConfig t = TrainingConfig.segmenterDefaults();
		String m = assertThrows(IllegalArgumentException.class, () -> new SegmenterConfig(7, 8, 40, 400, t)).getMessage();
		assertTrue(m.contains("depth") && m.contains("7"), m);
		m = assertThrows(IllegalArgumentException.class, () -> new SegmenterConfig(3, 8, 40, 0, t)).getMessage();
		assertTrue(m.contains("windowWidthHu"), m);
		ClassifierConfig c = ClassifierConfig.defaults();
		m = assertThrows(IllegalArgumentException.class, () -> new ClassifierConfig("cnn", 60, new int[] {8, 16, 32}, 16,
			"max", 40, 400, c.training())).getMessage();
		assertTrue(m.contains("inputSize") && m.contains("60") && m.contains("8"), m);
		m = assertThrows(IllegalArgumentException.class, () -> c.withTraining(t)).getMessage(); // dice-ce
		assertTrue(m.contains("loss") && m.contains("dice-ce"), m);
		m = assertThrows(IllegalArgumentException.class, () -> c.withArchitecture("rnn")).getMessage();
		assertTrue(m.contains("architecture") && m.contains("rnn"), m);
		// an MLP needs no convolution blocks
		assertEquals(0, new ClassifierConfig("mlp", 30, null, 8, "max", 40, 400, c.training()).filters().length);
	}
}
