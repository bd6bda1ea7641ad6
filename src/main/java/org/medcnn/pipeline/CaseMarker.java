package org.medcnn.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Json;

/**
 * The completion marker of a case, {@code NAME_done.json}: written into the output folder last, atomically (temporary
 * file, then rename), after every other output of the case is in place. It records what the outputs were made from
 * (a run key naming the model packages and settings, and a stamp of the input's files: their number, total size and
 * a digest of their paths, sizes and modification times), each output file with its size, and the lesion table of the case. A case counts as
 * finished only when its marker reads back, its key and input stamp are those of the current run and every file it
 * lists is present with its size; otherwise it is computed again, and its stale marker is removed first, so that a
 * crash while the outputs are replaced never leaves a marker behind. The marker holds no patient identifiers (the case
 * name and numbers only). Stateless and thread-safe.
 */
public final class CaseMarker {

	/** The marker's file-name suffix: {@code NAME_done.json}. */
	public static final String SUFFIX = "_done.json";
	/** The marker's format version. */
	public static final int FORMAT = 1;

	private CaseMarker() {}

	/** Where the marker of case {@code name} lives. */
	public static Path path(Path outDir, String name) {
		return outDir.resolve(name + SUFFIX);
	}

	/**
	 * A stamp of the input's files, so that a changed input (slices added, replaced or removed) is computed again: the
	 * number of regular files, their total size and a digest of each file's path, size and modification time, over the
	 * DICOM series' files when the input was scanned, else over the entry (a file, or a folder walked without following
	 * links). Contents are not read: a file rewritten with its size and time kept counts as unchanged.
	 *
	 * @throws IOException when the files cannot be listed (the message names the path)
	 */
	public static String inputStamp(CaseSegmentation.Input in) throws IOException {
		long count = 0, bytes = 0;
		List<Path> files = new ArrayList<>();
		if (in.series() != null) files.addAll(in.series().files());
		else if (Files.isDirectory(in.entry())) {
			try (Stream<Path> walk = Files.walk(in.entry())) {
				walk.filter(Files::isRegularFile).forEach(files::add);
			}
		} else files.add(in.entry());
		List<String> lines = new ArrayList<>();
		for (Path f : files) {
			BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
			if (!a.isRegularFile()) continue;
			count++;
			bytes += a.size();
			lines.add(f.toAbsolutePath() + "\0" + a.size() + "\0" + a.lastModifiedTime().toMillis());
		}
		Collections.sort(lines);
		MessageDigest md;
		try {
			md = MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("this Java has no SHA-256", e);
		}
		for (String l : lines) md.update((l + "\n").getBytes(StandardCharsets.UTF_8));
		return count + " files, " + bytes + " bytes, " + HexFormat.of().formatHex(md.digest()).substring(0, 16);
	}

	/**
	 * Writes the marker of a finished case (last, atomically).
	 *
	 * @param r a successful result of {@link CaseSegmentation#run}
	 * @param runKey what the outputs were made from (model packages, settings)
	 * @param inputStamp {@link #inputStamp} of the input, taken before the case was processed
	 * @return the marker's content
	 * @throws IOException when an output is missing or the marker cannot be written
	 */
	public static Map<String, Object> write(Path outDir, CaseSegmentation.Result r, String runKey, String inputStamp)
		throws IOException {
		if (!r.ok()) throw new IllegalArgumentException(r.name() + ": a failed case gets no completion marker");
		Map<String, Object> files = new LinkedHashMap<>();
		List<Path> all = new ArrayList<>(r.files().values());
		for (Path s : r.slices()) if (!all.contains(s)) all.add(s);
		for (Path f : all) files.put(f.getFileName().toString(), Files.size(f));
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("format", FORMAT);
		m.put("case", r.name());
		m.put("key", runKey);
		m.put("input", inputStamp);
		m.put("files", files);
		m.put("lesions", CaseSegmentation.lesionsJson(r.lesions(), r.risks()));
		m.put("notes", r.notes());
		m.put("warnings", r.warnings());
		AtomicFiles.writeString(path(outDir, r.name()), Json.writePretty(m) + "\n");
		return m;
	}

	/**
	 * The marker of case {@code name} when the case is finished for this run (see the class comment), else null.
	 *
	 * @param inputStamp {@link #inputStamp} of the input now
	 */
	public static Map<String, Object> finished(Path outDir, String name, String runKey, String inputStamp) {
		Path p = path(outDir, name);
		Map<String, Object> m;
		try {
			m = Json.asObject(Json.parse(Files.readString(p)), p.toString());
		} catch (NoSuchFileException e) {
			return null;
		} catch (IOException | RuntimeException e) {
			return null; // unreadable or half-understood: the case is computed again and the marker rewritten
		}
		if (!Integer.valueOf(FORMAT).equals(asInt(m.get("format"))) || !name.equals(m.get("case"))
			|| !runKey.equals(m.get("key")) || !inputStamp.equals(m.get("input")) || !(m.get("files") instanceof Map<?, ?> files)
			|| !(m.get("lesions") instanceof List<?>))
			return null;
		for (Map.Entry<?, ?> e : files.entrySet()) {
			Path f = outDir.resolve(String.valueOf(e.getKey()));
			try {
				if (!f.getParent().equals(outDir) || !Files.isRegularFile(f) || !Long.valueOf(Files.size(f)).equals(asLong(e.getValue())))
					return null;
			} catch (IOException ex) {
				return null;
			}
		}
		return m;
	}

	/** Removes the marker of case {@code name}, if any. */
	public static void delete(Path outDir, String name) throws IOException {
		Files.deleteIfExists(path(outDir, name));
	}

	private static Integer asInt(Object o) {
		return o instanceof Number n && n.doubleValue() == n.intValue() ? n.intValue() : null;
	}

	private static Long asLong(Object o) {
		return o instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue() : null;
	}
}
