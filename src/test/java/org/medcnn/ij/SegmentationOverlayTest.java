package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ImageProcessor;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.medcnn.volume.Geometry;

class SegmentationOverlayTest {

	/**
	 * 20×16×4 grid: lesion 1 is a 5×4 rectangle on slices 0–1 plus a diagonal tail (touching only at corners, so
	 * one component in 8-connectivity is drawn as several polygons in one outline ROI); lesion 2 is a plus sign on
	 * slices 1–2; slice 3 is empty. Expected per slice: slice 0 → lesion 1; slice 1 → lesions 1 and 2; slice 2 →
	 * lesion 2; slice 3 → nothing.
	 */
	private static int[] components(Geometry g) {
		int[] c = new int[g.voxelCount()];
		for (int z = 0; z <= 1; z++) {
			for (int y = 2; y < 6; y++)
				for (int x = 3; x < 8; x++) c[g.index(x, y, z)] = 1;
			c[g.index(8, 6, z)] = 1;
			c[g.index(9, 7, z)] = 1;
		}
		for (int z = 1; z <= 2; z++) {
			c[g.index(14, 10, z)] = 2;
			c[g.index(13, 10, z)] = 2;
			c[g.index(15, 10, z)] = 2;
			c[g.index(14, 9, z)] = 2;
			c[g.index(14, 11, z)] = 2;
		}
		return c;
	}

	@Test
	void fillCoversExactlyTheMaskOnEverySlice() {
		Geometry g = Geometry.axial(20, 16, 4, 0.8, 0.8, 3);
		int[] c = components(g);
		Overlay overlay = SegmentationOverlay.create(g, c);
		for (int z = 0; z < g.nz(); z++) {
			int expected = 0;
			for (int i = z * g.sliceSize(); i < (z + 1) * g.sliceSize(); i++) if (c[i] != 0) expected++;
			int drawn = 0, fills = 0;
			for (Roi r : overlay.toArray()) {
				if (!(r instanceof ImageRoi fill) || r.getPosition() != z + 1) continue;
				fills++;
				ImageProcessor ip = fill.getProcessor();
				for (int y = 0; y < ip.getHeight(); y++)
					for (int x = 0; x < ip.getWidth(); x++) {
						if (ip.get(x, y) == 0) continue;
						drawn++;
						int k = c[g.index(x + (int) fill.getXBase(), y + (int) fill.getYBase(), z)];
						assertTrue(k != 0, "fill outside the mask at slice " + z);
						assertEquals(SegmentationOverlay.lesionColor(k).getRGB() & 0xFFFFFF, ip.get(x, y) & 0xFFFFFF);
					}
				assertEquals(SegmentationOverlay.FILL_OPACITY, fill.getOpacity(), 1e-9);
			}
			assertEquals(expected, drawn, "overlay pixel count on slice " + z);
			assertEquals(expected == 0 ? 0 : 1, fills, "fill images on slice " + z);
		}
	}

	@Test
	void oneOutlinePerLesionPerSliceEnclosingItsPixels() {
		Geometry g = Geometry.axial(20, 16, 4, 0.8, 0.8, 3);
		int[] c = components(g);
		Overlay overlay = SegmentationOverlay.create(g, c);
		List<String> expected = List.of("1:Lesion 1", "2:Lesion 1", "2:Lesion 2", "3:Lesion 2");
		List<String> found = new ArrayList<>();
		for (Roi r : overlay.toArray()) {
			if (r instanceof ImageRoi) continue;
			found.add(r.getPosition() + ":" + r.getName());
			int k = Integer.parseInt(r.getName().substring(SegmentationOverlay.LESION_PREFIX.length()));
			int z = r.getPosition() - 1;
			assertEquals(SegmentationOverlay.lesionColor(k), r.getStrokeColor());
			int inside = 0;
			for (java.awt.Point p : r.getContainedPoints()) {
				assertEquals(k, c[g.index(p.x, p.y, z)], "outline of lesion " + k + " encloses (" + p.x + "," + p.y + ")");
				inside++;
			}
			int area = 0;
			for (int i = z * g.sliceSize(); i < (z + 1) * g.sliceSize(); i++) if (c[i] == k) area++;
			assertEquals(area, inside, "pixels inside " + r.getName() + " on slice " + (z + 1));
		}
		found.sort(null);
		assertEquals(expected, found);
	}

	@Test
	void emptySegmentationGivesEmptyOverlay() {
		Geometry g = Geometry.axial(4, 4, 2, 1, 1, 1);
		assertEquals(0, SegmentationOverlay.create(g, new int[g.voxelCount()]).size());
	}
}
