package org.medcnn.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An image file (PNG, TIFF, JPEG, BMP, or an IDX array of images) that cannot be read: truncated, damaged, of an unsupported kind, or declaring
 * a size that cannot be true or cannot fit in memory. The message names the file, the part of it at fault (a TIFF
 * tag, a PNG chunk, a page) and why, e.g. {@code scan.tif: page 3, StripByteCounts (279): strip 0 runs past the end
 * of the file (…): truncated}.
 */
public class ImageFileException extends IOException {

	private static final long serialVersionUID = 1L;

	private final transient Path file;
	private final String field;

	/**
	 * @param file the file
	 * @param field the part at fault (e.g. {@code "IHDR"}, {@code "page 2, ImageWidth (256)"}), or null for the
	 *        whole file
	 * @param reason what is wrong
	 */
	public ImageFileException(Path file, String field, String reason) {
		this(file, field, reason, null);
	}

	public ImageFileException(Path file, String field, String reason, Throwable cause) {
		super(file + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + reason, cause);
		this.file = file;
		this.field = field;
	}

	/** The file that could not be read. */
	public Path file() {
		return file;
	}

	/** The part of the file at fault, or null. */
	public String field() {
		return field;
	}
}
