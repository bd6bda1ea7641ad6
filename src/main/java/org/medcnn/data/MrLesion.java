package org.medcnn.data;

/**
 * One lesion of an {@link MrPhantomCase}.
 *
 * @param label its label in the case's mask (1…n; 1 is the lesion drawn largest)
 * @param kind its appearance
 * @param centreMm the design centre in patient coordinates (LPS mm), before the case's smooth deformation
 * @param designDiameterMm the equivalent diameter (of the sphere of the same volume) it was drawn with, in mm,
 *        before clipping to the brain and the case's scaling
 * @param voxels its voxel count on the case's grid
 * @param equivalentDiameterMm the equivalent diameter of its voxels on the case's grid, mm
 */
public record MrLesion(int label, Kind kind, double[] centreMm, double designDiameterMm, int voxels,
	double equivalentDiameterMm) {

	/** How a lesion looks on the phantom's T1 (after contrast). The label always covers the whole lesion. */
	public enum Kind {
		/** A bright (enhancing) rim around a core that keeps about half the contrast of the tissue it replaced. */
		ENHANCING_RIM,
		/** A bright rim around a dark, fluid-like (necrotic) core. */
		NECROTIC_CORE,
		/** No rim: mildly hypo- or hyperintense to white matter, with a soft (blurred) edge. */
		NON_ENHANCING
	}

	public MrLesion {
		centreMm = centreMm.clone();
	}

	@Override
	public double[] centreMm() {
		return centreMm.clone();
	}
}
