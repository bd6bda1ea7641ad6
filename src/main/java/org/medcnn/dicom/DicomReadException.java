package org.medcnn.dicom;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A DICOM file could not be read: it is truncated, malformed, not DICOM at all, or uses an encoding MedCNN
 * cannot decode yet. The message always names the file, the tag (when one is involved) and the reason, so a
 * user can tell which of many files failed and why.
 */
public class DicomReadException extends IOException {

	private static final long serialVersionUID = 1L;

	private final transient Path file;
	private final int tag;
	private final String reason;

	/**
	 * @param file the file being read (may be null for in-memory data)
	 * @param tag the tag being read when the problem was found, or -1 when no tag is involved
	 * @param reason what is wrong, and where (offsets, lengths)
	 */
	public DicomReadException(Path file, int tag, String reason) {
		super(format(file, tag, reason));
		this.file = file;
		this.tag = tag;
		this.reason = reason;
	}

	/** The same, keeping the underlying cause (an I/O or inflater error). */
	public DicomReadException(Path file, int tag, String reason, Throwable cause) {
		this(file, tag, reason);
		initCause(cause);
	}

	/** The file being read, or null for in-memory data. */
	public Path file() {
		return file;
	}

	/** The tag involved, or -1. */
	public int tag() {
		return tag;
	}

	/** The reason alone, without file and tag. */
	public String reason() {
		return reason;
	}

	private static String format(Path file, int tag, String reason) {
		StringBuilder sb = new StringBuilder();
		sb.append(file == null ? "(in-memory data)" : file.toString()).append(": ");
		if (tag != -1) {
			sb.append(Tag.toString(tag));
			String name = DicomTags.keyword(tag);
			if (name != null) sb.append(' ').append(name);
			sb.append(": ");
		}
		return sb.append(reason).toString();
	}
}
