package org.medcnn.dicom;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A small data dictionary: keyword and value representation (VR) of the tags MedCNN reads, and which tags
 * identify a patient or a person.
 * <p>
 * Implicit VR transfer syntaxes carry no VR in the file, so the reader looks the VR up here (PS3.5 §7.1.3);
 * tags not listed are kept as raw bytes with VR {@code UN} (their text can still be read with
 * {@link DicomObject#getString}). Keywords come from the constants of {@link Tag} plus the table below.
 * Immutable and thread-safe.
 */
public final class DicomTags {

	private DicomTags() {}

	// tag, VR, keyword (PS3.6). Where PS3.6 allows "US or SS" the first is given; the reader interprets such
	// values with PixelRepresentation where it matters.
	private static final String TABLE = """
		00020000 UL FileMetaInformationGroupLength
		00020001 OB FileMetaInformationVersion
		00020002 UI MediaStorageSOPClassUID
		00020003 UI MediaStorageSOPInstanceUID
		00020010 UI TransferSyntaxUID
		00020012 UI ImplementationClassUID
		00020013 SH ImplementationVersionName
		00020016 AE SourceApplicationEntityTitle
		00041200 UL OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity
		00041202 UL OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity
		00041212 US FileSetConsistencyFlag
		00041220 SQ DirectoryRecordSequence
		00041400 UL OffsetOfTheNextDirectoryRecord
		00041410 US RecordInUseFlag
		00041420 UL OffsetOfReferencedLowerLevelDirectoryEntity
		00041430 CS DirectoryRecordType
		00041500 CS ReferencedFileID
		00041510 UI ReferencedSOPClassUIDInFile
		00041511 UI ReferencedSOPInstanceUIDInFile
		00041512 UI ReferencedTransferSyntaxUIDInFile
		00080005 CS SpecificCharacterSet
		00080008 CS ImageType
		00080012 DA InstanceCreationDate
		00080013 TM InstanceCreationTime
		00080016 UI SOPClassUID
		00080018 UI SOPInstanceUID
		00080020 DA StudyDate
		00080021 DA SeriesDate
		00080022 DA AcquisitionDate
		00080023 DA ContentDate
		00080030 TM StudyTime
		00080031 TM SeriesTime
		00080032 TM AcquisitionTime
		00080033 TM ContentTime
		00080050 SH AccessionNumber
		00080060 CS Modality
		00080064 CS ConversionType
		00080070 LO Manufacturer
		00080080 LO InstitutionName
		00080081 ST InstitutionAddress
		00080090 PN ReferringPhysicianName
		00080100 SH CodeValue
		00080102 SH CodingSchemeDesignator
		00080104 LO CodeMeaning
		00081010 SH StationName
		00081030 LO StudyDescription
		0008103E LO SeriesDescription
		00081048 PN PhysiciansOfRecord
		00081050 PN PerformingPhysicianName
		00081060 PN NameOfPhysiciansReadingStudy
		00081070 PN OperatorsName
		00081090 LO ManufacturerModelName
		00081115 SQ ReferencedSeriesSequence
		00081140 SQ ReferencedImageSequence
		0008114A SQ ReferencedInstanceSequence
		00081150 UI ReferencedSOPClassUID
		00081155 UI ReferencedSOPInstanceUID
		00081160 IS ReferencedFrameNumber
		00082111 ST DerivationDescription
		00082112 SQ SourceImageSequence
		00089124 SQ DerivationImageSequence
		00089215 SQ DerivationCodeSequence
		00100010 PN PatientName
		00100020 LO PatientID
		00100030 DA PatientBirthDate
		00100032 TM PatientBirthTime
		00100040 CS PatientSex
		00101000 LO OtherPatientIDs
		00101001 PN OtherPatientNames
		00101002 SQ OtherPatientIDsSequence
		00101010 AS PatientAge
		00101020 DS PatientSize
		00101030 DS PatientWeight
		00101040 LO PatientAddress
		00102154 SH PatientTelephoneNumbers
		00180015 CS BodyPartExamined
		00180050 DS SliceThickness
		00180060 DS KVP
		00180088 DS SpacingBetweenSlices
		00181000 LO DeviceSerialNumber
		00181020 LO SoftwareVersions
		00181120 DS GantryDetectorTilt
		00181164 DS ImagerPixelSpacing
		00181210 SH ConvolutionKernel
		00185100 CS PatientPosition
		0020000D UI StudyInstanceUID
		0020000E UI SeriesInstanceUID
		00200010 SH StudyID
		00200011 IS SeriesNumber
		00200012 IS AcquisitionNumber
		00200013 IS InstanceNumber
		00200032 DS ImagePositionPatient
		00200037 DS ImageOrientationPatient
		00200052 UI FrameOfReferenceUID
		00201040 LO PositionReferenceIndicator
		00201041 DS SliceLocation
		00204000 LT ImageComments
		00209111 SQ FrameContentSequence
		00209113 SQ PlanePositionSequence
		00209116 SQ PlaneOrientationSequence
		00209157 UL DimensionIndexValues
		00209164 UI DimensionOrganizationUID
		00209165 AT DimensionIndexPointer
		00209167 AT FunctionalGroupPointer
		00209221 SQ DimensionOrganizationSequence
		00209222 SQ DimensionIndexSequence
		00209421 LO DimensionDescriptionLabel
		00280002 US SamplesPerPixel
		00280004 CS PhotometricInterpretation
		00280006 US PlanarConfiguration
		00280008 IS NumberOfFrames
		00280009 AT FrameIncrementPointer
		00280010 US Rows
		00280011 US Columns
		00280030 DS PixelSpacing
		00280100 US BitsAllocated
		00280101 US BitsStored
		00280102 US HighBit
		00280103 US PixelRepresentation
		00280106 US SmallestImagePixelValue
		00280107 US LargestImagePixelValue
		00280120 US PixelPaddingValue
		00281050 DS WindowCenter
		00281051 DS WindowWidth
		00281052 DS RescaleIntercept
		00281053 DS RescaleSlope
		00281054 LO RescaleType
		00281055 LO WindowCenterWidthExplanation
		00281056 CS VOILUTFunction
		00281101 US RedPaletteColorLookupTableDescriptor
		00281102 US GreenPaletteColorLookupTableDescriptor
		00281103 US BluePaletteColorLookupTableDescriptor
		00281201 OW RedPaletteColorLookupTableData
		00281202 OW GreenPaletteColorLookupTableData
		00281203 OW BluePaletteColorLookupTableData
		00281221 OW SegmentedRedPaletteColorLookupTableData
		00281222 OW SegmentedGreenPaletteColorLookupTableData
		00281223 OW SegmentedBluePaletteColorLookupTableData
		00282110 CS LossyImageCompression
		00283000 SQ ModalityLUTSequence
		00283002 US LUTDescriptor
		00283003 LO LUTExplanation
		00283004 LO ModalityLUTType
		00283006 OW LUTData
		00283010 SQ VOILUTSequence
		00289110 SQ PixelMeasuresSequence
		00289132 SQ FrameVOILUTSequence
		00289145 SQ PixelValueTransformationSequence
		00321032 PN RequestingPhysician
		0040A170 SQ PurposeOfReferenceCodeSequence
		00620001 CS SegmentationType
		00620002 SQ SegmentSequence
		00620003 SQ SegmentedPropertyCategoryCodeSequence
		00620004 US SegmentNumber
		00620005 LO SegmentLabel
		00620008 CS SegmentAlgorithmType
		00620009 LO SegmentAlgorithmName
		0062000A SQ SegmentIdentificationSequence
		0062000B US ReferencedSegmentNumber
		0062000D US RecommendedDisplayCIELabValue
		0062000F SQ SegmentedPropertyTypeCodeSequence
		00700080 CS ContentLabel
		00700081 LO ContentDescription
		00700084 PN ContentCreatorName
		30040002 CS DoseUnits
		30040004 CS DoseType
		3004000A CS DoseSummationType
		3004000C DS GridFrameOffsetVector
		3004000E DS DoseGridScaling
		30060002 SH StructureSetLabel
		30060010 SQ ReferencedFrameOfReferenceSequence
		30060012 SQ RTReferencedStudySequence
		30060014 SQ RTReferencedSeriesSequence
		30060016 SQ ContourImageSequence
		30060020 SQ StructureSetROISequence
		30060022 IS ROINumber
		30060024 UI ReferencedFrameOfReferenceUID
		30060026 LO ROIName
		3006002A IS ROIDisplayColor
		30060039 SQ ROIContourSequence
		30060040 SQ ContourSequence
		30060042 CS ContourGeometricType
		30060046 IS NumberOfContourPoints
		30060048 IS ContourNumber
		30060050 DS ContourData
		30060080 SQ RTROIObservationsSequence
		30060084 IS ReferencedROINumber
		300600A4 CS RTROIInterpretedType
		52009229 SQ SharedFunctionalGroupsSequence
		52009230 SQ PerFrameFunctionalGroupsSequence
		7FE00008 OF FloatPixelData
		7FE00009 OD DoubleFloatPixelData
		7FE00010 OW PixelData
		FFFCFFFC OB DataSetTrailingPadding
		""";

	private static final Map<Integer, String> VR = new HashMap<>();
	private static final Map<Integer, String> KEYWORD = new HashMap<>();

	/** Attributes that identify the patient or a person: hidden in dumps unless asked for. */
	private static final Set<Integer> IDENTIFIERS = Set.of(Tag.PatientName, Tag.PatientID, Tag.PatientBirthDate,
		Tag.PatientBirthTime, Tag.OtherPatientIDs, Tag.OtherPatientNames, Tag.OtherPatientIDsSequence,
		Tag.PatientAddress, Tag.PatientTelephoneNumbers, Tag.AccessionNumber, Tag.ReferringPhysicianName,
		Tag.InstitutionName, Tag.InstitutionAddress, Tag.PhysiciansOfRecord, Tag.PerformingPhysicianName,
		Tag.NameOfPhysiciansReadingStudy, Tag.OperatorsName, Tag.RequestingPhysician, Tag.DeviceSerialNumber,
		0x00081010 /* StationName */, Tag.StudyID);

	static {
		for (String line : TABLE.split("\n")) {
			String[] f = line.trim().split(" ");
			if (f.length != 3) continue;
			int tag = (int) Long.parseLong(f[0], 16);
			VR.put(tag, f[1]);
			KEYWORD.put(tag, f[2]);
		}
		for (Field f : Tag.class.getDeclaredFields()) {
			int m = f.getModifiers();
			if (f.getType() == int.class && Modifier.isStatic(m) && Modifier.isPublic(m)) {
				try {
					KEYWORD.putIfAbsent(f.getInt(null), f.getName());
				} catch (IllegalAccessException e) {
					throw new IllegalStateException("Tag." + f.getName() + " is not readable", e);
				}
			}
		}
	}

	/** The keyword of a tag ("PatientName"), or null when the tag is not in the dictionary. */
	public static String keyword(int tag) {
		String k = KEYWORD.get(tag);
		if (k != null) return k;
		if ((tag & 0xFFFF) == 0 && tag != 0) return "GroupLength";
		return null;
	}

	/**
	 * The VR to assume for a tag in an implicit VR data set: the dictionary's, {@code UL} for group lengths,
	 * {@code UN} for everything else (private and unknown tags).
	 */
	public static String vr(int tag) {
		String v = VR.get(tag);
		if (v != null) return v;
		if ((tag & 0xFFFF) == 0) return "UL";
		return "UN";
	}

	/**
	 * Whether a tag holds a patient or person identifier that must not be shown by default. Person names (VR
	 * {@code PN}) are identifiers wherever they appear; callers should treat them so as well.
	 */
	public static boolean isIdentifier(int tag) {
		return IDENTIFIERS.contains(tag) || "PN".equals(VR.get(tag));
	}
}
