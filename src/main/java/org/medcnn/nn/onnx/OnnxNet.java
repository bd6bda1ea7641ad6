package org.medcnn.nn.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An ONNX model on ONNX Runtime (CPU): float32 {@value OnnxPolicy#INPUT} in, {@value OnnxPolicy#OUTPUT} out, both
 * flat row-major arrays. Give it bytes that {@link OnnxPolicy} (through {@link OnnxWeights#read}) accepted.
 * <p>
 * Threads: {@code intraOpThreads} intra-op threads (MedCNN passes {@code -Dmedcnn.threads}, as for TensorFlow) and
 * one inter-op thread. Owns the session; {@link #close()} is idempotent and waits for running calls. Thread-safe
 * (ONNX Runtime sessions may run concurrently).
 */
public final class OnnxNet implements AutoCloseable {

	private final OrtEnvironment env;
	private final OrtSession session;
	private final String name;
	private final int intraOpThreads;
	private final ReadWriteLock lock = new ReentrantReadWriteLock();
	private boolean closed;

	/**
	 * @param name named in messages (the package)
	 * @throws IllegalStateException when ONNX Runtime cannot load the model or its native library
	 */
	public OnnxNet(byte[] model, int intraOpThreads, String name) {
		this.name = name;
		this.intraOpThreads = intraOpThreads;
		try {
			env = OrtEnvironment.getEnvironment();
			try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
				o.setIntraOpNumThreads(intraOpThreads);
				o.setInterOpNumThreads(1);
				o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
				o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
				session = env.createSession(model, o);
			}
		} catch (OrtException e) {
			throw new IllegalStateException("ONNX Runtime cannot load the ONNX weights of " + name + ": " + e.getMessage(), e);
		} catch (UnsatisfiedLinkError e) {
			throw new IllegalStateException("ONNX Runtime's native library cannot be loaded on this machine ("
				+ System.getProperty("os.name") + ", " + System.getProperty("os.arch") + "): " + e.getMessage(), e);
		}
	}

	/** Runs the model on one float input of the given shape and returns its output as a flat array. */
	public float[] run(float[] x, long[] shape) {
		lock.readLock().lock();
		try {
			if (closed) throw new IllegalStateException("The model " + name + " was closed");
			try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
				OrtSession.Result r = session.run(Map.of(OnnxPolicy.INPUT, t))) {
				OnnxValue out = r.get(OnnxPolicy.OUTPUT).orElseThrow(
					() -> new IllegalStateException("The ONNX model of " + name + " returned no '" + OnnxPolicy.OUTPUT + "'"));
				FloatBuffer fb = ((OnnxTensor) out).getFloatBuffer();
				float[] v = new float[fb.remaining()];
				fb.get(v);
				return v;
			} catch (OrtException e) {
				throw new IllegalStateException("ONNX Runtime failed running " + name + " on input " + Arrays.toString(shape)
					+ ": " + e.getMessage(), e);
			}
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
				session.close();
			}
		} catch (OrtException e) {
			throw new IllegalStateException("ONNX Runtime could not close the session of " + name + ": " + e.getMessage(), e);
		} finally {
			lock.writeLock().unlock();
		}
	}

	/** The intra-op threads the session was created with. */
	public int intraOpThreads() {
		return intraOpThreads;
	}

	/** ONNX Runtime's version, e.g. {@code 1.22.0}. */
	public static String version() {
		return OrtEnvironment.getEnvironment().getVersion();
	}
}
