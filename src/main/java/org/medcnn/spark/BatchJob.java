package org.medcnn.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.medcnn.common.Cancellation;
import org.medcnn.common.IoMessages;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.pipeline.CaseMarker;
import org.medcnn.pipeline.CasePredictor;
import org.medcnn.pipeline.CaseSegmentation;

/**
 * What every task of a run needs, sent to the executors with each task: the output folder, the run key (see
 * {@link CaseMarker}), the names under which the model packages were shipped ({@code SparkContext.addFile}), the
 * settings and the TensorFlow threads per executor. {@link #process} is the task: one case, the same code as
 * {@code predict} ({@link CasePredictor#run}).
 *
 * @param outDir the output folder, on a file system every executor sees
 * @param runKey what the outputs are made from (packages and settings)
 * @param segmenterFile the shipped segmentation package's name for {@code SparkFiles.get}
 * @param classifierFile the shipped lesion classifier's name, or null
 * @param settings what {@code predict} lets the user choose
 * @param threads TensorFlow threads per executor (its cores), 0 to leave {@code medcnn.threads} as it is
 */
record BatchJob(String outDir, String runKey, String segmenterFile, String classifierFile, CasePredictor.Settings settings,
	int threads) implements Serializable {

	/**
	 * Processes one case: skipped when its completion marker says it is finished for this run, else segmented with
	 * the executor's models (loaded on first need, see {@link ExecutorModels}) and its marker written last. Never
	 * throws for a case's own trouble: a broken series, an unreadable file or a model that cannot be loaded give a
	 * failed outcome with the reason.
	 */
	CaseOutcome process(CaseTask task) {
		long t0 = System.nanoTime();
		Path out = Path.of(outDir);
		try {
			Cancellation c = new Cancellation();
			CaseSegmentation.Input in = task.toInput(c);
			if (in.error() != null) return CaseOutcome.failed(task.name(), in.error(), seconds(t0));
			String stamp = CaseMarker.inputStamp(in);
			Map<String, Object> marker = CaseMarker.finished(out, task.name(), runKey, stamp);
			if (marker != null) return new CaseOutcome(task.name(), CaseOutcome.SKIPPED, null, rows(task.name(), marker), seconds(t0));
			CaseMarker.delete(out, task.name());
			CasePredictor predictor = ExecutorModels.get(this);
			CaseSegmentation.Result r = predictor.run(in, out, ProgressListener.NONE, c);
			if (!r.ok()) return CaseOutcome.failed(task.name(), r.error(), seconds(t0));
			marker = CaseMarker.write(out, r, runKey, stamp);
			return new CaseOutcome(task.name(), CaseOutcome.DONE, null, rows(task.name(), marker), seconds(t0));
		} catch (CancellationException e) {
			return CaseOutcome.failed(task.name(), "cancelled", seconds(t0));
		} catch (IOException | RuntimeException e) {
			String why = e instanceof IOException io ? IoMessages.describe(io) : e.toString();
			return CaseOutcome.failed(task.name(), why, seconds(t0));
		} catch (OutOfMemoryError | LinkageError e) {
			// an exhausted heap or a TensorFlow that cannot load fails this case, not the job
			return CaseOutcome.failed(task.name(), e.toString(), seconds(t0));
		}
	}

	private static List<LesionRow> rows(String name, Map<String, Object> marker) {
		List<LesionRow> rows = new ArrayList<>();
		for (Object l : Json.asArray(marker.get("lesions"), name + " lesions")) rows.add(LesionRow.of(name, l));
		return rows;
	}

	private static double seconds(long t0) {
		return (System.nanoTime() - t0) / 1e9;
	}
}
