package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.seg.SegReader;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * {@link SaveDicomSegTool} on an image opened from a synthetic DICOM series: the mask from the overlay and
 * from a "-mask" image, written and read back; and the {@code Save DICOM SEG...} macro command (needs a display).
 */
class SaveDicomSegToolTest {

	private static final Geometry GRID = new Geometry(24, 20, 5, new double[] {0.7, 0.7, 2}, new double[] {-10, 5, 40},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	private DicomSeries writeSeries(String name) throws IOException {
		float[] v = new float[GRID.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (i * 7) % 200 - 100;
		DicomWriter.writeSeries(new Volume(GRID, v, "CT"), tmp.resolve(name),
			DicomWriter.SeriesInfo.synthetic("save-seg/" + name, "PHANTOM^SAVE", "SAVE01", "Save SEG test"));
		return SeriesScanner.scan(List.of(tmp.resolve(name)), ProgressListener.NONE, null).get(0);
	}

	/** Two lesions: labels 1 (slices 1–2) and 2 (slice 3). */
	private static Mask lesions() {
		byte[] l = new byte[GRID.voxelCount()];
		for (int z = 1; z <= 2; z++)
			for (int y = 3; y < 8; y++)
				for (int x = 4; x < 10; x++) l[GRID.index(x, y, z)] = 1;
		for (int y = 12; y < 16; y++)
			for (int x = 15; x < 20; x++) l[GRID.index(x, y, 3)] = 2;
		return new Mask(GRID, l);
	}

	private static int[] components(Mask m) {
		int[] c = new int[m.labels().length];
		for (int i = 0; i < c.length; i++) c[i] = m.labels()[i] & 0xFF;
		return c;
	}

	private static Mask binary(Mask m) {
		byte[] b = new byte[m.labels().length];
		for (int i = 0; i < b.length; i++) b[i] = (byte) (m.labels()[i] != 0 ? 1 : 0);
		return new Mask(m.geometry(), b);
	}

	@Test
	void savesTheOverlayOrTheMaskImage() throws IOException {
		DicomSeries s = writeSeries("case");
		ImagePlus imp = OpenDicomTool.open(s, null, null);
		assertThrows(IllegalArgumentException.class, () -> SaveDicomSegTool.save(imp, null, tmp.resolve("x.dcm"), null, null),
			"no overlay, no mask image");
		Mask m = lesions();
		imp.setOverlay(SegmentationOverlay.create(GRID, components(m)));
		Path fromOverlay = SaveDicomSegTool.save(imp, null, tmp.resolve("out/overlay_seg.dcm"), null, null);
		assertEquals(binary(m), SegReader.read(fromOverlay, s), "the overlay holds all lesions as one segment");

		ImagePlus maskImage = IjVolumes.toImagePlus(m, imp.getTitle() + SaveDicomSegTool.MASK_SUFFIX);
		Path fromImage = SaveDicomSegTool.save(imp, maskImage, tmp.resolve("out/image_seg.dcm"), null, null);
		assertEquals(m, SegReader.read(fromImage, s), "labels 1 and 2 → segments 1 and 2");
	}

	@Test
	void refusesAnImageThatDidNotComeFromOpenDicom() {
		ImagePlus plain = IjVolumes.toImagePlus(new Volume(GRID, new float[GRID.voxelCount()], "CT"), "plain");
		plain.setOverlay(SegmentationOverlay.create(GRID, components(lesions())));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> SaveDicomSegTool.save(plain, null, tmp.resolve("p.dcm"), null, null));
		assertTrue(e.getMessage().contains("Open DICOM"), e.getMessage());
	}

	@Test
	void macroCommandWritesTheSeg() throws Exception {
		assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		assertEquals(SaveDicomSegPlugin.class.getName(), IjHarness.commands().get("Save DICOM SEG..."));
		DicomSeries s = writeSeries("macro");
		String title = IJ.runMacro("setBatchMode(true);\nrun(\"Open DICOM...\", \"path=[" + tmp.resolve("macro")
			+ "]\");\nt = getTitle();\nsetBatchMode(\"exit and display\");\nreturn t;");
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp, "Open DICOM... opened " + title);
		try {
			Mask m = lesions();
			imp.setOverlay(SegmentationOverlay.create(GRID, components(m)));
			Path out = tmp.resolve("macro_seg.dcm");
			IjHarness.clearDialogs();
			String r = IJ.runMacro("selectImage(\"" + title + "\");\nrun(\"Save DICOM SEG...\", \"output=[" + out + "]\");\n"
				+ "return \"ok\";");
			assertEquals("ok", r, "dialogs: " + IjHarness.DIALOGS);
			assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog: " + IjHarness.DIALOGS);
			assertTrue(Files.isRegularFile(out));
			assertEquals(binary(m), SegReader.read(out, s));
			assertFalse(Files.exists(tmp.resolve("macro").resolve("macro_seg.dcm")));
		} finally {
			imp.changes = false;
			imp.close();
		}
	}
}
