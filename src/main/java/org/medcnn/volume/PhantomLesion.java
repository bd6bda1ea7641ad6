package org.medcnn.volume;

/**
 * One lesion drawn by {@link PhantomGenerator}: its design parameters and what was actually drawn.
 *
 * @param label the lesion's value in the case mask (1 = the lesion that sets the risk level)
 * @param centreVoxel centre {x, y, z} in voxel indices (z is a slice centre)
 * @param centreMm centre in patient coordinates (LPS mm)
 * @param semiAxesMm the ellipsoid's semi-axes before the border perturbation: two in-plane, one along z
 * @param nominalDiameterMm 2 × the larger in-plane semi-axis
 * @param measuredDiameterMm longest axial diameter of the drawn lesion, measured as {@link Lesions} does
 * @param contrastHu lesion minus liver attenuation (negative = hypodense)
 * @param irregularity relative amplitude of the low-frequency border perturbation
 * @param voxelCount voxels drawn (the ellipsoid clipped to the liver)
 */
public record PhantomLesion(int label, double[] centreVoxel, double[] centreMm, double[] semiAxesMm,
	double nominalDiameterMm, double measuredDiameterMm, double contrastHu, double irregularity, int voxelCount) {

	public PhantomLesion {
		centreVoxel = centreVoxel.clone();
		centreMm = centreMm.clone();
		semiAxesMm = semiAxesMm.clone();
	}

	@Override
	public double[] centreVoxel() {
		return centreVoxel.clone();
	}

	@Override
	public double[] centreMm() {
		return centreMm.clone();
	}

	@Override
	public double[] semiAxesMm() {
		return semiAxesMm.clone();
	}
}
