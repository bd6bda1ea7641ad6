package org.medcnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The completion marker: a case counts as finished only with the run's key, the input's stamp and every output
 * present at its recorded size; a rerun of the pipeline into the folder removes a stale marker with the outputs.
 */
class CaseMarkerTest {

	@TempDir
	Path out;

	private CaseSegmentation.Result result(Path... files) {
		return new CaseSegmentation.Result("c", "in", "", List.of(), List.of(), Map.of("mask", files[0], "lesionsJson", files[1]),
			List.of(files).subList(2, files.length), List.of(), List.of(), null);
	}

	@Test
	void finishedOnlyForTheSameKeyAndInputWithEveryOutputInPlace() throws IOException {
		Path mask = Files.writeString(out.resolve("c.nii.gz"), "mask");
		Path json = Files.writeString(out.resolve("c_lesions.json"), "[]\n");
		Path png = Files.writeString(out.resolve("c_slice02.png"), "png");
		Map<String, Object> m = CaseMarker.write(out, result(mask, json, png), "key1", "stamp1");
		assertEquals(Map.of("c.nii.gz", 4L, "c_lesions.json", 3L, "c_slice02.png", 3L), m.get("files"));
		assertNotNull(CaseMarker.finished(out, "c", "key1", "stamp1"));
		assertNull(CaseMarker.finished(out, "c", "key2", "stamp1"), "another model or other settings");
		assertNull(CaseMarker.finished(out, "c", "key1", "stamp2"), "the input changed");
		assertNull(CaseMarker.finished(out, "d", "key1", "stamp1"), "another case");

		Files.writeString(json, "[ ]\n");
		assertNull(CaseMarker.finished(out, "c", "key1", "stamp1"), "an output of another size");
		Files.writeString(json, "[]\n");
		assertNotNull(CaseMarker.finished(out, "c", "key1", "stamp1"));
		Files.delete(png);
		assertNull(CaseMarker.finished(out, "c", "key1", "stamp1"), "an output missing");
		Files.writeString(png, "png");

		Path marker = CaseMarker.path(out, "c");
		String good = Files.readString(marker);
		Files.writeString(marker, good.substring(0, good.length() / 2));
		assertNull(CaseMarker.finished(out, "c", "key1", "stamp1"), "a marker cut short");
		Files.writeString(marker, good.replace("\"c_slice02.png\"", "\"../c_slice02.png\""));
		assertNull(CaseMarker.finished(out, "c", "key1", "stamp1"), "a file outside the output folder");
		Files.writeString(marker, good);
		assertNotNull(CaseMarker.finished(out, "c", "key1", "stamp1"));

		CaseSegmentation.Result failed = new CaseSegmentation.Result("c", "in", "", List.of(), List.of(), Map.of(), List.of(),
			List.of(), List.of(), "broken");
		assertThrows(IllegalArgumentException.class, () -> CaseMarker.write(out, failed, "key1", "stamp1"));
	}

	@Test
	void replacingACaseRemovesItsMarker() throws IOException {
		Path mask = Files.writeString(out.resolve("c.nii.gz"), "mask");
		Path json = Files.writeString(out.resolve("c_lesions.json"), "[]\n");
		CaseMarker.write(out, result(mask, json), "key1", "stamp1");
		Path tmp = Files.createDirectory(out.resolve(".c.partial"));
		Files.writeString(tmp.resolve("c.nii.gz"), "new mask");
		CaseSegmentation.replace(out, "c", tmp);
		assertFalse(Files.exists(CaseMarker.path(out, "c")), "predict into the same folder leaves no stale marker");
		assertEquals("new mask", Files.readString(mask));
	}

	@Test
	void replacingACaseLeavesCasesWithALongerNameAndTheUsersFiles() throws IOException {
		// case "a" beside case "a_b" (names from folder names, e.g. patient_1 and patient_1_followup)
		List<String> others = List.of("a_b.nii.gz", "a_b_lesions.json", "a_b_lesions.csv", "a_b_overlay.png", "a_b_slice03.png",
			"a_b_seg.dcm", "a_b" + CaseMarker.SUFFIX, "a_notes.txt", "a_slice03.png.bak", "a.nii.gz.orig");
		for (String n : others) Files.writeString(out.resolve(n), "keep");
		List<String> own = List.of("a.nii.gz", "a_lesions.json", "a_lesions.csv", "a_overlay.png", "a_slice03.png", "a_slice12.png",
			"a_seg.dcm", "a_rtstruct.dcm", "a_error.log", "a" + CaseMarker.SUFFIX);
		for (String n : own) Files.writeString(out.resolve(n), "old");
		Path tmp = Files.createDirectory(out.resolve(".a.partial"));
		Files.writeString(tmp.resolve("a.nii.gz"), "new");
		CaseSegmentation.replace(out, "a", tmp);
		for (String n : others) assertEquals("keep", Files.readString(out.resolve(n)), n);
		assertEquals("new", Files.readString(out.resolve("a.nii.gz")));
		for (String n : own) if (!n.equals("a.nii.gz")) assertFalse(Files.exists(out.resolve(n)), n + " of the earlier run");
	}

	@Test
	void inputStampFollowsTheFiles() throws IOException {
		Path dir = Files.createDirectories(out.resolve("series"));
		Files.writeString(dir.resolve("IM1.dcm"), "one");
		Files.writeString(dir.resolve("IM2.dcm"), "two");
		CaseSegmentation.Input in = new CaseSegmentation.Input("series", dir, null, null);
		String stamp = CaseMarker.inputStamp(in);
		assertTrue(stamp.startsWith("2 files, 6 bytes"), stamp);
		assertEquals(stamp, CaseMarker.inputStamp(in), "the same files, the same stamp");
		Files.writeString(dir.resolve("IM2.dcm"), "TWO");
		Files.setLastModifiedTime(dir.resolve("IM2.dcm"), FileTime.fromMillis(1_000_000_000_000L));
		assertNotEquals(stamp, CaseMarker.inputStamp(in), "a file replaced");
		Files.writeString(dir.resolve("IM3.dcm"), "three");
		assertTrue(CaseMarker.inputStamp(in).startsWith("3 files, 11 bytes"), "a slice added");
	}
}
