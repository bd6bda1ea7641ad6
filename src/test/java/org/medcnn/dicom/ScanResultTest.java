package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomDatasetWriter.Dataset;

/** Series assembly over a folder tree with several studies, a DICOMDIR, a localizer and non-image objects. */
class ScanResultTest {

	@TempDir
	Path dir;

	private static Path nonImage(Path f, String modality, String sopClass) throws Exception {
		Dataset d = new Dataset().uid(Tag.SOPClassUID, sopClass).text(Tag.Modality, "CS", modality)
			.uid(Tag.SeriesInstanceUID, "1.2.3.99." + modality.length()).uid(Tag.StudyInstanceUID, "1.2.3.4");
		return DicomDatasetWriter.writeFile(f, d, sopClass, "1.2.3.98." + modality.length());
	}

	@Test
	void testSkippedFilesAreListedWithReasons() throws Exception {
		for (int i = 0; i < 3; i++) {
			SeriesScannerTest.writeSlice(dir.resolve("study1/ct/" + i + ".dcm"), "1.2.3.70", 2, 2,
				new double[] {0, 0, 2 * i}, SeriesScannerTest.AXIAL, i + 1, i);
			SeriesScannerTest.writeSlice(dir.resolve("study2/ct/" + i + ".dcm"), "1.2.3.71", 2, 2,
				new double[] {0, 0, 3 * i}, SeriesScannerTest.AXIAL, i + 1, i);
		}
		// a localizer of series 1.2.3.70: coronal, so without the skip it would split the series
		Path loc = dir.resolve("study1/ct/loc.dcm");
		SeriesScannerTest.writeSlice(loc, "1.2.3.70", 2, 2, new double[] {0, 0, 0}, new double[] {1, 0, 0, 0, 0, -1}, 0, 0);
		DicomObject o = DicomReader.read(loc);
		Dataset d = new Dataset().text(Tag.ImageType, "CS", "ORIGINAL", "PRIMARY", "LOCALIZER")
			.uid(Tag.SeriesInstanceUID, "1.2.3.70").text(Tag.Modality, "CS", "CT")
			.text(Tag.ImagePositionPatient, "DS", "0\\0\\0").text(Tag.ImageOrientationPatient, "DS", "1\\0\\0\\0\\0\\-1")
			.us(Tag.SamplesPerPixel, 1).text(Tag.PhotometricInterpretation, "CS", "MONOCHROME2").us(Tag.Rows, 2)
			.us(Tag.Columns, 2).us(Tag.BitsAllocated, 16).us(Tag.BitsStored, 16).us(Tag.HighBit, 15)
			.us(Tag.PixelRepresentation, 1).bytes(Tag.PixelData, "OW", o.getBytes(Tag.PixelData));
		DicomDatasetWriter.writeFile(loc, d, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.97");
		Path sr = nonImage(dir.resolve("study1/sr.dcm"), "SR", "1.2.840.10008.5.1.4.1.1.88.22");
		Path plan = nonImage(dir.resolve("study1/plan.dcm"), "RTPLAN", "1.2.840.10008.5.1.4.1.1.481.5");
		Path pr = nonImage(dir.resolve("study2/pr.dcm"), "PR", "1.2.840.10008.5.1.4.1.1.11.1");
		Dataset dirRecord = new Dataset().text(0x00041430, "CS", "PATIENT");
		Dataset dicomdir = new Dataset().text(0x00041130, "CS", "TEST").sequence(0x00041220, dirRecord);
		Path dd = DicomDatasetWriter.writeFile(dir.resolve("DICOMDIR"), dicomdir, "1.2.840.10008.1.3.10", "1.2.3.96");
		Path junk = dir.resolve("notes.txt");
		Files.writeString(junk, "hello");

		ScanResult r = SeriesScanner.scanDetailed(List.of(dir), null, null);
		assertEquals(2, r.series().size());
		for (DicomSeries s : r.series()) assertEquals(3, s.slices());
		assertEquals(r.series(), SeriesScanner.scan(List.of(dir), null, null));
		Map<Path, String> reasons = new TreeMap<>();
		for (ScanResult.Skipped s : r.skipped()) reasons.put(s.file(), s.reason());
		assertEquals(6, reasons.size(), reasons.toString());
		assertTrue(reasons.get(loc).startsWith("localizer"), reasons.toString());
		assertTrue(reasons.get(sr).startsWith("structured report"), reasons.toString());
		assertTrue(reasons.get(plan).startsWith("RT plan"), reasons.toString());
		assertTrue(reasons.get(pr).startsWith("presentation state"), reasons.toString());
		assertTrue(reasons.get(dd).startsWith("DICOMDIR"), reasons.toString());
		assertEquals("not a DICOM file", reasons.get(junk));
		assertEquals(6, r.skippedJson().size());
		assertTrue(r.skipped().get(0).toString().contains(": "));
	}

	@Test
	void testCorpusSegIsSkippedNotASeries() throws Exception {
		Path seg = DicomCorpusTest.CORPUS.resolve("files/seg_liver_3frame.dcm");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(seg), "shared corpus missing");
		ScanResult r = SeriesScanner.scanDetailed(List.of(seg), null, null);
		assertTrue(r.series().isEmpty());
		assertTrue(r.skipped().get(0).reason().contains("SEG"), r.skipped().toString());
	}
}
