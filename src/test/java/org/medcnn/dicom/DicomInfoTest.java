package org.medcnn.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;

class DicomInfoTest {

	@Test
	void testDescribeGivesTheDesignFieldsInOrder() {
		Map<String, Object> d = DicomInfo.describe(DicomReaderTest.resource("ct_small_implicit_le.dcm"), true);
		assertEquals(List.of("file", "transferSyntaxUID", "sopClassUID", "modality", "rows", "columns", "frames",
			"samplesPerPixel", "photometricInterpretation", "bitsAllocated", "bitsStored", "highBit",
			"pixelRepresentation", "rescaleSlope", "rescaleIntercept", "pixelSpacing", "modalityTransform", "windows",
			"voiLutFunction", "voiLut", "pixels"), List.copyOf(d.keySet()));
		assertEquals("rescale", d.get("modalityTransform"));
		assertEquals("1.2.840.10008.1.2", d.get("transferSyntaxUID"));
		assertEquals(1, d.get("frames"));
		assertEquals(List.of(0.661468, 0.661468), d.get("pixelSpacing"));
		Map<String, Object> px = Json.asObject(d.get("pixels"), "pixels");
		assertEquals(DicomReaderTest.CT_SMALL_SHA256, px.get("allFramesSha256"));
		// Round-trips through the project's JSON writer.
		Map<String, Object> back = Json.asObject(Json.parse(Json.writePretty(d)), "info");
		assertEquals(-1024.0, back.get("rescaleIntercept"));
	}

	@Test
	void testUnreadableFileGivesFileAndError(@TempDir Path dir) throws Exception {
		Path f = dir.resolve("broken.dcm");
		byte[] whole = Files.readAllBytes(DicomReaderTest.resource("ct_small_explicit_le.dcm"));
		Files.write(f, java.util.Arrays.copyOf(whole, 700));
		Map<String, Object> d = DicomInfo.describe(f, false);
		assertEquals(List.of("file", "error"), List.copyOf(d.keySet()));
		assertTrue(((String) d.get("error")).contains("broken.dcm"));
		assertTrue(DicomInfo.looksLikeDicom(f));
		Path txt = dir.resolve("readme.txt");
		Files.writeString(txt, "hello, this is plainly not DICOM");
		assertFalse(DicomInfo.looksLikeDicom(txt));
	}
}
