package org.medcnn.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.medcnn.common.Cancellation;

/**
 * Ctrl-C (SIGINT) cancels the running work at the end of its current step instead of killing it mid-write:
 * the shutdown hook sets the token and waits (up to 10 s) until the command calls {@link #close()}.
 */
final class CliCancellation implements AutoCloseable {

	private final Cancellation token = new Cancellation();
	private final CountDownLatch finished = new CountDownLatch(1);
	private final Thread hook = new Thread(this::onShutdown, "medcnn-cancel");

	CliCancellation() {
		Runtime.getRuntime().addShutdownHook(hook);
	}

	Cancellation token() {
		return token;
	}

	private void onShutdown() {
		token.cancel();
		try {
			finished.await(10, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		finished.countDown();
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		} catch (IllegalStateException e) {
			// Already shutting down: the hook is running and has just been released.
		}
	}
}
