package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ShortProcessor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.data.ImageFiles;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * TIFF files as ImageJ 1.x itself writes them ({@link FileSaver}, the "File > Save As > Tiff..." of Fiji) read by
 * {@link ImageFiles}, which does not use ImageJ: calibration, values, and an image stack with its label stack as a
 * segmentation case.
 */
class ImageJTiffFilesTest {

	@TempDir
	Path dir;

	@Test
	void floatStackFromMedCnnRoundTripsWithItsSpacing() throws IOException {
		Geometry g = new Geometry(5, 4, 3, new double[] {0.7, 0.8, 2.5}, new double[] {-120.5, -80.25, 33}, Geometry.AXIAL);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i * 1.5f - 1000;
		Path f = dir.resolve("ct.tif");
		assertTrue(new FileSaver(IjVolumes.toImagePlus(new Volume(g, v, "CT"), "ct")).saveAsTiffStack(f.toString()));
		ImageFiles.Image r = ImageFiles.read(f);
		assertArrayEquals(v, r.volume().voxels(), 0f, "32-bit floats kept");
		assertTrue(r.spacingRecorded());
		assertArrayEquals(new double[] {0.7, 0.8, 2.5}, r.volume().geometry().spacingMm(), 1e-6);
		assertEquals("OT", r.volume().modality(), "a TIFF records no modality");
	}

	@Test
	void signed16BitStackKeepsItsValuesThroughImageJsCalibration() throws IOException {
		// ImageJ stores signed 16-bit data with 32768 added and a straight-line function that takes it off.
		ImageStack st = new ImageStack(3, 2);
		for (int k = 0; k < 2; k++) {
			ShortProcessor sp = new ShortProcessor(3, 2);
			for (int i = 0; i < 6; i++) sp.set(i, 32768 - 1000 + 500 * k + i);
			st.addSlice(sp);
		}
		ImagePlus imp = new ImagePlus("s16", st);
		Calibration c = imp.getCalibration();
		c.setSigned16BitCalibration();
		c.pixelWidth = c.pixelHeight = 0.5;
		c.pixelDepth = 3;
		c.setUnit("micron");
		Path f = dir.resolve("s16.tif");
		assertTrue(new FileSaver(imp).saveAsTiffStack(f.toString()));
		ImageFiles.Image r = ImageFiles.read(f);
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < 6; i++) assertEquals(-1000 + 500 * k + i, r.volume().voxels()[6 * k + i], 0f, k + "/" + i);
		assertArrayEquals(new double[] {0.5e-3, 0.5e-3, 3e-3}, r.volume().geometry().spacingMm(), 1e-9, "microns in mm");
	}

	@Test
	void invertedLutImageKeepsItsStoredValues() throws IOException {
		ByteProcessor bp = new ByteProcessor(3, 1);
		bp.set(0, 0);
		bp.set(1, 1);
		bp.set(2, 200);
		bp.invertLut(); // ImageJ saves the LUT as a ColorMap (a palette of greys in falling order)
		Path f = dir.resolve("inv.tif");
		assertTrue(new FileSaver(new ImagePlus("inv", bp)).saveAsTiff(f.toString()));
		assertArrayEquals(new float[] {0, 1, 200}, ImageFiles.read(f).volume().voxels(), 0f, "the values ImageJ shows");
		assertArrayEquals(new byte[] {0, 1, (byte) 200}, ImageFiles.readLabels(f).mask().labels(), "labels as stored");
	}

	@Test
	void imageStackAndLabelStackLoadAsACase() throws IOException {
		Geometry g = new Geometry(6, 5, 4, new double[] {0.9, 0.9, 2}, new double[3], Geometry.AXIAL);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (i % 7) * 10;
		Mask m = Mask.empty(g);
		for (int x = 1; x < 4; x++) m.labels()[g.index(x, 2, 1)] = 1;
		m.labels()[g.index(5, 4, 3)] = 2;
		Path images = dir.resolve("images"), masks = dir.resolve("masks");
		java.nio.file.Files.createDirectories(images);
		java.nio.file.Files.createDirectories(masks);
		assertTrue(new FileSaver(IjVolumes.toImagePlus(new Volume(g, v, "MR"), "a")).saveAsTiffStack(images.resolve("a.tif").toString()));
		assertTrue(new FileSaver(IjVolumes.toImagePlus(m, "a-mask")).saveAsTiffStack(masks.resolve("a.tif").toString()));
		List<Datasets.Case> cases = Datasets.loadCases(images, masks, ProgressListener.NONE, new Cancellation());
		assertEquals(1, cases.size());
		Datasets.Case c = cases.get(0);
		assertEquals("a", c.name());
		assertArrayEquals(v, c.image().voxels(), 0f);
		assertArrayEquals(m.labels(), c.mask().labels());
		assertTrue(c.mask().geometry().matches(c.image().geometry(), 1e-6), "the mask lies on the image's grid");
		assertArrayEquals(new double[] {0.9, 0.9, 2}, c.image().geometry().spacingMm(), 1e-6);
	}
}
