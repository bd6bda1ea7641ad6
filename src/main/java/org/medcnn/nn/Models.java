package org.medcnn.nn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens model packages (DESIGN.md "Model package": a folder with {@code medcnn.json} and {@code saved_model/})
 * and reports on the TensorFlow runtime. Thread-safe.
 * <p>
 * The TensorFlow engine is loaded on first use; when its native library cannot load, the methods throw an
 * {@link IOException} saying so (before any heavy work).
 */
public final class Models {

	/** MedCNN version recorded in model cards. */
	public static final String MEDCNN_VERSION = "0.1.0";
	/** Folder of the TensorFlow SavedModel inside a package. */
	public static final String SAVED_MODEL_DIR = "saved_model";

	private static final String ENGINE_CLASS = "org.medcnn.nn.tf.TfEngine";
	private static Engine engine;

	private Models() {}

	/**
	 * Reads and validates a package's card.
	 *
	 * @throws ModelFormatException when the package or its card is missing or malformed, or of another format
	 *         version; the message names the package and the field
	 */
	public static ModelCard readCard(Path pkg) throws ModelFormatException {
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
		ModelCard card = readCard(pkg);
		if (!card.isSegmentation())
			throw new ModelFormatException(pkg, "task", "is \"" + card.task() + "\": a segmentation model is needed here");
		return engine().openSegmenter(pkg, card);
	}

	/**
	 * Opens a classification package. The caller closes the returned classifier.
	 *
	 * @throws ModelFormatException when the card is invalid or the package is not a classification model
	 * @throws IOException when TensorFlow cannot load or the SavedModel is unreadable
	 */
	public static Classifier openClassifier(Path pkg) throws IOException {
		ModelCard card = readCard(pkg);
		if (!card.isClassification())
			throw new ModelFormatException(pkg, "task", "is \"" + card.task() + "\": a classification model is needed here");
		return engine().openClassifier(pkg, card);
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

	/** The engine, loaded on first use. */
	static synchronized Engine engine() throws IOException {
		if (engine == null) {
			try {
				engine = (Engine) Class.forName(ENGINE_CLASS).getConstructor().newInstance();
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
