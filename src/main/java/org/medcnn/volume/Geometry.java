package org.medcnn.volume;

import java.util.Arrays;

/**
 * The voxel grid of a volume in patient space (DICOM LPS, millimetres).
 * <p>
 * Voxels are addressed {@code [z][y][x]} in spatial order: x runs along the row direction
 * (ImageOrientationPatient first triplet), y along the column direction (second triplet), z along the
 * slice normal {@code n = row × column}, ascending. The physical position of voxel (x, y, z) is
 * {@code origin + x·sx·row + y·sy·col + z·sz·n}. Immutable.
 *
 * @param nx columns
 * @param ny rows
 * @param nz slices
 * @param spacingMm voxel size {x, y, z} in mm (x = column spacing, i.e. PixelSpacing[1])
 * @param originMm ImagePositionPatient of voxel (0, 0, 0), LPS mm
 * @param direction 9 direction cosines: row (x) axis, column (y) axis, normal (z) axis, each a unit vector
 */
public record Geometry(int nx, int ny, int nz, double[] spacingMm, double[] originMm, double[] direction) {

	/** Axial identity orientation (row = +x/L, column = +y/P, normal = +z/S). */
	public static final double[] AXIAL = {1, 0, 0, 0, 1, 0, 0, 0, 1};

	public Geometry {
		if (nx <= 0 || ny <= 0 || nz <= 0)
			throw new IllegalArgumentException("Volume size must be positive: " + nx + "×" + ny + "×" + nz);
		if ((long) nx * ny * nz > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("Volume too large: " + nx + "×" + ny + "×" + nz + " voxels");
		if (spacingMm == null || spacingMm.length != 3)
			throw new IllegalArgumentException("spacingMm must have 3 values");
		for (double s : spacingMm)
			if (!(s > 0) || Double.isInfinite(s))
				throw new IllegalArgumentException("Voxel spacing must be positive and finite: " + Arrays.toString(spacingMm));
		if (originMm == null || originMm.length != 3) throw new IllegalArgumentException("originMm must have 3 values");
		if (direction == null || direction.length != 9) throw new IllegalArgumentException("direction must have 9 values");
		spacingMm = spacingMm.clone();
		originMm = originMm.clone();
		direction = direction.clone();
	}

	/** An axial grid at the origin, for synthetic data. */
	public static Geometry axial(int nx, int ny, int nz, double sx, double sy, double sz) {
		return new Geometry(nx, ny, nz, new double[] {sx, sy, sz}, new double[3], AXIAL);
	}

	@Override
	public double[] spacingMm() {
		return spacingMm.clone();
	}

	@Override
	public double[] originMm() {
		return originMm.clone();
	}

	@Override
	public double[] direction() {
		return direction.clone();
	}

	public int voxelCount() {
		return nx * ny * nz;
	}

	public int sliceSize() {
		return nx * ny;
	}

	/** Index into the flattened {@code [z][y][x]} array. */
	public int index(int x, int y, int z) {
		return (z * ny + y) * nx + x;
	}

	/** Volume of one voxel in mm³. */
	public double voxelVolumeMm3() {
		return spacingMm[0] * spacingMm[1] * spacingMm[2];
	}

	/** LPS position (mm) of the centre of voxel (x, y, z); fractional indices allowed. */
	public double[] toPatient(double x, double y, double z) {
		double[] p = new double[3];
		for (int i = 0; i < 3; i++)
			p[i] = originMm[i] + x * spacingMm[0] * direction[i] + y * spacingMm[1] * direction[3 + i]
				+ z * spacingMm[2] * direction[6 + i];
		return p;
	}

	/**
	 * Whether another grid matches this one: same size, and spacing, origin and direction within
	 * {@code toleranceMm} (direction cosines within toleranceMm / 100).
	 */
	public boolean matches(Geometry o, double toleranceMm) {
		if (nx != o.nx || ny != o.ny || nz != o.nz) return false;
		for (int i = 0; i < 3; i++) {
			if (Math.abs(spacingMm[i] - o.spacingMm[i]) > toleranceMm) return false;
			if (Math.abs(originMm[i] - o.originMm[i]) > toleranceMm) return false;
		}
		for (int i = 0; i < 9; i++)
			if (Math.abs(direction[i] - o.direction[i]) > toleranceMm / 100) return false;
		return true;
	}

	/** Human-readable description of how another grid differs, or "" when it matches. */
	public String describeMismatch(Geometry o, double toleranceMm) {
		if (nx != o.nx || ny != o.ny || nz != o.nz)
			return "size " + nx + "×" + ny + "×" + nz + " vs " + o.nx + "×" + o.ny + "×" + o.nz;
		for (int i = 0; i < 3; i++) {
			if (Math.abs(spacingMm[i] - o.spacingMm[i]) > toleranceMm)
				return "spacing " + Arrays.toString(spacingMm) + " vs " + Arrays.toString(o.spacingMm) + " mm";
			if (Math.abs(originMm[i] - o.originMm[i]) > toleranceMm)
				return "origin " + Arrays.toString(originMm) + " vs " + Arrays.toString(o.originMm) + " mm";
		}
		for (int i = 0; i < 9; i++)
			if (Math.abs(direction[i] - o.direction[i]) > toleranceMm / 100)
				return "orientation " + Arrays.toString(direction) + " vs " + Arrays.toString(o.direction);
		return "";
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Geometry g && nx == g.nx && ny == g.ny && nz == g.nz && Arrays.equals(spacingMm, g.spacingMm)
			&& Arrays.equals(originMm, g.originMm) && Arrays.equals(direction, g.direction);
	}

	@Override
	public int hashCode() {
		return 31 * (31 * (31 * nx + ny) + nz) + Arrays.hashCode(spacingMm);
	}

	@Override
	public String toString() {
		return nx + "×" + ny + "×" + nz + " voxels, spacing " + Arrays.toString(spacingMm) + " mm, origin "
			+ Arrays.toString(originMm) + " mm";
	}
}
