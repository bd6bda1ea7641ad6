package org.medcnn.nn.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medcnn.common.AtomicFiles;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;

/**
 * A package's ONNX weights, {@value #FILE}: the same network as the SavedModel (same input {@code input} and output
 * {@code output} tensors, same channels-last layout), written by MedCNN from its own layers ({@link OnnxGraph}) and
 * the trained weights. The card's {@value #CARD_FIELD} record names the file, its SHA-256, opset and IR version; the
 * card's {@code integrity} record covers the file as well.
 * <p>
 * {@link #read} is the check before ONNX Runtime gets the bytes: the card must have the record (older packages have
 * none and run on TensorFlow only), the file must be present, a regular file inside the package, of the recorded
 * SHA-256, and pass {@link OnnxPolicy}. The bytes checked are the bytes returned, so the file cannot change between
 * check and use. Stateless and thread-safe.
 */
public final class OnnxWeights {

	/** The folder and the file, relative to the package. */
	public static final String DIR = "weights", FILE = DIR + "/model.onnx";
	/** The card's field describing the ONNX weights. */
	public static final String CARD_FIELD = "onnx";
	/** The largest ONNX file read (MedCNN's largest networks are a few tens of MB). */
	public static final long MAX_BYTES = 1L << 30;

	private OnnxWeights() {}

	/**
	 * Writes the model into {@code pkgDir/}{@value #FILE} (through a temporary file and a rename) after checking it
	 * with {@link OnnxPolicy}, and returns the card's {@value #CARD_FIELD} record.
	 *
	 * @param layout the tensors' layout, e.g. {@code NHWC}
	 */
	public static Map<String, Object> write(Path pkgDir, byte[] model, String layout) throws IOException {
		OnnxPolicy.Summary s = OnnxPolicy.check(model);
		AtomicFiles.write(pkgDir.resolve(FILE), model);
		Map<String, Object> rec = new LinkedHashMap<>();
		rec.put("file", FILE);
		rec.put("sha256", sha256(model));
		rec.put("opsetVersion", s.opset());
		rec.put("irVersion", s.irVersion());
		rec.put("input", OnnxPolicy.INPUT);
		rec.put("output", OnnxPolicy.OUTPUT);
		rec.put("layout", layout + ", as the SavedModel's serving signature; inputs normalised as the card's input record"
			+ " says");
		rec.put("operators", s.operators().stream().toList());
		rec.put("producer", OnnxGraph.PRODUCER);
		return rec;
	}

	/** Whether the card records ONNX weights (packages written before MedCNN exported them do not). */
	public static boolean recorded(ModelCard card) {
		return card.json().get(CARD_FIELD) instanceof Map<?, ?>;
	}

	/**
	 * The package's checked ONNX model bytes.
	 *
	 * @param pkg the package folder (named in messages)
	 * @throws ModelFormatException naming the package and {@value #FILE} (or the card field) when the card has no
	 *         ONNX record, the file is missing, not a regular file inside the package, too large, of another SHA-256
	 *         than the card records, not a valid ONNX model, or holds an operator or feature MedCNN never writes
	 */
	public static byte[] read(Path pkg, ModelCard card) throws IOException {
		if (!(card.json().get(CARD_FIELD) instanceof Map<?, ?> rec))
			throw new ModelFormatException(pkg, CARD_FIELD, "is missing: the package has no ONNX weights (" + FILE + "); it"
				+ " was written before MedCNN exported ONNX, so run it with the TensorFlow engine (--engine tensorflow)");
		if (!FILE.equals(rec.get("file")))
			throw new ModelFormatException(pkg, CARD_FIELD + ".file", "is " + rec.get("file") + ", must be " + FILE);
		if (!(rec.get("sha256") instanceof String expected) || !expected.matches("[0-9a-f]{64}"))
			throw new ModelFormatException(pkg, CARD_FIELD + ".sha256", "must be the 64 hex digits of the SHA-256 of " + FILE
				+ ", is " + rec.get("sha256"));
		Path f = pkg.resolve(FILE);
		if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
			throw new ModelFormatException(pkg, null, "lacks " + FILE + ", the ONNX weights its card records");
		if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
			throw new ModelFormatException(pkg, null, "has a " + FILE + " that is not a regular file (a link or a folder)");
		if (!f.toRealPath().startsWith(pkg.toRealPath()))
			throw new ModelFormatException(pkg, null, "has a " + FILE + " that leads outside the package");
		long size = Files.size(f);
		if (size > MAX_BYTES)
			throw new ModelFormatException(pkg, null, FILE + " has " + size + " bytes, more than the " + MAX_BYTES + " allowed");
		byte[] model = Files.readAllBytes(f);
		String actual = sha256(model);
		if (!actual.equals(expected))
			throw new ModelFormatException(pkg, null, FILE + " is damaged or was changed: its SHA-256 is " + actual
				+ ", the card records " + expected);
		try {
			OnnxPolicy.check(model);
		} catch (IllegalArgumentException e) {
			throw new ModelFormatException(pkg, null, FILE + " is refused: it " + e.getMessage());
		}
		return model;
	}

	static String sha256(byte[] b) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
		}
	}
}
