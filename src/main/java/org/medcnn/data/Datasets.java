package org.medcnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.medcnn.common.Cancellation;
import org.medcnn.common.FileTrees;
import org.medcnn.common.Parallel;
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
 * Segmentation: one case per entry of an images folder (a DICOM series folder, a single DICOM file, a NIfTI file or
 * a TIFF stack) and, in the masks folder, the entry with the same case name: a NIfTI label image whose geometry must
 * match the image's, a DICOM SEG whose frames lie on the image's grid, an RTSTRUCT (one named ROI), or a TIFF label
 * stack of the image's size in its spatial slice order. Classification: one sub-folder per class; each item a DICOM
 * file, a DICOM series folder (its middle slice), a NIfTI file or TIFF stack (its middle slice), or a PNG, TIFF,
 * JPEG or BMP image; class folders are read in parallel. Image files are read by {@link ImageFiles} (modality OT,
 * colour converted to grey). Inputs are only read, never modified.
 * <p>
 * Entries and the folders under them may be symbolic links (data sets split into training and test folders by links
 * to case folders): they are followed ({@link SeriesScanner}). An entry that links back to the folder it is in, or
 * to a folder above, is refused with the loop named rather than read as one case holding all the others.
 */
public final class Datasets {

	/** Geometry tolerance in mm between an image and its mask. */
	public static final double GEOMETRY_TOLERANCE_MM = 1e-3;

	private static final String[] CASE_SUFFIXES = {".nii.gz", ".nii", ".tiff", ".tif", ".dcm", ".png", ".jpeg", ".jpg", ".bmp"};

	private Datasets() {}

	/**
	 * One labelled case.
	 *
	 * @param warnings what the image's reader assumed or left out ({@link Loaded#warnings()})
	 */
	public record Case(String name, Volume image, Mask mask, List<String> warnings) {

		public Case {
			warnings = warnings == null ? List.of() : List.copyOf(warnings);
		}

		/** A case read without warnings (or from an open image). */
		public Case(String name, Volume image, Mask mask) {
			this(name, image, mask, List.of());
		}
	}

	/**
	 * One classification item: a single-slice image and its class index.
	 *
	 * @param rgb whether the item was read from an image file storing colour, converted to grey ({@link ImageFiles})
	 * @param warnings what the reader of a DICOM item assumed or left out ({@link Loaded#warnings()}); empty for picture
	 *        files (PNG, JPEG, BMP, TIFF), which record no geometry and are resized to the classifier's input anyway
	 */
	public record Item(String name, Volume image, int label, boolean rgb, List<String> warnings) {

		public Item {
			warnings = warnings == null ? List.of() : List.copyOf(warnings);
		}

		/** An item without reader warnings. */
		public Item(String name, Volume image, int label, boolean rgb) {
			this(name, image, label, rgb, List.of());
		}

		/** An item that was not converted from colour. */
		public Item(String name, Volume image, int label) {
			this(name, image, label, false);
		}
	}

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
	 * Reads one image entry: a DICOM series folder or file (it must hold exactly one image series), a NIfTI file, or
	 * an image file ({@link ImageFiles#SUFFIXES}: PNG, TIFF stack, JPEG, BMP).
	 */
	public static Volume loadImage(Path entry, ProgressListener progress, Cancellation cancel) throws IOException {
		return load(entry, progress, cancel).image();
	}

	/**
	 * An image as read, with where it came from.
	 *
	 * @param image the volume
	 * @param series the DICOM series it was read from, or null (NIfTI, image file)
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
		if (ImageFiles.isImageFile(entry) && !Files.isDirectory(entry)) {
			ImageFiles.Image im = ImageFiles.read(entry, progress, cancel);
			return new Loaded(im.volume(), null, im.warnings());
		}
		// A case that links back to its own folder would hold every other case: refused as that case, by name.
		String loop = FileTrees.loopEntry(entry);
		if (loop != null) throw new IOException(loop + ", so it is not one case");
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
	 * Reads a mask entry and checks it lies on the image's grid: a NIfTI label image, a DICOM SEG, one ROI of a
	 * DICOM RT Structure Set (told apart from a SEG by its SOPClassUID / Modality), or a TIFF label stack. A TIFF
	 * records no position: its labels take the image's grid when its size matches, and its pixel spacing must match
	 * too when it records one (an ImageJ calibration).
	 *
	 * @param roiName the ROI to read from an RTSTRUCT (ignored for other masks); null when none was given, which
	 *        an RTSTRUCT refuses with its ROI names
	 * @throws IOException naming the file and how the geometries differ, or the RTSTRUCT's ROI names
	 */
	public static Mask loadMask(Path entry, Geometry imageGeometry, String roiName) throws IOException {
		String lower = entry.getFileName().toString().toLowerCase(Locale.ROOT);
		Mask m;
		if (lower.endsWith(".nii") || lower.endsWith(".nii.gz")) {
			// the header first: a mask on another grid is refused before its voxels are inflated
			String early = imageGeometry.describeMismatch(Nifti.readGeometry(entry), GEOMETRY_TOLERANCE_MM);
			if (!early.isEmpty())
				throw new IOException(entry + ": the mask's geometry does not match its image (" + early + ")");
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
		} else if (ImageFiles.isTiff(entry)) {
			return onImageGrid(entry, ImageFiles.readLabels(entry), imageGeometry);
		} else {
			throw new IOException(entry + ": masks must be NIfTI label images (.nii, .nii.gz), DICOM SEG or RTSTRUCT "
				+ "(.dcm), or TIFF label stacks (.tif, .tiff)");
		}
		String mismatch = imageGeometry.describeMismatch(m.geometry(), GEOMETRY_TOLERANCE_MM);
		if (!mismatch.isEmpty())
			throw new IOException(entry + ": the mask's geometry does not match its image (" + mismatch + ")");
		return m;
	}

	/** A TIFF label stack placed on the image's grid: same size, and same spacing when the stack records one. */
	private static Mask onImageGrid(Path entry, ImageFiles.Labels labels, Geometry image) throws IOException {
		Geometry g = labels.mask().geometry();
		if (g.nx() != image.nx() || g.ny() != image.ny() || g.nz() != image.nz())
			throw new IOException(entry + ": the label stack is " + g.nx() + "×" + g.ny() + "×" + g.nz() + " (x×y×pages) but its"
				+ " image is " + image.nx() + "×" + image.ny() + "×" + image.nz());
		if (labels.spacingRecorded()) {
			double[] s = g.spacingMm(), t = image.spacingMm();
			for (int a = 0; a < 3; a++)
				if (Math.abs(s[a] - t[a]) > GEOMETRY_TOLERANCE_MM)
					throw new IOException(entry + ": the label stack's spacing " + java.util.Arrays.toString(s) + " mm does not match"
						+ " its image's " + java.util.Arrays.toString(t) + " mm");
		}
		return new Mask(image, labels.mask().labels());
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
			Loaded l = load(e, ProgressListener.NONE, cancel);
			Mask m = loadMask(findMask(masksDir, name), l.image().geometry(), roiName);
			cases.add(new Case(name, l.image(), m, l.warnings()));
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

	/**
	 * Loads every item of a classification layout, on a few threads ({@link Parallel}); labels index
	 * {@link #classNames(Path)}, items are in class order, then name order. Progress: "Loading 12,345/60,000 items".
	 *
	 * @throws IOException of the first item (in that order) that cannot be read, naming its file
	 */
	public static List<Item> loadItems(Path dataDir, ProgressListener progress, Cancellation cancel) throws IOException {
		List<String> classes = classNames(dataDir);
		List<Path> paths = new ArrayList<>();
		List<Integer> labels = new ArrayList<>();
		for (int c = 0; c < classes.size(); c++)
			for (Path e : entries(dataDir.resolve(classes.get(c)))) {
				paths.add(e);
				labels.add(c);
			}
		if (paths.isEmpty()) throw new IOException(dataDir + ": no items found in the class folders");
		int n = paths.size();
		Item[] items = new Item[n];
		AtomicInteger done = new AtomicInteger();
		int[] reported = {0};
		progress.progress(0, String.format(Locale.ROOT, "Loading 0/%,d items", n));
		Parallel.forEachIndex(n, ProgressListener.NONE, cancel, "Loading", i -> {
			Path e = paths.get(i);
			String name = classes.get(labels.get(i)) + "/" + e.getFileName();
			Volume v;
			boolean rgb = false;
			List<String> warnings = List.of();
			if (ImageFiles.isImageFile(e) && !Files.isDirectory(e)) {
				ImageFiles.Image im = ImageFiles.read(e, ProgressListener.NONE, cancel);
				v = im.volume();
				rgb = im.rgb();
			} else {
				Loaded l = load(e, ProgressListener.NONE, cancel);
				v = l.image();
				warnings = l.warnings();
			}
			items[i] = new Item(name, Volumes.slice(v, v.geometry().nz() / 2), labels.get(i), rgb, warnings);
			int d = done.incrementAndGet();
			// Every 256th item is often enough for a line that is redrawn at most 5 times a second; never backwards.
			if (d % 256 == 0 || d == n) synchronized (reported) {
				if (d > reported[0]) {
					reported[0] = d;
					progress.progress((double) d / n, String.format(Locale.ROOT, "Loading %,d/%,d items", d, n));
				}
			}
		});
		return List.of(items);
	}
}
