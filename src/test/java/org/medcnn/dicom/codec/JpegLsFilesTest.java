package org.medcnn.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medcnn.dicom.DicomPixels;
import org.medcnn.dicom.DicomReader;

/**
 * JPEG-LS variants the shared corpus lacks, made with DCMTK {@code dcmcjpls} (src/test/resources/dicom/jpegls/
 * PROVENANCE.md): colour in all three interleave modes, near-lossless colour (line and sample interleaved), custom
 * thresholds and RESET (LSE marker), and a 12-bit multi-frame near-lossless image; each decodes to exactly what
 * DCMTK's {@code dcmdjpls} decodes.
 */
class JpegLsFilesTest {

	@ParameterizedTest(name = "{0}")
	@CsvSource({
		"rgb_none.dcm, 1, 89ad10bbda73de0db000da69e9246d9cb7cfa4a2e84d457658aeb40227fdafc3",
		"rgb_line.dcm, 1, 89ad10bbda73de0db000da69e9246d9cb7cfa4a2e84d457658aeb40227fdafc3",
		"rgb_sample.dcm, 1, 89ad10bbda73de0db000da69e9246d9cb7cfa4a2e84d457658aeb40227fdafc3",
		"rgb_near1_line.dcm, 1, fc2e4f22c8dff9b719a07cc46ebb4cae769cded4883ce641ea061060f10292fe",
		"rgb_near3_sample.dcm, 1, dca1a73b116a31af890ba054b201445909d9cd8f076ec2b975d765b1dfbcc45f",
		"mr_custom_thresholds.dcm, 1, b8d9a6cee6ff2ea9edbe8b476e54b80cfab8c6a15aff4d431b6c38840a20f7df",
		"emri_near4_custom.dcm, 10, 9fd948067916255dab6a8d0c5d18b495c47aab7f807780a5436409065b6ac166"})
	void testDecodesLikeDcmtk(String name, int frames, String sha256) throws Exception {
		Path f = Path.of(JpegLsFilesTest.class.getResource("/dicom/jpegls/" + name).toURI());
		int[][] v = DicomPixels.storedValues(DicomReader.read(f));
		assertEquals(frames, v.length);
		MessageDigest md = MessageDigest.getInstance("SHA-256");
		byte[] le = new byte[4];
		for (int[] frame : v) {
			for (int x : frame) {
				le[0] = (byte) x;
				le[1] = (byte) (x >> 8);
				le[2] = (byte) (x >> 16);
				le[3] = (byte) (x >> 24);
				md.update(le);
			}
		}
		assertEquals(sha256, HexFormat.of().formatHex(md.digest()));
	}
}
