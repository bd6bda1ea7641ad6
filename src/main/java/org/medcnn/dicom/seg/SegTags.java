package org.medcnn.dicom.seg;

/**
 * Tags of the Segmentation IOD (PS3.3 A.51) and the modules it shares with other enhanced multi-frame IODs
 * that {@link org.medcnn.dicom.Tag} does not hold, as {@code (group << 16) | element} (PS3.6).
 */
final class SegTags {

	private SegTags() {}

	static final int CodeValue = 0x00080100;
	static final int CodingSchemeDesignator = 0x00080102;
	static final int CodeMeaning = 0x00080104;
	static final int ReferencedInstanceSequence = 0x0008114A;
	static final int ReferencedFrameNumber = 0x00081160;
	static final int SourceImageSequence = 0x00082112;
	static final int DerivationImageSequence = 0x00089124;
	static final int DerivationCodeSequence = 0x00089215;
	static final int IssuerOfPatientID = 0x00100021;
	static final int FrameContentSequence = 0x00209111;
	static final int DimensionIndexValues = 0x00209157;
	static final int DimensionOrganizationUID = 0x00209164;
	static final int DimensionIndexPointer = 0x00209165;
	static final int FunctionalGroupPointer = 0x00209167;
	static final int DimensionOrganizationSequence = 0x00209221;
	static final int DimensionIndexSequence = 0x00209222;
	static final int DimensionOrganizationType = 0x00209311;
	static final int DimensionDescriptionLabel = 0x00209421;
	static final int PurposeOfReferenceCodeSequence = 0x0040A170;
	static final int SegmentationType = 0x00620001;
	static final int SegmentSequence = 0x00620002;
	static final int SegmentedPropertyCategoryCodeSequence = 0x00620003;
	static final int SegmentNumber = 0x00620004;
	static final int SegmentLabel = 0x00620005;
	static final int SegmentAlgorithmType = 0x00620008;
	static final int SegmentAlgorithmName = 0x00620009;
	static final int SegmentIdentificationSequence = 0x0062000A;
	static final int ReferencedSegmentNumber = 0x0062000B;
	static final int RecommendedDisplayCIELabValue = 0x0062000D;
	static final int MaximumFractionalValue = 0x0062000E;
	static final int SegmentedPropertyTypeCodeSequence = 0x0062000F;
	static final int SegmentationFractionalType = 0x00620010;
	static final int SegmentsOverlap = 0x00620013;
	static final int ContentLabel = 0x00700080;
	static final int ContentDescription = 0x00700081;
	static final int ContentCreatorName = 0x00700084;
}
