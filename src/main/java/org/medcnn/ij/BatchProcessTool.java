package org.medcnn.ij;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;

import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.data.Datasets;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.SeriesReader;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.seg.SegOptions;
import org.medcnn.dicom.seg.SegWriter;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.OverlayImages;
import org.medcnn.volume.Volume;

/**
 * The headless part of {@code Batch Process...}: runs a segmentation model over every case under an input
 * folder and writes, per case, {@code CASE.nii.gz} (the mask on the image's grid), {@code CASE_lesions.csv} (one
 * row per lesion), {@code CASE_overlay.png} (the key slice of the largest lesion, at least 384 pixels wide) and, for
 * DICOM cases, {@code CASE_seg.dcm} (a DICOM Segmentation referencing the series) — the last two only when lesions
 * were found — plus
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
	 */
	public record CaseResult(String name, String seriesUid, int lesions, double totalVolumeMl, double largestDiameterMm,
		String error) {

		/** Whether the case was processed. */
		public boolean ok() {
			return error == null;
		}
	}

	private BatchProcessTool() {}

	/** One unit of work: a name, the UID, and either a series or an entry to load. */
	private record Job(String name, String uid, DicomSeries series, Path entry, String error) {}

	/**
	 * Processes every case under {@code input}.
	 *
	 * @param card the model's card (its HU window is used for the overlays)
	 * @param progress overall progress, may be null
	 * @param cancel checked between cases and within them, may be null
	 * @return one result per case, in order
	 * @throws IOException when the input cannot be listed or the output folder or summary cannot be written
	 * @throws IllegalArgumentException when the output folder is the input folder or inside it
	 * @throws CancellationException when cancelled (outputs of finished cases stay)
	 */
	public static List<CaseResult> run(Path input, Segmenter segmenter, ModelCard card, Path output,
		ProgressListener progress, Cancellation cancel) throws IOException {
		ProgressListener p = progress == null ? ProgressListener.NONE : progress;
		Cancellation c = cancel == null ? new Cancellation() : cancel;
		Path in = input.toAbsolutePath().normalize(), out = output.toAbsolutePath().normalize();
		if (out.startsWith(in))
			throw new IllegalArgumentException("The output folder " + output + " is inside the input folder " + input
				+ "; choose a folder outside it (inputs are never modified)");
		List<Job> jobs = jobs(in, p, c);
		if (jobs.isEmpty()) throw new IOException(input + ": no cases found (expected DICOM series folders or NIfTI files)");
		Files.createDirectories(out);
		List<CaseResult> results = new ArrayList<>();
		for (int i = 0; i < jobs.size(); i++) {
			c.check();
			Job j = jobs.get(i);
			p.progress((double) i / jobs.size(), "case " + (i + 1) + "/" + jobs.size() + ": " + j.name());
			results.add(process(j, segmenter, card, out, c));
		}
		AtomicFiles.writeString(out.resolve(SUMMARY_FILE), summaryCsv(results));
		p.progress(1, jobs.size() + " cases done");
		return results;
	}

	/** The cases under the input folder. */
	private static List<Job> jobs(Path in, ProgressListener p, Cancellation c) throws IOException {
		List<Job> jobs = new ArrayList<>();
		for (Path e : Datasets.entries(in)) {
			c.check();
			String name = Datasets.caseName(e);
			String lower = e.getFileName().toString().toLowerCase(Locale.ROOT);
			if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) {
				jobs.add(new Job(name, "", null, e, null));
				continue;
			}
			p.progress(-1, "scanning " + e.getFileName());
			List<DicomSeries> series;
			try {
				series = SeriesScanner.scan(List.of(e), ProgressListener.NONE, c);
			} catch (IOException ex) {
				jobs.add(new Job(name, "", null, e, ex.getMessage()));
				continue;
			}
			if (series.isEmpty()) {
				if (Files.isDirectory(e) || lower.endsWith(".dcm"))
					jobs.add(new Job(name, "", null, e, e + ": no readable DICOM image series found"));
				continue;
			}
			for (int k = 0; k < series.size(); k++) {
				DicomSeries s = series.get(k);
				jobs.add(new Job(series.size() == 1 ? name : name + "-" + (k + 1), s.seriesInstanceUID(), s, e, null));
			}
		}
		return jobs;
	}

	private static CaseResult process(Job j, Segmenter segmenter, ModelCard card, Path out, Cancellation c) {
		if (j.error() != null) return new CaseResult(j.name(), j.uid(), 0, Double.NaN, Double.NaN, j.error());
		try {
			Volume v = j.series() != null ? SeriesReader.read(j.series(), ProgressListener.NONE, c)
				: Datasets.loadImage(j.entry(), ProgressListener.NONE, c);
			Segmentation s = segmenter.segment(v, ProgressListener.NONE, c);
			Mask mask = Lesions.removeSmall(s.mask(), MIN_LESION_VOXELS);
			List<Lesion> lesions = Lesions.measure(mask, v, s.probability(), MIN_LESION_VOXELS);
			Nifti.writeMask(mask, out.resolve(j.name() + ".nii.gz"));
			// A DICOM SEG for the PACS, for DICOM cases with a lesion (a SEG needs a segment and a source series).
			if (j.series() != null && !lesions.isEmpty())
				SegWriter.write(mask, j.series(), out.resolve(j.name() + "_seg.dcm"),
					SegOptions.forModel(card.name(), Models.MEDCNN_VERSION));
			AtomicFiles.writeString(out.resolve(j.name() + "_lesions.csv"), lesionsCsv(lesions));
			double total = 0, diameter = 0;
			for (Lesion l : lesions) {
				total += l.volumeMl();
				diameter = Math.max(diameter, l.longestAxialDiameterMm());
			}
			if (!lesions.isEmpty()) {
				Lesion l = lesions.get(0);
				int scale = Math.max(1, Math.min(8, (int) Math.ceil(384.0 / v.geometry().nx())));
				OverlayImages.writePng(OverlayImages.render(v, l.keySlice(), mask, null, card.windowCenterHu(),
					card.windowWidthHu(), scale, String.format(Locale.ROOT, "%s  slice %d  lesion 1 of %d: %.1f mL, %.0f mm", j.name(),
						l.keySlice() + 1, lesions.size(), l.volumeMl(), l.longestAxialDiameterMm()), "research use only"),
					out.resolve(j.name() + "_overlay.png"));
			}
			return new CaseResult(j.name(), j.uid(), lesions.size(), total, diameter, null);
		} catch (CancellationException e) {
			throw e;
		} catch (IOException | IllegalArgumentException | IllegalStateException e) {
			return new CaseResult(j.name(), j.uid(), 0, Double.NaN, Double.NaN, e.getMessage());
		} catch (RuntimeException e) {
			return new CaseResult(j.name(), j.uid(), 0, Double.NaN, Double.NaN, "unexpected error: " + e);
		}
	}

	/** The per-case lesion table: one row per lesion, slices 1-based, centroid in LPS mm. */
	static String lesionsCsv(List<Lesion> lesions) {
		StringBuilder sb = new StringBuilder("lesion,voxels,volumeMl,meanHu,maxHu,longestAxialDiameterMm,firstSlice,lastSlice,"
			+ "keySlice,centroidXMm,centroidYMm,centroidZMm,meanProbability\n");
		for (Lesion l : lesions) {
			double[] cm = l.centroidMm();
			sb.append(l.id()).append(',').append(l.voxelCount()).append(',').append(num(l.volumeMl())).append(',')
				.append(num(l.meanHu())).append(',').append(num(l.maxHu())).append(',').append(num(l.longestAxialDiameterMm()))
				.append(',').append(l.firstSlice() + 1).append(',').append(l.lastSlice() + 1).append(',').append(l.keySlice() + 1)
				.append(',').append(num(cm[0])).append(',').append(num(cm[1])).append(',').append(num(cm[2])).append(',')
				.append(num(l.meanProbability())).append('\n');
		}
		return sb.toString();
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

	/** A number with up to 4 decimals, "" for NaN. */
	private static String num(double v) {
		if (Double.isNaN(v)) return "";
		return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
	}

	/** A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break. */
	static String csv(String s) {
		if (s == null) return "";
		if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
		return '"' + s.replace("\"", "\"\"") + '"';
	}

}
