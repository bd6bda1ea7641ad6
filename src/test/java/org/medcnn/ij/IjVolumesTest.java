package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ShortProcessor;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

class IjVolumesTest {

	/** 5×4×3 CT volume, spacing 0.7×0.8×2.5 mm, origin (−120.5, −80.25, 33), axial; voxel value = index·1.5 − 1000. */
	private static Volume ct() {
		Geometry g = new Geometry(5, 4, 3, new double[] {0.7, 0.8, 2.5}, new double[] {-120.5, -80.25, 33},
			Geometry.AXIAL);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i * 1.5f - 1000;
		return new Volume(g, v, "CT", List.of("IM0001.dcm", "IM0002.dcm", "IM0003.dcm"));
	}

	@Test
	void calibrationCarriesSpacingInMillimetres() {
		ImagePlus imp = IjVolumes.toImagePlus(ct(), "ct");
		Calibration cal = imp.getCalibration();
		assertEquals(0.7, cal.pixelWidth, 0);
		assertEquals(0.8, cal.pixelHeight, 0);
		assertEquals(2.5, cal.pixelDepth, 0);
		assertEquals("mm", cal.getUnit());
		assertEquals(ImagePlus.GRAY32, imp.getType());
		assertEquals(3, imp.getNSlices());
	}

	@Test
	void calibratedCoordinatesAreLpsForAxialImages() {
		Volume v = ct();
		Calibration cal = IjVolumes.toImagePlus(v, "ct").getCalibration();
		double[] p = v.geometry().toPatient(3, 2, 1);
		assertEquals(p[0], cal.getX(3), 1e-9);
		assertEquals(p[1], cal.getY(2, 4), 1e-9);
		assertEquals(p[2], cal.getZ(1), 1e-9);
		// origin −120.5 mm at 0.7 mm spacing: pixel 0 sits 120.5/0.7 pixels right of ImageJ's origin
		assertEquals(120.5 / 0.7, cal.xOrigin, 1e-9);
	}

	@Test
	void huValuesAndSliceLabelsArePreserved() {
		Volume v = ct();
		ImagePlus imp = IjVolumes.toImagePlus(v, "ct");
		imp.setSlice(2);
		assertEquals(v.get(4, 3, 1), imp.getProcessor().getf(4, 3), 0);
		assertEquals("IM0002.dcm", imp.getStack().getSliceLabel(2));
		assertEquals("CT", imp.getProp(IjVolumes.PROP_MODALITY));
	}

	@Test
	void roundTripIsExact() {
		Volume v = ct();
		Volume back = IjVolumes.toVolume(IjVolumes.toImagePlus(v, "ct"));
		assertEquals(v, back);
		assertEquals(v.geometry(), back.geometry());
		assertEquals(v.sliceLabels(), back.sliceLabels());
		assertEquals("CT", back.modality());
	}

	@Test
	void roundTripKeepsObliqueGeometry() {
		double c = Math.cos(0.3), s = Math.sin(0.3);
		double[] dir = {c, s, 0, 0, 0, -1, -s, c, 0}; // rows along (c,s,0), columns down −z: a rotated coronal plane
		Geometry g = new Geometry(3, 2, 2, new double[] {1.1, 0.9, 3}, new double[] {12.25, -7.5, 100.125}, dir);
		Volume v = new Volume(g, new float[g.voxelCount()], "MR");
		Volume back = IjVolumes.toVolume(IjVolumes.toImagePlus(v, "mr"));
		assertEquals(g, back.geometry());
	}

	@Test
	void geometryFallsBackToCalibrationWithoutProperties() {
		Volume v = ct();
		ImagePlus imp = IjVolumes.toImagePlus(v, "ct");
		ImagePlus plain = new ImagePlus("copy", imp.getStack());
		plain.setCalibration(imp.getCalibration());
		Geometry g = IjVolumes.geometry(plain);
		assertArrayEquals(v.geometry().spacingMm(), g.spacingMm(), 0);
		assertArrayEquals(v.geometry().originMm(), g.originMm(), 1e-9);
		assertArrayEquals(Geometry.AXIAL, g.direction(), 0);
		assertEquals("OT", IjVolumes.toVolume(plain).modality());
	}

	@Test
	void sixteenBitImagesAreReadThroughTheCalibrationFunction() {
		ImageStack stack = new ImageStack(2, 1);
		stack.addSlice(new ShortProcessor(2, 1, new short[] {0, 1000}, null));
		ImagePlus imp = new ImagePlus("raw", stack);
		Calibration cal = imp.getCalibration();
		cal.setFunction(Calibration.STRAIGHT_LINE, new double[] {-1024, 1}, "HU");
		cal.setUnit("cm");
		cal.pixelWidth = cal.pixelHeight = 0.05;
		Volume v = IjVolumes.toVolume(imp);
		assertEquals(-1024, v.get(0, 0, 0), 0);
		assertEquals(-24, v.get(1, 0, 0), 0);
		assertEquals(0.5, v.geometry().spacingMm()[0], 1e-12);
	}

	@Test
	void maskRoundTripIsExact() {
		Geometry g = ct().geometry();
		byte[] labels = new byte[g.voxelCount()];
		labels[7] = 1;
		labels[g.index(2, 2, 2)] = 3;
		Mask m = new Mask(g, labels);
		ImagePlus imp = IjVolumes.toImagePlus(m, "mask");
		assertEquals(ImagePlus.GRAY8, imp.getType());
		assertEquals(m, IjVolumes.toMask(imp));
	}

	@Test
	void windowPresets() {
		Volume ct = ct();
		assertArrayEquals(new double[] {40, 400}, IjVolumes.defaultWindow(ct, null), 0);
		assertArrayEquals(new double[] {-600, 1500}, IjVolumes.defaultWindow(ct, new double[] {-600, 1500}), 0);
		ImagePlus imp = IjVolumes.toImagePlus(ct, "ct");
		assertEquals(-160, imp.getDisplayRangeMin(), 1e-9);
		assertEquals(240, imp.getDisplayRangeMax(), 1e-9);
		imp.setSlice(3);
		assertEquals(240, imp.getDisplayRangeMax(), 1e-9, "the window must not change from slice to slice");

		Geometry g = Geometry.axial(100, 10, 1, 1, 1, 1);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i % 1000; // uniform 0…999
		double[] w = IjVolumes.autoWindow(new Volume(g, v, "MR"));
		assertEquals(500, w[0], 10);
		assertEquals(990, w[1], 10);
	}

	@Test
	void refusesRgbAndMultiChannelImages() {
		ImagePlus rgb = new ImagePlus("rgb", new ij.process.ColorProcessor(3, 3));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IjVolumes.toVolume(rgb));
		assertTrue(e.getMessage().contains("\"rgb\""), e.getMessage());
		ImageStack stack = new ImageStack(2, 2);
		stack.addSlice(new ij.process.FloatProcessor(2, 2));
		stack.addSlice(new ij.process.FloatProcessor(2, 2));
		ImagePlus two = new ImagePlus("two", stack);
		two.setDimensions(2, 1, 1);
		assertThrows(IllegalArgumentException.class, () -> IjVolumes.toVolume(two));
	}
}
