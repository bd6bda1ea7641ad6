package org.medcnn.nn;

/**
 * Training and inference speed of one network on synthetic data, as measured by {@link Training#benchmarkClassifier}
 * and its siblings.
 *
 * @param batch images (2D) or patches (3D) per step
 * @param trainSteps timed training steps (forward, backward and weight update)
 * @param trainImagesPerSecond {@code trainSteps × batch / seconds}
 * @param inferSteps timed inference steps (forward only)
 * @param inferImagesPerSecond {@code inferSteps × batch / seconds}
 * @param parameters trainable parameters of the network
 */
public record Throughput(int batch, int trainSteps, double trainImagesPerSecond, int inferSteps,
	double inferImagesPerSecond, long parameters) {}
