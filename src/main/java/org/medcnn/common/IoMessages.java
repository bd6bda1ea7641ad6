package org.medcnn.common;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An exception's message with the reason in words: Java's file-system exceptions say only the path ("/data/out") or
 * the path and a terse reason; {@link #describe} gives "/data/out: exists and is not a folder". Stateless.
 */
public final class IoMessages {

	private IoMessages() {}

	/** The message of {@code e}, with the file and the reason in words for a {@link FileSystemException}. */
	public static String describe(Exception e) {
		if (!(e instanceof FileSystemException fs)) return e.getMessage();
		String reason;
		if (e instanceof FileAlreadyExistsException) reason = "is in the way: it exists and is a file, not a folder, "
			+ "or was not expected to exist";
		else if (e instanceof NoSuchFileException) reason = "no such file or folder";
		else if (e instanceof AccessDeniedException) reason = "permission denied";
		else if (e instanceof NotDirectoryException) reason = "is not a folder";
		else if (e instanceof DirectoryNotEmptyException) reason = "the folder is not empty";
		else reason = fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
		if (fs.getReason() != null && !reason.equals(fs.getReason()) && !(e instanceof NoSuchFileException
			&& fs.getReason().equals("no such file or folder")))
			reason += " (" + fs.getReason() + ")";
		String file = fs.getFile() == null ? "" : fs.getFile() + ": ";
		String other = fs.getOtherFile() == null ? "" : " (with " + fs.getOtherFile() + ")";
		return file + reason + other;
	}
}
