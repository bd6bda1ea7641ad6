package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomDatasetWriter.Dataset;
import org.medcnn.volume.Volume;

/** Enhanced multi-frame images and RT Dose as volumes, and uniform resampling of uneven slices. */
class MultiFrameSeriesTest {

	static final String ENHANCED_CT = "1.2.840.10008.5.1.4.1.1.2.1";
	static final String RT_DOSE = "1.2.840.10008.5.1.4.1.1.481.2";
	static final int ROWS = 2;
	static final int COLS = 3;

	@TempDir
	Path dir;

	private static String ds(double... v) {
		StringBuilder sb = new StringBuilder();
		for (double d : v) sb.append(sb.length() == 0 ? "" : "\\").append(String.format(Locale.ROOT, "%.4f", d));
		return sb.toString();
	}

	/** Stored value of pixel i of stored frame f. */
	private static int stored(int f, int i) {
		return 100 * (f + 1) + i;
	}

	private static byte[] pixels16(int frames) {
		byte[] px = new byte[frames * ROWS * COLS * 2];
		for (int f = 0; f < frames; f++)
			for (int i = 0; i < ROWS * COLS; i++) {
				int p = 2 * (f * ROWS * COLS + i);
				px[p] = (byte) stored(f, i);
				px[p + 1] = (byte) (stored(f, i) >> 8);
			}
		return px;
	}

	private static Dataset image(String modality, String seriesUid, int frames) {
		return new Dataset().text(Tag.Modality, "CS", modality).uid(Tag.SeriesInstanceUID, seriesUid)
			.uid(Tag.StudyInstanceUID, "1.2.3.4").text(Tag.NumberOfFrames, "IS", Integer.toString(frames))
			.us(Tag.SamplesPerPixel, 1).text(Tag.PhotometricInterpretation, "CS", "MONOCHROME2").us(Tag.Rows, ROWS)
			.us(Tag.Columns, COLS);
	}

	/**
	 * An enhanced CT whose stored frame f lies at {@code origin + z[f] × normal} with rescale slope f + 1 and
	 * intercept −10·f (per frame), orientation and pixel measures shared.
	 */
	static Path writeEnhanced(Path file, String seriesUid, double[] iop, double[] origin, double[] z) throws Exception {
		int frames = z.length;
		double[] n = SeriesScanner.direction(iop);
		List<Dataset> perFrame = new ArrayList<>();
		for (int f = 0; f < frames; f++) {
			double[] ipp = {origin[0] + z[f] * n[6], origin[1] + z[f] * n[7], origin[2] + z[f] * n[8]};
			perFrame.add(new Dataset()
				.sequence(Tag.PlanePositionSequence, new Dataset().text(Tag.ImagePositionPatient, "DS", ds(ipp)))
				.sequence(Tag.PixelValueTransformationSequence, new Dataset().text(Tag.RescaleSlope, "DS", ds(f + 1))
					.text(Tag.RescaleIntercept, "DS", ds(-10.0 * f))));
		}
		Dataset shared = new Dataset()
			.sequence(Tag.PlaneOrientationSequence, new Dataset().text(Tag.ImageOrientationPatient, "DS", ds(iop)))
			.sequence(Tag.PixelMeasuresSequence, new Dataset().text(Tag.PixelSpacing, "DS", "0.5\\0.75")
				.text(Tag.SliceThickness, "DS", "7"));
		Dataset d = image("CT", seriesUid, frames).uid(Tag.SOPClassUID, ENHANCED_CT)
			.text(Tag.ImageType, "CS", "ORIGINAL", "PRIMARY", "VOLUME", "NONE")
			.sequence(Tag.SharedFunctionalGroupsSequence, shared).sequence(Tag.PerFrameFunctionalGroupsSequence, perFrame)
			.us(Tag.BitsAllocated, 16).us(Tag.BitsStored, 16).us(Tag.HighBit, 15).us(Tag.PixelRepresentation, 0)
			.bytes(Tag.PixelData, "OW", pixels16(frames));
		return DicomDatasetWriter.writeFile(file, d, ENHANCED_CT, seriesUid + ".9");
	}

	@Test
	void testEnhancedFramesAreSortedAlongTheNormalWithPerFrameRescale() throws Exception {
		double[] z = {6, 0, 9, 3}; // stored order shuffled
		Path f = writeEnhanced(dir.resolve("enh.dcm"), "1.2.3.50", SeriesScannerTest.AXIAL, new double[] {-5, 4, 20}, z);
		List<DicomSeries> all = SeriesScanner.scan(List.of(dir), null, null);
		assertEquals(1, all.size());
		DicomSeries s = all.get(0);
		assertEquals(4, s.slices());
		assertEquals(List.of(f), s.files());
		assertArrayEquals(new double[] {0.75, 0.5, 3}, s.spacing(), 1e-9);
		assertArrayEquals(new double[] {-5, 4, 20}, s.origin(), 1e-9);
		assertTrue(s.warnings().isEmpty(), s.warnings().toString());
		Volume v = SeriesReader.read(s, null, null);
		int[] expectedFrame = {1, 3, 0, 2}; // ascending z: 0, 3, 6, 9
		for (int k = 0; k < 4; k++) {
			int fr = expectedFrame[k];
			for (int i = 0; i < ROWS * COLS; i++)
				assertEquals(stored(fr, i) * (fr + 1) - 10f * fr, v.get(i % COLS, i / COLS, k), "slice " + k);
			assertEquals("enh.dcm [frame " + (fr + 1) + "]", v.sliceLabels().get(k));
		}
		assertEquals(20 + 9, v.geometry().toPatient(0, 0, 3)[2], 1e-9);
	}

	@Test
	void testObliqueEnhancedGeometryAndGapWarningAndUniformResampling() throws Exception {
		double c = Math.cos(0.3);
		double sn = Math.sin(0.3);
		double[] iop = {c, sn, 0, 0, 0, -1}; // oblique coronal-ish
		double[] z = {8, 0, 2, 6}; // gap between 2 and 6
		writeEnhanced(dir.resolve("obl.dcm"), "1.2.3.51", iop, new double[] {1, 2, 3}, z);
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		assertEquals(2, s.spacing()[2], 1e-3);
		assertArrayEquals(new double[] {1, 2, 3}, s.origin(), 1e-9);
		assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith("gap of 4.000 mm")), s.warnings().toString());
		SeriesReader.Loaded l = SeriesReader.load(s, null, null, ResampleOption.UNIFORM);
		Volume v = l.volume();
		assertEquals(5, v.geometry().nz());
		assertEquals(2, v.geometry().spacingMm()[2], 1e-3);
		assertTrue(l.warnings().get(0).contains("resampled 4 unevenly spaced slices"), l.warnings().toString());
		// z = 4 lies halfway between stored frame 2 (z 2, slope 3, intercept −20) and frame 3 (z 6, slope 4, −30)
		float a = stored(2, 1) * 3 - 20f;
		float b = stored(3, 1) * 4 - 30f;
		assertEquals((a + b) / 2, v.get(1, 0, 2), 0.1);
		assertEquals(stored(0, 1) * 1f, v.get(1, 0, 4), 0.1);
		assertEquals(4, SeriesReader.read(s, null, null, ResampleOption.NONE).geometry().nz());
	}

	@Test
	void testUniformResamplingOfSingleFrameSeriesAndEvenSeriesUntouched() throws Exception {
		double[] zs = {0, 1, 2, 4, 5};
		for (int i = 0; i < zs.length; i++)
			SeriesScannerTest.writeSlice(dir.resolve("s" + i + ".dcm"), "1.2.3.52", 2, 2, new double[] {0, 0, zs[i]},
				SeriesScannerTest.AXIAL, i + 1, 10 * i);
		DicomSeries s = SeriesScanner.scan(List.of(dir), null, null).get(0);
		SeriesReader.Loaded l = SeriesReader.load(s, null, null, ResampleOption.UNIFORM);
		assertEquals(6, l.volume().geometry().nz());
		assertEquals((2 * 20 - 1000 + 2 * 30 - 1000) / 2f, l.volume().get(0, 0, 3), 1e-3);
		assertEquals(1, l.warnings().size());
		Path even = dir.resolve("even");
		for (int i = 0; i < 3; i++)
			SeriesScannerTest.writeSlice(even.resolve("e" + i + ".dcm"), "1.2.3.53", 2, 2, new double[] {0, 0, 2 * i},
				SeriesScannerTest.AXIAL, i + 1, i);
		DicomSeries e = SeriesScanner.scan(List.of(even), null, null).get(0);
		SeriesReader.Loaded le = SeriesReader.load(e, null, null, ResampleOption.UNIFORM);
		assertEquals(3, le.volume().geometry().nz());
		assertTrue(le.warnings().isEmpty());
	}

	@Test
	void testEnhancedDuplicatePositionsAndGantryTiltAreWarned() throws Exception {
		writeEnhanced(dir.resolve("dup/e.dcm"), "1.2.3.54", SeriesScannerTest.AXIAL, new double[3], new double[] {0, 2, 2, 4});
		DicomSeries d = SeriesScanner.scan(List.of(dir.resolve("dup")), null, null).get(0);
		assertTrue(d.warnings().stream().anyMatch(w -> w.startsWith("duplicate slice positions (1): frame 2 and frame 3")),
			d.warnings().toString());
		assertEquals(2, d.spacing()[2], 1e-9);
		double tan = Math.tan(Math.toRadians(15));
		for (int i = 0; i < 4; i++)
			SeriesScannerTest.writeSlice(dir.resolve("tilt/t" + i + ".dcm"), "1.2.3.55", 2, 2,
				new double[] {0, 5 * i * tan, 5 * i}, SeriesScannerTest.AXIAL, i + 1, i);
		DicomSeries t = SeriesScanner.scan(List.of(dir.resolve("tilt")), null, null).get(0);
		assertTrue(t.warnings().stream().anyMatch(w -> w.contains("gantry tilt")), t.warnings().toString());
		assertEquals(5, t.spacing()[2], 1e-3);
	}

	@Test
	void testClassicMultiFrameWithTopLevelPositionStacksAlongTheNormal() throws Exception {
		Dataset d = image("MR", "1.2.3.56", 3).uid(Tag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.4")
			.text(Tag.ImagePositionPatient, "DS", "1\\2\\3").text(Tag.ImageOrientationPatient, "DS", "1\\0\\0\\0\\0\\-1")
			.text(Tag.PixelSpacing, "DS", "0.5\\0.5").text(Tag.SpacingBetweenSlices, "DS", "4")
			.us(Tag.BitsAllocated, 16).us(Tag.BitsStored, 16).us(Tag.HighBit, 15).us(Tag.PixelRepresentation, 0)
			.bytes(Tag.PixelData, "OW", pixels16(3));
		Path f = DicomDatasetWriter.writeFile(dir.resolve("classic.dcm"), d, "1.2.840.10008.5.1.4.1.1.4", "1.2.3.56.1");
		DicomSeries s = SeriesScanner.scan(List.of(f), null, null).get(0);
		assertEquals(3, s.slices());
		assertEquals(4, s.spacing()[2], 1e-9);
		assertArrayEquals(new double[] {1, 2, 3}, s.origin(), 1e-9);
		assertArrayEquals(new double[] {0, 1, 0}, java.util.Arrays.copyOfRange(s.direction(), 6, 9), 1e-9);
		assertTrue(s.warnings().isEmpty(), s.warnings().toString());
		Volume v = SeriesReader.read(s, null, null);
		assertEquals(stored(2, 0), v.get(0, 0, 2));
	}

	private static Path writeDose(Path file, double[] ipp, double[] offsets) throws Exception {
		int frames = offsets.length;
		byte[] px = new byte[frames * ROWS * COLS * 4];
		for (int f = 0; f < frames; f++)
			for (int i = 0; i < ROWS * COLS; i++) {
				int p = 4 * (f * ROWS * COLS + i);
				int v = stored(f, i) * 1000;
				for (int b = 0; b < 4; b++) px[p + b] = (byte) (v >> (8 * b));
			}
		Dataset d = image("RTDOSE", "1.2.3.60", frames).uid(Tag.SOPClassUID, RT_DOSE)
			.text(Tag.ImagePositionPatient, "DS", ds(ipp)).text(Tag.ImageOrientationPatient, "DS", ds(1, 0, 0, 0, 1, 0))
			.text(Tag.PixelSpacing, "DS", "2\\2.5").text(Tag.GridFrameOffsetVector, "DS", ds(offsets))
			.text(Tag.DoseGridScaling, "DS", "0.001").text(MultiFrameLayout.DOSE_UNITS, "CS", "GY")
			.us(Tag.BitsAllocated, 32).us(Tag.BitsStored, 32).us(Tag.HighBit, 31).us(Tag.PixelRepresentation, 0)
			.bytes(Tag.PixelData, "OW", px);
		return DicomDatasetWriter.writeFile(file, d, RT_DOSE, "1.2.3.60.1");
	}

	@Test
	void testRtDoseRelativeAbsoluteAndDescendingOffsetsGiveGyVolumes() throws Exception {
		double[] ipp = {10, 20, -30};
		double[][] forms = {{0, 2.5, 5}, {-30, -27.5, -25}, {0, -2.5, -5}};
		for (int k = 0; k < forms.length; k++) {
			Path f = writeDose(dir.resolve("d" + k).resolve("dose.dcm"), ipp, forms[k]);
			DicomSeries s = SeriesScanner.scan(List.of(f), null, null).get(0);
			assertEquals("RTDOSE", s.modality());
			assertEquals(3, s.slices());
			assertArrayEquals(new double[] {2.5, 2, 2.5}, s.spacing(), 1e-9);
			assertTrue(s.warnings().isEmpty(), s.warnings().toString());
			Volume v = SeriesReader.read(s, null, null);
			assertEquals("RTDOSE", v.modality());
			if (k < 2) {
				assertArrayEquals(ipp, s.origin(), 1e-9);
				assertEquals(stored(2, 4), v.get(1, 1, 2), 1e-3); // stored × 1000 × 0.001 Gy
			} else {
				assertArrayEquals(new double[] {10, 20, -35}, s.origin(), 1e-9);
				assertEquals(stored(0, 4), v.get(1, 1, 2), 1e-3);
			}
		}
	}

	@Test
	void testCorpusRtDose() throws Exception {
		Path f = DicomCorpusTest.CORPUS.resolve("files/rtdose_15frame_implicit.dcm");
		Assumptions.assumeTrue(Files.isRegularFile(f), "shared corpus missing");
		DicomSeries s = SeriesScanner.scan(List.of(f), null, null).get(0);
		assertEquals("RTDOSE", s.modality());
		assertEquals(15, s.slices());
		DicomObject o = DicomReader.read(f);
		double[] off = o.getDoubles(Tag.GridFrameOffsetVector);
		assertEquals(Math.abs(off[1] - off[0]), s.spacing()[2], 1e-6);
		Volume v = SeriesReader.read(s, null, null);
		int[] st = DicomPixels.storedValues(o)[MultiFrameLayout.of(o).order()[0]];
		double scaling = o.getDouble(Tag.DoseGridScaling, Double.NaN);
		assertEquals(Integer.toUnsignedLong(st[5]) * scaling, v.get(5, 0, 0), 1e-4 * Math.max(1, v.get(5, 0, 0)));
	}

	@Test
	void testCorpusEnhancedMrOpensAsVolume() throws Exception {
		Path f = DicomCorpusTest.CORPUS.resolve("files/emri_small_multiframe_12bit.dcm");
		Assumptions.assumeTrue(Files.isRegularFile(f), "shared corpus missing");
		DicomSeries s = SeriesScanner.scan(List.of(f), null, null).get(0);
		assertEquals("MR", s.modality());
		assertEquals(10, s.slices());
		Volume v = SeriesReader.read(s, null, null);
		assertEquals(64, v.geometry().nx());
		assertEquals(64, v.geometry().ny());
		assertEquals(10, v.geometry().nz());
		assertTrue(v.geometry().spacingMm()[2] > 0);
	}
}
