package org.medcnn.nn;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Volume;

/**
 * A loaded segmentation model. Obtain one with {@link Models#openSegmenter}; the caller owns it and closes it
 * (idempotent). {@link #segment} may be called from several threads at once but not after {@link #close()}.
 */
public interface Segmenter extends AutoCloseable {

	/**
	 * Segments a volume slice by slice (axial slices in batches), padding each slice to the model's size multiple
	 * and cropping back; a 3D model ({@link ModelCard#dims()} 3) instead slides a patch-sized window over the
	 * volume (see {@link Segmenter3dConfig}). The volume is windowed with the model card's HU window.
	 *
	 * @param p progress per batch, may be null
	 * @param c checked per batch, may be null; cancellation throws {@link java.util.concurrent.CancellationException}
	 * @throws IllegalStateException if the model was closed, or TensorFlow failed (message says why)
	 */
	Segmentation segment(Volume v, ProgressListener p, Cancellation c);

	ModelCard card();

	@Override
	void close();
}
