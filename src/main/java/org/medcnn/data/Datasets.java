package org.medcnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.SeriesReader;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.rt.RtStructReader;
import org.medcnn.dicom.seg.SegReader;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;
import org.medcnn.volume.Volumes;

/**
 * Loads training and prediction data from the folder layouts of DESIGN.md ("Training data layouts").
 * <p>
 * Segmentation: one case per entry of an images folder (a DICOM series folder, a single DICOM file or a NIfTI
 * file) and, in the masks folder, the entry with the same case name (a NIfTI label image) whose geometry must
 * match the image's, a DICOM SEG whose frames lie on the image's grid, or an RTSTRUCT (one named ROI). Classification: one sub-folder per class; each item a DICOM file, a DICOM series folder
 * (its middle slice) or a NIfTI file (its middle slice). Inputs are only read, never modified.
 */
public final class Datasets {

	/** Geometry tolerance in mm between an image and its mask. */
	public static final double GEOMETRY_TOLERANCE_MM = 1e-3;

	private static final String[] CASE_SUFFIXES = {".nii.gz", ".nii", ".tiff", ".tif", ".dcm"};

	private Datasets() {}

	/** One labelled case. */
	public record Case(String name, Volume image, Mask mask) {}

	/** One classification item: a single-slice image and its class index. */
	public record Item(String name, Volume image, int label) {}

	/** The case name of a folder entry: its file name without a known suffix. */
	public static String caseName(Path entry) {
		String n = entry.getFileName().toString();
		String lower = n.toLowerCase(Locale.ROOT);
		for (String s : CASE_SUFFIXES) if (lower.endsWith(s)) return n.substring(0, n.length() - s.length());
		return n;
	}

	/** The entries of a folder (non-hidden), sorted by name. */
	public static List<Path> entries(Path dir) throws IOException {
		if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "not a folder");
		try (Stream<Path> s = Files.list(dir)) {
			return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
		}
	}

	/**
	 * Reads one image entry: a DICOM series folder or file (it must hold exactly one image series) or a NIfTI
	 * file.
	 */
	public static Volume loadImage(Path entry, ProgressListener progress, Cancellation cancel) throws IOException {
		return load(entry, progress, cancel).image();
	}

	/**
	 * An image as read, with where it came from.
	 *
	 * @param image the volume
	 * @param series the DICOM series it was read from, or null (NIfTI)
	 * @param warnings what the reader assumed or left out (e.g. a missing spacing, skipped slices); never identifiers
	 */
	public record Loaded(Volume image, DicomSeries series, List<String> warnings) {

		public Loaded {
			warnings = List.copyOf(warnings);
		}
	}

	/**
	 * Reads one image entry as {@link #loadImage} does, keeping the DICOM series (to reference from a SEG or RTSTRUCT)
	 * and the scanner's and reader's warnings.
	 */
	public static Loaded load(Path entry, ProgressListener progress, Cancellation cancel) throws IOException {
		String lower = entry.getFileName().toString().toLowerCase(Locale.ROOT);
		if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) return new Loaded(Nifti.readVolume(entry), null, List.of());
		if (lower.endsWith(".tif") || lower.endsWith(".tiff"))
			throw new IOException(entry + ": TIFF stacks are not supported yet as images; use DICOM or NIfTI");
		List<DicomSeries> series = SeriesScanner.scan(List.of(entry), ProgressListener.NONE, cancel);
		if (series.isEmpty()) throw new IOException(entry + ": no DICOM image series found");
		if (series.size() > 1) {
			StringBuilder sb = new StringBuilder(entry + ": holds " + series.size()
				+ " series; a case must hold exactly one:");
			for (DicomSeries s : series) sb.append("\n  ").append(s.seriesInstanceUID()).append(" (").append(s.modality())
				.append(", ").append(s.files().size()).append(" slices)");
			throw new IOException(sb.toString());
		}
		return load(series.get(0), progress, cancel);
	}

	/** Reads a scanned series, with the scanner's and the reader's warnings. */
	public static Loaded load(DicomSeries series, ProgressListener progress, Cancellation cancel) throws IOException {
		SeriesReader.Loaded l = SeriesReader.load(series, progress, cancel, null);
		List<String> warnings = new ArrayList<>(series.warnings());
		for (String w : l.warnings()) if (!warnings.contains(w)) warnings.add(w);
		return new Loaded(l.volume(), series, warnings);
	}

	/** Finds the mask entry for a case name in a masks folder. */
	public static Path findMask(Path masksDir, String caseName) throws IOException {
		for (Path p : entries(masksDir)) if (caseName(p).equals(caseName)) return p;
		throw new NoSuchFileException(masksDir.resolve(caseName + ".nii.gz").toString(), null,
			"no mask for case '" + caseName + "' in " + masksDir);
	}

	/**
	 * Reads a mask entry and checks it lies on the image's grid; an RTSTRUCT needs
	 * {@link #loadMask(Path, Geometry, String)}.
	 *
	 * @throws IOException naming the file and how the geometries differ
	 */
	public static Mask loadMask(Path entry, Geometry imageGeometry) throws IOException {
		return loadMask(entry, imageGeometry, null);
	}

	/**
	 * Reads a mask entry and checks it lies on the image's grid: a NIfTI label image, a DICOM SEG, or one ROI of a
	 * DICOM RT Structure Set (told apart from a SEG by its SOPClassUID / Modality).
	 *
	 * @param roiName the ROI to read from an RTSTRUCT (ignored for other masks); null when none was given, which
	 *        an RTSTRUCT refuses with its ROI names
	 * @throws IOException naming the file and how the geometries differ, or the RTSTRUCT's ROI names
	 */
	public static Mask loadMask(Path entry, Geometry imageGeometry, String roiName) throws IOException {
		String lower = entry.getFileName().toString().toLowerCase(Locale.ROOT);
		Mask m;
		if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) {
			m = Nifti.readMask(entry);
		} else if (lower.endsWith(".dcm")) {
			if (RtStructReader.isRtStruct(DicomReader.readHeader(entry))) {
				if (roiName == null || roiName.isBlank())
					throw new IOException(entry + ": an RT Structure Set needs an ROI name (--roi NAME); it holds "
						+ String.join(", ", RtStructReader.roiNames(entry)));
				m = RtStructReader.read(entry, roiName, imageGeometry);
			} else {
				// A DICOM SEG: its frames are placed on the image's grid by position (refused if they do not fit).
				m = SegReader.read(entry, imageGeometry);
			}
		} else {
			throw new IOException(entry + ": masks must be NIfTI label images (.nii, .nii.gz), DICOM SEG or RTSTRUCT "
				+ "(.dcm); TIFF masks are not supported yet");
		}
		String mismatch = imageGeometry.describeMismatch(m.geometry(), GEOMETRY_TOLERANCE_MM);
		if (!mismatch.isEmpty())
			throw new IOException(entry + ": the mask's geometry does not match its image (" + mismatch + ")");
		return m;
	}

	/** Loads every case of an images folder with its mask from a masks folder. */
	public static List<Case> loadCases(Path imagesDir, Path masksDir, ProgressListener progress, Cancellation cancel)
		throws IOException {
		return loadCases(imagesDir, masksDir, null, progress, cancel);
	}

	/**
	 * Loads every case of an images folder with its mask from a masks folder, reading ROI {@code roiName} of RTSTRUCT
	 * masks (may be null when there are none).
	 */
	public static List<Case> loadCases(Path imagesDir, Path masksDir, String roiName, ProgressListener progress,
		Cancellation cancel) throws IOException {
		List<Path> entries = entries(imagesDir);
		if (entries.isEmpty()) throw new IOException(imagesDir + ": no cases found");
		List<Case> cases = new ArrayList<>();
		for (int i = 0; i < entries.size(); i++) {
			cancel.check();
			Path e = entries.get(i);
			String name = caseName(e);
			progress.progress((double) i / entries.size(), "Loading case " + name);
			Volume v = loadImage(e, ProgressListener.NONE, cancel);
			Mask m = loadMask(findMask(masksDir, name), v.geometry(), roiName);
			cases.add(new Case(name, v, m));
		}
		progress.progress(1, "Loaded " + cases.size() + " cases");
		return cases;
	}

	/** The class folders of a classification layout, sorted by name. */
	public static List<String> classNames(Path dataDir) throws IOException {
		List<String> names = new ArrayList<>();
		for (Path p : entries(dataDir)) if (Files.isDirectory(p)) names.add(p.getFileName().toString());
		if (names.size() < 2)
			throw new IOException(dataDir + ": a classification folder needs at least two class sub-folders, found "
				+ names.size());
		return names;
	}

	/** Loads every item of a classification layout; labels index {@link #classNames(Path)}. */
	public static List<Item> loadItems(Path dataDir, ProgressListener progress, Cancellation cancel) throws IOException {
		List<String> classes = classNames(dataDir);
		List<Item> items = new ArrayList<>();
		for (int c = 0; c < classes.size(); c++) {
			for (Path e : entries(dataDir.resolve(classes.get(c)))) {
				cancel.check();
				progress.progress(-1, "Loading " + classes.get(c) + "/" + e.getFileName());
				Volume v = loadImage(e, ProgressListener.NONE, cancel);
				items.add(new Item(classes.get(c) + "/" + e.getFileName(), Volumes.slice(v, v.geometry().nz() / 2), c));
			}
		}
		if (items.isEmpty()) throw new IOException(dataDir + ": no items found in the class folders");
		return items;
	}
}
