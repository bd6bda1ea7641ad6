package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class BatchProcessToolTest {

	@Test
	void summaryQuotesErrorsAndLeavesFailedValuesEmpty() {
		String csv = BatchProcessTool.summaryCsv(List.of(
			new BatchProcessTool.CaseResult("case01", "1.2.3", 2, 12.5, 31.25, null),
			new BatchProcessTool.CaseResult("case02", "", 0, Double.NaN, Double.NaN, "slice 3: \"PixelData\" truncated, 12 bytes")));
		assertEquals(BatchProcessTool.SUMMARY_HEADER + "\n"
			+ "case01,1.2.3,2,12.5,31.25,\n"
			+ "case02,,,,,\"slice 3: \"\"PixelData\"\" truncated, 12 bytes\"\n", csv);
	}

	@Test
	void csvFields() {
		assertEquals("plain", BatchProcessTool.csv("plain"));
		assertEquals("\"a\nb\"", BatchProcessTool.csv("a\nb"));
		assertEquals("", BatchProcessTool.csv(null));
	}

	@Test
	void modelInfoValues() {
		assertEquals("0.01", ModelInfoTool.value(0.01));
		assertEquals("40", ModelInfoTool.value(40.0));
		assertEquals("1.000e-05", ModelInfoTool.value(1e-5));
		assertEquals("[8, 16]", ModelInfoTool.value(List.of(8.0, 16.0)));
		assertEquals("–", ModelInfoTool.value(null));
	}
}
