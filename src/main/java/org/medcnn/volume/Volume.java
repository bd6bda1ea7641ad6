package org.medcnn.volume;

import java.util.Arrays;
import java.util.List;

/**
 * An image volume with its geometry and real-world voxel values (Hounsfield units for CT).
 * <p>
 * Voxels are a flattened {@code [z][y][x]} float array (see {@link Geometry} for the axis conventions).
 * The array is owned by the volume: {@link #voxels()} returns it without copying for speed, and callers
 * must not modify it. Slice labels carry, per z, the source file name (never a patient identifier).
 *
 * @param geometry the voxel grid in patient space
 * @param voxels real-world values, length {@code geometry.voxelCount()}
 * @param modality DICOM Modality (CT, MR, …) or "OT" when unknown
 * @param sliceLabels per-slice label (source file name), length {@code nz}; may be empty strings
 */
public record Volume(Geometry geometry, float[] voxels, String modality, List<String> sliceLabels) {

	public Volume {
		if (geometry == null || voxels == null) throw new IllegalArgumentException("geometry and voxels are required");
		if (voxels.length != geometry.voxelCount())
			throw new IllegalArgumentException("voxels has " + voxels.length + " values but the grid has "
				+ geometry.voxelCount());
		if (modality == null || modality.isBlank()) modality = "OT";
		if (sliceLabels == null) sliceLabels = java.util.Collections.nCopies(geometry.nz(), "");
		if (sliceLabels.size() != geometry.nz())
			throw new IllegalArgumentException("sliceLabels has " + sliceLabels.size() + " entries for " + geometry.nz()
				+ " slices");
		sliceLabels = List.copyOf(sliceLabels);
	}

	public Volume(Geometry geometry, float[] voxels, String modality) {
		this(geometry, voxels, modality, null);
	}

	public float get(int x, int y, int z) {
		return voxels[geometry.index(x, y, z)];
	}

	/** A copy of slice z as a row-major {@code [y][x]} array. */
	public float[] slice(int z) {
		int n = geometry.sliceSize();
		return Arrays.copyOfRange(voxels, z * n, (z + 1) * n);
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Volume v && geometry.equals(v.geometry) && Arrays.equals(voxels, v.voxels)
			&& modality.equals(v.modality);
	}

	@Override
	public int hashCode() {
		return geometry.hashCode() * 31 + Arrays.hashCode(voxels);
	}

	@Override
	public String toString() {
		return "Volume[" + modality + ", " + geometry + "]";
	}
}
