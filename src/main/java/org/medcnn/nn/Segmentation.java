package org.medcnn.nn;

import org.medcnn.volume.Mask;

/**
 * The result of segmenting a volume.
 *
 * @param mask label 1 where the foreground probability is ≥ 0.5, else 0; same geometry as the input volume
 * @param probability foreground probability per voxel, flattened {@code [z][y][x]} like {@code Volume.voxels()}
 */
public record Segmentation(Mask mask, float[] probability) {

	public Segmentation {
		if (mask == null || probability == null || probability.length != mask.labels().length)
			throw new IllegalArgumentException("mask and probability must cover the same voxels");
	}
}
