package org.medcnn.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Synthetic CT fixtures built in code: soft-tissue background (≈ 0 HU with noise) and bright lesions (≈ +150 HU),
 * optionally with vessels as bright as the lesions, and the exact lesion masks as expected answers.
 */
public final class Synthetic {

	private Synthetic() {}

	/** A case of {@code slices} slices of {@code size × size} pixels, each slice with one disc of radius 3…size/5 px. */
	public static Volume discCase(int size, int slices, Random rng, byte[] maskOut) {
		return discCase(size, slices, 0, rng, maskOut);
	}

	/**
	 * As {@link #discCase(int, int, Random, byte[])}, plus on each slice {@code vessels} bands of {@link #vessels}
	 * as bright as the lesions (150 HU) that are not lesions: no intensity threshold tells them from the discs,
	 * their shape does. The random draws of the discs come first on each slice, so without vessels the cases are
	 * those of the shorter method.
	 */
	public static Volume discCase(int size, int slices, int vessels, Random rng, byte[] maskOut) {
		Geometry g = Geometry.axial(size, size, slices, 1, 1, 2);
		float[] v = new float[g.voxelCount()];
		for (int z = 0; z < slices; z++) {
			double r = 3 + rng.nextDouble() * (size / 5.0 - 3);
			double cx = r + 1 + rng.nextDouble() * (size - 2 * r - 2), cy = r + 1 + rng.nextDouble() * (size - 2 * r - 2);
			boolean[] vessel = vessels(size, size, vessels, rng);
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++) {
					int i = g.index(x, y, z);
					boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
					v[i] = (float) ((in || vessel[y * size + x] ? 150 : 0) + rng.nextGaussian() * 20);
					maskOut[i] = (byte) (in ? 1 : 0);
				}
		}
		return new Volume(g, v, "CT");
	}

	/**
	 * Where {@code count} vessels cross an {@code nx × ny} slice ({@code [y][x]} order): straight bands 2 px wide
	 * (pixel centres within 1 px of the centre line) across the whole slice, each through a random point of the
	 * middle 60 % of the slice at a random angle. Draws 3 numbers per vessel.
	 */
	public static boolean[] vessels(int nx, int ny, int count, Random rng) {
		boolean[] on = new boolean[nx * ny];
		for (int k = 0; k < count; k++) {
			double px = nx * (0.2 + 0.6 * rng.nextDouble()), py = ny * (0.2 + 0.6 * rng.nextDouble());
			double angle = Math.PI * rng.nextDouble(), sin = Math.sin(angle), cos = Math.cos(angle);
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++) on[y * nx + x] |= Math.abs((x - px) * sin - (y - py) * cos) <= 1;
		}
		return on;
	}

	/** {@code n} disc cases; the masks are added to {@code masks}. */
	public static List<Volume> discCases(int n, int size, int slices, long seed, List<Mask> masks) {
		return discCases(n, size, slices, 0, seed, masks);
	}

	/** {@code n} disc cases with {@code vessels} distractors per slice; the masks are added to {@code masks}. */
	public static List<Volume> discCases(int n, int size, int slices, int vessels, long seed, List<Mask> masks) {
		Random rng = new Random(seed);
		List<Volume> out = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			byte[] m = new byte[size * size * slices];
			Volume v = discCase(size, slices, vessels, rng, m);
			out.add(v);
			masks.add(new Mask(v.geometry(), m));
		}
		return out;
	}

	/** A single-slice image with a bright disc (shape 0) or square (shape 1) of random size and place. */
	public static Volume shape(int size, int shape, Random rng) {
		Geometry g = Geometry.axial(size, size, 1, 0.8, 0.8, 1);
		float[] v = new float[g.voxelCount()];
		double r = size / 5.0 + rng.nextDouble() * size / 10.0;
		double cx = r + 1 + rng.nextDouble() * (size - 2 * r - 2), cy = r + 1 + rng.nextDouble() * (size - 2 * r - 2);
		for (int y = 0; y < size; y++)
			for (int x = 0; x < size; x++) {
				double dx = x - cx, dy = y - cy;
				boolean in = shape == 0 ? dx * dx + dy * dy <= r * r : Math.abs(dx) <= r && Math.abs(dy) <= r;
				v[g.index(x, y, 0)] = (float) ((in ? 150 : 0) + rng.nextGaussian() * 20);
			}
		return new Volume(g, v, "CT");
	}
}
