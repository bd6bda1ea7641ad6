package org.medcnn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Json;
import org.medcnn.data.Datasets;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.nn.Models;
import org.medcnn.pipeline.SegmenterRequest;
import org.medcnn.pipeline.Trainings;
import org.medcnn.volume.PhantomCase;
import org.medcnn.volume.PhantomConfig;
import org.medcnn.volume.PhantomGenerator;

/**
 * {@code bench predict}: how long {@code predict} takes, end to end (DICOM read, preprocessing, tiled 3D inference,
 * lesions, NIfTI, CSV/JSON and pictures), on a CT of clinical size: a 512 × 512 × 300 phantom of 0.7 × 0.7 × 1 mm
 * written as a DICOM series, with a 3D U-Net of the default architecture trained briefly (a few epochs, so that its
 * masks are sensible) on smaller phantoms of the same spacing. Minutes: a benchmark, not a test.
 */
final class PredictBench {

	static final int SIZE = 512, SLICES = 300;
	static final double PIXEL_MM = 0.7, SLICE_MM = 1.0;
	/** Target of issue 11: the 512² × 300 CT in at most this many seconds on 2 cores. */
	static final double TARGET_SECONDS = 60;

	private PredictBench() {}

	static Map<String, Object> run(Path work, PrintStream err, Cancellation cancel) throws IOException {
		// A field of view of 224 mm: the anatomy scales with it, and the liver must hold lesions of 12 mm and more.
		PhantomConfig small = new PhantomConfig(320, 320, 64, PIXEL_MM, SLICE_MM, 12, 1, 3, null);
		List<Datasets.Case> cases = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			PhantomCase pc = PhantomGenerator.generate(880_000 + i, small);
			cases.add(new Datasets.Case("train" + i, pc.volume(), pc.mask()));
		}
		Path model = work.resolve("unet3d");
		err.println("bench predict: training a 3D U-Net (default architecture, 3 epochs) on 4 small phantoms of the same spacing");
		long t0 = System.nanoTime();
		Trainings.trainSegmenter(SegmenterRequest.builder().dims(3).epochs(3).build(), cases, null, cancel, model);
		double trainSeconds = (System.nanoTime() - t0) / 1e9;

		err.println("bench predict: writing a " + SIZE + "×" + SIZE + "×" + SLICES + " CT phantom as DICOM");
		PhantomCase big = PhantomGenerator.generate(881_000, new PhantomConfig(SIZE, SIZE, SLICES, PIXEL_MM, SLICE_MM, 12, 1, 3,
			null));
		Path series = work.resolve("ct");
		DicomWriter.writeSeries(big.volume(), series, DicomWriter.SeriesInfo.synthetic("medcnn-bench-predict",
			"BENCH^PREDICT", "BENCH", "MedCNN bench predict"));
		big = null; // the series is on disk now
		cancel.check();

		err.println("bench predict: predict --model unet3d --out predictions ct");
		List<String> args = List.of("predict", "--model", model.toString(), "--out", work.resolve("predictions").toString(),
			series.toString());
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		t0 = System.nanoTime();
		int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8), err);
		double seconds = (System.nanoTime() - t0) / 1e9;
		if (code != 0) throw new IOException("bench predict: '" + String.join(" ", args) + "' failed with exit code " + code);
		List<Object> cases0 = Json.asArray(Json.parse(out.toString(StandardCharsets.UTF_8)), "predict output");
		Map<?, ?> r = (Map<?, ?>) cases0.get(0);
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("benchmark", "predict, 3D U-Net, end to end");
		m.put("volume", List.of(SIZE, SIZE, SLICES));
		m.put("spacingMm", List.of(PIXEL_MM, PIXEL_MM, SLICE_MM));
		m.put("lesions", r.get("lesions") instanceof List<?> l ? l.size() : null);
		m.put("seconds", Math.round(seconds * 10) / 10.0);
		m.put("target", TARGET_SECONDS);
		m.put("reached", seconds <= TARGET_SECONDS);
		m.put("modelTrainingSeconds", Math.round(trainSeconds * 10) / 10.0);
		m.put("device", Models.device());
		m.put("files", Files.list(work.resolve("predictions")).count());
		return m;
	}
}
