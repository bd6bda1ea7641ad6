package org.medcnn.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of the cases on the driver's stderr: {@code medcnn-spark: 1200/30000 cases} at most every
 * {@value #EVERY_SECONDS} s and at the end, counted from the tasks of the jobs in one job group (Spark's listener bus
 * reports them; the tasks themselves print nothing, they may run anywhere).
 */
final class CaseProgress extends SparkListener {

	static final int EVERY_SECONDS = 10;

	private final String jobGroup;
	private final int total;
	private final PrintStream err;
	private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
	private final AtomicInteger ended = new AtomicInteger();
	private volatile long lastPrint = System.nanoTime();

	CaseProgress(String jobGroup, int total, PrintStream err) {
		this.jobGroup = jobGroup;
		this.total = total;
		this.err = err;
	}

	@Override
	public void onJobStart(SparkListenerJobStart job) {
		if (job.properties() != null && jobGroup.equals(job.properties().getProperty("spark.jobGroup.id")))
			for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(job.stageIds())) stages.add((Integer) id);
	}

	@Override
	public void onTaskEnd(SparkListenerTaskEnd task) {
		if (!stages.contains(task.stageId()) || !task.taskInfo().successful()) return;
		int n = ended.incrementAndGet();
		long now = System.nanoTime();
		if (n == total || now - lastPrint > EVERY_SECONDS * 1_000_000_000L) {
			lastPrint = now;
			err.printf(Locale.ROOT, "medcnn-spark: %d/%d cases%n", n, total);
		}
	}

	/** The cases whose task ended so far. */
	int ended() {
		return ended.get();
	}
}
