package org.medcnn.nn.tf;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Json;
import org.medcnn.nn.EpochMetrics;

/**
 * The state of a training run after a finished epoch, kept beside the output package in
 * {@code <package>.checkpoint/} so that an interrupted run (cancelled, killed, out of memory, NaN) can go on with
 * {@link org.medcnn.nn.TrainingConfig#resume()}.
 * <p>
 * {@value #STATE_FILE} holds everything that decides the rest of the run: every variable of the graph (weights,
 * optimizer moments and step counters, batch-norm statistics), the weights of the best epoch so far, the history,
 * and the state of the random source that shuffles, samples and augments. Resumed on the same CPU settings, the
 * run continues exactly as if it had never stopped. Two fingerprints guard against resuming the wrong run: one of
 * the graph (architecture, loss, optimizer, initial weights, hence the seed) and one of the training data.
 * {@value #SUMMARY_FILE} repeats the bookkeeping for people. Both files are written atomically, so a run killed
 * while writing leaves the previous epoch's checkpoint intact.
 * <p>
 * Binary layout of {@value #STATE_FILE} (big-endian, {@link DataOutputStream}): magic {@code MEDCNNCK}, version
 * (int), graph and data fingerprints (UTF), epoch, best epoch (int), best score (double), history (count, then per
 * epoch its fields, the lesion-wise validation metrics since version 2), random state (length-prefixed Java serialisation of {@link Random}), variables (count, then
 * per variable name and float array), best weights (count, then float arrays).
 */
final class Checkpoint {

	static final String SUFFIX = ".checkpoint";
	static final String STATE_FILE = "state.bin";
	static final String SUMMARY_FILE = "checkpoint.json";
	private static final long MAGIC = 0x4D4544434E4E434BL; // "MEDCNNCK"
	private static final int VERSION = 2;

	/** Everything a resumed run needs; see the class comment. */
	record State(String graphFingerprint, String dataFingerprint, int epoch, int bestEpoch, double bestScore,
		List<EpochMetrics> history, byte[] random, List<String> names, float[][] variables, float[][] best) {}

	private Checkpoint() {}

	/** The checkpoint folder of an output package: {@code <package>.checkpoint} beside it. */
	static Path folderFor(Path out) {
		Path abs = out.toAbsolutePath().normalize();
		return abs.resolveSibling(abs.getFileName() + SUFFIX);
	}

	/** Writes the state (atomically) and the human-readable summary. */
	static void write(Path folder, State s) throws IOException {
		Files.createDirectories(folder);
		AtomicFiles.write(folder.resolve(STATE_FILE), tmp -> {
			try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
				o.writeLong(MAGIC);
				o.writeInt(VERSION);
				o.writeUTF(s.graphFingerprint());
				o.writeUTF(s.dataFingerprint());
				o.writeInt(s.epoch());
				o.writeInt(s.bestEpoch());
				o.writeDouble(s.bestScore());
				o.writeInt(s.history().size());
				for (EpochMetrics m : s.history()) {
					o.writeInt(m.epoch());
					o.writeInt(m.epochs());
					o.writeDouble(m.trainLoss());
					o.writeDouble(m.valLoss());
					o.writeUTF(m.metricName());
					o.writeDouble(m.trainMetric());
					o.writeDouble(m.valMetric());
					o.writeDouble(m.seconds());
					o.writeDouble(m.valLesionSensitivity());
					o.writeDouble(m.valLesionPrecision());
				}
				o.writeInt(s.random().length);
				o.write(s.random());
				o.writeInt(s.variables().length);
				for (int i = 0; i < s.variables().length; i++) {
					o.writeUTF(s.names().get(i));
					writeFloats(o, s.variables()[i]);
				}
				o.writeInt(s.best().length);
				for (float[] b : s.best()) writeFloats(o, b);
			}
		});
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("what", "MedCNN training checkpoint: continue with --resume (CLI) or the Resume checkbox (ImageJ, "
			+ "macro key resume); delete this folder to start afresh");
		summary.put("epochsDone", s.epoch());
		summary.put("bestEpoch", s.bestEpoch());
		summary.put("lastTrainLoss", s.history().isEmpty() ? null : s.history().get(s.history().size() - 1).trainLoss());
		summary.put("variables", s.variables().length);
		summary.put("graphFingerprint", s.graphFingerprint());
		summary.put("dataFingerprint", s.dataFingerprint());
		AtomicFiles.writeString(folder.resolve(SUMMARY_FILE), Json.writePretty(summary) + "\n");
	}

	/**
	 * Reads a checkpoint.
	 *
	 * @throws NoSuchFileException when the folder holds no checkpoint
	 * @throws IOException when the file is damaged or of another version, naming the file
	 */
	static State read(Path folder) throws IOException {
		Path file = folder.resolve(STATE_FILE);
		if (!Files.isRegularFile(file))
			throw new NoSuchFileException(file.toString(), null, "no training checkpoint to resume from (a run that was "
				+ "interrupted after at least one epoch leaves one there)");
		try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
			if (in.readLong() != MAGIC) throw new IOException(file + ": not a MedCNN training checkpoint (wrong magic number)");
			int version = in.readInt();
			if (version != VERSION)
				throw new IOException(file + ": checkpoint version " + version + " is not supported (this MedCNN writes "
					+ VERSION + ")");
			String graph = in.readUTF(), data = in.readUTF();
			int epoch = in.readInt(), bestEpoch = in.readInt();
			double bestScore = in.readDouble();
			int n = count(in, file, "history");
			List<EpochMetrics> history = new ArrayList<>();
			for (int i = 0; i < n; i++)
				history.add(new EpochMetrics(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(), in.readUTF(),
					in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble()));
			byte[] random = new byte[count(in, file, "random state")];
			in.readFully(random);
			int nv = count(in, file, "variables");
			List<String> names = new ArrayList<>();
			float[][] vars = new float[nv][];
			for (int i = 0; i < nv; i++) {
				names.add(in.readUTF());
				vars[i] = readFloats(in, file);
			}
			float[][] best = new float[count(in, file, "best weights")][];
			for (int i = 0; i < best.length; i++) best[i] = readFloats(in, file);
			if (epoch < 1 || epoch != history.size() || bestEpoch < 1 || bestEpoch > epoch)
				throw new IOException(file + ": inconsistent checkpoint (epoch " + epoch + ", " + history.size()
					+ " history rows, best epoch " + bestEpoch + ")");
			return new State(graph, data, epoch, bestEpoch, bestScore, history, random, names, vars, best);
		} catch (EOFException e) {
			throw new IOException(file + ": the checkpoint is truncated", e);
		}
	}

	/** Deletes the checkpoint folder (after the package was written), if there is one. */
	static void delete(Path folder) throws IOException {
		AtomicFiles.deleteTree(folder);
	}

	/** Java serialisation of a random source's exact state. */
	static byte[] save(Random rng) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
			o.writeObject(rng);
		} catch (IOException e) {
			throw new IllegalStateException("cannot serialise java.util.Random", e);
		}
		return bytes.toByteArray();
	}

	/** The random source saved by {@link #save}. */
	static Random load(byte[] state, Path folder) throws IOException {
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(state))) {
			Object o = in.readObject();
			if (o != null && o.getClass() == Random.class) return (Random) o;
			throw new IOException(folder.resolve(STATE_FILE) + ": the random state is not a java.util.Random");
		} catch (ClassNotFoundException e) {
			throw new IOException(folder.resolve(STATE_FILE) + ": the random state cannot be read", e);
		}
	}

	private static int count(DataInputStream in, Path file, String what) throws IOException {
		int n = in.readInt();
		if (n < 0 || n > 100_000_000) throw new IOException(file + ": damaged checkpoint (" + what + " count " + n + ")");
		return n;
	}

	private static void writeFloats(DataOutputStream o, float[] a) throws IOException {
		o.writeInt(a.length);
		for (float f : a) o.writeFloat(f);
	}

	private static float[] readFloats(DataInputStream in, Path file) throws IOException {
		float[] a = new float[count(in, file, "float array")];
		for (int i = 0; i < a.length; i++) a[i] = in.readFloat();
		return a;
	}
}
