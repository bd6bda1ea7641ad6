package org.medcnn.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Volume;

/**
 * Opens model packages (DESIGN.md "Model package": a folder with {@code medcnn.json} and {@code saved_model/},
 * or the same zipped as {@code .zip}) and reports on the TensorFlow runtime. Thread-safe.
 * <p>
 * A {@code .zip} package holds the package's files at its root or inside one top folder. Opening a model from a
 * zip extracts it into a temporary folder (entries that would land outside it are refused, sizes are bounded,
 * see {@link Zips}); the returned model deletes that folder when it is closed.
 * <p>
 * The TensorFlow engine is loaded on first use; when its native library cannot load, the methods throw an
 * {@link IOException} saying so (before any heavy work).
 */
public final class Models {

	/** Folder of the TensorFlow SavedModel inside a package. */
	public static final String SAVED_MODEL_DIR = "saved_model";

	private static final String ENGINE_CLASS = "org.medcnn.nn.tf.TfEngine";
	private static Engine engine;

	private Models() {}

	/**
	 * Reads and validates a package's card.
	 *
	 * @param pkg a package folder or a {@code .zip} of one
	 * @throws ModelFormatException when the package or its card is missing or malformed, or of another format
	 *         version, or a zip holds an entry that points outside it; the message names the package and the field
	 */
	public static ModelCard readCard(Path pkg) throws ModelFormatException {
		if (isZip(pkg)) return readZippedCard(pkg);
		if (!Files.isDirectory(pkg)) throw new ModelFormatException(pkg, null, "is not a folder (a model package is a folder"
			+ " holding " + ModelCard.FILE_NAME + " and " + SAVED_MODEL_DIR + "/)");
		Path f = pkg.resolve(ModelCard.FILE_NAME);
		if (!Files.isRegularFile(f)) throw new ModelFormatException(pkg, null, "has no " + ModelCard.FILE_NAME);
		String text;
		try {
			text = Files.readString(f, StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new ModelFormatException(pkg, "cannot read " + ModelCard.FILE_NAME + ": " + e.getMessage(), e);
		}
		return ModelCard.parse(text, pkg);
	}

	/**
	 * Opens a segmentation package. The caller closes the returned segmenter.
	 *
	 * @throws ModelFormatException when the card is invalid or the package is not a segmentation model
	 * @throws IOException when TensorFlow cannot load or the SavedModel is unreadable
	 */
	public static Segmenter openSegmenter(Path pkg) throws IOException {
		return open(pkg, ModelCard.SEGMENTATION, (dir, card) -> engine().openSegmenter(dir, card), ZippedSegmenter::new);
	}

	/**
	 * Opens a classification package. The caller closes the returned classifier.
	 *
	 * @throws ModelFormatException when the card is invalid or the package is not a classification model
	 * @throws IOException when TensorFlow cannot load or the SavedModel is unreadable
	 */
	public static Classifier openClassifier(Path pkg) throws IOException {
		return open(pkg, ModelCard.CLASSIFICATION, (dir, card) -> engine().openClassifier(dir, card), ZippedClassifier::new);
	}

	/**
	 * Opens a segmentation package to run on {@code runtime}: {@link InferenceEngine#TENSORFLOW} as
	 * {@link #openSegmenter(Path)}, {@link InferenceEngine#ONNX} on its {@code weights/model.onnx} (see
	 * {@link org.medcnn.nn.onnx.OnnxWeights#read}); everything else (preprocessing, batching, tiling) is the same.
	 *
	 * @throws ModelFormatException also when the ONNX engine is asked for and the package has no ONNX weights, or they
	 *         are missing, damaged or refused; the message names the package and the file
	 */
	public static Segmenter openSegmenter(Path pkg, InferenceEngine runtime) throws IOException {
		return open(pkg, ModelCard.SEGMENTATION, (dir, card) -> engine().openSegmenter(dir, card, runtime),
			ZippedSegmenter::new);
	}

	/** Opens a classification package to run on {@code runtime}, as {@link #openSegmenter(Path, InferenceEngine)}. */
	public static Classifier openClassifier(Path pkg, InferenceEngine runtime) throws IOException {
		return open(pkg, ModelCard.CLASSIFICATION, (dir, card) -> engine().openClassifier(dir, card, runtime),
			ZippedClassifier::new);
	}

	/** Opens a model from a package folder. */
	@FunctionalInterface
	private interface Opener<T> {
		T open(Path dir, ModelCard card) throws IOException;
	}

	/**
	 * Opens a package folder or {@code .zip} after checking its card's task; a zip is unpacked to a temporary
	 * folder that {@code zipped} ties to the model's {@code close()} (and that is deleted at once on failure).
	 */
	private static <T> T open(Path pkg, String task, Opener<T> opener, java.util.function.BiFunction<T, Path, T> zipped)
		throws IOException {
		if (!isZip(pkg)) return opener.open(pkg, checked(pkg, cardFor(pkg, pkg, task)));
		Unzipped u = unzipPackage(pkg);
		try {
			return zipped.apply(opener.open(u.pkg(), checked(u.pkg(), cardFor(u.pkg(), pkg, task))), u.tmp());
		} catch (IOException | RuntimeException e) {
			deleteQuietly(u.tmp(), e);
			throw e;
		}
	}

	/**
	 * The card, once the package folder holds no link out of it ({@link PackageFiles#checkLinks}), nothing foreign at its
	 * root ({@link PackageFiles#checkEntries}) and files that agree with its integrity record
	 * ({@link PackageFiles#checkIntegrity}).
	 */
	private static ModelCard checked(Path dir, ModelCard card) throws IOException {
		PackageFiles.checkLinks(dir);
		PackageFiles.checkEntries(dir);
		PackageFiles.checkIntegrity(dir, card);
		return card;
	}

	/** The card of the package folder {@code dir} (named {@code pkg} in messages), refused unless its task is {@code task}. */
	private static ModelCard cardFor(Path dir, Path pkg, String task) throws ModelFormatException {
		ModelCard card = readCard(dir);
		if (!card.task().equals(task))
			throw new ModelFormatException(pkg, "task", "is \"" + card.task() + "\": a " + task + " model is needed here");
		return card;
	}

	/**
	 * Writes a package folder as a {@code .zip} (its files at the archive's root, as bioimage.io expects) through
	 * a temporary file and a rename; an existing file at {@code zipFile} is replaced.
	 *
	 * @return {@code zipFile}
	 * @throws ModelFormatException when {@code pkgDir} is no valid package
	 * @throws IOException when writing fails
	 */
	public static Path zip(Path pkgDir, Path zipFile) throws IOException {
		if (isZip(pkgDir)) throw new ModelFormatException(pkgDir, null, "is already a zip; give the package folder");
		readCard(pkgDir);
		return Zips.zipFolder(pkgDir, zipFile);
	}

	/** Whether the path names a zipped package: a regular file whose name ends with {@code .zip} (any case). */
	public static boolean isZip(Path pkg) {
		Path name = pkg.getFileName();
		return name != null && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip") && Files.isRegularFile(pkg);
	}

	/** Most bytes read for a card from inside a zip. */
	private static final int MAX_CARD_BYTES = 16 << 20;

	private static ModelCard readZippedCard(Path zip) throws ModelFormatException {
		try {
			Zips.checkNames(zip);
			try (ZipFile zf = new ZipFile(zip.toFile())) {
				ZipEntry card = null;
				List<String> candidates = new ArrayList<>();
				for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
					ZipEntry e = en.nextElement();
					String n = e.getName().replace('\\', '/');
					if (n.equals(ModelCard.FILE_NAME)) {
						card = e;
						break;
					}
					int slash = n.indexOf('/');
					if (slash > 0 && n.substring(slash + 1).equals(ModelCard.FILE_NAME)) {
						candidates.add(n);
						if (card == null) card = e;
					}
				}
				if (card == null || (!card.getName().equals(ModelCard.FILE_NAME) && candidates.size() > 1))
					throw new ModelFormatException(zip, null, card == null ? "has no " + ModelCard.FILE_NAME
						+ " at its root or in one top folder" : "holds several packages: " + candidates);
				try (InputStream in = zf.getInputStream(card)) {
					byte[] b = in.readNBytes(MAX_CARD_BYTES + 1);
					if (b.length > MAX_CARD_BYTES)
						throw new ModelFormatException(zip, null, ModelCard.FILE_NAME + " is larger than " + MAX_CARD_BYTES + " bytes");
					return ModelCard.parse(new String(b, StandardCharsets.UTF_8), zip);
				}
			}
		} catch (ModelFormatException e) {
			throw e;
		} catch (IOException e) {
			throw new ModelFormatException(zip, "cannot be read as a zipped package: " + e.getMessage(), e);
		}
	}

	/**
	 * Refuses a zipped package with an entry that is not part of a model package ({@link PackageFiles#ENTRIES}) beside
	 * its card, or outside the card's top folder, before anything is extracted.
	 */
	private static void checkZipEntries(Path zip) throws ModelFormatException {
		try (ZipFile zf = new ZipFile(zip.toFile())) {
			String prefix = null;
			for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
				String n = en.nextElement().getName().replace('\\', '/');
				if (n.equals(ModelCard.FILE_NAME)) {
					prefix = "";
					break;
				}
				if (n.endsWith("/" + ModelCard.FILE_NAME) && n.indexOf('/') == n.length() - ModelCard.FILE_NAME.length() - 1)
					prefix = n.substring(0, n.length() - ModelCard.FILE_NAME.length());
			}
			if (prefix == null) return; // readZippedCard has refused it
			for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
				String n = en.nextElement().getName().replace('\\', '/');
				if (!prefix.isEmpty() && (n.equals(prefix) || n.equals(prefix.substring(0, prefix.length() - 1)))) continue;
				String rest = n.startsWith(prefix) ? n.substring(prefix.length()) : null;
				String first = rest == null ? n : rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
				if (rest == null || !PackageFiles.ENTRIES.contains(first))
					throw new ModelFormatException(zip, null, PackageFiles.foreignReason(n));
			}
		} catch (ModelFormatException e) {
			throw e;
		} catch (IOException e) {
			throw new ModelFormatException(zip, "cannot be read as a zipped package: " + e.getMessage(), e);
		}
	}

	private record Unzipped(Path tmp, Path pkg) {}

	/** Extracts a zipped package into a new temporary folder and finds the folder holding its card. */
	private static Unzipped unzipPackage(Path zip) throws ModelFormatException {
		readZippedCard(zip); // cheap checks (names, card) before extracting anything
		checkZipEntries(zip);
		Path tmp;
		try {
			tmp = Zips.createTempFolder("medcnn-model-");
		} catch (IOException e) {
			throw new ModelFormatException(zip, "cannot create a temporary folder to unzip into: " + e.getMessage(), e);
		}
		try {
			Zips.unzip(zip, tmp);
			Path pkg = tmp;
			if (!Files.isRegularFile(tmp.resolve(ModelCard.FILE_NAME))) {
				try (var s = Files.list(tmp)) {
					pkg = s.filter(d -> Files.isRegularFile(d.resolve(ModelCard.FILE_NAME))).findFirst().orElse(tmp);
				}
			}
			return new Unzipped(tmp, pkg);
		} catch (IOException e) {
			deleteQuietly(tmp, e);
			throw new ModelFormatException(zip, "cannot be unzipped: " + e.getMessage(), e);
		}
	}

	/** Deletes a temporary folder after a failure, recording a deletion failure on the original exception. */
	private static void deleteQuietly(Path tmp, Exception failure) {
		try {
			Zips.deleteTree(tmp);
		} catch (IOException e) {
			failure.addSuppressed(e);
		}
	}

	/** Deletes a model's temporary folder on close; what cannot be deleted now is left for the JVM's exit. */
	private static void deleteOnClose(Path tmp) {
		try {
			Zips.deleteTree(tmp);
		} catch (IOException e) {
			// e.g. a file still mapped on Windows: retry at exit (deleteOnExit runs in reverse order of registration)
			try (var s = Files.walk(tmp)) {
				s.forEach(p -> p.toFile().deleteOnExit());
			} catch (IOException e2) {
				tmp.toFile().deleteOnExit();
			}
		}
	}

	/** A segmenter opened from a zip: closes the model, then deletes its temporary folder. */
	private static final class ZippedSegmenter implements Segmenter {
		private final Segmenter delegate;
		private final Path tmp;
		private final AtomicBoolean closed = new AtomicBoolean();

		ZippedSegmenter(Segmenter delegate, Path tmp) {
			this.delegate = delegate;
			this.tmp = tmp;
		}

		@Override
		public Segmentation segment(Volume v, ProgressListener p, Cancellation c) {
			return delegate.segment(v, p, c);
		}

		@Override
		public ModelCard card() {
			return delegate.card();
		}

		@Override
		public void close() {
			if (closed.compareAndSet(false, true)) {
				delegate.close();
				deleteOnClose(tmp);
			}
		}
	}

	/** A classifier opened from a zip: closes the model, then deletes its temporary folder. */
	private static final class ZippedClassifier implements Classifier {
		private final Classifier delegate;
		private final Path tmp;
		private final AtomicBoolean closed = new AtomicBoolean();

		ZippedClassifier(Classifier delegate, Path tmp) {
			this.delegate = delegate;
			this.tmp = tmp;
		}

		@Override
		public Classification classify(Volume image2d) {
			return delegate.classify(image2d);
		}

		@Override
		public float[] saliency(Volume image2d, int classIndex) {
			return delegate.saliency(image2d, classIndex);
		}

		@Override
		public float[] gradCam(Volume image2d, int classIndex) {
			return delegate.gradCam(image2d, classIndex);
		}

		@Override
		public ModelCard card() {
			return delegate.card();
		}

		@Override
		public void close() {
			if (closed.compareAndSet(false, true)) {
				delegate.close();
				deleteOnClose(tmp);
			}
		}
	}

	/**
	 * The device TensorFlow actually runs on ({@code CPU}, or {@code GPU} when any op of a probe graph was placed
	 * on a GPU), found by tracing a tiny computation.
	 */
	public static String device() throws IOException {
		return engine().device();
	}

	/** e.g. {@code TensorFlow 2.18.0 (TensorFlow Java 1.1.0)}. */
	public static String runtimeVersion() throws IOException {
		return engine().version();
	}

	/** The engine, loaded on first use in its own class loader (see {@link EngineLoader}). */
	static synchronized Engine engine() throws IOException {
		if (engine == null) {
			try {
				engine = EngineLoader.load(ENGINE_CLASS);
			} catch (LinkageError e) { // UnsatisfiedLinkError, NoClassDefFoundError from the native library
				throw new IOException("TensorFlow could not be loaded (" + e + "); MedCNN needs TensorFlow Java 1.1.0"
					+ " with its native library for this platform on Java 11 or newer", e);
			} catch (ReflectiveOperationException e) {
				Throwable cause = e.getCause() != null ? e.getCause() : e;
				throw new IOException("The TensorFlow engine could not start: " + cause, cause);
			}
		}
		return engine;
	}
}
