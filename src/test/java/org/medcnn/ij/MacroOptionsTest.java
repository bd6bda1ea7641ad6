package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class MacroOptionsTest {

	@Test
	void readsKeysWithBracketedAndBareValues() {
		assertEquals(List.of("path", "series", "flag", "model"),
			MacroOptions.keys("path=[/data/case 01=x] series=2 flag Model=/m "));
		assertEquals(List.of(), MacroOptions.keys(null));
		assertEquals(List.of(), MacroOptions.keys("   "));
	}

	@Test
	void reportsUnknownKeys() {
		assertEquals(List.of("modle"), MacroOptions.unknownKeys("modle=[/x] model=[/y]", List.of("model")));
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> MacroOptions.checkKeys("Segment Tumors...", "modle=[/x]", List.of("model")));
		assertTrue(e.getMessage().contains("modle") && e.getMessage().contains("known keys: model"), e.getMessage());
		MacroOptions.checkKeys("Open DICOM...", "path=[/a b] series=1.2.3", List.of("path", "series"));
	}
}
