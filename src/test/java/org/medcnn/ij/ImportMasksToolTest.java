package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.rt.RtStructOptions;
import org.medcnn.dicom.rt.RtStructWriter;
import org.medcnn.dicom.seg.SegOptions;
import org.medcnn.dicom.seg.SegWriter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * {@link ImportMasksTool} with SEG, RTSTRUCT and NIfTI masks on an image opened from a synthetic DICOM series, and
 * the {@code Import Masks...} macro command (needs a display).
 */
class ImportMasksToolTest {

	private static final Geometry GRID = new Geometry(24, 20, 5, new double[] {0.7, 0.7, 2}, new double[] {-10, 5, 40},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	private DicomSeries writeSeries(String name) throws IOException {
		float[] v = new float[GRID.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (i * 7) % 200 - 100;
		DicomWriter.writeSeries(new Volume(GRID, v, "CT"), tmp.resolve(name),
			DicomWriter.SeriesInfo.synthetic("import/" + name, "PHANTOM^IMPORT", "IMP01", "Import test"));
		return SeriesScanner.scan(List.of(tmp.resolve(name)), ProgressListener.NONE, null).get(0);
	}

	/** Labels 1 (a box with a hole, slices 1–2) and 2 (slice 3). */
	private static Mask labels() {
		byte[] l = new byte[GRID.voxelCount()];
		for (int z = 1; z <= 2; z++)
			for (int y = 3; y < 9; y++)
				for (int x = 4; x < 11; x++) l[GRID.index(x, y, z)] = (byte) (x == 7 && y == 5 ? 0 : 1);
		for (int y = 12; y < 16; y++)
			for (int x = 15; x < 20; x++) l[GRID.index(x, y, 3)] = 2;
		return new Mask(GRID, l);
	}

	private static Mask only(Mask m, int label) {
		byte[] b = new byte[m.labels().length];
		for (int i = 0; i < b.length; i++) b[i] = (byte) (m.labels()[i] == label ? 1 : 0);
		return new Mask(m.geometry(), b);
	}

	@Test
	void loadsSegRtStructAndNiftiOntoTheImage() throws IOException {
		DicomSeries s = writeSeries("case");
		ImagePlus imp = OpenDicomTool.open(s, null, null);
		Mask m = labels();
		Path seg = SegWriter.write(m, s, tmp.resolve("m_seg.dcm"), SegOptions.forModel("x", "0"));
		assertEquals(m, ImportMasksTool.load(seg, imp, null));
		Path nii = tmp.resolve("m.nii.gz");
		Nifti.writeMask(m, nii);
		assertEquals(m, ImportMasksTool.load(nii, imp, null));
		Path rt = RtStructWriter.write(m, s, tmp.resolve("m_rt.dcm"), RtStructOptions.forModel("x", "0"));
		assertEquals(only(m, 2), ImportMasksTool.load(rt, imp, "Lesion 2"));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImportMasksTool.load(rt, imp, null));
		assertTrue(e.getMessage().contains("Lesion 1, Lesion 2"), e.getMessage());
		Path one = RtStructWriter.write(only(m, 1), s, tmp.resolve("one_rt.dcm"), RtStructOptions.forModel("x", "0"));
		assertEquals(only(m, 1), ImportMasksTool.load(one, imp, null), "the only ROI needs no name");

		ImagePlus labels = ImportMasksTool.show(imp, m);
		assertEquals(imp.getTitle() + "-mask", labels.getTitle());
		assertArrayEquals(m.labels(), IjVolumes.toMask(labels).labels());
		long outlines = 0;
		for (Roi r : imp.getOverlay().toArray()) if (SegmentTumorsTool.isSegmentationRoi(r)) outlines++;
		assertTrue(outlines >= 3, "fills and outlines of 2 components on 3 slices: " + outlines);
	}

	@Test
	void macroCommandImportsAnRtStructRoi() throws Exception {
		assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		assertEquals(ImportMasksPlugin.class.getName(), IjHarness.commands().get("Import Masks..."));
		DicomSeries s = writeSeries("macro");
		Mask m = labels();
		Path rt = RtStructWriter.write(m, s, tmp.resolve("macro_rt.dcm"), RtStructOptions.forModel("x", "0"));
		String title = IJ.runMacro("setBatchMode(true);\nrun(\"Open DICOM...\", \"path=[" + tmp.resolve("macro")
			+ "]\");\nt = getTitle();\nsetBatchMode(\"exit and display\");\nreturn t;");
		ImagePlus imp = WindowManager.getImage(title);
		assertNotNull(imp, "Open DICOM... opened " + title);
		ImagePlus maskImage = null;
		try {
			IjHarness.clearDialogs();
			IJ.runMacro("selectImage(\"" + title + "\");\nrun(\"Import Masks...\", \"path=[" + rt + "]\");");
			assertTrue(String.join("\n", IjHarness.DIALOGS).contains("Lesion 1, Lesion 2"),
				"several ROIs and no roi key: an error lists them; dialogs: " + IjHarness.DIALOGS);
			IjHarness.clearDialogs();
			String r = IJ.runMacro("selectImage(\"" + title + "\");\nrun(\"Import Masks...\", \"path=[" + rt
				+ "] roi=[Lesion 1]\");\nreturn getTitle();");
			assertTrue(IjHarness.DIALOGS.isEmpty(), "no dialog: " + IjHarness.DIALOGS);
			assertEquals(title + "-mask", r);
			maskImage = WindowManager.getImage(title + "-mask");
			assertNotNull(maskImage);
			assertEquals(only(m, 1), IjVolumes.toMask(maskImage));
			assertNotNull(imp.getOverlay(), "the mask is drawn on the image");
		} finally {
			if (maskImage != null) {
				maskImage.changes = false;
				maskImage.close();
			}
			imp.changes = false;
			imp.close();
		}
	}
}
