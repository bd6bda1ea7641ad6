package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.NiftiFormatException;
import org.medcnn.volume.Volume;

/**
 * Seeded fuzzing of the reader and every pixel codec: the shared corpus files ({@code ../shared/dicom-corpus})
 * are mutated (bit flips, truncations, corrupted element lengths and VRs, swapped tags, random bytes in the header
 * and in the pixel data) and each case runs {@link DicomReader#read(byte[], Path, boolean)} and
 * {@link DicomPixels#storedValues} on a worker thread. Every case must end within 2 s in a result or a
 * {@link DicomReadException} — never another exception, an {@link OutOfMemoryError} or a hang (a case that passes
 * 2 s is run once more, so that one stall of the shared machine is not taken for a hang). At least 20,000 cases
 * run; the test stops after about 52 s once that many have run (hard stop 100 s). The seed is fixed, so a
 * failing case can be replayed.
 * <p>
 * NIfTI gets the same treatment ({@link #testMutatedNiftiHeadersFailCleanly}): small NIfTI-1 and NIfTI-2 files
 * (little and big endian, five datatypes, sform, qform or neither), written as {@code .nii} and {@code .nii.gz},
 * have their header fields set to hostile values (0, −1, 32767, 2<sup>31</sup>−1, NaN, ±∞, huge), bits flipped,
 * bytes randomised, the file or the gzip stream truncated or extended; {@link Nifti#readVolume} and
 * {@link Nifti#readMask} must end within 2 s in a result or a {@link NiftiFormatException} naming the file. At
 * least 2,000 cases, about 8 s.
 */
class FuzzTest {

	private static final long SEED = 0x5EED_D1C0L;
	private static final int MIN_CASES = 20_000;
	private static final long SOFT_NANOS = TimeUnit.SECONDS.toNanos(52);
	private static final long HARD_NANOS = TimeUnit.SECONDS.toNanos(100);
	private static final int NIFTI_MIN_CASES = 2_000;
	private static final long NIFTI_SOFT_NANOS = TimeUnit.SECONDS.toNanos(8);
	private static final long NIFTI_HARD_NANOS = TimeUnit.SECONDS.toNanos(30);
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
		// The real Deflated Image Frame Compression SEGs (1-bit frames, one deflate stream each).
		java.net.URL deflated = FuzzTest.class.getResource("/dicom/deflated");
		if (deflated != null) seeds.addAll(seeds(Path.of(deflated.toURI())));
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

	@TempDir
	Path niftiDir;

	/** Header fields of NIfTI-1 as {offset, width in bytes, kind: 0 integer, 1 float}. */
	private static final int[][] NIFTI1_FIELDS = {{0, 4, 0}, {40, 2, 0}, {42, 2, 0}, {44, 2, 0}, {46, 2, 0}, {48, 2, 0},
		{56, 2, 0}, {70, 2, 0}, {72, 2, 0}, {76, 4, 1}, {80, 4, 1}, {84, 4, 1}, {88, 4, 1}, {108, 4, 1}, {112, 4, 1},
		{116, 4, 1}, {123, 1, 0}, {252, 2, 0}, {254, 2, 0}, {256, 4, 1}, {260, 4, 1}, {264, 4, 1}, {268, 4, 1},
		{280, 4, 1}, {284, 4, 1}, {300, 4, 1}, {320, 4, 1}, {332, 4, 1}, {344, 4, 0}};
	/** The same for NIfTI-2 (widths 8 for dims, pixdim, vox_offset, scaling, quatern, srow). */
	private static final int[][] NIFTI2_FIELDS = {{0, 4, 0}, {4, 8, 0}, {12, 2, 0}, {14, 2, 0}, {16, 8, 0}, {24, 8, 0},
		{32, 8, 0}, {40, 8, 0}, {48, 8, 0}, {104, 8, 2}, {112, 8, 2}, {120, 8, 2}, {128, 8, 2}, {168, 8, 0}, {176, 8, 2},
		{184, 8, 2}, {344, 4, 0}, {348, 4, 0}, {352, 8, 2}, {376, 8, 2}, {400, 8, 2}, {408, 8, 2}, {440, 8, 2},
		{480, 8, 2}, {500, 4, 0}};

	/** One NIfTI seed: the uncompressed bytes, the header version, the byte order, and whether it is gzipped. */
	private record NiftiSeed(byte[] data, boolean nifti2, boolean bigEndian, boolean gz) {}

	@Test
	void testMutatedNiftiHeadersFailCleanly() throws Exception {
		List<NiftiSeed> seeds = niftiSeeds();
		Random r = new Random(SEED ^ 0x11F7L);
		ExecutorService worker = newWorker();
		List<String> failures = new ArrayList<>();
		long start = System.nanoTime();
		int cases = 0;
		int read = 0;
		try {
			while (failures.size() < 20) {
				long elapsed = System.nanoTime() - start;
				if (elapsed > NIFTI_HARD_NANOS || elapsed > NIFTI_SOFT_NANOS && cases >= NIFTI_MIN_CASES) break;
				NiftiSeed s = seeds.get(r.nextInt(seeds.size()));
				StringBuilder what = new StringBuilder((s.nifti2 ? "nifti2" : "nifti1") + (s.bigEndian ? "-be" : "-le")
					+ (s.gz ? ".nii.gz" : ".nii"));
				Path f = niftiDir.resolve("fuzz" + (cases % 4) + (s.gz ? ".nii.gz" : ".nii"));
				Files.write(f, mutateNifti(s, r, what));
				cases++;
				try {
					if (runNiftiCase(worker, f)) read++;
				} catch (TimeoutException e) {
					worker.shutdownNow();
					worker = newWorker();
					try {
						if (runNiftiCase(worker, f)) read++;
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
		System.err.printf("FuzzTest NIfTI: %d cases (%d read, %d refused) in %.1f s, %d failures%n", cases, read,
			cases - read, seconds, failures.size());
		assertTrue(failures.isEmpty(), () -> failures.size() + " failing cases:\n" + String.join("\n", failures));
		assertTrue(cases >= NIFTI_MIN_CASES, "only " + cases + " NIfTI cases ran in " + seconds + " s");
	}

	/** Reads a mutated file as a volume and as a mask: true when either was read, false when both were refused. */
	private static boolean runNiftiCase(ExecutorService worker, Path f)
		throws TimeoutException, ExecutionException, InterruptedException {
		Future<Boolean> future = worker.submit(() -> {
			boolean any = false;
			for (int k = 0; k < 2; k++) {
				try {
					if (k == 0) Nifti.readVolume(f);
					else Nifti.readMask(f);
					any = true;
				} catch (NiftiFormatException expected) {
					if (!expected.getMessage().contains(f.toString()))
						throw new AssertionError("message does not name the file: " + expected.getMessage());
				}
			}
			return any;
		});
		try {
			return future.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
		} finally {
			future.cancel(true);
		}
	}

	/** Small volumes and masks in every header flavour, as .nii and as .nii.gz. */
	private List<NiftiSeed> niftiSeeds() throws IOException {
		List<NiftiSeed> out = new ArrayList<>();
		double a = Math.toRadians(25);
		Geometry oblique = new Geometry(6, 5, 4, new double[] {0.8, 0.9, 2.5}, new double[] {-20, 10, 5},
			new double[] {Math.cos(a), Math.sin(a), 0, -Math.sin(a), Math.cos(a), 0, 0, 0, 1});
		Geometry axial = Geometry.axial(7, 3, 2, 1, 1, 3);
		float[] v = new float[oblique.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = (float) (Math.sin(i) * 900);
		byte[] labels = new byte[axial.voxelCount()];
		for (int i = 0; i < labels.length; i++) labels[i] = (byte) (i % 3);
		int n = 0;
		for (Nifti.Version version : Nifti.Version.values()) {
			List<Path> files = new ArrayList<>();
			for (Nifti.DataType t : new Nifti.DataType[] {Nifti.DataType.FLOAT32, Nifti.DataType.INT16}) {
				Path f = niftiDir.resolve("seed" + n++ + ".nii");
				Nifti.writeVolume(new Volume(oblique, v, "CT"), f, t, version);
				files.add(f);
			}
			Path m = niftiDir.resolve("seed" + n++ + ".nii");
			Nifti.writeMask(new Mask(axial, labels), m, version);
			files.add(m);
			for (Path f : files) {
				byte[] b = Files.readAllBytes(f);
				out.add(new NiftiSeed(b, version == Nifti.Version.NIFTI2, false, false));
				out.add(new NiftiSeed(b, version == Nifti.Version.NIFTI2, false, true));
				out.add(new NiftiSeed(toBigEndian(b, version == Nifti.Version.NIFTI2), version == Nifti.Version.NIFTI2, true,
					false));
			}
		}
		return out;
	}

	/** The same file in big endian: every header field and voxel byte-swapped (voxels by the datatype's width). */
	private static byte[] toBigEndian(byte[] b, boolean nifti2) {
		byte[] out = b.clone();
		for (int[] f : nifti2 ? NIFTI2_FIELDS : NIFTI1_FIELDS) {
			if (f[1] == 1 || f[0] == 344 && !nifti2 || f[0] == 4 && nifti2) continue; // bytes and magic strings
			for (int i = 0; i < f[1]; i++) out[f[0] + i] = b[f[0] + f[1] - 1 - i];
		}
		if (!nifti2) for (int i = 42; i < 56; i += 2) swap(out, b, i, 2); // dim[1..7]
		int datatype = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(nifti2 ? 12 : 70);
		int width = datatype == 2 ? 1 : datatype == 4 ? 2 : datatype == 64 ? 8 : 4;
		int vox = nifti2 ? 544 : 352;
		if (width > 1) for (int p = vox; p + width <= b.length; p += width) swap(out, b, p, width);
		return out;
	}

	private static void swap(byte[] out, byte[] in, int at, int width) {
		for (int i = 0; i < width; i++) out[at + i] = in[at + width - 1 - i];
	}

	/** One to three mutations of a NIfTI seed, then gzip when the seed is gzipped (sometimes mutated after). */
	private static byte[] mutateNifti(NiftiSeed s, Random r, StringBuilder what) throws IOException {
		byte[] b = s.data.clone();
		ByteBuffer bb = ByteBuffer.wrap(b).order(s.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
		int[][] fields = s.nifti2 ? NIFTI2_FIELDS : NIFTI1_FIELDS;
		int n = 1 + r.nextInt(3);
		for (int m = 0; m < n; m++) {
			int kind = r.nextInt(10);
			if (kind < 6) { // a header field set to a hostile value
				int[] f = fields[r.nextInt(fields.length)];
				double[] floats = {0, -1, 1e-30, 1e30, 3e38, Double.NaN, Double.POSITIVE_INFINITY,
					Double.NEGATIVE_INFINITY, 1e300, -0.5, r.nextGaussian() * 1000};
				long[] ints = {0, -1, 1, 2, 3, 7, 8, 16, 64, 255, 256, 348, 540, 32767, -32768, 65535, Integer.MAX_VALUE,
					Integer.MIN_VALUE, Long.MAX_VALUE, r.nextInt()};
				what.append(" field@").append(f[0]);
				if (f[2] == 0) {
					long v = ints[r.nextInt(ints.length)];
					what.append('=').append(v);
					switch (f[1]) {
						case 1 -> bb.put(f[0], (byte) v);
						case 2 -> bb.putShort(f[0], (short) v);
						case 4 -> bb.putInt(f[0], (int) v);
						default -> bb.putLong(f[0], v);
					}
				} else {
					double v = floats[r.nextInt(floats.length)];
					what.append('=').append(v);
					if (f[2] == 1) bb.putFloat(f[0], (float) v);
					else bb.putDouble(f[0], v);
				}
			} else if (kind == 6) { // bit flips in the header
				int p = r.nextInt(Math.min(b.length, s.nifti2 ? 544 : 352));
				b[p] ^= (byte) (1 << r.nextInt(8));
				what.append(" flip@").append(p);
			} else if (kind == 7) { // random bytes anywhere
				int p = r.nextInt(b.length);
				int count = 1 + r.nextInt(8);
				for (int i = 0; i < count && p + i < b.length; i++) b[p + i] = (byte) r.nextInt(256);
				what.append(" bytes@").append(p).append('x').append(count);
			} else if (kind == 8) { // truncated
				int len = r.nextInt(b.length);
				what.append(" truncate@").append(len);
				b = java.util.Arrays.copyOf(b, len);
				bb = ByteBuffer.wrap(b).order(s.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
				if (b.length < (s.nifti2 ? 544 : 352)) break;
			} else { // extended with more data than declared
				int extra = 1 + r.nextInt(4096);
				what.append(" extend+").append(extra);
				b = java.util.Arrays.copyOf(b, b.length + extra);
				bb = ByteBuffer.wrap(b).order(s.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
			}
		}
		if (!s.gz) return b;
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
			gz.write(b);
		}
		byte[] z = out.toByteArray();
		if (r.nextInt(4) == 0) { // the compressed stream damaged too: cut, or bytes changed
			if (r.nextBoolean()) {
				int len = r.nextInt(z.length);
				what.append(" gz-truncate@").append(len);
				z = java.util.Arrays.copyOf(z, len);
			} else {
				int p = r.nextInt(z.length);
				z[p] ^= (byte) (1 + r.nextInt(255));
				what.append(" gz-byte@").append(p);
			}
		}
		return z;
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
