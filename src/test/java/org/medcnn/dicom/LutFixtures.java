package org.medcnn.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.dicom.DicomDatasetWriter.Dataset;

/**
 * Small synthetic images with lookup tables, built in code with their expected values stated in the tests
 * ({@link LutTest}). The bundled copies under {@code src/test/resources/dicom/lut} were written by
 * {@link #main} ({@code java … org.medcnn.dicom.LutFixtures src/test/resources/dicom/lut}); a test checks they
 * still equal what the builders produce.
 */
final class LutFixtures {

	static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

	private LutFixtures() {}

	/** Common Image Pixel attributes of a greyscale or palette image. */
	static Dataset image(String modality, String photometric, int rows, int cols, int bits, boolean signed, String uid) {
		Dataset d = new Dataset();
		d.uid(Tag.SOPClassUID, modality.equals("CT") ? DicomWriter.CT_IMAGE_STORAGE : SECONDARY_CAPTURE);
		d.uid(Tag.SOPInstanceUID, uid);
		d.text(Tag.Modality, "CS", modality);
		d.uid(Tag.StudyInstanceUID, "1.2.826.0.1.3680043.10.999.1");
		d.uid(Tag.SeriesInstanceUID, uid + ".1");
		d.us(Tag.SamplesPerPixel, 1);
		d.text(Tag.PhotometricInterpretation, "CS", photometric);
		d.us(Tag.Rows, rows);
		d.us(Tag.Columns, cols);
		d.us(Tag.BitsAllocated, bits);
		d.us(Tag.BitsStored, bits);
		d.us(Tag.HighBit, bits - 1);
		d.us(Tag.PixelRepresentation, signed ? 1 : 0);
		return d;
	}

	static byte[] words(int... v) {
		byte[] b = new byte[2 * v.length];
		for (int i = 0; i < v.length; i++) {
			b[2 * i] = (byte) v[i];
			b[2 * i + 1] = (byte) (v[i] >> 8);
		}
		return b;
	}

	static byte[] bytes8(int... v) {
		byte[] b = new byte[v.length];
		for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
		return b;
	}

	/** Stored values of {@link #modalityLut}: below, inside and above the LUT's range. */
	static final int[] MODALITY_STORED = {0, 1, 2, 3, 4, 5, 6, 7, 100, 1000, 65535, 2};

	/**
	 * 3 × 4 unsigned 16-bit CT image with a Modality LUT (5 entries from stored value 2: 10, 20, 30, 40, 50, type
	 * HU); with {@code alsoRescale} it has RescaleSlope 2 / RescaleIntercept -5 as well.
	 */
	static Dataset modalityLut(boolean alsoRescale) {
		Dataset d = image("CT", "MONOCHROME2", 3, 4, 16, false, "1.2.826.0.1.3680043.10.999.2");
		Dataset lut = new Dataset().us(Tag.LUTDescriptor, 5, 2, 16).text(Tag.ModalityLUTType, "LO", "HU")
			.bytes(Tag.LUTData, "OW", words(10, 20, 30, 40, 50));
		d.sequence(Tag.ModalityLUTSequence, lut);
		if (alsoRescale) d.text(Tag.RescaleIntercept, "DS", "-5").text(Tag.RescaleSlope, "DS", "2");
		return d.bytes(Tag.PixelData, "OW", words(MODALITY_STORED));
	}

	/** Stored values of {@link #modalityLutSigned} (signed 16-bit). */
	static final int[] SIGNED_STORED = {-32768, -3, -2, -1, 0, 1, 2, 32767};

	/** 2 × 4 signed image, Modality LUT of 3 entries from stored value -2 (descriptor written US 65534): -100, 0, 100. */
	static Dataset modalityLutSigned() {
		Dataset d = image("CT", "MONOCHROME2", 2, 4, 16, true, "1.2.826.0.1.3680043.10.999.3");
		d.sequence(Tag.ModalityLUTSequence, new Dataset().us(Tag.LUTDescriptor, 3, 65534, 16)
			.bytes(Tag.LUTData, "SS", words(-100, 0, 100)));
		return d.bytes(Tag.PixelData, "OW", words(SIGNED_STORED));
	}

	/** Indices of {@link #palette8}: 0..5 and 200, 255 (past the 4 entries from 1). */
	static final int[] PALETTE8_INDICES = {0, 1, 2, 3, 4, 5, 200, 255};

	/** 2 × 4 8-bit PALETTE COLOR image, 4 entries of 8 bits from index 1, one entry per word. */
	static Dataset palette8(boolean packed) {
		Dataset d = image("OT", "PALETTE COLOR", 2, 4, 8, false, "1.2.826.0.1.3680043.10.999.4");
		int[][] lut = {{10, 20, 30, 40}, {200, 150, 100, 50}, {0, 255, 1, 254}};
		int[] desc = {Tag.RedPaletteColorLookupTableDescriptor, Tag.GreenPaletteColorLookupTableDescriptor,
			Tag.BluePaletteColorLookupTableDescriptor};
		int[] data = {Tag.RedPaletteColorLookupTableData, Tag.GreenPaletteColorLookupTableData,
			Tag.BluePaletteColorLookupTableData};
		for (int c = 0; c < 3; c++) {
			d.us(desc[c], 4, 1, 8);
			int[] l = lut[c];
			d.bytes(data[c], "OW", packed ? words(l[0] | l[1] << 8, l[2] | l[3] << 8) : words(l));
		}
		return d.bytes(Tag.PixelData, "OB", bytes8(PALETTE8_INDICES));
	}

	/** 16-bit palette entries of {@link #palette16} for channel c and index i. */
	static int palette16Entry(int c, int i) {
		return switch (c) {
			case 0 -> i * 257;
			case 1 -> 65535 - i * 256;
			default -> (i * 1000 + 7) & 0xFFFF;
		};
	}

	/** 16 × 16 8-bit PALETTE COLOR image holding every index 0..255, 256 entries of 16 bits. */
	static Dataset palette16() {
		Dataset d = image("OT", "PALETTE COLOR", 16, 16, 8, false, "1.2.826.0.1.3680043.10.999.5");
		int[] desc = {Tag.RedPaletteColorLookupTableDescriptor, Tag.GreenPaletteColorLookupTableDescriptor,
			Tag.BluePaletteColorLookupTableDescriptor};
		int[] data = {Tag.RedPaletteColorLookupTableData, Tag.GreenPaletteColorLookupTableData,
			Tag.BluePaletteColorLookupTableData};
		for (int c = 0; c < 3; c++) {
			int[] l = new int[256];
			for (int i = 0; i < 256; i++) l[i] = palette16Entry(c, i);
			d.us(desc[c], 256, 0, 16);
			d.bytes(data[c], "OW", words(l));
		}
		int[] px = new int[256];
		for (int i = 0; i < 256; i++) px[i] = (i * 37) & 0xFF;
		return d.bytes(Tag.PixelData, "OB", bytes8(px));
	}

	/**
	 * 1 × 4 8-bit PALETTE COLOR image with segmented 16-bit LUTs of 8 entries (PS3.3 §C.7.9.2): red = discrete
	 * 0, 1000 then linear to 8000 over 6 entries → 0, 1000, 2167, 3333, 4500, 5667, 6833, 8000; green and
	 * blue = discrete 8 × 65535.
	 */
	static Dataset segmentedPalette() {
		Dataset d = image("OT", "PALETTE COLOR", 1, 4, 8, false, "1.2.826.0.1.3680043.10.999.6");
		d.us(Tag.RedPaletteColorLookupTableDescriptor, 8, 0, 16);
		d.us(Tag.GreenPaletteColorLookupTableDescriptor, 8, 0, 16);
		d.us(Tag.BluePaletteColorLookupTableDescriptor, 8, 0, 16);
		d.bytes(Tag.SegmentedRedPaletteColorLookupTableData, "OW", words(0, 2, 0, 1000, 1, 6, 8000));
		int[] flat = {0, 8, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535};
		d.bytes(Tag.SegmentedGreenPaletteColorLookupTableData, "OW", words(flat));
		d.bytes(Tag.SegmentedBluePaletteColorLookupTableData, "OW", words(flat));
		return d.bytes(Tag.PixelData, "OB", bytes8(0, 2, 7, 9));
	}

	/**
	 * 2 × 2 CT image with two windows (40/400 "SOFT", -600/1500 "LUNG"), VOI LUT Function SIGMOID and a VOI
	 * LUT of 3 entries of 8 bits from -1 (0, 128, 255, explanation "TEST").
	 */
	static Dataset voi() {
		Dataset d = image("CT", "MONOCHROME2", 2, 2, 16, true, "1.2.826.0.1.3680043.10.999.7");
		d.text(Tag.WindowCenter, "DS", "40", "-600").text(Tag.WindowWidth, "DS", "400", "1500")
			.text(Tag.WindowCenterWidthExplanation, "LO", "SOFT", "LUNG").text(Tag.VOILUTFunction, "CS", "SIGMOID")
			.text(Tag.RescaleIntercept, "DS", "-1024").text(Tag.RescaleSlope, "DS", "1");
		d.sequence(Tag.VOILUTSequence, new Dataset().us(Tag.LUTDescriptor, 3, 65535, 8)
			.text(Tag.LUTExplanation, "LO", "TEST").bytes(Tag.LUTData, "OW", words(0, 128, 255)));
		return d.bytes(Tag.PixelData, "OW", words(0, 1000, 1024, 2000));
	}

	static final List<String> BUNDLED = List.of("modality_lut.dcm", "modality_lut_signed.dcm", "palette8.dcm",
		"palette16.dcm", "palette_segmented.dcm", "voi.dcm");

	static byte[] encode(String name) {
		Dataset d = switch (name) {
			case "modality_lut.dcm" -> modalityLut(false);
			case "modality_lut_signed.dcm" -> modalityLutSigned();
			case "palette8.dcm" -> palette8(false);
			case "palette16.dcm" -> palette16();
			case "palette_segmented.dcm" -> segmentedPalette();
			case "voi.dcm" -> voi();
			default -> throw new IllegalArgumentException("no fixture " + name);
		};
		return DicomDatasetWriter.encodeFile(d, name.startsWith("modality") || name.equals("voi.dcm")
			? DicomWriter.CT_IMAGE_STORAGE : SECONDARY_CAPTURE, "1.2.826.0.1.3680043.10.999.100." + BUNDLED.indexOf(name));
	}

	static Path write(Path dir, String name) throws IOException {
		Files.createDirectories(dir);
		return Files.write(dir.resolve(name), encode(name));
	}

	/** Regenerates the bundled fixtures: {@code LutFixtures DIR}. */
	public static void main(String[] args) throws IOException {
		for (String n : BUNDLED) write(Path.of(args[0]), n);
	}
}
