package org.medcnn.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.medcnn.common.Cancellation;
import org.medcnn.common.FileTrees;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Geometry;

/**
 * Finds the image series among files and folders (recursively), reading headers only.
 * <p>
 * Files are grouped by SeriesInstanceUID, and a series that mixes image sizes or orientations is split. Slices
 * are sorted by their distance along the slice normal, {@code n = row × column} of ImageOrientationPatient,
 * dotted with ImagePositionPatient, ascending — never by InstanceNumber or file name, which need not follow
 * position (InstanceNumber is used only when a series has no position at all, with a warning). The slice
 * spacing is the median distance between neighbours; gaps (more than 1.5 × the median), duplicate positions,
 * uneven spacing, slices off the normal (gantry tilt) and changing pixel spacing are reported as warnings. A
 * multi-frame file (enhanced CT/MR, RT Dose, classic multi-frame) is a series of its own whose frames are laid
 * out by {@link MultiFrameLayout}: sorted along the normal from the per-frame positions or the RT Dose
 * GridFrameOffsetVector, with the same warnings. Files that are not DICOM or cannot be read are skipped and
 * named in every series' warnings; DICOMDIR files, localizers (ImageType LOCALIZER), DICOM objects without
 * pixels (structured reports, RT plans and structure sets, presentation states) and DICOM SEG are not slices.
 * {@link #scanDetailed} lists every skipped file with its reason.
 * <p>
 * Folders are walked through symbolic links ({@link FileTrees}): a linked series folder or case folder is scanned
 * like a real one; a link that loops back to a folder being walked is not followed again and is named in every
 * series' warnings and among the skipped entries, so one loop in a data tree never stops a scan.
 * <p>
 * A folder that holds a DICOMDIR is indexed through it ({@link DicomDir}): the files it references are taken
 * as DICOM without sniffing, files it references but that are missing are reported (in the warnings of their
 * series, and as skipped files), and files it does not reference are still found by walking the folder. The
 * headers of the referenced files are still read, because directory records need not carry the positions and
 * orientations that sorting and geometry need; the series, files and order are the same as without the
 * DICOMDIR. An unreadable DICOMDIR is named in the warnings and the folder scanned normally.
 * <p>
 * Image files that cannot be measured are refused from their header, before anything is allocated for them, with
 * the file, the attribute and the value ({@link DicomPixels#checkHeader}, and refusals of a pixel spacing that is
 * zero, negative or not a number, an ImageOrientationPatient whose vectors are not unit vectors at right angles, a
 * position that is not three numbers, a RescaleSlope of 0, NaN or one that overflows float): they are skipped with
 * that reason ("refused: …"), and {@link #scan} throws it when they leave no series. What is missing and assumed
 * (PixelSpacing, slice thickness) is said in the series' warnings. Stateless and thread-safe.
 */
public final class SeriesScanner {

	/** Positions closer than this (mm) along the normal are duplicates. */
	static final double DUPLICATE_MM = 1e-3;
	private static final double ORIENTATION_TOLERANCE = 1e-3;
	private static final int MAX_SKIPPED_LISTED = 5;
	/** Media Storage Directory Storage, the SOP class of a DICOMDIR. */
	private static final String MEDIA_DIRECTORY = "1.2.840.10008.1.3.10";
	/** DirectoryRecordSequence (0004,1220), present only in a DICOMDIR. */
	private static final int DIRECTORY_RECORD_SEQUENCE = 0x00041220;

	private SeriesScanner() {}

	/** Header facts of one file. */
	private record Slice(Path file, String uid, String modality, int rows, int columns, int frames, double[] iop,
		double[] ipp, double[] pixelSpacing, double[] imagerPixelSpacing, int instanceNumber, String description,
		double[] window, DicomObject header, MultiFrameLayout layout) {}

	/**
	 * Scans files and folders (recursively) and returns the series found, sorted by modality, description and
	 * SeriesInstanceUID.
	 *
	 * @param p progress (may be null)
	 * @param c cancellation, checked per file (may be null)
	 * @throws DicomReadException when no series is found but image files were refused (see the class comment): the
	 *         first refusal, naming file, attribute and value, and how many more files were refused
	 * @throws IOException if a folder cannot be listed or a named path does not exist
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static List<DicomSeries> scan(List<Path> filesOrDirs, ProgressListener p, Cancellation c) throws IOException {
		List<DicomReadException> refused = new ArrayList<>();
		List<DicomSeries> series = scan(filesOrDirs, p, c, refused).series();
		if (series.isEmpty() && !refused.isEmpty()) {
			DicomReadException first = refused.get(0);
			if (refused.size() == 1) throw first;
			throw new DicomReadException(first.file(), first.tag(), first.reason() + " (and " + (refused.size() - 1)
				+ " more image file" + (refused.size() == 2 ? "" : "s") + " refused, so no image series is left)");
		}
		return series;
	}

	/**
	 * As {@link #scan}, and also lists every file that was not used as a slice with the reason: files that are
	 * not DICOM or cannot be read, DICOMDIR files, localizers (ImageType containing LOCALIZER) and objects that
	 * are not images (structured reports, RT plans and structure sets, presentation states, DICOM SEG). Files
	 * that are not DICOM or unreadable are also named in every series' warnings, as {@link #scan} does.
	 *
	 * @throws IOException if a folder cannot be listed or a named path does not exist
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static ScanResult scanDetailed(List<Path> filesOrDirs, ProgressListener p, Cancellation c) throws IOException {
		return scan(filesOrDirs, p, c, new ArrayList<>());
	}

	/** {@link #scanDetailed}, adding to {@code refused} the image files refused because they cannot be measured. */
	private static ScanResult scan(List<Path> filesOrDirs, ProgressListener p, Cancellation c,
		List<DicomReadException> refused) throws IOException {
		ProgressListener progress = p == null ? ProgressListener.NONE : p;
		List<Path> files = new ArrayList<>();
		List<Boolean> named = new ArrayList<>();
		List<String> dirWarnings = new ArrayList<>();
		Map<String, List<String>> missingByUid = new LinkedHashMap<>();
		List<ScanResult.Skipped> missingFiles = new ArrayList<>();
		for (Path root : filesOrDirs) {
			if (Files.isDirectory(root)) {
				java.util.Set<Path> listed = new java.util.HashSet<>();
				Path dicomdir = DicomDir.find(root);
				if (dicomdir != null) {
					try {
						DicomDir.Index index = DicomDir.read(dicomdir);
						// Files the DICOMDIR references are DICOM: no need to sniff them.
						for (Path f : index.files()) {
							if (listed.add(f.toAbsolutePath().normalize())) {
								files.add(f);
								named.add(true);
							}
						}
						for (Map.Entry<Path, String> m : index.missing().entrySet()) {
							missingByUid.computeIfAbsent(m.getValue(), k -> new ArrayList<>()).add(m.getKey().toString());
							missingFiles.add(new ScanResult.Skipped(m.getKey(), "referenced by " + dicomdir + " but missing"));
						}
						for (String w : index.warnings())
							if (!w.startsWith("DICOMDIR references")) dirWarnings.add(dicomdir + ": " + w);
					} catch (DicomReadException e) {
						dirWarnings.add("DICOMDIR not used: " + e.getMessage());
					}
				}
				List<FileTrees.NotFollowed> notFollowed = new ArrayList<>();
				for (Path f : FileTrees.regularFiles(root, notFollowed)) {
					if (listed.contains(f.toAbsolutePath().normalize())) continue;
					files.add(f);
					named.add(false);
				}
				// A loop or a dangling link is news for every series found and, as a skipped entry, for the user.
				for (FileTrees.NotFollowed n : notFollowed) {
					dirWarnings.add(n.toString());
					missingFiles.add(new ScanResult.Skipped(n.path(), n.reason()));
				}
			} else if (Files.exists(root)) {
				files.add(root);
				named.add(true);
			} else {
				throw new java.nio.file.NoSuchFileException(root.toString(), null, "no such file or folder");
			}
		}
		List<String> skipped = new ArrayList<>();
		List<ScanResult.Skipped> skippedFiles = new ArrayList<>();
		List<Slice> slices = new ArrayList<>();
		for (int i = 0; i < files.size(); i++) {
			if (c != null) c.check();
			Path f = files.get(i);
			progress.progress((double) i / files.size(), "Reading DICOM headers " + (i + 1) + "/" + files.size());
			if (!named.get(i) && !DicomInfo.looksLikeDicom(f)) {
				if (!f.getFileName().toString().startsWith(".")) {
					skipped.add("skipped " + f + ": not a DICOM file");
					skippedFiles.add(new ScanResult.Skipped(f, "not a DICOM file"));
				}
				continue;
			}
			DicomObject o;
			try {
				o = DicomReader.readHeader(f);
			} catch (DicomReadException e) {
				skipped.add("skipped " + e.getMessage());
				skippedFiles.add(new ScanResult.Skipped(f, "unreadable: " + e.getMessage()));
				continue;
			}
			String notImage = notAnImage(f, o);
			if (notImage != null) {
				skippedFiles.add(new ScanResult.Skipped(f, notImage));
				continue;
			}
			try {
				slices.add(slice(f, o));
			} catch (DicomReadException e) {
				// An image whose pixels or geometry cannot be measured (frames the file cannot hold, a zero pixel
				// spacing, an orientation that is no rotation, a rescale that breaks the values): refused, with why.
				refused.add(e);
				skipped.add("refused " + e.getMessage());
				skippedFiles.add(new ScanResult.Skipped(f, "refused: " + e.getMessage()));
			}
		}
		progress.progress(1, "Read " + files.size() + " headers");
		List<String> skipWarnings = new ArrayList<>(dirWarnings);
		for (int i = 0; i < Math.min(MAX_SKIPPED_LISTED, skipped.size()); i++) skipWarnings.add(skipped.get(i));
		if (skipped.size() > MAX_SKIPPED_LISTED)
			skipWarnings.add((skipped.size() - MAX_SKIPPED_LISTED) + " more files skipped (not DICOM or unreadable)");

		Map<String, List<Slice>> byUid = new LinkedHashMap<>();
		for (Slice s : slices) byUid.computeIfAbsent(s.uid, k -> new ArrayList<>()).add(s);
		List<DicomSeries> out = new ArrayList<>();
		for (Map.Entry<String, List<Slice>> e : byUid.entrySet()) {
			List<List<Slice>> parts = new ArrayList<>();
			for (Slice s : e.getValue()) {
				if (s.frames > 1) {
					out.add(multiFrame(s, e.getKey().isEmpty(), skipWarnings));
					continue;
				}
				List<Slice> home = null;
				for (List<Slice> part : parts)
					if (sameGrid(part.get(0), s)) {
						home = part;
						break;
					}
				if (home == null) parts.add(home = new ArrayList<>());
				home.add(s);
			}
			for (List<Slice> part : parts) {
				List<String> w = new ArrayList<>();
				if (e.getKey().isEmpty()) w.add("files have no SeriesInstanceUID: grouped together");
				if (parts.size() > 1)
					w.add("series mixes " + parts.size() + " image sizes or orientations (inconsistent orientation or "
						+ "size): split into separate series");
				out.add(stack(part, w, skipWarnings));
			}
		}
		if (!missingByUid.isEmpty()) {
			for (int i = 0; i < out.size(); i++) {
				DicomSeries s = out.get(i);
				List<String> m = missingByUid.remove(s.seriesInstanceUID());
				if (m != null) out.set(i, withWarning(s, "DICOMDIR references " + m.size() + " missing file"
					+ (m.size() == 1 ? "" : "s") + " of this series: " + String.join(", ", m.subList(0, Math.min(5, m.size())))
					+ (m.size() > 5 ? ", …" : "")));
			}
			for (Map.Entry<String, List<String>> e : missingByUid.entrySet())
				for (int i = 0; i < out.size(); i++)
					out.set(i, withWarning(out.get(i), "DICOMDIR references " + e.getValue().size() + " missing file"
						+ (e.getValue().size() == 1 ? "" : "s") + " of series " + e.getKey() + ", of which no file was found"));
		}
		skippedFiles.addAll(missingFiles);
		out.sort(Comparator.comparing((DicomSeries s) -> s.modality()).thenComparing(
			s -> s.seriesDescription() == null ? "" : s.seriesDescription()).thenComparing(DicomSeries::seriesInstanceUID));
		return new ScanResult(out, skippedFiles);
	}

	private static DicomSeries withWarning(DicomSeries s, String warning) {
		List<String> w = new ArrayList<>(s.warnings());
		w.add(warning);
		return new DicomSeries(s.seriesInstanceUID(), s.modality(), s.rows(), s.columns(), s.files(), s.spacing(),
			s.origin(), s.direction(), w, s.seriesDescription(), s.windowCenterWidth(), s.slices());
	}

	/** Why a DICOM object is not a slice of an image series, or null when it is one. */
	private static String notAnImage(Path f, DicomObject o) {
		String sopClass = o.getString(Tag.MediaStorageSOPClassUID);
		if (f.getFileName().toString().equalsIgnoreCase("DICOMDIR") || MEDIA_DIRECTORY.equals(sopClass)
			|| o.contains(DIRECTORY_RECORD_SEQUENCE))
			return "DICOMDIR (media directory, not an image)";
		String modality = o.getString(Tag.Modality);
		String m = modality == null || modality.isBlank() ? "no Modality" : "Modality " + modality.trim();
		if ("SEG".equals(modality)) return "segmentation object (SEG), not an image series";
		if (!o.hasPixelData() || !o.contains(Tag.Rows)) {
			String kind = switch (modality == null ? "" : modality.trim()) {
				case "SR" -> "structured report";
				case "RTPLAN" -> "RT plan";
				case "RTSTRUCT" -> "RT structure set";
				case "PR" -> "presentation state";
				case "KO" -> "key object selection";
				case "RTRECORD" -> "RT treatment record";
				default -> "object";
			};
			return kind + " without pixel data (" + m + "), not an image";
		}
		String[] type = o.getStrings(Tag.ImageType);
		if (type != null)
			for (String t : type)
				if (t != null && t.trim().equalsIgnoreCase("LOCALIZER")) return "localizer (ImageType LOCALIZER)";
		return null;
	}

	/**
	 * The header facts of an image file, refused (before anything is allocated for its pixels) when the file cannot
	 * hold the frames it declares or its geometry or rescale cannot be measured with.
	 */
	private static Slice slice(Path f, DicomObject o) throws DicomReadException {
		DicomPixels.checkHeader(o, true);
		String uid = o.getString(Tag.SeriesInstanceUID);
		String modality = o.getString(Tag.Modality);
		double[] iop = DicomGeometry.orientation(o, f, "");
		double[] ipp = DicomGeometry.position(o, f, "");
		int frames = o.getInt(Tag.NumberOfFrames, 1);
		if (iop == null) iop = functionalGroup(o, Tag.PlaneOrientationSequence, f);
		if (ipp == null) ipp = functionalGroup(o, Tag.PlanePositionSequence, f);
		double[] ps = DicomGeometry.spacing(o, Tag.PixelSpacing, f, "");
		if (ps == null) ps = functionalGroup(o, Tag.PixelMeasuresSequence, f);
		double[] imager = DicomGeometry.spacing(o, Tag.ImagerPixelSpacing, f, "");
		if (o.getInt(Tag.SamplesPerPixel, 1) == 1) {
			DicomElement px = o.element(Tag.PixelData);
			DicomPixels.checkedRescale(o, 0, DicomPixels.layout(o, px != null && px.isEncapsulated()));
		}
		MultiFrameLayout layout = frames > 1 ? MultiFrameLayout.of(o) : null;
		double[] wc = o.getDoubles(Tag.WindowCenter);
		double[] ww = o.getDoubles(Tag.WindowWidth);
		double[] window = wc != null && ww != null && wc.length > 0 && ww.length > 0 && !Double.isNaN(wc[0])
			&& !Double.isNaN(ww[0]) ? new double[] {wc[0], ww[0]} : null;
		return new Slice(f, uid == null ? "" : uid, modality == null || modality.isEmpty() ? "OT" : modality,
			o.getInt(Tag.Rows, 0), o.getInt(Tag.Columns, 0), Math.max(1, frames), iop, ipp, ps, imager,
			o.getInt(Tag.InstanceNumber, Integer.MAX_VALUE), o.getString(Tag.SeriesDescription), window, o, layout);
	}

	/**
	 * ImageOrientationPatient, ImagePositionPatient or PixelSpacing from the shared functional groups, else the
	 * first per-frame group (enhanced multi-frame objects), validated; null when absent.
	 */
	private static double[] functionalGroup(DicomObject o, int macro, Path f) throws DicomReadException {
		for (int seq : new int[] {Tag.SharedFunctionalGroupsSequence, Tag.PerFrameFunctionalGroupsSequence}) {
			List<DicomObject> g = o.getSequence(seq);
			if (g.isEmpty()) continue;
			List<DicomObject> m = g.get(0).getSequence(macro);
			if (m.isEmpty()) continue;
			String where = seq == Tag.SharedFunctionalGroupsSequence ? " (shared functional groups)"
				: " (first per-frame functional group)";
			double[] v = macro == Tag.PlaneOrientationSequence ? DicomGeometry.orientation(m.get(0), f, where)
				: macro == Tag.PlanePositionSequence ? DicomGeometry.position(m.get(0), f, where)
				: DicomGeometry.spacing(m.get(0), Tag.PixelSpacing, f, where);
			if (v != null) return v;
		}
		return null;
	}

	/** A value from the shared functional groups, else the first per-frame group (enhanced multi-frame objects). */
	private static double[] functionalGroup(DicomObject o, int macro, int tag) {
		for (int seq : new int[] {Tag.SharedFunctionalGroupsSequence, Tag.PerFrameFunctionalGroupsSequence}) {
			List<DicomObject> g = o.getSequence(seq);
			if (g.isEmpty()) continue;
			List<DicomObject> m = g.get(0).getSequence(macro);
			if (!m.isEmpty() && m.get(0).contains(tag)) return m.get(0).getDoubles(tag);
		}
		return null;
	}

	private static boolean sameGrid(Slice a, Slice b) {
		if (a.rows != b.rows || a.columns != b.columns) return false;
		if (a.iop == null || b.iop == null) return a.iop == b.iop;
		for (int i = 0; i < 6; i++) if (Math.abs(a.iop[i] - b.iop[i]) > ORIENTATION_TOLERANCE) return false;
		return true;
	}

	/** Row, column and normal unit vectors from ImageOrientationPatient (identity when unknown). */
	static double[] direction(double[] iop) {
		if (iop == null) return Geometry.AXIAL.clone();
		double[] r = normalise(new double[] {iop[0], iop[1], iop[2]});
		double[] c = normalise(new double[] {iop[3], iop[4], iop[5]});
		if (r == null || c == null) return Geometry.AXIAL.clone();
		double[] n = normalise(new double[] {r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2],
			r[0] * c[1] - r[1] * c[0]});
		if (n == null) return Geometry.AXIAL.clone();
		return new double[] {r[0], r[1], r[2], c[0], c[1], c[2], n[0], n[1], n[2]};
	}

	private static double[] normalise(double[] v) {
		if (v == null) return null;
		double len = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
		if (!(len > 1e-6)) return null;
		return new double[] {v[0] / len, v[1] / len, v[2] / len};
	}

	private static double[] inPlaneSpacing(Slice s, List<String> warnings) {
		double[] ps = s.pixelSpacing != null ? s.pixelSpacing : s.imagerPixelSpacing;
		if (ps == null) {
			warnings.add("no PixelSpacing: 1 mm assumed");
			return new double[] {1, 1};
		}
		return new double[] {ps[1], ps[0]}; // x = column spacing, y = row spacing
	}

	private static double fallbackSliceSpacing(DicomObject o) {
		double z = o.getDouble(Tag.SpacingBetweenSlices, Double.NaN);
		if (!(z > 0)) {
			double[] v = functionalGroup(o, Tag.PixelMeasuresSequence, Tag.SpacingBetweenSlices);
			if (v != null && v.length > 0) z = v[0];
		}
		if (!(z > 0)) z = o.getDouble(Tag.SliceThickness, Double.NaN);
		if (!(z > 0)) {
			double[] v = functionalGroup(o, Tag.PixelMeasuresSequence, Tag.SliceThickness);
			if (v != null && v.length > 0) z = v[0];
		}
		return z > 0 && Double.isFinite(z) ? z : Double.NaN;
	}

	private static DicomSeries multiFrame(Slice s, boolean noUid, List<String> skipWarnings) {
		MultiFrameLayout l = s.layout;
		List<String> w = new ArrayList<>();
		if (noUid) w.add("file has no SeriesInstanceUID");
		w.addAll(l.warnings());
		w.addAll(skipWarnings);
		return new DicomSeries(s.uid, s.modality, s.rows, s.columns, List.of(s.file), l.spacing(), l.origin(),
			l.direction(), w, s.description, s.window, s.frames);
	}

	private static DicomSeries stack(List<Slice> part, List<String> w, List<String> skipWarnings) {
		Slice ref = part.get(0);
		double[] dir = direction(ref.iop);
		boolean positioned = ref.iop != null && part.stream().allMatch(s -> s.ipp != null);
		List<Slice> sorted = new ArrayList<>(part);
		if (positioned) {
			sorted.sort(Comparator.comparingDouble((Slice s) -> dot(dir, 6, s.ipp)).thenComparing(s -> s.file.toString()));
		} else {
			w.add("no ImagePositionPatient/ImageOrientationPatient: slices ordered by InstanceNumber, geometry assumed");
			sorted.sort(Comparator.comparingInt((Slice s) -> s.instanceNumber).thenComparing(s -> s.file.toString()));
		}
		double[] xy = inPlaneSpacing(ref, w);
		for (Slice s : sorted) {
			double[] ps = s.pixelSpacing;
			if ((ps == null) != (ref.pixelSpacing == null) || (ps != null
				&& (Math.abs(ps[0] - ref.pixelSpacing[0]) > 1e-4 || Math.abs(ps[1] - ref.pixelSpacing[1]) > 1e-4))) {
				w.add("inconsistent PixelSpacing: " + name(s) + " has " + Arrays.toString(ps) + " but " + name(ref)
					+ " has " + Arrays.toString(ref.pixelSpacing));
				break;
			}
		}
		double z = Double.NaN;
		if (positioned && sorted.size() > 1) {
			double[][] ipps = new double[sorted.size()][];
			String[] names = new String[sorted.size()];
			for (int i = 0; i < ipps.length; i++) {
				ipps[i] = sorted.get(i).ipp;
				names[i] = name(sorted.get(i));
			}
			z = sliceSpacing(ipps, names, dir, w);
		}
		if (!(z > 0)) z = fallbackSliceSpacing(ref.header);
		if (!(z > 0)) {
			w.add(sorted.size() == 1 ? "single slice without SliceThickness or SpacingBetweenSlices: 1 mm assumed for its "
				+ "thickness (volumes depend on it)" : "no slice spacing from positions, SpacingBetweenSlices or "
				+ "SliceThickness: 1 mm assumed between slices");
			z = 1;
		}
		double[] origin = positioned ? sorted.get(0).ipp : new double[3];
		List<Path> files = new ArrayList<>();
		for (Slice s : sorted) files.add(s.file);
		w.addAll(skipWarnings);
		Slice first = sorted.get(0);
		return new DicomSeries(ref.uid, ref.modality, ref.rows, ref.columns, files, new double[] {xy[0], xy[1], z},
			origin, dir, w, ref.description, first.window);
	}

	/** Median spacing along the normal, with warnings for duplicates, gaps, uneven spacing and tilt. */
	static double sliceSpacing(double[][] sorted, String[] names, double[] dir, List<String> w) {
		int n = sorted.length;
		double[] d = new double[n];
		for (int i = 0; i < n; i++) d[i] = dot(dir, 6, sorted[i]);
		double[] diffs = new double[n - 1];
		List<Double> positive = new ArrayList<>();
		List<String> duplicates = new ArrayList<>();
		for (int i = 0; i + 1 < n; i++) {
			diffs[i] = d[i + 1] - d[i];
			if (diffs[i] < DUPLICATE_MM) {
				duplicates.add(String.format(Locale.ROOT, "%s and %s at %.3f mm", names[i], names[i + 1], d[i]));
			} else {
				positive.add(diffs[i]);
			}
		}
		if (!duplicates.isEmpty())
			w.add("duplicate slice positions (" + duplicates.size() + "): "
				+ String.join("; ", duplicates.subList(0, Math.min(3, duplicates.size())))
				+ (duplicates.size() > 3 ? "; …" : ""));
		if (positive.isEmpty()) return Double.NaN;
		double med = median(positive.stream().mapToDouble(Double::doubleValue).toArray());
		double lo = Double.MAX_VALUE;
		double hi = 0;
		boolean uneven = false;
		for (int i = 0; i + 1 < n; i++) {
			double g = diffs[i];
			if (g < DUPLICATE_MM) continue;
			if (g > 1.5 * med) {
				w.add(String.format(Locale.ROOT, "gap of %.3f mm between %s and %s (median spacing %.3f mm): missing slices?",
					g, names[i], names[i + 1], med));
			} else if (Math.abs(g - med) > Math.max(0.01, 0.01 * med)) {
				uneven = true;
			}
			lo = Math.min(lo, g);
			hi = Math.max(hi, g);
		}
		if (uneven)
			w.add(String.format(Locale.ROOT, "non-uniform slice spacing: %.3f to %.3f mm (median %.3f mm used)", lo, hi, med));
		double[] p0 = sorted[0];
		for (int i = 0; i < n; i++) {
			double[] q = sorted[i];
			double[] v = {q[0] - p0[0], q[1] - p0[1], q[2] - p0[2]};
			double along = dot(dir, 6, v);
			double off = Math.sqrt(Math.max(0, v[0] * v[0] + v[1] * v[1] + v[2] * v[2] - along * along));
			if (off > 0.01 + 1e-3 * Math.abs(along)) {
				w.add(String.format(Locale.ROOT, "slices are not stacked along the slice normal (%s is %.3f mm off it; "
					+ "gantry tilt?): geometry is approximate", names[i], off));
				break;
			}
		}
		return med;
	}

	private static String name(Slice s) {
		return s.file.getFileName().toString();
	}

	static double dot(double[] a, int off, double[] b) {
		return a[off] * b[0] + a[off + 1] * b[1] + a[off + 2] * b[2];
	}

	static double median(double[] v) {
		double[] s = v.clone();
		Arrays.sort(s);
		int n = s.length;
		return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	}
}
