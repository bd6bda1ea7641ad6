package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ChildJvm;
import org.medcnn.common.Json;
import org.medcnn.dicom.DicomDatasetWriter;
import org.medcnn.dicom.DicomDatasetWriter.Dataset;
import org.medcnn.dicom.Tag;

/**
 * Issue 15 item 5 for {@code info --pixels} with a small heap standing in for a large file: a 100 MB multi-frame
 * file is decoded one frame at a time (it needs the file and a frame, not 400 MB of stored values), a file the
 * heap cannot hold at all is reported with the -Xmx to use, and every other file of the command is still
 * reported. Runs {@code info} in a child JVM with -Xmx256m and -Xmx64m.
 */
class InfoHeapTest {

	private static final Path SMALL = Path.of("..", "shared", "dicom-corpus", "files", "ct_small_explicit_le.dcm");

	@TempDir
	Path tmp;

	/** An 8-bit 1024 × 1024 × 100 multi-frame CT (100 MB), written without holding it in memory. */
	private Path big() throws Exception {
		int rows = 1024, cols = 1024, frames = 100;
		Dataset d = new Dataset().text(Tag.Modality, "CS", "CT").uid(Tag.SeriesInstanceUID, "1.2.3.500")
			.text(Tag.NumberOfFrames, "IS", Integer.toString(frames)).us(Tag.SamplesPerPixel, 1)
			.text(Tag.PhotometricInterpretation, "CS", "MONOCHROME2").us(Tag.Rows, rows).us(Tag.Columns, cols)
			.us(Tag.BitsAllocated, 8).us(Tag.BitsStored, 8).us(Tag.HighBit, 7).us(Tag.PixelRepresentation, 0);
		byte[] head = DicomDatasetWriter.encodeFile(d, "1.2.840.10008.5.1.4.1.1.7", "1.2.3.500.1");
		Path f = tmp.resolve("big.dcm");
		try (OutputStream o = Files.newOutputStream(f)) {
			o.write(head);
			ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
			h.putShort((short) 0x7FE0).putShort((short) 0x0010).put((byte) 'O').put((byte) 'B').putShort((short) 0)
				.putInt(rows * cols * frames);
			o.write(h.array());
			byte[] frame = new byte[rows * cols];
			for (int i = 0; i < frame.length; i++) frame[i] = (byte) (i % 251);
			for (int k = 0; k < frames; k++) o.write(frame);
		}
		return f;
	}

	private static List<Object> info(String heap, Path... files) throws Exception {
		List<String> args = new java.util.ArrayList<>(List.of("info", "--json", "--pixels"));
		for (Path f : files) args.add(f.toString());
		try (ChildJvm c = ChildJvm.start(List.of(heap), Main.class.getName(), args, Map.of())) {
			Integer code = c.await(120);
			String t = c.transcript();
			assertTrue(code != null && !t.contains("\tat "), "exit " + code + "\n" + t);
			StringBuilder json = new StringBuilder();
			for (String l : t.split("\n")) if (l.startsWith("out: ")) json.append(l.substring(5)).append('\n');
			return Json.asArray(Json.parse(json.toString()), "stdout");
		}
	}

	@Test
	void testInfoReportsEveryFileWhateverTheHeap() throws Exception {
		Assumptions.assumeTrue(Files.isRegularFile(SMALL), "shared corpus not present");
		Path big = big();
		// 256 MB: the 100 MB file is decoded frame by frame (400 MB of stored values at once would not fit)
		List<Object> r = info("-Xmx256m", big, SMALL);
		assertEquals(2, r.size());
		Map<String, Object> b = Json.asObject(r.get(0), "big");
		assertFalse(b.containsKey("error"), String.valueOf(b.get("error")));
		assertEquals(100, Json.asArray(Json.asObject(b.get("pixels"), "pixels").get("frames"), "frames").size());
		assertFalse(Json.asObject(r.get(1), "small").containsKey("error"));
		// 64 MB: the file itself does not fit; said so with the -Xmx to use, the header still described, and the
		// next file still reported
		r = info("-Xmx64m", big, SMALL);
		assertEquals(2, r.size());
		b = Json.asObject(r.get(0), "big");
		String error = String.valueOf(b.get("error"));
		assertTrue(error.contains("-Xmx") && error.contains("big.dcm"), error);
		assertEquals(100L, ((Number) b.get("frames")).longValue());
		assertFalse(Json.asObject(r.get(1), "small").containsKey("error"));
	}

	@Test
	void testMillionsOfEmptyItemsAreRefusedNotOutOfMemory() throws Exception {
		// 3 million empty sequence items: 24 MB of file, some 300 MB of parsed objects, in a 64 MB heap. Every length
		// is within the file, so only the parser's heap check stands between it and an OutOfMemoryError.
		Path f = tmp.resolve("items.dcm");
		Dataset d = new Dataset().text(Tag.Modality, "CS", "OT");
		byte[] head = DicomDatasetWriter.encodeFile(d, "1.2.840.10008.5.1.4.1.1.7", "1.2.3.501.1");
		int items = 3_000_000;
		try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
			o.write(head);
			ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
			// (0040,0275) RequestAttributesSequence, SQ, defined length
			h.putShort((short) 0x0040).putShort((short) 0x0275).put((byte) 'S').put((byte) 'Q').putShort((short) 0)
				.putInt(8 * items);
			o.write(h.array());
			byte[] item = {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, 0, 0, 0, 0};
			for (int k = 0; k < items; k++) o.write(item);
		}
		List<Object> r = info("-Xmx64m", f);
		String error = String.valueOf(Json.asObject(r.get(0), "items").get("error"));
		assertTrue(error.contains("items.dcm") && error.contains("-Xmx") && error.contains("items"), error);
	}
}
