package org.medcnn.dicom.rt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Planar contour geometry in pixel coordinates (u along a row, v down the columns, pixel (x, y) centred at
 * u = x, v = y): tracing a binary slice's boundaries and rasterising closed polygons back.
 * <p>
 * Traced contours run along pixel edges, half a pixel outside the centres of the boundary foreground pixels, so
 * rasterising them with the pixel-centre rule (a pixel is in when its centre is inside) and even-odd filling
 * gives back exactly the traced slice. Stateless.
 */
final class Contours {

	/** Directions in pixel-corner space: right, down, left, up (v grows downwards). */
	private static final int[] DU = {1, 0, -1, 0};
	private static final int[] DV = {0, 1, 0, -1};

	private Contours() {}

	/**
	 * The boundary loops of the pixels of a slice that hold {@code label}: outer boundaries and holes, each a
	 * closed polygon (first vertex not repeated) of {u0, v0, u1, v1, …} in pixel coordinates; vertices sit on pixel
	 * corners (half-integers) and only where the boundary turns. Diagonally touching pixels give separate loops.
	 *
	 * @param labels the slice, {@code nx * ny} labels row by row
	 */
	static List<double[]> trace(byte[] labels, int offset, int nx, int ny, byte label) {
		int w = nx + 1;
		byte[] out = new byte[w * (ny + 1)]; // per corner: bit d set when a boundary edge leaves in direction d
		for (int y = 0; y < ny; y++)
			for (int x = 0; x < nx; x++) {
				if (labels[offset + y * nx + x] != label) continue;
				// clockwise on screen around the pixel (foreground on the right of each edge)
				if (!in(labels, offset, nx, ny, x, y - 1, label)) out[y * w + x] |= 1;
				if (!in(labels, offset, nx, ny, x + 1, y, label)) out[y * w + x + 1] |= 2;
				if (!in(labels, offset, nx, ny, x, y + 1, label)) out[(y + 1) * w + x + 1] |= 4;
				if (!in(labels, offset, nx, ny, x - 1, y, label)) out[(y + 1) * w + x] |= 8;
			}
		List<double[]> loops = new ArrayList<>();
		for (int start = 0; start < out.length; start++) {
			while (out[start] != 0) {
				int dir = Integer.numberOfTrailingZeros(out[start]);
				int firstDir = dir;
				int corner = start;
				List<int[]> vertices = new ArrayList<>();
				int prev = -1;
				while (true) {
					out[corner] &= (byte) ~(1 << dir);
					if (dir != prev) vertices.add(new int[] {corner % w, corner / w});
					prev = dir;
					corner += DU[dir] + DV[dir] * w;
					if (corner == start) break;
					int next = -1;
					for (int turn : new int[] {1, 0, 3}) { // right turn first: keeps diagonal neighbours apart
						int d = (dir + turn) & 3;
						if ((out[corner] & (1 << d)) != 0) {
							next = d;
							break;
						}
					}
					if (next < 0) throw new IllegalStateException("open boundary at corner " + corner); // cannot happen
					dir = next;
				}
				if (prev == firstDir && vertices.size() > 1) vertices.remove(0); // the start lay on a straight run
				double[] loop = new double[vertices.size() * 2];
				for (int i = 0; i < vertices.size(); i++) {
					loop[2 * i] = vertices.get(i)[0] - 0.5;
					loop[2 * i + 1] = vertices.get(i)[1] - 0.5;
				}
				loops.add(loop);
			}
		}
		return loops;
	}

	private static boolean in(byte[] labels, int offset, int nx, int ny, int x, int y, byte label) {
		return x >= 0 && y >= 0 && x < nx && y < ny && labels[offset + y * nx + x] == label;
	}

	/**
	 * Sets to {@code label} the pixels of a slice whose centres lie inside the polygons, combined even-odd (a
	 * centre inside two polygons, e.g. an outline and a hole, is out). A centre exactly on a vertical edge counts
	 * as inside when the polygon lies to its right (half-open rule), so shared edges are filled once.
	 *
	 * @param polygons closed polygons {u0, v0, u1, v1, …} in pixel coordinates
	 */
	static void fill(List<double[]> polygons, byte[] labels, int offset, int nx, int ny, byte label) {
		double[] xs = new double[16];
		for (int y = 0; y < ny; y++) {
			int n = 0;
			for (double[] p : polygons) {
				int k = p.length / 2;
				for (int i = 0; i < k; i++) {
					double u1 = p[2 * i], v1 = p[2 * i + 1];
					double u2 = p[2 * ((i + 1) % k)], v2 = p[2 * ((i + 1) % k) + 1];
					if ((v1 <= y && y < v2) || (v2 <= y && y < v1)) {
						if (n == xs.length) xs = Arrays.copyOf(xs, n * 2);
						xs[n++] = u1 + (y - v1) * (u2 - u1) / (v2 - v1);
					}
				}
			}
			Arrays.sort(xs, 0, n);
			for (int i = 0; i + 1 < n; i += 2) {
				int from = (int) Math.max(0, Math.ceil(xs[i]));
				int to = (int) Math.min(nx, Math.ceil(xs[i + 1]));
				for (int x = from; x < to; x++) labels[offset + y * nx + x] = label;
			}
		}
	}
}
