package org.medcnn.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.ScanResult;
import org.medcnn.dicom.SeriesScanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code series DIR [--json]}: lists the series found under a folder, slices in spatial order. */
@Command(name = "series", header = "list the series found, sorted, with geometry and warnings", description = {
	"Scans headers only (no pixel data) and groups files by SeriesInstanceUID; slices are sorted by position along the "
		+ "slice normal. Warnings name gaps, duplicates and inconsistent geometry; files that are not images of a "
		+ "series (DICOMDIR, localizers, SR, RTPLAN, RTSTRUCT, SEG, non-DICOM) are listed on stderr as skipped, with "
		+ "the reason."})
final class SeriesCommand implements Main.Command {

	@Parameters(paramLabel = "DIR", arity = "1..*", description = "folders to scan (recursively)")
	List<Path> roots;

	@Mixin
	SharedOptions.Json json;

	@Override
	public Map<String, String> helpValues() {
		return Cli.values("json", "a JSON array: seriesInstanceUID, modality, rows, columns, slices, files, spacing, "
			+ "origin, direction, warnings");
	}

	@Override
	public int call(PrintStream out, PrintStream err) throws Exception {
		CliProgress progress = new CliProgress(err);
		ScanResult scan = SeriesScanner.scanDetailed(roots, progress, new Cancellation());
		List<DicomSeries> series = scan.series();
		progress.done();
		if (json.json) {
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
