package org.medcnn.dicom.rt;

import java.util.Set;

/**
 * What a written RT Structure Set says about itself and its ROIs.
 *
 * @param roiName ROIName (LO) of a mask with one label, e.g. "Lesion"; with several labels each ROI is called
 *        "{roiName} {label}"
 * @param interpretedType RTROIInterpretedType (CS, PS3.3 C.8.8.8.1), e.g. "GTV" for a tumour the model delineated on
 *        the image, "ORGAN" for a normal organ
 * @param algorithmName ROIGenerationDescription (LO), e.g. "MedCNN liver-unet"
 * @param structureSetLabel StructureSetLabel (SH, at most 16 characters)
 * @param seriesDescription SeriesDescription (LO) of the new RTSTRUCT series
 * @param seriesNumber SeriesNumber of the new series (0 … 2147483647)
 * @param softwareVersions SoftwareVersions (LO), e.g. "MedCNN 0.1.0"
 */
public record RtStructOptions(String roiName, String interpretedType, String algorithmName, String structureSetLabel,
	String seriesDescription, int seriesNumber, String softwareVersions) {

	/** The defined terms of RTROIInterpretedType (PS3.3 C.8.8.8.1). */
	public static final Set<String> INTERPRETED_TYPES = Set.of("EXTERNAL", "PTV", "CTV", "GTV", "TREATED_VOLUME",
		"IRRAD_VOLUME", "OAR", "BOLUS", "AVOIDANCE", "ORGAN", "MARKER", "REGISTRATION", "ISOCENTER", "CONTRAST_AGENT",
		"CAVITY", "BRACHY_CHANNEL", "BRACHY_ACCESSORY", "BRACHY_SRC_APP", "BRACHY_CHNL_SHLD", "SUPPORT", "FIXATION",
		"DOSE_REGION", "CONTROL", "DOSE_MEASUREMENT");

	public RtStructOptions {
		check("roiName", roiName, 64, false);
		check("algorithmName", algorithmName, 64, true);
		check("structureSetLabel", structureSetLabel, 16, false);
		check("seriesDescription", seriesDescription, 64, true);
		check("softwareVersions", softwareVersions, 64, true);
		if (interpretedType == null || !INTERPRETED_TYPES.contains(interpretedType))
			throw new IllegalArgumentException("interpretedType must be one of " + INTERPRETED_TYPES + ", was '"
				+ interpretedType + "'");
		if (seriesNumber < 0) throw new IllegalArgumentException("seriesNumber must be >= 0, was " + seriesNumber);
	}

	/**
	 * Options for a model's output: ROI "Lesion" of type GTV (a segmenter delineates the visible tumour, which is
	 * what PS3.3 C.8.8.8.1 calls the Gross Tumor Volume; CTV and PTV add clinical margins a model does not know),
	 * label "MEDCNN", series description "MedCNN structures", series number 9902.
	 *
	 * @param modelName the model's name (shortened to fit LO)
	 * @param softwareVersion MedCNN's version
	 */
	public static RtStructOptions forModel(String modelName, String softwareVersion) {
		String algorithm = "MedCNN" + (modelName == null || modelName.isBlank() ? "" : " " + modelName.trim());
		return new RtStructOptions("Lesion", "GTV", fit(algorithm), "MEDCNN", "MedCNN structures", 9902,
			fit("MedCNN " + (softwareVersion == null ? "" : softwareVersion).trim()));
	}

	/** The same options with another ROI name and interpreted type. */
	public RtStructOptions withRoi(String name, String type) {
		return new RtStructOptions(name, type, algorithmName, structureSetLabel, seriesDescription, seriesNumber,
			softwareVersions);
	}

	private static String fit(String s) {
		String t = s.replace('\\', '/').replaceAll("\\p{Cntrl}", " ");
		return t.length() <= 64 ? t : t.substring(0, 64);
	}

	private static void check(String name, String value, int max, boolean mayBeEmpty) {
		if (value == null) throw new IllegalArgumentException(name + " must not be null");
		if (!mayBeEmpty && value.isBlank()) throw new IllegalArgumentException(name + " must not be empty");
		if (value.length() > max)
			throw new IllegalArgumentException(name + " has " + value.length() + " characters; at most " + max + " are allowed");
		if (value.indexOf('\\') >= 0 || value.chars().anyMatch(Character::isISOControl))
			throw new IllegalArgumentException(name + " must not contain a backslash or control characters: '" + value + "'");
	}
}
