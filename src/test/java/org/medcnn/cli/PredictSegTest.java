package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomReader;
import org.medcnn.dicom.DicomSeries;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.SeriesScanner;
import org.medcnn.dicom.seg.SegReader;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.testing.BallPhantom;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * {@code predict --seg}: a DICOM SEG next to the mask for a DICOM series (uncompressed, or with
 * {@code --seg-compression deflate} Deflated Image Frame Compression), a note for a NIfTI input.
 */
class PredictSegTest {

	private static final Geometry GRID = new Geometry(32, 32, 4, new double[] {1, 1, 3}, new double[] {-16, -16, 50},
		Geometry.AXIAL);

	@TempDir
	Path tmp;

	/** A body (40 HU) with one bright ball (130 HU) that {@code mask} receives. */
	private static Volume phantom(int k, Mask mask) {
		return BallPhantom.of(GRID, 100 + k, 10 + 4 * k, 12 + 3 * k, 1 + k % 2, mask);
	}

	@Test
	void segWrittenForDicomInputAndNotedForNifti() throws IOException {
		List<Volume> images = new ArrayList<>();
		List<Mask> masks = new ArrayList<>();
		for (int k = 0; k < 2; k++) {
			Mask m = Mask.empty(GRID);
			images.add(phantom(k, m));
			masks.add(m);
		}
		TrainingConfig t = new TrainingConfig(60, 4, 1e-2, "adam", "dice-ce", "relu", 42, 0);
		Path model = Training.trainSegmenter(images, masks, new SegmenterConfig(2, 8, 40, 400, t), null, null,
			tmp.resolve("model"));
		Path dicom = tmp.resolve("case0");
		DicomWriter.writeSeries(images.get(0), dicom, DicomWriter.SeriesInfo.synthetic("predict-seg", "P^S", "PS0", "case"));
		Path nifti = tmp.resolve("case1.nii.gz");
		Nifti.writeVolume(images.get(1), nifti, Nifti.DataType.FLOAT32);
		Path out = tmp.resolve("out");

		MainTest.Run r = MainTest.run("predict", "--model", model.toString(), "--out", out.toString(), "--seg",
			"--min-lesion", "1", dicom.toString(), nifti.toString());
		assertEquals(0, r.code(), r.err());
		List<Object> results = Json.asArray(Json.parse(r.out()), "stdout");
		Map<String, Object> first = Json.asObject(results.get(0), "result 0");
		Map<String, Object> second = Json.asObject(results.get(1), "result 1");
		Mask predicted = Nifti.readMask(out.resolve("case0.nii.gz"));
		assertTrue(predicted.foregroundCount() > 0, "the model finds the lesion");
		Path seg = out.resolve("case0_seg.dcm");
		assertEquals(seg.toString(), first.get("seg"));
		DicomSeries series = SeriesScanner.scan(List.of(dicom), ProgressListener.NONE, null).get(0);
		assertArrayEquals(predicted.labels(), SegReader.read(seg, series).labels(), "one lesion label → segment 1");
		assertFalse(second.containsKey("seg"));
		assertTrue(String.valueOf(second.get("segNote")).contains("not a DICOM series"), second.toString());
		assertFalse(Files.exists(out.resolve("case1_seg.dcm")));

		// --seg-compression deflate: Deflated Image Frame Compression, the same mask as the uncompressed SEG.
		Path deflatedOut = tmp.resolve("deflated");
		r = MainTest.run("predict", "--model", model.toString(), "--out", deflatedOut.toString(), "--seg",
			"--seg-compression", "deflate", "--min-lesion", "1", dicom.toString());
		assertEquals(0, r.code(), r.err());
		Path deflated = deflatedOut.resolve("case0_seg.dcm");
		assertEquals("1.2.840.10008.1.2.8.1", DicomReader.readHeader(deflated).transferSyntaxUID());
		assertEquals("1.2.840.10008.1.2.1", DicomReader.readHeader(seg).transferSyntaxUID(), "none is the default");
		assertArrayEquals(predicted.labels(), SegReader.read(deflated, series).labels());

		r = MainTest.run("predict", "--model", model.toString(), "--out", deflatedOut.toString(), "--seg",
			"--seg-compression", "zip", dicom.toString());
		assertTrue(r.code() != 0 && r.err().contains("--seg-compression must be one of none, deflate"), r.err());
		r = MainTest.run("predict", "--model", model.toString(), "--out", deflatedOut.toString(),
			"--seg-compression", "deflate", dicom.toString());
		assertTrue(r.code() != 0 && r.err().contains("add --seg"), r.err());
	}
}
