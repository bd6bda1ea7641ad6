package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.ResampleOption;
import org.medcnn.dicom.SeriesReader;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * {@code Open DICOM...} on a damaged series: a synthetic 4×3×5 CT (2 mm slices from z = 10 mm, slice k filled with
 * 100 k HU) written with {@link DicomWriter}, then one file's Pixel Data shortened so that its header still scans
 * but its pixels cannot be decoded. The tool tests run headless; the macro test needs a display (xvfb-run).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OpenDicomDamagedTest {

	private static final Geometry GRID = new Geometry(4, 3, 5, new double[] {0.5, 0.5, 2}, new double[] {0, 0, 10},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	/** Writes the series into {@code dir} and damages slice {@code damaged} (0-based); returns its files. */
	private static List<Path> write(Path dir, int damaged) throws IOException {
		float[] v = new float[GRID.voxelCount()];
		for (int z = 0; z < GRID.nz(); z++) Arrays.fill(v, z * GRID.sliceSize(), (z + 1) * GRID.sliceSize(), 100f * z);
		List<Path> files = DicomWriter.writeSeries(new Volume(GRID, v, "CT"), dir,
			DicomWriter.SeriesInfo.synthetic("damaged-" + dir.getFileName(), "Test^Patient", "ID0001", "Damaged series"));
		damage(files.get(damaged));
		return files;
	}

	/**
	 * Shortens the Pixel Data (the last element, explicit VR OW with a 4-byte length) by 2 bytes, length and file
	 * alike: the header stays well formed, the pixels are one short.
	 */
	static void damage(Path f) throws IOException {
		byte[] b = Files.readAllBytes(f);
		int len = GRID.sliceSize() * 2;
		int at = b.length - len - 4;
		assertArrayEquals(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W'}, Arrays.copyOfRange(b, at - 8, at - 2),
			"Pixel Data is the last element");
		int shorter = len - 2;
		b[at] = (byte) shorter;
		b[at + 1] = (byte) (shorter >> 8);
		Files.write(f, Arrays.copyOf(b, b.length - 2));
	}

	private static DicomSeries only(Path dir) throws IOException {
		List<DicomSeries> found = OpenDicomTool.scan(dir, null, null);
		assertEquals(1, found.size());
		assertEquals(5, found.get(0).files().size(), "the damaged file's header still scans");
		return found.get(0);
	}

	@Test
	void testToolOpensTheRestWhenTheFirstSliceIsDamaged() throws Exception {
		List<Path> files = write(tmp.resolve("first"), 0);
		ImagePlus imp = OpenDicomTool.open(only(tmp.resolve("first")), null, null);
		assertEquals(4, imp.getStackSize());
		assertEquals(100f, imp.getStack().getProcessor(1).getf(1, 1), 1e-3);
		assertEquals(400f, imp.getStack().getProcessor(4).getf(1, 1), 1e-3);
		assertEquals(2.0, imp.getCalibration().pixelDepth, 1e-9);
		String name = files.get(0).getFileName().toString();
		List<String> warnings = OpenDicomTool.readWarnings(imp);
		assertEquals(1, warnings.size());
		assertTrue(warnings.get(0).contains(name) && warnings.get(0).contains("Pixel Data"), warnings.get(0));
		String info = (String) imp.getProperty("Info");
		assertTrue(info.contains(name) && info.contains("Size (x, y, z): 4 × 3 × 4"), info);
		assertTrue(info.contains("Origin (LPS, first voxel centre): (0.00000, 0.00000, 12.0000)"), info);
		String sources = imp.getProp(OpenDicomTool.PROP_SOURCE_FILES);
		assertEquals(4, sources.split("\n").length);
		assertFalse(sources.contains(name), "the left-out file is no source of the image");
	}

	@Test
	void testToolRefusesAGapNamingTheFile() throws Exception {
		List<Path> files = write(tmp.resolve("middle"), 2);
		DicomSeries s = only(tmp.resolve("middle"));
		DicomReadException e = assertThrows(DicomReadException.class, () -> OpenDicomTool.open(s, null, null));
		assertTrue(e.getMessage().contains(files.get(2).getFileName().toString()) && e.getMessage().contains("gap"),
			e.getMessage());
		assertThrows(DicomReadException.class, () -> OpenDicomTool.open(s, null, null, WindowPresets.AUTO,
			SeriesReader.DamagedSlices.REFUSE));
	}

	@Test
	void testResampleFillsADamagedInnerSliceAndEvensOutASpacingGap() throws Exception {
		List<Path> files = write(tmp.resolve("inner"), 2);
		ImagePlus filled = OpenDicomTool.open(only(tmp.resolve("inner")), null, null, WindowPresets.AUTO,
			SeriesReader.DamagedSlices.SKIP, ResampleOption.UNIFORM);
		assertEquals(5, filled.getStackSize());
		assertEquals(200f, filled.getStack().getProcessor(3).getf(1, 1), 1e-3, "interpolated from 100 and 300 HU");
		String name = files.get(2).getFileName().toString();
		assertTrue(OpenDicomTool.readWarnings(filled).stream().anyMatch(w -> w.contains(name) && w.contains("interpolat")),
			OpenDicomTool.readWarnings(filled).toString());

		// Without the (damaged) file at 16 mm the slices lie at 10, 12, 14, 18 mm: resampled onto the median
		// 2 mm spacing, 16 mm interpolated between 200 (14 mm) and 400 HU (18 mm).
		Path uneven = tmp.resolve("uneven");
		Files.delete(write(uneven, 3).get(3));
		List<DicomSeries> found = OpenDicomTool.scan(uneven, null, null);
		assertEquals(1, found.size());
		ImagePlus plain = OpenDicomTool.open(found.get(0), null, null);
		assertEquals(4, plain.getStackSize());
		ImagePlus imp = OpenDicomTool.open(found.get(0), null, null, WindowPresets.AUTO, SeriesReader.DamagedSlices.SKIP,
			ResampleOption.UNIFORM);
		assertEquals(5, imp.getStackSize(), "10, 12, 14, 16, 18 mm");
		assertEquals(2.0, imp.getCalibration().pixelDepth, 1e-9);
		assertEquals(300f, imp.getStack().getProcessor(4).getf(1, 1), 1e-3);
		assertEquals(400f, imp.getStack().getProcessor(5).getf(1, 1), 1e-3);
		assertEquals("true", imp.getProp(OpenDicomTool.PROP_RESAMPLED));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> SaveDicomSegTool.sourceSeries(imp, new org.medcnn.common.Cancellation()));
		assertTrue(e.getMessage().contains("resampled"), e.getMessage());
		assertEquals(null, plain.getProp(OpenDicomTool.PROP_RESAMPLED));
	}

	@Test
	void testMacroOpensTheRestAndLogsTheBadFile() throws Exception {
		assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		Path dir = tmp.resolve("last");
		List<Path> files = write(dir, 4);
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		String title = IJ.runMacro("setBatchMode(true);\nrun(\"Open DICOM...\", \"path=[" + dir + "]\");\n"
			+ "t = getTitle();\nsetBatchMode(\"exit and display\");\nreturn t;");
		assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog opens in batch mode: " + IjHarness.DIALOGS);
		assertFalse(title == null || title.equals("[aborted]"), "the macro failed: " + title);
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp);
		assertEquals(4, imp.getStackSize());
		String log = IJ.getLog();
		assertNotNull(log);
		String name = files.get(4).getFileName().toString();
		assertTrue(log.contains("Open DICOM: " + title + ": left out damaged slice " + name), log);
		imp.changes = false;
		imp.close();

		Path gap = tmp.resolve("gap");
		List<Path> gapFiles = write(gap, 1);
		IjHarness.clearDialogs();
		String result = IJ.runMacro("setBatchMode(true);\nrun(\"Open DICOM...\", \"path=[" + gap + "]\");\nreturn \"ran\";");
		assertNotEquals("ran", result, "a gap stops the macro");
		String gapName = gapFiles.get(1).getFileName().toString();
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains(gapName)), IjHarness.DIALOGS.toString());

		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		String filled = IJ.runMacro("setBatchMode(true);\nrun(\"Open DICOM...\", \"path=[" + gap + "] resample\");\n"
			+ "t = getTitle();\nsetBatchMode(\"exit and display\");\nreturn t;");
		assertTrue(IjHarness.DIALOGS.isEmpty(), IjHarness.DIALOGS.toString());
		ImagePlus gapImage = WindowManager.getImage(filled);
		assertNotNull(gapImage, "resample opens the series with the damaged inner slice: " + filled);
		assertEquals(5, gapImage.getStackSize());
		assertEquals(100f, gapImage.getStack().getProcessor(2).getf(1, 1), 1e-3);
		assertTrue(IJ.getLog().contains(gapName), IJ.getLog());
		gapImage.changes = false;
		gapImage.close();
	}
}
