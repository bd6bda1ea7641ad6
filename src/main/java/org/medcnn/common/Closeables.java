package org.medcnn.common;

/**
 * Closing what a constructor or factory opened when it fails before handing it to an owner, e.g. a TensorFlow
 * {@code Session} and its {@code Graph} whose set-up threw. The usual form:
 * <pre>{@code
 * Graph graph = new Graph();
 * Session session = null;
 * try {
 *     ...
 *     session = new Session(graph);
 *     ...
 * } catch (Throwable t) {
 *     Closeables.closeAfter(t, session, graph); // the session first: closing a Graph waits for its sessions
 *     throw t;
 * }
 * }</pre>
 * Stateless; thread-safe.
 */
public final class Closeables {

	private Closeables() {}

	/**
	 * Closes the non-null {@code resources} in the order given after {@code failure}; what a close throws is added to
	 * {@code failure} as suppressed, so that the original failure is the one reported. The caller rethrows
	 * {@code failure}.
	 */
	public static void closeAfter(Throwable failure, AutoCloseable... resources) {
		for (AutoCloseable r : resources) {
			if (r == null) continue;
			try {
				r.close();
			} catch (Throwable t) {
				if (t != failure) failure.addSuppressed(t);
			}
		}
	}
}
