package org.medcnn.dicom.seg;

import java.util.Locale;

/**
 * What a written DICOM Segmentation says about itself and its segments.
 *
 * @param segmentLabel SegmentLabel (LO) of a mask with one label, e.g. "Lesion"; with several labels each
 *        segment is called "{segmentLabel} {label}"
 * @param algorithmName SegmentAlgorithmName (LO), e.g. "MedCNN liver-unet"
 * @param contentLabel ContentLabel (CS: upper-case letters, digits, space, underscore; at most 16 characters)
 * @param contentCreatorName ContentCreatorName (PN), "" when unknown
 * @param seriesDescription SeriesDescription (LO) of the new SEG series
 * @param seriesNumber SeriesNumber of the new SEG series (0 … 2147483647)
 * @param softwareVersions SoftwareVersions (LO), e.g. "MedCNN 0.1.0"
 */
public record SegOptions(String segmentLabel, String algorithmName, String contentLabel, String contentCreatorName,
	String seriesDescription, int seriesNumber, String softwareVersions) {

	public SegOptions {
		checkLo("segmentLabel", segmentLabel, false);
		checkLo("algorithmName", algorithmName, false);
		checkLo("contentCreatorName", contentCreatorName, true);
		checkLo("seriesDescription", seriesDescription, true);
		checkLo("softwareVersions", softwareVersions, false);
		if (contentLabel == null || !contentLabel.matches("[A-Z0-9 _]{1,16}"))
			throw new IllegalArgumentException("contentLabel must be 1-16 characters A-Z, 0-9, space or underscore, was '"
				+ contentLabel + "'");
		if (seriesNumber < 0) throw new IllegalArgumentException("seriesNumber must be >= 0, was " + seriesNumber);
	}

	/**
	 * Options for a model's output: segment "Lesion", algorithm "MedCNN {modelName}", content label "MEDCNN",
	 * no creator name, series description "MedCNN segmentation", series number 9901.
	 *
	 * @param modelName the model's name (shortened to fit LO)
	 * @param softwareVersion MedCNN's version
	 */
	public static SegOptions forModel(String modelName, String softwareVersion) {
		String algorithm = "MedCNN" + (modelName == null || modelName.isBlank() ? "" : " " + modelName.trim());
		return new SegOptions("Lesion", fit(algorithm), "MEDCNN", "", "MedCNN segmentation", 9901,
			fit("MedCNN " + (softwareVersion == null ? "" : softwareVersion).trim()));
	}

	/** The same options with another content label, upper-cased and cut to what CS allows. */
	public SegOptions withContentLabel(String label) {
		String l = label.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9 _]", "_");
		return new SegOptions(segmentLabel, algorithmName, l.substring(0, Math.min(16, l.length())), contentCreatorName,
			seriesDescription, seriesNumber, softwareVersions);
	}

	private static String fit(String s) {
		String t = s.replace('\\', '/').replaceAll("\\p{Cntrl}", " ");
		return t.length() <= 64 ? t : t.substring(0, 64);
	}

	private static void checkLo(String name, String value, boolean mayBeEmpty) {
		if (value == null) throw new IllegalArgumentException(name + " must not be null");
		if (!mayBeEmpty && value.isBlank()) throw new IllegalArgumentException(name + " must not be empty");
		if (value.length() > 64)
			throw new IllegalArgumentException(name + " has " + value.length() + " characters; at most 64 are allowed");
		if (value.indexOf('\\') >= 0 || value.chars().anyMatch(Character::isISOControl))
			throw new IllegalArgumentException(name + " must not contain a backslash or control characters: '" + value + "'");
	}
}
