package org.medcnn.dicom.rt;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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
import org.medcnn.dicom.Tag;
import org.medcnn.dicom.Uids;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * Writes a {@link Mask} as a DICOM RT Structure Set (PS3.3 A.19, SOP class {@value #RT_STRUCTURE_SET_STORAGE},
 * Explicit VR Little Endian) whose contours reference the source series the mask was drawn on.
 * <p>
 * One ROI per label present, numbered 1, 2, … in ascending label order, generation algorithm AUTOMATIC, with the
 * interpreted type of the options. Per slice and label, every boundary of the label's pixels (outer boundaries of
 * each connected component and their holes) becomes a CLOSED_PLANAR contour that runs along the pixel edges, half
 * a pixel outside the centres of the boundary pixels, with vertices only where it turns. Read with the
 * pixel-centre rule and even-odd filling ({@link RtStructReader}), the contours give back exactly the mask.
 * Each contour references its slice's instance; the Referenced Frame of Reference Sequence lists every slice.
 * The Patient and General Study modules are copied from the first source file. New SeriesInstanceUID and
 * SOPInstanceUID.
 * <p>
 * The file is written through a temporary file and a rename; writing onto one of the source files is refused.
 * Stateless and thread-safe.
 */
public final class RtStructWriter {

	/** RT Structure Set Storage SOP class, PS3.4 Annex B. */
	public static final String RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3";
	/** Geometry tolerance (mm) between the mask and the source series. */
	public static final double GEOMETRY_TOLERANCE_MM = 1e-3;
	/** Referenced SOP class of the RT Referenced Study Sequence (Detached Study Management, PS3.3 C.8.8.5). */
	static final String STUDY_COMPONENT_CLASS = "1.2.840.10008.3.1.2.3.1";
	/** Display colours (RGB) of ROIs 1, 2, …, cycled. */
	/** The object, for messages. */
	private static final String KIND = "an RTSTRUCT";

	private RtStructWriter() {}

	/** {@link #write(Mask, DicomSeries, Path, RtStructOptions, ProgressListener, Cancellation)} without progress. */
	public static Path write(Mask mask, DicomSeries source, Path out, RtStructOptions options) throws IOException {
		return write(mask, source, out, options, null, null);
	}

	/**
	 * Writes the RT Structure Set.
	 *
	 * @param mask labels on the source series' grid; must have foreground
	 * @param source the series the mask was computed on (its files are read, headers only)
	 * @param out the RTSTRUCT file (replaced if it exists); never one of the source files
	 * @param progress progress (may be null)
	 * @param cancel checked per source file and per slice (may be null)
	 * @return {@code out}
	 * @throws IllegalArgumentException if the mask is empty, does not fit the series' grid, out is a source file, or
	 *         one slice's contour has too many points for ContourData
	 * @throws IOException if a source header cannot be read or lacks a UID an RTSTRUCT must reference, or on write
	 *         errors
	 */
	public static Path write(Mask mask, DicomSeries source, Path out, RtStructOptions options, ProgressListener progress,
		Cancellation cancel) throws IOException {
		ProgressListener p = progress == null ? ProgressListener.NONE : progress;
		DicomDatasetWriter.checkMaskForSeries(mask, source, out, GEOMETRY_TOLERANCE_MM,
			"an RT Structure Set needs at least one ROI", KIND);
		p.progress(0, "Reading source headers");
		List<SourceSlice> slices = DicomDatasetWriter.sourceSlices(source, KIND, cancel);
		DicomObject first = slices.get(0).header();
		p.progress(0.3, "Tracing contours");
		Dataset ds = dataset(mask, source, slices, first, options, cancel);
		p.progress(0.9, "Writing " + out.getFileName());
		String sopInstanceUid = Uids.random();
		ds.uid(Tag.SOPInstanceUID, sopInstanceUid);
		DicomDatasetWriter.writeFile(out, ds, RT_STRUCTURE_SET_STORAGE, sopInstanceUid);
		p.progress(1, "Wrote " + out.getFileName());
		return out;
	}

	/** What a contour needs of its source slice. */
	/** The Contour Image / Referenced SOP item of a source slice. */
	private static Dataset reference(SourceSlice s) {
		Dataset d = new Dataset().uid(Tag.ReferencedSOPClassUID, s.sopClassUid())
			.uid(Tag.ReferencedSOPInstanceUID, s.sopInstanceUid());
		if (s.frameNumber() > 0) d.text(RtTags.ReferencedFrameNumber, "IS", Integer.toString(s.frameNumber()));
		return d;
	}

	private static Dataset dataset(Mask mask, DicomSeries source, List<SourceSlice> slices, DicomObject first,
		RtStructOptions o, Cancellation cancel) throws IOException {
		Path firstFile = source.files().get(0);
		String studyUid = DicomDatasetWriter.requiredUid(first, Tag.StudyInstanceUID, firstFile, KIND);
		String frameOfReference = DicomDatasetWriter.requiredUid(first, Tag.FrameOfReferenceUID, firstFile, KIND);
		String seriesUid = source.seriesInstanceUID();
		if (!Uids.isValid(seriesUid))
			throw new IOException(firstFile + ": the source series has no valid SeriesInstanceUID; an RTSTRUCT cannot reference it");
		LocalDateTime now = LocalDateTime.now();
		String date = now.format(DateTimeFormatter.BASIC_ISO_DATE);
		String time = now.format(DateTimeFormatter.ofPattern("HHmmss"));

		Dataset ds = new Dataset();
		if (DicomDatasetWriter.needsUtf8(first)) ds.utf8();
		// SOP Common (C.12.1)
		ds.text(Tag.InstanceCreationDate, "DA", date);
		ds.text(Tag.InstanceCreationTime, "TM", time);
		ds.uid(Tag.SOPClassUID, RT_STRUCTURE_SET_STORAGE);
		// Patient, General Study (C.7.1.1, C.7.2.1): copied so the RTSTRUCT files with its study.
		ds.copyText(first, Tag.StudyDate, "DA", true);
		ds.text(Tag.SeriesDate, "DA", date);
		ds.copyText(first, Tag.StudyTime, "TM", true);
		ds.text(Tag.SeriesTime, "TM", time);
		ds.copyText(first, Tag.AccessionNumber, "SH", true);
		// RT Series (C.8.8.1), General Equipment (C.7.5.1)
		ds.text(Tag.Modality, "CS", "RTSTRUCT");
		ds.text(Tag.Manufacturer, "LO", "MedCNN");
		ds.copyText(first, Tag.ReferringPhysicianName, "PN", true);
		ds.copyText(first, Tag.StudyDescription, "LO", false);
		if (!o.seriesDescription().isEmpty()) ds.text(Tag.SeriesDescription, "LO", o.seriesDescription());
		ds.text(Tag.OperatorsName, "PN");
		ds.text(Tag.ManufacturerModelName, "LO", "MedCNN");
		ds.copyText(first, Tag.PatientName, "PN", true);
		ds.copyText(first, Tag.PatientID, "LO", true);
		ds.copyText(first, RtTags.IssuerOfPatientID, "LO", false);
		ds.copyText(first, Tag.PatientBirthDate, "DA", true);
		ds.copyText(first, Tag.PatientSex, "CS", true);
		if (!o.softwareVersions().isEmpty()) ds.text(Tag.SoftwareVersions, "LO", o.softwareVersions());
		ds.uid(Tag.StudyInstanceUID, studyUid);
		ds.uid(Tag.SeriesInstanceUID, Uids.random());
		ds.copyText(first, Tag.StudyID, "SH", true);
		ds.text(Tag.SeriesNumber, "IS", Integer.toString(o.seriesNumber()));
		ds.text(Tag.InstanceNumber, "IS", "1");
		// Frame of Reference (C.7.4.1), part of the IOD since PS3.3 2021
		ds.uid(Tag.FrameOfReferenceUID, frameOfReference);
		ds.copyText(first, Tag.PositionReferenceIndicator, "LO", true);

		// Structure Set (C.8.8.5)
		ds.text(RtTags.StructureSetLabel, "SH", o.structureSetLabel());
		ds.text(RtTags.StructureSetDate, "DA", date);
		ds.text(RtTags.StructureSetTime, "TM", time);
		List<Dataset> images = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (SourceSlice s : slices)
			if (s.frameNumber() > 0 || seen.add(s.sopInstanceUid())) images.add(reference(s));
		ds.sequence(RtTags.ReferencedFrameOfReferenceSequence, new Dataset()
			.uid(Tag.FrameOfReferenceUID, frameOfReference)
			.sequence(RtTags.RTReferencedStudySequence, new Dataset()
				.uid(Tag.ReferencedSOPClassUID, STUDY_COMPONENT_CLASS)
				.uid(Tag.ReferencedSOPInstanceUID, studyUid)
				.sequence(RtTags.RTReferencedSeriesSequence, new Dataset()
					.uid(Tag.SeriesInstanceUID, seriesUid)
					.sequence(RtTags.ContourImageSequence, images))));

		int[] labels = labelsPresent(mask);
		List<Dataset> rois = new ArrayList<>(), contours = new ArrayList<>(), observations = new ArrayList<>();
		for (int r = 0; r < labels.length; r++) {
			int number = r + 1;
			String name = labels.length == 1 ? o.roiName() : o.roiName() + " " + labels[r];
			if (name.length() > 64) name = name.substring(0, 64);
			Dataset roi = new Dataset().text(RtTags.ROINumber, "IS", Integer.toString(number))
				.uid(RtTags.ReferencedFrameOfReferenceUID, frameOfReference)
				.text(RtTags.ROIName, "LO", name)
				.text(RtTags.ROIGenerationAlgorithm, "CS", "AUTOMATIC");
			if (!o.algorithmName().isEmpty()) roi.text(RtTags.ROIGenerationDescription, "LO", o.algorithmName());
			rois.add(roi);
			int[] rgb = DicomDatasetWriter.DISPLAY_COLOURS[r % DicomDatasetWriter.DISPLAY_COLOURS.length];
			contours.add(new Dataset()
				.text(RtTags.ROIDisplayColor, "IS", Integer.toString(rgb[0]), Integer.toString(rgb[1]), Integer.toString(rgb[2]))
				.sequence(RtTags.ContourSequence, contours(mask, (byte) labels[r], slices, name, cancel))
				.text(RtTags.ReferencedROINumber, "IS", Integer.toString(number)));
			observations.add(new Dataset().text(RtTags.ObservationNumber, "IS", Integer.toString(number))
				.text(RtTags.ReferencedROINumber, "IS", Integer.toString(number))
				.text(RtTags.RTROIInterpretedType, "CS", o.interpretedType())
				.text(RtTags.ROIInterpreter, "PN"));
		}
		ds.sequence(RtTags.StructureSetROISequence, rois);
		ds.sequence(RtTags.ROIContourSequence, contours);
		ds.sequence(RtTags.RTROIObservationsSequence, observations);
		return ds;
	}

	private static List<Dataset> contours(Mask mask, byte label, List<SourceSlice> slices, String roi, Cancellation cancel) {
		Geometry g = mask.geometry();
		byte[] labels = mask.labels();
		List<Dataset> out = new ArrayList<>();
		int number = 1;
		for (int z = 0; z < g.nz(); z++) {
			if (cancel != null) cancel.check();
			List<double[]> loops = Contours.trace(labels, z * g.sliceSize(), g.nx(), g.ny(), label);
			for (double[] loop : loops) {
				int points = loop.length / 2;
				String[] data = new String[points * 3];
				int bytes = 0;
				for (int i = 0; i < points; i++) {
					double[] p = g.toPatient(loop[2 * i], loop[2 * i + 1], z);
					for (int k = 0; k < 3; k++) {
						data[3 * i + k] = decimal(p[k]);
						bytes += data[3 * i + k].length() + 1;
					}
				}
				if (bytes > 0xFFFE)
					throw new IllegalArgumentException("ROI '" + roi + "', slice " + z + ": a contour of " + points
						+ " points does not fit ContourData (at most 65534 bytes in Explicit VR Little Endian)");
				out.add(new Dataset().sequence(RtTags.ContourImageSequence, reference(slices.get(z)))
					.text(RtTags.ContourGeometricType, "CS", "CLOSED_PLANAR")
					.text(RtTags.NumberOfContourPoints, "IS", Integer.toString(points))
					.text(RtTags.ContourNumber, "IS", Integer.toString(number++))
					.text(RtTags.ContourData, "DS", data));
			}
		}
		return out;
	}

	/** A coordinate as a short DS: at most 4 decimals (0.1 µm), no trailing zeros. */
	static String decimal(double v) {
		if (!Double.isFinite(v)) throw new IllegalArgumentException("contour coordinate must be finite but is " + v);
		String s = new BigDecimal(v).setScale(4, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
		return s.equals("-0") ? "0" : s;
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
}
