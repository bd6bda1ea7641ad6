package org.medcnn.volume;

import java.util.List;

/**
 * Geometry-preserving operations on volumes and masks: single slices, 2D crops, overlap metrics.
 * Every result carries the correct patient-space geometry, so a crop can be traced back to the scanner.
 */
public final class Volumes {

	private Volumes() {}

	/** Slice z as a one-slice volume whose origin is that slice's position. */
	public static Volume slice(Volume v, int z) {
		Geometry g = v.geometry();
		checkSlice(g, z);
		Geometry sg = new Geometry(g.nx(), g.ny(), 1, g.spacingMm(), g.toPatient(0, 0, z), g.direction());
		return new Volume(sg, v.slice(z), v.modality(), List.of(v.sliceLabels().get(z)));
	}

	/**
	 * A {@code size × size} crop of slice z centred on pixel (cx, cy); pixels outside the image take
	 * {@code fill} (e.g. −1000 HU, air). The crop's origin is the patient position of its pixel (0, 0).
	 */
	public static Volume crop2d(Volume v, int z, int cx, int cy, int size, float fill) {
		Geometry g = v.geometry();
		checkSlice(g, z);
		if (size <= 0) throw new IllegalArgumentException("crop size must be positive: " + size);
		int x0 = cx - size / 2, y0 = cy - size / 2;
		float[] out = new float[size * size];
		float[] src = v.voxels();
		for (int y = 0; y < size; y++) {
			int sy = y0 + y;
			for (int x = 0; x < size; x++) {
				int sx = x0 + x;
				out[y * size + x] = sx < 0 || sy < 0 || sx >= g.nx() || sy >= g.ny() ? fill : src[g.index(sx, sy, z)];
			}
		}
		Geometry cg = new Geometry(size, size, 1, g.spacingMm(), g.toPatient(x0, y0, z), g.direction());
		return new Volume(cg, out, v.modality(), List.of(v.sliceLabels().get(z)));
	}

	/**
	 * A crop of slice z that covers {@code fovMm × fovMm} of the patient around the voxel position (cx, cy)
	 * (fractional allowed), sampled bilinearly onto {@code size × size} pixels of {@code fovMm / size} mm, so that
	 * images of different pixel spacing give crops of the same anatomy at the same scale. As in {@link #crop2d}, the
	 * centre lies at pixel {@code size / 2}: crop pixel i samples {@code cx + (i − size/2) · fovMm / size / spacing}, so
	 * a crop at the image's own spacing around a whole-pixel centre copies pixels exactly. Samples outside the image
	 * take {@code fill}. The crop's origin is the patient position of its pixel (0, 0).
	 */
	public static Volume cropMm(Volume v, int z, double cx, double cy, double fovMm, int size, float fill) {
		Geometry g = v.geometry();
		checkSlice(g, z);
		if (size <= 0 || !(fovMm > 0)) throw new IllegalArgumentException("crop of " + size + " pixels over " + fovMm + " mm");
		double px = fovMm / size, sx = g.spacingMm()[0], sy = g.spacingMm()[1];
		float[] src = v.voxels(), out = new float[size * size];
		int nx = g.nx(), ny = g.ny(), base = z * g.sliceSize();
		for (int j = 0; j < size; j++) {
			double fy = cy + (j - size / 2) * px / sy;
			for (int i = 0; i < size; i++) {
				double fx = cx + (i - size / 2) * px / sx;
				int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy);
				double tx = fx - x0, ty = fy - y0;
				double v00 = at(src, base, nx, ny, x0, y0, fill), v10 = at(src, base, nx, ny, x0 + 1, y0, fill);
				double v01 = at(src, base, nx, ny, x0, y0 + 1, fill), v11 = at(src, base, nx, ny, x0 + 1, y0 + 1, fill);
				out[j * size + i] = (float) ((1 - ty) * ((1 - tx) * v00 + tx * v10) + ty * ((1 - tx) * v01 + tx * v11));
			}
		}
		double ox = cx - size / 2 * px / sx, oy = cy - size / 2 * px / sy;
		Geometry cg = new Geometry(size, size, 1, new double[] {px, px, g.spacingMm()[2]}, g.toPatient(ox, oy, z),
			g.direction());
		return new Volume(cg, out, v.modality(), List.of(v.sliceLabels().get(z)));
	}

	private static double at(float[] src, int base, int nx, int ny, int x, int y, float fill) {
		return x < 0 || y < 0 || x >= nx || y >= ny ? fill : src[base + y * nx + x];
	}

	/**
	 * Dice coefficient 2|A∩B| / (|A| + |B|) of the foregrounds (label &gt; 0) of two masks on the same grid;
	 * 1 when both are empty.
	 */
	public static double dice(Mask a, Mask b) {
		if (a.labels().length != b.labels().length)
			throw new IllegalArgumentException("Masks differ in size: " + a.geometry() + " vs " + b.geometry());
		long inter = 0, na = 0, nb = 0;
		byte[] la = a.labels(), lb = b.labels();
		for (int i = 0; i < la.length; i++) {
			boolean pa = la[i] != 0, pb = lb[i] != 0;
			if (pa) na++;
			if (pb) nb++;
			if (pa && pb) inter++;
		}
		return na + nb == 0 ? 1.0 : 2.0 * inter / (na + nb);
	}

	private static void checkSlice(Geometry g, int z) {
		if (z < 0 || z >= g.nz()) throw new IllegalArgumentException("slice " + z + " is outside [0, " + (g.nz() - 1) + "]");
	}
}
