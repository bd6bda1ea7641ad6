package org.medcnn.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A DICOMDIR (Media Storage Directory, PS3.10 §8, PS3.3 §F) read as an index of the files of a file-set:
 * its PATIENT → STUDY → SERIES → IMAGE (or other leaf) directory records, each leaf's Referenced File ID
 * (0004,1500) resolved against the DICOMDIR's folder.
 * <p>
 * The hierarchy is followed through the record offsets (0004,1200, 0004,1400, 0004,1420); when they do not
 * point at records (a writer that got them wrong) the records are read in file order instead, with a warning.
 * Inactive records (Record In-use Flag 0) are ignored. File IDs are matched case-insensitively when the exact
 * name is absent (media written on one system and copied to another); IDs that leave the DICOMDIR's folder are
 * refused; files referenced but missing are reported in {@link Index#warnings()} and {@link Index#missing()}.
 * Reads only the DICOMDIR, never the files it references. Stateless and thread-safe.
 */
public final class DicomDir {

	private DicomDir() {}

	/**
	 * One SERIES record and the files below it, in directory order.
	 *
	 * @param studyInstanceUID the parent STUDY record's StudyInstanceUID, or null
	 * @param seriesInstanceUID SeriesInstanceUID of the record ("" when absent)
	 * @param modality Modality of the record, or null
	 * @param files the existing files referenced below it
	 */
	public record Series(String studyInstanceUID, String seriesInstanceUID, String modality, List<Path> files) {
		public Series {
			files = List.copyOf(files);
		}
	}

	/**
	 * What a DICOMDIR lists.
	 *
	 * @param dicomdir the DICOMDIR file
	 * @param series the SERIES records in directory order
	 * @param missing referenced files that do not exist, with the SeriesInstanceUID of their series
	 * @param warnings what was doubtful: missing files, offsets that do not point at records, bad file IDs
	 */
	public record Index(Path dicomdir, List<Series> series, Map<Path, String> missing, List<String> warnings) {
		public Index {
			series = List.copyOf(series);
			missing = Map.copyOf(missing);
			warnings = List.copyOf(warnings);
		}

		/** Every existing file referenced, in directory order. */
		public List<Path> files() {
			List<Path> out = new ArrayList<>();
			for (Series s : series) out.addAll(s.files());
			return out;
		}
	}

	private static final Map<String, Integer> LEVEL = Map.of("PATIENT", 0, "STUDY", 1, "SERIES", 2);

	/**
	 * Reads a DICOMDIR.
	 *
	 * @throws DicomReadException if it cannot be parsed or has no Directory Record Sequence
	 */
	public static Index read(Path dicomdir) throws DicomReadException {
		DicomObject o = DicomReader.readHeader(dicomdir);
		if (!o.contains(Tag.DirectoryRecordSequence))
			throw new DicomReadException(dicomdir, Tag.DirectoryRecordSequence, "not a DICOMDIR: no Directory Record Sequence");
		List<DicomObject> records = o.getSequence(Tag.DirectoryRecordSequence);
		List<String> warnings = new ArrayList<>();
		Map<Integer, DicomObject> byOffset = new HashMap<>();
		for (DicomObject r : records) byOffset.put(r.itemOffset, r);
		// Records in hierarchy order, each with its parents' records: {patient, study, series, leaf}.
		List<DicomObject[]> paths = new ArrayList<>();
		long root = (long) o.getDouble(0x00041200, 0);
		if (!records.isEmpty() && byOffset.containsKey((int) root) && walk(byOffset, (int) root, new DicomObject[4], paths,
			new HashSet<>(), 0)) {
			// followed the offsets
		} else {
			if (!records.isEmpty())
				warnings.add("DICOMDIR record offsets do not point at its records: records read in file order");
			paths.clear();
			DicomObject[] cur = new DicomObject[4];
			for (DicomObject r : records) {
				if (!inUse(r)) continue;
				Integer level = LEVEL.get(type(r));
				int l = level == null ? 3 : level;
				cur[l] = r;
				for (int k = l + 1; k < 4; k++) cur[k] = null;
				paths.add(cur.clone());
			}
		}
		Path base = dicomdir.toAbsolutePath().getParent();
		Map<DicomObject, List<Path>> filesBySeries = new LinkedHashMap<>();
		Map<Path, String> missing = new LinkedHashMap<>();
		Map<String, Map<String, String>> listings = new HashMap<>();
		for (DicomObject[] p : paths) {
			DicomObject series = p[2];
			DicomObject leaf = p[3];
			if (series != null) filesBySeries.computeIfAbsent(series, k -> new ArrayList<>());
			if (leaf == null || !leaf.contains(Tag.ReferencedFileID)) continue;
			String[] ids = leaf.getStrings(Tag.ReferencedFileID);
			if (ids == null || ids.length == 0) continue;
			Path f = base;
			boolean bad = false;
			for (String id : ids) {
				if (id.isEmpty() || id.equals(".") || id.equals("..") || id.contains("/") || id.contains("\\")) bad = true;
				f = f.resolve(id);
			}
			if (bad) {
				warnings.add("DICOMDIR Referenced File ID " + String.join("\\", ids) + " is not a plain relative path: ignored");
				continue;
			}
			Path found = resolve(base, ids, listings);
			String uid = series == null ? "" : nonNull(series.getString(Tag.SeriesInstanceUID));
			if (found == null) {
				missing.put(f, uid);
				continue;
			}
			if (series != null) filesBySeries.get(series).add(found);
		}
		if (!missing.isEmpty()) {
			List<String> names = new ArrayList<>();
			for (Path m : missing.keySet()) names.add(base.relativize(m).toString());
			warnings.add("DICOMDIR references " + missing.size() + " missing file" + (missing.size() == 1 ? "" : "s") + ": "
				+ String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? ", …" : ""));
		}
		List<Series> out = new ArrayList<>();
		Map<DicomObject, DicomObject> studyOf = new HashMap<>();
		for (DicomObject[] p : paths) if (p[2] != null) studyOf.putIfAbsent(p[2], p[1]);
		for (Map.Entry<DicomObject, List<Path>> e : filesBySeries.entrySet()) {
			DicomObject s = e.getKey();
			DicomObject study = studyOf.get(s);
			out.add(new Series(study == null ? null : study.getString(Tag.StudyInstanceUID),
				nonNull(s.getString(Tag.SeriesInstanceUID)), s.getString(Tag.Modality), e.getValue()));
		}
		return new Index(dicomdir, out, missing, warnings);
	}

	/** The DICOMDIR of a folder ("DICOMDIR", any case), or null. */
	public static Path find(Path folder) throws IOException {
		Path exact = folder.resolve("DICOMDIR");
		if (Files.isRegularFile(exact)) return exact;
		try (Stream<Path> s = Files.list(folder)) {
			return s.filter(p -> p.getFileName().toString().equalsIgnoreCase("DICOMDIR") && Files.isRegularFile(p))
				.findFirst().orElse(null);
		}
	}

	/** Follows the next-record chain from offset, recursing into lower levels; false when an offset is dangling. */
	private static boolean walk(Map<Integer, DicomObject> byOffset, int offset, DicomObject[] parents, List<DicomObject[]> out,
		Set<Integer> seen, int depth) {
		int at = offset;
		while (at != 0) {
			DicomObject r = byOffset.get(at);
			if (r == null || !seen.add(at) || depth > 8) return false;
			if (inUse(r)) {
				Integer level = LEVEL.get(type(r));
				int l = level == null ? 3 : level;
				DicomObject[] cur = parents.clone();
				cur[l] = r;
				for (int k = l + 1; k < 4; k++) cur[k] = null;
				out.add(cur);
				int lower = (int) (long) r.getDouble(Tag.OffsetOfReferencedLowerLevelDirectoryEntity, 0);
				if (lower != 0 && !walk(byOffset, lower, cur, out, seen, depth + 1)) return false;
			}
			at = (int) (long) r.getDouble(Tag.OffsetOfTheNextDirectoryRecord, 0);
		}
		return true;
	}

	private static boolean inUse(DicomObject r) {
		return r.getInt(0x00041410, 0xFFFF) != 0;
	}

	private static String type(DicomObject r) {
		String t = r.getString(Tag.DirectoryRecordType);
		return t == null ? "" : t.trim().toUpperCase(Locale.ROOT);
	}

	/** The file of a File ID: exact path, else each component matched case-insensitively; null when absent. */
	private static Path resolve(Path base, String[] ids, Map<String, Map<String, String>> listings) {
		Path exact = base;
		for (String id : ids) exact = exact.resolve(id);
		if (Files.isRegularFile(exact)) return exact;
		Path p = base;
		for (String id : ids) {
			Map<String, String> names = listings.computeIfAbsent(p.toString(), k -> listing(Path.of(k)));
			String real = names.get(id.toUpperCase(Locale.ROOT));
			if (real == null) return null;
			p = p.resolve(real);
		}
		return Files.isRegularFile(p) ? p : null;
	}

	private static Map<String, String> listing(Path dir) {
		Map<String, String> m = new HashMap<>();
		if (!Files.isDirectory(dir)) return m;
		try (Stream<Path> s = Files.list(dir)) {
			s.forEach(p -> m.putIfAbsent(p.getFileName().toString().toUpperCase(Locale.ROOT), p.getFileName().toString()));
		} catch (IOException e) {
			return m; // an unlistable folder: its files count as missing, which the caller reports
		}
		return m;
	}

	private static String nonNull(String s) {
		return s == null ? "" : s;
	}
}
