package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.volume.Volume;

/**
 * Issue 15 item 4 and 5: headers that declare more pixels than the file holds (2<sup>31</sup> − 1 frames in a
 * 600-byte file, 65535 × 65535 pixels in 64 bytes, native and encapsulated) are refused by the scanner, the layout
 * and the series reader at once, naming the file and the attribute, before anything is allocated for them; a
 * series whose volume needs more than the heap (or a Java array) is refused with the figure and how to raise the
 * heap, not with an OutOfMemoryError. Multi-frame volumes are read into one array without a second copy.
 */
class HostileSizesTest {

	private static final Duration QUICK = Duration.ofSeconds(5);
	private static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
	private static final String RLE = "1.2.840.10008.1.2.5";

	@TempDir
	Path dir;

	/** A CT image header with the given size; pixel data are appended by the caller. */
	static DicomBytes header(String ts, String uid, int rows, int cols, String frames) {
		DicomBytes b = DicomBytes.part10(ts).str(Tag.SOPClassUID, "UI", "1.2.840.10008.5.1.4.1.1.2")
			.str(Tag.Modality, "CS", "CT").str(Tag.SeriesInstanceUID, "UI", uid)
			.str(Tag.ImagePositionPatient, "DS", "0\\0\\0").str(Tag.ImageOrientationPatient, "DS", "1\\0\\0\\0\\1\\0")
			.us(Tag.SamplesPerPixel, 1).str(Tag.PhotometricInterpretation, "CS", "MONOCHROME2");
		if (frames != null) b.str(Tag.NumberOfFrames, "IS", frames);
		return b.us(Tag.Rows, rows).us(Tag.Columns, cols).str(Tag.PixelSpacing, "DS", "0.7\\0.7").us(Tag.BitsAllocated, 16)
			.us(Tag.BitsStored, 16).us(Tag.HighBit, 15).us(Tag.PixelRepresentation, 1).str(Tag.RescaleIntercept, "DS", "-1024")
			.str(Tag.RescaleSlope, "DS", "1");
	}

	private Path write(String name, byte[] bytes) throws IOException {
		Path f = dir.resolve(name);
		Files.createDirectories(f.getParent());
		Files.write(f, bytes);
		return f;
	}

	/** 2^31 − 1 frames of 512 × 512 in a file of a few hundred bytes, native. */
	private Path hugeFramesNative() throws IOException {
		return write("native/huge.dcm", header(EXPLICIT_LE, "1.2.3.401", 512, 512, "2147483647")
			.raw(Tag.PixelData, "OW", new byte[64]).bytes());
	}

	/** 2^31 − 1 frames, RLE: an empty Basic Offset Table and two fragments. */
	private Path hugeFramesEncapsulated() throws IOException {
		DicomBytes b = header(RLE, "1.2.3.402", 512, 512, "2147483647").header(Tag.PixelData, "OB", 0xFFFFFFFFL)
			.item(Tag.Item, 0);
		for (int i = 0; i < 2; i++) b.item(Tag.Item, 64).bytes(new byte[64]);
		return write("rle/huge.dcm", b.item(Tag.SequenceDelimitationItem, 0).bytes());
	}

	@Test
	void testScannerRefusesHugeNumberOfFramesAtOnce() throws Exception {
		for (Path f : new Path[] {hugeFramesNative(), hugeFramesEncapsulated()}) {
			ScanResult r = assertTimeoutPreemptively(QUICK, () -> SeriesScanner.scanDetailed(List.of(f.getParent()), null,
				null));
			assertTrue(r.series().isEmpty(), f + ": " + r.series());
			assertEquals(1, r.skipped().size());
			String reason = r.skipped().get(0).reason();
			assertTrue(reason.contains(f.toString()) && reason.contains("NumberOfFrames") && reason.contains("2147483647"),
				reason);
			// scan(), as predict and training use it, says why rather than "no series found"
			DicomReadException e = assertThrows(DicomReadException.class, () -> assertTimeoutPreemptively(QUICK,
				() -> SeriesScanner.scan(List.of(f.getParent()), null, null)));
			assertEquals(f, e.file());
			assertEquals(Tag.NumberOfFrames, e.tag());
		}
	}

	/**
	 * {@code info} without {@code --pixels} says that the declared frames cannot be in the file (issue 15 item 4): before,
	 * it listed 2^31 − 1 frames of a few hundred bytes with no warning while every other command refused the file. The
	 * header is still described.
	 */
	@Test
	void testInfoHeaderSaysTheFramesCannotBeInTheFile() throws Exception {
		for (Path f : new Path[] {hugeFramesNative(), hugeFramesEncapsulated()}) {
			java.util.Map<String, Object> d = assertTimeoutPreemptively(QUICK, () -> DicomInfo.describe(f, false));
			String error = String.valueOf(d.get("error"));
			assertTrue(error.contains(f.toString()) && error.contains("NumberOfFrames") && error.contains("2147483647"), error);
			assertEquals(2147483647, ((Number) d.get("frames")).intValue(), "the header is still described");
		}
		// an intact file has no error
		Path ok = write("native/ok.dcm", header(EXPLICIT_LE, "1.2.3.409", 4, 4, "2").raw(Tag.PixelData, "OW", new byte[64])
			.bytes());
		assertFalse(DicomInfo.describe(ok, false).containsKey("error"), DicomInfo.describe(ok, false).toString());
	}

	/**
	 * A valid file over 2 GiB (sparse here: 65 frames of 4096² 16-bit, 2.18 GB) is read, header and pixels (issue 15
	 * item 5): before, any read said "file is too large to read" and then pixel reading was refused naming the file.
	 * The frames are read by 64-bit file offsets: the values written into the frame that straddles 2 GiB and into the
	 * frame beyond it come back (each frame alone: a whole decode of 2 GB of zeros would take a minute here).
	 */
	@Test
	void testPixelsOfAFileOver2GiBAreReadByFileOffset() throws Exception {
		int side = 4096;
		int frames = 65;
		long frameBytes = 2L * side * side;
		long pixels = frameBytes * frames; // 2,181,038,080 bytes
		byte[] head = header(EXPLICIT_LE, "1.2.3.410", side, side, String.valueOf(frames)).header(Tag.PixelData, "OW",
			pixels).bytes();
		Path f = write("big/big.dcm", head);
		long[] at = new long[3];
		short[] written = {1234, -567, 4095};
		try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
			r.setLength(head.length + pixels);
			// frame 64 (1-based) straddles 2^31; frames 65 is wholly beyond it
			at[0] = (1L << 31) - head.length; // the value at file offset 2^31 exactly
			at[0] -= at[0] % 2;
			at[1] = 64 * frameBytes + 2L * (side * 100 + 7); // frame 65, row 100, column 7
			at[2] = pixels - 2; // the last value of the file
			for (int i = 0; i < 3; i++) {
				r.seek(head.length + at[i]);
				r.write(written[i] & 0xFF);
				r.write((written[i] >> 8) & 0xFF);
			}
		}
		try {
			DicomObject h = assertTimeoutPreemptively(QUICK, () -> DicomReader.readHeader(f));
			assertEquals(4096, h.getInt(Tag.Rows, 0));
			assertEquals(65, h.getInt(Tag.NumberOfFrames, 0));
			DicomPixels.checkHeader(h); // the declared frames are in the file
			java.util.Map<String, Object> info = DicomInfo.describe(f, false);
			assertFalse(info.containsKey("error"), info.toString());
			ScanResult r = SeriesScanner.scanDetailed(List.of(f.getParent()), null, null);
			assertEquals(1, r.series().size(), r.skipped().toString());
			DicomObject o = assertTimeoutPreemptively(QUICK, () -> DicomReader.read(f));
			assertTrue(o.pixelDataRetained());
			for (int i = 0; i < 3; i++) {
				int frame = (int) (at[i] / frameBytes);
				int index = (int) (at[i] % frameBytes / 2);
				int[] v = DicomPixels.storedFrame(o, frame);
				assertEquals(written[i], v[index], "value " + i + " (frame " + (frame + 1) + ", index " + index + ")");
				assertEquals(0, v[index == 0 ? 1 : index - 1]);
			}
		} finally {
			Files.delete(f);
		}
	}

	/**
	 * Encapsulated (RLE) Pixel Data whose frames lie beyond 2 GiB (sparse: a first frame of one 2.1 GB fragment, then two
	 * real RLE frames) are split into frames by 64-bit item offsets, and those frames decode to what was encoded.
	 */
	@Test
	void testEncapsulatedFramesBeyond2GiBAreRead() throws Exception {
		int side = 64;
		long bigFragment = (1L << 31) + 4096;
		int[][] values = new int[2][side * side];
		byte[][] rle = new byte[2][];
		for (int k = 0; k < 2; k++) {
			for (int i = 0; i < values[k].length; i++) values[k][i] = (i * (k + 3) + 17 * k) % 4000 - 1000;
			int[] cells = new int[values[k].length];
			for (int i = 0; i < cells.length; i++) cells[i] = values[k][i] & 0xFFFF;
			rle[k] = org.medcnn.dicom.codec.RleFrames.rleFrame(cells, 1, 2);
		}
		byte[] head = header(RLE, "1.2.3.411", side, side, "3").header(Tag.PixelData, "OB", 0xFFFFFFFFL)
			.item(Tag.Item, 0).item(Tag.Item, bigFragment).bytes();
		DicomBytes tail = DicomBytes.bare(true);
		for (byte[] frame : rle) tail.item(Tag.Item, frame.length).bytes(frame);
		byte[] end = tail.item(Tag.SequenceDelimitationItem, 0).bytes();
		Path f = write("bigrle/big.dcm", head);
		try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
			r.seek(head.length + bigFragment);
			r.write(end);
		}
		try {
			DicomObject o = assertTimeoutPreemptively(QUICK, () -> DicomReader.read(f));
			for (int k = 0; k < 2; k++) {
				int frame = k + 1;
				int[] v = DicomPixels.storedFrame(o, frame);
				org.junit.jupiter.api.Assertions.assertArrayEquals(values[k], v, "frame " + (frame + 1));
			}
		} finally {
			Files.delete(f);
		}
	}

	@Test
	void testScannerRefusesRowsAndColumnsTheFileCannotHold() throws Exception {
		Path f = write("rows/huge.dcm", header(EXPLICIT_LE, "1.2.3.403", 65535, 65535, null)
			.raw(Tag.PixelData, "OW", new byte[64]).bytes());
		ScanResult r = SeriesScanner.scanDetailed(List.of(f), null, null);
		assertTrue(r.series().isEmpty(), r.series().toString());
		String reason = r.skipped().get(0).reason();
		assertTrue(reason.contains("Rows") && reason.contains("65535") && reason.contains("whole file"), reason);
	}

	@Test
	void testSeriesReaderRefusesRowsAndColumnsTheSliceCannotHoldBeforeAllocating() throws Exception {
		// 40000 × 40000 × 2 floats (12 GB) for two slices of 64 bytes: the headers are the reason, not the heap.
		List<Path> files = new ArrayList<>();
		for (int i = 0; i < 2; i++)
			files.add(write("wide/s" + i + ".dcm", header(EXPLICIT_LE, "1.2.3.408", 40000, 40000, null)
				.raw(Tag.PixelData, "OW", new byte[64]).bytes()));
		DicomSeries s = new DicomSeries("1.2.3.408", "CT", 40000, 40000, files, new double[] {1, 1, 1}, new double[3],
			new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, List.of(), null, null);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> assertTimeoutPreemptively(QUICK, () -> SeriesReader.read(s, null, null)));
		assertEquals(files.get(0), e.file());
		assertEquals(Tag.Rows, e.tag());
	}

	@Test
	void testLayoutRefusesHugeNumberOfFramesWithoutAllocating() throws Exception {
		DicomObject h = DicomReader.readHeader(hugeFramesNative());
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> assertTimeoutPreemptively(QUICK, () -> MultiFrameLayout.of(h)));
		assertEquals(Tag.NumberOfFrames, e.tag());
	}

	@Test
	void testSeriesReaderRefusesFramesTheFileCannotHold() throws Exception {
		// 4 × 4 × 100,000,000 frames: 6.4 GB of floats that a 600-byte file cannot fill; made by hand, as a caller
		// holding an older DicomSeries would, so that only the reader stands between it and the allocation.
		Path f = write("native/frames.dcm", header(EXPLICIT_LE, "1.2.3.404", 4, 4, "100000000")
			.raw(Tag.PixelData, "OW", new byte[64]).bytes());
		DicomSeries s = new DicomSeries("1.2.3.404", "CT", 4, 4, List.of(f), new double[] {1, 1, 1}, new double[3],
			new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, List.of(), null, null, 100_000_000);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> assertTimeoutPreemptively(QUICK, () -> SeriesReader.read(s, null, null)));
		assertEquals(f, e.file());
		assertEquals(Tag.NumberOfFrames, e.tag());
	}

	@Test
	void testSeriesReaderRefusesAVolumeBeyondTheHeapWithAdvice() throws Exception {
		// 2048 × 2048 × 500 floats = 7.8 GiB, more than the test JVM's heap (-Xmx4g): refused before any file is
		// opened (the files do not even exist), with the figure and the -Xmx to use.
		List<Path> files = new ArrayList<>();
		for (int i = 0; i < 500; i++) files.add(dir.resolve("big/slice" + i + ".dcm"));
		DicomSeries s = new DicomSeries("1.2.3.405", "CT", 2048, 2048, files, new double[] {1, 1, 1}, new double[3],
			new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, List.of(), null, null);
		DicomReadException e = assertThrows(DicomReadException.class,
			() -> assertTimeoutPreemptively(QUICK, () -> SeriesReader.read(s, null, null)));
		assertTrue(e.getMessage().contains("-Xmx") && e.getMessage().contains("2048×2048×500"), e.getMessage());
		// beyond a Java array whatever the heap: said so, without suggesting a heap size
		DicomSeries t = new DicomSeries("1.2.3.406", "CT", 4096, 4096, files, new double[] {1, 1, 1}, new double[3],
			new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, List.of(), null, null);
		DicomReadException a = assertThrows(DicomReadException.class, () -> SeriesReader.read(t, null, null));
		assertTrue(a.getMessage().contains("Java array") && !a.getMessage().contains("-Xmx"), a.getMessage());
	}

	@Test
	void testMultiFrameVolumeIsPlacedInSpatialOrder() throws Exception {
		// Stored frames at z = 6, 0, 9, 3: read in place and reordered; values and labels follow the frames.
		double[] z = {6, 0, 9, 3};
		Path f = MultiFrameSeriesTest.writeEnhanced(dir.resolve("enh/enh.dcm"), "1.2.3.407", SeriesScannerTest.AXIAL,
			new double[] {0, 0, 0}, z);
		DicomSeries s = SeriesScanner.scan(List.of(f), null, null).get(0);
		Volume v = SeriesReader.read(s, null, null);
		int[] stored = {1, 3, 0, 2};
		for (int k = 0; k < 4; k++) {
			assertEquals("enh.dcm [frame " + (stored[k] + 1) + "]", v.sliceLabels().get(k));
			// writeEnhanced: stored value 100·(f+1)+i, slope f+1, intercept −10·f
			int fr = stored[k];
			assertEquals((100 * (fr + 1)) * (fr + 1) - 10.0 * fr, v.get(0, 0, k), 1e-3, "slice " + k);
		}
	}

	@Test
	void testPermuteSlicesFollowsEveryCycle() {
		int plane = 2;
		int[] order = {3, 0, 4, 1, 2, 5};
		float[] v = new float[order.length * plane];
		for (int i = 0; i < v.length; i++) v[i] = i / plane;
		SeriesReader.permuteSlices(v, plane, order);
		for (int z = 0; z < order.length; z++)
			for (int i = 0; i < plane; i++) assertEquals(order[z], v[z * plane + i], 0);
	}
}
