package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the reader and every pixel codec: the shared corpus files ({@code ../shared/dicom-corpus})
 * are mutated (bit flips, truncations, corrupted element lengths and VRs, swapped tags, random bytes in the header
 * and in the pixel data) and each case runs {@link DicomReader#read(byte[], Path, boolean)} and
 * {@link DicomPixels#storedValues} on a worker thread. Every case must end within 2 s in a result or a
 * {@link DicomReadException} — never another exception, an {@link OutOfMemoryError} or a hang (a case that passes
 * 2 s is run once more, so that one stall of the shared machine is not taken for a hang). At least 20,000 cases
 * run; the test stops after about a minute once that many have run (hard stop 110 s). The seed is fixed, so a
 * failing case can be replayed.
 */
class FuzzTest {

	private static final long SEED = 0x5EED_D1C0L;
	private static final int MIN_CASES = 20_000;
	private static final long SOFT_NANOS = TimeUnit.SECONDS.toNanos(60);
	private static final long HARD_NANOS = TimeUnit.SECONDS.toNanos(110);
	private static final long CASE_TIMEOUT_MS = 2000;
	private static final String[] VR_LIST = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
		"OB", "OD", "OF", "OL", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT"};
	private static final Set<String> VRS = Set.of(VR_LIST);

	/** One corpus file with the offsets the mutations aim at. */
	private record Seed(String name, byte[] data, int[] vrOffsets, int pixelOffset) {}

	@Test
	void testMutatedCorpusFilesFailCleanly() throws Exception {
		Path files = DicomCorpusTest.CORPUS.resolve("files");
		Assumptions.assumeTrue(Files.isDirectory(files), "the shared DICOM corpus is not at " + files.toAbsolutePath());
		List<Seed> seeds = new ArrayList<>(seeds(files));
		// The bundled JPEG-LS colour, near-lossless and custom-threshold variants the corpus lacks.
		java.net.URL jls = FuzzTest.class.getResource("/dicom/jpegls");
		if (jls != null) seeds.addAll(seeds(Path.of(jls.toURI())));
		Assumptions.assumeFalse(seeds.isEmpty(), "no corpus files");
		Random r = new Random(SEED);
		ExecutorService worker = newWorker();
		List<String> failures = new ArrayList<>();
		long start = System.nanoTime();
		int cases = 0;
		int decoded = 0;
		int retried = 0;
		try {
			while (failures.size() < 20) {
				long elapsed = System.nanoTime() - start;
				if (elapsed > HARD_NANOS || elapsed > SOFT_NANOS && cases >= MIN_CASES) break;
				Seed s = seeds.get(r.nextInt(seeds.size()));
				StringBuilder what = new StringBuilder(s.name);
				byte[] data = mutate(s, r, what);
				cases++;
				boolean viaFile = cases % 8 == 0;
				try {
					if (runCase(worker, data, viaFile)) decoded++;
				} catch (TimeoutException e) {
					worker.shutdownNow();
					worker = newWorker();
					// A stall of the whole machine (2 shared cores, garbage collection) can pass 2 s once; a hang
					// does it again.
					try {
						if (runCase(worker, data, viaFile)) decoded++;
						retried++;
					} catch (TimeoutException again) {
						failures.add("case " + cases + " (" + what + "): no result within 2 s, twice");
						worker.shutdownNow();
						worker = newWorker();
					} catch (ExecutionException again) {
						failures.add(describe(cases, what, again));
					}
				} catch (ExecutionException e) {
					failures.add(describe(cases, what, e));
				}
			}
		} finally {
			worker.shutdownNow();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		System.err.printf("FuzzTest: %d cases (%d decoded, %d refused, %d retried after a 2 s stall) in %.1f s, %d failures%n",
			cases, decoded, cases - decoded, retried, seconds, failures.size());
		assertTrue(failures.isEmpty(), () -> failures.size() + " failing cases:\n" + String.join("\n", failures));
		assertTrue(cases >= MIN_CASES, "only " + cases + " cases ran in " + seconds + " s");
	}

	/** Where the streamed cases write their file, and what they decode into (reused: cases run one at a time). */
	private static Path fuzzFile;
	private static final float[] STREAMED = new float[1 << 21];

	@org.junit.jupiter.api.AfterAll
	static void deleteFuzzFile() throws IOException {
		if (fuzzFile != null) org.medcnn.common.AtomicFiles.deleteTree(fuzzFile.getParent());
	}

	/**
	 * Runs one case on the worker: true when pixels decoded, false when refused with a DicomReadException.
	 * {@code viaFile}: also written to a file and decoded as the series reader does, streamed
	 * ({@link DicomPixels#readRealWorldValues}).
	 */
	private static boolean runCase(ExecutorService worker, byte[] data, boolean viaFile)
		throws TimeoutException, ExecutionException, InterruptedException {
		Future<Boolean> f = worker.submit(() -> {
			String name = "fuzz.dcm";
			try {
				if (viaFile) {
					if (fuzzFile == null) fuzzFile = Files.createTempDirectory("medcnn-fuzz").resolve("fuzz.dcm");
					Files.write(fuzzFile, data);
					name = fuzzFile.toString();
					DicomPixels.readRealWorldValues(fuzzFile, STREAMED, 0, h -> {});
					name = "fuzz.dcm";
				}
				DicomPixels.storedValues(DicomReader.read(data, Path.of("fuzz.dcm"), false));
				return true;
			} catch (DicomReadException expected) {
				if (!expected.getMessage().contains(name))
					throw new AssertionError("message does not name the file: " + expected.getMessage());
				return false;
			}
		});
		try {
			return f.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
		} finally {
			f.cancel(true);
		}
	}

	private static String describe(int c, CharSequence what, ExecutionException e) {
		Throwable cause = e.getCause();
		StackTraceElement[] st = cause.getStackTrace();
		return "case " + c + " (" + what + "): " + cause + (st.length > 0 ? " at " + st[0] : "");
	}

	private static ExecutorService newWorker() {
		return Executors.newSingleThreadExecutor(task -> {
			Thread t = new Thread(task, "fuzz-worker");
			t.setDaemon(true);
			return t;
		});
	}

	private static List<Seed> seeds(Path files) throws IOException {
		List<Path> paths;
		try (Stream<Path> s = Files.walk(files)) {
			paths = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
		}
		List<Seed> out = new ArrayList<>();
		int seriesSlices = 0;
		for (Path p : paths) {
			if (p.getParent().getFileName().toString().equals("series_ct") && seriesSlices++ >= 2) continue;
			byte[] b = Files.readAllBytes(p);
			if (b.length == 0) continue;
			List<Integer> vrs = new ArrayList<>();
			for (int i = 4; i + 1 < b.length; i++) {
				if (b[i] >= 'A' && b[i] <= 'Z' && b[i + 1] >= 'A' && b[i + 1] <= 'Z'
					&& VRS.contains(new String(b, i, 2, StandardCharsets.US_ASCII)))
					vrs.add(i);
			}
			int pixel = b.length;
			for (int i = b.length - 4; i >= 0; i--) {
				if ((b[i] == (byte) 0xE0 && b[i + 1] == 0x7F || b[i] == 0x7F && b[i + 1] == (byte) 0xE0)
					&& (b[i + 2] == 0x10 && b[i + 3] == 0 || b[i + 2] == 0 && b[i + 3] == 0x10)) {
					pixel = i;
					break;
				}
			}
			out.add(new Seed(p.getFileName().toString(), b, vrs.stream().mapToInt(Integer::intValue).toArray(), pixel));
		}
		return out;
	}

	/** One to three random mutations of a seed; {@code what} gets a description for failure messages. */
	private static byte[] mutate(Seed s, Random r, StringBuilder what) {
		byte[] b = s.data.clone();
		int n = 1 + r.nextInt(3);
		for (int m = 0; m < n; m++) {
			int kind = r.nextInt(8);
			switch (kind) {
				case 0 -> { // bit flips anywhere
					int flips = 1 + r.nextInt(4);
					for (int i = 0; i < flips; i++) {
						int p = r.nextInt(b.length);
						b[p] ^= (byte) (1 << r.nextInt(8));
						what.append(" flip@").append(p);
					}
				}
				case 1 -> { // truncation
					int len = r.nextInt(b.length);
					what.append(" truncate@").append(len);
					b = Arrays.copyOf(b, len);
					if (b.length == 0) return b;
				}
				case 2 -> { // corrupted length after a VR (2 or 4 bytes), or a random 32-bit word in the header
					int p = s.vrOffsets.length > 0 && r.nextBoolean() ? s.vrOffsets[r.nextInt(s.vrOffsets.length)] + 2
						: r.nextInt(Math.max(1, Math.min(b.length, s.pixelOffset + 12)));
					int[] values = {0, 1, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, r.nextInt(), r.nextInt(4096)};
					int v = values[r.nextInt(values.length)];
					int width = r.nextBoolean() ? 2 : 4;
					if (r.nextBoolean() && p + 6 <= b.length) p += 2; // the 32-bit length of OB/OW/SQ/UN/UT
					what.append(" length@").append(p).append('=').append(Integer.toHexString(v));
					for (int i = 0; i < width && p + i < b.length; i++) b[p + i] = (byte) (v >>> (8 * i));
				}
				case 3 -> { // corrupted VR
					if (s.vrOffsets.length == 0) break;
					int p = s.vrOffsets[r.nextInt(s.vrOffsets.length)];
					if (p + 1 >= b.length) break;
					String vr = r.nextInt(4) == 0 ? "" + (char) r.nextInt(128) + (char) r.nextInt(128)
						: VR_LIST[r.nextInt(VR_LIST.length)];
					what.append(" vr@").append(p).append('=').append(vr.replaceAll("\\p{Cntrl}", "?"));
					b[p] = (byte) vr.charAt(0);
					b[p + 1] = (byte) vr.charAt(1);
				}
				case 4 -> { // swapped tags of two elements
					if (s.vrOffsets.length < 2) break;
					int p = s.vrOffsets[r.nextInt(s.vrOffsets.length)] - 4;
					int q = s.vrOffsets[r.nextInt(s.vrOffsets.length)] - 4;
					if (p < 0 || q < 0 || p + 4 > b.length || q + 4 > b.length) break;
					what.append(" swap@").append(p).append(',').append(q);
					for (int i = 0; i < 4; i++) {
						byte t = b[p + i];
						b[p + i] = b[q + i];
						b[q + i] = t;
					}
				}
				case 5, 6 -> { // random bytes in the header
					int end = Math.max(1, Math.min(b.length, s.pixelOffset + 12));
					int count = 1 + r.nextInt(8);
					int p = r.nextInt(end);
					what.append(" header@").append(p).append('x').append(count);
					for (int i = 0; i < count && p + i < b.length; i++) b[p + i] = (byte) r.nextInt(256);
				}
				default -> { // random bytes in the pixel data
					if (s.pixelOffset >= b.length) break;
					int count = 1 + r.nextInt(16);
					int p = s.pixelOffset + r.nextInt(b.length - s.pixelOffset);
					what.append(" pixels@").append(p).append('x').append(count);
					for (int i = 0; i < count && p + i < b.length; i++) b[p + i] = (byte) r.nextInt(256);
				}
			}
		}
		return b;
	}
}
