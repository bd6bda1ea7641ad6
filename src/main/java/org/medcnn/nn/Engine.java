package org.medcnn.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.medcnn.common.Cancellation;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The machine-learning back end behind {@link Training} and {@link Models}. Its signature holds no TensorFlow
 * type, so the implementation ({@code org.medcnn.nn.tf.TfEngine}) can be loaded by its own class loader
 * (Fiji installations may carry other TensorFlow jars). Implementations are thread-safe. Callers use the
 * facades; this interface is public only so that the implementation package can implement it.
 */
public interface Engine {

	Path trainSegmenter(List<Volume> images, List<Mask> masks, SegmenterConfig cfg, TrainingListener l, Cancellation c,
		Path outPackageDir) throws IOException;

	/**
	 * Trains a 3D U-Net on patches (see {@link Training#trainSegmenter3d}). The default refuses, for engines
	 * built before 3D models existed.
	 */
	default Path trainSegmenter3d(List<Volume> images, List<Mask> masks, Segmenter3dConfig cfg, TrainingListener l,
		Cancellation c, Path outPackageDir) throws IOException {
		throw new UnsupportedOperationException("This engine (" + getClass().getName() + ") cannot train 3D segmenters");
	}

	/**
	 * Trains a segmenter as {@link #trainSegmenter} / {@link #trainSegmenter3d} do, but starting from the weights of
	 * {@code parent} (see {@link Training#fineTuneSegmenter}). The default refuses, for engines built before
	 * fine-tuning existed.
	 *
	 * @param cfg a {@link SegmenterConfig} or {@link Segmenter3dConfig} describing the parent's network
	 */
	default Path fineTuneSegmenter(List<Volume> images, List<Mask> masks, Record cfg, ParentPackage parent,
		TrainingListener l, Cancellation c, Path outPackageDir) throws IOException {
		throw new UnsupportedOperationException("This engine (" + getClass().getName() + ") cannot fine-tune segmenters");
	}

	Path trainClassifier(List<Volume> items, int[] labels, List<String> classNames, ClassifierConfig cfg,
		TrainingListener l, Cancellation c, Path outPackageDir) throws IOException;

	/**
	 * Times training and inference steps of a fresh network on synthetic data (see {@link Training#benchmarkClassifier},
	 * {@link Training#benchmarkSegmenter}, {@link Training#benchmarkSegmenter3d}).
	 *
	 * @param config a {@link ClassifierConfig}, {@link SegmenterConfig} or {@link Segmenter3dConfig}; its training
	 *        settings give batch size, optimizer and loss
	 * @param size image side of a 2D segmenter (ignored otherwise)
	 * @param classes classes of a classifier (ignored otherwise)
	 * @param seconds about how long to time training and inference together, after a short warm-up
	 * @param c checked between steps, may be null
	 * @throws UnsupportedOperationException for engines built before benchmarks existed
	 */
	default Throughput benchmark(Record config, int size, int classes, double seconds, Cancellation c) throws IOException {
		throw new UnsupportedOperationException("This engine (" + getClass().getName() + ") cannot run benchmarks");
	}

	/**
	 * Opens a package whose card was already read and checked to be a segmentation model, 2D ({@code unet2d})
	 * or 3D ({@code unet3d}, see {@link ModelCard#architecture()}).
	 */
	Segmenter openSegmenter(Path pkg, ModelCard card) throws IOException;

	/** Opens a package whose card was already read and checked to be a classification model. */
	Classifier openClassifier(Path pkg, ModelCard card) throws IOException;

	/**
	 * Opens a segmentation package (as {@link #openSegmenter(Path, ModelCard)}) to run on {@code engine}. The default
	 * runs TensorFlow only, for engines built before ONNX weights existed.
	 */
	default Segmenter openSegmenter(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		if (engine != InferenceEngine.TENSORFLOW)
			throw new UnsupportedOperationException("This engine (" + getClass().getName() + ") runs TensorFlow only");
		return openSegmenter(pkg, card);
	}

	/** Opens a classification package to run on {@code engine}; the default runs TensorFlow only. */
	default Classifier openClassifier(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		if (engine != InferenceEngine.TENSORFLOW)
			throw new UnsupportedOperationException("This engine (" + getClass().getName() + ") runs TensorFlow only");
		return openClassifier(pkg, card);
	}

	/** The device that runs the computations, e.g. {@code CPU} or {@code GPU}. */
	String device() throws IOException;

	/** The version of the native library, e.g. {@code TensorFlow 2.18.0}. */
	String version();
}
