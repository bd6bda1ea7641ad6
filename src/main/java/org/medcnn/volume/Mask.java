package org.medcnn.volume;

import java.util.Arrays;

/**
 * A label image on a volume's grid: 0 = background, 1…255 = lesion labels (unsigned bytes).
 * <p>
 * Same axis conventions as {@link Volume}. The label array is owned by the mask; do not modify the array
 * returned by {@link #labels()} unless you created it.
 */
public record Mask(Geometry geometry, byte[] labels) {

	public Mask {
		if (geometry == null || labels == null) throw new IllegalArgumentException("geometry and labels are required");
		if (labels.length != geometry.voxelCount())
			throw new IllegalArgumentException("labels has " + labels.length + " values but the grid has "
				+ geometry.voxelCount());
	}

	/** An empty mask on a grid. */
	public static Mask empty(Geometry geometry) {
		return new Mask(geometry, new byte[geometry.voxelCount()]);
	}

	/** Label at (x, y, z) as 0…255. */
	public int get(int x, int y, int z) {
		return labels[geometry.index(x, y, z)] & 0xFF;
	}

	/** Number of non-zero voxels. */
	public long foregroundCount() {
		long n = 0;
		for (byte b : labels) if (b != 0) n++;
		return n;
	}

	/** Whether slice z has any foreground. */
	public boolean sliceHasForeground(int z) {
		int n = geometry.sliceSize();
		for (int i = z * n; i < (z + 1) * n; i++) if (labels[i] != 0) return true;
		return false;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Mask m && geometry.equals(m.geometry) && Arrays.equals(labels, m.labels);
	}

	@Override
	public int hashCode() {
		return geometry.hashCode() * 31 + Arrays.hashCode(labels);
	}

	@Override
	public String toString() {
		return "Mask[" + geometry + ", " + foregroundCount() + " foreground voxels]";
	}
}
