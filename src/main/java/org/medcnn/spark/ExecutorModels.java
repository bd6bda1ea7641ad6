package org.medcnn.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkFiles;
import org.medcnn.common.CpuThreads;
import org.medcnn.pipeline.CasePredictor;

/**
 * The models of an executor (a JVM): each run's packages are opened once, from the copies Spark shipped to this
 * executor ({@link SparkFiles}), and shared by all the run's tasks there, concurrently ({@link CasePredictor#run} is
 * thread-safe). Before the first model of the JVM opens, TensorFlow's threads are set to the executor's cores
 * ({@code medcnn.threads}), unless the property is set already. The models stay open for the JVM's life (an executor
 * runs the one application). Thread-safe.
 */
final class ExecutorModels {

	private static final Map<String, CasePredictor> OPEN = new HashMap<>();
	/** How many times a model was opened in this JVM (tests check that an executor opens it once). */
	static final AtomicInteger LOADS = new AtomicInteger();

	private ExecutorModels() {}

	/**
	 * The models of {@code job}, opened on first call.
	 *
	 * @throws IOException when a package cannot be opened; the message names it and says that it was shipped
	 */
	static synchronized CasePredictor get(BatchJob job) throws IOException {
		CasePredictor p = OPEN.get(job.runKey());
		if (p != null) return p;
		if (job.threads() > 0 && System.getProperty(CpuThreads.PROPERTY) == null)
			System.setProperty(CpuThreads.PROPERTY, Integer.toString(job.threads()));
		Path model = Path.of(SparkFiles.get(job.segmenterFile()));
		Path classifier = job.classifierFile() == null ? null : Path.of(SparkFiles.get(job.classifierFile()));
		try {
			p = CasePredictor.open(model, classifier, job.settings());
		} catch (IOException e) {
			throw new IOException("the model could not be opened on this executor (shipped as " + job.segmenterFile()
				+ (classifier == null ? "" : ", " + job.classifierFile()) + "): " + e.getMessage(), e);
		}
		LOADS.incrementAndGet();
		OPEN.put(job.runKey(), p);
		return p;
	}
}
