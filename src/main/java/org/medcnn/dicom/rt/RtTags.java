package org.medcnn.dicom.rt;

/**
 * Tags of the RT Structure Set IOD (PS3.3 A.19) that {@link org.medcnn.dicom.Tag} does not hold, as
 * {@code (group << 16) | element} (PS3.6).
 */
final class RtTags {

	private RtTags() {}

	static final int ReferencedFrameNumber = 0x00081160;
	static final int IssuerOfPatientID = 0x00100021;
	static final int StructureSetLabel = 0x30060002;
	static final int StructureSetName = 0x30060004;
	static final int StructureSetDate = 0x30060008;
	static final int StructureSetTime = 0x30060009;
	static final int ReferencedFrameOfReferenceSequence = 0x30060010;
	static final int RTReferencedStudySequence = 0x30060012;
	static final int RTReferencedSeriesSequence = 0x30060014;
	static final int ContourImageSequence = 0x30060016;
	static final int StructureSetROISequence = 0x30060020;
	static final int ROINumber = 0x30060022;
	static final int ReferencedFrameOfReferenceUID = 0x30060024;
	static final int ROIName = 0x30060026;
	static final int ROIDisplayColor = 0x3006002A;
	static final int ROIGenerationAlgorithm = 0x30060036;
	static final int ROIGenerationDescription = 0x30060038;
	static final int ROIContourSequence = 0x30060039;
	static final int ContourSequence = 0x30060040;
	static final int ContourGeometricType = 0x30060042;
	static final int NumberOfContourPoints = 0x30060046;
	static final int ContourNumber = 0x30060048;
	static final int ContourData = 0x30060050;
	static final int RTROIObservationsSequence = 0x30060080;
	static final int ObservationNumber = 0x30060082;
	static final int ReferencedROINumber = 0x30060084;
	static final int RTROIInterpretedType = 0x300600A4;
	static final int ROIInterpreter = 0x300600A6;
}
