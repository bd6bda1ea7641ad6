package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;

/**
 * Series behind symbolic links (issue 12 item 1): a link to a series folder, a folder whose case folders are links,
 * and a loop, which is named in the warnings and among the skipped entries instead of stopping the scan.
 */
class SeriesScannerLinksTest {

	@TempDir
	Path dir;

	/** A three-slice axial CT series in {@code folder}. */
	private static void writeSeries(Path folder, String uid) throws IOException {
		for (int k = 0; k < 3; k++)
			SeriesScannerTest.writeSlice(folder.resolve("s" + k + ".dcm"), uid, 4, 5, new double[] {0, 0, 2.5 * k},
				SeriesScannerTest.AXIAL, k + 1, 10 * k);
	}

	@Test
	void testLinkToASeriesFolder() throws IOException {
		Path real = dir.resolve("store/case1");
		writeSeries(real, "1.2.3.1");
		Path link = Files.createSymbolicLink(dir.resolve("case1"), real);
		ScanResult r = SeriesScanner.scanDetailed(List.of(link), null, new Cancellation());
		assertEquals(1, r.series().size());
		DicomSeries s = r.series().get(0);
		assertEquals(3, s.slices());
		assertEquals(link.resolve("s0.dcm"), s.files().get(0), "files keep the path the user gave");
		assertTrue(s.warnings().isEmpty(), s.warnings().toString());
	}

	@Test
	void testFolderOfLinkedCaseFolders() throws IOException {
		writeSeries(dir.resolve("store/a"), "1.2.3.1");
		writeSeries(dir.resolve("store/b"), "1.2.3.2");
		Path train = Files.createDirectories(dir.resolve("train"));
		Files.createSymbolicLink(train.resolve("a"), dir.resolve("store/a"));
		Files.createSymbolicLink(train.resolve("b"), Path.of("../store/b"));
		List<DicomSeries> found = SeriesScanner.scan(List.of(train), null, new Cancellation());
		assertEquals(List.of("1.2.3.1", "1.2.3.2"), found.stream().map(DicomSeries::seriesInstanceUID).toList());
		for (DicomSeries s : found) assertEquals(3, s.slices());
	}

	@Test
	void testLoopIsNamedAndTheRestIsStillFound() throws IOException {
		Path data = dir.resolve("data");
		writeSeries(data.resolve("a"), "1.2.3.1");
		Path loop = Files.createSymbolicLink(data.resolve("a/back"), Path.of(".."));
		ScanResult r = assertTimeoutPreemptively(Duration.ofSeconds(30),
			() -> SeriesScanner.scanDetailed(List.of(data), null, new Cancellation()));
		assertEquals(1, r.series().size());
		DicomSeries s = r.series().get(0);
		assertEquals(3, s.slices(), "each slice once, not again through the loop");
		assertTrue(s.warnings().stream().anyMatch(w -> w.contains(loop.toString()) && w.contains("loop")), s.warnings().toString());
		assertTrue(r.skipped().stream().anyMatch(k -> k.file().equals(loop) && k.reason().contains("loop")),
			r.skipped().toString());
	}
}
