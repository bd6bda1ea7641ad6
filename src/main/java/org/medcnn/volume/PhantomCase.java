package org.medcnn.volume;

import java.util.List;

/**
 * One synthetic CT case from {@link PhantomGenerator}.
 *
 * @param seed the seed that reproduces the case with the same configuration
 * @param volume the CT volume in integral HU (axial, LPS)
 * @param mask lesion labels on the volume's grid: 1…n, one label per lesion (label 1 sets the risk level);
 *        training treats every label &gt; 0 as lesion
 * @param riskLevel "low", "intermediate" or "high" by the rule of {@link PhantomGenerator}
 * @param keySlice the slice with the largest area of lesion 1
 * @param lesions the lesions in label order
 */
public record PhantomCase(long seed, Volume volume, Mask mask, String riskLevel, int keySlice,
	List<PhantomLesion> lesions) {

	public PhantomCase {
		lesions = List.copyOf(lesions);
	}
}
