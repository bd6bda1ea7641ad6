package org.medcnn.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Synthetic CT fixtures built in code: soft-tissue background (≈ 0 HU with noise) and bright lesions (≈ +150 HU),
 * with the exact lesion masks as expected answers.
 */
public final class Synthetic {

	private Synthetic() {}

	/** A case of {@code slices} slices of {@code size × size} pixels, each slice with one disc of radius 3…size/5 px. */
	public static Volume discCase(int size, int slices, Random rng, byte[] maskOut) {
		Geometry g = Geometry.axial(size, size, slices, 1, 1, 2);
		float[] v = new float[g.voxelCount()];
		for (int z = 0; z < slices; z++) {
			double r = 3 + rng.nextDouble() * (size / 5.0 - 3);
			double cx = r + 1 + rng.nextDouble() * (size - 2 * r - 2), cy = r + 1 + rng.nextDouble() * (size - 2 * r - 2);
			for (int y = 0; y < size; y++)
				for (int x = 0; x < size; x++) {
					int i = g.index(x, y, z);
					boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
					v[i] = (float) ((in ? 150 : 0) + rng.nextGaussian() * 20);
					maskOut[i] = (byte) (in ? 1 : 0);
				}
		}
		return new Volume(g, v, "CT");
	}

	/** {@code n} disc cases; the masks are added to {@code masks}. */
	public static List<Volume> discCases(int n, int size, int slices, long seed, List<Mask> masks) {
		Random rng = new Random(seed);
		List<Volume> out = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			byte[] m = new byte[size * size * slices];
			Volume v = discCase(size, slices, rng, m);
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
