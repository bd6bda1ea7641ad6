package org.medcnn.dicom.rt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.DicomWriter.SeriesInfo;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.Tag;
import org.medcnn.testing.ChildProcesses;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/** Write → read round trips of RT Structure Sets on synthetic axial and oblique series, and refusals. */
class RtStructRoundTripTest {

	private static final Path DCIODVFY = Path.of("/usr/bin/dciodvfy");

	@TempDir
	Path tmp;

	private DicomSeries series(Geometry g, String name) throws IOException {
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i % 97 - 40;
		DicomWriter.writeSeries(new Volume(g, v, "CT"), tmp.resolve(name),
			SeriesInfo.synthetic("rt-test/" + name, "PHANTOM^RT", "RT001", "synthetic"));
		List<DicomSeries> s = SeriesScanner.scan(List.of(tmp.resolve(name)), ProgressListener.NONE, null);
		assertEquals(1, s.size());
		return s.get(0);
	}

	private static Geometry axial() {
		return new Geometry(24, 20, 5, new double[] {0.8, 0.9, 2.5}, new double[] {-50, -40.5, 20}, Geometry.AXIAL);
	}

	private static Geometry oblique() {
		double a = Math.toRadians(20), b = Math.toRadians(35);
		double[] row = {Math.cos(a), Math.sin(a), 0};
		double[] col = {-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)};
		double[] n = {row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]};
		return new Geometry(24, 20, 5, new double[] {0.7, 0.7, 3}, new double[] {12.5, -80, 33.25},
			new double[] {row[0], row[1], row[2], col[0], col[1], col[2], n[0], n[1], n[2]});
	}

	/**
	 * Slice 1: a ring (10×9 box with a 4×3 hole) and a separate disc; slice 2: a diagonal staircase whose pixels
	 * touch only at corners, plus an L shape touching the border; slice 3: one pixel; slices 0 and 4 empty.
	 */
	private static Mask shapes(Geometry g, int label) {
		byte[] l = new byte[g.voxelCount()];
		byte b = (byte) label;
		for (int y = 2; y < 11; y++)
			for (int x = 2; x < 12; x++) l[g.index(x, y, 1)] = b;
		for (int y = 5; y < 8; y++)
			for (int x = 5; x < 9; x++) l[g.index(x, y, 1)] = 0;
		for (int y = 0; y < g.ny(); y++)
			for (int x = 0; x < g.nx(); x++)
				if (Math.pow(x - 18, 2) + Math.pow(y - 14, 2) <= 12) l[g.index(x, y, 1)] = b;
		for (int i = 0; i < 6; i++) l[g.index(3 + i, 3 + i, 2)] = b;
		for (int y = 12; y < 20; y++) l[g.index(23, y, 2)] = b;
		for (int x = 16; x < 24; x++) l[g.index(x, 19, 2)] = b;
		l[g.index(7, 15, 3)] = b;
		return new Mask(g, l);
	}

	static double dice(Mask a, Mask b) {
		long both = 0, na = 0, nb = 0;
		for (int i = 0; i < a.labels().length; i++) {
			boolean x = a.labels()[i] != 0, y = b.labels()[i] != 0;
			if (x) na++;
			if (y) nb++;
			if (x && y) both++;
		}
		return 2.0 * both / (na + nb);
	}

	private void roundTrip(Geometry grid, String name) throws IOException {
		DicomSeries s = series(grid, name);
		Mask m = shapes(s.geometry(), 1);
		Path rt = RtStructWriter.write(m, s, tmp.resolve("out/" + name + "_rtstruct.dcm"),
			RtStructOptions.forModel("test-unet", "0.1.0"));
		assertEquals(List.of("Lesion"), RtStructReader.roiNames(rt));
		Mask back = RtStructReader.read(rt, "Lesion", s);
		assertTrue(dice(m, back) >= 0.98, "Dice " + dice(m, back));
		assertArrayEquals(m.labels(), back.labels(), "edge contours read back with the pixel-centre rule are exact");
		assertArrayEquals(m.labels(), RtStructReader.read(rt, "lesion", s.geometry()).labels(), "name ignoring case");
	}

	@Test
	void axialRoundTripIsExact() throws IOException {
		roundTrip(axial(), "axial");
	}

	@Test
	void obliqueRoundTripIsExact() throws IOException {
		roundTrip(oblique(), "oblique");
	}

	@Test
	void contoursHoldsHolesComponentsAndReferences() throws IOException {
		DicomSeries s = series(axial(), "refs");
		Path rt = RtStructWriter.write(shapes(s.geometry(), 1), s, tmp.resolve("refs.dcm"),
			RtStructOptions.forModel("m", "0.1.0"));
		DicomObject o = DicomReader.read(rt);
		assertEquals("RTSTRUCT", o.getString(Tag.Modality));
		assertEquals(RtStructWriter.RT_STRUCTURE_SET_STORAGE, o.getString(Tag.SOPClassUID));
		List<DicomObject> contours = o.getSequence(RtTags.ROIContourSequence).get(0).getSequence(RtTags.ContourSequence);
		// slice 1: ring outline + hole + disc; slice 2: 6 diagonal pixels + L; slice 3: one pixel
		assertEquals(3 + 7 + 1, contours.size());
		DicomObject onePixel = contours.get(contours.size() - 1);
		assertEquals(4, onePixel.getInt(RtTags.NumberOfContourPoints, -1));
		String sop = DicomReader.readHeader(s.files().get(3)).getString(Tag.SOPInstanceUID);
		assertEquals(sop, onePixel.getSequence(RtTags.ContourImageSequence).get(0).getString(Tag.ReferencedSOPInstanceUID));
		DicomObject series = o.getSequence(RtTags.ReferencedFrameOfReferenceSequence).get(0)
			.getSequence(RtTags.RTReferencedStudySequence).get(0).getSequence(RtTags.RTReferencedSeriesSequence).get(0);
		assertEquals(s.seriesInstanceUID(), series.getString(Tag.SeriesInstanceUID));
		assertEquals(5, series.getSequence(RtTags.ContourImageSequence).size());
		assertEquals("GTV", o.getSequence(RtTags.RTROIObservationsSequence).get(0).getString(RtTags.RTROIInterpretedType));
		DicomObject source = DicomReader.readHeader(s.files().get(0));
		assertEquals(source.getString(Tag.PatientID), o.getString(Tag.PatientID));
		assertEquals(source.getString(Tag.StudyInstanceUID), o.getString(Tag.StudyInstanceUID));
	}

	@Test
	void readsEachRoiByNameAndListsNamesOfUnknownOne() throws IOException {
		DicomSeries s = series(axial(), "two");
		Geometry g = s.geometry();
		byte[] l = shapes(g, 1).labels().clone();
		for (int y = 14; y < 18; y++)
			for (int x = 1; x < 5; x++) l[g.index(x, y, 3)] = 2;
		Mask m = new Mask(g, l);
		Path rt = RtStructWriter.write(m, s, tmp.resolve("two.dcm"), RtStructOptions.forModel("m", "0.1.0").withRoi("Liver", "ORGAN"));
		assertEquals(List.of("Liver 1", "Liver 2"), RtStructReader.roiNames(rt));
		Mask second = RtStructReader.read(rt, "Liver 2", g);
		assertEquals(16, second.foregroundCount());
		for (int i = 0; i < l.length; i++) assertEquals(l[i] == 2 ? 1 : 0, second.labels()[i]);
		DicomReadException e = assertThrows(DicomReadException.class, () -> RtStructReader.read(rt, "Spleen", g));
		assertTrue(e.getMessage().contains("'Spleen'") && e.getMessage().contains("'Liver 1', 'Liver 2'"), e.getMessage());
		assertTrue(e.getMessage().contains("two.dcm"), e.getMessage());
	}

	@Test
	void contoursOffTheGridAreRefused() throws IOException {
		DicomSeries s = series(axial(), "off");
		Geometry g = s.geometry();
		Path rt = RtStructWriter.write(shapes(g, 1), s, tmp.resolve("off.dcm"), RtStructOptions.forModel("m", "0.1.0"));
		Geometry fewer = new Geometry(g.nx(), g.ny(), 2, g.spacingMm(), g.originMm(), g.direction());
		DicomReadException e = assertThrows(DicomReadException.class, () -> RtStructReader.read(rt, "Lesion", fewer));
		assertTrue(e.getMessage().contains("off.dcm") && e.getMessage().contains("'Lesion'"), e.getMessage());
		double[] o = g.originMm();
		Geometry tilted = new Geometry(g.nx(), g.ny(), g.nz(), g.spacingMm(), o,
			new double[] {1, 0, 0, 0, 0.8, 0.6, 0, -0.6, 0.8});
		assertThrows(DicomReadException.class, () -> RtStructReader.read(rt, "Lesion", tilted));
		DicomSeries other = series(g, "other"); // same grid, another frame of reference
		e = assertThrows(DicomReadException.class, () -> RtStructReader.read(rt, "Lesion", other));
		assertTrue(e.getMessage().contains("frame of reference"), e.getMessage());
		Path image = s.files().get(0);
		assertThrows(DicomReadException.class, () -> RtStructReader.roiNames(image));
	}

	@Test
	void refusesEmptyAndMisfitMasks() throws IOException {
		DicomSeries s = series(axial(), "bad");
		RtStructOptions o = RtStructOptions.forModel("m", "0.1.0");
		assertThrows(IllegalArgumentException.class, () -> RtStructWriter.write(Mask.empty(s.geometry()), s, tmp.resolve("e.dcm"), o));
		assertThrows(IllegalArgumentException.class,
			() -> RtStructWriter.write(shapes(oblique(), 1), s, tmp.resolve("e.dcm"), o));
		assertThrows(IllegalArgumentException.class, () -> o.withRoi("x", "TUMOUR"));
	}

	@Test
	void writtenRtStructPassesDciodvfy() throws Exception {
		assumeTrue(Files.isExecutable(DCIODVFY), "dciodvfy (dicom3tools) is not installed");
		DicomSeries s = series(oblique(), "verify");
		byte[] l = shapes(s.geometry(), 1).labels().clone();
		l[s.geometry().index(20, 3, 4)] = 2; // a second ROI
		Path rt = RtStructWriter.write(new Mask(s.geometry(), l), s, tmp.resolve("verify_rtstruct.dcm"),
			RtStructOptions.forModel("test-unet", "0.1.0"));
		String report = ChildProcesses.run(List.of(DCIODVFY.toString(), rt.toString()), Duration.ofSeconds(60)).text();
		for (String line : report.split("\n")) assertFalse(line.contains("Error"), report);
	}
}
