package org.medcnn.volume;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A NIfTI-1 file that cannot be read: its message names the file, the header field or data part at fault,
 * and what is wrong with it.
 */
public class NiftiFormatException extends IOException {

	private static final long serialVersionUID = 1L;

	private final transient Path file;
	private final String field;

	public NiftiFormatException(Path file, String field, String reason) {
		super(file + ": NIfTI field " + field + ": " + reason);
		this.file = file;
		this.field = field;
	}

	/** The file that could not be read. */
	public Path file() {
		return file;
	}

	/** The header field (e.g. "dim", "datatype") or data part ("voxel data") at fault. */
	public String field() {
		return field;
	}
}
