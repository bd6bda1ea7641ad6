package org.medcnn.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import org.medcnn.common.Cancellation;
import org.medcnn.common.Parallel;
import org.medcnn.common.ProgressListener;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, MIT licence): 70,000 greyscale 28×28 photographs of clothing in 10
 * classes, 60,000 for training and 10,000 for testing, as Debian's {@code dataset-fashion-mnist} package installs
 * them ({@value #DEBIAN_FOLDER}, IDX files read by {@link Idx}). Used by {@code bench quality --modality images} as a
 * public small-image benchmark: published small CNNs reach 0.91–0.93 test accuracy. Nothing is downloaded.
 * Stateless.
 */
public final class FashionMnist {

	/** Where Debian's package puts the files. */
	public static final String DEBIAN_FOLDER = "/usr/share/datasets/fashion-mnist";
	/** The command that installs them. */
	public static final String INSTALL = "apt-get install dataset-fashion-mnist";
	/** Class names by label 0…9, as folder names. */
	public static final List<String> CLASS_NAMES = List.of("t-shirt_top", "trouser", "pullover", "dress", "coat", "sandal",
		"shirt", "sneaker", "bag", "ankle_boot");
	/** The IDX file prefixes of the two splits. */
	public static final String TRAIN = "train", TEST = "t10k";

	private FashionMnist() {}

	/**
	 * One split: {@code count} images of {@code rows × columns} unsigned bytes, row-major, and their labels.
	 */
	public record Split(int count, int rows, int columns, byte[] pixels, byte[] labels) {

		/** The label (0…9) of image {@code i}. */
		public int label(int i) {
			return labels[i] & 0xFF;
		}

		/** Image {@code i} as an 8-bit grey image. */
		public BufferedImage image(int i) {
			BufferedImage im = new BufferedImage(columns, rows, BufferedImage.TYPE_BYTE_GRAY);
			byte[] dst = ((java.awt.image.DataBufferByte) im.getRaster().getDataBuffer()).getData();
			System.arraycopy(pixels, i * rows * columns, dst, 0, rows * columns);
			return im;
		}
	}

	/**
	 * Reads a split ({@link #TRAIN} or {@link #TEST}) from {@code folder}: {@code PREFIX-images-idx3-ubyte[.gz]} and
	 * {@code PREFIX-labels-idx1-ubyte[.gz]}.
	 *
	 * @throws NoSuchFileException when the files are missing; the message says how to install them
	 * @throws ImageFileException when they are damaged or disagree (counts, labels above 9)
	 */
	public static Split read(Path folder, String prefix) throws IOException {
		Path images = find(folder, prefix + "-images-idx3-ubyte"), labels = find(folder, prefix + "-labels-idx1-ubyte");
		Idx.Array im = Idx.read(images), lab = Idx.read(labels);
		int[] d = im.dims();
		if (d.length != 3) throw new ImageFileException(images, "header", d.length + " dimensions; images have 3 (count, rows, columns)");
		if (lab.dims().length != 1 || lab.count() != im.count())
			throw new ImageFileException(labels, "header", "dimensions " + java.util.Arrays.toString(lab.dims()) + " do not give one"
				+ " label for each of the " + im.count() + " images of " + images.getFileName());
		for (int i = 0; i < lab.count(); i++)
			if (lab.unsigned(i) >= CLASS_NAMES.size())
				throw new ImageFileException(labels, "item " + i, "label " + lab.unsigned(i) + " (classes are 0…9)");
		return new Split(d[0], d[1], d[2], im.data(), lab.data());
	}

	private static Path find(Path folder, String name) throws NoSuchFileException {
		for (Path p : new Path[] {folder.resolve(name + ".gz"), folder.resolve(name)}) if (Files.isRegularFile(p)) return p;
		throw new NoSuchFileException(folder.resolve(name + ".gz").toString(), null, "Fashion-MNIST is not installed (" + INSTALL
			+ ")");
	}

	/**
	 * Writes the first {@code count} images of a split as 8-bit PNGs in class folders: {@code out/CLASS/NNNNN.png}
	 * (NNNNN = the image's index in the split), on a few threads.
	 */
	public static void writePngFolders(Split s, int count, Path out, ProgressListener progress, Cancellation cancel)
		throws IOException {
		if (count < 0 || count > s.count()) throw new IllegalArgumentException("count " + count + " is outside 0…" + s.count());
		for (String c : CLASS_NAMES) Files.createDirectories(out.resolve(c));
		AtomicInteger done = new AtomicInteger();
		Parallel.forEachIndex(count, ProgressListener.NONE, cancel, "Writing", i -> {
			Path f = out.resolve(CLASS_NAMES.get(s.label(i))).resolve(String.format(Locale.ROOT, "%05d.png", i));
			if (!ImageIO.write(s.image(i), "png", f.toFile())) throw new IOException(f + ": no PNG writer available");
			synchronized (done) { // counted and reported together: progress never goes backwards
				int d = done.incrementAndGet();
				if (d % 1000 == 0 || d == count)
					progress.progress((double) d / count, String.format(Locale.ROOT, "Writing %,d/%,d PNGs to %s", d, count, out));
			}
		});
	}
}
