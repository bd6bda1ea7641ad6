package org.medcnn.nn;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a fine-tuning run starts: the package whose weights the new network starts from, and the lineage record the
 * new package's card keeps under {@code lineage} (the parent's name and hashes, the preprocessing decision, the cases).
 * The parent is only read. Immutable.
 *
 * @param dir the parent package folder (not a zip)
 * @param lineage the card's {@code lineage} object, written as given
 */
public record ParentPackage(Path dir, Map<String, Object> lineage) {

	public ParentPackage {
		if (dir == null) throw new IllegalArgumentException("the parent package is missing");
		lineage = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(lineage));
	}
}
