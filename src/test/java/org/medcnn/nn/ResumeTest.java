package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.testing.ChildProcesses;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Checkpoints and {@link TrainingConfig#resume()}: an interrupted run resumed from its checkpoint ends with exactly
 * the model of an uninterrupted run, and a checkpoint of another run is refused.
 * <p>
 * The exactness check runs {@link Driver} in a JVM of its own with {@code -Dmedcnn.threads=1} and
 * {@code OMP_NUM_THREADS=1}: TensorFlow's CPU thread pool is process-wide and fixed by the first session,
 * oneDNN's OpenMP pool is sized when the native library loads, and only single-threaded ones are bitwise
 * reproducible.
 */
class ResumeTest {

	@TempDir
	Path dir;

	static final String CHECKPOINT = ".checkpoint";

	@Test
	void resumedRunEqualsUninterruptedRunBitForBit() throws Exception {
		Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
		String cp = System.getProperty("java.class.path");
		for (ClassLoader l = ResumeTest.class.getClassLoader(); l != null; l = l.getParent())
			if (l instanceof java.net.URLClassLoader u)
				for (java.net.URL url : u.getURLs()) cp += File.pathSeparator + Path.of(url.toURI());
		ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-Xmx1g", "-Dmedcnn.threads=1", "-cp", cp,
			Driver.class.getName(), dir.toString());
		pb.environment().put("OMP_NUM_THREADS", "1"); // oneDNN's OpenMP pool too, as the CLI sets it
		ChildProcesses.Finished driver = ChildProcesses.run(pb, Duration.ofSeconds(240));
		assertEquals(0, driver.exitCode(), driver.text());
		for (String kind : List.of("seg", "cls")) {
			Path whole = dir.resolve(kind + "-whole"), resumed = dir.resolve(kind + "-resumed");
			assertArrayEquals(Files.readAllBytes(whole.resolve(BioImageIo.TEST_OUTPUT)),
				Files.readAllBytes(resumed.resolve(BioImageIo.TEST_OUTPUT)), kind + ": the resumed model predicts the same");
			assertEquals(withoutSeconds(whole.resolve(BioImageIo.HISTORY)), withoutSeconds(resumed.resolve(BioImageIo.HISTORY)),
				kind + ": same losses and metrics in every epoch");
			assertFalse(Files.exists(Path.of(resumed + CHECKPOINT)), "a finished run deletes its checkpoint");
			assertTrue(Files.readString(resumed.resolve(ModelCard.FILE_NAME)).matches("(?s).*\"resumedAfterEpoch\"\\s*:\\s*2\\b.*"),
				"the card says where the run resumed");
		}
	}

	/** history.csv without the seconds column. */
	private static List<String> withoutSeconds(Path csv) throws IOException {
		return Files.readAllLines(csv).stream().map(l -> {
			String[] f = l.split(",", -1);
			f[6] = ""; // epoch,train_loss,val_loss,metric,train_metric,val_metric,seconds,…
			return String.join(",", f);
		}).toList();
	}

	@Test
	void aCheckpointOfAnotherRunIsRefusedAndAMissingOneIsNamed() throws IOException {
		List<Mask> masks = new ArrayList<>();
		List<Volume> images = Synthetic.discCases(3, 16, 2, 7, masks);
		SegmenterConfig cfg = Driver.segmenter(3);
		Path pkg = dir.resolve("seg");
		NoSuchFileException none = assertThrows(NoSuchFileException.class, () -> Training.trainSegmenter(images, masks,
			cfg.withTraining(cfg.training().withResume(true)), null, null, pkg));
		assertTrue(none.getMessage().contains("seg" + CHECKPOINT), none.getMessage());

		Cancellation stop = new Cancellation();
		CancellationException cancelled = assertThrows(CancellationException.class, () -> Training.trainSegmenter(images,
			masks, cfg, Driver.stopAfter(1, stop), stop, pkg));
		assertTrue(cancelled.getMessage().contains("--resume"), cancelled.getMessage());
		assertTrue(Files.isRegularFile(pkg.resolve(ModelCard.FILE_NAME)), "a cancelled run still writes its best model");
		Path ck = dir.resolve("seg" + CHECKPOINT);
		assertTrue(Files.isRegularFile(ck.resolve("state.bin")), "a cancelled run keeps its checkpoint");
		assertTrue(Files.readString(ck.resolve("checkpoint.json")).matches("(?s).*\"epochsDone\"\\s*:\\s*1\\b.*"));

		IOException seed = assertThrows(IOException.class, () -> Training.trainSegmenter(images, masks,
			cfg.withTraining(cfg.training().withSeed(99).withResume(true)), null, null, pkg));
		assertTrue(seed.getMessage().contains("another network"), seed.getMessage());

		List<Mask> otherMasks = new ArrayList<>();
		List<Volume> other = Synthetic.discCases(3, 16, 2, 8, otherMasks);
		IOException data = assertThrows(IOException.class, () -> Training.trainSegmenter(other, otherMasks,
			cfg.withTraining(cfg.training().withResume(true)), null, null, pkg));
		assertTrue(data.getMessage().contains("other training data"), data.getMessage());

		IOException done = assertThrows(IOException.class, () -> Training.trainSegmenter(images, masks,
			cfg.withTraining(cfg.training().withEpochs(1).withResume(true)), null, null, pkg));
		assertTrue(done.getMessage().contains("more epochs"), done.getMessage());

		Files.write(ck.resolve("state.bin"), new byte[] {1, 2, 3});
		IOException damaged = assertThrows(IOException.class, () -> Training.trainSegmenter(images, masks,
			cfg.withTraining(cfg.training().withResume(true)), null, null, pkg));
		assertTrue(damaged.getMessage().contains("state.bin"), damaged.getMessage());
	}

	/** Trains, interrupts and resumes; run in a JVM of its own by {@link #resumedRunEqualsUninterruptedRunBitForBit}. */
	public static final class Driver {

		private Driver() {}

		static SegmenterConfig segmenter(int epochs) {
			return new SegmenterConfig(2, 4, 40, 400, new TrainingConfig(epochs, 2, 1e-2, "adam", "dice-ce", "relu", 5, 0.34)
				.withSchedule("cosine").withAugment("standard"));
		}

		static ClassifierConfig classifier(int epochs) {
			return new ClassifierConfig("cnn", 16, new int[] {4}, 8, "max", 40, 400,
				new TrainingConfig(epochs, 4, 1e-2, "momentum", "cross-entropy", "relu", 5, 0.25).withAugment("standard"));
		}

		public static void main(String[] args) throws IOException {
			Path dir = Path.of(args[0]);
			List<Mask> masks = new ArrayList<>();
			List<Volume> images = Synthetic.discCases(3, 16, 2, 7, masks);
			Training.trainSegmenter(images, masks, segmenter(4), null, null, dir.resolve("seg-whole"));
			Path seg = dir.resolve("seg-resumed");
			Cancellation stop = new Cancellation();
			try {
				Training.trainSegmenter(images, masks, segmenter(4), stopAfter(2, stop), stop, seg);
				throw new IllegalStateException("the segmenter run was not cancelled");
			} catch (CancellationException expected) {
				// the checkpoint of epoch 2 is there
			}
			SegmenterConfig s = segmenter(4);
			Training.trainSegmenter(images, masks, s.withTraining(s.training().withResume(true)), null, null, seg);

			Random rng = new Random(3);
			List<Volume> items = new ArrayList<>();
			int[] labels = new int[12];
			for (int i = 0; i < labels.length; i++) {
				labels[i] = i % 2;
				items.add(Synthetic.shape(16, labels[i], rng));
			}
			List<String> names = List.of("disc", "square");
			Training.trainClassifier(items, labels, names, classifier(4), null, null, dir.resolve("cls-whole"));
			Path cls = dir.resolve("cls-resumed");
			Cancellation stop2 = new Cancellation();
			try {
				Training.trainClassifier(items, labels, names, classifier(4), stopAfter(2, stop2), stop2, cls);
				throw new IllegalStateException("the classifier run was not cancelled");
			} catch (CancellationException expected) {
				// the checkpoint of epoch 2 is there
			}
			ClassifierConfig c = classifier(4);
			Training.trainClassifier(items, labels, names, c.withTraining(c.training().withResume(true)), null, null, cls);
		}

		/** A listener that sets the Stop flag at the end of epoch {@code n}, as the Stop button does. */
		static TrainingListener stopAfter(int n, Cancellation c) {
			return m -> {
				if (m.epoch() == n) c.cancel();
			};
		}
	}
}
