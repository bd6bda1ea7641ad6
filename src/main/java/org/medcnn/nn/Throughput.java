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
 * @param pipelineTrainImagesPerSecond training speed through MedCNN's own training loop (distinct samples,
 *        the default augmentation in the background thread, packing, metrics), NaN when not measured
 * @param pipelineOutsideShare share of that loop's step time spent outside TensorFlow, NaN when not measured
 * @param onnxInferSteps timed inference steps of the same network exported to ONNX and run on ONNX Runtime (the
 *        {@code --engine onnx} path), same input and threads; 0 when not measured
 * @param onnxInferImagesPerSecond {@code onnxInferSteps × batch / seconds}, NaN when not measured
 */
public record Throughput(int batch, int trainSteps, double trainImagesPerSecond, int inferSteps,
	double inferImagesPerSecond, long parameters, double pipelineTrainImagesPerSecond, double pipelineOutsideShare,
	int onnxInferSteps, double onnxInferImagesPerSecond) {

	/** Without the ONNX Runtime figures. */
	public Throughput(int batch, int trainSteps, double trainImagesPerSecond, int inferSteps, double inferImagesPerSecond,
		long parameters, double pipelineTrainImagesPerSecond, double pipelineOutsideShare) {
		this(batch, trainSteps, trainImagesPerSecond, inferSteps, inferImagesPerSecond, parameters, pipelineTrainImagesPerSecond,
			pipelineOutsideShare, 0, Double.NaN);
	}

	/** Bare-graph figures only. */
	public Throughput(int batch, int trainSteps, double trainImagesPerSecond, int inferSteps, double inferImagesPerSecond,
		long parameters) {
		this(batch, trainSteps, trainImagesPerSecond, inferSteps, inferImagesPerSecond, parameters, Double.NaN, Double.NaN);
	}
}
