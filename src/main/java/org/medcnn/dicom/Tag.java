package org.medcnn.dicom;

/**
 * DICOM attribute tags used by MedCNN, as {@code (group << 16) | element} (PS3.6 data dictionary).
 * Tags are constants, never strings. Append new tags here in tag order within their group.
 */
public final class Tag {

	private Tag() {}

	// File Meta Information (group 0002), PS3.10 §7.1
	public static final int FileMetaInformationGroupLength = 0x00020000;
	public static final int FileMetaInformationVersion = 0x00020001;
	public static final int MediaStorageSOPClassUID = 0x00020002;
	public static final int MediaStorageSOPInstanceUID = 0x00020003;
	public static final int TransferSyntaxUID = 0x00020010;
	public static final int ImplementationClassUID = 0x00020012;
	public static final int ImplementationVersionName = 0x00020013;

	// Media Storage Directory (group 0004), PS3.3 §F.3
	public static final int DirectoryRecordSequence = 0x00041220;
	public static final int OffsetOfTheNextDirectoryRecord = 0x00041400;
	public static final int OffsetOfReferencedLowerLevelDirectoryEntity = 0x00041420;
	public static final int DirectoryRecordType = 0x00041430;
	public static final int ReferencedFileID = 0x00041500;
	public static final int ReferencedSOPClassUIDInFile = 0x00041510;
	public static final int ReferencedSOPInstanceUIDInFile = 0x00041511;

	// Group 0008
	public static final int SpecificCharacterSet = 0x00080005;
	public static final int ImageType = 0x00080008;
	public static final int InstanceCreationDate = 0x00080012;
	public static final int InstanceCreationTime = 0x00080013;
	public static final int SOPClassUID = 0x00080016;
	public static final int SOPInstanceUID = 0x00080018;
	public static final int StudyDate = 0x00080020;
	public static final int SeriesDate = 0x00080021;
	public static final int ContentDate = 0x00080023;
	public static final int StudyTime = 0x00080030;
	public static final int SeriesTime = 0x00080031;
	public static final int ContentTime = 0x00080033;
	public static final int AccessionNumber = 0x00080050;
	public static final int Modality = 0x00080060;
	public static final int Manufacturer = 0x00080070;
	public static final int InstitutionName = 0x00080080;
	public static final int InstitutionAddress = 0x00080081;
	public static final int ReferringPhysicianName = 0x00080090;
	public static final int StudyDescription = 0x00081030;
	public static final int SeriesDescription = 0x0008103E;
	public static final int PhysiciansOfRecord = 0x00081048;
	public static final int PerformingPhysicianName = 0x00081050;
	public static final int NameOfPhysiciansReadingStudy = 0x00081060;
	public static final int OperatorsName = 0x00081070;
	public static final int ManufacturerModelName = 0x00081090;
	public static final int ReferencedSeriesSequence = 0x00081115;
	public static final int ReferencedSOPClassUID = 0x00081150;
	public static final int ReferencedSOPInstanceUID = 0x00081155;
	public static final int DerivationDescription = 0x00082111;

	// Patient (group 0010)
	public static final int PatientName = 0x00100010;
	public static final int PatientID = 0x00100020;
	public static final int PatientBirthDate = 0x00100030;
	public static final int PatientBirthTime = 0x00100032;
	public static final int PatientSex = 0x00100040;
	public static final int OtherPatientIDs = 0x00101000;
	public static final int OtherPatientNames = 0x00101001;
	public static final int OtherPatientIDsSequence = 0x00101002;
	public static final int PatientAge = 0x00101010;
	public static final int PatientAddress = 0x00101040;
	public static final int PatientTelephoneNumbers = 0x00102154;

	// Acquisition (group 0018)
	public static final int BodyPartExamined = 0x00180015;
	public static final int ScanningSequence = 0x00180020;
	public static final int SequenceVariant = 0x00180021;
	public static final int ScanOptions = 0x00180022;
	public static final int MRAcquisitionType = 0x00180023;
	public static final int SliceThickness = 0x00180050;
	public static final int KVP = 0x00180060;
	public static final int RepetitionTime = 0x00180080;
	public static final int EchoTime = 0x00180081;
	public static final int SpacingBetweenSlices = 0x00180088;
	public static final int EchoTrainLength = 0x00180091;
	public static final int DeviceSerialNumber = 0x00181000;
	public static final int SoftwareVersions = 0x00181020;
	public static final int GantryDetectorTilt = 0x00181120;
	public static final int ImagerPixelSpacing = 0x00181164;
	public static final int ConvolutionKernel = 0x00181210;
	public static final int PatientPosition = 0x00185100;

	// Relationship (group 0020)
	public static final int StudyInstanceUID = 0x0020000D;
	public static final int SeriesInstanceUID = 0x0020000E;
	public static final int StudyID = 0x00200010;
	public static final int SeriesNumber = 0x00200011;
	public static final int AcquisitionNumber = 0x00200012;
	public static final int InstanceNumber = 0x00200013;
	public static final int ImagePositionPatient = 0x00200032;
	public static final int ImageOrientationPatient = 0x00200037;
	public static final int FrameOfReferenceUID = 0x00200052;
	public static final int Laterality = 0x00200060;
	public static final int PositionReferenceIndicator = 0x00201040;
	public static final int SliceLocation = 0x00201041;
	public static final int ImageComments = 0x00204000;
	public static final int PlanePositionSequence = 0x00209113;
	public static final int PlaneOrientationSequence = 0x00209116;

	// Image Pixel (group 0028)
	public static final int SamplesPerPixel = 0x00280002;
	public static final int PhotometricInterpretation = 0x00280004;
	public static final int PlanarConfiguration = 0x00280006;
	public static final int NumberOfFrames = 0x00280008;
	public static final int FrameIncrementPointer = 0x00280009;
	public static final int Rows = 0x00280010;
	public static final int Columns = 0x00280011;
	public static final int PixelSpacing = 0x00280030;
	public static final int BitsAllocated = 0x00280100;
	public static final int BitsStored = 0x00280101;
	public static final int HighBit = 0x00280102;
	public static final int PixelRepresentation = 0x00280103;
	public static final int SmallestImagePixelValue = 0x00280106;
	public static final int LargestImagePixelValue = 0x00280107;
	public static final int PixelPaddingValue = 0x00280120;
	public static final int WindowCenter = 0x00281050;
	public static final int WindowWidth = 0x00281051;
	public static final int RescaleIntercept = 0x00281052;
	public static final int RescaleSlope = 0x00281053;
	public static final int RescaleType = 0x00281054;
	public static final int WindowCenterWidthExplanation = 0x00281055;
	public static final int VOILUTFunction = 0x00281056;
	public static final int RedPaletteColorLookupTableDescriptor = 0x00281101;
	public static final int GreenPaletteColorLookupTableDescriptor = 0x00281102;
	public static final int BluePaletteColorLookupTableDescriptor = 0x00281103;
	public static final int RedPaletteColorLookupTableData = 0x00281201;
	public static final int GreenPaletteColorLookupTableData = 0x00281202;
	public static final int BluePaletteColorLookupTableData = 0x00281203;
	public static final int SegmentedRedPaletteColorLookupTableData = 0x00281221;
	public static final int SegmentedGreenPaletteColorLookupTableData = 0x00281222;
	public static final int SegmentedBluePaletteColorLookupTableData = 0x00281223;
	public static final int LossyImageCompression = 0x00282110;
	public static final int ModalityLUTSequence = 0x00283000;
	public static final int LUTDescriptor = 0x00283002;
	public static final int LUTData = 0x00283006;
	public static final int ModalityLUTType = 0x00283004;
	public static final int LUTExplanation = 0x00283003;
	public static final int VOILUTSequence = 0x00283010;
	public static final int PixelMeasuresSequence = 0x00289110;
	public static final int FrameVOILUTSequence = 0x00289132;
	public static final int PixelValueTransformationSequence = 0x00289145;

	// Other groups
	public static final int RequestingPhysician = 0x00321032;
	public static final int GridFrameOffsetVector = 0x3004000C;
	public static final int DoseGridScaling = 0x3004000E;
	public static final int SharedFunctionalGroupsSequence = 0x52009229;
	public static final int PerFrameFunctionalGroupsSequence = 0x52009230;

	// Pixel data and delimiters
	public static final int PixelData = 0x7FE00010;
	public static final int FloatPixelData = 0x7FE00008;
	public static final int DoubleFloatPixelData = 0x7FE00009;
	public static final int Item = 0xFFFEE000;
	public static final int ItemDelimitationItem = 0xFFFEE00D;
	public static final int SequenceDelimitationItem = 0xFFFEE0DD;
	public static final int DataSetTrailingPadding = 0xFFFCFFFC;

	/** "(gggg,eeee)" as DICOM writes tags. */
	public static String toString(int tag) {
		return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
	}
}
