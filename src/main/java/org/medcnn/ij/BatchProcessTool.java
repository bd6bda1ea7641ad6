package org.medcnn.ij;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Segmenter;
import org.medcnn.pipeline.CaseSegmentation;
import org.medcnn.volume.Lesions;

/**
 * The headless part of {@code Batch Process...}: runs a segmentation model over every case under an input
 * folder through the per-case pipeline {@code predict} runs ({@link CaseSegmentation}: {@code CASE.nii.gz}, the
 * mask on the image's grid; {@code CASE_lesions.csv} and {@code .json}, one row per lesion; {@code CASE_overlay.png},
 * the key slice of the largest lesion, and {@code CASE_sliceNN.png} for every lesion's; for DICOM cases with a lesion
 * {@code CASE_seg.dcm}, a DICOM Segmentation referencing the series, and on request {@code CASE_rtstruct.dcm}), plus
 * one {@value #SUMMARY_FILE} over all cases.
 * <p>
 * Cases: each entry of the input folder (sorted by name) — a DICOM series folder or file, or a NIfTI image
 * ({@code .nii}, {@code .nii.gz}). An entry holding several DICOM series gives one case per series, named
 * {@code ENTRY-1}, {@code ENTRY-2}, … in the scanner's order. Other files (no DICOM inside, not NIfTI) are
 * skipped unless they end in {@code .dcm}. A case that fails (unreadable files, no series, a model error) is
 * recorded with its error in the summary and the batch goes on. Lesions smaller than {@value #MIN_LESION_VOXELS}
 * voxels are dropped, as by the CLI's {@code predict}. Every output is written to a temporary file and renamed;
 * the input folder is only read, and an output folder inside it is refused. Stateless.
 */
public final class BatchProcessTool {

	/** Name of the summary table in the output folder. */
	public static final String SUMMARY_FILE = "summary.csv";
	/** Connected components smaller than this are not lesions. */
	public static final int MIN_LESION_VOXELS = Lesions.DEFAULT_MIN_VOXELS;
	/** Header of {@value #SUMMARY_FILE}. */
	public static final String SUMMARY_HEADER = "case,seriesInstanceUID,lesions,totalVolumeMl,largestDiameterMm,error";

	/**
	 * The outcome of one case.
	 *
	 * @param name case name (file names of its outputs start with it)
	 * @param seriesUid SeriesInstanceUID, "" for NIfTI or unknown
	 * @param lesions lesions found (0 on error)
	 * @param totalVolumeMl sum of the lesion volumes (NaN on error)
	 * @param largestDiameterMm the longest axial diameter over all lesions, 0 without lesions (NaN on error)
	 * @param error why the case failed, or null
	 * @param warnings what the reader assumed about the case's image (e.g. a missing pixel spacing)
	 */
	public record CaseResult(String name, String seriesUid, int lesions, double totalVolumeMl, double largestDiameterMm,
		String error, List<String> warnings) {

		public CaseResult {
			warnings = List.copyOf(warnings);
		}

		/** Without warnings. */
		public CaseResult(String name, String seriesUid, int lesions, double totalVolumeMl, double largestDiameterMm,
			String error) {
			this(name, seriesUid, lesions, totalVolumeMl, largestDiameterMm, error, List.of());
		}

		/** Whether the case was processed. */
		public boolean ok() {
			return error == null;
		}
	}

	private BatchProcessTool() {}

	/**
	 * Processes every case under {@code input} with {@link CaseSegmentation} (the pipeline {@code predict} runs).
	 *
	 * @param card the model's card
	 * @param options TTA, smallest lesion, and whether to write SEG/RTSTRUCT
	 * @param progress overall progress, may be null
	 * @param cancel checked between cases and within them, may be null
	 * @return one result per case, in order
	 * @throws IOException when the input cannot be listed or the output folder or summary cannot be written
	 * @throws IllegalArgumentException when the output folder is the input folder or inside it
	 * @throws CancellationException when cancelled (outputs of finished cases stay)
	 */
	public static List<CaseResult> run(Path input, Segmenter segmenter, ModelCard card, Path output,
		CaseSegmentation.Options options, ProgressListener progress, Cancellation cancel) throws IOException {
		ProgressListener p = progress == null ? ProgressListener.NONE : progress;
		Cancellation c = cancel == null ? new Cancellation() : cancel;
		Path in = input.toAbsolutePath().normalize(), out = output.toAbsolutePath().normalize();
		if (out.startsWith(in))
			throw new IllegalArgumentException("The output folder " + output + " is inside the input folder " + input
				+ "; choose a folder outside it (inputs are never modified)");
		List<CaseSegmentation.Input> jobs = CaseSegmentation.folderInputs(in, p, c);
		if (jobs.isEmpty()) throw new IOException(input + ": no cases found (expected DICOM series folders or NIfTI files)");
		Files.createDirectories(out);
		List<CaseResult> results = new ArrayList<>();
		for (int i = 0; i < jobs.size(); i++) {
			c.check();
			CaseSegmentation.Input j = jobs.get(i);
			p.progress((double) i / jobs.size(), "case " + (i + 1) + "/" + jobs.size() + ": " + j.name());
			CaseSegmentation.Result r = CaseSegmentation.run(j, segmenter, card, out, options, ProgressListener.NONE, c);
			results.add(new CaseResult(r.name(), r.seriesUid(), r.lesions().size(), r.totalVolumeMl(), r.largestDiameterMm(),
				r.error(), r.warnings()));
		}
		AtomicFiles.writeString(out.resolve(SUMMARY_FILE), summaryCsv(results));
		p.progress(1, jobs.size() + " cases done");
		return results;
	}

	/** Processes every case with the default options and a DICOM SEG for each DICOM case with a lesion. */
	public static List<CaseResult> run(Path input, Segmenter segmenter, ModelCard card, Path output,
		ProgressListener progress, Cancellation cancel) throws IOException {
		return run(input, segmenter, card, output, new CaseSegmentation.Options(false, MIN_LESION_VOXELS, true, false),
			progress, cancel);
	}

	/** The summary table, one row per case. */
	static String summaryCsv(List<CaseResult> results) {
		StringBuilder sb = new StringBuilder(SUMMARY_HEADER).append('\n');
		for (CaseResult r : results)
			sb.append(csv(r.name())).append(',').append(csv(r.seriesUid())).append(',').append(r.ok() ? r.lesions() : "")
				.append(',').append(num(r.totalVolumeMl())).append(',').append(num(r.largestDiameterMm())).append(',')
				.append(r.error() == null ? "" : csv(r.error())).append('\n');
		return sb.toString();
	}

	private static String num(double v) {
		return CaseSegmentation.num(v);
	}

	/** A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break. */
	static String csv(String s) {
		if (s == null) return "";
		if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
		return '"' + s.replace("\"", "\"\"") + '"';
	}

}
