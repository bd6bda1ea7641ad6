package org.medcnn.dicom.rt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomDatasetWriter;
import org.medcnn.dicom.DicomDatasetWriter.Dataset;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.Tag;
import org.medcnn.dicom.Uids;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * {@link RtStructReader} on structure sets built by hand, as other planning systems write them: free polygons
 * (not on pixel edges), ROI numbers that are not list positions, POINT contours, and the pixel-centre rule.
 */
class RtStructReaderTest {

	@TempDir
	Path tmp;

	private static final Geometry GRID = new Geometry(30, 26, 4, new double[] {0.8, 0.8, 2}, new double[] {-12, -10, 4},
		Geometry.AXIAL);

	/** A diamond |u - cu| + |v - cv| = r on slice z, as LPS points (pixel units → mm). */
	private static double[] diamond(Geometry g, double cu, double cv, double r, int z) {
		double[][] uv = {{cu + r, cv}, {cu, cv + r}, {cu - r, cv}, {cu, cv - r}};
		double[] out = new double[12];
		for (int i = 0; i < 4; i++) {
			double[] p = g.toPatient(uv[i][0], uv[i][1], z);
			System.arraycopy(p, 0, out, 3 * i, 3);
		}
		return out;
	}

	private static Dataset contour(String type, double[] data) {
		String[] s = new String[data.length];
		for (int i = 0; i < data.length; i++) s[i] = RtStructWriter.decimal(data[i]);
		return new Dataset().text(RtTags.ContourGeometricType, "CS", type)
			.text(RtTags.NumberOfContourPoints, "IS", Integer.toString(data.length / 3)).text(RtTags.ContourData, "DS", s);
	}

	/** ROI 7 "Body" (a point and a diamond with a diamond hole on slice 2), ROI 3 "Marker" (one point only). */
	private Path handMade(Geometry g) throws IOException {
		List<Dataset> body = new ArrayList<>();
		body.add(contour("POINT", new double[] {1, 2, g.toPatient(0, 0, 2)[2]}));
		body.add(contour("CLOSED_PLANAR", diamond(g, 14.3, 12.2, 9.1, 2)));
		body.add(contour("CLOSED_PLANAR", diamond(g, 14.3, 12.2, 3.4, 2)));
		Dataset ds = new Dataset().uid(Tag.SOPClassUID, RtStructWriter.RT_STRUCTURE_SET_STORAGE)
			.text(Tag.Modality, "CS", "RTSTRUCT")
			.sequence(RtTags.StructureSetROISequence,
				new Dataset().text(RtTags.ROINumber, "IS", "3").text(RtTags.ROIName, "LO", "Marker"),
				new Dataset().text(RtTags.ROINumber, "IS", "7").text(RtTags.ROIName, "LO", "Body"))
			.sequence(RtTags.ROIContourSequence,
				new Dataset().text(RtTags.ReferencedROINumber, "IS", "7").sequence(RtTags.ContourSequence, body),
				new Dataset().text(RtTags.ReferencedROINumber, "IS", "3").sequence(RtTags.ContourSequence,
					contour("POINT", new double[] {0, 0, 8})));
		String uid = Uids.random();
		return DicomDatasetWriter.writeFile(tmp.resolve("hand.dcm"), ds.uid(Tag.SOPInstanceUID, uid),
			RtStructWriter.RT_STRUCTURE_SET_STORAGE, uid);
	}

	@Test
	void freePolygonsFollowThePixelCentreRuleWithHoles() throws IOException {
		Path rt = handMade(GRID);
		assertEquals(List.of("Marker", "Body"), RtStructReader.roiNames(rt));
		Mask m = RtStructReader.read(rt, "Body", GRID);
		long expected = 0;
		for (int z = 0; z < GRID.nz(); z++)
			for (int y = 0; y < GRID.ny(); y++)
				for (int x = 0; x < GRID.nx(); x++) {
					double d = Math.abs(x - 14.3) + Math.abs(y - 12.2);
					boolean in = z == 2 && d < 9.1 && d > 3.4;
					assertEquals(in ? 1 : 0, m.get(x, y, z), "voxel " + x + "," + y + "," + z);
					if (in) expected++;
				}
		assertEquals(expected, m.foregroundCount());
		DicomReadException e = assertThrows(DicomReadException.class, () -> RtStructReader.read(rt, "Marker", GRID));
		assertTrue(e.getMessage().contains("no CLOSED_PLANAR"), e.getMessage());
	}

	@Test
	void contoursOutsideTheSlicesAreRefused() throws IOException {
		Path rt = handMade(GRID);
		double[] o = GRID.originMm();
		Geometry shifted = new Geometry(GRID.nx(), GRID.ny(), GRID.nz(), GRID.spacingMm(), new double[] {o[0], o[1], o[2] + 6},
			GRID.direction());
		DicomReadException e = assertThrows(DicomReadException.class, () -> RtStructReader.read(rt, "Body", shifted));
		assertTrue(e.getMessage().contains("hand.dcm") && e.getMessage().contains("'Body'")
			&& e.getMessage().contains("half a slice spacing"), e.getMessage());
		Geometry halfOff = new Geometry(GRID.nx(), GRID.ny(), GRID.nz(), GRID.spacingMm(),
			new double[] {o[0], o[1], o[2] + 0.9}, GRID.direction());
		assertEquals(RtStructReader.read(rt, "Body", GRID).foregroundCount(),
			RtStructReader.read(rt, "Body", halfOff).foregroundCount(), "0.9 mm off a 2 mm grid still lies on slice 2");
	}

	@Test
	void contourPointCountMustMatchItsData() throws IOException {
		// Issue 15 item 4: NumberOfContourPoints is checked against the points ContourData holds.
		double[] data = diamond(GRID, 14.3, 12.2, 9.1, 2);
		String[] v = new String[data.length];
		for (int i = 0; i < data.length; i++) v[i] = RtStructWriter.decimal(data[i]);
		Dataset lying = new Dataset().text(RtTags.ContourGeometricType, "CS", "CLOSED_PLANAR")
			.text(RtTags.NumberOfContourPoints, "IS", "2147483647").text(RtTags.ContourData, "DS", v);
		Dataset ds = new Dataset().uid(Tag.SOPClassUID, RtStructWriter.RT_STRUCTURE_SET_STORAGE)
			.text(Tag.Modality, "CS", "RTSTRUCT")
			.sequence(RtTags.StructureSetROISequence, new Dataset().text(RtTags.ROINumber, "IS", "1")
				.text(RtTags.ROIName, "LO", "Body"))
			.sequence(RtTags.ROIContourSequence, new Dataset().text(RtTags.ReferencedROINumber, "IS", "1")
				.sequence(RtTags.ContourSequence, lying));
		String uid = Uids.random();
		Path rt = DicomDatasetWriter.writeFile(tmp.resolve("lying.dcm"), ds.uid(Tag.SOPInstanceUID, uid),
			RtStructWriter.RT_STRUCTURE_SET_STORAGE, uid);
		DicomReadException e = assertThrows(DicomReadException.class, () -> RtStructReader.read(rt, "Body", GRID));
		assertEquals(RtTags.NumberOfContourPoints, e.tag());
		assertTrue(e.getMessage().contains("lying.dcm") && e.getMessage().contains("2147483647")
			&& e.getMessage().contains("holds 4 points"), e.getMessage());
	}
}
