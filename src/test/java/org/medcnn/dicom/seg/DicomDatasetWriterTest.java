package org.medcnn.dicom.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.medcnn.dicom.DicomDatasetWriter;
import org.medcnn.dicom.DicomDatasetWriter.Dataset;
import org.medcnn.dicom.DicomObject;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.Tag;

/** {@link DicomDatasetWriter}: nested sequences with defined lengths, padding, read back by DicomReader. */
class DicomDatasetWriterTest {

	@Test
	void nestedSequencesRoundTripThroughTheReader() throws Exception {
		Dataset ds = new Dataset()
			.text(Tag.Modality, "CS", "SEG")
			.text(Tag.PatientName, "PN", "Müller^Jörg")
			.utf8()
			.us(Tag.Rows, 3)
			.uid(Tag.SOPInstanceUID, "1.2.3")
			.sequence(Tag.ReferencedSeriesSequence,
				new Dataset().text(Tag.SeriesDescription, "LO", "odd")
					.sequence(Tag.PlanePositionSequence, new Dataset().text(Tag.ImagePositionPatient, "DS", "1", "-2.5", "3")),
				new Dataset())
			.at(SegTags.DimensionIndexPointer, Tag.ImagePositionPatient)
			.ul(SegTags.DimensionIndexValues, 1, 70000)
			.bytes(Tag.PixelData, "OB", new byte[] {5, 6, 7});
		byte[] file = DicomDatasetWriter.encodeFile(ds, "1.2.840.10008.5.1.4.1.1.66.4", "1.2.3");
		DicomObject o = DicomReader.read(file, Path.of("mem.dcm"), false);
		assertEquals("SEG", o.getString(Tag.Modality));
		assertEquals("Müller^Jörg", o.getString(Tag.PatientName));
		assertEquals(3, o.getInt(Tag.Rows, -1));
		assertEquals("1.2.3", o.getString(Tag.SOPInstanceUID));
		List<DicomObject> items = o.getSequence(Tag.ReferencedSeriesSequence);
		assertEquals(2, items.size());
		assertEquals("odd", items.get(0).getString(Tag.SeriesDescription));
		assertArrayEquals(new double[] {1, -2.5, 3},
			items.get(0).getSequence(Tag.PlanePositionSequence).get(0).getDoubles(Tag.ImagePositionPatient));
		assertEquals("(0020,0032)", o.getString(SegTags.DimensionIndexPointer));
		assertArrayEquals(new double[] {1, 70000}, o.getDoubles(SegTags.DimensionIndexValues));
		assertArrayEquals(new byte[] {5, 6, 7, 0}, o.getBytes(Tag.PixelData), "odd binary values padded with NUL");
		assertEquals(0, (file.length - 132) % 2);
	}

	@Test
	void refusesBadValues() {
		Dataset ds = new Dataset();
		assertThrows(IllegalArgumentException.class, () -> ds.uid(Tag.SOPInstanceUID, "1.02.x"));
		assertThrows(IllegalArgumentException.class, () -> ds.us(Tag.Rows, 70000));
		assertThrows(IllegalArgumentException.class, () -> ds.text(Tag.Rows, "US", "1"));
		assertThrows(IllegalArgumentException.class, () -> ds.text(Tag.PatientName, "PN", "x".repeat(70000)).encode());
	}
}
