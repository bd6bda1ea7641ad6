package org.medcnn.volume;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.medcnn.common.AtomicFiles;

/**
 * Renders a slice with its masks as a picture for reports and quick checks (demo, predict, batch): the slice
 * in a grey window, the predicted mask as a translucent red fill with a yellow outline, the reference mask (if
 * any) as a green outline, and caption lines. Slices of any size render in bounded time and memory: the picture's
 * longest side stays within {@link #MAX_SIDE} pixels. Headless (Java2D only).
 */
public final class OverlayImages {

	private static final Color PREDICTED_FILL = new Color(255, 40, 40, 90);
	private static final Color PREDICTED_EDGE = new Color(255, 220, 0);
	private static final Color REFERENCE_EDGE = new Color(40, 230, 60);

	private OverlayImages() {}

	/**
	 * Longest side, in pixels, of a rendered slice (without its caption): slices are enlarged at most up to it, and
	 * larger ones are shrunk to fit, so that one picture costs at most a few megabytes and well under a second
	 * whatever the slice size (a 4096 × 4096 slice gives 1366 × 1366).
	 */
	public static final int MAX_SIDE = 1536;

	/**
	 * Renders slice {@code z}.
	 *
	 * @param predicted predicted mask on the volume's grid, or null
	 * @param reference reference (ground truth) mask, or null
	 * @param scale the largest zoom factor (nearest neighbour), ≥ 1: the slice is enlarged by {@code scale}, or by
	 *     less so that its longest side stays within {@link #MAX_SIDE}; a slice longer than that is shrunk by the
	 *     smallest whole factor that fits (grey: the mean of each block; a mask pixel is set when any voxel of its
	 *     block is, so that small lesions stay visible). {@link #zoom} says which.
	 * @param caption lines drawn at the top left
	 */
	public static BufferedImage render(Volume v, int z, Mask predicted, Mask reference, double windowCenter,
		double windowWidth, int scale, String... caption) {
		Geometry g = v.geometry();
		int nx = g.nx(), ny = g.ny();
		int zoom = zoom(nx, ny, scale);
		int shrink = zoom < 0 ? -zoom : 1;
		int s = Math.max(1, zoom);
		// the grid drawn: nx × ny, or the shrunk grid of shrink × shrink blocks
		int gx = (nx + shrink - 1) / shrink, gy = (ny + shrink - 1) / shrink;
		int width = gx * s;
		int captionHeight = caption.length == 0 ? 0 : 14 * caption.length + 6;
		BufferedImage img = new BufferedImage(width, gy * s + captionHeight, BufferedImage.TYPE_INT_RGB);
		int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
		double lo = windowCenter - windowWidth / 2;
		boolean[] pred = predicted == null ? null : cells(predicted, z, shrink, gx, gy);
		boolean[] ref = reference == null ? null : cells(reference, z, shrink, gx, gy);
		for (int cy = 0; cy < gy; cy++) {
			for (int cx = 0; cx < gx; cx++) {
				double sum = 0;
				int n = 0;
				for (int y = cy * shrink; y < Math.min(ny, (cy + 1) * shrink); y++)
					for (int x = cx * shrink; x < Math.min(nx, (cx + 1) * shrink); x++) {
						sum += v.get(x, y, z);
						n++;
					}
				double t = (sum / n - lo) / windowWidth;
				int grey = (int) Math.round(255 * Math.max(0, Math.min(1, t)));
				int rgb = grey << 16 | grey << 8 | grey;
				if (pred != null && pred[cy * gx + cx]) rgb = over(rgb, PREDICTED_FILL);
				int row0 = captionHeight + cy * s;
				for (int dy = 0; dy < s; dy++) Arrays.fill(px, (row0 + dy) * width + cx * s, (row0 + dy) * width + cx * s + s, rgb);
			}
		}
		if (pred != null) drawEdges(px, width, captionHeight, pred, gx, gy, s, PREDICTED_EDGE.getRGB() & 0xFFFFFF);
		if (ref != null) drawEdges(px, width, captionHeight, ref, gx, gy, s, REFERENCE_EDGE.getRGB() & 0xFFFFFF);
		if (caption.length > 0) {
			Graphics2D gr = img.createGraphics();
			gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
			gr.setColor(Color.WHITE);
			for (int i = 0; i < caption.length; i++) gr.drawString(caption[i], 4, 14 * (i + 1));
			gr.dispose();
		}
		return img;
	}

	/**
	 * The zoom {@link #render} uses for an {@code nx × ny} slice and a largest zoom {@code scale}: a factor ≥ 1 to
	 * enlarge by, or {@code -k} to shrink by k (slices longer than {@link #MAX_SIDE}).
	 *
	 * @throws IllegalArgumentException when scale is below 1
	 */
	public static int zoom(int nx, int ny, int scale) {
		if (scale < 1) throw new IllegalArgumentException("scale must be at least 1 but is " + scale);
		int side = Math.max(nx, ny);
		if (side > MAX_SIDE) return -((side + MAX_SIDE - 1) / MAX_SIDE);
		return (int) Math.max(1, Math.min(scale, MAX_SIDE / side));
	}

	/** Which cells of the drawn grid (blocks of shrink × shrink voxels) hold a non-zero voxel of slice z. */
	private static boolean[] cells(Mask m, int z, int shrink, int gx, int gy) {
		Geometry g = m.geometry();
		boolean[] on = new boolean[gx * gy];
		for (int y = 0; y < g.ny(); y++)
			for (int x = 0; x < g.nx(); x++)
				if (m.get(x, y, z) != 0) on[(y / shrink) * gx + x / shrink] = true;
		return on;
	}

	/** {@code c} (with its alpha) over an opaque RGB pixel, rounded as 8-bit compositing does. */
	private static int over(int rgb, Color c) {
		int a = c.getAlpha();
		int r = (c.getRed() * a + ((rgb >> 16) & 0xFF) * (255 - a) + 127) / 255;
		int gr = (c.getGreen() * a + ((rgb >> 8) & 0xFF) * (255 - a) + 127) / 255;
		int b = (c.getBlue() * a + (rgb & 0xFF) * (255 - a) + 127) / 255;
		return r << 16 | gr << 8 | b;
	}

	/**
	 * Marks the boundary between set and unset cells: the side of a set cell that faces an unset cell (or the
	 * border) is painted {@code max(1, s / 2)} pixels wide inside the cell.
	 */
	private static void drawEdges(int[] px, int width, int top, boolean[] on, int gx, int gy, int s, int rgb) {
		int w = Math.max(1, s / 2);
		for (int cy = 0; cy < gy; cy++) {
			for (int cx = 0; cx < gx; cx++) {
				if (!on[cy * gx + cx]) continue;
				int x0 = cx * s, y0 = top + cy * s;
				if (cx == 0 || !on[cy * gx + cx - 1]) fill(px, width, x0, y0, w, s, rgb);
				if (cx == gx - 1 || !on[cy * gx + cx + 1]) fill(px, width, x0 + s - w, y0, w, s, rgb);
				if (cy == 0 || !on[(cy - 1) * gx + cx]) fill(px, width, x0, y0, s, w, rgb);
				if (cy == gy - 1 || !on[(cy + 1) * gx + cx]) fill(px, width, x0, y0 + s - w, s, w, rgb);
			}
		}
	}

	private static void fill(int[] px, int width, int x, int y, int w, int h, int rgb) {
		for (int r = y; r < y + h; r++) Arrays.fill(px, r * width + x, r * width + x + w, rgb);
	}

	/** Writes a PNG through a temporary file and a rename, so a reader never sees half a file. */
	public static void writePng(BufferedImage img, Path file) throws IOException {
		AtomicFiles.write(file, tmp -> {
			if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("No PNG writer available");
		});
	}
}
