package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/** Reading a series' files on several threads: same voxels as one after another, errors, progress, cancel. */
class SeriesReaderParallelTest {

	private static final int SLICES = 40;
	private static final int SIZE = 48;

	@TempDir
	Path dir;

	private List<Path> writeSeries() throws Exception {
		float[] v = new float[SIZE * SIZE * SLICES];
		for (int z = 0, i = 0; z < SLICES; z++)
			for (int y = 0; y < SIZE; y++)
				for (int x = 0; x < SIZE; x++, i++) v[i] = ((x * 7 + y * 13 + z * 31) % 2000) - 1000;
		Geometry g = new Geometry(SIZE, SIZE, SLICES, new double[] {0.8, 0.8, 2.5}, new double[] {-10, 5, 40},
			Geometry.AXIAL);
		DicomWriter.SeriesInfo info = DicomWriter.SeriesInfo.synthetic("parallel-test", "PARALLEL^TEST", "PT1",
			"parallel test");
		return DicomWriter.writeSeries(new Volume(g, v, "CT"), dir, info);
	}

	private DicomSeries scan() throws Exception {
		List<DicomSeries> all = SeriesScanner.scan(List.of(dir), null, null);
		assertEquals(1, all.size());
		return all.get(0);
	}

	@Test
	void testParallelReadEqualsSequentialDecode() throws Exception {
		List<Path> written = writeSeries();
		DicomSeries s = scan();
		assertEquals(SLICES, s.slices());
		List<Double> fractions = new ArrayList<>();
		Volume v = SeriesReader.read(s, (f, m) -> {
			synchronized (fractions) {
				fractions.add(f);
			}
		}, null);
		// the reference: each file decoded in turn, in the series' order
		int plane = SIZE * SIZE;
		float[] expected = new float[plane * SLICES];
		for (int z = 0; z < SLICES; z++)
			System.arraycopy(DicomPixels.realWorldValues(DicomReader.read(s.files().get(z)))[0], 0, expected, z * plane,
				plane);
		assertArrayEquals(expected, v.voxels());
		for (int z = 0; z < SLICES; z++) assertEquals(s.files().get(z).getFileName().toString(), v.sliceLabels().get(z));
		assertEquals(written.stream().sorted().toList(), s.files().stream().sorted().toList());
		assertEquals(1.0, fractions.get(fractions.size() - 1));
		for (int i = 1; i < fractions.size(); i++)
			assertTrue(fractions.get(i) >= fractions.get(i - 1), "progress went back: " + fractions);
		// a second read gives the same voxels (no dependence on the threads' timing)
		assertArrayEquals(v.voxels(), SeriesReader.read(s, null, null).voxels());
	}

	@Test
	void testCorruptedSliceIsNamedAndTheFirstInSeriesOrderWins() throws Exception {
		writeSeries();
		DicomSeries s = scan();
		Path bad = s.files().get(17);
		Path later = s.files().get(33);
		for (Path f : List.of(bad, later)) {
			byte[] b = Files.readAllBytes(f);
			Files.write(f, java.util.Arrays.copyOf(b, b.length - SIZE * SIZE)); // pixel data cut short
		}
		for (int i = 0; i < 5; i++) {
			DicomReadException e = assertThrows(DicomReadException.class, () -> SeriesReader.read(s, null, null));
			assertEquals(bad, e.file());
			assertTrue(e.getMessage().contains(bad.getFileName().toString()), e.getMessage());
		}
	}

	@Test
	void testCancellationStopsTheRead() throws Exception {
		writeSeries();
		DicomSeries s = scan();
		Cancellation c = new Cancellation();
		AtomicInteger reports = new AtomicInteger();
		assertThrows(CancellationException.class, () -> SeriesReader.read(s, (f, m) -> {
			if (reports.incrementAndGet() == 5) c.cancel();
		}, c));
		assertTrue(reports.get() < SLICES, "read went on after the cancel: " + reports.get() + " reports");
		Cancellation already = new Cancellation();
		already.cancel();
		assertThrows(CancellationException.class, () -> SeriesReader.read(s, null, already));
	}
}
