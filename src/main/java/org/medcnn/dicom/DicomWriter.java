package org.medcnn.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.codec.FrameDecoders;
import org.medcnn.dicom.codec.JpegLosslessEncoder;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;
import org.medcnn.common.AtomicFiles;

/**
 * Writes a {@link Volume} as a DICOM CT Image Storage series (or, with {@link ImageOptions}, an MR Image Storage
 * series): one PS3.10 file per slice (128-byte preamble, "DICM", File Meta Information with its group length),
 * Explicit VR Little Endian.
 * <p>
 * Single slices may also be written compressed with JPEG Lossless, Non-Hierarchical, First-Order Prediction
 * ({@value #JPEG_LOSSLESS_SV1}, {@link JpegLosslessEncoder}): the data set is still Explicit VR Little Endian,
 * Pixel Data is encapsulated (PS3.5 §A.4: OB of undefined length, an empty Basic Offset Table item, one
 * fragment holding the JPEG stream padded to even length, a Sequence Delimitation Item) and the stored values
 * and pixel attributes are the same as uncompressed; the 16-bit two's-complement pattern is what is encoded.
 * <p>
 * By default ({@link ImageOptions#CT}) pixels are 16-bit signed stored values (BitsStored 16, PixelRepresentation 1)
 * with RescaleSlope 1 and RescaleIntercept {@value #RESCALE_INTERCEPT}: {@code stored = round(HU) + 1024}, so
 * integral HU survive a write/read round trip exactly and HU in [-33792, 31743] are representable (values outside
 * are clamped). The volume's values are written as HU whatever its modality; the SOP class is CT Image Storage.
 * {@link ImageOptions} choose another modality (MR), another {@link PixelCoding} (BitsStored, signedness,
 * rescale or none) and shuffled InstanceNumbers.
 * <p>
 * Geometry: PixelSpacing = [y (row) spacing, x (column) spacing], ImageOrientationPatient = the row and
 * column direction cosines, ImagePositionPatient of slice z = {@code geometry.toPatient(0, 0, z)},
 * SliceThickness = SpacingBetweenSlices = z spacing. InstanceNumber = z + 1 in spatial order (unless
 * {@link ImageOptions#withShuffledInstances shuffled}). File names are {@code IM0001.dcm}, {@code IM0002.dcm}, …
 * by InstanceNumber. Each file is written to a temporary name in the same folder and
 * renamed, so a reader never sees half a file. SOP Instance UIDs are derived from the series UID and the
 * instance number ({@link Uids#fromSeed}), so a series with seeded UIDs is byte-for-byte reproducible.
 * Stateless and thread-safe.
 */
public final class DicomWriter {

	/** CT Image Storage SOP class, PS3.4 Annex B. */
	public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
	/** Explicit VR Little Endian transfer syntax, PS3.5 §A.2. */
	public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
	/** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1), PS3.5 §A.4.1. */
	public static final String JPEG_LOSSLESS_SV1 = FrameDecoders.JPEG_LOSSLESS_SV1;
	/** RescaleIntercept of every CT file ({@link ImageOptions#CT}); stored value = HU - RESCALE_INTERCEPT. */
	public static final int RESCALE_INTERCEPT = -1024;
	/** MR Image Storage SOP class, PS3.4 Annex B. */
	public static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";

	private DicomWriter() {}

	/**
	 * What kind of image files are written: the modality with its SOP class and modality-specific attributes, how
	 * values are coded, and the order of InstanceNumbers.
	 * <ul>
	 * <li>{@code CT}: CT Image Storage, ImageType DERIVED\SECONDARY\AXIAL, KVP empty (type 2).</li>
	 * <li>{@code MR}: MR Image Storage, ImageType DERIVED\SECONDARY\OTHER, and the MR Image module's type 1
	 * attributes describing a T1-weighted 3D spoiled gradient echo (ScanningSequence GR, SequenceVariant SP\MP,
	 * MRAcquisitionType 3D) — what MedCNN's synthetic MR imitates; its timing attributes (RepetitionTime, EchoTime,
	 * EchoTrainLength) are type 2 and written empty.</li>
	 * </ul>
	 * The window of {@link SeriesInfo} is written in the coding's real-world units whatever the modality.
	 *
	 * @param modality "CT" or "MR"
	 * @param coding how real-world values are stored
	 * @param instanceShuffleSeed null: InstanceNumber = z + 1 (spatial order); otherwise InstanceNumbers 1…nz in an
	 *        order shuffled by this seed (reproducible), as scanners that number slices in acquisition order
	 *        (interleaved, descending) do: readers must sort by position, never by InstanceNumber
	 */
	public record ImageOptions(String modality, PixelCoding coding, Long instanceShuffleSeed) {

		/** CT in HU, spatial instance order: what {@link DicomWriter} writes without options. */
		public static final ImageOptions CT = new ImageOptions("CT", PixelCoding.CT_HU, null);

		public ImageOptions {
			if (!"CT".equals(modality) && !"MR".equals(modality))
				throw new IllegalArgumentException("modality must be CT or MR but is '" + modality + "'");
			if (coding == null) throw new IllegalArgumentException("coding must not be null");
		}

		/** MR Image Storage with this coding, spatial instance order. */
		public static ImageOptions mr(PixelCoding coding) {
			return new ImageOptions("MR", coding, null);
		}

		/** The same options with InstanceNumbers shuffled by a seed. */
		public ImageOptions withShuffledInstances(long seed) {
			return new ImageOptions(modality, coding, seed);
		}

		/** The SOP class: {@value #CT_IMAGE_STORAGE} or {@value #MR_IMAGE_STORAGE}. */
		public String sopClassUid() {
			return modality.equals("MR") ? MR_IMAGE_STORAGE : CT_IMAGE_STORAGE;
		}

		/** The InstanceNumber of each slice z of a series of {@code slices} slices: a permutation of 1…slices. */
		public int[] instanceNumbers(int slices) {
			int[] n = new int[slices];
			for (int z = 0; z < slices; z++) n[z] = z + 1;
			if (instanceShuffleSeed == null) return n;
			java.util.Random r = new java.util.Random(instanceShuffleSeed);
			for (int i = slices - 1; i > 0; i--) {
				int j = r.nextInt(i + 1), t = n[i];
				n[i] = n[j];
				n[j] = t;
			}
			return n;
		}
	}

	/**
	 * Patient, study and series attributes of a written series. Text values must fit their value
	 * representation (PN/LO at most 64 characters, SH 16); UIDs must be valid (see {@link Uids#isValid}).
	 *
	 * @param patientName PatientName (PN), e.g. "PHANTOM^CASE01" — write synthetic or de-identified names only
	 * @param patientId PatientID (LO)
	 * @param studyInstanceUid StudyInstanceUID
	 * @param seriesInstanceUid SeriesInstanceUID; also the seed of every SOPInstanceUID
	 * @param frameOfReferenceUid FrameOfReferenceUID
	 * @param seriesNumber SeriesNumber
	 * @param studyDescription StudyDescription (LO)
	 * @param seriesDescription SeriesDescription (LO)
	 * @param studyDate StudyDate/SeriesDate/ContentDate, DA "YYYYMMDD"
	 * @param studyTime StudyTime/SeriesTime/ContentTime, TM "HHMMSS"
	 * @param windowCenterHu WindowCenter
	 * @param windowWidthHu WindowWidth (&gt; 0)
	 * @param bodyPartExamined BodyPartExamined (CS, e.g. "ABDOMEN"), or "" when unknown; when unknown an empty
	 *        Laterality is written instead, as PS3.3 C.7.3.1 requires for a possibly paired body part
	 */
	public record SeriesInfo(String patientName, String patientId, String studyInstanceUid, String seriesInstanceUid,
		String frameOfReferenceUid, int seriesNumber, String studyDescription, String seriesDescription,
		String studyDate, String studyTime, double windowCenterHu, double windowWidthHu, String bodyPartExamined) {

		public SeriesInfo {
			checkText("patientName", patientName, 64);
			checkText("patientId", patientId, 64);
			checkText("studyDescription", studyDescription, 64);
			checkText("seriesDescription", seriesDescription, 64);
			checkText("bodyPartExamined", bodyPartExamined, 16);
			checkUid("studyInstanceUid", studyInstanceUid);
			checkUid("seriesInstanceUid", seriesInstanceUid);
			checkUid("frameOfReferenceUid", frameOfReferenceUid);
			if (studyDate == null || !studyDate.matches("\\d{8}"))
				throw new IllegalArgumentException("studyDate must be DA YYYYMMDD but is '" + studyDate + "'");
			if (studyTime == null || !studyTime.matches("\\d{6}"))
				throw new IllegalArgumentException("studyTime must be TM HHMMSS but is '" + studyTime + "'");
			if (seriesNumber < 0) throw new IllegalArgumentException("seriesNumber must be >= 0 but is " + seriesNumber);
			if (!(windowWidthHu > 0) || Double.isInfinite(windowWidthHu) || !Double.isFinite(windowCenterHu))
				throw new IllegalArgumentException("window must be finite with width > 0 but is centre " + windowCenterHu
					+ ", width " + windowWidthHu);
		}

		/**
		 * Attributes with UIDs derived from {@code seed} (reproducible output), a fixed date 2025-01-01 12:00:00,
		 * series number 1, a soft-tissue window (40/400 HU) and body part ABDOMEN.
		 */
		public static SeriesInfo synthetic(String seed, String patientName, String patientId,
			String seriesDescription) {
			return new SeriesInfo(patientName, patientId, Uids.fromSeed(seed + "/study"),
				Uids.fromSeed(seed + "/series"), Uids.fromSeed(seed + "/frame-of-reference"), 1,
				"MedCNN synthetic data", seriesDescription, "20250101", "120000", 40, 400, "ABDOMEN");
		}

		/**
		 * Attributes with new random UIDs, today's date and time, series number 1, soft-tissue window and an
		 * unknown body part.
		 */
		public static SeriesInfo withRandomUids(String patientName, String patientId, String seriesDescription) {
			LocalDateTime now = LocalDateTime.now();
			return new SeriesInfo(patientName, patientId, Uids.random(), Uids.random(), Uids.random(), 1,
				"MedCNN", seriesDescription, now.format(DateTimeFormatter.BASIC_ISO_DATE),
				now.format(DateTimeFormatter.ofPattern("HHmmss")), 40, 400, "");
		}

		/** The same attributes with another window. */
		public SeriesInfo withWindow(double centerHu, double widthHu) {
			return new SeriesInfo(patientName, patientId, studyInstanceUid, seriesInstanceUid, frameOfReferenceUid,
				seriesNumber, studyDescription, seriesDescription, studyDate, studyTime, centerHu, widthHu,
				bodyPartExamined);
		}

		/** The same attributes with another BodyPartExamined (CS, e.g. "HEAD"; "" when unknown). */
		public SeriesInfo withBodyPart(String bodyPart) {
			return new SeriesInfo(patientName, patientId, studyInstanceUid, seriesInstanceUid, frameOfReferenceUid,
				seriesNumber, studyDescription, seriesDescription, studyDate, studyTime, windowCenterHu, windowWidthHu,
				bodyPart);
		}

		/** Another series of the same study and frame of reference (e.g. a derived key-slice series). */
		public SeriesInfo withSeries(String seriesUid, int number, String description) {
			return new SeriesInfo(patientName, patientId, studyInstanceUid, seriesUid, frameOfReferenceUid, number,
				studyDescription, description, studyDate, studyTime, windowCenterHu, windowWidthHu, bodyPartExamined);
		}

		/** SOPInstanceUID of the slice with this instance number. */
		public String sopInstanceUid(int instanceNumber) {
			return Uids.fromSeed(seriesInstanceUid + "/" + instanceNumber);
		}

		private static void checkText(String name, String value, int max) {
			if (value == null) throw new IllegalArgumentException(name + " must not be null");
			if (value.length() > max)
				throw new IllegalArgumentException(name + " has " + value.length() + " characters; at most " + max
					+ " are allowed");
			for (int i = 0; i < value.length(); i++)
				if (value.charAt(i) < 0x20 || value.charAt(i) > 0x7E || value.charAt(i) == '\\')
					throw new IllegalArgumentException(name + " must be printable ASCII without backslash: '" + value
						+ "'");
		}

		private static void checkUid(String name, String uid) {
			if (!Uids.isValid(uid)) throw new IllegalArgumentException(name + " is not a valid UID: '" + uid + "'");
		}
	}

	/** {@link #writeSeries(Volume, Path, SeriesInfo, ProgressListener, Cancellation)} without progress. */
	public static List<Path> writeSeries(Volume volume, Path dir, SeriesInfo info) throws IOException {
		return writeSeries(volume, dir, info, null, null);
	}

	/**
	 * Writes every slice of a volume into {@code dir} (created if missing) as a CT series ({@link ImageOptions#CT}),
	 * {@code IM0001.dcm}, … Existing files of the same names are replaced.
	 *
	 * @param progress progress per slice (may be null)
	 * @param cancel checked before each slice (may be null)
	 * @return the written files in spatial (instance) order
	 * @throws IOException if a file cannot be written
	 * @throws java.util.concurrent.CancellationException if cancelled between slices
	 */
	public static List<Path> writeSeries(Volume volume, Path dir, SeriesInfo info, ProgressListener progress,
		Cancellation cancel) throws IOException {
		return writeSeries(volume, dir, info, ImageOptions.CT, progress, cancel);
	}

	/**
	 * Writes every slice of a volume into {@code dir} (created if missing) as {@code IMnnnn.dcm}, nnnn being the
	 * slice's InstanceNumber (so with shuffled instances neither file names nor InstanceNumbers follow position).
	 * Existing files of the same names are replaced.
	 *
	 * @param options modality, value coding and instance order
	 * @param progress progress per slice (may be null)
	 * @param cancel checked before each slice (may be null)
	 * @return the written files in spatial order (z = 0 first)
	 * @throws IOException if a file cannot be written
	 * @throws java.util.concurrent.CancellationException if cancelled between slices
	 */
	public static List<Path> writeSeries(Volume volume, Path dir, SeriesInfo info, ImageOptions options,
		ProgressListener progress, Cancellation cancel) throws IOException {
		checkVolume(volume);
		if (progress == null) progress = ProgressListener.NONE;
		Files.createDirectories(dir);
		int nz = volume.geometry().nz();
		int[] instances = options.instanceNumbers(nz);
		List<Path> files = new ArrayList<>(nz);
		for (int z = 0; z < nz; z++) {
			if (cancel != null) cancel.check();
			Path file = dir.resolve(String.format("IM%04d.dcm", instances[z]));
			AtomicFiles.write(file, encode(volume, z, instances[z], info, EXPLICIT_VR_LITTLE_ENDIAN, options));
			files.add(file);
			progress.progress((z + 1) / (double) nz, "Writing DICOM slice " + (z + 1) + "/" + nz);
		}
		return files;
	}

	/**
	 * Writes slice z of a volume as a single-slice CT file (e.g. one image of a classifier data set), with
	 * InstanceNumber z + 1 and the slice's own position.
	 *
	 * @return {@code file}
	 */
	public static Path writeSingleSlice(Volume volume, int z, Path file, SeriesInfo info) throws IOException {
		return writeSingleSlice(volume, z, file, info, EXPLICIT_VR_LITTLE_ENDIAN);
	}

	/**
	 * Writes slice z of a volume as a single-slice CT file in a chosen transfer syntax, with InstanceNumber z + 1
	 * and the slice's own position.
	 *
	 * @param transferSyntaxUid {@value #EXPLICIT_VR_LITTLE_ENDIAN} (as
	 *        {@link #writeSingleSlice(Volume, int, Path, SeriesInfo)}) or {@value #JPEG_LOSSLESS_SV1}
	 * @return {@code file}
	 * @throws IllegalArgumentException for another transfer syntax (named in the message) or a slice index out
	 *         of range
	 */
	public static Path writeSingleSlice(Volume volume, int z, Path file, SeriesInfo info, String transferSyntaxUid)
		throws IOException {
		checkTransferSyntax(transferSyntaxUid);
		checkSlice(volume, z);
		Path parent = file.toAbsolutePath().getParent();
		if (parent != null) Files.createDirectories(parent);
		AtomicFiles.write(file, encodeSlice(volume, z, info, transferSyntaxUid));
		return file;
	}

	/** The complete PS3.10 file (preamble, File Meta Information, data set) of slice z, Explicit VR Little Endian. */
	public static byte[] encodeSlice(Volume volume, int z, SeriesInfo info) {
		return encodeSlice(volume, z, info, EXPLICIT_VR_LITTLE_ENDIAN);
	}

	/**
	 * The complete PS3.10 file (preamble, File Meta Information, data set) of slice z in a chosen transfer syntax.
	 *
	 * @param transferSyntaxUid {@value #EXPLICIT_VR_LITTLE_ENDIAN} or {@value #JPEG_LOSSLESS_SV1}
	 * @throws IllegalArgumentException for another transfer syntax (named in the message) or a slice index out
	 *         of range
	 */
	public static byte[] encodeSlice(Volume volume, int z, SeriesInfo info, String transferSyntaxUid) {
		return encode(volume, z, z + 1, info, transferSyntaxUid, ImageOptions.CT);
	}

	/**
	 * The complete PS3.10 file (preamble, File Meta Information, data set) of slice z of a series written with
	 * options, Explicit VR Little Endian: the same bytes as that slice's file from
	 * {@link #writeSeries(Volume, Path, SeriesInfo, ImageOptions, ProgressListener, Cancellation)}.
	 *
	 * @throws IllegalArgumentException for a slice index out of range
	 */
	public static byte[] encodeSlice(Volume volume, int z, SeriesInfo info, ImageOptions options) {
		checkSlice(volume, z);
		return encode(volume, z, options.instanceNumbers(volume.geometry().nz())[z], info, EXPLICIT_VR_LITTLE_ENDIAN,
			options);
	}

	private static byte[] encode(Volume volume, int z, int instance, SeriesInfo info, String transferSyntaxUid,
		ImageOptions options) {
		checkTransferSyntax(transferSyntaxUid);
		boolean jpeg = transferSyntaxUid.equals(JPEG_LOSSLESS_SV1);
		checkSlice(volume, z);
		Geometry g = volume.geometry();
		PixelCoding coding = options.coding();
		boolean mr = options.modality().equals("MR");
		String sopInstanceUid = info.sopInstanceUid(instance);
		double[] sp = g.spacingMm();
		double[] dir = g.direction();
		double[] pos = g.toPatient(0, 0, z);
		double[] normal = cross(dir);

		DataSet ds = new DataSet();
		ds.text(Tag.ImageType, "CS", mr ? "DERIVED\\SECONDARY\\OTHER" : "DERIVED\\SECONDARY\\AXIAL");
		ds.uid(Tag.SOPClassUID, options.sopClassUid());
		ds.uid(Tag.SOPInstanceUID, sopInstanceUid);
		ds.text(Tag.StudyDate, "DA", info.studyDate());
		ds.text(Tag.SeriesDate, "DA", info.studyDate());
		ds.text(Tag.ContentDate, "DA", info.studyDate());
		ds.text(Tag.StudyTime, "TM", info.studyTime());
		ds.text(Tag.SeriesTime, "TM", info.studyTime());
		ds.text(Tag.ContentTime, "TM", info.studyTime());
		ds.text(Tag.AccessionNumber, "SH", "");
		ds.text(Tag.Modality, "CS", options.modality());
		ds.text(Tag.Manufacturer, "LO", "MedCNN");
		ds.text(Tag.ReferringPhysicianName, "PN", "");
		ds.text(Tag.StudyDescription, "LO", info.studyDescription());
		ds.text(Tag.SeriesDescription, "LO", info.seriesDescription());
		ds.text(Tag.ManufacturerModelName, "LO", "MedCNN DicomWriter");
		ds.text(Tag.PatientName, "PN", info.patientName());
		ds.text(Tag.PatientID, "LO", info.patientId());
		ds.text(Tag.PatientBirthDate, "DA", "");
		ds.text(Tag.PatientSex, "CS", "");
		if (!info.bodyPartExamined().isEmpty()) ds.text(Tag.BodyPartExamined, "CS", info.bodyPartExamined());
		if (mr) {
			// PS3.3 C.8.3.1 MR Image module: type 1 ScanningSequence and SequenceVariant, type 2 the rest.
			ds.text(Tag.ScanningSequence, "CS", "GR");
			ds.text(Tag.SequenceVariant, "CS", "SP\\MP");
			ds.text(Tag.ScanOptions, "CS", "");
			ds.text(Tag.MRAcquisitionType, "CS", "3D");
			ds.text(Tag.RepetitionTime, "DS", "");
			ds.text(Tag.EchoTime, "DS", "");
			ds.text(Tag.EchoTrainLength, "IS", "");
		}
		ds.text(Tag.SliceThickness, "DS", ds(sp[2]));
		if (!mr) ds.text(Tag.KVP, "DS", "");
		ds.text(Tag.SpacingBetweenSlices, "DS", ds(sp[2]));
		ds.text(Tag.SoftwareVersions, "LO", "MedCNN");
		ds.text(Tag.PatientPosition, "CS", "HFS");
		ds.uid(Tag.StudyInstanceUID, info.studyInstanceUid());
		ds.uid(Tag.SeriesInstanceUID, info.seriesInstanceUid());
		ds.text(Tag.StudyID, "SH", "1");
		ds.text(Tag.SeriesNumber, "IS", Integer.toString(info.seriesNumber()));
		ds.text(Tag.AcquisitionNumber, "IS", "1");
		ds.text(Tag.InstanceNumber, "IS", Integer.toString(instance));
		ds.text(Tag.ImagePositionPatient, "DS", ds(pos[0]) + "\\" + ds(pos[1]) + "\\" + ds(pos[2]));
		ds.text(Tag.ImageOrientationPatient, "DS", ds(dir[0]) + "\\" + ds(dir[1]) + "\\" + ds(dir[2]) + "\\"
			+ ds(dir[3]) + "\\" + ds(dir[4]) + "\\" + ds(dir[5]));
		ds.uid(Tag.FrameOfReferenceUID, info.frameOfReferenceUid());
		// PS3.3 C.7.3.1: Laterality is type 2C for paired body parts; unknown body part → present but empty.
		if (info.bodyPartExamined().isEmpty()) ds.text(Tag.Laterality, "CS", "");
		ds.text(Tag.PositionReferenceIndicator, "LO", "");
		ds.text(Tag.SliceLocation, "DS", ds(pos[0] * normal[0] + pos[1] * normal[1] + pos[2] * normal[2]));
		ds.us(Tag.SamplesPerPixel, 1);
		ds.text(Tag.PhotometricInterpretation, "CS", "MONOCHROME2");
		ds.us(Tag.Rows, g.ny());
		ds.us(Tag.Columns, g.nx());
		ds.text(Tag.PixelSpacing, "DS", ds(sp[1]) + "\\" + ds(sp[0]));
		ds.us(Tag.BitsAllocated, 16);
		ds.us(Tag.BitsStored, coding.bitsStored());
		ds.us(Tag.HighBit, coding.bitsStored() - 1);
		ds.us(Tag.PixelRepresentation, coding.signed() ? 1 : 0);
		ds.text(Tag.WindowCenter, "DS", ds(info.windowCenterHu()));
		ds.text(Tag.WindowWidth, "DS", ds(info.windowWidthHu()));
		if (coding.rescaleTags()) {
			ds.text(Tag.RescaleIntercept, "DS", ds(coding.intercept()));
			ds.text(Tag.RescaleSlope, "DS", ds(coding.slope()));
			if (!coding.rescaleType().isEmpty()) ds.text(Tag.RescaleType, "LO", coding.rescaleType());
		}
		int[] stored = storedValues(volume, z, coding);
		if (jpeg) {
			ds.text(Tag.LossyImageCompression, "CS", "00");
			for (int i = 0; i < stored.length; i++) stored[i] &= 0xFFFF; // PS3.5 §8.2.1: the 16-bit pattern
			ds.encapsulated(Tag.PixelData, JpegLosslessEncoder.encode(stored, g.nx(), g.ny(), 16));
		} else {
			ds.put(Tag.PixelData, "OW", pixelBytes(stored));
		}

		DataSet meta = new DataSet();
		meta.put(Tag.FileMetaInformationVersion, "OB", new byte[] {0, 1});
		meta.uid(Tag.MediaStorageSOPClassUID, options.sopClassUid());
		meta.uid(Tag.MediaStorageSOPInstanceUID, sopInstanceUid);
		meta.uid(Tag.TransferSyntaxUID, transferSyntaxUid);
		meta.uid(Tag.ImplementationClassUID, Uids.IMPLEMENTATION_CLASS_UID);
		meta.text(Tag.ImplementationVersionName, "SH", Uids.IMPLEMENTATION_VERSION_NAME);
		byte[] metaBytes = meta.encode();

		ByteArrayOutputStream out = new ByteArrayOutputStream(metaBytes.length + (jpeg ? g.sliceSize() : g.sliceSize() * 2)
			+ 2048);
		out.writeBytes(new byte[128]);
		out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
		DataSet groupLength = new DataSet();
		groupLength.put(Tag.FileMetaInformationGroupLength, "UL", le32(metaBytes.length));
		out.writeBytes(groupLength.encode());
		out.writeBytes(metaBytes);
		out.writeBytes(ds.encode());
		return out.toByteArray();
	}

	/**
	 * A decimal string (DS, PS3.5 §6.2) of at most 16 characters holding as many decimals as fit.
	 *
	 * @throws IllegalArgumentException for NaN or infinite values, which DS cannot hold
	 */
	public static String ds(double v) {
		if (!Double.isFinite(v)) throw new IllegalArgumentException("DS value must be finite but is " + v);
		if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
		BigDecimal b = new BigDecimal(v);
		int intDigits = Math.max(1, b.abs().setScale(0, RoundingMode.DOWN).toPlainString().length());
		int decimals = 16 - intDigits - 1 - (v < 0 ? 1 : 0);
		if (decimals < 1) {
			String e = String.format("%.8E", v);
			return e.length() <= 16 ? e : String.format("%.6E", v);
		}
		String s = b.setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
		if (s.equals("-0") || s.equals("0")) return "0";
		return s;
	}

	private static void checkVolume(Volume volume) {
		Geometry g = volume.geometry();
		if (g.nx() > 65535 || g.ny() > 65535)
			throw new IllegalArgumentException("slice size " + g.nx() + "×" + g.ny() + " exceeds DICOM's 65535 rows/columns");
	}

	private static void checkSlice(Volume volume, int z) {
		checkVolume(volume);
		if (z < 0 || z >= volume.geometry().nz())
			throw new IllegalArgumentException("slice z = " + z + " is outside 0.." + (volume.geometry().nz() - 1));
	}

	private static void checkTransferSyntax(String uid) {
		if (!EXPLICIT_VR_LITTLE_ENDIAN.equals(uid) && !JPEG_LOSSLESS_SV1.equals(uid))
			throw new IllegalArgumentException("transfer syntax '" + uid + "' cannot be written; use "
				+ EXPLICIT_VR_LITTLE_ENDIAN + " (Explicit VR Little Endian) or " + JPEG_LOSSLESS_SV1
				+ " (JPEG Lossless SV1)");
	}

	/** Stored values of slice z by the coding (for CT: round(HU) + 1024, clamped to 16 bits; NaN → -32768). */
	private static int[] storedValues(Volume volume, int z, PixelCoding coding) {
		int n = volume.geometry().sliceSize();
		float[] v = volume.voxels();
		int[] s = new int[n];
		int off = z * n;
		for (int i = 0; i < n; i++) s[i] = coding.stored(v[off + i]);
		return s;
	}

	private static byte[] pixelBytes(int[] stored) {
		byte[] b = new byte[stored.length * 2];
		for (int i = 0; i < stored.length; i++) {
			b[2 * i] = (byte) stored[i];
			b[2 * i + 1] = (byte) (stored[i] >> 8);
		}
		return b;
	}

	private static double[] cross(double[] d) {
		return new double[] {d[1] * d[5] - d[2] * d[4], d[2] * d[3] - d[0] * d[5], d[0] * d[4] - d[1] * d[3]};
	}

	private static byte[] le32(int v) {
		return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
	}


	/** Elements of one data set in ascending tag order, encoded Explicit VR Little Endian. */
	private static final class DataSet {
		private final Map<Integer, Object[]> elements = new TreeMap<>(Integer::compareUnsigned);

		void put(int tag, String vr, byte[] value) {
			elements.put(tag, new Object[] {vr, value});
		}

		/** Text VRs are padded to even length with a space (PS3.5 §6.2). */
		void text(int tag, String vr, String value) {
			byte[] b = value.getBytes(StandardCharsets.US_ASCII);
			if (b.length % 2 != 0) {
				b = java.util.Arrays.copyOf(b, b.length + 1);
				b[b.length - 1] = ' ';
			}
			put(tag, vr, b);
		}

		/** UIDs are padded to even length with NUL (PS3.5 §9.1). */
		void uid(int tag, String uid) {
			byte[] b = uid.getBytes(StandardCharsets.US_ASCII);
			if (b.length % 2 != 0) b = java.util.Arrays.copyOf(b, b.length + 1);
			put(tag, "UI", b);
		}

		void us(int tag, int value) {
			put(tag, "US", new byte[] {(byte) value, (byte) (value >> 8)});
		}

		/**
		 * Encapsulated Pixel Data of one frame (PS3.5 §A.4): OB of undefined length holding an empty Basic Offset
		 * Table item, one fragment item with the stream padded to even length with a trailing 0x00, and a
		 * Sequence Delimitation Item.
		 */
		void encapsulated(int tag, byte[] stream) {
			int padded = stream.length + (stream.length & 1);
			ByteArrayOutputStream v = new ByteArrayOutputStream(padded + 24);
			v.writeBytes(itemHeader(ITEM, 0));
			v.writeBytes(itemHeader(ITEM, padded));
			v.writeBytes(stream);
			if (padded != stream.length) v.write(0);
			v.writeBytes(itemHeader(SEQUENCE_DELIMITATION, 0));
			elements.put(tag, new Object[] {"OB", v.toByteArray(), Boolean.TRUE});
		}

		private static final int ITEM = 0xFFFEE000, SEQUENCE_DELIMITATION = 0xFFFEE0DD;

		/** An item or delimiter tag (group, element little endian) and its 32-bit length. */
		private static byte[] itemHeader(int tag, int length) {
			byte[] le = le32(length);
			return new byte[] {(byte) (tag >>> 16), (byte) (tag >>> 24), (byte) tag, (byte) (tag >>> 8), le[0], le[1],
				le[2], le[3]};
		}

		byte[] encode() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			for (Map.Entry<Integer, Object[]> e : elements.entrySet()) {
				int tag = e.getKey();
				String vr = (String) e.getValue()[0];
				byte[] value = (byte[]) e.getValue()[1];
				boolean undefinedLength = e.getValue().length > 2;
				out.write(tag >>> 16 & 0xFF);
				out.write(tag >>> 24 & 0xFF);
				out.write(tag & 0xFF);
				out.write(tag >>> 8 & 0xFF);
				out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
				// PS3.5 §7.1.2: these VRs have two reserved bytes and a 32-bit length.
				if (vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN") || vr.equals("UT")) {
					out.write(0);
					out.write(0);
					out.writeBytes(le32(undefinedLength ? -1 : value.length));
				} else {
					if (value.length > 0xFFFF)
						throw new IllegalArgumentException("value of " + Tag.toString(tag) + " is too long for " + vr);
					out.write(value.length & 0xFF);
					out.write(value.length >>> 8 & 0xFF);
				}
				out.writeBytes(value);
			}
			return out.toByteArray();
		}
	}
}
