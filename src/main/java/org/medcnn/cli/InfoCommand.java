package org.medcnn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.medcnn.common.FileTrees;
import org.medcnn.common.Json;
import org.medcnn.dicom.DicomInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code info PATH… [--json] [--pixels]}: describes DICOM files; folders are walked recursively, through symbolic links. */
@Command(name = "info", header = "describe DICOM files (folders recursively)", description = {
	"Describes each DICOM file (folders are searched recursively; files that are not DICOM are skipped there, but "
		+ "named files are always reported). Exit code 1 if any file could not be read."})
final class InfoCommand implements Main.Command {

	@Parameters(paramLabel = "PATH", arity = "1..*", description = "DICOM files and folders")
	List<Path> paths;

	@Mixin
	SharedOptions.Json json;

	@Option(names = "--pixels", description = "also decode pixels: per-frame min, max, mean and SHA-256 of the stored values")
	boolean pixels;

	@Override
	public Map<String, String> helpValues() {
		return Cli.values("json", "one JSON array, one object per file (fields as in DESIGN.md)");
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		List<Path> files = new ArrayList<>();
		List<FileTrees.NotFollowed> notFollowed = new ArrayList<>();
		for (Path p : paths) files.addAll(expand(p, notFollowed));
		for (FileTrees.NotFollowed n : notFollowed) err.println("medcnn info: warning: " + n);
		List<Object> results = new ArrayList<>();
		boolean failed = false;
		for (Path f : files) {
			Map<String, Object> d;
			try {
				d = DicomInfo.describe(f, pixels);
			} catch (OutOfMemoryError e) {
				// DicomInfo checks the heap before it reads; should a file still not fit, it is reported like any
				// unreadable file and the others are still described (what it allocated is garbage by now).
				d = new java.util.LinkedHashMap<>();
				d.put("file", f.toString());
				d.put("error", "ran out of Java heap memory reading it (maximum " + org.medcnn.common.HeapBudget.size(
					Runtime.getRuntime().maxMemory()) + "): run Java with a larger heap, e.g. java -Xmx" + Math.max(2,
						2 * (Runtime.getRuntime().maxMemory() >> 30)) + "g -jar medcnn.jar ...");
			}
			if (d.containsKey("error")) failed = true;
			results.add(d);
			if (!json.json) printHuman(d, out);
		}
		if (json.json) out.println(Json.writePretty(results));
		if (failed) err.println("medcnn info: some files could not be read (see \"error\")");
		return failed ? 1 : 0;
	}

	/** A named file as itself; a folder as its DICOM files, sorted by path; loops and dangling links are left out. */
	static List<Path> expand(Path p) throws IOException {
		return expand(p, new ArrayList<>());
	}

	/**
	 * A named file as itself; a folder as its DICOM files (through symbolic links), sorted by path.
	 *
	 * @param notFollowed receives the loops and dangling links that were not followed
	 */
	static List<Path> expand(Path p, List<FileTrees.NotFollowed> notFollowed) throws IOException {
		if (!Files.exists(p)) throw new java.nio.file.NoSuchFileException(p.toString(), null, "no such file or folder");
		if (!Files.isDirectory(p)) return List.of(p);
		return FileTrees.regularFiles(p, notFollowed).stream().filter(InfoCommand::looksLikeDicom).toList();
	}

	private static boolean looksLikeDicom(Path f) {
		try {
			return DicomInfo.looksLikeDicom(f);
		} catch (IOException e) {
			return true; // let describe() report why it cannot be read
		}
	}

	private static void printHuman(Map<String, Object> d, PrintStream out) {
		if (d.containsKey("error")) {
			out.println(d.get("file") + ": ERROR " + d.get("error"));
			return;
		}
		out.printf("%s: %s %s %dx%d×%d frames, %s, %d/%d bits%s, slope %s intercept %s, spacing %s, TS %s%n",
			d.get("file"), d.get("modality"), d.get("sopClassUID"), d.get("columns"), d.get("rows"), d.get("frames"),
			d.get("photometricInterpretation"), d.get("bitsStored"), d.get("bitsAllocated"),
			Long.valueOf(1).equals(d.get("pixelRepresentation")) || Integer.valueOf(1).equals(d.get("pixelRepresentation"))
				? " signed" : "",
			d.get("rescaleSlope"), d.get("rescaleIntercept"), Json.write(d.get("pixelSpacing")), d.get("transferSyntaxUID"));
		if (d.get("pixels") instanceof Map<?, ?> px) out.println("  pixels: " + Json.write(px));
	}
}
