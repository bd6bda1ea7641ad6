package org.medcnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Segmentation;
import org.medcnn.nn.Segmenter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/** One case's failure, however unexpected, is reported for that case and leaves a trace; it never ends a batch. */
class CaseSegmentationTest {

	private static final Geometry GRID = Geometry.axial(16, 12, 3, 0.8, 0.8, 2.5);
	private static final Path LEGACY = Path.of("src/test/resources/legacy/format1-segmenter");
	private static ModelCard CARD;

	@org.junit.jupiter.api.BeforeAll
	static void card() throws Exception {
		CARD = ModelCard.parse(Files.readString(LEGACY.resolve("medcnn.json")), LEGACY);
	}

	/** A segmenter whose {@code segment} is given: the pipeline around it is what is tested. */
	private record Fixed(java.util.function.Function<Volume, Segmentation> f) implements Segmenter {
		@Override
		public Segmentation segment(Volume v, ProgressListener p, Cancellation c) {
			return f.apply(v);
		}

		@Override
		public ModelCard card() {
			return CARD;
		}

		@Override
		public void close() {}
	}

	@Test
	void unexpectedErrorIsReportedWithItsTraceAndALaterSuccessRemovesIt(@TempDir Path dir) throws Exception {
		float[] hu = new float[GRID.voxelCount()];
		for (int i = 0; i < hu.length; i++) hu[i] = i % 7 == 0 ? 60 : -20;
		Path image = dir.resolve("patient.nii.gz");
		Nifti.writeVolume(new Volume(GRID, hu, "CT"), image, Nifti.DataType.FLOAT32);
		Path out = dir.resolve("out");
		CaseSegmentation.Input in = new CaseSegmentation.Input("patient", image, null, null);

		CaseSegmentation.Result failed = CaseSegmentation.run(in, new Fixed(v -> {
			throw new NullPointerException("a defect");
		}), CARD, out, CaseSegmentation.Options.DEFAULT, ProgressListener.NONE, new Cancellation());
		assertTrue(failed.error().startsWith("unexpected error NullPointerException: a defect"), failed.error());
		assertTrue(failed.error().endsWith("(details in patient_error.log)"), failed.error());
		String trace = Files.readString(out.resolve("patient_error.log"));
		assertTrue(trace.contains("CaseSegmentationTest"), "the trace says where it came from:\n" + trace);

		CaseSegmentation.Result ok = CaseSegmentation.run(in, new Fixed(v -> new Segmentation(
			new Mask(v.geometry(), new byte[GRID.voxelCount()]), new float[GRID.voxelCount()])), CARD, out,
			CaseSegmentation.Options.DEFAULT, ProgressListener.NONE, new Cancellation());
		assertNull(ok.error());
		assertFalse(Files.exists(out.resolve("patient_error.log")), "a stale error log would contradict the new result");
		assertTrue(Files.exists(out.resolve("patient.nii.gz")));
		assertEquals(0, ok.lesions().size());
	}
	@Test
	void folderOfLinkedCasesIsFoundAndALoopFailsOnlyItsOwnCase(@TempDir Path dir) throws Exception {
		Volume v = new Volume(GRID, new float[GRID.voxelCount()], "CT");
		for (String c : new String[] {"a", "b"})
			org.medcnn.dicom.DicomWriter.writeSeries(v, dir.resolve("all/" + c),
				org.medcnn.dicom.DicomWriter.SeriesInfo.synthetic("ds-" + c, "X^Y", "X", c));
		Path batch = Files.createDirectories(dir.resolve("batch"));
		Files.createSymbolicLink(batch.resolve("a"), dir.resolve("all/a"));
		Files.createSymbolicLink(batch.resolve("b"), Path.of("../all/b"));
		Path loop = Files.createSymbolicLink(batch.resolve("c"), Path.of(".."));
		java.util.List<CaseSegmentation.Input> in = CaseSegmentation.folderInputs(batch, ProgressListener.NONE,
			new Cancellation());
		assertEquals(java.util.List.of("a", "b", "c"), in.stream().map(CaseSegmentation.Input::name).toList());
		assertNull(in.get(0).error());
		assertEquals(3, in.get(0).series().slices());
		assertNull(in.get(1).error());
		assertEquals(3, in.get(1).series().slices());
		String e = in.get(2).error();
		assertTrue(e != null && e.startsWith(loop.toString()) && e.contains("a loop of symbolic links"), e);
	}
}
