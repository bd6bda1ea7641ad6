package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * DICOMDIR as an index (PS3.10 §8, PS3.3 §F): the bundled file-set made by DCMTK's dcmmkdir, and file-sets made
 * at test time with dcmmkdir over DicomWriter series when DCMTK is on the PATH. The series, files and order must
 * be those of a plain folder scan; referenced but missing files are reported.
 */
class DicomDirTest {

	@TempDir
	Path dir;

	/** The bundled file-set (see PROVENANCE.md). */
	static Path bundled() {
		return DicomReaderTest.resource("dicomdir");
	}

	@Test
	void testBundledDicomdirListsItsSeries() throws Exception {
		DicomDir.Index index = DicomDir.read(bundled().resolve("DICOMDIR"));
		assertTrue(index.warnings().isEmpty(), index.warnings().toString());
		assertEquals(2, index.series().size());
		assertEquals(List.of(3, 2), index.series().stream().map(s -> s.files().size()).toList());
		for (DicomDir.Series s : index.series())
			for (Path f : s.files())
				assertEquals(s.seriesInstanceUID(), DicomReader.readHeader(f).getString(Tag.SeriesInstanceUID));
		assertSameAsPlainScan(bundled());
	}

	@Test
	void testDcmmkdirFileSetScansAsThePlainFolder() throws Exception {
		Assumptions.assumeTrue(LutTest.onPath("dcmmkdir"), "dcmmkdir (DCMTK) not on the PATH");
		Path root = fileSet(dir.resolve("media"), 5, 3);
		DicomDir.Index index = DicomDir.read(root.resolve("DICOMDIR"));
		assertTrue(index.warnings().isEmpty(), index.warnings().toString());
		assertEquals(List.of(5, 3), index.series().stream().map(s -> s.files().size()).toList());
		assertSameAsPlainScan(root);
	}

	@Test
	void testMissingAndUnreferencedFiles() throws Exception {
		Assumptions.assumeTrue(LutTest.onPath("dcmmkdir"), "dcmmkdir (DCMTK) not on the PATH");
		Path root = fileSet(dir.resolve("media"), 4, 2);
		Path gone = root.resolve("SER1").resolve("IM000002");
		String uid = DicomReader.readHeader(gone).getString(Tag.SeriesInstanceUID);
		Files.delete(gone);
		// A file added after the DICOMDIR was made: found by the folder walk.
		Files.copy(root.resolve("SER2").resolve("IM000001"), root.resolve("EXTRA.dcm"));
		ScanResult r = SeriesScanner.scanDetailed(List.of(root), null, null);
		DicomSeries s = r.series().stream().filter(x -> x.seriesInstanceUID().equals(uid)).findFirst().orElseThrow();
		assertEquals(3, s.slices());
		assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith("DICOMDIR references 1 missing file") && w.contains("IM000002")),
			s.warnings().toString());
		assertTrue(r.skipped().stream().anyMatch(k -> k.file().endsWith(Path.of("SER1", "IM000002"))
			&& k.reason().contains("but missing")), r.skipped().toString());
		assertTrue(r.series().stream().anyMatch(x -> x.files().stream().anyMatch(f -> f.endsWith("EXTRA.dcm"))));
		assertTrue(r.skipped().stream().anyMatch(k -> k.reason().startsWith("DICOMDIR")));
	}

	@Test
	void testUnreadableDicomdirFallsBackToTheScan() throws Exception {
		Path root = dir.resolve("copy");
		copyTree(bundled(), root);
		Files.write(root.resolve("DICOMDIR"), new byte[] {1, 2, 3});
		ScanResult r = SeriesScanner.scanDetailed(List.of(root), null, null);
		assertEquals(2, r.series().size());
		assertTrue(r.series().get(0).warnings().stream().anyMatch(w -> w.startsWith("DICOMDIR not used")),
			r.series().get(0).warnings().toString());
	}

	/** Scans root with its DICOMDIR and a copy without it: same series, same files (relative), same order. */
	private void assertSameAsPlainScan(Path root) throws IOException {
		Path plain = dir.resolve("plain");
		copyTree(root, plain);
		Files.delete(plain.resolve("DICOMDIR"));
		List<DicomSeries> a = SeriesScanner.scan(List.of(root), null, null);
		List<DicomSeries> b = SeriesScanner.scan(List.of(plain), null, null);
		assertEquals(b.size(), a.size());
		for (int i = 0; i < a.size(); i++) {
			assertEquals(b.get(i).seriesInstanceUID(), a.get(i).seriesInstanceUID());
			assertEquals(relative(plain, b.get(i).files()), relative(root, a.get(i).files()));
			assertEquals(b.get(i).warnings(), a.get(i).warnings());
		}
	}

	private static List<String> relative(Path root, List<Path> files) {
		List<String> out = new ArrayList<>();
		for (Path f : files) out.add(root.toAbsolutePath().relativize(f.toAbsolutePath()).toString());
		return out;
	}

	/**
	 * Two DicomWriter series copied under PS3.10 file IDs (upper case, at most 8 characters) in SER1 and SER2,
	 * named against their spatial order, and a DICOMDIR made by dcmmkdir.
	 */
	static Path fileSet(Path root, int n1, int n2) throws Exception {
		int k = 0;
		for (int[] spec : new int[][] {{1, n1}, {2, n2}}) {
			int nz = spec[1];
			Geometry g = new Geometry(6, 4, nz, new double[] {0.8, 0.8, 2.5}, new double[] {-10, -20, 30 * spec[0]},
				Geometry.AXIAL);
			float[] v = new float[g.voxelCount()];
			for (int i = 0; i < v.length; i++) v[i] = (i * 7 + spec[0]) % 300 - 100;
			DicomWriter.SeriesInfo info = DicomWriter.SeriesInfo.synthetic("dicomdir-test-" + spec[0], "PHANTOM^DIR",
				"DIR01", "series " + spec[0]);
			List<Path> written = DicomWriter.writeSeries(new Volume(g, v, "CT"), root.resolve("tmp" + spec[0]), info);
			Path ser = Files.createDirectories(root.resolve("SER" + spec[0]));
			for (int z = 0; z < written.size(); z++) {
				// reverse naming: file-name order is the opposite of the spatial order
				Files.move(written.get(z), ser.resolve(String.format("IM%06d", nz - z)));
				k++;
			}
			Files.delete(root.resolve("tmp" + spec[0]));
		}
		assertTrue(k == n1 + n2);
		LutTest.run("dcmmkdir", "--recurse", "--input-directory", root.toString(), "--output-file",
			root.resolve("DICOMDIR").toString(), "SER1", "SER2");
		return root;
	}

	static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> s = Files.walk(from)) {
			for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
				Path t = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
			}
		}
	}

	/** Regenerates the bundled file-set under src/test/resources/dicom/dicomdir: {@code DicomDirTest DIR}. */
	public static void main(String[] args) throws Exception {
		fileSet(Path.of(args[0]), 3, 2);
	}
}
