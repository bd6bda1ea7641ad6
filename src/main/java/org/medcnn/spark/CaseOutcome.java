package org.medcnn.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What one task did with its case.
 *
 * @param name the case
 * @param status {@link #DONE} (computed in this run), {@link #SKIPPED} (finished in an earlier run, see
 *        {@code CaseMarker}) or {@link #FAILED}
 * @param reason why it failed (names the file and what is wrong), else null
 * @param lesions its lesion table (empty when it failed)
 * @param seconds the task's wall time
 */
record CaseOutcome(String name, String status, String reason, List<LesionRow> lesions, double seconds) implements Serializable {

	static final String DONE = "done";
	static final String SKIPPED = "skipped";
	static final String FAILED = "failed";

	CaseOutcome {
		lesions = List.copyOf(lesions);
	}

	static CaseOutcome failed(String name, String reason, double seconds) {
		return new CaseOutcome(name, FAILED, reason, List.of(), seconds);
	}
}
