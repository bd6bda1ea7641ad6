package org.medcnn.nn;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model package cannot be used: it is missing, malformed, of another format version or of the wrong task.
 * The message names the package and the field at fault.
 */
public class ModelFormatException extends IOException {

	private static final long serialVersionUID = 1L;

	public ModelFormatException(Path pkg, String field, String reason) {
		super("Model package " + pkg + ": " + (field == null ? "" : "field '" + field + "' ") + reason);
	}

	public ModelFormatException(Path pkg, String reason, Throwable cause) {
		super("Model package " + pkg + ": " + reason, cause);
	}
}
