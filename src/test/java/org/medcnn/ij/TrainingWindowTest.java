package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;

import java.awt.EventQueue;
import java.awt.Robot;
import java.awt.event.ActionEvent;
import java.awt.image.BufferedImage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.nn.EpochMetrics;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.nn.TrainingListener;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The live training display around real (tiny) training runs: per-epoch updates of the window, and Stop, which
 * cancels the run after which the engine still writes the best model so far. With a display (Xvfb) the window
 * opens and Stop is pressed on its button, and a screenshot goes to {@code target/training-plot.png}; headless,
 * the monitor runs without a window and Stop is requested through it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrainingWindowTest {

	@TempDir
	static Path tmp;
	private static final List<Volume> IMAGES = new ArrayList<>();
	private static final List<Mask> MASKS = new ArrayList<>();

	@BeforeAll
	static void data() {
		for (int k = 0; k < 3; k++) {
			Mask m = Mask.empty(TinyCases.GRID);
			IMAGES.add(TinyCases.phantom(k, m));
			MASKS.add(m);
		}
	}

	private static SegmenterConfig config(int epochs) {
		return new SegmenterConfig(2, 4, 40, 400, new TrainingConfig(epochs, 4, 1e-2, "adam", "dice-ce", "relu", 7, 0.34));
	}

	@Test
	void windowFollowsEveryEpochAndStaysOpen() throws Exception {
		Path out = tmp.resolve("six-epochs");
		List<String> seen = new ArrayList<>();
		TrainingRun.Result r = TrainingRun.run("Train Segmenter", 6, out, (l, c) -> Training.trainSegmenter(IMAGES, MASKS,
			config(6), new TrainingListener() {
				@Override
				public void epochEnded(EpochMetrics m) {
					l.epochEnded(m);
					seen.add(((TrainingMonitor) l).model().status());
				}

				@Override
				public void stepEnded(int epoch, int step, int steps, double loss) {
					l.stepEnded(epoch, step, steps, loss);
				}
			}, c, out), new Cancellation());
		assertFalse(r.stopped());
		assertEquals(out, r.model());
		assertEquals("Model saved to " + out, r.status());
		assertEquals(6, seen.size(), "one update per epoch");
		assertTrue(seen.get(2).startsWith("Epoch 3/6 · loss "), seen.get(2));
		assertTrue(seen.get(2).endsWith(" left · " + Models.device()), "status shows time left and device: " + seen.get(2));
		assertTrue(IJ.getLog() == null || IJ.getLog().contains("Train Segmenter: epoch 6/6"), "Log line per epoch");
		TrainingWindow w = lastWindow();
		if (w == null) return; // headless: no window
		EventQueue.invokeAndWait(() -> { });
		assertEquals("Model saved to " + out, w.statusText());
		assertFalse(w.stopButton().isEnabled(), "Stop is off after the run");
		assertTrue(w.isShowing(), "the window stays open");
		screenshot(w, Path.of("target", "training-plot.png"));
		EventQueue.invokeAndWait(w::dispose);
	}

	@Test
	void stopAfterTheFirstEpochStillWritesThePackage() throws Exception {
		Path out = tmp.resolve("stopped");
		Cancellation cancel = new Cancellation();
		TrainingRun.Result r = TrainingRun.run("Train Segmenter", 5, out, (l, c) -> Training.trainSegmenter(IMAGES, MASKS,
			config(5), m -> {
				l.epochEnded(m);
				if (m.epoch() == 1) pressStop((TrainingMonitor) l);
			}, c, out), cancel);
		assertTrue(cancel.isCancelled());
		assertTrue(r.stopped());
		assertEquals(out, r.model());
		assertEquals("Training stopped; model saved to " + out + " (model of epoch 1)", r.status());
		ModelCard card = Models.readCard(out);
		@SuppressWarnings("unchecked")
		Map<String, Object> training = (Map<String, Object>) card.json().get("training");
		assertEquals(Boolean.TRUE, training.get("cancelled"));
		assertEquals(1, ((Number) training.get("epochsRun")).intValue());
		assertTrue(Files.isDirectory(out.resolve(Models.SAVED_MODEL_DIR)), "the SavedModel was written");
		TrainingWindow w = lastWindow();
		if (w != null) {
			EventQueue.invokeAndWait(() -> { });
			assertEquals(r.status(), w.statusText());
			EventQueue.invokeAndWait(w::dispose);
		}
	}

	/** Presses the window's Stop button when there is one, else stops through the monitor (headless). */
	private static void pressStop(TrainingMonitor monitor) {
		TrainingWindow w = monitor.window();
		if (w == null) {
			monitor.stop();
			return;
		}
		try {
			EventQueue.invokeAndWait(() -> w.stopButton().dispatchEvent(new ActionEvent(w.stopButton(),
				ActionEvent.ACTION_PERFORMED, "Stop")));
		} catch (Exception e) {
			throw new AssertionError(e);
		}
	}

	/** The training window opened last, or null when none opens (headless or in batch mode). */
	private static TrainingWindow lastWindow() {
		if (!TrainingRun.windowWanted()) return null;
		TrainingWindow last = null;
		for (java.awt.Frame f : java.awt.Frame.getFrames())
			if (f instanceof TrainingWindow t && t.isDisplayable()) last = t;
		assertNotNull(last, "a training window opened");
		return last;
	}

	private static void screenshot(TrainingWindow w, Path file) throws Exception {
		EventQueue.invokeAndWait(w::toFront);
		Thread.sleep(600);
		EventQueue.invokeAndWait(() -> { });
		BufferedImage shot = new Robot().createScreenCapture(w.getBounds());
		Files.createDirectories(file.getParent());
		ImageIO.write(shot, "png", file.toFile());
		assertTrue(Files.size(file) > 1000, "screenshot written");
	}

}
