package org.medcnn.ij;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ImageProcessor;

import java.awt.Rectangle;
import java.util.List;

import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;

/**
 * Training data from open images, for {@code Train Segmenter...} without folders: the label mask of the current
 * image from a label image on the same pixel grid, or from area ROIs (each drawn on the slice of its position, as
 * the ROI Manager stores them). The image itself becomes a volume through {@link IjVolumes#toVolume(ImagePlus)}.
 * Stateless.
 */
public final class ImageTrainingData {

	private ImageTrainingData() {}

	/**
	 * The labels of an 8- or 16-bit label image (values 0…255) as a mask on the image's grid.
	 *
	 * @throws IllegalArgumentException when the label image's size differs from the image's, or its type or values
	 *         do not fit (see {@link IjVolumes#toMask})
	 */
	public static Mask fromLabelImage(ImagePlus image, ImagePlus labels) {
		if (labels.getWidth() != image.getWidth() || labels.getHeight() != image.getHeight()
			|| labels.getStackSize() != image.getStackSize())
			throw new IllegalArgumentException("The mask image \"" + labels.getTitle() + "\" is " + size(labels)
				+ " pixels but the image \"" + image.getTitle() + "\" is " + size(image) + "; they must lie on the same grid");
		Geometry g = IjVolumes.geometry(image);
		return new Mask(g, IjVolumes.toMask(labels).labels());
	}

	/**
	 * Area ROIs drawn into a mask (label 1) on the image's grid. Each ROI lies on the slice of its position
	 * ({@link Roi#getZPosition()} for hyperstacks, else {@link Roi#getPosition()}); on a single-slice image,
	 * position 0 means slice 1.
	 *
	 * @throws IllegalArgumentException when there is no ROI, a ROI is no area, or it has no slice position on a
	 *         stack, or its position lies outside the stack (the message names the ROI)
	 */
	public static Mask fromRois(ImagePlus image, Roi[] rois) {
		if (rois == null || rois.length == 0)
			throw new IllegalArgumentException("There are no ROIs: add the lesion outlines to the ROI Manager (one per slice"
				+ " they are drawn on)");
		Geometry g = IjVolumes.geometry(image);
		byte[] labels = new byte[g.voxelCount()];
		int w = g.nx(), h = g.ny();
		for (int k = 0; k < rois.length; k++) {
			Roi roi = rois[k];
			String name = "ROI " + (k + 1) + (roi.getName() == null ? "" : " (\"" + roi.getName() + "\")");
			if (!roi.isArea())
				throw new IllegalArgumentException(name + " is a " + roi.getTypeAsString() + ", not an area; only area ROIs"
					+ " outline lesions");
			int z = roi.getZPosition() > 0 && image.isHyperStack() ? roi.getZPosition() : roi.getPosition();
			if (z == 0 && g.nz() == 1) z = 1;
			if (z == 0)
				throw new IllegalArgumentException(name + " has no slice position; on a stack, add ROIs to the ROI Manager"
					+ " with their slice shown (they then keep its number)");
			if (z < 1 || z > g.nz())
				throw new IllegalArgumentException(name + " lies on slice " + z + " but the image has " + g.nz() + " slices");
			Rectangle b = roi.getBounds();
			ImageProcessor m = roi.getMask(); // null for a rectangle: all of its bounds
			int off = (z - 1) * g.sliceSize();
			for (int y = Math.max(0, b.y); y < Math.min(h, b.y + b.height); y++)
				for (int x = Math.max(0, b.x); x < Math.min(w, b.x + b.width); x++)
					if (m == null || m.get(x - b.x, y - b.y) != 0) labels[off + y * w + x] = 1;
		}
		return new Mask(g, labels);
	}

	private static String size(ImagePlus imp) {
		return imp.getWidth() + "×" + imp.getHeight() + "×" + imp.getStackSize();
	}

	/** Open images with a class each, for {@code Train Classifier...} without a data folder. */
	public record LabelledImages(List<org.medcnn.volume.Volume> items, int[] labels, List<String> classNames,
		List<String> titles) {}

	/**
	 * Parses {@code title=class; title=class; …} against the open images and the class names (in output order),
	 * and takes from each image its current slice (the slice the user is looking at), in HU.
	 *
	 * @param assignments e.g. {@code "case01=high; case02=low"}; entries with an empty class are skipped
	 * @param classNames comma-separated, e.g. {@code "low, intermediate, high"}: at least two
	 * @param open looks up an open image by title (null when there is none)
	 * @throws IllegalArgumentException naming the entry, the title or the class that is wrong
	 */
	public static LabelledImages labelled(String assignments, String classNames,
		java.util.function.Function<String, ImagePlus> open) {
		List<String> classes = new java.util.ArrayList<>();
		for (String c : (classNames == null ? "" : classNames).split(",")) if (!c.isBlank()) classes.add(c.trim());
		if (classes.size() < 2)
			throw new IllegalArgumentException("Classes: give at least two class names, comma-separated (key classes), e.g."
				+ " classes=[no-tumour, tumour]; got \"" + classNames + "\"");
		if (new java.util.HashSet<>(classes).size() != classes.size())
			throw new IllegalArgumentException("Classes: the names " + classes + " repeat one");
		List<org.medcnn.volume.Volume> items = new java.util.ArrayList<>();
		List<Integer> labels = new java.util.ArrayList<>();
		List<String> titles = new java.util.ArrayList<>();
		for (String entry : (assignments == null ? "" : assignments).split(";")) {
			if (entry.isBlank()) continue;
			int eq = entry.lastIndexOf('=');
			if (eq <= 0)
				throw new IllegalArgumentException("Images: \"" + entry.trim() + "\" is not title=class (key images)");
			String title = entry.substring(0, eq).trim(), cls = entry.substring(eq + 1).trim();
			if (cls.isEmpty()) continue;
			int label = classes.indexOf(cls);
			if (label < 0)
				throw new IllegalArgumentException("Images: \"" + title + "\" has class \"" + cls + "\", which is not one of "
					+ classes + " (key classes)");
			ImagePlus imp = open.apply(title);
			if (imp == null) throw new IllegalArgumentException("Images: no open image is called \"" + title + "\"");
			org.medcnn.volume.Volume v = IjVolumes.toVolume(imp);
			items.add(org.medcnn.volume.Volumes.slice(v, imp.getCurrentSlice() - 1));
			labels.add(label);
			titles.add(title);
		}
		for (int k = 0; k < classes.size(); k++)
			if (!labels.contains(k))
				throw new IllegalArgumentException("Images: no image has the class \"" + classes.get(k) + "\"; every class"
					+ " needs at least one");
		return new LabelledImages(items, labels.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(classes),
			titles);
	}
}
