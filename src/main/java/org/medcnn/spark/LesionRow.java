package org.medcnn.spark;

import java.io.Serializable;
import java.util.Map;

import org.medcnn.common.Json;

/**
 * One row of the run's lesion table: a lesion of a case as {@code predict} measures it (see
 * {@code CaseSegmentation.lesionsJson}), with its risk class when a lesion classifier graded it.
 *
 * @param caseName the case
 * @param lesion the lesion number in its case (1 = the largest)
 * @param volumeMl volume, mL
 * @param meanHu mean intensity (HU for CT)
 * @param maxHu maximum intensity
 * @param diameterMm longest axial diameter, mm
 * @param risk the classifier's class, or null without a classifier
 * @param riskProbability its probability, or null
 */
record LesionRow(String caseName, int lesion, double volumeMl, double meanHu, double maxHu, double diameterMm, String risk,
	Double riskProbability) implements Serializable {

	/** The column names, in order (CSV header and Parquet schema). */
	static final String[] COLUMNS = {"case", "lesion", "volumeMl", "meanHu", "maxHu", "longestAxialDiameterMm", "risk",
		"riskProbability"};

	/** A row from one object of a case's lesion JSON (as the completion marker holds it). */
	static LesionRow of(String caseName, Object lesionJson) {
		Map<String, Object> m = Json.asObject(lesionJson, caseName + " lesion");
		return new LesionRow(caseName, (int) Json.asDouble(m.get("id"), "id"), number(m.get("volumeMl")),
			number(m.get("meanHu")), number(m.get("maxHu")), number(m.get("longestAxialDiameterMm")),
			m.get("risk") == null ? null : String.valueOf(m.get("risk")),
			m.get("riskProbability") instanceof Number n ? n.doubleValue() : null);
	}

	/** A measurement, NaN where the JSON holds none (a NaN is written as null). */
	private static double number(Object o) {
		return o instanceof Number n ? n.doubleValue() : Double.NaN;
	}
}
