package org.medcnn.dicom.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomPixels;
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

/** Write → read round trips of DICOM SEG on synthetic series, the corpus SEG, and refusals. */
class SegRoundTripTest {

	private static final Path CORPUS_SEG = Path.of("..", "shared", "dicom-corpus", "files", "seg_liver_3frame.dcm");
	private static final Path DCIODVFY = Path.of("/usr/bin/dciodvfy");

	@TempDir
	Path tmp;

	/** A series written from a synthetic volume on {@code g}, scanned back. */
	private DicomSeries series(Geometry g, String name, SeriesInfo info) throws IOException {
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i % 97 - 40;
		DicomWriter.writeSeries(new Volume(g, v, "CT"), tmp.resolve(name), info);
		List<DicomSeries> s = SeriesScanner.scan(List.of(tmp.resolve(name)), ProgressListener.NONE, null);
		assertEquals(1, s.size());
		return s.get(0);
	}

	private DicomSeries series(Geometry g, String name) throws IOException {
		return series(g, name, SeriesInfo.synthetic("seg-test/" + name, "PHANTOM^SEG", "SEG001", "synthetic"));
	}

	/** Two labels: a box of 1 on slices 1–3, a box of 2 on slice 4; slices 0 and 5 empty (not written). */
	private static Mask twoLabels(Geometry g) {
		byte[] l = new byte[g.voxelCount()];
		for (int z = 1; z <= 3; z++)
			for (int y = 2; y < 7; y++)
				for (int x = 3; x < 9; x++) l[g.index(x, y, z)] = 1;
		for (int y = 5; y < 10; y++)
			for (int x = 1; x < 4; x++) l[g.index(x, y, 4)] = 2;
		l[g.index(g.nx() - 1, g.ny() - 1, 4)] = 2; // last voxel of a frame: packing must not drop it
		return new Mask(g, l);
	}

	private static Geometry axial() {
		return new Geometry(13, 11, 6, new double[] {0.8, 0.9, 2.5}, new double[] {-50, -40.5, 20}, Geometry.AXIAL);
	}

	private static Geometry oblique() {
		double a = Math.toRadians(20), b = Math.toRadians(35);
		double[] row = {Math.cos(a), Math.sin(a), 0};
		double[] col = {-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)};
		double[] n = {row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]};
		return new Geometry(13, 11, 6, new double[] {0.7, 0.7, 3}, new double[] {12.5, -80, 33.25},
			new double[] {row[0], row[1], row[2], col[0], col[1], col[2], n[0], n[1], n[2]});
	}

	@Test
	void axialRoundTripIsIdentical() throws IOException {
		DicomSeries s = series(axial(), "axial");
		Mask m = twoLabels(s.geometry());
		Path seg = SegWriter.write(m, s, tmp.resolve("out/axial_seg.dcm"), SegOptions.forModel("test-unet", "0.1.0"));
		assertEquals(m, SegReader.read(seg, s));
		DicomObject o = DicomReader.read(seg);
		assertEquals(SegWriter.SEGMENTATION_STORAGE, o.getString(Tag.SOPClassUID));
		assertEquals("SEG", o.getString(Tag.Modality));
		assertEquals(4, o.getInt(Tag.NumberOfFrames, -1), "3 frames of segment 1 + 1 of segment 2; empty slices omitted");
		assertEquals(2, o.getSequence(SegTags.SegmentSequence).size());
		assertEquals("Lesion 2", o.getSequence(SegTags.SegmentSequence).get(1).getString(SegTags.SegmentLabel));
		assertEquals(s.seriesInstanceUID(),
			o.getSequence(Tag.ReferencedSeriesSequence).get(0).getString(Tag.SeriesInstanceUID));
		DicomObject source = DicomReader.readHeader(s.files().get(0));
		assertEquals(source.getString(Tag.PatientID), o.getString(Tag.PatientID));
		assertEquals(source.getString(Tag.StudyInstanceUID), o.getString(Tag.StudyInstanceUID));
		assertFalse(s.seriesInstanceUID().equals(o.getString(Tag.SeriesInstanceUID)));
		int packed = (13 * 11 * 4 + 7) / 8;
		assertEquals(packed + packed % 2, o.getBytes(Tag.PixelData).length, "packed bits, padded to even length");
	}

	@Test
	void obliqueRoundTripIsIdentical() throws IOException {
		DicomSeries s = series(oblique(), "oblique");
		Mask m = twoLabels(s.geometry());
		Path seg = SegWriter.write(m, s, tmp.resolve("oblique_seg.dcm"), SegOptions.forModel("x", "0.1.0"));
		assertEquals(m, SegReader.read(seg, s));
		assertEquals(m.labels().length, SegReader.read(seg, s.geometry()).labels().length);
		assertArrayEquals(m.labels(), SegReader.read(seg, s.geometry()).labels());
	}

	@Test
	void singleSliceRoundTripIsIdenticalAndValid() throws Exception {
		// A 2D case: one image, one frame.
		Geometry g = new Geometry(13, 11, 1, new double[] {0.8, 0.9, 2.5}, new double[] {-50, -40.5, 20}, Geometry.AXIAL);
		DicomSeries s = series(g, "single");
		byte[] l = new byte[g.voxelCount()];
		for (int y = 2; y < 7; y++)
			for (int x = 3; x < 9; x++) l[g.index(x, y, 0)] = 1;
		Mask m = new Mask(s.geometry(), l);
		Path seg = SegWriter.write(m, s, tmp.resolve("single_seg.dcm"), SegOptions.forModel("test-unet", "0.1.0"));
		assertArrayEquals(m.labels(), SegReader.read(seg, s).labels());
		assertEquals(1, DicomReader.read(seg).getInt(Tag.NumberOfFrames, -1));
		if (Files.isExecutable(DCIODVFY)) {
			String report = ChildProcesses.run(List.of(DCIODVFY.toString(), seg.toString()), Duration.ofSeconds(60)).text();
			for (String line : report.split("\n")) assertFalse(line.contains("Error"), report);
		}
	}

	@Test
	void writtenSegPassesDciodvfy() throws Exception {
		assumeTrue(Files.isExecutable(DCIODVFY), "dciodvfy (dicom3tools) is not installed");
		DicomSeries s = series(oblique(), "verify");
		Path seg = SegWriter.write(twoLabels(s.geometry()), s, tmp.resolve("verify_seg.dcm"),
			SegOptions.forModel("test-unet", "0.1.0"));
		String report = ChildProcesses.run(List.of(DCIODVFY.toString(), seg.toString()), Duration.ofSeconds(60)).text();
		for (String line : report.split("\n")) assertFalse(line.contains("Error"), report);
	}

	@Test
	void deflatedSegReadsBackIdenticalToTheUncompressedOne() throws Exception {
		// 13 × 11 = 143 bits a frame: each deflated frame is packed on its own from a byte boundary (PS3.5 §A.4.13).
		DicomSeries s = series(axial(), "deflate");
		Mask m = twoLabels(s.geometry());
		SegOptions o = SegOptions.forModel("test-unet", "0.1.0");
		Path plain = SegWriter.write(m, s, tmp.resolve("plain_seg.dcm"), o);
		Path deflated = SegWriter.write(m, s, tmp.resolve("deflate_seg.dcm"), o, SegCompression.DEFLATE, null, null);
		DicomObject d = DicomReader.read(deflated);
		assertEquals("1.2.840.10008.1.2.8.1", d.transferSyntaxUID());
		assertTrue(d.isPixelDataEncapsulated());
		assertEquals(4, d.pixelDataFragments().size(), "one fragment per frame");
		assertArrayEquals(DicomPixels.storedValues(DicomReader.read(plain)), DicomPixels.storedValues(d));
		assertEquals(m, SegReader.read(deflated, s));
		assertEquals(m, SegReader.read(deflated, s.geometry()));
		assertEquals(SegReader.read(plain, s), SegReader.read(deflated, s));
		assertEquals(SegCompression.DEFLATE, SegCompression.of("Deflate"));
		assertThrows(IllegalArgumentException.class, () -> SegCompression.of("zip"));
	}

	@Test
	void deflatedSegParsesWithDcmdump() throws Exception {
		assumeTrue(Files.isExecutable(Path.of("/usr/bin/dcmdump")), "dcmdump (DCMTK) is not installed");
		DicomSeries s = series(oblique(), "dump");
		Path seg = SegWriter.write(twoLabels(s.geometry()), s, tmp.resolve("dump_seg.dcm"),
			SegOptions.forModel("test-unet", "0.1.0"), SegCompression.DEFLATE, null, null);
		// DCMTK 3.6.7 predates the transfer syntax (DICOM 2023) but parses the data set and the pixel items.
		ChildProcesses.Finished f = ChildProcesses.run(List.of("/usr/bin/dcmdump", "+M", seg.toString()), Duration.ofSeconds(60));
		String dump = f.text(StandardCharsets.ISO_8859_1);
		assertEquals(0, f.exitCode(), dump);
		assertTrue(dump.contains("1.2.840.10008.1.2.8.1"), dump);
		assertTrue(dump.contains("PixelSequence #=5"), "offset table + 4 frames: " + dump);
		assertTrue(dump.contains("SegmentationType"), dump);
		assertFalse(dump.contains("E: "), dump);
	}

	@Test
	void corpusSegReadsOntoASeriesWithItsGeometry() throws IOException {
		assumeTrue(Files.isRegularFile(CORPUS_SEG), "corpus SEG not found at " + CORPUS_SEG.toAbsolutePath());
		DicomObject seg = DicomReader.read(CORPUS_SEG);
		List<DicomObject> frames = seg.getSequence(Tag.PerFrameFunctionalGroupsSequence);
		DicomObject shared = seg.getSequence(Tag.SharedFunctionalGroupsSequence).get(0);
		double[] iop = shared.getSequence(Tag.PlaneOrientationSequence).get(0).getDoubles(Tag.ImageOrientationPatient);
		double[] ps = shared.getSequence(Tag.PixelMeasuresSequence).get(0).getDoubles(Tag.PixelSpacing);
		double[] first = position(frames.get(0));
		double[] second = position(frames.get(1));
		double dz = Math.sqrt(Math.pow(second[0] - first[0], 2) + Math.pow(second[1] - first[1], 2)
			+ Math.pow(second[2] - first[2], 2));
		double[] n = {iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3]};
		Geometry g = new Geometry(seg.getInt(Tag.Columns, 0), seg.getInt(Tag.Rows, 0), frames.size(),
			new double[] {ps[1], ps[0], dz}, first, new double[] {iop[0], iop[1], iop[2], iop[3], iop[4], iop[5], n[0], n[1], n[2]});
		SeriesInfo info = new SeriesInfo("PHANTOM^LIVER", "LIVER001", "1.2.3.4", "1.2.3.4.5",
			seg.getString(Tag.FrameOfReferenceUID), 1, "synthetic", "liver grid", "20250101", "120000", 40, 400, "");
		DicomSeries s = series(g, "liver", info);

		Mask m = SegReader.read(CORPUS_SEG, s);
		long ones = 0;
		for (byte b : seg.getBytes(Tag.PixelData)) ones += Integer.bitCount(b & 0xFF);
		assertTrue(ones > 0);
		assertEquals(ones, m.foregroundCount());
		for (byte b : m.labels()) assertTrue(b == 0 || b == 1, "one segment → labels 0 and 1");
	}

	private static double[] position(DicomObject frame) {
		return frame.getSequence(Tag.PlanePositionSequence).get(0).getDoubles(Tag.ImagePositionPatient);
	}

	@Test
	void segOnAnotherGridIsRefusedNamingFileAndMismatch() throws IOException {
		DicomSeries s = series(axial(), "source");
		Path seg = SegWriter.write(twoLabels(s.geometry()), s, tmp.resolve("grid_seg.dcm"), SegOptions.forModel("m", "1"));
		Geometry g = axial();
		Geometry shifted = new Geometry(g.nx(), g.ny(), g.nz(), g.spacingMm(), new double[] {-50, -40.5, 21.25}, g.direction());
		DicomReadException e = assertThrows(DicomReadException.class, () -> SegReader.read(seg, shifted));
		assertTrue(e.getMessage().contains("grid_seg.dcm") && e.getMessage().contains("does not lie on a slice"),
			e.getMessage());
		Geometry tilted = new Geometry(g.nx(), g.ny(), g.nz(), g.spacingMm(), g.originMm(), oblique().direction());
		e = assertThrows(DicomReadException.class, () -> SegReader.read(seg, tilted));
		assertTrue(e.getMessage().contains("grid_seg.dcm") && e.getMessage().contains("orientation"), e.getMessage());
		Geometry smaller = new Geometry(g.nx() - 1, g.ny(), g.nz(), g.spacingMm(), g.originMm(), g.direction());
		e = assertThrows(DicomReadException.class, () -> SegReader.read(seg, smaller));
		assertTrue(e.getMessage().contains("12×11"), e.getMessage());
		DicomSeries other = series(axial(), "other");
		e = assertThrows(DicomReadException.class, () -> SegReader.read(seg, other));
		assertTrue(e.getMessage().contains("frame of reference"), e.getMessage());
	}

	@Test
	void refusesEmptyMaskForeignGridAndOverwritingTheSource() throws IOException {
		DicomSeries s = series(axial(), "refuse");
		SegOptions o = SegOptions.forModel("m", "1");
		assertThrows(IllegalArgumentException.class, () -> SegWriter.write(Mask.empty(s.geometry()), s, tmp.resolve("e.dcm"), o));
		assertThrows(IllegalArgumentException.class, () -> SegWriter.write(twoLabels(oblique()), s, tmp.resolve("g.dcm"), o));
		Path source = s.files().get(0);
		byte[] before = Files.readAllBytes(source);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> SegWriter.write(twoLabels(s.geometry()), s, source, o));
		assertTrue(e.getMessage().contains("source"), e.getMessage());
		assertArrayEquals(before, Files.readAllBytes(source));
		assertThrows(DicomReadException.class, () -> SegReader.read(source, s), "a CT file is not a SEG");
	}

	@Test
	void optionsAreChecked() {
		assertThrows(IllegalArgumentException.class, () -> new SegOptions("L", "A", "lower", "", "", 1, "v"));
		assertThrows(IllegalArgumentException.class, () -> new SegOptions("", "A", "OK", "", "", 1, "v"));
		assertEquals("MY_MODEL V2", SegOptions.forModel("m", "1").withContentLabel("my-model v2").contentLabel());
		int[] red = SegWriter.dicomLab(255, 0, 0);
		assertEquals(53.24, red[0] / 65535.0 * 100, 0.1, "L* of sRGB red");
		assertEquals(80.09, red[1] / 65535.0 * 255 - 128, 0.2, "a* of sRGB red");
	}
}
