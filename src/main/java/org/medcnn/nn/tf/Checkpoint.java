package org.medcnn.nn.tf;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
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
import java.util.Set;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.OutputGate;
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
 * <p>
 * The file is untrusted input (a checkpoint folder can come from anywhere): every count is checked against the
 * bytes left in the file before anything of that size is allocated, and the random state is deserialised through
 * an {@link ObjectInputFilter} that admits {@link Random} alone ({@link #randomStateFilter}), so a crafted stream
 * (another class, a gadget chain, a huge array) is refused before any of it is built. The messages name the file.
 */
final class Checkpoint {

	static final String SUFFIX = ".checkpoint";
	static final String STATE_FILE = "state.bin";
	static final String SUMMARY_FILE = "checkpoint.json";
	static final long MAGIC = 0x4D4544434E4E434BL; // "MEDCNNCK"
	static final int VERSION = 2;

	/** Everything a resumed run needs; see the class comment. */
	record State(String graphFingerprint, String dataFingerprint, int epoch, int bestEpoch, double bestScore,
		List<EpochMetrics> history, Random random, List<String> names, float[][] variables, float[][] best) {}

	/** Bytes one history row takes at least: 2 ints, 7 doubles and a UTF string's length. */
	private static final int HISTORY_ROW_BYTES = 2 * 4 + 7 * 8 + 2;
	/** Bytes one variable takes at least: its name's length and its array's length. */
	private static final int VARIABLE_BYTES = 2 + 4;
	/** Deepest nesting and most references in a random state's stream (a {@link Random} has depth 1, 2 handles). */
	static final int MAX_SERIAL_DEPTH = 2;
	static final int MAX_SERIAL_REFS = 8;

	private Checkpoint() {}

	/** The checkpoint folder of an output package: {@code <package>.checkpoint} beside it. */
	static Path folderFor(Path out) {
		Path abs = out.toAbsolutePath().normalize();
		return abs.resolveSibling(abs.getFileName() + SUFFIX);
	}

	/** Writes the state (atomically) and the human-readable summary. */
	static void write(Path folder, State s) throws IOException {
		OutputGate.check(folder);
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
				byte[] random = save(s.random());
				o.writeInt(random.length);
				o.write(random);
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
		long size = Files.size(file);
		try (Counting counting = new Counting(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
			DataInputStream in = new DataInputStream(counting)) {
			Bounds b = new Bounds(in, counting, size, file);
			if (in.readLong() != MAGIC) throw new IOException(file + ": not a MedCNN training checkpoint (wrong magic number)");
			int version = in.readInt();
			if (version != VERSION)
				throw new IOException(file + ": checkpoint version " + version + " is not supported (this MedCNN writes "
					+ VERSION + ")");
			String graph = in.readUTF(), data = in.readUTF();
			int epoch = in.readInt(), bestEpoch = in.readInt();
			double bestScore = in.readDouble();
			int n = b.count("history", HISTORY_ROW_BYTES);
			List<EpochMetrics> history = new ArrayList<>();
			for (int i = 0; i < n; i++)
				history.add(new EpochMetrics(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(), in.readUTF(),
					in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble()));
			byte[] randomState = new byte[b.count("random state", 1)];
			in.readFully(randomState);
			Random random = load(randomState, file);
			int nv = b.count("variables", VARIABLE_BYTES);
			List<String> names = new ArrayList<>();
			float[][] vars = new float[nv][];
			for (int i = 0; i < nv; i++) {
				names.add(in.readUTF());
				vars[i] = b.floats();
			}
			float[][] best = new float[b.count("best weights", 4)][];
			for (int i = 0; i < best.length; i++) best[i] = b.floats();
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

	/**
	 * The random source saved by {@link #save}, deserialised through {@link #randomStateFilter}.
	 *
	 * @param file the checkpoint file, for messages
	 * @throws IOException naming the file when the bytes are not exactly a serialised {@link Random}
	 */
	static Random load(byte[] state, Path file) throws IOException {
		RestrictedFilter filter = randomStateFilter(state.length);
		ByteArrayInputStream bytes = new ByteArrayInputStream(state);
		try (ObjectInputStream in = new ObjectInputStream(bytes)) {
			in.setObjectInputFilter(filter);
			Object o = in.readObject();
			// Nothing may follow the one object (what follows is not read, let alone built).
			if (o != null && o.getClass() == Random.class && bytes.available() == 0) return (Random) o;
			throw new IOException(file + ": the random state is not exactly one java.util.Random (the checkpoint is damaged "
				+ "or was not written by MedCNN; delete its folder to start afresh)");
		} catch (InvalidClassException e) {
			if (filter.refusal() == null) throw new IOException(file + ": the random state cannot be read: " + e.getMessage(), e);
			throw new IOException(file + ": the random state is refused before it is read: it holds " + filter.refusal()
				+ " (the checkpoint is damaged or was not written by MedCNN; delete its folder to start afresh)", e);
		} catch (ClassNotFoundException | RuntimeException e) {
			throw new IOException(file + ": the random state cannot be read: " + e, e);
		}
	}

	/**
	 * The deserialisation filter of a random state of {@code bytes} bytes: the class {@link Random} and nothing
	 * else (no arrays), within the limits of {@link RestrictedFilter}.
	 */
	static RestrictedFilter randomStateFilter(long bytes) {
		return new RestrictedFilter(Set.of(Random.class), bytes);
	}

	/**
	 * An {@link ObjectInputFilter} for one stream of {@code bytes} bytes that admits exactly the classes (and array
	 * classes) in {@code allowed}; it refuses, before the object is built, nesting deeper than
	 * {@value #MAX_SERIAL_DEPTH}, more than {@value #MAX_SERIAL_REFS} references, a stream longer than {@code bytes}
	 * and an array longer than {@code bytes} elements (each element takes at least a byte of the stream, so a longer
	 * one cannot be real). The limits are checked before the class, so an array's length is judged before its
	 * elements are allocated. Remembers the first refusal, for the message. One per stream; not thread-safe.
	 */
	static final class RestrictedFilter implements ObjectInputFilter {
		private final Set<Class<?>> allowed;
		private final long bytes;
		private String refusal;

		RestrictedFilter(Set<Class<?>> allowed, long bytes) {
			this.allowed = Set.copyOf(allowed);
			this.bytes = bytes;
		}

		/** What was refused first (e.g. "the class java.util.HashMap"), or null. */
		String refusal() {
			return refusal;
		}

		@Override
		public Status checkInput(FilterInfo info) {
			Class<?> c = info.serialClass();
			String why = null;
			if (info.depth() > MAX_SERIAL_DEPTH) why = "objects nested " + info.depth() + " deep (at most " + MAX_SERIAL_DEPTH + ")";
			else if (info.references() > MAX_SERIAL_REFS)
				why = info.references() + " object references (at most " + MAX_SERIAL_REFS + ")";
			else if (info.streamBytes() > bytes) why = "more than its " + bytes + " bytes";
			else if (info.arrayLength() > bytes)
				why = "an array of " + info.arrayLength() + " elements, more than its " + bytes + " bytes can hold";
			else if (c != null && !allowed.contains(c)) why = "the class " + c.getTypeName();
			if (why == null) return Status.ALLOWED;
			if (refusal == null) refusal = why;
			return Status.REJECTED;
		}
	}

	/** Reads counts and float arrays, each checked against the bytes left in the file before it is allocated. */
	private record Bounds(DataInputStream in, Counting counting, long size, Path file) {

		/** A count of items of at least {@code minBytes} bytes each that must fit in the rest of the file. */
		int count(String what, int minBytes) throws IOException {
			int n = in.readInt();
			long left = size - counting.position();
			if (n < 0) throw new IOException(file + ": damaged checkpoint (" + what + " count " + n + ")");
			if ((long) n * minBytes > left)
				throw new IOException(file + ": damaged checkpoint (" + what + " count " + n + " needs at least "
					+ (long) n * minBytes + " bytes but only " + left + " are left in the file)");
			return n;
		}

		float[] floats() throws IOException {
			float[] a = new float[count("float array", 4)];
			for (int i = 0; i < a.length; i++) a[i] = in.readFloat();
			return a;
		}
	}

	/** Counts the bytes read through it. */
	private static final class Counting extends FilterInputStream {
		private long position;

		Counting(InputStream in) {
			super(in);
		}

		long position() {
			return position;
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b >= 0) position++;
			return b;
		}

		@Override
		public int read(byte[] buf, int off, int len) throws IOException {
			int n = super.read(buf, off, len);
			if (n > 0) position += n;
			return n;
		}

		@Override
		public long skip(long n) throws IOException {
			long k = super.skip(n);
			position += k;
			return k;
		}
	}

	private static void writeFloats(DataOutputStream o, float[] a) throws IOException {
		o.writeInt(a.length);
		for (float f : a) o.writeFloat(f);
	}
}
