package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.OvalRoi;
import ij.gui.Line;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;

import org.junit.jupiter.api.Test;
import org.medcnn.volume.Mask;

class ImageTrainingDataTest {

	private static ImagePlus ct(int slices) {
		ImageStack s = new ImageStack(20, 16);
		for (int i = 0; i < slices; i++) s.addSlice(new FloatProcessor(20, 16));
		return new ImagePlus("ct", s);
	}

	@Test
	void roisAreDrawnOnTheSliceOfTheirPosition() {
		ImagePlus imp = ct(3);
		Roi rect = new Roi(2, 3, 4, 5);
		rect.setPosition(2);
		Roi oval = new OvalRoi(10, 4, 6, 6);
		oval.setPosition(3);
		Mask m = ImageTrainingData.fromRois(imp, new Roi[] {rect, oval});
		assertEquals(20, m.geometry().nx());
		assertEquals(3, m.geometry().nz());
		assertEquals(1, m.get(2, 3, 1));
		assertEquals(1, m.get(5, 7, 1));
		assertEquals(0, m.get(6, 7, 1), "right of the rectangle");
		assertEquals(0, m.get(3, 4, 0), "not on slice 1");
		assertEquals(1, m.get(13, 7, 2), "oval centre");
		assertEquals(0, m.get(10, 4, 2), "oval corner is outside");
		assertEquals(20 + oval.getContainedPoints().length,
			m.foregroundCount(), "rectangle + oval pixels");
	}

	@Test
	void badRoisAreRefusedByName() {
		ImagePlus imp = ct(3);
		Roi noSlice = new Roi(1, 1, 3, 3);
		noSlice.setName("lesion A");
		String msg = assertThrows(IllegalArgumentException.class,
			() -> ImageTrainingData.fromRois(imp, new Roi[] {noSlice})).getMessage();
		assertTrue(msg.contains("ROI 1 (\"lesion A\")") && msg.contains("no slice position"), msg);
		Roi line = new Line(1, 1, 5, 5);
		line.setPosition(1);
		assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageTrainingData.fromRois(imp, new Roi[] {line}))
			.getMessage().contains("not an area"));
		Roi far = new Roi(1, 1, 3, 3);
		far.setPosition(9);
		assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageTrainingData.fromRois(imp, new Roi[] {far}))
			.getMessage().contains("slice 9"));
		assertThrows(IllegalArgumentException.class, () -> ImageTrainingData.fromRois(imp, new Roi[0]));
		// A single slice needs no position.
		assertEquals(9, ImageTrainingData.fromRois(ct(1), new Roi[] {new Roi(1, 1, 3, 3)}).foregroundCount());
	}

	@Test
	void labelImageMustShareTheGrid() {
		ImagePlus imp = ct(2);
		ImageStack s = new ImageStack(20, 16);
		for (int i = 0; i < 2; i++) s.addSlice(new ByteProcessor(20, 16));
		s.getProcessor(2).set(4, 5, 3);
		Mask m = ImageTrainingData.fromLabelImage(imp, new ImagePlus("labels", s));
		assertEquals(3, m.get(4, 5, 1));
		assertEquals(1, m.foregroundCount());
		String msg = assertThrows(IllegalArgumentException.class,
			() -> ImageTrainingData.fromLabelImage(imp, new ImagePlus("small", new ByteProcessor(10, 16)))).getMessage();
		assertTrue(msg.contains("\"small\" is 10×16×1") && msg.contains("20×16×2"), msg);
	}
}
