package org.medcnn.pipeline;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.medcnn.common.AtomicFiles;
import org.medcnn.common.Json;
import org.medcnn.nn.ModelCard;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * A training-set folder that grows case by case, as the annotation loop ({@code Add to Training Set...}) fills it, in
 * the layout {@code train-segmenter --images PROJECT/images --masks PROJECT/masks} and {@code finetune} read:
 * <pre>
 * PROJECT/images/CASE/          the series by reference: one symbolic link per DICOM file, in spatial order
 * PROJECT/images/CASE.nii.gz    … or a copy of the image (real-world values, float32)
 * PROJECT/masks/CASE.nii.gz     the corrected mask (uint8 labels, 0 = background)
 * PROJECT/manifests/CASE.json   when, by whom, from which model, what the correction changed
 * </pre>
 * The manifest holds no patient identifiers: no names, IDs, UIDs or source paths (the reference's links point to the
 * files, the manifest does not repeat where). A case is written to temporary siblings and renamed into place; an
 * existing case is refused unless it is to be replaced. The source files are never written. Stateless.
 */
public final class TrainingSets {

	public static final String IMAGES = "images", MASKS = "masks", MANIFESTS = "manifests";
	/** Case names: letters, digits, {@code . _ -}, not starting with a dot; they become file names. */
	static final Pattern CASE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

	private TrainingSets() {}

	/**
	 * What to add.
	 *
	 * @param project the training-set folder (created when missing)
	 * @param caseName the case's name (see {@link #CASE_NAME})
	 * @param image the image on its grid, real-world values
	 * @param sourceFiles the image's DICOM files in spatial order (slice z = file z), or empty when there are none
	 *        (then the image is copied)
	 * @param mask the corrected mask on the image's grid
	 * @param predicted the model's mask before correction, or null when unknown
	 * @param model the card of the model that predicted, or null
	 * @param modelCardSha256 SHA-256 of that card's file, or null
	 * @param copy write a copy of the image even when it could be referenced
	 * @param replace replace the case if the project has it already
	 */
	public record Addition(Path project, String caseName, Volume image, List<Path> sourceFiles, Mask mask, Mask predicted,
		ModelCard model, String modelCardSha256, boolean copy, boolean replace) {

		public Addition {
			sourceFiles = sourceFiles == null ? List.of() : List.copyOf(sourceFiles);
		}
	}

	/**
	 * What was written.
	 *
	 * @param image the image entry (a folder of links, or a NIfTI copy)
	 * @param referenced whether the image is referenced (links) rather than copied
	 * @param manifest the manifest as written
	 */
	public record Added(Path image, Path mask, Path manifestFile, boolean referenced, Map<String, Object> manifest) {}

	/**
	 * Adds one case.
	 *
	 * @throws IllegalArgumentException when the case name is not allowed, the mask is not on the image's grid, the mask
	 *         is empty, or the case exists and is not to be replaced (the message says which)
	 * @throws IOException when the files cannot be written
	 */
	public static Added add(Addition a) throws IOException {
		String name = a.caseName() == null ? "" : a.caseName().trim();
		if (!CASE_NAME.matcher(name).matches() || name.toLowerCase(Locale.ROOT).matches(".*\\.(nii|nii\\.gz|tif|tiff|dcm|json)"))
			throw new IllegalArgumentException("case: \"" + a.caseName() + "\" is not a usable case name: use letters, digits,"
				+ " '.', '_' and '-' (at most 128, not starting with '.', no file extension); it names the case's files");
		String mismatch = a.image().geometry().describeMismatch(a.mask().geometry(), 1e-3);
		if (!mismatch.isEmpty())
			throw new IllegalArgumentException("the mask does not lie on the image's grid (" + mismatch + ")");
		if (a.predicted() != null && !a.predicted().geometry().describeMismatch(a.mask().geometry(), 1e-3).isEmpty())
			throw new IllegalArgumentException("the prediction does not lie on the image's grid");
		if (a.mask().foregroundCount() == 0)
			throw new IllegalArgumentException("the mask of case " + name + " is empty: a training case needs its lesions"
				+ " outlined (an empty mask teaches only background; outline at least one lesion)");
		Path project = a.project().toAbsolutePath().normalize();
		Path images = project.resolve(IMAGES), masks = project.resolve(MASKS), manifests = project.resolve(MANIFESTS);
		Files.createDirectories(images);
		Files.createDirectories(masks);
		Files.createDirectories(manifests);
		Path linkDir = images.resolve(name), copyFile = images.resolve(name + ".nii.gz");
		Path maskFile = masks.resolve(name + ".nii.gz"), manifestFile = manifests.resolve(name + ".json");
		List<Path> existing = new ArrayList<>();
		for (Path p : List.of(linkDir, copyFile, maskFile, manifestFile)) if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) existing.add(p);
		if (!existing.isEmpty() && !a.replace())
			throw new IllegalArgumentException("case: " + name + " is in " + project + " already (" + existing.get(0)
				+ "); choose another case name, or replace it (macro key replace)");

		// a reference folder holds links only; one holding files is the user's own data, which replacing would delete
		if (Files.isDirectory(linkDir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) try (var entries = Files.list(linkDir)) {
			Path own = entries.filter(f -> !Files.isSymbolicLink(f)).findFirst().orElse(null);
			if (own != null)
				throw new IllegalArgumentException("case: " + linkDir + " holds " + own.getFileName() + ", a file and not a link"
					+ " MedCNN made; it is not replaced: move it, or choose another case name");
		}
		boolean reference = !a.copy() && a.sourceFiles().size() == a.image().geometry().nz()
			&& a.sourceFiles().stream().allMatch(Files::isRegularFile);
		String referenceNote = null;
		Path imageTmp = null;
		if (reference) {
			try {
				imageTmp = Files.createTempDirectory(images, "." + name + ".tmp");
				int width = Math.max(4, Integer.toString(a.sourceFiles().size()).length());
				for (int z = 0; z < a.sourceFiles().size(); z++)
					Files.createSymbolicLink(imageTmp.resolve(String.format(Locale.ROOT, "%0" + width + "d.dcm", z + 1)),
						a.sourceFiles().get(z).toAbsolutePath().normalize());
			} catch (UnsupportedOperationException | IOException e) {
				if (imageTmp != null) AtomicFiles.deleteTree(imageTmp);
				imageTmp = null;
				reference = false;
				referenceNote = "the file system refused symbolic links (" + e.getMessage() + "), so the image was copied";
			}
		} else if (!a.copy()) {
			referenceNote = "the image has no readable DICOM source files (not opened from DICOM, or its slices were resampled"
				+ " or left out), so it was copied";
		}
		Path imageOut = reference ? linkDir : copyFile;
		try {
			if (!reference) {
				imageTmp = images.resolve("." + name + ".tmp-" + System.nanoTime() + ".nii.gz");
				Nifti.writeVolume(a.image(), imageTmp, Nifti.DataType.FLOAT32);
			}
			Path maskTmp = masks.resolve("." + name + ".tmp-" + System.nanoTime() + ".nii.gz");
			Nifti.writeMask(a.mask(), maskTmp);
			Map<String, Object> manifest = manifest(a, name, reference, referenceNote);
			// the new case replaces the old one entry by entry; the other form of the image goes
			for (Path p : List.of(linkDir, copyFile)) if (!p.equals(imageOut)) AtomicFiles.deleteTree(p);
			if (Files.exists(imageOut, java.nio.file.LinkOption.NOFOLLOW_LINKS)) AtomicFiles.deleteTree(imageOut);
			move(imageTmp, imageOut);
			imageTmp = null;
			move(maskTmp, maskFile);
			AtomicFiles.writeString(manifestFile, Json.writePretty(manifest) + "\n");
			return new Added(imageOut, maskFile, manifestFile, reference, manifest);
		} finally {
			if (imageTmp != null) AtomicFiles.deleteTree(imageTmp);
		}
	}

	/** The manifest of a case; see the class comment. */
	static Map<String, Object> manifest(Addition a, String name, boolean reference, String referenceNote) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("case", name);
		m.put("date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
		m.put("operator", System.getProperty("user.name", ""));
		m.put("software", "MedCNN " + org.medcnn.common.Versions.MEDCNN);
		Map<String, Object> model = new LinkedHashMap<>();
		if (a.model() != null) {
			model.put("name", a.model().name());
			model.put("cardSha256", a.modelCardSha256());
		}
		m.put("model", a.model() == null ? null : model);
		Map<String, Object> image = new LinkedHashMap<>();
		image.put("storage", reference ? "reference" : "copy");
		if (reference) image.put("files", a.sourceFiles().size());
		if (referenceNote != null) image.put("note", referenceNote);
		image.put("modality", a.image().modality());
		var g = a.image().geometry();
		image.put("size", List.of(g.nx(), g.ny(), g.nz()));
		image.put("spacingMm", List.of(g.spacingMm()[0], g.spacingMm()[1], g.spacingMm()[2]));
		m.put("image", image);
		Map<String, Object> mask = new LinkedHashMap<>();
		mask.put("voxels", a.mask().foregroundCount());
		mask.put("lesions", Lesions.measure(a.mask(), a.image()).size());
		m.put("mask", mask);
		Map<String, Object> change = new LinkedHashMap<>();
		if (a.predicted() == null) {
			change.put("note", "no prediction of this image to compare with: the mask was drawn from scratch");
		} else {
			long added = 0, removed = 0;
			byte[] p = a.predicted().labels(), c = a.mask().labels();
			for (int i = 0; i < c.length; i++) {
				boolean was = p[i] != 0, is = c[i] != 0;
				if (is && !was) added++;
				if (was && !is) removed++;
			}
			change.put("predictedVoxels", a.predicted().foregroundCount());
			change.put("voxelsAdded", added);
			change.put("voxelsRemoved", removed);
			change.put("unchanged", added == 0 && removed == 0);
		}
		m.put("correction", change);
		return m;
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}
}
