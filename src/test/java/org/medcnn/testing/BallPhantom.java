package org.medcnn.testing;

import java.util.Random;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * A tiny CT for tests of the prediction outputs: an elliptic body (40 HU, centred at voxel 16, 16 with semi-axes of
 * 14 and 12 voxels, air around it) with one bright ball (130 HU, radius 5 voxels in-plane, slices 3 voxels apart),
 * Gaussian noise of 6 HU, values rounded to whole HU. The ball's voxels are set to 1 in the given mask.
 */
public final class BallPhantom {

	private BallPhantom() {}

	/**
	 * @param seed the noise's random seed
	 * @param cx the ball's centre, in voxels (x, y, z)
	 */
	public static Volume of(Geometry grid, long seed, int cx, int cy, int cz, Mask mask) {
		Random rnd = new Random(seed);
		float[] v = new float[grid.voxelCount()];
		for (int z = 0; z < grid.nz(); z++)
			for (int y = 0; y < grid.ny(); y++)
				for (int x = 0; x < grid.nx(); x++) {
					double body = Math.pow((x - 16) / 14.0, 2) + Math.pow((y - 16) / 12.0, 2);
					float hu = body <= 1 ? 40 : -1000;
					if (Math.pow(x - cx, 2) + Math.pow(y - cy, 2) + Math.pow((z - cz) * 3.0, 2) <= 25) {
						hu = 130;
						mask.labels()[grid.index(x, y, z)] = 1;
					}
					v[grid.index(x, y, z)] = Math.round(hu + 6 * rnd.nextGaussian());
				}
		return new Volume(grid, v, "CT");
	}
}
