package org.medcnn.pipeline;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Cancellation;
import org.medcnn.common.FileTrees;
import org.medcnn.common.HeapBudget;
import org.medcnn.common.IoMessages;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.common.Versions;
import org.medcnn.data.Datasets;
import org.medcnn.data.ImageFiles;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.rt.RtStructOptions;
import org.medcnn.dicom.rt.RtStructWriter;
import org.medcnn.dicom.seg.SegCompression;
import org.medcnn.dicom.seg.SegOptions;
import org.medcnn.dicom.seg.SegWriter;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Intensities;
import org.medcnn.volume.Lesion;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.OverlayImages;
import org.medcnn.volume.Volume;

/**
 * The per-case inference pipeline that {@code predict}, {@code Batch Process...}, {@code Segment Tumors...} and the
 * demo share: load → segment (the model's own preprocessing, optional flip TTA) → drop components under the minimum
 * lesion size → measure the lesions → write the outputs. One home, so that no front end can drift from another.
 * <p>
 * A case's outputs in the output folder: {@code NAME.nii.gz} (the mask on the image's own grid),
 * {@code NAME_lesions.json} and {@code NAME_lesions.csv} (one entry per lesion), {@code NAME_sliceNN.png} (each
 * lesion's key slice with the mask; one picture per slice) and {@code NAME_overlay.png} (the largest lesion's), and on
 * request {@code NAME_seg.dcm} (DICOM SEG) and {@code NAME_rtstruct.dcm} (RT Structure Set) for DICOM inputs with a
 * lesion. They are written into a temporary folder first; then the case's earlier outputs (files named {@code NAME.…}
 * or {@code NAME_…}) are removed and the new ones moved in, so a rerun never leaves a stale picture beside a new mask.
 * Inputs are only read. Stateless.
 */
public final class CaseSegmentation {

	private CaseSegmentation() {}

	/**
	 * What every front end may choose.
	 *
	 * @param flipTta flip test-time augmentation (see {@link Segmenter#segment(Volume, boolean, ProgressListener, Cancellation)})
	 * @param minLesionVoxels connected components smaller than this are dropped (1 keeps all)
	 * @param seg also write a DICOM SEG for DICOM inputs with a lesion
	 * @param rtstruct also write an RT Structure Set for DICOM inputs with a lesion
	 * @param lesionClassifier a classifier of lesion-centred crops (its card's {@code input.cropMm} &gt; 0) that grades
	 *        every lesion on its key slice (its risk goes into the lesion table), or null; the caller owns it
	 * @param segCompression how the DICOM SEG's pixel data are encoded (native, or Deflated Image Frame Compression)
	 * @param assumeGeometry measure an image whose reader had to assume its geometry (no pixel spacing, no position or
	 *        orientation, no slice spacing: {@link AssumedGeometry}); without it such a case is refused, as its volumes,
	 *        diameters and positions would be in unknown units
	 */
	public record Options(boolean flipTta, int minLesionVoxels, boolean seg, boolean rtstruct, Classifier lesionClassifier,
		SegCompression segCompression, boolean assumeGeometry) {

		/** No TTA, {@link Lesions#DEFAULT_MIN_VOXELS}, no DICOM objects, no lesion classifier. */
		public static final Options DEFAULT = new Options(false, Lesions.DEFAULT_MIN_VOXELS, false, false);

		public Options {
			if (minLesionVoxels < 1) throw new IllegalArgumentException("minLesionVoxels = " + minLesionVoxels + ": must be >= 1");
			if (lesionClassifier != null && !(lesionClassifier.card().cropMm() > 0))
				throw new IllegalArgumentException("the classifier " + lesionClassifier.card().name() + " does not classify"
					+ " lesion crops (its card has no input.cropMm): give a classifier trained on lesion-centred crops"
					+ " (train-classifier --crop-mm)");
			if (segCompression == null) throw new IllegalArgumentException("segCompression must not be null");
		}

		/** Refusing images of assumed geometry. */
		public Options(boolean flipTta, int minLesionVoxels, boolean seg, boolean rtstruct, Classifier lesionClassifier,
			SegCompression segCompression) {
			this(flipTta, minLesionVoxels, seg, rtstruct, lesionClassifier, segCompression, false);
		}

		/** The same, measuring images of assumed geometry or not. */
		public Options withAssumeGeometry(boolean assume) {
			return new Options(flipTta, minLesionVoxels, seg, rtstruct, lesionClassifier, segCompression, assume);
		}

		/** An uncompressed SEG. */
		public Options(boolean flipTta, int minLesionVoxels, boolean seg, boolean rtstruct, Classifier lesionClassifier) {
			this(flipTta, minLesionVoxels, seg, rtstruct, lesionClassifier, SegCompression.NONE);
		}

		/** Without a lesion classifier; an uncompressed SEG. */
		public Options(boolean flipTta, int minLesionVoxels, boolean seg, boolean rtstruct) {
			this(flipTta, minLesionVoxels, seg, rtstruct, null);
		}
	}

	/**
	 * A segmented image.
	 *
	 * @param image the image
	 * @param mask the mask after dropping small components
	 * @param probability foreground probability per voxel
	 * @param components per voxel 0 or the lesion number
	 * @param lesions the lesions, number 1 (the largest) first
	 * @param risks each lesion's class from {@link Options#lesionClassifier()}, in the same order; empty without one
	 */
	public record Segmented(Volume image, Mask mask, float[] probability, int[] components, List<Lesion> lesions,
		List<Classification> risks) {}

	/**
	 * Heap bytes per voxel of the image's grid that segmenting and measuring needs beyond the image itself, at its peak
	 * (labelling the lesions): the mask (1: the small lesions are dropped in it, not in a copy) and the lesion labels (4:
	 * int). The labelling's work queue holds one lesion at a time, not the volume.
	 */
	static final int IMAGE_BYTES_PER_VOXEL = 5;
	/** Bytes per image voxel of the probabilities brought back from a coarser network grid (float). */
	static final int RESTORED_BYTES_PER_VOXEL = 4;
	/**
	 * Bytes per voxel of the network's grid, 2D models: the normalised (and resampled) values and their probabilities
	 * (floats); with the network's grid equal to the image's, the probabilities are the image's too.
	 */
	static final int NETWORK_BYTES_PER_VOXEL = 8;
	/**
	 * The same for 3D models: the values, their crop to the body's box and its padded grid, the tiles' weighted sums and
	 * weights, the probabilities in the box and on the whole grid.
	 */
	static final int NETWORK_BYTES_PER_VOXEL_3D = 28;

	/**
	 * Heap bytes that segmenting and measuring an image on {@code g} with a model of card {@code card} needs beyond
	 * the image, at the peak of {@link #segment} (without test-time augmentation, which adds three image-sized float
	 * arrays): {@link #IMAGE_BYTES_PER_VOXEL} per image voxel, {@link #RESTORED_BYTES_PER_VOXEL} more when the model
	 * resamples, and {@link #NETWORK_BYTES_PER_VOXEL} (3D: {@link #NETWORK_BYTES_PER_VOXEL_3D}) per voxel of the model's
	 * grid. Before (36 bytes per image voxel, of which 12 on the model's grid) it asked for about twice what predict
	 * needs: 22.6 GB for a 4096² × 56 CT and a model resampling to 2.5 mm (now 8.5 GB; see CaseSegmentationTest).
	 *
	 * @throws IllegalArgumentException naming the model and its {@code input.targetSpacingMm} when that grid cannot exist
	 */
	public static long bytesNeeded(ModelCard card, org.medcnn.volume.Geometry g) {
		org.medcnn.volume.Geometry net;
		try {
			net = card.preprocessing().grid(g);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("the model " + card.name() + " (field 'input.targetSpacingMm', "
				+ java.util.Arrays.toString(card.preprocessing().targetSpacingMm()) + " mm) would resample the " + g.nx() + "×"
				+ g.ny() + "×" + g.nz() + " image onto a grid that cannot be held: " + e.getMessage(), e);
		}
		boolean resamples = net.nx() != g.nx() || net.ny() != g.ny() || net.nz() != g.nz();
		int image = IMAGE_BYTES_PER_VOXEL + (resamples ? RESTORED_BYTES_PER_VOXEL : 0);
		int network = card.dims() == 3 ? NETWORK_BYTES_PER_VOXEL_3D : NETWORK_BYTES_PER_VOXEL;
		return (long) g.voxelCount() * image + (long) net.voxelCount() * network;
	}

	/** The heap a segmentation with {@code card} will need, announced to the readers ({@link HeapBudget#withPlan}). */
	static HeapBudget.Plan plan(ModelCard card) {
		return new HeapBudget.Plan() {
			@Override
			public long bytes(int nx, int ny, int nz, double[] spacingMm) {
				org.medcnn.volume.Geometry g;
				try {
					g = new org.medcnn.volume.Geometry(nx, ny, nz, spacingMm != null && spacingMm.length == 3 ? spacingMm
						: new double[] {1, 1, 1}, new double[3], org.medcnn.volume.Geometry.AXIAL);
				} catch (IllegalArgumentException e) {
					return 0; // a size or spacing the reader refuses with its own reason
				}
				return bytesNeeded(card, g);
			}

			@Override
			public String what() {
				return "segmenting it with the model " + card.name();
			}
		};
	}

	/**
	 * Segments a loaded image and measures its lesions (no files).
	 *
	 * @throws IllegalStateException when the heap cannot hold the work, saying how much it needs and how to get it
	 */
	public static Segmented segment(Segmenter segmenter, Volume v, Options o, ProgressListener p, Cancellation c) {
		long need;
		try {
			need = bytesNeeded(segmenter.card(), v.geometry());
		} catch (IllegalArgumentException e) {
			throw new IllegalStateException(e.getMessage(), e);
		}
		String shortfall = HeapBudget.shortfall(need, "segmenting the "
			+ v.geometry().nx() + "×" + v.geometry().ny() + "×" + v.geometry().nz() + " volume");
		if (shortfall != null) throw new IllegalStateException(shortfall);
		Segmentation s = segmenter.segment(v, o.flipTta(), p, c);
		// one labelling of the full-resolution mask serves the small-component removal, the measures and the components
		// (three passes took minutes on 4096² slices)
		int[] components = Lesions.label(s.mask(), o.minLesionVoxels());
		// the segmenter's mask is this call's own: the small lesions are dropped in it rather than in a copy
		Mask mask = s.mask();
		if (o.minLesionVoxels() > 1) Lesions.keepInPlace(mask, components);
		List<Lesion> lesions = Lesions.measureLabels(components, mask.geometry(), v, s.probability());
		List<Classification> risks = new ArrayList<>();
		if (o.lesionClassifier() != null) {
			Classifier k = o.lesionClassifier();
			for (Lesion l : lesions) risks.add(k.classify(LesionCrops.crop(v, l, k.card().cropMm(), k.card().inputSize())));
		}
		return new Segmented(v, mask, s.probability(), components, lesions, risks);
	}

	/**
	 * One case to process: a name for its outputs, the file or folder it comes from, and the DICOM series when it was
	 * scanned already (else the entry is loaded with {@link Datasets#load}); or why it cannot be processed.
	 */
	public record Input(String name, Path entry, DicomSeries series, String error) {}

	/**
	 * The inputs for paths given on a command line: one per path, named after it ({@link Datasets#caseName});
	 * a name met again gets {@code -2}, {@code -3}, … so that no case's outputs overwrite another's.
	 */
	public static List<Input> inputs(List<Path> paths) {
		List<Input> out = new ArrayList<>();
		for (Path p : paths) out.add(new Input(Datasets.caseName(p), p, null, null));
		return withUniqueNames(out);
	}

	/**
	 * The cases of a folder, sorted by entry name: each DICOM series folder or file, NIfTI image or TIFF stack; an entry with several
	 * series gives one case per series ({@code ENTRY-1}, {@code ENTRY-2}, …). Entries without images are skipped unless
	 * they look like DICOM ({@code .dcm}, folders), which are listed with their error. Names are made unique.
	 */
	public static List<Input> folderInputs(Path folder, ProgressListener p, Cancellation c) throws IOException {
		List<Input> jobs = new ArrayList<>();
		for (Path e : Datasets.entries(folder)) jobs.addAll(entryInputs(e, p, c));
		return withUniqueNames(jobs);
	}

	/**
	 * The cases of one folder entry as {@link #folderInputs} finds them, named after the entry but not yet made unique
	 * among the folder's other cases (see {@link #withUniqueNames}): a NIfTI image or TIFF stack as it is, a DICOM
	 * entry scanned into its series (a loop or an unreadable entry gives one case with its error), nothing for an
	 * entry without images that does not look like DICOM.
	 *
	 * @param c checked first, and by the scanner
	 */
	public static List<Input> entryInputs(Path e, ProgressListener p, Cancellation c) {
		c.check();
		String name = Datasets.caseName(e);
		String lower = e.getFileName().toString().toLowerCase(Locale.ROOT);
		if (lower.endsWith(".nii") || lower.endsWith(".nii.gz") || ImageFiles.isTiff(e)) return List.of(new Input(name, e, null, null));
		p.progress(-1, "scanning " + e.getFileName());
		List<DicomSeries> series;
		try {
			// A loop fails its own case; the batch goes on with the others.
			String loop = FileTrees.loopEntry(e);
			if (loop != null) throw new IOException(loop + ", so it is not one case");
			series = SeriesScanner.scan(List.of(e), ProgressListener.NONE, c);
		} catch (IOException ex) {
			return List.of(new Input(name, e, null, ex.getMessage()));
		}
		if (series.isEmpty()) {
			if (Files.isDirectory(e) || lower.endsWith(".dcm"))
				return List.of(new Input(name, e, null, e + ": no readable DICOM image series found"));
			return List.of();
		}
		List<Input> out = new ArrayList<>();
		for (int k = 0; k < series.size(); k++)
			out.add(new Input(series.size() == 1 ? name : name + "-" + (k + 1), e, series.get(k), null));
		return out;
	}

	/**
	 * The same inputs, in the same order, where a name met again gets {@code -2}, {@code -3}, … (skipping names that
	 * are taken), so that no case's outputs overwrite another's. {@code predict}, {@code Batch Process...} and the
	 * Spark job name their cases with it.
	 */
	public static List<Input> withUniqueNames(List<Input> inputs) {
		List<Input> out = new ArrayList<>(inputs.size());
		Map<String, Integer> seen = new HashMap<>();
		for (Input in : inputs) {
			String name = unique(in.name(), seen);
			out.add(name.equals(in.name()) ? in : new Input(name, in.entry(), in.series(), in.error()));
		}
		return out;
	}

	private static String unique(String name, Map<String, Integer> seen) {
		int n = seen.merge(name, 1, Integer::sum);
		if (n == 1) return name;
		String candidate = name + "-" + n;
		while (seen.containsKey(candidate)) candidate = name + "-" + (++n);
		seen.put(candidate, 1);
		return candidate;
	}

	/**
	 * What came of one case.
	 *
	 * @param name the case name (outputs start with it)
	 * @param input the input's path as given
	 * @param seriesUid its SeriesInstanceUID ("" for NIfTI)
	 * @param lesions the lesions found (empty on error)
	 * @param risks each lesion's class when a lesion classifier was given, else empty
	 * @param files the files written, by kind ({@code mask}, {@code lesionsJson}, {@code lesionsCsv}, {@code overlay},
	 *        {@code seg}, {@code rtstruct}) and the key-slice pictures in {@code slices}
	 * @param slices the key-slice pictures
	 * @param notes why an asked-for output was not written (e.g. no SEG for a NIfTI input)
	 * @param warnings what the reader assumed (e.g. a missing pixel spacing)
	 * @param error why the case failed, or null
	 */
	public record Result(String name, String input, String seriesUid, List<Lesion> lesions, List<Classification> risks,
		Map<String, Path> files, List<Path> slices, List<String> notes, List<String> warnings, String error) {

		public boolean ok() {
			return error == null;
		}

		/** The sum of the lesion volumes, mL (NaN on error). */
		public double totalVolumeMl() {
			return ok() ? lesions.stream().mapToDouble(Lesion::volumeMl).sum() : Double.NaN;
		}

		/** The longest axial diameter over the lesions, mm; 0 without lesions (NaN on error). */
		public double largestDiameterMm() {
			return ok() ? lesions.stream().mapToDouble(Lesion::longestAxialDiameterMm).max().orElse(0) : Double.NaN;
		}

		/** The JSON record {@code predict} prints for the case. */
		public Map<String, Object> toJson() {
			Map<String, Object> r = new LinkedHashMap<>();
			r.put("input", input);
			r.put("case", name);
			if (!ok()) {
				r.put("error", error);
				if (!warnings.isEmpty()) r.put("warnings", warnings);
				return r;
			}
			if (files.get("mask") != null) r.put("mask", files.get("mask").toString());
			r.put("lesions", lesionsJson(lesions, risks));
			r.put("overlays", slices.stream().map(Path::toString).toList());
			if (files.get("seg") != null) r.put("seg", files.get("seg").toString());
			if (files.get("rtstruct") != null) r.put("rtstruct", files.get("rtstruct").toString());
			for (String n : notes) r.put(n.startsWith("no DICOM SEG") ? "segNote" : "rtstructNote", n);
			r.put("warnings", warnings);
			return r;
		}
	}

	/**
	 * Processes one case into {@code outDir} (created if needed). A case that cannot be read or segmented gives a
	 * result with its error; cancellation is passed on.
	 *
	 * @param card the model's card (its name goes into SEG/RTSTRUCT; its display window, if any, into the pictures)
	 * @throws CancellationException when cancelled
	 */
	public static Result run(Input in, Segmenter segmenter, ModelCard card, Path outDir, Options o, ProgressListener p,
		Cancellation c) {
		String uid = in.series() != null ? in.series().seriesInstanceUID() : "";
		if (in.error() != null) return failed(in, uid, List.of(), in.error());
		List<String> warnings = List.of();
		try {
			// the readers' heap checks count the segmentation too: one check, one piece of advice, before reading
			Datasets.Loaded loaded = HeapBudget.withPlan(plan(segmenter.card()), () -> in.series() != null
				? Datasets.load(in.series(), ProgressListener.NONE, c) : Datasets.load(in.entry(), ProgressListener.NONE, c));
			warnings = loaded.warnings();
			if (loaded.series() != null) uid = loaded.series().seriesInstanceUID();
			List<String> assumed = AssumedGeometry.of(warnings);
			if (!assumed.isEmpty() && !o.assumeGeometry()) return failed(in, uid, warnings, AssumedGeometry.measuringRefusal(in.entry(), assumed));
			Segmented s = segment(segmenter, loaded.image(), o, p, c);
			Files.createDirectories(outDir);
			Path tmp = Files.createTempDirectory(outDir, "." + in.name() + ".partial-");
			try {
				Map<String, Path> files = new LinkedHashMap<>();
				List<Path> slices = new ArrayList<>();
				List<String> notes = new ArrayList<>();
				write(in.name(), s, loaded.series(), card, tmp, o, files, slices, notes, warnings, c);
				replace(outDir, in.name(), tmp);
				Map<String, Path> placed = new LinkedHashMap<>();
				files.forEach((k, f) -> placed.put(k, outDir.resolve(f.getFileName())));
				return new Result(in.name(), in.entry().toString(), uid, s.lesions(), s.risks(), placed,
					slices.stream().map(f -> outDir.resolve(f.getFileName())).toList(), notes, warnings, null);
			} finally {
				AtomicFiles.deleteTree(tmp);
			}
		} catch (CancellationException e) {
			throw e;
		} catch (IOException | IllegalArgumentException | IllegalStateException e) {
			return failed(in, uid, warnings, IoMessages.describe(e));
		} catch (RuntimeException | OutOfMemoryError e) {
			// a defect or an exhausted heap in one case must not end the batch: say so and keep the trace for a report
			return failed(in, uid, warnings, unexpected(in.name(), outDir, e));
		}
	}

	/** Records an unexpected failure's trace in {@code NAME_error.log} and returns the message that points to it. */
	static String unexpected(String name, Path outDir, Throwable e) {
		String what = e instanceof OutOfMemoryError ? "ran out of memory (" + e.getMessage() + "); give Java more heap"
			: "unexpected error " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
		try {
			Files.createDirectories(outDir);
			java.io.StringWriter trace = new java.io.StringWriter();
			e.printStackTrace(new java.io.PrintWriter(trace));
			Path log = outDir.resolve(name + "_error.log");
			AtomicFiles.writeString(log, trace.toString());
			return what + " (details in " + log.getFileName() + ")";
		} catch (IOException | RuntimeException ignored) {
			return what;
		}
	}

	private static Result failed(Input in, String uid, List<String> warnings, String error) {
		return new Result(in.name(), in.entry() == null ? "" : in.entry().toString(), uid, List.of(), List.of(), Map.of(),
			List.of(), List.of(), warnings, error);
	}

	/** Writes the case's outputs into {@code dir}, recording them. */
	private static void write(String name, Segmented s, DicomSeries series, ModelCard card, Path dir, Options o,
		Map<String, Path> files, List<Path> slices, List<String> notes, List<String> warnings, Cancellation c)
		throws IOException {
		Volume v = s.image();
		Path maskFile = dir.resolve(name + ".nii.gz");
		Nifti.writeMask(s.mask(), maskFile);
		files.put("mask", maskFile);
		files.put("lesionsJson", AtomicFiles.writeString(dir.resolve(name + "_lesions.json"),
			Json.writePretty(lesionsJson(s.lesions(), s.risks(), warnings)) + "\n"));
		files.put("lesionsCsv", AtomicFiles.writeString(dir.resolve(name + "_lesions.csv"), lesionsCsv(s.lesions(), s.risks(),
			o.lesionClassifier() == null ? List.of() : o.lesionClassifier().card().classNames(), warnings)));
		double[] window = card.displayWindow() != null ? card.displayWindow() : Intensities.displayWindow(v.voxels(), v.modality());
		int scale = Math.max(1, Math.min(8, (int) Math.ceil(384.0 / v.geometry().nx())));
		Map<Integer, List<Lesion>> byKeySlice = new TreeMap<>();
		for (Lesion l : s.lesions()) byKeySlice.computeIfAbsent(l.keySlice(), k -> new ArrayList<>()).add(l);
		for (Map.Entry<Integer, List<Lesion>> e : byKeySlice.entrySet()) {
			int z = e.getKey();
			List<String> caption = new ArrayList<>();
			caption.add(String.format(Locale.ROOT, "%s  slice %d/%d", name, z + 1, v.geometry().nz()));
			for (Lesion l : e.getValue())
				caption.add(String.format(Locale.ROOT, "lesion %d: %.1f mL, %.0f mm", l.id(), l.volumeMl(), l.longestAxialDiameterMm()));
			caption.add("research use only");
			BufferedImage img = OverlayImages.render(v, z, s.mask(), null, window[0], window[1], scale, caption.toArray(String[]::new));
			Path png = dir.resolve(String.format(Locale.ROOT, "%s_slice%02d.png", name, z + 1));
			OverlayImages.writePng(img, png);
			slices.add(png);
			if (e.getValue().get(0).id() == 1) {
				OverlayImages.writePng(img, dir.resolve(name + "_overlay.png"));
				files.put("overlay", dir.resolve(name + "_overlay.png"));
			}
		}
		if (!o.seg() && !o.rtstruct()) return;
		String why = series == null ? "the input is not a DICOM series" : s.mask().foregroundCount() == 0 ? "no lesion found" : null;
		if (why != null) {
			if (o.seg()) notes.add("no DICOM SEG: " + why);
			if (o.rtstruct()) notes.add("no RTSTRUCT: " + why);
			return;
		}
		if (o.seg())
			files.put("seg", SegWriter.write(s.mask(), series, dir.resolve(name + "_seg.dcm"),
				SegOptions.forModel(card.name(), Versions.MEDCNN), o.segCompression(), ProgressListener.NONE, c));
		if (o.rtstruct())
			files.put("rtstruct", RtStructWriter.write(s.mask(), series, dir.resolve(name + "_rtstruct.dcm"),
				RtStructOptions.forModel(card.name(), Versions.MEDCNN), ProgressListener.NONE, c));
	}

	/**
	 * Removes the case's earlier outputs from {@code outDir} (files named {@code NAME.…} or {@code NAME_…}) and moves
	 * the new ones from {@code tmp} in.
	 */
	static void replace(Path outDir, String name, Path tmp) throws IOException {
		org.medcnn.common.OutputGate.check(outDir.resolve(name + ".nii.gz"));
		try (var s = Files.list(outDir)) {
			for (Path f : s.toList()) {
				String n = f.getFileName().toString();
				if (Files.isRegularFile(f) && isOutputOf(n, name)) Files.delete(f);
			}
		}
		try (var s = Files.list(tmp)) {
			for (Path f : s.toList()) {
				Path target = outDir.resolve(f.getFileName());
				try {
					Files.move(f, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
				} catch (AtomicMoveNotSupportedException e) {
					Files.move(f, target, StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
	}

	/**
	 * Whether {@code n} is one of the files this pipeline writes for case {@code name} (so that neither another case's
	 * outputs — case {@code a_b} beside case {@code a} — nor other files of the user's are ever removed); a case's
	 * {@link CaseMarker} goes with its outputs, so that a rerun of {@code predict} leaves no stale one.
	 */
	static boolean isOutputOf(String n, String name) {
		if (!n.startsWith(name)) return false;
		String rest = n.substring(name.length());
		return OUTPUT_SUFFIXES.contains(rest) || rest.equals(CaseMarker.SUFFIX) || SLICE_PNG.matcher(rest).matches();
	}

	/** What follows the case name in its output files ({@link #write}); key slices are {@link #SLICE_PNG}. */
	private static final java.util.Set<String> OUTPUT_SUFFIXES = java.util.Set.of(".nii.gz", "_lesions.json", "_lesions.csv",
		"_overlay.png", "_seg.dcm", "_rtstruct.dcm", "_error.log");
	private static final java.util.regex.Pattern SLICE_PNG = java.util.regex.Pattern.compile("_slice[0-9]+\\.png");

	/**
	 * One JSON object per lesion: id, volume, HU, diameter, slices (1-based), centroid, mean probability, and with a
	 * lesion classifier its {@code risk} and {@code riskProbabilities}.
	 */
	public static List<Object> lesionsJson(List<Lesion> lesions, List<Classification> risks) {
		return lesionsJson(lesions, risks, List.of());
	}

	/**
	 * {@link #lesionsJson(List, List)}, each lesion with the reader's {@code warnings} about its image (e.g. an assumed
	 * pixel spacing, which qualifies every measurement) when there are any.
	 */
	public static List<Object> lesionsJson(List<Lesion> lesions, List<Classification> risks, List<String> warnings) {
		List<Object> out = new ArrayList<>();
		for (int i = 0; i < lesions.size(); i++) {
			Lesion l = lesions.get(i);
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("id", l.id());
			m.put("volumeMl", l.volumeMl());
			m.put("meanHu", l.meanHu());
			m.put("maxHu", l.maxHu());
			m.put("longestAxialDiameterMm", l.longestAxialDiameterMm());
			m.put("firstSlice", l.firstSlice() + 1);
			m.put("lastSlice", l.lastSlice() + 1);
			m.put("keySlice", l.keySlice() + 1);
			m.put("centroidMm", l.centroidMm());
			m.put("meanProbability", l.meanProbability());
			if (i < risks.size()) {
				m.put("risk", risks.get(i).className());
				m.put("riskProbability", (double) risks.get(i).confidence());
			}
			if (!warnings.isEmpty()) m.put("warnings", List.copyOf(warnings));
			out.add(m);
		}
		return out;
	}

	/**
	 * The per-case lesion table: one row per lesion, slices 1-based, centroid in LPS mm; with a lesion classifier the
	 * risk class and one {@code p(class)} column per class ({@code classNames}).
	 */
	public static String lesionsCsv(List<Lesion> lesions, List<Classification> risks, List<String> classNames) {
		return lesionsCsv(lesions, risks, classNames, List.of());
	}

	/**
	 * {@link #lesionsCsv(List, List, List)} with a last column {@code warnings} (the reader's warnings about the image,
	 * joined with {@code " | "}, on every row) when there are any.
	 */
	public static String lesionsCsv(List<Lesion> lesions, List<Classification> risks, List<String> classNames,
		List<String> warnings) {
		StringBuilder sb = new StringBuilder("lesion,voxels,volumeMl,meanHu,maxHu,longestAxialDiameterMm,firstSlice,lastSlice,"
			+ "keySlice,centroidXMm,centroidYMm,centroidZMm,meanProbability");
		if (!risks.isEmpty()) {
			sb.append(",risk");
			for (String c : classNames) sb.append(",p(").append(c.replace(',', ' ')).append(')');
		}
		if (!warnings.isEmpty()) sb.append(",warnings");
		sb.append('\n');
		String warningField = csvField(String.join(" | ", warnings));
		for (int i = 0; i < lesions.size(); i++) {
			Lesion l = lesions.get(i);
			double[] cm = l.centroidMm();
			sb.append(l.id()).append(',').append(l.voxelCount()).append(',').append(num(l.volumeMl())).append(',')
				.append(num(l.meanHu())).append(',').append(num(l.maxHu())).append(',').append(num(l.longestAxialDiameterMm()))
				.append(',').append(l.firstSlice() + 1).append(',').append(l.lastSlice() + 1).append(',').append(l.keySlice() + 1)
				.append(',').append(num(cm[0])).append(',').append(num(cm[1])).append(',').append(num(cm[2])).append(',')
				.append(num(l.meanProbability()));
			if (i < risks.size()) {
				sb.append(',').append(risks.get(i).className().replace(',', ' '));
				for (float p : risks.get(i).probabilities()) sb.append(',').append(num(p));
			}
			if (!warnings.isEmpty()) sb.append(',').append(warningField);
			sb.append('\n');
		}
		return sb.toString();
	}

	/** A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break. */
	static String csvField(String s) {
		if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
		return '"' + s.replace("\"", "\"\"") + '"';
	}

	/** A number with up to 4 decimals, "" for NaN. */
	public static String num(double v) {
		if (Double.isNaN(v)) return "";
		return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
	}
}
