package org.medcnn.volume;

/**
 * Measurements of one connected lesion of a mask (see {@link Lesions#measure}).
 * <p>
 * Values that need an image or a probability map are {@code NaN} when none was given. Arrays are copies
 * owned by the record.
 *
 * @param id 1, 2, … in order of decreasing voxel count (ties: first voxel in [z][y][x] scan order first)
 * @param voxelCount number of voxels
 * @param volumeMl voxelCount × voxel volume (mm³) / 1000
 * @param meanHu mean image value over the lesion's voxels
 * @param maxHu largest image value in the lesion
 * @param longestAxialDiameterMm largest distance between the centres of two of the lesion's pixels in one slice,
 *        over all its slices, using the x/y spacing (0 for a single pixel)
 * @param firstSlice smallest z index holding the lesion
 * @param lastSlice largest z index holding the lesion
 * @param keySlice the slice with the largest lesion area (lowest z on ties)
 * @param centroidVoxel mean voxel index {x, y, z}
 * @param centroidMm the centroid in patient coordinates (LPS mm)
 * @param meanProbability mean of the given probability map over the lesion
 */
public record Lesion(int id, int voxelCount, double volumeMl, double meanHu, double maxHu,
	double longestAxialDiameterMm, int firstSlice, int lastSlice, int keySlice, double[] centroidVoxel,
	double[] centroidMm, double meanProbability) {

	public Lesion {
		centroidVoxel = centroidVoxel.clone();
		centroidMm = centroidMm.clone();
	}

	@Override
	public double[] centroidVoxel() {
		return centroidVoxel.clone();
	}

	@Override
	public double[] centroidMm() {
		return centroidMm.clone();
	}

	@Override
	public String toString() {
		return String.format(java.util.Locale.ROOT,
			"Lesion %d: %d voxels, %.2f mL, mean %.1f HU, max %.1f HU, %.1f mm, slices %d-%d (key %d)", id, voxelCount,
			volumeMl, meanHu, maxHu, longestAxialDiameterMm, firstSlice, lastSlice, keySlice);
	}
}
