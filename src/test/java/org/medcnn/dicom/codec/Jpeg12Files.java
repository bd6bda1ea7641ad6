package org.medcnn.dicom.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomReadException;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.Tag;

/**
 * Test helpers for 12-bit JPEG: writes small uncompressed greyscale DICOM files (Explicit VR Little Endian, 16
 * bits allocated) from stored values, runs DCMTK's dcmcjpeg / dcmdjpeg when they are on the PATH, splits
 * encapsulated frames and hashes decoded values the way the shared corpus manifest does.
 */
final class Jpeg12Files {

	private Jpeg12Files() {}

	/** Writes frames of stored values (each rows × columns) as a CT (one frame) or multi-frame SC image. */
	static void writeGrey(Path file, int rows, int columns, int bitsStored, boolean signed, int[]... frames)
		throws IOException {
		ByteArrayOutputStream meta = new ByteArrayOutputStream();
		String sopClass = frames.length == 1 ? "1.2.840.10008.5.1.4.1.1.2" : "1.2.840.10008.5.1.4.1.1.7.3";
		element(meta, Tag.MediaStorageSOPClassUID, "UI", uid(sopClass));
		element(meta, Tag.MediaStorageSOPInstanceUID, "UI", uid("1.2.826.0.1.3680043.2.1125.99.1"));
		element(meta, Tag.TransferSyntaxUID, "UI", uid("1.2.840.10008.1.2.1"));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(new byte[128]);
		out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
		element(out, Tag.FileMetaInformationGroupLength, "UL", le32(meta.size()));
		out.writeBytes(meta.toByteArray());
		element(out, Tag.SOPClassUID, "UI", uid(sopClass));
		element(out, Tag.SOPInstanceUID, "UI", uid("1.2.826.0.1.3680043.2.1125.99.1"));
		element(out, Tag.Modality, "CS", text(frames.length == 1 ? "CT" : "OT"));
		element(out, Tag.StudyInstanceUID, "UI", uid("1.2.826.0.1.3680043.2.1125.99.2"));
		element(out, Tag.SeriesInstanceUID, "UI", uid("1.2.826.0.1.3680043.2.1125.99.3"));
		element(out, Tag.SamplesPerPixel, "US", le16(1));
		element(out, Tag.PhotometricInterpretation, "CS", text("MONOCHROME2"));
		if (frames.length > 1) element(out, Tag.NumberOfFrames, "IS", text(Integer.toString(frames.length)));
		element(out, Tag.Rows, "US", le16(rows));
		element(out, Tag.Columns, "US", le16(columns));
		element(out, Tag.BitsAllocated, "US", le16(16));
		element(out, Tag.BitsStored, "US", le16(bitsStored));
		element(out, Tag.HighBit, "US", le16(bitsStored - 1));
		element(out, Tag.PixelRepresentation, "US", le16(signed ? 1 : 0));
		byte[] px = new byte[2 * rows * columns * frames.length];
		int i = 0;
		for (int[] f : frames) {
			if (f.length != rows * columns) throw new IllegalArgumentException("frame has " + f.length + " values");
			for (int value : f) {
				px[i++] = (byte) value;
				px[i++] = (byte) (value >> 8);
			}
		}
		element(out, Tag.PixelData, "OW", px);
		Files.write(file, out.toByteArray());
	}

	/**
	 * Writes JPEG Extended (1.2.840.10008.1.2.4.51) frames, one fragment each, as an encapsulated image with 16 bits
	 * allocated.
	 */
	static void writeJpeg(Path file, int rows, int columns, int samplesPerPixel, int bitsStored, boolean signed,
		List<byte[]> frames) throws IOException {
		writeJpeg(file, FrameDecoders.JPEG_EXTENDED, rows, columns, samplesPerPixel, bitsStored, signed, frames);
	}

	/** Writes JPEG frames of a transfer syntax, one fragment each, as an encapsulated image with 16 bits allocated. */
	static void writeJpeg(Path file, String transferSyntax, int rows, int columns, int samplesPerPixel, int bitsStored,
		boolean signed, List<byte[]> frames) throws IOException {
		ByteArrayOutputStream meta = new ByteArrayOutputStream();
		String sopClass = "1.2.840.10008.5.1.4.1.1.7.3";
		element(meta, Tag.MediaStorageSOPClassUID, "UI", uid(sopClass));
		element(meta, Tag.MediaStorageSOPInstanceUID, "UI", uid("1.2.826.0.1.3680043.2.1125.99.4"));
		element(meta, Tag.TransferSyntaxUID, "UI", uid(transferSyntax));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(new byte[128]);
		out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
		element(out, Tag.FileMetaInformationGroupLength, "UL", le32(meta.size()));
		out.writeBytes(meta.toByteArray());
		element(out, Tag.SOPClassUID, "UI", uid(sopClass));
		element(out, Tag.SOPInstanceUID, "UI", uid("1.2.826.0.1.3680043.2.1125.99.4"));
		element(out, Tag.Modality, "CS", text("OT"));
		element(out, Tag.SamplesPerPixel, "US", le16(samplesPerPixel));
		element(out, Tag.PhotometricInterpretation, "CS", text(samplesPerPixel == 1 ? "MONOCHROME2" : "RGB"));
		if (samplesPerPixel > 1) element(out, Tag.PlanarConfiguration, "US", le16(0));
		element(out, Tag.NumberOfFrames, "IS", text(Integer.toString(frames.size())));
		element(out, Tag.Rows, "US", le16(rows));
		element(out, Tag.Columns, "US", le16(columns));
		element(out, Tag.BitsAllocated, "US", le16(16));
		element(out, Tag.BitsStored, "US", le16(bitsStored));
		element(out, Tag.HighBit, "US", le16(bitsStored - 1));
		element(out, Tag.PixelRepresentation, "US", le16(signed ? 1 : 0));
		out.writeBytes(le16(Tag.PixelData >>> 16));
		out.writeBytes(le16(Tag.PixelData & 0xFFFF));
		out.writeBytes("OB".getBytes(StandardCharsets.US_ASCII));
		out.writeBytes(le16(0));
		out.writeBytes(le32(-1));
		item(out, Tag.Item, new byte[0]);
		for (byte[] f : frames) item(out, Tag.Item, f.length % 2 == 0 ? f : java.util.Arrays.copyOf(f, f.length + 1));
		item(out, Tag.SequenceDelimitationItem, new byte[0]);
		Files.write(file, out.toByteArray());
	}

	private static void item(ByteArrayOutputStream out, int tag, byte[] value) {
		out.writeBytes(le16(tag >>> 16));
		out.writeBytes(le16(tag & 0xFFFF));
		out.writeBytes(le32(value.length));
		out.writeBytes(value);
	}

	/** Whether dcmcjpeg and dcmdjpeg can be run. */
	static boolean dcmtkAvailable() {
		try {
			return run(List.of("dcmcjpeg", "--version")) == 0 && run(List.of("dcmdjpeg", "--version")) == 0;
		} catch (IOException e) {
			return false;
		}
	}

	/** Runs a command, its output discarded; returns the exit status. */
	static int run(List<String> command) throws IOException {
		Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			if (!p.waitFor(60, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				throw new IOException(command + " did not finish in 60 s");
			}
			return p.exitValue();
		} catch (InterruptedException e) {
			p.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new IOException(command + " was interrupted", e);
		}
	}

	/** Runs a command and fails with its name when it exits non-zero. */
	static void runOk(String... command) throws IOException {
		int rc = run(List.of(command));
		if (rc != 0) throw new IOException(String.join(" ", command) + " exited with " + rc);
	}

	/** The compressed frames of an encapsulated file (fragments per frame, one fragment a frame as DCMTK writes). */
	static List<byte[]> frames(DicomObject o) {
		return new ArrayList<>(o.pixelDataFragments());
	}

	/** The FrameLayout DicomPixels would build for a file. */
	static FrameLayout layout(DicomObject o) {
		return new FrameLayout(o.file(), o.transferSyntaxUID(), o.getInt(Tag.Rows, 0),
			o.getInt(Tag.Columns, 0), o.getInt(Tag.SamplesPerPixel, 1), o.getInt(Tag.BitsAllocated, 0),
			o.getInt(Tag.BitsStored, 0), o.getInt(Tag.PixelRepresentation, 0) == 1,
			o.getString(Tag.PhotometricInterpretation));
	}

	/** Reads a file with its pixels. */
	static DicomObject read(Path f) throws DicomReadException {
		return DicomReader.read(f);
	}

	/** SHA-256 (hex) of values written as little-endian int32, frames concatenated (the corpus manifest's hash). */
	static String sha256(int[][] frames) {
		try {
			MessageDigest md = MessageDigest.getInstance("SHA-256");
			byte[] four = new byte[4];
			for (int[] f : frames)
				for (int v : f) {
					four[0] = (byte) v;
					four[1] = (byte) (v >> 8);
					four[2] = (byte) (v >> 16);
					four[3] = (byte) (v >> 24);
					md.update(four);
				}
			StringBuilder sb = new StringBuilder();
			for (byte b : md.digest()) sb.append(String.format("%02x", b & 0xFF));
			return sb.toString();
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
	}

	/** A smooth CT-like signed test image with edges and texture, values within −2048..2047. */
	static int[] phantom(int rows, int columns, int seed) {
		int[] v = new int[rows * columns];
		java.util.Random r = new java.util.Random(seed);
		for (int y = 0; y < rows; y++)
			for (int x = 0; x < columns; x++) {
				double dx = (x - columns / 2.0) / columns;
				double dy = (y - rows / 2.0) / rows;
				double d = Math.sqrt(dx * dx + dy * dy);
				double value = d < 0.42 ? 40 + 600 * Math.cos(9 * dx + seed) * Math.sin(7 * dy) : -1000;
				if (Math.abs(dx - 0.1) < 0.06 && Math.abs(dy + 0.05) < 0.08) value = 1800;
				value += r.nextGaussian() * 25;
				v[y * columns + x] = (int) Math.max(-2048, Math.min(2047, Math.round(value)));
			}
		return v;
	}

	/** Two's complement cells of signed stored values in 16 bits. */
	static int[] cells(int[] values) {
		int[] c = new int[values.length];
		for (int i = 0; i < c.length; i++) c[i] = values[i] & 0xFFFF;
		return c;
	}

	private static void element(ByteArrayOutputStream out, int tag, String vr, byte[] value) {
		out.writeBytes(le16(tag >>> 16));
		out.writeBytes(le16(tag & 0xFFFF));
		out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
		if (vr.equals("OW") || vr.equals("OB")) {
			out.writeBytes(le16(0));
			out.writeBytes(le32(value.length));
		} else {
			out.writeBytes(le16(value.length));
		}
		out.writeBytes(value);
	}

	private static byte[] uid(String s) {
		return pad(s, (byte) 0);
	}

	private static byte[] text(String s) {
		return pad(s, (byte) ' ');
	}

	private static byte[] pad(String s, byte padding) {
		byte[] b = s.getBytes(StandardCharsets.US_ASCII);
		if (b.length % 2 == 0) return b;
		byte[] p = java.util.Arrays.copyOf(b, b.length + 1);
		p[b.length] = padding;
		return p;
	}

	private static byte[] le16(int v) {
		return new byte[] {(byte) v, (byte) (v >> 8)};
	}

	private static byte[] le32(int v) {
		return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
	}
}
