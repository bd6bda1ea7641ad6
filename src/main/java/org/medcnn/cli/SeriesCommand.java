package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.ScanResult;
import org.medcnn.dicom.SeriesScanner;

/** {@code series DIR [--json]}: lists the series found under a folder, slices in spatial order. */
final class SeriesCommand implements Main.Command {

	@Override
	public String name() {
		return "series";
	}

	@Override
	public String summary() {
		return "list the series found, sorted, with geometry and warnings";
	}

	@Override
	public String usage() {
		return """
			usage: medcnn series DIR... [--json]
			  Scans headers only (no pixel data) and groups files by SeriesInstanceUID; slices are sorted by
			  position along the slice normal. Warnings name gaps, duplicates and inconsistent geometry; files
			  that are not images of a series (DICOMDIR, localizers, SR, RTPLAN, RTSTRUCT, SEG, non-DICOM) are
			  listed on stderr as skipped, with the reason.
			  --json  a JSON array: seriesInstanceUID, modality, rows, columns, slices, files, spacing, origin,
			          direction, warnings""";
	}

	@Override
	public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
		Args args = new Args(name(), argv, Set.of(), Set.of("json"));
		if (args.positional().isEmpty()) throw new Args.UsageException("series: give a folder");
		List<Path> roots = args.positional().stream().map(Path::of).toList();
		CliProgress progress = new CliProgress(err);
		ScanResult scan = SeriesScanner.scanDetailed(roots, progress, new Cancellation());
		List<DicomSeries> series = scan.series();
		progress.done();
		if (args.flag("json")) {
			List<Object> json = new ArrayList<>();
			for (DicomSeries s : series) json.add(s.toJson());
			out.println(Json.writePretty(json));
		} else {
			for (DicomSeries s : series) {
				double[] sp = s.spacing();
				out.printf("%s  %s  %dx%d×%d  spacing %.3f×%.3f×%.3f mm  %s%n", s.seriesInstanceUID(), s.modality(),
					s.columns(), s.rows(), s.slices(), sp[0], sp[1], sp[2],
					s.seriesDescription() == null ? "" : s.seriesDescription());
				for (String w : s.warnings()) out.println("  warning: " + w);
			}
		}
		// Skipped files (DICOMDIR, localizers, SR/RTPLAN/RTSTRUCT/SEG, non-DICOM) are news for a person, not
		// part of the JSON array contract: stderr.
		for (ScanResult.Skipped k : scan.skipped()) err.println("skipped: " + k.file() + " (" + k.reason() + ")");
		if (series.isEmpty()) {
			err.println("medcnn series: no DICOM image series found under " + roots);
			return 1;
		}
		return 0;
	}
}
