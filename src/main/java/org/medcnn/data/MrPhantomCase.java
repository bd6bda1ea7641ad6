package org.medcnn.data;

import java.util.List;

import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * One synthetic MR case from {@link MrPhantomGenerator}.
 *
 * @param seed the seed that reproduces the case with the same configuration and template
 * @param volume real-world MR intensities (arbitrary units, modality "MR", non-negative) on the case's oblique
 *        grid
 * @param mask lesion labels on exactly the volume's grid: label i for lesion i (1…n), 0 elsewhere
 * @param brain the template's brain mask resampled onto the grid (1 = brain); every lesion voxel is in it
 * @param lesions the lesions in label order
 * @param intensityScale the case's global intensity scale (its white matter is about
 *        {@link MrPhantomGenerator#WHITE_MATTER} × scale before bias field and noise)
 * @param offset the constant added to every voxel after the noise
 * @param noiseSigma the σ of each of the complex noise's two Gaussian components (real-world units)
 * @param biasAmplitude the largest relative deviation of the multiplicative bias field from 1 over the grid
 * @param gamma the contrast exponent applied to the template's normalised intensities
 */
public record MrPhantomCase(long seed, Volume volume, Mask mask, Mask brain, List<MrLesion> lesions,
	double intensityScale, double offset, double noiseSigma, double biasAmplitude, double gamma) {

	public MrPhantomCase {
		lesions = List.copyOf(lesions);
	}

	/** The white-matter level of this case before bias and noise: WHITE_MATTER × intensityScale + offset. */
	public double whiteMatter() {
		return MrPhantomGenerator.WHITE_MATTER * intensityScale + offset;
	}
}
