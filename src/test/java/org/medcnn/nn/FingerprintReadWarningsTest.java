package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/** The readers' warnings of a training set reach the summary and the card, counted per case and without names. */
class FingerprintReadWarningsTest {

	@Test
	void fileNamesAndUidsAreRemovedFromWarnings() {
		assertEquals("no PixelSpacing: 1 mm assumed", Fingerprint.withoutFileNames("no PixelSpacing: 1 mm assumed"));
		assertEquals("resampled 12 unevenly spaced slices (0.700 to 1.500 mm apart)",
			Fingerprint.withoutFileNames("resampled 12 unevenly spaced slices (0.700 to 1.500 mm apart)"));
		String damaged = "damaged slice 1.2.826.0.1.3680043.2.1125.77 (slice 4 of 9, inside the stack): "
			+ "/data/SMITH^JOHN/IM4: truncated; its pixels were interpolated linearly from the neighbouring slices "
			+ "DOE_JANE_3 and DOE_JANE_5 (estimated, not measured)";
		String clean = Fingerprint.withoutFileNames(damaged);
		for (String id : List.of("1.2.826", "SMITH", "DOE_JANE", "/data"))
			assertFalse(clean.contains(id), id + " must not survive: " + clean);
		assertTrue(clean.startsWith("damaged slice … (slice 4 of 9, inside the stack)"), clean);
		assertEquals("left out damaged slice … (slice 1 of 9, at the start of the stack): …",
			Fingerprint.withoutFileNames("left out damaged slice SMITH.dcm (slice 1 of 9, at the start of the stack): "
				+ "SMITH.dcm"));
		assertEquals("DICOMDIR references 2 missing files: …",
			Fingerprint.withoutFileNames("DICOMDIR references 2 missing files: JOHN/IM1, JOHN/IM2"));
	}

	@Test
	void warningsAreCountedOncePerCaseInSummaryAndCard() {
		Geometry g = Geometry.axial(8, 8, 2, 1, 1, 1);
		float[] v = new float[g.voxelCount()];
		for (int i = 0; i < v.length; i++) v[i] = i;
		Volume im = new Volume(g, v, "MR");
		Mask m = Mask.empty(g);
		Fingerprint fp = Fingerprint.of(List.of(im, im, im), List.of(m, m, m)).withReadWarnings(List.of(
			List.of("no PixelSpacing: 1 mm assumed", "no PixelSpacing: 1 mm assumed"), List.of(),
			List.of("no PixelSpacing: 1 mm assumed", "left out damaged slice IM9.dcm (slice 9 of 9, at the end of the stack): "
				+ "truncated")));
		assertEquals(Map.of("no PixelSpacing: 1 mm assumed", 2,
			"left out damaged slice … (slice 9 of 9, at the end of the stack): truncated", 1), fp.readWarnings());
		assertTrue(fp.summary().contains("warning (2 of 3 cases): no PixelSpacing: 1 mm assumed"), fp.summary());
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> card = (List<Map<String, Object>>) fp.cardRecord().get("readWarnings");
		assertEquals(2, card.size());
		assertTrue(card.contains(Map.of("warning", "no PixelSpacing: 1 mm assumed", "cases", 2)), card.toString());
		assertFalse(Fingerprint.of(List.of(im), List.of(m)).cardRecord().containsKey("readWarnings"),
			"no warnings, no record");
	}
}
