package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** Image files in the DESIGN.md layouts: class folders of PNGs, TIFF stacks with TIFF label stacks. */
class DatasetsImageFilesTest {

	@TempDir
	Path dir;

	@Test
	void testClassFoldersOfPngsLoadAsItems() throws IOException {
		// 3 classes (sorted: bag, coat, dress), item value = 10 × class + item index, one RGB item.
		String[] classes = {"coat", "bag", "dress"};
		int[] sortedIndex = {1, 0, 2};
		for (int c = 0; c < classes.length; c++)
			for (int i = 0; i < 4; i++) {
				BufferedImage im = new BufferedImage(6, 5, BufferedImage.TYPE_BYTE_GRAY);
				for (int p = 0; p < 30; p++) im.getRaster().setSample(p % 6, p / 6, 0, 10 * sortedIndex[c] + i);
				png(im, dir.resolve(classes[c]).resolve("item" + i + ".png"));
			}
		BufferedImage rgb = new BufferedImage(6, 5, BufferedImage.TYPE_INT_RGB);
		png(rgb, dir.resolve("bag").resolve("item9.png"));
		List<String> progress = Collections.synchronizedList(new ArrayList<>());
		List<Datasets.Item> items = Datasets.loadItems(dir, (f, m) -> progress.add(m), new Cancellation());
		assertEquals(List.of("bag", "coat", "dress"), Datasets.classNames(dir));
		assertEquals(13, items.size());
		assertEquals("bag/item0.png", items.get(0).name());
		assertEquals("bag/item9.png", items.get(4).name());
		assertTrue(items.get(4).rgb(), "the RGB item says so");
		for (int k = 0; k < items.size(); k++) {
			Datasets.Item it = items.get(k);
			if (it.rgb()) continue;
			int i = it.name().charAt(it.name().length() - 5) - '0';
			assertEquals(List.of("bag", "coat", "dress").indexOf(it.name().split("/")[0]), it.label(), it.name());
			assertEquals(10 * it.label() + i, it.image().voxels()[17], 0f, it.name());
			assertFalse(it.rgb(), it.name());
			assertEquals("OT", it.image().modality());
			assertEquals(1, it.image().geometry().nz());
		}
		assertEquals("Loading 0/13 items", progress.get(0));
		assertEquals("Loading 13/13 items", progress.get(progress.size() - 1));
	}

	@Test
	void testAThousandItemsAreCountedWithSeparators() throws IOException {
		BufferedImage im = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
		for (String c : new String[] {"a", "b"})
			for (int i = 0; i < 520; i++) png(im, dir.resolve(c).resolve(String.format("%04d.png", i)));
		List<String> progress = Collections.synchronizedList(new ArrayList<>());
		List<Datasets.Item> items = Datasets.loadItems(dir, (f, m) -> progress.add(m), new Cancellation());
		assertEquals(1040, items.size());
		assertEquals(520, items.stream().filter(i -> i.label() == 1).count());
		assertEquals("Loading 1,040/1,040 items", progress.get(progress.size() - 1));
		int last = -1;
		for (String m : progress) {
			int d = Integer.parseInt(m.replaceAll("Loading ([0-9,]+)/.*", "$1").replace(",", ""));
			assertTrue(d > last, "progress never goes backwards: " + progress);
			last = d;
		}
		assertTrue(progress.size() >= 3, "intermediate counts: " + progress);
	}

	@Test
	void testCorruptItemIsRefusedWithItsName() throws IOException {
		BufferedImage im = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
		for (int i = 0; i < 5; i++) png(im, dir.resolve("a").resolve(i + ".png"));
		png(im, dir.resolve("b").resolve("0.png"));
		Path bad = Files.write(dir.resolve("b").resolve("1.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0});
		IOException e = assertThrows(IOException.class, () -> Datasets.loadItems(dir, ProgressListener.NONE, new Cancellation()));
		assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
	}

	@Test
	void testTiffStackAndLabelStackLoadAsACase() throws IOException {
		Path images = Files.createDirectories(dir.resolve("images")), masks = Files.createDirectories(dir.resolve("masks"));
		String ij = "ImageJ=1.54p\nimages=3\nslices=3\nunit=mm\nspacing=3.0\n";
		TiffBytes img = TiffBytes.bigEndian().description(ij).resolution(2, 1, 2, 1, 1);
		TiffBytes lab = TiffBytes.littleEndian(); // no calibration: takes the image's grid
		for (int k = 0; k < 3; k++) {
			img.grey16(4, 2, 1, k, k, k, k, 100 + k, 100 + k, 100 + k, 100 + k);
			lab.grey8(4, 2, 0, 0, 0, 0, k == 1 ? 1 : 0, k == 1 ? 1 : 0, 0, 0);
		}
		Files.write(images.resolve("case01.tif"), img.build());
		Files.write(masks.resolve("case01.tiff"), lab.build());
		List<Datasets.Case> cases = Datasets.loadCases(images, masks, ProgressListener.NONE, new Cancellation());
		Datasets.Case c = cases.get(0);
		assertEquals("case01", c.name());
		Geometry g = c.image().geometry();
		assertEquals(List.of(4, 2, 3), List.of(g.nx(), g.ny(), g.nz()));
		assertArrayEquals(new double[] {0.5, 0.5, 3}, g.spacingMm(), 1e-9);
		assertEquals(g, c.mask().geometry(), "the label stack lies on the image's grid");
		assertEquals(101, c.image().get(0, 1, 1), 0f);
		assertEquals(1, c.mask().get(0, 1, 1));
		assertEquals(2, c.mask().foregroundCount());
	}

	@Test
	void testACaseKeepsItsReadersWarnings() throws IOException {
		Path images = Files.createDirectories(dir.resolve("images")), masks = Files.createDirectories(dir.resolve("masks"));
		TiffBytes img = TiffBytes.littleEndian(), lab = TiffBytes.littleEndian(); // no calibration at all
		for (int k = 0; k < 2; k++) {
			img.grey8(4, 2, 1, 2, 3, 4, 5, 6, 7, 8);
			lab.grey8(4, 2, 0, 0, 0, 0, 1, 1, 0, 0);
		}
		Files.write(images.resolve("case01.tif"), img.build());
		Files.write(masks.resolve("case01.tif"), lab.build());
		Datasets.Case c = Datasets.loadCases(images, masks, ProgressListener.NONE, new Cancellation()).get(0);
		assertTrue(c.warnings().contains("no pixel spacing recorded: 1 mm assumed"), c.warnings().toString());
	}

	@Test
	void testLabelStackOfAnotherSizeOrSpacingIsRefused() throws IOException {
		Volume v = new Volume(new Geometry(4, 2, 3, new double[] {0.5, 0.5, 3}, new double[] {10, 20, 30}, Geometry.AXIAL),
			new float[24], "MR");
		Path wrongSize = Files.write(dir.resolve("small.tif"), TiffBytes.bigEndian().grey8(4, 2, new int[8]).build());
		IOException e = assertThrows(IOException.class, () -> Datasets.loadMask(wrongSize, v.geometry()));
		assertTrue(e.getMessage().startsWith(wrongSize.toString()) && e.getMessage().contains("4×2×1"), e.getMessage());
		TiffBytes t = TiffBytes.bigEndian().description("ImageJ=1.54p\nimages=3\nunit=mm\nspacing=3\n").resolution(1, 1, 1, 1, 1);
		for (int k = 0; k < 3; k++) t.grey8(4, 2, new int[8]);
		Path wrongSpacing = Files.write(dir.resolve("spacing.tif"), t.build());
		e = assertThrows(IOException.class, () -> Datasets.loadMask(wrongSpacing, v.geometry()));
		assertTrue(e.getMessage().contains("spacing"), e.getMessage());
		// A DICOM or NIfTI image's grid (origin, orientation) is taken by an uncalibrated label stack of its size.
		TiffBytes ok = TiffBytes.bigEndian();
		for (int k = 0; k < 3; k++) ok.grey8(4, 2, new int[8]);
		Path fits = Files.write(dir.resolve("fits.tif"), ok.build());
		assertEquals(v.geometry(), Datasets.loadMask(fits, v.geometry()).geometry());
	}

	@Test
	void testImageFilesAsCaseEntries() throws IOException {
		BufferedImage im = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY);
		im.getRaster().setSample(1, 1, 0, 42);
		Path p = png(im, dir.resolve("slice7.png"));
		assertEquals("slice7", Datasets.caseName(p));
		assertEquals("scan", Datasets.caseName(Path.of("scan.TIF")));
		Datasets.Loaded l = Datasets.load(p, ProgressListener.NONE, new Cancellation());
		assertEquals(42, l.image().get(1, 1, 0), 0f);
		assertEquals(null, l.series());
		assertTrue(l.warnings().contains("no pixel spacing recorded: 1 mm assumed"), l.warnings().toString());
		Nifti.writeMask(Mask.empty(l.image().geometry()), dir.resolve("m.nii"));
		assertEquals(0, Datasets.loadMask(dir.resolve("m.nii"), l.image().geometry()).foregroundCount());
	}

	private static Path png(BufferedImage im, Path f) throws IOException {
		Files.createDirectories(f.getParent());
		if (!ImageIO.write(im, "png", f.toFile())) throw new IOException("no PNG writer");
		return f;
	}
}
