package org.medcnn.ij;

import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

import org.medcnn.volume.Geometry;

/**
 * Draws a lesion segmentation into an ImageJ {@link Overlay}: per slice that has foreground, one translucent
 * filled image ({@link ImageRoi}, opacity {@value #FILL_OPACITY}, named {@value #FILL_NAME}) covering exactly the
 * segmented pixels in their lesion's colour, and one outline ROI per lesion present on that slice, named
 * "Lesion k" and stroked in the same colour. Every ROI is tied to its stack slice ({@code z + 1}).
 * <p>
 * The input is a component map: per voxel, 0 for background or the 1-based lesion number (from the connected
 * components of the mask). Headless (no window needed) and stateless.
 */
public final class SegmentationOverlay {

	/** Name of the filled mask images. */
	public static final String FILL_NAME = "MedCNN mask";
	/** Prefix of outline names: "Lesion 1", "Lesion 2", ... */
	public static final String LESION_PREFIX = "Lesion ";
	/** Opacity of the filled mask. */
	public static final double FILL_OPACITY = 0.35;

	/** Distinct, saturated colours that read on a grey CT window; lesion k gets colour (k − 1) mod length. */
	private static final Color[] PALETTE = {new Color(255, 50, 50), new Color(255, 210, 0), new Color(0, 200, 255),
		new Color(60, 230, 60), new Color(255, 80, 255), new Color(255, 140, 0), new Color(150, 120, 255),
		new Color(0, 255, 170)};

	private SegmentationOverlay() {}

	/** The colour of lesion {@code k} (1-based). */
	public static Color lesionColor(int k) {
		return PALETTE[Math.floorMod(k - 1, PALETTE.length)];
	}

	/** The outline name of lesion {@code k}. */
	public static String lesionName(int k) {
		return LESION_PREFIX + k;
	}

	/**
	 * Builds the overlay.
	 *
	 * @param g the image grid
	 * @param components per voxel 0 or the 1-based lesion number, length {@code g.voxelCount()}
	 * @return a new overlay; empty when nothing is segmented
	 */
	public static Overlay create(Geometry g, int[] components) {
		if (components.length != g.voxelCount())
			throw new IllegalArgumentException("components has " + components.length + " values but the grid has "
				+ g.voxelCount());
		Overlay overlay = new Overlay();
		for (Roi r : rois(g, components)) overlay.add(r);
		return overlay;
	}

	/** The ROIs of all slices: for each slice, its fill and then its outlines in lesion order. */
	public static List<Roi> rois(Geometry g, int[] components) {
		List<Roi> rois = new ArrayList<>();
		int nx = g.nx(), ny = g.ny(), n = g.sliceSize();
		for (int z = 0; z < g.nz(); z++) {
			int off = z * n;
			// Bounding box of all foreground on this slice, and the lesions present.
			int x0 = nx, y0 = ny, x1 = -1, y1 = -1, maxLesion = 0;
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) {
					int k = components[off + y * nx + x];
					if (k == 0) continue;
					if (x < x0) x0 = x;
					if (x > x1) x1 = x;
					if (y < y0) y0 = y;
					if (y > y1) y1 = y;
					if (k > maxLesion) maxLesion = k;
				}
			if (x1 < 0) continue;
			int w = x1 - x0 + 1, h = y1 - y0 + 1;
			ColorProcessor fill = new ColorProcessor(w, h);
			int[] argb = (int[]) fill.getPixels();
			boolean[] present = new boolean[maxLesion + 1];
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					int k = components[off + (y + y0) * nx + x + x0];
					if (k == 0) continue;
					present[k] = true;
					argb[y * w + x] = lesionColor(k).getRGB() & 0xFFFFFF;
				}
			ImageRoi fillRoi = new ImageRoi(x0, y0, fill);
			fillRoi.setZeroTransparent(true);
			fillRoi.setOpacity(FILL_OPACITY);
			fillRoi.setName(FILL_NAME);
			fillRoi.setPosition(z + 1);
			rois.add(fillRoi);
			for (int k = 1; k <= maxLesion; k++) {
				if (!present[k]) continue;
				Roi outline = outline(components, off, nx, x0, y0, w, h, k);
				outline.setName(lesionName(k));
				outline.setStrokeColor(lesionColor(k));
				outline.setStrokeWidth(1);
				outline.setPosition(z + 1);
				rois.add(outline);
			}
		}
		return rois;
	}

	/** The outline of lesion k within a box of one slice, as an image-coordinate selection. */
	private static Roi outline(int[] components, int off, int nx, int x0, int y0, int w, int h, int k) {
		ByteProcessor bp = new ByteProcessor(w, h);
		byte[] pixels = (byte[]) bp.getPixels();
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				if (components[off + (y + y0) * nx + x + x0] == k) pixels[y * w + x] = (byte) 255;
		bp.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
		Roi roi = new ThresholdToSelection().convert(bp);
		roi.setLocation(roi.getXBase() + x0, roi.getYBase() + y0);
		return roi;
	}
}
