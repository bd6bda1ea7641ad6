package org.medcnn.dicom.seg;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomDatasetWriter;
import org.medcnn.dicom.DicomDatasetWriter.Dataset;
import org.medcnn.dicom.DicomDatasetWriter.SourceSlice;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.Tag;
import org.medcnn.dicom.Uids;
import org.medcnn.dicom.codec.DeflatedFrames;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * Writes a {@link Mask} as a binary DICOM Segmentation (PS3.3 A.51, SOP class {@value #SEGMENTATION_STORAGE},
 * Explicit VR Little Endian, or Deflated Image Frame Compression with {@link SegCompression#DEFLATE}) that
 * references the source series the mask was drawn on.
 * <p>
 * One segment per label present in the mask, numbered 1, 2, … in ascending label order (a mask with labels 1…k
 * reads back identically with {@link SegReader}); every segment is "Morphologically abnormal structure /
 * Neoplasm" (SNOMED CT 49755003 / 108369006), algorithm type AUTOMATIC. Only frames with foreground are
 * written, ordered by segment then by slice; each frame carries its source slice's ImagePositionPatient (as
 * the source file states it), a reference to the source instance and the dimension index (segment, slice).
 * The Patient and General Study modules are copied from the first source file, since a SEG must match its
 * study to be filed in a PACS; messages never contain them. New SeriesInstanceUID and SOPInstanceUID.
 * <p>
 * The file is written through a temporary file and a rename; writing onto one of the source files is refused.
 * Stateless and thread-safe.
 */
public final class SegWriter {

	/** Segmentation Storage SOP class, PS3.4 Annex B. */
	public static final String SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";
	/** Geometry tolerance (mm) between the mask and the source series. */
	public static final double GEOMETRY_TOLERANCE_MM = 1e-3;
	/** The object, for messages. */
	private static final String KIND = "a SEG";
	/** Recommended display colours (sRGB) of segments 1, 2, …, cycled. */

	private SegWriter() {}

	/** {@link #write(Mask, DicomSeries, Path, SegOptions, ProgressListener, Cancellation)} without progress. */
	public static Path write(Mask mask, DicomSeries source, Path out, SegOptions options) throws IOException {
		return write(mask, source, out, options, null, null);
	}

	/**
	 * Writes the SEG.
	 *
	 * @param mask labels on the source series' grid; must have foreground
	 * @param source the series the mask was computed on (its files are read, headers only)
	 * @param out the SEG file (replaced if it exists); never one of the source files
	 * @param progress progress (may be null)
	 * @param cancel checked per source file (may be null)
	 * @return {@code out}
	 * @throws IllegalArgumentException if the mask is empty, does not fit the series' grid, or out is a source file
	 * @throws IOException if a source header cannot be read or lacks a UID a SEG must reference, or on write errors
	 */
	public static Path write(Mask mask, DicomSeries source, Path out, SegOptions options, ProgressListener progress,
		Cancellation cancel) throws IOException {
		return write(mask, source, out, options, SegCompression.NONE, progress, cancel);
	}

	/**
	 * Writes the SEG with its Pixel Data encoded as {@code compression} says.
	 *
	 * @see #write(Mask, DicomSeries, Path, SegOptions, ProgressListener, Cancellation)
	 */
	public static Path write(Mask mask, DicomSeries source, Path out, SegOptions options, SegCompression compression,
		ProgressListener progress, Cancellation cancel) throws IOException {
		ProgressListener p = progress == null ? ProgressListener.NONE : progress;
		DicomDatasetWriter.checkMaskForSeries(mask, source, out, GEOMETRY_TOLERANCE_MM,
			"a SEG needs at least one segment", KIND);
		p.progress(0, "Reading source headers");
		List<SourceSlice> slices = DicomDatasetWriter.sourceSlices(source, KIND, cancel);
		Dataset ds = dataset(mask, source, slices, slices.get(0).header(), options, compression);
		p.progress(0.9, "Writing " + out.getFileName());
		String sopInstanceUid = Uids.random();
		ds.uid(Tag.SOPInstanceUID, sopInstanceUid);
		DicomDatasetWriter.writeFile(out, ds, SEGMENTATION_STORAGE, sopInstanceUid, compression.transferSyntaxUid());
		p.progress(1, "Wrote " + out.getFileName());
		return out;
	}

	/** What a frame needs of its source slice. */
	/** A single-frame slice's own Image Position (Patient), else the grid's position of slice {@code z}. */
	private static String[] position(SourceSlice s, Geometry g, int z) {
		String[] ipp = s.frameNumber() == 0 ? s.header().getStrings(Tag.ImagePositionPatient) : null;
		return ipp != null && ipp.length == 3 ? ipp : position(g, z);
	}

	private static String[] position(Geometry g, int z) {
		double[] p = g.toPatient(0, 0, z);
		return new String[] {DicomWriter.ds(p[0]), DicomWriter.ds(p[1]), DicomWriter.ds(p[2])};
	}

	private static Dataset dataset(Mask mask, DicomSeries source, List<SourceSlice> slices, DicomObject first, SegOptions o,
		SegCompression compression) throws IOException {
		Path firstFile = source.files().get(0);
		Geometry g = mask.geometry();
		String studyUid = DicomDatasetWriter.requiredUid(first, Tag.StudyInstanceUID, firstFile, KIND);
		String frameOfReference = DicomDatasetWriter.requiredUid(first, Tag.FrameOfReferenceUID, firstFile, KIND);
		String seriesUid = source.seriesInstanceUID();
		if (!Uids.isValid(seriesUid))
			throw new IOException(firstFile + ": the source series has no valid SeriesInstanceUID; a SEG cannot reference it");
		LocalDateTime now = LocalDateTime.now();
		String date = now.format(DateTimeFormatter.BASIC_ISO_DATE);
		String time = now.format(DateTimeFormatter.ofPattern("HHmmss"));

		Dataset ds = new Dataset();
		if (DicomDatasetWriter.needsUtf8(first)) ds.utf8();
		// SOP Common, General Image, Segmentation Image (PS3.3 C.12.1, C.7.6.1, C.8.20.2)
		ds.text(Tag.ImageType, "CS", "DERIVED", "PRIMARY");
		ds.text(Tag.InstanceCreationDate, "DA", date);
		ds.text(Tag.InstanceCreationTime, "TM", time);
		ds.uid(Tag.SOPClassUID, SEGMENTATION_STORAGE);
		// Patient and General Study (C.7.1.1, C.7.2.1): copied so the SEG files with its study.
		ds.copyText(first, Tag.StudyDate, "DA", true);
		ds.text(Tag.SeriesDate, "DA", date);
		ds.text(Tag.ContentDate, "DA", date);
		ds.copyText(first, Tag.StudyTime, "TM", true);
		ds.text(Tag.SeriesTime, "TM", time);
		ds.text(Tag.ContentTime, "TM", time);
		ds.copyText(first, Tag.AccessionNumber, "SH", true);
		ds.text(Tag.Modality, "CS", "SEG");
		ds.text(Tag.Manufacturer, "LO", "MedCNN");
		ds.copyText(first, Tag.ReferringPhysicianName, "PN", true);
		ds.copyText(first, Tag.StudyDescription, "LO", false);
		if (!o.seriesDescription().isEmpty()) ds.text(Tag.SeriesDescription, "LO", o.seriesDescription());
		ds.text(Tag.ManufacturerModelName, "LO", "MedCNN");
		ds.sequence(Tag.ReferencedSeriesSequence, referencedSeries(seriesUid, slices));
		ds.copyText(first, Tag.PatientName, "PN", true);
		ds.copyText(first, Tag.PatientID, "LO", true);
		ds.copyText(first, SegTags.IssuerOfPatientID, "LO", false);
		ds.copyText(first, Tag.PatientBirthDate, "DA", true);
		ds.copyText(first, Tag.PatientSex, "CS", true);
		// Enhanced General Equipment (C.7.5.2): all type 1.
		ds.text(Tag.DeviceSerialNumber, "LO", "1");
		ds.text(Tag.SoftwareVersions, "LO", o.softwareVersions());
		ds.uid(Tag.StudyInstanceUID, studyUid);
		ds.uid(Tag.SeriesInstanceUID, Uids.random());
		ds.copyText(first, Tag.StudyID, "SH", true);
		ds.text(Tag.SeriesNumber, "IS", Integer.toString(o.seriesNumber()));
		ds.text(Tag.InstanceNumber, "IS", "1");
		ds.uid(Tag.FrameOfReferenceUID, frameOfReference);
		ds.copyText(first, Tag.PositionReferenceIndicator, "LO", true);

		// Frames: per segment (ascending label), the slices that hold it.
		int[] labels = labelsPresent(mask);
		List<int[]> frames = new ArrayList<>(); // {segment number, label, z}
		for (int s = 0; s < labels.length; s++)
			for (int z = 0; z < g.nz(); z++)
				if (sliceHas(mask, z, labels[s])) frames.add(new int[] {s + 1, labels[s], z});

		String dimensionOrganization = Uids.random();
		ds.sequence(SegTags.DimensionOrganizationSequence,
			new Dataset().uid(SegTags.DimensionOrganizationUID, dimensionOrganization));
		ds.sequence(SegTags.DimensionIndexSequence,
			new Dataset().uid(SegTags.DimensionOrganizationUID, dimensionOrganization)
				.at(SegTags.DimensionIndexPointer, SegTags.ReferencedSegmentNumber)
				.at(SegTags.FunctionalGroupPointer, SegTags.SegmentIdentificationSequence)
				.text(SegTags.DimensionDescriptionLabel, "LO", "ReferencedSegmentNumber"),
			new Dataset().uid(SegTags.DimensionOrganizationUID, dimensionOrganization)
				.at(SegTags.DimensionIndexPointer, Tag.ImagePositionPatient)
				.at(SegTags.FunctionalGroupPointer, Tag.PlanePositionSequence)
				.text(SegTags.DimensionDescriptionLabel, "LO", "ImagePositionPatient"));

		// Image Pixel (C.7.6.3) as C.8.20.2 constrains it for BINARY.
		ds.us(Tag.SamplesPerPixel, 1);
		ds.text(Tag.PhotometricInterpretation, "CS", "MONOCHROME2");
		ds.text(Tag.NumberOfFrames, "IS", Integer.toString(frames.size()));
		ds.us(Tag.Rows, g.ny());
		ds.us(Tag.Columns, g.nx());
		ds.us(Tag.BitsAllocated, 1);
		ds.us(Tag.BitsStored, 1);
		ds.us(Tag.HighBit, 0);
		ds.us(Tag.PixelRepresentation, 0);
		ds.text(Tag.LossyImageCompression, "CS", "00");
		ds.text(SegTags.SegmentationType, "CS", "BINARY");
		List<Dataset> segments = new ArrayList<>();
		for (int s = 0; s < labels.length; s++)
			segments.add(segment(s + 1, labels.length == 1 ? o.segmentLabel() : o.segmentLabel() + " " + labels[s], o));
		ds.sequence(SegTags.SegmentSequence, segments);
		ds.text(SegTags.ContentLabel, "CS", o.contentLabel());
		ds.text(SegTags.ContentDescription, "LO", "MedCNN automatic segmentation, research use only");
		ds.text(SegTags.ContentCreatorName, "PN", o.contentCreatorName());

		ds.sequence(Tag.SharedFunctionalGroupsSequence, shared(first, g));
		List<Dataset> perFrame = new ArrayList<>(frames.size());
		for (int[] f : frames) perFrame.add(frame(f[0], f[2], slices.get(f[2]), g));
		ds.sequence(Tag.PerFrameFunctionalGroupsSequence, perFrame);
		if (compression == SegCompression.DEFLATE) ds.encapsulated(Tag.PixelData, deflatedFrames(mask, frames));
		else ds.bytes(Tag.PixelData, "OB", pack(mask, frames));
		return ds;
	}

	/**
	 * Frames for Deflated Image Frame Compression: each packed on its own (least significant bit first, starting at
	 * a byte boundary, the last byte filled with zero bits) and deflated (PS3.5 §A.4.13, {@link DeflatedFrames}).
	 */
	private static List<byte[]> deflatedFrames(Mask mask, List<int[]> frames) {
		int plane = mask.geometry().sliceSize();
		byte[] labels = mask.labels();
		List<byte[]> out = new ArrayList<>(frames.size());
		byte[] bits = new byte[(plane + 7) / 8];
		for (int[] f : frames) {
			Arrays.fill(bits, (byte) 0);
			byte label = (byte) f[1];
			int off = f[2] * plane;
			for (int i = 0; i < plane; i++)
				if (labels[off + i] == label) bits[i >>> 3] |= (byte) (1 << (i & 7));
			out.add(DeflatedFrames.deflate(bits));
		}
		return out;
	}

	private static Dataset referencedSeries(String seriesUid, List<SourceSlice> slices) {
		List<Dataset> instances = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (SourceSlice s : slices) {
			if (!seen.add(s.sopInstanceUid())) continue; // a multi-frame source is one instance
			instances.add(new Dataset().uid(Tag.ReferencedSOPClassUID, s.sopClassUid())
				.uid(Tag.ReferencedSOPInstanceUID, s.sopInstanceUid()));
		}
		return new Dataset().sequence(SegTags.ReferencedInstanceSequence, instances)
			.uid(Tag.SeriesInstanceUID, seriesUid);
	}

	private static Dataset segment(int number, String label, SegOptions o) {
		int[] rgb = DicomDatasetWriter.DISPLAY_COLOURS[(number - 1) % DicomDatasetWriter.DISPLAY_COLOURS.length];
		return new Dataset()
			.sequence(SegTags.SegmentedPropertyCategoryCodeSequence,
				code("49755003", "SCT", "Morphologically abnormal structure"))
			.us(SegTags.SegmentNumber, number)
			.text(SegTags.SegmentLabel, "LO", label)
			.text(SegTags.SegmentAlgorithmType, "CS", "AUTOMATIC")
			.text(SegTags.SegmentAlgorithmName, "LO", o.algorithmName())
			.us(SegTags.RecommendedDisplayCIELabValue, dicomLab(rgb[0], rgb[1], rgb[2]))
			.sequence(SegTags.SegmentedPropertyTypeCodeSequence, code("108369006", "SCT", "Neoplasm"));
	}

	private static Dataset code(String value, String scheme, String meaning) {
		return new Dataset().text(SegTags.CodeValue, "SH", value).text(SegTags.CodingSchemeDesignator, "SH", scheme)
			.text(SegTags.CodeMeaning, "LO", meaning);
	}

	private static Dataset shared(DicomObject first, Geometry g) {
		double[] d = g.direction();
		String[] iop = first.getStrings(Tag.ImageOrientationPatient);
		if (iop == null || iop.length != 6) {
			iop = new String[6];
			for (int i = 0; i < 6; i++) iop[i] = DicomWriter.ds(d[i]);
		}
		double[] sp = g.spacingMm();
		String[] pixelSpacing = first.getStrings(Tag.PixelSpacing);
		if (pixelSpacing == null || pixelSpacing.length != 2)
			pixelSpacing = new String[] {DicomWriter.ds(sp[1]), DicomWriter.ds(sp[0])};
		String thickness = first.getString(Tag.SliceThickness);
		if (thickness == null || !(first.getDouble(Tag.SliceThickness, 0) > 0)) thickness = DicomWriter.ds(sp[2]);
		return new Dataset()
			.sequence(Tag.PlaneOrientationSequence, new Dataset().text(Tag.ImageOrientationPatient, "DS", iop))
			.sequence(Tag.PixelMeasuresSequence, new Dataset()
				.text(Tag.SliceThickness, "DS", thickness)
				.text(Tag.SpacingBetweenSlices, "DS", DicomWriter.ds(sp[2]))
				.text(Tag.PixelSpacing, "DS", pixelSpacing));
	}

	private static Dataset frame(int segment, int z, SourceSlice s, Geometry g) {
		Dataset source = new Dataset().uid(Tag.ReferencedSOPClassUID, s.sopClassUid())
			.uid(Tag.ReferencedSOPInstanceUID, s.sopInstanceUid())
			.sequence(SegTags.PurposeOfReferenceCodeSequence,
				code("121322", "DCM", "Source image for image processing operation"));
		if (s.frameNumber() > 0) source.text(SegTags.ReferencedFrameNumber, "IS", Integer.toString(s.frameNumber()));
		return new Dataset()
			.sequence(SegTags.DerivationImageSequence, new Dataset()
				.sequence(SegTags.SourceImageSequence, source)
				.sequence(SegTags.DerivationCodeSequence, code("113076", "DCM", "Segmentation")))
			.sequence(SegTags.FrameContentSequence, new Dataset().ul(SegTags.DimensionIndexValues, segment, z + 1))
			.sequence(Tag.PlanePositionSequence, new Dataset().text(Tag.ImagePositionPatient, "DS", position(s, g, z)))
			.sequence(SegTags.SegmentIdentificationSequence, new Dataset().us(SegTags.ReferencedSegmentNumber, segment));
	}

	/** Frames bit-packed, least significant bit first, frames contiguous in the bit stream (PS3.5 §8.1.1). */
	private static byte[] pack(Mask mask, List<int[]> frames) {
		int plane = mask.geometry().sliceSize();
		long bits = (long) plane * frames.size();
		if ((bits + 7) / 8 > Integer.MAX_VALUE - 16)
			throw new IllegalArgumentException("the SEG would need " + (bits + 7) / 8 + " bytes of pixel data, over 2 GB");
		byte[] out = new byte[(int) ((bits + 7) / 8)];
		byte[] labels = mask.labels();
		long bit = 0;
		for (int[] f : frames) {
			byte label = (byte) f[1];
			int off = f[2] * plane;
			for (int i = 0; i < plane; i++, bit++)
				if (labels[off + i] == label) out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
		}
		return out;
	}

	private static int[] labelsPresent(Mask mask) {
		boolean[] present = new boolean[256];
		for (byte b : mask.labels()) present[b & 0xFF] = true;
		int n = 0;
		for (int i = 1; i < 256; i++) if (present[i]) n++;
		int[] out = new int[n];
		n = 0;
		for (int i = 1; i < 256; i++) if (present[i]) out[n++] = i;
		return out;
	}

	private static boolean sliceHas(Mask mask, int z, int label) {
		int plane = mask.geometry().sliceSize();
		byte l = (byte) label;
		byte[] labels = mask.labels();
		for (int i = z * plane; i < (z + 1) * plane; i++) if (labels[i] == l) return true;
		return false;
	}

	/**
	 * sRGB → CIELab (D65) scaled as RecommendedDisplayCIELabValue wants (PS3.3 C.10.7.1.1): L 0…100 → 0…65535,
	 * a and b −128…127 → 0…65535.
	 */
	static int[] dicomLab(int r, int g, int b) {
		double[] c = {linear(r), linear(g), linear(b)};
		double x = (0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]) / 0.95047;
		double y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
		double zz = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.08883;
		double fx = f(x), fy = f(y), fz = f(zz);
		double l = 116 * fy - 16, a = 500 * (fx - fy), bb = 200 * (fy - fz);
		return new int[] {scale(l / 100.0), scale((a + 128) / 255.0), scale((bb + 128) / 255.0)};
	}

	private static double linear(int v) {
		double c = v / 255.0;
		return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
	}

	private static double f(double t) {
		return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
	}

	private static int scale(double unit) {
		return (int) Math.round(Math.max(0, Math.min(1, unit)) * 65535);
	}
}
