package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.rt.RtStructOptions;
import org.medcnn.dicom.rt.RtStructReader;
import org.medcnn.dicom.rt.RtStructWriter;
import org.medcnn.testing.BallPhantom;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** {@code train-segmenter --roi} on RTSTRUCT masks, then {@code predict --rtstruct} on a DICOM series. */
class PredictRtStructTest {

	private static final Geometry GRID = new Geometry(32, 32, 4, new double[] {1, 1, 3}, new double[] {-16, -16, 50},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	/** A body (40 HU) with one bright ball (130 HU) that {@code mask} receives. */
	private static Volume phantom(int k, Mask mask) {
		return BallPhantom.of(GRID, 100 + k, 10 + 4 * k, 12 + 3 * k, 1 + k % 2, mask);
	}

	@Test
	void trainsOnAnRtStructRoiAndPredictsAnRtStruct() throws IOException {
		Path images = tmp.resolve("images"), masks = tmp.resolve("masks");
		Files.createDirectories(masks);
		for (int k = 0; k < 2; k++) {
			Mask m = Mask.empty(GRID);
			Path dir = images.resolve("case" + k);
			DicomWriter.writeSeries(phantom(k, m), dir, DicomWriter.SeriesInfo.synthetic("predict-rt/" + k, "P^R", "PR" + k, "case"));
			DicomSeries s = SeriesScanner.scan(List.of(dir), ProgressListener.NONE, null).get(0);
			RtStructWriter.write(m, s, masks.resolve("case" + k + ".dcm"),
				RtStructOptions.forModel("manual", "0").withRoi("Tumour", "GTV"));
		}
		Path model = tmp.resolve("model");
		MainTest.Run missing = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(),
			"--out", model.toString(), "--epochs", "1");
		assertEquals(false, missing.code() == 0, "an RTSTRUCT without --roi is refused");
		assertTrue(missing.err().contains("Tumour"), missing.err());
		MainTest.Run t = MainTest.run("train-segmenter", "--images", images.toString(), "--masks", masks.toString(),
			"--roi", "Tumour", "--out", model.toString(), "--epochs", "60", "--batch", "4", "--lr", "0.01",
			"--optimizer", "adam", "--loss", "dice-ce", "--depth", "2", "--filters", "8", "--window", "40,400",
			"--seed", "42", "--val-fraction", "0");
		assertEquals(0, t.code(), t.err());

		Path out = tmp.resolve("out");
		Path nifti = tmp.resolve("case1.nii.gz");
		Nifti.writeVolume(phantom(1, Mask.empty(GRID)), nifti, Nifti.DataType.FLOAT32);
		Path dicom = images.resolve("case0");
		MainTest.Run r = MainTest.run("predict", "--model", model.toString(), "--out", out.toString(), "--rtstruct",
			"--min-lesion", "1", dicom.toString(), nifti.toString());
		assertEquals(0, r.code(), r.err());
		List<Object> results = Json.asArray(Json.parse(r.out()), "stdout");
		Map<String, Object> first = Json.asObject(results.get(0), "result 0");
		Map<String, Object> second = Json.asObject(results.get(1), "result 1");
		Mask predicted = Nifti.readMask(out.resolve("case0.nii.gz"));
		assertTrue(predicted.foregroundCount() > 0, "the model finds the lesion");
		Path rt = out.resolve("case0_rtstruct.dcm");
		assertEquals(rt.toString(), first.get("rtstruct"));
		DicomSeries series = SeriesScanner.scan(List.of(dicom), ProgressListener.NONE, null).get(0);
		assertEquals(List.of("Lesion"), RtStructReader.roiNames(rt));
		assertArrayEquals(predicted.labels(), RtStructReader.read(rt, "Lesion", series).labels());
		assertFalse(second.containsKey("rtstruct"));
		assertTrue(String.valueOf(second.get("rtstructNote")).contains("not a DICOM series"), second.toString());
	}
}
