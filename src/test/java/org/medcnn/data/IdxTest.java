package org.medcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;

/** {@link Idx} and {@link FashionMnist} on small IDX files written here. */
class IdxTest {

	@TempDir
	Path dir;

	@Test
	void testReadsPlainAndGzipIdx() throws IOException {
		byte[] data = new byte[3 * 2 * 4];
		for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 11);
		for (boolean gz : new boolean[] {false, true}) {
			Path f = idx(dir.resolve(gz ? "a.gz" : "a"), gz, 0x08, new int[] {3, 2, 4}, data);
			Idx.Array a = Idx.read(f);
			assertArrayEquals(new int[] {3, 2, 4}, a.dims());
			assertEquals(3, a.count());
			assertEquals(8, a.itemSize());
			assertArrayEquals(data, a.data());
			assertEquals(253, a.unsigned(23), "unsigned: 23 × 11 = 253");
		}
	}

	@Test
	void testHostileHeadersAreRefused() throws IOException {
		Path cut = idx(dir.resolve("cut.gz"), true, 0x08, new int[] {1_000_000_000}, new byte[10]);
		ImageFileException e = assertThrows(ImageFileException.class, () -> Idx.read(cut));
		assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("truncated: 10 of the 1000000000"),
			e.getMessage());
		Path huge = idx(dir.resolve("huge"), false, 0x08, new int[] {65536, 65536}, new byte[0]);
		assertTrue(assertThrows(ImageFileException.class, () -> Idx.read(huge)).getMessage().contains("more than 2^31"));
		Path floats = idx(dir.resolve("floats"), false, 0x0D, new int[] {1}, new byte[4]);
		assertTrue(assertThrows(ImageFileException.class, () -> Idx.read(floats)).getMessage().contains("0x0D"));
		Path shortHeader = Files.write(dir.resolve("short"), new byte[] {0, 0, 8});
		assertTrue(assertThrows(ImageFileException.class, () -> Idx.read(shortHeader)).getMessage().contains("header: truncated"));
		Path notIdx = Files.write(dir.resolve("png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4});
		assertTrue(assertThrows(ImageFileException.class, () -> Idx.read(notIdx)).getMessage().contains("not an IDX file"));
	}

	@Test
	void testFashionMnistSplitToPngClassFolders() throws IOException {
		// 20 images of 3×2 pixels: image i is all i × 10, label i % 10.
		int n = 20;
		byte[] pixels = new byte[n * 6], labels = new byte[n];
		for (int i = 0; i < n; i++) {
			labels[i] = (byte) (i % 10);
			for (int p = 0; p < 6; p++) pixels[i * 6 + p] = (byte) (i * 10);
		}
		idx(dir.resolve("train-images-idx3-ubyte.gz"), true, 0x08, new int[] {n, 2, 3}, pixels);
		idx(dir.resolve("train-labels-idx1-ubyte.gz"), true, 0x08, new int[] {n}, labels);
		FashionMnist.Split s = FashionMnist.read(dir, FashionMnist.TRAIN);
		assertEquals(List.of(20, 2, 3), List.of(s.count(), s.rows(), s.columns()));
		Path out = dir.resolve("png");
		FashionMnist.writePngFolders(s, 15, out, ProgressListener.NONE, new Cancellation());
		List<Datasets.Item> items = Datasets.loadItems(out, ProgressListener.NONE, new Cancellation());
		assertEquals(15, items.size());
		List<String> sorted = FashionMnist.CLASS_NAMES.stream().sorted().toList();
		for (Datasets.Item it : items) {
			int i = Integer.parseInt(it.name().replaceAll(".*/(\\d+)\\.png", "$1"));
			assertEquals(FashionMnist.CLASS_NAMES.get(i % 10), sorted.get(it.label()), it.name());
			assertEquals(3, it.image().geometry().nx());
			assertEquals(i * 10, it.image().get(2, 1, 0), 0f, it.name());
		}
	}

	@Test
	void testFashionMnistMissingOrInconsistent() throws IOException {
		NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.read(dir, FashionMnist.TEST));
		assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
		idx(dir.resolve("t10k-images-idx3-ubyte"), false, 0x08, new int[] {2, 1, 1}, new byte[2]);
		idx(dir.resolve("t10k-labels-idx1-ubyte"), false, 0x08, new int[] {2}, new byte[] {3, 10});
		assertTrue(assertThrows(ImageFileException.class, () -> FashionMnist.read(dir, FashionMnist.TEST)).getMessage()
			.contains("label 10"));
	}

	/** Writes an IDX file: header (0, 0, type, rank, sizes) and {@code data}. */
	private static Path idx(Path f, boolean gzip, int type, int[] dims, byte[] data) throws IOException {
		ByteArrayOutputStream b = new ByteArrayOutputStream();
		DataOutputStream d = new DataOutputStream(b);
		d.writeShort(0);
		d.writeByte(type);
		d.writeByte(dims.length);
		for (int x : dims) d.writeInt(x);
		d.write(data);
		try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
			o.write(b.toByteArray());
		}
		return f;
	}
}
