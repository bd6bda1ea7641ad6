package org.medcnn.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 5: an overlay of a 4096 × 4096 slice (a lesion's key slice in a large scan) renders in well under
 * a second into a picture of at most {@link OverlayImages#MAX_SIDE} pixels a side, and a small lesion stays visible;
 * small slices are enlarged as before.
 */
class OverlayImagesTest {

	private static final int PREDICTED_EDGE = 0xFFDC00;

	/** An nx × ny slice in HU (a gradient) with a disc of radius r at (cx, cy) and a 3 × 3 lesion at (sx, sy). */
	private static Object[] slice(int nx, int ny, int cx, int cy, int r, int sx, int sy) {
		Geometry g = Geometry.axial(nx, ny, 1, 0.1, 0.1, 1);
		float[] hu = new float[nx * ny];
		byte[] labels = new byte[nx * ny];
		for (int y = 0; y < ny; y++)
			for (int x = 0; x < nx; x++) {
				hu[y * nx + x] = -200 + 400f * x / nx;
				if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) labels[y * nx + x] = 1;
				if (Math.abs(x - sx) <= 1 && Math.abs(y - sy) <= 1) labels[y * nx + x] = 2;
			}
		return new Object[] {new Volume(g, hu, "CT"), new Mask(g, labels)};
	}

	private static boolean hasColour(BufferedImage img, int rgb, int x0, int y0, int x1, int y1) {
		for (int y = Math.max(0, y0); y < Math.min(img.getHeight(), y1); y++)
			for (int x = Math.max(0, x0); x < Math.min(img.getWidth(), x1); x++)
				if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) return true;
		return false;
	}

	@Test
	void test4096SliceRendersFastAndSmall() {
		Object[] s = slice(4096, 4096, 2000, 1500, 300, 3500, 3500);
		Volume v = (Volume) s[0];
		Mask m = (Mask) s[1];
		OverlayImages.render(v, 0, m, null, 40, 400, 3, "warm-up");
		long t0 = System.nanoTime();
		BufferedImage img = OverlayImages.render(v, 0, m, null, 40, 400, 3, "case  slice 1  lesion 1", "research use only");
		double seconds = (System.nanoTime() - t0) / 1e9;
		System.err.printf("OverlayImagesTest: 4096² slice rendered in %.3f s as %d×%d%n", seconds, img.getWidth(),
			img.getHeight());
		assertTrue(seconds < 1.0, "took " + seconds + " s");
		assertEquals(-3, OverlayImages.zoom(4096, 4096, 3));
		assertEquals(1366, img.getWidth());
		assertTrue(img.getHeight() <= OverlayImages.MAX_SIDE + 40, "height " + img.getHeight());
		int top = img.getHeight() - 1366;
		// the disc's outline and the 3 × 3 lesion (one pixel after shrinking) are both drawn
		assertTrue(hasColour(img, PREDICTED_EDGE, 2000 / 3 - 110, top + 1500 / 3 - 5, 2000 / 3 - 90, top + 1500 / 3 + 5));
		assertTrue(hasColour(img, PREDICTED_EDGE, 3500 / 3 - 2, top + 3500 / 3 - 2, 3500 / 3 + 3, top + 3500 / 3 + 3));
	}

	@Test
	void testSmallSlicesAreEnlargedUpToTheLimit() {
		assertEquals(3, OverlayImages.zoom(128, 128, 3));
		assertEquals(3, OverlayImages.zoom(512, 512, 3));
		assertEquals(2, OverlayImages.zoom(600, 400, 3));
		assertEquals(1, OverlayImages.zoom(1536, 20, 3));
		assertEquals(-2, OverlayImages.zoom(1537, 20, 1));
		Object[] s = slice(128, 96, 60, 40, 10, 100, 80);
		BufferedImage img = OverlayImages.render((Volume) s[0], 0, (Mask) s[1], (Mask) s[1], 40, 400, 3, "a", "b");
		assertEquals(384, img.getWidth());
		assertEquals(288 + 34, img.getHeight());
		// a grey pixel away from the masks: the window maps HU linearly onto 0…255
		int x = 5, y = 90;
		int grey = img.getRGB(3 * x + 1, 34 + 3 * y + 1) & 0xFF;
		double hu = -200 + 400.0 * x / 128;
		assertEquals(Math.round(255 * Math.max(0, Math.min(1, (hu - (40 - 200)) / 400))), grey);
	}
}
