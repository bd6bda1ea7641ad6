package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.medcnn.common.Closeables;
import org.medcnn.nn.BioImageIo;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Models;
import org.medcnn.nn.PackageFiles;
import org.medcnn.nn.TestTensors;
import org.medcnn.nn.onnx.OnnxNet;
import org.medcnn.nn.onnx.OnnxWeights;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * A SavedModel loaded from a package, run through its {@code serving_default} signature, or (ONNX engine) the package's
 * ONNX weights on ONNX Runtime: the subclasses' preprocessing, batching and tiling are the same for both. Owns the bundle;
 * {@link #close()} is idempotent and waits for running calls. Thread-safe.
 */
abstract class LoadedModel implements AutoCloseable {

	protected final ModelCard card;
	/** The SavedModel and its serving function (TensorFlow engine), or null. */
	private final SavedModelBundle bundle;
	private final SessionFunction function;
	/** The ONNX weights on ONNX Runtime (ONNX engine), or null. */
	private final OnnxNet onnx;
	private final ReadWriteLock lock = new ReentrantReadWriteLock();
	private boolean closed;

	/**
	 * Loads the package's SavedModel and checks its serving signature; on any failure after loading, the bundle is
	 * closed before the exception leaves. A subclass whose own checks fail after this constructor closes itself
	 * ({@link #close()}) the same way.
	 */
	LoadedModel(Path pkg, ModelCard card) throws IOException {
		this(pkg, card, InferenceEngine.TENSORFLOW);
	}

	/**
	 * Loads the package for {@code engine}: its SavedModel (as above) or its ONNX weights, checked by
	 * {@link OnnxWeights#read} and run on ONNX Runtime with {@link TfEngine#threads()} intra-op threads, as TensorFlow.
	 */
	LoadedModel(Path pkg, ModelCard card, InferenceEngine engine) throws IOException {
		this.card = card;
		if (engine == InferenceEngine.ONNX) {
			byte[] model = OnnxWeights.read(pkg, card);
			try {
				onnx = new OnnxNet(model, TfEngine.threads(), card.name() + " (" + pkg.resolve(OnnxWeights.FILE) + ")");
			} catch (IllegalStateException e) {
				throw new ModelFormatException(pkg, e.getMessage(), e);
			}
			bundle = null;
			function = null;
			try {
				checkTestTensors(pkg); // ONNX weights edited and re-hashed are refused as a SavedModel would be
			} catch (Throwable t) {
				Closeables.closeAfter(t, onnx);
				throw t;
			}
			return;
		}
		onnx = null;
		Path dir = pkg.resolve(Models.SAVED_MODEL_DIR);
		if (!Files.isRegularFile(dir.resolve("saved_model.pb")))
			throw new ModelFormatException(pkg, null, "has no " + Models.SAVED_MODEL_DIR + "/saved_model.pb");
		PackageFiles.checkInside(pkg, dir);
		GraphPolicy.check(pkg, dir, TrainableNet.SIGNATURE_KEY);
		ConfigProto config = TfEngine.inferenceConfig(); // before the try: a refused property is not the package's fault
		SavedModelBundle loaded;
		try {
			loaded = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG).withConfigProto(config)
				.load();
		} catch (RuntimeException e) {
			throw new ModelFormatException(pkg, "the SavedModel cannot be loaded: " + e.getMessage(), e);
		}
		try {
			Consumer<SavedModelBundle> hook = afterLoad;
			if (hook != null) hook.accept(loaded);
			SessionFunction f;
			try {
				f = loaded.function(TrainableNet.SIGNATURE_KEY);
			} catch (IllegalArgumentException e) {
				throw new ModelFormatException(pkg, "the SavedModel has no signature \"" + TrainableNet.SIGNATURE_KEY + "\"", e);
			}
			Signature sig = f.signature();
			if (!sig.inputNames().contains(TrainableNet.INPUT) || !sig.outputNames().contains(TrainableNet.OUTPUT))
				throw new ModelFormatException(pkg, "signature", "\"" + TrainableNet.SIGNATURE_KEY + "\" must have input \""
					+ TrainableNet.INPUT + "\" and output \"" + TrainableNet.OUTPUT + "\" but has " + sig.inputNames() + " → "
					+ sig.outputNames());
			function = f;
			bundle = loaded;
			checkTestTensors(pkg);
		} catch (Throwable t) {
			Closeables.closeAfter(t, loaded);
			throw t;
		}
	}

	/**
	 * Runs the package's test input through the network and compares the result with its test output
	 * ({@link TestTensors}): a graph edited after the package was written is refused even when its card was re-hashed.
	 */
	private void checkTestTensors(Path pkg) throws ModelFormatException {
		TestTensors.Pair pair = TestTensors.read(pkg, card);
		if (pair == null) return;
		float[] got;
		try {
			got = run(pair.input(), Shape.of(pair.inputShape()));
		} catch (IllegalStateException e) {
			throw new ModelFormatException(pkg, "its network fails on its own " + BioImageIo.TEST_INPUT + " (shape "
				+ java.util.Arrays.toString(pair.inputShape()) + "): " + e.getMessage(), e);
		}
		TestTensors.compare(pkg, pair, got);
	}

	/**
	 * Sees every bundle right after it is loaded, before it is checked: tests use it to show that the bundle of a
	 * refused package is closed. Null outside tests.
	 */
	static volatile Consumer<SavedModelBundle> afterLoad;

	public ModelCard card() {
		return card;
	}

	/** Runs the network on an NHWC float batch and returns the output as a flat array. */
	protected float[] run(float[] x, Shape shape) {
		lock.readLock().lock();
		try {
			if (closed) throw new IllegalStateException("The model " + card.name() + " was closed");
			if (onnx != null) return onnx.run(x, shape.asArray());
			try (TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(x)); Result r = function.call(Map.of(TrainableNet.INPUT, t))) {
				Tensor out = r.get(TrainableNet.OUTPUT).orElseThrow(
					() -> new IllegalStateException("The model " + card.name() + " returned no \"" + TrainableNet.OUTPUT + "\""));
				float[] v = new float[(int) out.shape().size()];
				((TFloat32) out).copyTo(DataBuffers.of(v));
				return v;
			} catch (RuntimeException e) {
				if (e instanceof IllegalStateException) throw e;
				throw new IllegalStateException("TensorFlow failed running " + card.name() + " on input " + shape + ": "
					+ e.getMessage(), e);
			}
		} finally {
			lock.readLock().unlock();
		}
	}

	/** The intra-op threads of the ONNX Runtime session (ONNX engine), 0 on TensorFlow: for tests. */
	int onnxThreads() {
		return onnx == null ? 0 : onnx.intraOpThreads();
	}

	/**
	 * Runs {@code work} on the loaded bundle under the read lock (so that {@link #close()} waits for it), for
	 * computations beyond the serving signature such as input gradients.
	 *
	 * @throws IllegalStateException if the model was closed
	 */
	protected <T> T withBundle(java.util.function.Function<SavedModelBundle, T> work) {
		lock.readLock().lock();
		try {
			if (closed) throw new IllegalStateException("The model " + card.name() + " was closed");
			if (bundle == null)
				throw new UnsupportedOperationException("The model " + card.name() + " runs on ONNX Runtime, which computes no"
					+ " gradients: use the TensorFlow engine for saliency and Grad-CAM");
			return work.apply(bundle);
		} finally {
			lock.readLock().unlock();
		}
	}

	@Override
	public void close() {
		lock.writeLock().lock();
		try {
			if (!closed) {
				closed = true;
				if (bundle != null) bundle.close();
				if (onnx != null) onnx.close();
			}
		} finally {
			lock.writeLock().unlock();
		}
	}
}
