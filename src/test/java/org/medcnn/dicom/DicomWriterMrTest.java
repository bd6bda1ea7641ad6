package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomWriter.ImageOptions;
import org.medcnn.dicom.DicomWriter.SeriesInfo;
import org.medcnn.testing.ChildProcesses;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * {@link DicomWriter} with {@link ImageOptions}: MR Image Storage in each {@link PixelCoding} variant, shuffled
 * InstanceNumbers, read back through {@link SeriesScanner} and {@link SeriesReader}.
 */
class DicomWriterMrTest {

	@TempDir
	Path tmp;

	/** An oblique 7 × 5 × 6 grid: rotated about all three axes, anisotropic spacing. */
	private static Geometry oblique() {
		double a = 0.3, b = -0.25, c = 0.2;
		double ca = Math.cos(a), sa = Math.sin(a), cb = Math.cos(b), sb = Math.sin(b), cc = Math.cos(c), sc = Math.sin(c);
		double[] r = {cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa, sc * cb, sc * sb * sa + cc * ca,
			sc * sb * ca - cc * sa, -sb, cb * sa, cb * ca};
		return new Geometry(7, 5, 6, new double[] {1.17, 1.17, 2.9}, new double[] {-101.3, -87.25, -40.125},
			new double[] {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]});
	}

	/** Non-negative fractional MR-like values from 0 to about {@code max}. */
	private static Volume mrLike(double max) {
		Geometry g = oblique();
		float[] v = new float[g.voxelCount()];
		java.util.Random r = new java.util.Random(11);
		for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * max);
		v[0] = 0;
		v[1] = (float) max;
		return new Volume(g, v, "MR");
	}

	private static SeriesInfo info() {
		return SeriesInfo.synthetic("mr-test", "MR phantom^test", "MRT", "unit test").withWindow(800, 2000)
			.withBodyPart("HEAD");
	}

	/** Writes, scans and reads back; checks geometry, spatial order and values within the coding's quantisation. */
	private DicomObject roundTrip(Volume v, PixelCoding coding) throws IOException {
		Path dir = tmp.resolve("series");
		List<Path> files = DicomWriter.writeSeries(v, dir, info(), ImageOptions.mr(coding).withShuffledInstances(5), null,
			null);
		List<DicomSeries> series = SeriesScanner.scan(List.of(dir), null, null);
		assertEquals(1, series.size());
		assertEquals(files, series.get(0).files(), "the scanner sorts by position, as written");
		Volume back = SeriesReader.read(series.get(0), null, null);
		assertTrue(v.geometry().matches(back.geometry(), 1e-9), v.geometry().describeMismatch(back.geometry(), 1e-9));
		assertEquals("MR", back.modality());
		for (int i = 0; i < v.voxels().length; i++) {
			assertEquals((float) coding.quantise(v.voxels()[i]), back.voxels()[i], "voxel " + i);
			assertEquals(v.voxels()[i], back.voxels()[i], coding.slope() / 2 + 1e-3, "voxel " + i + " within half a slope");
		}
		DicomObject o = DicomReader.readHeader(files.get(0));
		assertEquals(DicomWriter.MR_IMAGE_STORAGE, o.getString(Tag.SOPClassUID));
		assertEquals("MR", o.getString(Tag.Modality));
		assertEquals(coding.bitsStored(), o.getInt(Tag.BitsStored, -1));
		assertEquals(coding.bitsStored() - 1, o.getInt(Tag.HighBit, -1));
		assertEquals(coding.signed() ? 1 : 0, o.getInt(Tag.PixelRepresentation, -1));
		assertEquals(coding.rescaleTags(), o.contains(Tag.RescaleSlope));
		assertEquals(coding.rescaleTags(), o.contains(Tag.RescaleIntercept));
		assertFalse(o.contains(Tag.KVP), "no CT attributes");
		assertEquals("GR", o.getString(Tag.ScanningSequence));
		return o;
	}

	@Test
	void testUnsigned16WithoutRescaleTags() throws IOException {
		roundTrip(mrLike(9000), PixelCoding.unsigned(16));
	}

	@Test
	void testSigned16WithIntercept1024() throws IOException {
		DicomObject o = roundTrip(mrLike(9000), PixelCoding.rescaled(16, true, 1, -1024));
		assertEquals(-1024, o.getDouble(Tag.RescaleIntercept, 0));
		assertEquals(1, o.getDouble(Tag.RescaleSlope, 0));
	}

	@Test
	void testFractionalSlopeAndIntercept() throws IOException {
		DicomObject o = roundTrip(mrLike(9000), PixelCoding.rescaled(16, false, 0.25, -12.5));
		assertEquals(0.25, o.getDouble(Tag.RescaleSlope, 0));
		assertEquals(-12.5, o.getDouble(Tag.RescaleIntercept, 0));
		roundTrip(mrLike(30000), PixelCoding.rescaled(16, false, 2.5, -5));
	}

	@Test
	void testBitsStored12() throws IOException {
		roundTrip(mrLike(4000), PixelCoding.unsigned(12));
		roundTrip(mrLike(12000), PixelCoding.rescaled(12, false, 3, 0));
		// Signed 12-bit values are sign-extended into their 16-bit cells and read back negative.
		Volume v = mrLike(1800);
		v.voxels()[2] = -1500;
		roundTrip(v, PixelCoding.rescaled(12, true, 1, 0));
	}

	@Test
	void testShuffledInstanceNumbersFollowNeitherPositionNorFileOrder() throws IOException {
		Volume v = mrLike(1000);
		int nz = v.geometry().nz();
		ImageOptions options = ImageOptions.mr(PixelCoding.unsigned(16)).withShuffledInstances(42);
		List<Path> files = DicomWriter.writeSeries(v, tmp.resolve("s"), info(), options, null, null);
		int[] instances = new int[nz];
		for (int z = 0; z < nz; z++) {
			instances[z] = DicomReader.readHeader(files.get(z)).getInt(Tag.InstanceNumber, -1);
			assertEquals(String.format("IM%04d.dcm", instances[z]), files.get(z).getFileName().toString());
		}
		int[] sorted = instances.clone();
		Arrays.sort(sorted);
		int[] identity = new int[nz];
		Arrays.setAll(identity, z -> z + 1);
		assertArrayEquals(identity, sorted, "a permutation of 1..nz");
		assertFalse(Arrays.equals(identity, instances), "not in spatial order: " + Arrays.toString(instances));
		assertArrayEquals(instances, options.instanceNumbers(nz), "reproducible from the seed");
		assertArrayEquals(identity, ImageOptions.mr(PixelCoding.unsigned(16)).instanceNumbers(nz));
		for (int z = 0; z < nz; z++)
			assertArrayEquals(Files.readAllBytes(files.get(z)), DicomWriter.encodeSlice(v, z, info(), options), "slice " + z);
	}

	@Test
	void testCtOptionsWriteTheSameBytesAsBefore() {
		Volume v = new Volume(oblique(), mrLike(500).voxels(), "CT");
		for (int z = 0; z < v.geometry().nz(); z++)
			assertArrayEquals(DicomWriter.encodeSlice(v, z, info()), DicomWriter.encodeSlice(v, z, info(), ImageOptions.CT));
		assertNotEquals(Arrays.toString(DicomWriter.encodeSlice(v, 0, info())),
			Arrays.toString(DicomWriter.encodeSlice(v, 0, info(), ImageOptions.mr(PixelCoding.CT_HU))));
	}

	@Test
	void testPixelCodingQuantisesAndClamps() {
		PixelCoding c = PixelCoding.rescaled(12, false, 2.5, -5);
		assertEquals(0, c.minStored());
		assertEquals(4095, c.maxStored());
		assertEquals(7, c.stored(12.4));
		assertEquals(12.5, c.quantise(12.4));
		assertEquals(4095, c.stored(1e9), "clamped");
		assertEquals(0, c.stored(Double.NaN));
		assertTrue(c.holds(-5, 10_230));
		assertFalse(c.holds(-5, 10_240));
		PixelCoding s = PixelCoding.rescaled(12, true, 1, 0);
		assertEquals(-2048, s.minStored());
		assertEquals(2047, s.maxStored());
		assertThrows(IllegalArgumentException.class, () -> new PixelCoding(16, false, 2, 0, false, ""));
		assertThrows(IllegalArgumentException.class, () -> new PixelCoding(17, false, 1, 0, false, ""));
		assertThrows(IllegalArgumentException.class, () -> PixelCoding.rescaled(16, false, 0, 0));
		assertThrows(IllegalArgumentException.class, () -> new ImageOptions("US", PixelCoding.CT_HU, null));
	}

	@Test
	void testMrSeriesPassesDciodvfy() throws Exception {
		Path dciodvfy = Path.of("/usr/bin/dciodvfy");
		assumeTrue(Files.isExecutable(dciodvfy), "dciodvfy (dicom3tools) is not installed");
		for (PixelCoding c : List.of(PixelCoding.unsigned(16), PixelCoding.rescaled(16, false, 0.25, -12.5))) {
			Path f = tmp.resolve("verify-" + c.bitsStored() + "-" + c.rescaleTags() + ".dcm");
			Files.write(f, DicomWriter.encodeSlice(mrLike(4000), 2, info(), ImageOptions.mr(c)));
			String report = ChildProcesses.run(List.of(dciodvfy.toString(), f.toString()), Duration.ofSeconds(60)).text();
			assertTrue(report.contains("MRImage"), report);
			for (String line : report.split("\n")) assertFalse(line.contains("Error"), report);
		}
	}
}
