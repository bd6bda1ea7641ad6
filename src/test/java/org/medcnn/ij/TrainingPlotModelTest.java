package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Plot;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;

import org.junit.jupiter.api.Test;
import org.medcnn.nn.EpochMetrics;

class TrainingPlotModelTest {

	private static EpochMetrics epoch(int e, double loss, double val, double dice, double valDice) {
		return new EpochMetrics(e, 10, loss, val, "dice", dice, valDice, 2.0);
	}

	@Test
	void accumulatesEpochsIntoFourSeries() {
		TrainingPlotModel m = new TrainingPlotModel("Train Segmenter", 10, "CPU");
		assertEquals("Epoch 1/10 running · CPU", m.status());
		assertEquals(0, m.plot().getDataObjectDesignations().length, "an empty frame before the first epoch");
		m.add(epoch(1, 0.9, 0.8, 0.1, 0.2));
		m.add(epoch(2, 0.6, 0.7, 0.3, 0.35));
		Plot p = m.plot();
		assertEquals(4, p.getDataObjectDesignations().length, "training/validation loss and metric");
		float[][] trainLoss = p.getDataObjectArrays(0);
		assertArrayEquals(new float[] {1, 2}, trainLoss[0]);
		assertArrayEquals(new float[] {0.9f, 0.6f}, trainLoss[1]);
		assertArrayEquals(new float[] {0.2f, 0.35f}, p.getDataObjectArrays(3)[1]);
		double[] limits = p.getLimits();
		assertEquals(0.5, limits[0]);
		assertEquals(10.5, limits[1], "the x axis spans the planned epochs from the start");
		assertTrue(p.getProcessor().getWidth() > 300, "renders");
		assertEquals(16, m.etaSeconds(), 1e-9, "8 epochs left at 2 s each");
		assertEquals("Epoch 2/10 · loss 0.6000 · val loss 0.7000 · val dice 0.350 · about 16 s left · CPU", m.status());
		assertEquals("Train Segmenter: epoch 2/10  loss 0.6000  val loss 0.7000  dice 0.300  val dice 0.350  (2.0 s)",
			m.logLine(m.epochs().get(1)));
	}

	@Test
	void withoutValidationOnlyTrainingSeries() {
		TrainingPlotModel m = new TrainingPlotModel("Train Classifier", 3, "GPU");
		m.add(new EpochMetrics(1, 3, 1.4, Double.NaN, "accuracy", 0.5, Double.NaN, 65));
		Plot p = m.plot();
		assertEquals(2, p.getDataObjectDesignations().length);
		assertEquals(1.4 * 1.05, p.getLimits()[3], 1e-9, "y axis up to the largest value");
		assertEquals("Epoch 1/3 · loss 1.4000 · accuracy 0.500 · about 2 min 10 s left · GPU", m.status());
		assertFalse(m.logLine(m.epochs().get(0)).contains("val"));
		m.add(new EpochMetrics(3, 3, 1.0, Double.NaN, "accuracy", 0.7, Double.NaN, 60));
		assertFalse(m.status().contains("left"), "no time left after the last epoch");
	}

	@Test
	void durations() {
		assertEquals("45 s", TrainingPlotModel.duration(44.6));
		assertEquals("3 min 05 s", TrainingPlotModel.duration(185));
		assertEquals("2 h 07 min", TrainingPlotModel.duration(7620));
		assertEquals("?", TrainingPlotModel.duration(Double.NaN));
	}

	@Test
	void stoppedStatusSaysWhereTheModelIs() {
		Path out = Path.of("/models/liver");
		assertEquals("Training stopped; model saved to " + out + " (model of epoch 3)", TrainingMonitor.stoppedStatus(
			new org.medcnn.nn.TrainingStoppedException(out, 3, 4, Path.of("/models/liver.checkpoint")), out));
		// the type says it, not the text: a message that mentions "saved to" is not a saved model
		assertEquals("Training stopped before the first epoch ended; no model was saved", TrainingMonitor.stoppedStatus(
			new CancellationException("the model of epoch 3 was saved to nowhere"), out));
		assertEquals("Training stopped before the first epoch ended; no model was saved",
			TrainingMonitor.stoppedStatus(new CancellationException("Cancelled by the user"), out));
	}

	@Test
	void dialogValuesNameFieldAndKey() {
		assertEquals(5, DialogValues.whole("Epochs", "epochs", 5, 1, 10));
		IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
			() -> DialogValues.whole("Epochs", "epochs", 2.5, 1, 10));
		assertEquals("Epochs must be a whole number from 1 to 10 (macro key epochs); got 2.5", e.getMessage());
		e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
			() -> DialogValues.number("Learning rate", "learning", 0, 0, true, 10));
		assertEquals("Learning rate must be a number in (0, 10] (macro key learning); got 0", e.getMessage());
		e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
			() -> DialogValues.path("Out (model package folder)", "out", " "));
		assertTrue(e.getMessage().contains("macro key out"), e.getMessage());
	}
}
