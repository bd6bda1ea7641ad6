package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.medcnn.common.Json;
import org.medcnn.common.OutputGate;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.PackageFiles;
import org.medcnn.nn.Zips;

/**
 * Writes a model package atomically: everything goes to a hidden temporary sibling folder that is renamed to
 * the final path at the end. The card is written last once more with its {@code integrity} record (the SHA-256 of
 * every SavedModel file, of the ONNX weights and of the test tensors, see {@link PackageFiles#integrityRecord}). An
 * existing package at the final path is replaced; any other existing file or non-empty folder there is refused.
 */
final class PackageWriter {

	interface SavedModelWriter {
		void write(Path savedModelDir) throws IOException;
	}

	/** Writes further files into the package folder, after the SavedModel and the card. */
	interface ExtrasWriter {
		void write(Path packageDir) throws IOException;
	}

	private PackageWriter() {}

	static Path write(Path pkg, Map<String, Object> card, SavedModelWriter model) throws IOException {
		return write(pkg, card, model, dir -> {});
	}

	static Path write(Path pkg, Map<String, Object> card, SavedModelWriter model, ExtrasWriter extras) throws IOException {
		Path target = pkg.toAbsolutePath().normalize();
		Path parent = target.getParent();
		if (parent == null) throw new IOException("Cannot write a model package at " + pkg + ": no parent folder");
		checkReplaceable(target);
		Files.createDirectories(parent);
		Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp");
		// temporary folders are private (rwx------); a package is meant to be shared like any other folder
		if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
			Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
		try {
			Path sm = tmp.resolve(Models.SAVED_MODEL_DIR);
			Files.createDirectories(sm);
			model.write(sm);
			Files.writeString(tmp.resolve(ModelCard.FILE_NAME), Json.writePretty(card) + "\n", StandardCharsets.UTF_8);
			extras.write(tmp);
			// the card ends with the SHA-256 of the weights and test tensors, checked whenever the package is opened
			card.put("integrity", PackageFiles.integrityRecord(tmp));
			Files.writeString(tmp.resolve(ModelCard.FILE_NAME), Json.writePretty(card) + "\n", StandardCharsets.UTF_8);
			OutputGate.check(target); // the last moment before the package appears
			Path old = null;
			if (Files.exists(target)) {
				old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old");
				Files.delete(old);
				move(target, old);
			}
			move(tmp, target);
			tmp = null;
			if (old != null) Zips.deleteTree(old);
			return pkg;
		} finally {
			if (tmp != null) Zips.deleteTree(tmp);
		}
	}

	/** {@link PackageFiles#whyNotWritable}, the check training ran before it began, run again before writing. */
	private static void checkReplaceable(Path target) throws IOException {
		String why = PackageFiles.whyNotWritable(target, true);
		if (why != null) throw new IOException("Cannot write a model package: " + why);
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(from, to);
		}
	}

}
