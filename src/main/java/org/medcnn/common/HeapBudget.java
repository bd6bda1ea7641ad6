package org.medcnn.common;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Checks, before a large allocation, that the Java heap can hold it, so that a reader refuses an input that
 * does not fit with a message saying how much it needs and how to get it, instead of ending in an
 * {@link OutOfMemoryError} half-way through.
 * <p>
 * The heap still available is {@code maxMemory - (totalMemory - freeMemory)}; when that is too little, the
 * check asks for one garbage collection and measures again before refusing (garbage counts as used until it is
 * collected). Java arrays hold fewer than 2<sup>31</sup> elements, so a need of more elements than
 * {@link #MAX_ARRAY_ELEMENTS} in one array cannot be met by any heap: the message says so instead of suggesting a
 * larger {@code -Xmx}. Stateless and thread-safe; the answer is a snapshot, not a reservation.
 */
public final class HeapBudget {

	/** Most elements a Java array can hold on common JVMs (a few below {@link Integer#MAX_VALUE}). */
	public static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;

	private static final long GIB = 1L << 30;

	private HeapBudget() {}

	/** Bytes the heap can still provide now (without a garbage collection). */
	public static long available() {
		Runtime rt = Runtime.getRuntime();
		return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
	}

	/**
	 * The work planned for a volume once it is read (e.g. segmenting it): its heap bytes for a volume of the given size
	 * and spacing, and what it is, for messages.
	 */
	public interface Plan {
		/** Heap bytes the planned work needs for an {@code nx × ny × nz} volume of that spacing {x, y, z} in mm. */
		long bytes(int nx, int ny, int nz, double[] spacingMm);

		/** What the work is, e.g. {@code segmenting it with the model M}. */
		String what();
	}

	private static final ThreadLocal<Plan> PLAN = new ThreadLocal<>();

	/** A read whose result feeds work of its own. */
	@FunctionalInterface
	public interface Read<T, E extends Exception> {
		T run() throws E;
	}

	/**
	 * Runs a read on this thread with {@code plan} announced: the readers' heap checks ({@link #shortfallWithPlan}) then
	 * count what the planned work will need too, so that one check before reading gives the whole need and one piece
	 * of advice, rather than a read that fits followed by work that does not.
	 */
	public static <T, E extends Exception> T withPlan(Plan plan, Read<T, E> read) throws E {
		Plan before = PLAN.get();
		PLAN.set(plan);
		try {
			return read.run();
		} finally {
			if (before == null) PLAN.remove();
			else PLAN.set(before);
		}
	}

	/**
	 * {@link #shortfall} of a read of an {@code nx × ny × nz} volume that needs {@code readBytes}, plus the work
	 * announced with {@link #withPlan} on this thread (none: just the read).
	 *
	 * @param what what the read is, e.g. "the 512×512×300 volume of series 1.2.3 (32-bit floats)"
	 */
	public static String shortfallWithPlan(long readBytes, int nx, int ny, int nz, double[] spacingMm, String what) {
		Plan plan = PLAN.get();
		if (plan == null) return shortfall(readBytes, what);
		long work = plan.bytes(nx, ny, nz, spacingMm);
		long total = work > Long.MAX_VALUE - readBytes ? Long.MAX_VALUE : readBytes + work;
		return shortfall(total, "reading " + what + " (" + size(readBytes) + ") and " + plan.what() + " (" + size(work) + ")");
	}

	/**
	 * Why {@code bytes} more bytes do not fit in the heap, or null when they do.
	 *
	 * @param what what needs them, e.g. "the 512×512×4095 volume (float32)"; starts the message
	 * @return e.g. "the … needs 4.3 GB but the Java heap has 1.2 GB free of its 4.0 GB maximum: run Java with a
	 *     larger heap, e.g. -Xmx8g (in Fiji: Edit > Options > Memory &amp; Threads)"
	 */
	public static String shortfall(long bytes, String what) {
		if (bytes <= 0 || bytes <= available()) return null;
		System.gc(); // garbage counts as used until collected: measure once more before refusing
		long free = available();
		if (bytes <= free) return null;
		Runtime rt = Runtime.getRuntime();
		long used = rt.totalMemory() - rt.freeMemory();
		long wantGib = Math.max(1, (long) Math.ceil((used + bytes) * 1.25 / GIB));
		String need = what + " needs " + size(bytes) + " but the Java heap has " + size(Math.max(0, free)) + " free of its "
			+ size(rt.maxMemory()) + " maximum";
		long physical = physicalMemory();
		if (physical > 0 && wantGib * GIB > physical)
			return need + ", and this machine has only " + size(physical) + " of memory: it cannot be done here (use a "
				+ "machine with more than " + wantGib + " GB of memory and run Java with -Xmx" + wantGib + "g: what it needs,"
				+ " what is in use and a quarter more)";
		return need + ": run Java with a larger heap, e.g. -Xmx" + wantGib + "g (what it needs, what is in use and a"
			+ " quarter more; java -Xmx" + wantGib
			+ "g -jar medcnn.jar ...; in Fiji: Edit > Options > Memory & Threads)";
	}

	/**
	 * Why an array of {@code elements} elements cannot exist, or null when it can.
	 *
	 * @param what what would be held in it, e.g. "a volume of 70000×70000×1 voxels"; starts the message
	 */
	public static String arrayLimit(long elements, String what) {
		if (elements <= MAX_ARRAY_ELEMENTS) return null;
		return String.format(Locale.ROOT, "%s has %,d elements, but a Java array holds at most %,d (2^31 - 9): it "
			+ "cannot be held in one array whatever the heap size", what, elements, MAX_ARRAY_ELEMENTS);
	}

	/** Bytes as "512 MB", "4.3 GB" (powers of 1024). */
	public static String size(long bytes) {
		if (bytes < 1L << 20) return String.format(Locale.ROOT, "%d KB", Math.max(0, bytes) >> 10);
		if (bytes < GIB) return String.format(Locale.ROOT, "%d MB", bytes >> 20);
		return String.format(Locale.ROOT, "%.1f GB", bytes / (double) GIB);
	}

	/** The machine's physical memory in bytes, or 0 when the JVM does not say. */
	private static long physicalMemory() {
		try {
			if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
				return os.getTotalMemorySize();
		} catch (RuntimeException | LinkageError e) {
			// a JVM without the com.sun.management extension: no figure, no refusal on that ground
		}
		return 0;
	}
}
