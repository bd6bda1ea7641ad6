package org.medcnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomPixels;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Volume;

/**
 * {@code bench dicom [DIR] [--json]}: DICOM decoding speed (DESIGN.md "bench"). With DIR, every DICOM file under
 * it is decoded in-process to real-world values (stored values for colour images) after a warm-up pass. Without
 * DIR, a temporary folder (deleted afterwards) gets 1,000 small files, timed as a header scan, and a 512×512×300
 * 16-bit uncompressed CT series, timed as a full decode and as a raw read of the same bytes. {@code bench train}
 * and {@code bench predict} are not built yet (exit code 2).
 */
final class BenchCommand implements Main.Command {

	static final int SMALL_FILES = 1000;
	static final int CT_SIZE = 512;
	static final int CT_SLICES = 300;
	private static final int CHUNK = 30;

	@Override
	public String name() {
		return "bench";
	}

	@Override
	public String summary() {
		return "performance figures (dicom; train and predict not built yet)";
	}

	@Override
	public String usage() {
		return """
			usage: medcnn bench dicom [DIR] [--json]
			  Decodes every DICOM file under DIR to real-world values in-process, after a warm-up pass, and prints
			  {files, bytes, seconds, filesPerSecond, megabytesPerSecond}. Without DIR, generates (in a temporary
			  folder, deleted afterwards) 1,000 small files for a header scan and a 512x512x300 16-bit CT series for
			  a full decode, and also reports the raw read speed of the same bytes (just written: page cache).
			  Progress goes to stderr, the result to stdout.
			  --json    the result as JSON
			usage: medcnn bench train|predict   (not built yet: exit code 2)""";
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args args = new Args(name(), argv, Set.of(), Set.of("json"));
		List<String> pos = args.positional();
		if (pos.isEmpty()) throw new Args.UsageException("bench: give what to measure: dicom [DIR] (see bench --help)");
		String what = pos.get(0);
		if (what.equals("train") || what.equals("predict")) {
			err.println("medcnn bench: '" + what + "' is not built yet");
			return 2;
		}
		if (!what.equals("dicom")) throw new Args.UsageException("bench: unknown benchmark '" + what + "' (dicom, train, predict)");
		if (pos.size() > 2) throw new Args.UsageException("bench dicom: at most one folder");
		boolean json = args.flag("json");
		try (CliCancellation cancel = new CliCancellation()) {
			CliProgress progress = new CliProgress(err);
			Map<String, Object> result = pos.size() == 2 ? benchFolder(Path.of(pos.get(1)), progress, cancel.token())
				: benchGenerated(progress, cancel.token());
			progress.done();
			if (json) out.println(Json.writePretty(result));
			else printHuman(result, out, "");
			return 0;
		}
	}

	/** Warm-up then timed decode of every DICOM file under a folder. */
	static Map<String, Object> benchFolder(Path dir, ProgressListener progress, Cancellation cancel) throws IOException {
		List<Path> files = InfoCommand.expand(dir);
		if (files.isEmpty()) throw new IllegalArgumentException("bench dicom: no DICOM files under " + dir);
		decodeAll(files, progress, cancel, "Warm-up");
		long bytes = 0;
		for (Path f : files) bytes += Files.size(f);
		long t0 = System.nanoTime();
		int failed = decodeAll(files, progress, cancel, "Decoding");
		Map<String, Object> r = figures(files.size(), bytes, System.nanoTime() - t0);
		r.put("failed", failed);
		return r;
	}

	/** Generated data: a header scan of small files, a full decode of a CT series, and a raw read of it. */
	static Map<String, Object> benchGenerated(ProgressListener progress, Cancellation cancel) throws IOException {
		Path tmp = Files.createTempDirectory("medcnn-bench");
		try {
			DicomWriter.SeriesInfo info = DicomWriter.SeriesInfo.synthetic("medcnn-bench", "BENCH^SYNTHETIC", "BENCH",
				"MedCNN bench");
			Path small = tmp.resolve("small");
			DicomWriter.writeSeries(synthetic(16, 16, SMALL_FILES, 0), small, info,
				(f, m) -> progress.progress(f, "Writing " + SMALL_FILES + " small files"), cancel);
			List<Path> smallFiles = InfoCommand.expand(small);
			Path ct = tmp.resolve("ct");
			Files.createDirectories(ct);
			for (int c = 0; c < CT_SLICES; c += CHUNK) {
				int n = Math.min(CHUNK, CT_SLICES - c);
				Volume v = synthetic(CT_SIZE, CT_SIZE, n, c);
				for (int z = 0; z < n; z++) {
					cancel.check();
					DicomWriter.writeSingleSlice(v, z, ct.resolve(String.format("IM%04d.dcm", c + z + 1)), info);
				}
				progress.progress((c + n) / (double) CT_SLICES, "Writing a " + CT_SIZE + "x" + CT_SIZE + "x" + CT_SLICES
					+ " CT series");
			}
			List<Path> ctFiles = InfoCommand.expand(ct);

			scanHeaders(smallFiles, progress, cancel, "Warm-up header scan");
			long bytes = 0;
			for (Path f : smallFiles) bytes += Files.size(f);
			long t0 = System.nanoTime();
			scanHeaders(smallFiles, progress, cancel, "Header scan");
			Map<String, Object> header = figures(smallFiles.size(), bytes, System.nanoTime() - t0);

			decodeAll(ctFiles, progress, cancel, "Warm-up decode");
			long ctBytes = 0;
			for (Path f : ctFiles) ctBytes += Files.size(f);
			t0 = System.nanoTime();
			int failed = decodeAll(ctFiles, progress, cancel, "Full decode");
			Map<String, Object> decode = figures(ctFiles.size(), ctBytes, System.nanoTime() - t0);
			decode.put("failed", failed);

			t0 = System.nanoTime();
			long read = 0;
			for (Path f : ctFiles) {
				cancel.check();
				read += Files.readAllBytes(f).length;
			}
			Map<String, Object> raw = figures(ctFiles.size(), read, System.nanoTime() - t0);
			raw.put("note", "files just written: read from the page cache, not the disk");

			Map<String, Object> r = new LinkedHashMap<>();
			r.put("headerScan", header);
			r.put("fullDecode", decode);
			r.put("rawRead", raw);
			return r;
		} finally {
			deleteTree(tmp);
		}
	}

	/** A CT-like volume in HU: a smooth pattern, different per slice (z0 = index of the first slice). */
	static Volume synthetic(int nx, int ny, int nz, int z0) {
		float[] v = new float[nx * ny * nz];
		for (int z = 0, i = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++, i++) v[i] = ((x * 7 + y * 13 + (z0 + z) * 3) % 2000) - 1000;
		Geometry g = new Geometry(nx, ny, nz, new double[] {0.7, 0.7, 1.0}, new double[] {0, 0, z0},
			Geometry.AXIAL);
		return new Volume(g, v, "CT");
	}

	private static void scanHeaders(List<Path> files, ProgressListener progress, Cancellation cancel, String what)
		throws DicomReadException {
		for (int i = 0; i < files.size(); i++) {
			cancel.check();
			DicomReader.readHeader(files.get(i));
			if (i % 50 == 49 || i == files.size() - 1)
				progress.progress((i + 1) / (double) files.size(), what + " " + (i + 1) + "/" + files.size());
		}
	}

	/** Decodes each file to real-world values (stored values for colour); returns how many could not be read. */
	private static int decodeAll(List<Path> files, ProgressListener progress, Cancellation cancel, String what) {
		int failed = 0;
		for (int i = 0; i < files.size(); i++) {
			cancel.check();
			try {
				DicomObject o = DicomReader.read(files.get(i));
				if (o.getInt(org.medcnn.dicom.Tag.SamplesPerPixel, 1) == 1) DicomPixels.realWorldValues(o);
				else DicomPixels.storedValues(o);
			} catch (DicomReadException e) {
				failed++;
			}
			if (i % 10 == 9 || i == files.size() - 1)
				progress.progress((i + 1) / (double) files.size(), what + " " + (i + 1) + "/" + files.size());
		}
		return failed;
	}

	private static Map<String, Object> figures(int files, long bytes, long nanos) {
		double s = Math.max(nanos, 1) / 1e9;
		Map<String, Object> r = new LinkedHashMap<>();
		r.put("files", files);
		r.put("bytes", bytes);
		r.put("seconds", round(s));
		r.put("filesPerSecond", round(files / s));
		r.put("megabytesPerSecond", round(bytes / 1e6 / s));
		return r;
	}

	private static double round(double v) {
		return Math.round(v * 1000) / 1000.0;
	}

	@SuppressWarnings("unchecked")
	private static void printHuman(Map<String, Object> r, PrintStream out, String indent) {
		for (Map.Entry<String, Object> e : r.entrySet()) {
			if (e.getValue() instanceof Map<?, ?> m) {
				out.println(indent + e.getKey() + ":");
				printHuman((Map<String, Object>) m, out, indent + "  ");
			} else {
				out.println(indent + e.getKey() + ": " + e.getValue());
			}
		}
	}

	private static void deleteTree(Path root) throws IOException {
		if (!Files.exists(root)) return;
		try (Stream<Path> s = Files.walk(root)) {
			for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
		}
	}
}
