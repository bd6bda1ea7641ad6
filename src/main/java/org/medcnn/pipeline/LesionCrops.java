package org.medcnn.pipeline;

import java.util.Arrays;
import org.medcnn.volume.Intensities;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * The crops a lesion classifier sees: a square of a fixed physical size (mm) on the lesion's key slice, centred on
 * its centroid, so that images of different pixel spacing give crops of the same anatomy at the same scale
 * ({@link Volumes#cropMm}). Training (the demo, {@code train-classifier --crop-mm}) and every consumer of such a
 * classifier (the demo, {@code Classify Risk...} after {@code Segment Tumors...}) crop through here. Stateless.
 */
public final class LesionCrops {

	/** CT outside the image: air. */
	static final float CT_OUTSIDE = -1000f;

	private LesionCrops() {}

	/**
	 * The crop of {@code fovMm} around lesion {@code l} of {@code image} on its key slice, {@code size × size}
	 * pixels; outside the image, air for CT, else the image's 0.5 percentile (its background).
	 */
	public static Volume crop(Volume image, Lesion l, double fovMm, int size) {
		double[] c = l.centroidVoxel();
		return Volumes.cropMm(image, l.keySlice(), c[0], c[1], fovMm, size, outside(image));
	}

	/** The value of pixels outside an image: air (−1000 HU) for CT, else the image's 0.5 percentile. */
	public static float outside(Volume image) {
		if ("CT".equalsIgnoreCase(image.modality())) return CT_OUTSIDE;
		float[] s = Intensities.sample(image.voxels(), Intensities.MAX_SAMPLE);
		Arrays.sort(s);
		return s.length == 0 ? 0f : (float) Intensities.percentile(s, 0.5);
	}
}
