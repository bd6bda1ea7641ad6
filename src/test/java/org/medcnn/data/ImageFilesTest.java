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
import java.util.Arrays;
import java.util.List;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Geometry;

/**
 * {@link ImageFiles}: one test per format and sample kind, each on a fixture written here with its expected values,
 * and the hostile inputs (truncated, damaged, absurd sizes) refused with the file's name before any allocation.
 */
class ImageFilesTest {

	@TempDir
	Path dir;

	// ---- PNG ----

	@Test
	void testPngGrey8() throws IOException {
		BufferedImage im = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
		for (int i = 0; i < 15; i++) im.getRaster().setSample(i % 5, i / 5, 0, i * 17);
		ImageFiles.Image r = ImageFiles.read(write(im, "png", "g8.png"));
		float[] expected = new float[15];
		for (int i = 0; i < 15; i++) expected[i] = i * 17;
		assertArrayEquals(expected, r.volume().voxels(), 0f, "row-major [y][x], values as stored");
		Geometry g = r.volume().geometry();
		assertEquals(List.of(5, 3, 1), List.of(g.nx(), g.ny(), g.nz()));
		assertArrayEquals(new double[] {1, 1, 1}, g.spacingMm(), 0, "1 mm: a PNG records no trusted spacing");
		assertEquals("OT", r.volume().modality());
		assertFalse(r.rgb());
		assertFalse(r.spacingRecorded());
		assertEquals(List.of("g8.png"), r.volume().sliceLabels());
	}

	@Test
	void testPngRgbBecomesLuma() throws IOException {
		BufferedImage im = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
		im.setRGB(0, 0, (10 << 16) | (20 << 8) | 30);
		im.setRGB(1, 0, (77 << 16) | (77 << 8) | 77);
		ImageFiles.Image r = ImageFiles.read(write(im, "png", "rgb.png"));
		assertTrue(r.rgb());
		assertEquals(0.299 * 10 + 0.587 * 20 + 0.114 * 30, r.volume().voxels()[0], 1e-4, "Rec. 601 luma");
		assertEquals(77f, r.volume().voxels()[1], 0f, "a grey pixel keeps its value exactly");
		assertTrue(r.warnings().stream().anyMatch(w -> w.contains("colour converted to grey")), r.warnings().toString());
	}

	@Test
	void testPngGrey16IsUnsigned() throws IOException {
		BufferedImage im = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
		im.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 40000, 65535});
		ImageFiles.Image r = ImageFiles.read(write(im, "png", "g16.png"));
		assertArrayEquals(new float[] {0, 40000, 65535}, r.volume().voxels(), 0f);
		assertFalse(r.rgb());
	}

	// ---- TIFF ----

	@Test
	void testTiff8BitLittleEndian() throws IOException {
		Path f = bytes("t8.tif", TiffBytes.littleEndian().grey8(3, 2, 0, 1, 2, 128, 254, 255).build());
		assertArrayEquals(new float[] {0, 1, 2, 128, 254, 255}, ImageFiles.read(f).volume().voxels(), 0f);
	}

	@Test
	void testTiff16BitUnsignedAndSigned() throws IOException {
		Path u = bytes("u16.tif", TiffBytes.bigEndian().grey16(2, 2, TiffDirectories.UNSIGNED, 0, 1000, 40000, 65535).build());
		assertArrayEquals(new float[] {0, 1000, 40000, 65535}, ImageFiles.read(u).volume().voxels(), 0f, "unsigned by default");
		Path s = bytes("s16.tif", TiffBytes.bigEndian().grey16(2, 2, TiffDirectories.SIGNED, -1024, -1, 0, 3071).build());
		assertArrayEquals(new float[] {-1024, -1, 0, 3071}, ImageFiles.read(s).volume().voxels(), 0f, "SampleFormat 2: signed");
	}

	@Test
	void testTiff32BitFloatAndUnsignedInteger() throws IOException {
		Path f = bytes("f32.tif", TiffBytes.bigEndian().float32(2, 2, -1000.5f, 0.25f, 3.0e7f, -0f).build());
		assertArrayEquals(new float[] {-1000.5f, 0.25f, 3.0e7f, -0f}, ImageFiles.read(f).volume().voxels(), 0f, "floats kept");
		Path u = bytes("u32.tif", TiffBytes.littleEndian().int32(2, 1, TiffDirectories.UNSIGNED, 7, 4_000_000_000L).build());
		assertArrayEquals(new float[] {7, 4.0e9f}, ImageFiles.read(u).volume().voxels(), 0f, "32-bit unsigned above 2^31");
	}

	@Test
	void testTiffStackPageKIsSliceK() throws IOException {
		TiffBytes t = TiffBytes.bigEndian();
		for (int k = 0; k < 4; k++) t.grey16(3, 2, 1, 100 * k, 100 * k + 1, 100 * k + 2, 100 * k + 3, 100 * k + 4, 100 * k + 5);
		ImageFiles.Image r = ImageFiles.read(bytes("stack.tif", t.build()));
		Geometry g = r.volume().geometry();
		assertEquals(List.of(3, 2, 4), List.of(g.nx(), g.ny(), g.nz()));
		for (int k = 0; k < 4; k++)
			for (int i = 0; i < 6; i++) assertEquals(100 * k + i, r.volume().voxels()[k * 6 + i], 0f, "page " + k + " pixel " + i);
		assertEquals("stack.tif:3", r.volume().sliceLabels().get(2));
	}

	@Test
	void testTiffRgbBecomesLuma() throws IOException {
		Path f = bytes("rgb.tif", TiffBytes.bigEndian().rgb8(2, 1, 200, 100, 0, 9, 9, 9).build());
		ImageFiles.Image r = ImageFiles.read(f);
		assertTrue(r.rgb());
		assertArrayEquals(new float[] {(float) (0.299 * 200 + 0.587 * 100), 9}, r.volume().voxels(), 1e-4f);
	}

	@Test
	void testCompressedTiffStackFromTheJdkWriter() throws IOException {
		Path f = dir.resolve("lzw.tiff");
		ImageWriter w = ImageIO.getImageWritersByFormatName("tiff").next();
		ImageWriteParam p = w.getDefaultWriteParam();
		p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
		p.setCompressionType("LZW");
		try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
			w.setOutput(out);
			w.prepareWriteSequence(null);
			for (int k = 0; k < 3; k++) {
				BufferedImage im = new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY);
				for (int y = 0; y < 30; y++)
					for (int x = 0; x < 40; x++) im.getRaster().setSample(x, y, 0, 1000 * k + x + y);
				w.writeToSequence(new IIOImage(im, null, null), p);
			}
			w.endWriteSequence();
		}
		w.dispose();
		ImageFiles.Image r = ImageFiles.read(f);
		assertEquals(3, r.volume().geometry().nz());
		assertEquals(2000 + 7 + 5, r.volume().get(7, 5, 2), 0f);
	}

	@Test
	void testImageJCalibrationGivesSpacing() throws IOException {
		// As ImageJ 1.54's TiffEncoder writes it: XResolution = 1/pixelWidth (6 decimals), unit and spacing described.
		TiffBytes t = TiffBytes.bigEndian().description("ImageJ=1.54p\nimages=2\nslices=2\nunit=mm\nspacing=2.5\nloop=false\n")
			.resolution(1428571, 1000000, 1250000, 1000000, 1);
		t.grey8(2, 1, 1, 2).grey8(2, 1, 3, 4);
		ImageFiles.Image r = ImageFiles.read(bytes("ij.tif", t.build()));
		assertTrue(r.spacingRecorded());
		assertArrayEquals(new double[] {0.7, 0.8, 2.5}, r.volume().geometry().spacingMm(), 1e-6);
		TiffBytes um = TiffBytes.bigEndian().description("ImageJ=1.54p\nunit=\\u00B5m\n").resolution(20, 1, 20, 1, 1);
		assertArrayEquals(new double[] {0.05e-3, 0.05e-3, 1e-3}, ImageFiles.read(bytes("um.tif", um.grey8(1, 1, 0).build()))
			.volume().geometry().spacingMm(), 1e-12, "ImageJ's escaped micron");
	}

	@Test
	void testResolutionOfOtherTiffsIsNotTrusted() throws IOException {
		Path f = bytes("dpi.tif", TiffBytes.bigEndian().resolution(72, 1, 72, 1, 2).grey8(1, 1, 5).build());
		ImageFiles.Image r = ImageFiles.read(f);
		assertFalse(r.spacingRecorded());
		assertArrayEquals(new double[] {1, 1, 1}, r.volume().geometry().spacingMm(), 0, "72 dpi is an editor's default");
		assertTrue(r.warnings().contains("no pixel spacing recorded: 1 mm assumed"), r.warnings().toString());
		Path px = bytes("px.tif", TiffBytes.bigEndian().description("ImageJ=1.54p\nunit=pixel\n").resolution(2, 1, 2, 1, 1)
			.grey8(1, 1, 5).build());
		assertFalse(ImageFiles.read(px).spacingRecorded(), "a unit that is not a length");
	}

	@Test
	void testImageJStraightLineCalibrationIsApplied() throws IOException {
		// Signed 16-bit data as ImageJ stores it: unsigned with 32768 added, and the function that takes it off.
		Path f = bytes("cal.tif", TiffBytes.bigEndian().description("ImageJ=1.54p\ncf=0\nc0=-32768.0\nc1=1.0\nvunit=HU\n")
			.grey16(2, 1, 1, 32768 - 1000, 32768 + 40).build());
		ImageFiles.Image r = ImageFiles.read(f);
		assertArrayEquals(new float[] {-1000, 40}, r.volume().voxels(), 0f);
		assertTrue(r.warnings().stream().anyMatch(w -> w.contains("ImageJ calibration applied")), r.warnings().toString());
		Path labels = bytes("cal8.tif", TiffBytes.bigEndian().description("ImageJ=1.54p\ncf=0\nc0=-10.0\nc1=1.0\n")
			.grey8(2, 1, 1, 2).build());
		assertArrayEquals(new byte[] {1, 2}, ImageFiles.readLabels(labels).mask().labels(), "labels are stored values");
		assertArrayEquals(new float[] {-9, -8}, ImageFiles.read(labels).volume().voxels(), 0f);
	}

	@Test
	void testWhiteIsZeroKeepsStoredValues() throws IOException {
		// ImageJ shows the stored values of a WhiteIsZero image (with an inverted LUT); the JDK decoder inverts them.
		byte[] b = TiffBytes.bigEndian().page(new TiffBytes.Page(3, 1, 8, 1, 1, 0, new byte[] {0, 1, 2})).build();
		Path f = bytes("wiz.tif", b);
		assertArrayEquals(new float[] {0, 1, 2}, ImageFiles.read(f).volume().voxels(), 0f);
		assertArrayEquals(new byte[] {0, 1, 2}, ImageFiles.readLabels(f).mask().labels());
		byte[] b16 = TiffBytes.bigEndian().grey16(2, 1, 1, 7, 60000).build();
		setShort(b16, 262, 0);
		assertArrayEquals(new float[] {7, 60000}, ImageFiles.read(bytes("wiz16.tif", b16)).volume().voxels(), 0f);
	}

	@Test
	void testPalettes() throws IOException {
		// Colours: luma. Greys in order: a display LUT, the indices are the values. Greys out of order: their levels.
		byte[] reds = {(byte) 200, 50, 0}, greens = {100, 50, 0}, blues = {0, 50, 0};
		ImageFiles.Image c = ImageFiles.read(write(indexed(reds, greens, blues), "png", "colour.png"));
		assertTrue(c.rgb());
		assertArrayEquals(new float[] {(float) (0.299 * 200 + 0.587 * 100), 50, 0}, c.volume().voxels(), 1e-4f);
		byte[] inverted = {(byte) 255, (byte) 254, (byte) 253};
		ImageFiles.Image inv = ImageFiles.read(write(indexed(inverted, inverted, inverted), "png", "inv.png"));
		assertFalse(inv.rgb());
		assertArrayEquals(new float[] {0, 1, 2}, inv.volume().voxels(), 0f);
		byte[] shuffled = {90, 10, (byte) 250};
		ImageFiles.Image sh = ImageFiles.read(write(indexed(shuffled, shuffled, shuffled), "png", "shuffled.png"));
		assertArrayEquals(new float[] {90, 10, 250}, sh.volume().voxels(), 0f);
		assertArrayEquals(new byte[] {0, 1, 2}, ImageFiles.readLabels(dir.resolve("colour.png")).mask().labels(),
			"labels: the indices");
	}

	/** A 3×1 image of indices 0, 1, 2 over a 3-entry palette. */
	private static BufferedImage indexed(byte[] r, byte[] g, byte[] b) {
		java.awt.image.IndexColorModel cm = new java.awt.image.IndexColorModel(8, 3, r, g, b);
		BufferedImage im = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, cm);
		im.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 1, 2});
		return im;
	}

	// ---- JPEG, BMP ----

	@Test
	void testJpegGreyAndColour() throws IOException {
		// Flat 8×8 blocks survive JPEG's DCT with at most a unit of rounding.
		BufferedImage g = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = 0; y < 8; y++)
			for (int x = 0; x < 16; x++) g.getRaster().setSample(x, y, 0, x < 8 ? 40 : 200);
		ImageFiles.Image r = ImageFiles.read(write(g, "jpeg", "g.jpg"));
		assertFalse(r.rgb());
		assertEquals(40, r.volume().get(3, 3, 0), 2);
		assertEquals(200, r.volume().get(12, 3, 0), 2);
		BufferedImage c = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < 16; y++)
			for (int x = 0; x < 16; x++) c.setRGB(x, y, 0x4080C0);
		ImageFiles.Image rc = ImageFiles.read(write(c, "jpeg", "c.jpeg"));
		assertTrue(rc.rgb());
		assertEquals(0.299 * 0x40 + 0.587 * 0x80 + 0.114 * 0xC0, rc.volume().get(8, 8, 0), 3);
	}

	@Test
	void testBmpGreyAndColour() throws IOException {
		BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
		g.getRaster().setSamples(0, 0, 3, 2, 0, new int[] {0, 50, 100, 150, 200, 255});
		ImageFiles.Image r = ImageFiles.read(write(g, "bmp", "g.bmp"));
		assertArrayEquals(new float[] {0, 50, 100, 150, 200, 255}, r.volume().voxels(), 0f, "8-bit BMP: a grey palette");
		assertFalse(r.rgb());
		BufferedImage c = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
		c.setRGB(0, 0, 0x0A141E);
		c.setRGB(1, 0, 0x404040);
		ImageFiles.Image rc = ImageFiles.read(write(c, "bmp", "c.bmp"));
		assertTrue(rc.rgb());
		assertArrayEquals(new float[] {(float) (0.299 * 10 + 0.587 * 20 + 0.114 * 30), 64}, rc.volume().voxels(), 1e-4f);
	}

	@Test
	void testFormatIsToldByContent() throws IOException {
		BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
		g.getRaster().setSample(1, 0, 0, 9);
		Path png = write(g, "png", "x.png");
		Path misnamed = Files.move(png, dir.resolve("x.jpg"));
		assertArrayEquals(new float[] {0, 9}, ImageFiles.read(misnamed).volume().voxels(), 0f);
	}

	// ---- labels ----

	@Test
	void testLabelsAreStoredIntegers() throws IOException {
		Path f = bytes("lab.tif", TiffBytes.bigEndian().grey16(3, 1, 1, 0, 1, 255).grey16(3, 1, 1, 2, 0, 0).build());
		ImageFiles.Labels l = ImageFiles.readLabels(f);
		assertArrayEquals(new byte[] {0, 1, (byte) 255, 2, 0, 0}, l.mask().labels());
		assertEquals(3, l.mask().geometry().nx());
		assertEquals(2, l.mask().geometry().nz());
		Path fl = bytes("labf.tif", TiffBytes.bigEndian().float32(2, 1, 0f, 3f).build());
		assertArrayEquals(new byte[] {0, 3}, ImageFiles.readLabels(fl).mask().labels(), "float labels holding integers");
	}

	@Test
	void testLabelsOutOfRangeOrColourOrLossyAreRefused() throws IOException {
		Path big = bytes("big.tif", TiffBytes.bigEndian().grey16(3, 1, 1, 0, 0, 300).build());
		ImageFileException e = assertThrows(ImageFileException.class, () -> ImageFiles.readLabels(big));
		assertTrue(e.getMessage().startsWith(big.toString()) && e.getMessage().contains("pixel (2, 0) holds 300"), e.getMessage());
		Path frac = bytes("frac.tif", TiffBytes.bigEndian().float32(1, 1, 0.5f).build());
		assertThrows(ImageFileException.class, () -> ImageFiles.readLabels(frac));
		Path rgb = bytes("rgbl.tif", TiffBytes.bigEndian().rgb8(1, 1, 1, 1, 1).build());
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.readLabels(rgb)).getMessage().contains("3 samples"));
		BufferedImage g = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
		Path jpg = write(g, "jpeg", "l.jpg");
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.readLabels(jpg)).getMessage().contains("lossy"));
	}

	// ---- hostile inputs ----

	@Test
	void testTruncatedPngIsRefusedWithItsName() throws IOException {
		BufferedImage im = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
		for (int i = 0; i < 64 * 64; i++) im.getRaster().setSample(i % 64, i / 64, 0, (i * 31) & 255);
		byte[] png = Files.readAllBytes(write(im, "png", "full.png"));
		Path half = bytes("half.png", Arrays.copyOf(png, png.length / 2));
		ImageFileException e = assertThrows(ImageFileException.class, () -> ImageFiles.read(half));
		assertTrue(e.getMessage().startsWith(half.toString()), e.getMessage());
		Path noEnd = bytes("noend.png", Arrays.copyOf(png, png.length - 12));
		e = assertThrows(ImageFileException.class, () -> ImageFiles.read(noEnd));
		assertTrue(e.getMessage().contains("IEND") && e.getMessage().contains("truncated"), e.getMessage());
	}

	@Test
	void testDamagedPngDataIsRefused() throws IOException {
		BufferedImage im = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
		for (int i = 0; i < 32 * 32; i++) im.getRaster().setSample(i % 32, i / 32, 0, (i * 7) & 255);
		byte[] png = Files.readAllBytes(write(im, "png", "ok.png"));
		for (int i = 60; i < png.length - 20; i += 7) png[i] ^= 0x5A; // inside IDAT: the zlib stream no longer checks out
		Path bad = bytes("bad.png", png);
		ImageFileException e = assertThrows(ImageFileException.class, () -> ImageFiles.read(bad));
		assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
	}

	@Test
	void testAbsurdPngSizeIsRefusedBeforeDecoding() throws IOException {
		BufferedImage im = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
		byte[] png = Files.readAllBytes(write(im, "png", "small.png"));
		// IHDR says 100000 × 100000; the CRC is not checked by the decoder, and the size check comes first anyway.
		for (int p : new int[] {16, 20}) {
			png[p] = 0;
			png[p + 1] = 1;
			png[p + 2] = (byte) 0x86;
			png[p + 3] = (byte) 0xA0;
		}
		Path huge = bytes("huge.png", png);
		ImageFileException e = assertThrows(ImageFileException.class, () -> ImageFiles.read(huge));
		assertTrue(e.getMessage().contains("IHDR") && e.getMessage().contains("100000×100000"), e.getMessage());
	}

	@Test
	void testTiffIfdLoopIsRefused() throws IOException {
		Path f = bytes("loop.tif", TiffBytes.bigEndian().grey8(1, 1, 0).grey8(1, 1, 1).loop().build());
		ImageFileException e = assertThrows(ImageFileException.class, () -> ImageFiles.read(f));
		assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("loops back"), e.getMessage());
	}

	@Test
	void testTruncatedTiffIsRefused() throws IOException {
		byte[] t = TiffBytes.bigEndian().grey16(50, 50, 1, new int[2500]).build();
		Path f = bytes("cut.tif", Arrays.copyOf(t, t.length - 100));
		ImageFileException e = assertThrows(ImageFileException.class, () -> ImageFiles.read(f));
		assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("StripByteCounts (279)")
			&& e.getMessage().contains("truncated"), e.getMessage());
	}

	@Test
	void testAbsurdTiffSizesAreRefusedBeforeAllocating() throws IOException {
		// 60000 × 60000 declared, 16 bytes of pixels in the file.
		Path f = bytes("absurd.tif", TiffBytes.bigEndian().page(new TiffBytes.Page(60000, 60000, 8, 1, 1, 1, new byte[16]))
			.build());
		ImageFileException e = assertThrows(ImageFileException.class, () -> ImageFiles.read(f));
		assertTrue(e.getMessage().contains("strips hold 16 bytes"), e.getMessage());
		// Compressed (deflate) 46000 × 46000 floats from 2 MB: fits a volume's 2^31 voxels, not a test's heap.
		byte[] t = TiffBytes.bigEndian().page(new TiffBytes.Page(46000, 46000, 32, 1, 3, 1, new byte[2 << 20])).build();
		setShort(t, 259, 8);
		Path c = bytes("heap.tif", t);
		e = assertThrows(ImageFileException.class, () -> ImageFiles.read(c));
		assertTrue(e.getMessage().contains("Java heap"), e.getMessage());
		// And 1 KB of deflate cannot hold 46000 × 46000 × 4 bytes.
		byte[] small = TiffBytes.bigEndian().page(new TiffBytes.Page(46000, 46000, 32, 1, 3, 1, new byte[1024])).build();
		setShort(small, 259, 8);
		Path s = bytes("ratio.tif", small);
		e = assertThrows(ImageFileException.class, () -> ImageFiles.read(s));
		assertTrue(e.getMessage().contains("cannot come from 1024 compressed bytes"), e.getMessage());
	}

	@Test
	void testDamagedJpegBmpAndNonImagesAreRefused() throws IOException {
		BufferedImage im = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
		for (int i = 0; i < 64 * 64; i++) im.getRaster().setSample(i % 64, i / 64, 0, (i * 13) & 255);
		byte[] jpg = Files.readAllBytes(write(im, "jpeg", "j.jpg"));
		Path cut = bytes("cut.jpg", Arrays.copyOf(jpg, jpg.length * 2 / 3));
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.read(cut)).getMessage().startsWith(cut.toString()));
		byte[] bmp = Files.readAllBytes(write(im, "bmp", "b.bmp"));
		Path cutBmp = bytes("cut.bmp", Arrays.copyOf(bmp, bmp.length / 2));
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.read(cutBmp)).getMessage().startsWith(cutBmp.toString()));
		Path text = bytes("notes.png", "not an image".getBytes());
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.read(text)).getMessage()
			.contains("not a PNG, TIFF, JPEG or BMP"));
		Path empty = bytes("empty.tif", new byte[0]);
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.read(empty)).getMessage().contains("empty"));
		Path big = bytes("big.tif", new byte[] {'I', 'I', 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.read(big)).getMessage().contains("BigTIFF"));
	}

	@Test
	void testStackPagesMustAgreeAndHyperstacksAreRefused() throws IOException {
		Path f = bytes("mixed.tif", TiffBytes.bigEndian().grey8(2, 1, 0, 0).grey8(1, 1, 0).build());
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.read(f)).getMessage().contains("page 2"));
		Path h = bytes("hyper.tif", TiffBytes.bigEndian().description("ImageJ=1.54p\nimages=2\nchannels=2\nhyperstack=true\n")
			.grey8(1, 1, 0).grey8(1, 1, 1).build());
		assertTrue(assertThrows(ImageFileException.class, () -> ImageFiles.read(h)).getMessage().contains("2 channel(s)"));
	}

	// ---- helpers ----

	private Path write(BufferedImage im, String format, String name) throws IOException {
		Path f = dir.resolve(name);
		if (!ImageIO.write(im, format, f.toFile())) throw new IOException("no " + format + " writer");
		return f;
	}

	private Path bytes(String name, byte[] b) throws IOException {
		return Files.write(dir.resolve(name), b);
	}

	/** Sets the first SHORT value of a tag in the first IFD of a big-endian TIFF built by {@link TiffBytes}. */
	private static void setShort(byte[] t, int tag, int value) {
		int n = ((t[8] & 0xFF) << 8) | (t[9] & 0xFF);
		for (int i = 0; i < n; i++) {
			int p = 10 + 12 * i;
			if ((((t[p] & 0xFF) << 8) | (t[p + 1] & 0xFF)) == tag) {
				t[p + 8] = (byte) (value >> 8);
				t[p + 9] = (byte) value;
				return;
			}
		}
		throw new IllegalArgumentException("no tag " + tag);
	}
}
