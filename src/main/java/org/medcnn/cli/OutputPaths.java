package org.medcnn.cli;

import java.io.IOException;
import org.medcnn.common.IoMessages;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Checks output paths given on the command line before any work starts, and says what is wrong with a path in
 * words: Java's file-system exceptions carry only the path ("/data/out"), which leaves a user guessing whether it
 * exists, is a file, or is not writable.
 * <p>
 * Commands call {@link #folder} for an output folder ({@code predict --out DIR}, {@code demo --out DIR}) first thing
 * (model packages to write are checked by {@code Trainings.checkTarget}), so that a wrong {@code --out} fails at
 * once; {@link #describe} turns any {@link IOException} into a message that names the file and the reason. Stateless.
 */
final class OutputPaths {

	/** The file name of the model card that marks a folder as a model package (ModelCard.FILE_NAME). */
	private static final String CARD = "medcnn.json";

	private OutputPaths() {}

	/**
	 * Prepares an output folder: creates it (and its parents) when missing.
	 *
	 * @param command the command, for the message ("predict")
	 * @param option the option that named it ("--out")
	 * @return {@code dir}
	 * @throws Cli.UsageException when {@code dir} (or one of its parents) is a file, naming the option, the path
	 *         and what to give instead
	 * @throws IOException when the folder cannot be created or is not writable, naming the path and the reason
	 */
	static Path folder(String command, String option, Path dir) throws Cli.UsageException, IOException {
		Path file = fileInTheWay(dir);
		if (file != null)
			throw new Cli.UsageException(command + ": " + option + " " + dir + ": " + (file.equals(dir) ? "is a file"
				: file + " is a file") + ", not a folder; give a folder for the outputs (it is created when missing)");
		try {
			Files.createDirectories(dir);
		} catch (IOException e) {
			throw new IOException(option + " " + dir + ": cannot create the folder: " + describe(e), e);
		}
		if (!Files.isWritable(dir))
			throw new IOException(option + " " + dir + ": the folder is not writable (permission denied); give a folder "
				+ "you can write to");
		return dir;
	}

	/** The path itself or the nearest parent that exists as something other than a folder, or null. */
	private static Path fileInTheWay(Path dir) {
		for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
			if (Files.isDirectory(p)) return null;
			if (Files.exists(p)) return p.equals(dir.toAbsolutePath().normalize()) ? dir : p;
		}
		return null;
	}

	/**
	 * An {@link IOException}'s message with the reason in words: Java's file-system exceptions say only the path
	 * ("/data/out") or the path and a terse reason; this gives "/data/out: exists and is not a folder".
	 */
	static String describe(Exception e) {
		if (e instanceof InvalidPathException ip)
			return ip.getReason() != null && (ip.getReason().contains("unmappable") || ip.getReason().contains("Malformed"))
				? Relauncher.encodingAdvice(ip.getInput()) : "the path '" + ip.getInput() + "' is not valid: " + ip.getReason();
		return IoMessages.describe(e);
	}
}
