package org.medcnn.volume;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.medcnn.common.AtomicFiles;

/**
 * Renders a slice with its masks as a picture for reports and quick checks (demo, predict, batch): the slice
 * in a grey window, the predicted mask as a translucent red fill with a yellow outline, the reference mask (if
 * any) as a green outline, and caption lines. Headless (Java2D only).
 */
public final class OverlayImages {

	private static final Color PREDICTED_FILL = new Color(255, 40, 40, 90);
	private static final Color PREDICTED_EDGE = new Color(255, 220, 0);
	private static final Color REFERENCE_EDGE = new Color(40, 230, 60);

	private OverlayImages() {}

	/**
	 * @param predicted predicted mask on the volume's grid, or null
	 * @param reference reference (ground truth) mask, or null
	 * @param scale integer zoom factor (nearest neighbour), ≥ 1
	 * @param caption lines drawn at the top left
	 */
	public static BufferedImage render(Volume v, int z, Mask predicted, Mask reference, double windowCenter,
		double windowWidth, int scale, String... caption) {
		Geometry g = v.geometry();
		int nx = g.nx(), ny = g.ny();
		int captionHeight = caption.length == 0 ? 0 : 14 * caption.length + 6;
		BufferedImage img = new BufferedImage(nx * scale, ny * scale + captionHeight, BufferedImage.TYPE_INT_RGB);
		double lo = windowCenter - windowWidth / 2;
		for (int y = 0; y < ny; y++) {
			for (int x = 0; x < nx; x++) {
				double t = (v.get(x, y, z) - lo) / windowWidth;
				int grey = (int) Math.round(255 * Math.max(0, Math.min(1, t)));
				int rgb = grey << 16 | grey << 8 | grey;
				for (int dy = 0; dy < scale; dy++)
					for (int dx = 0; dx < scale; dx++) img.setRGB(x * scale + dx, captionHeight + y * scale + dy, rgb);
			}
		}
		Graphics2D gr = img.createGraphics();
		gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		if (predicted != null) {
			gr.setColor(PREDICTED_FILL);
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++)
					if (predicted.get(x, y, z) != 0) gr.fillRect(x * scale, captionHeight + y * scale, scale, scale);
			drawEdges(gr, predicted, z, scale, captionHeight, PREDICTED_EDGE);
		}
		if (reference != null) drawEdges(gr, reference, z, scale, captionHeight, REFERENCE_EDGE);
		gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		gr.setColor(Color.WHITE);
		for (int i = 0; i < caption.length; i++) gr.drawString(caption[i], 4, 14 * (i + 1));
		gr.dispose();
		return img;
	}

	/** Draws the boundary between foreground and background pixels as line segments. */
	private static void drawEdges(Graphics2D gr, Mask m, int z, int s, int top, Color c) {
		Geometry g = m.geometry();
		gr.setColor(c);
		gr.setStroke(new BasicStroke(Math.max(1f, s / 2f)));
		for (int y = 0; y < g.ny(); y++) {
			for (int x = 0; x < g.nx(); x++) {
				if (m.get(x, y, z) == 0) continue;
				int px = x * s, py = top + y * s;
				if (x == 0 || m.get(x - 1, y, z) == 0) gr.drawLine(px, py, px, py + s);
				if (x == g.nx() - 1 || m.get(x + 1, y, z) == 0) gr.drawLine(px + s, py, px + s, py + s);
				if (y == 0 || m.get(x, y - 1, z) == 0) gr.drawLine(px, py, px + s, py);
				if (y == g.ny() - 1 || m.get(x, y + 1, z) == 0) gr.drawLine(px, py + s, px + s, py + s);
			}
		}
	}

	/** Writes a PNG through a temporary file and a rename, so a reader never sees half a file. */
	public static void writePng(BufferedImage img, Path file) throws IOException {
		AtomicFiles.write(file, tmp -> {
			if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("No PNG writer available");
		});
	}
}
