package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-segmenter}, {@code train-classifier} and {@code finetune} refuse images whose pixel spacing is not
 * recorded unless given {@code --assume-geometry}, as {@code predict} does (issue 15 item 7); before, they trained with a
 * warning. The refusal comes before any training and names the case, what was assumed and the option.
 */
class TrainAssumedGeometryTest {

	/** An 8-bit TIFF without a resolution: its reader assumes 1 mm; {@code lesion} gives a 0/1 label stack. */
	static byte[] tiff(int w, int h, boolean lesion) {
		int[][] entries = {{256, 3, w}, {257, 3, h}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1}, {273, 4, 8 + 2 + 8 * 12 + 4},
			{278, 3, h}, {279, 4, w * h}};
		java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 2 + entries.length * 12 + 4 + w * h)
			.order(java.nio.ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) entries.length);
		for (int[] e : entries) b.putShort((short) e[0]).putShort((short) e[1]).putInt(1).putInt(e[2]);
		b.putInt(0);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				boolean in = x >= 5 && x < 10 && y >= 4 && y < 9;
				b.put((byte) (lesion ? (in ? 1 : 0) : (in ? 200 : (x * 7 + y * 3) % 50)));
			}
		return b.array();
	}

	@Test
	void trainingCommandsRefuseAnAssumedGeometryWithoutTheOption(@TempDir Path dir) throws Exception {
		Path images = Files.createDirectories(dir.resolve("images"));
		Path masks = Files.createDirectories(dir.resolve("masks"));
		Files.write(images.resolve("nospacing.tif"), tiff(16, 16, false));
		Files.write(masks.resolve("nospacing.tif"), tiff(16, 16, true));
		Path out = dir.resolve("model");
		MainTest.Run r = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(), "--out",
			out.toString(), "--epochs", "1");
		assertEquals(1, r.code(), r.err());
		assertTrue(r.err().contains("nospacing") && r.err().contains("1 mm assumed") && r.err().contains("--assume-geometry"),
			r.err());
		assertFalse(Files.exists(out));

		MainTest.Run f = MainTest.run("finetune", "--model", "src/test/resources/golden/models/segmenter", "--images",
			images.toString(), "--masks", masks.toString(), "--out", out.toString(), "--epochs", "1");
		assertEquals(1, f.code(), f.err());
		assertTrue(f.err().contains("nospacing") && f.err().contains("--assume-geometry"), f.err());
		assertFalse(Files.exists(out));

		// the option is known to every training command (an unknown option is a usage error, exit 2)
		for (String cmd : new String[] {"train-segmenter", "train-classifier", "finetune"})
			assertTrue(MainTest.run(cmd, "--help").out().contains("--assume-geometry")
				|| MainTest.run(cmd, "--help").err().contains("--assume-geometry"), cmd);
	}

	@Test
	void withTheOptionTheSegmenterTrainsAndItsCardRecordsTheAssumption(@TempDir Path dir) throws Exception {
		Path images = Files.createDirectories(dir.resolve("images"));
		Path masks = Files.createDirectories(dir.resolve("masks"));
		Files.write(images.resolve("nospacing.tif"), tiff(16, 16, false));
		Files.write(masks.resolve("nospacing.tif"), tiff(16, 16, true));
		Path out = dir.resolve("model");
		MainTest.Run r = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(), "--out",
			out.toString(), "--epochs", "1", "--val-fraction", "0", "--samples", "4", "--batch", "2", "--assume-geometry");
		assertEquals(0, r.code(), r.err());
		String card = Files.readString(out.resolve("medcnn.json"));
		assertTrue(card.contains("1 mm assumed"), card);
	}
}
