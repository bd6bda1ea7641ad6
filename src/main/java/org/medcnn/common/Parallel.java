package org.medcnn.common;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent pieces of work (one per file or slice) on a few threads, with the guarantees the callers'
 * users rely on: monotone progress, cancellation before each piece, and the error of the lowest failing index
 * rethrown unchanged (so a DICOM error still names its file). Stateless and thread-safe.
 */
public final class Parallel {

	private Parallel() {}

	/** The work on one item, by its index. */
	@FunctionalInterface
	public interface IndexTask {
		void run(int index) throws IOException;
	}

	/** Most threads used: reading many files gains little beyond this on a workstation disk. */
	public static final int MAX_THREADS = 4;

	/**
	 * Runs {@code task} for the indices 0..n-1 on min(cores, {@value #MAX_THREADS}, n) threads (in this thread when
	 * that is one). Each index runs once; indices are handed out in increasing order. Progress is reported in
	 * increasing order of files done ("{@code what} k/n"); cancellation is checked before each index. On a failure
	 * no new index is started, and the exception of the lowest failing index is rethrown as it is (a
	 * {@link DicomReadException} naming its file, a {@link java.util.concurrent.CancellationException}), so the
	 * outcome does not depend on the threads' timing.
	 */
	public static void forEachIndex(int n, ProgressListener progress, Cancellation c, String what, IndexTask task)
		throws IOException {
		int threads = Math.min(Math.min(Runtime.getRuntime().availableProcessors(), MAX_THREADS), n);
		if (threads <= 1) {
			for (int i = 0; i < n; i++) {
				if (c != null) c.check();
				progress.progress((double) i / n, what + " " + (i + 1) + "/" + n);
				task.run(i);
			}
			return;
		}
		AtomicInteger next = new AtomicInteger();
		AtomicInteger done = new AtomicInteger();
		AtomicBoolean stop = new AtomicBoolean();
		Throwable[] errors = new Throwable[n];
		int[] reported = {0};
		Runnable worker = () -> {
			while (!stop.get()) {
				int i = next.getAndIncrement();
				if (i >= n) return;
				try {
					if (c != null) c.check();
					task.run(i);
				} catch (IOException | RuntimeException | Error e) {
					errors[i] = e;
					stop.set(true);
					return;
				}
				int d = done.incrementAndGet();
				synchronized (reported) {
					if (d > reported[0]) {
						reported[0] = d;
						progress.progress((double) d / n, what + " " + d + "/" + n);
					}
				}
			}
		};
		Thread[] pool = new Thread[threads - 1];
		for (int t = 0; t < pool.length; t++) {
			pool[t] = new Thread(worker, "medcnn-worker-" + t);
			pool[t].setDaemon(true);
			pool[t].start();
		}
		worker.run();
		try {
			for (Thread t : pool) t.join();
		} catch (InterruptedException e) {
			stop.set(true);
			Thread.currentThread().interrupt();
			throw new java.io.InterruptedIOException("interrupted while reading " + what.toLowerCase(Locale.ROOT));
		}
		for (Throwable e : errors) {
			if (e == null) continue;
			if (e instanceof IOException io) throw io;
			if (e instanceof RuntimeException r) throw r;
			throw (Error) e;
		}
	}
}
