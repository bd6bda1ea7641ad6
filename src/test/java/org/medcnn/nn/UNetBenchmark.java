package org.medcnn.nn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Measures U-Net training and inference speed on synthetic 128×128 slices with the default segmenter settings.
 * Run: {@code java -cp … org.medcnn.nn.UNetBenchmark [cases] [epochs]}. Prints slices per second.
 */
public final class UNetBenchmark {

	private UNetBenchmark() {}

	public static void main(String[] args) throws Exception {
		int cases = args.length > 0 ? Integer.parseInt(args[0]) : 4;
		int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
		List<Mask> masks = new ArrayList<>();
		List<Volume> images = Synthetic.discCases(cases, 128, 16, 7, masks);
		SegmenterConfig cfg = SegmenterConfig.defaults().withTraining(TrainingConfig.segmenterDefaults().withEpochs(epochs)
			.withValFraction(0));
		Path out = Files.createTempDirectory("unet-bench").resolve("model");
		System.out.println("device " + Models.device() + ", " + Models.runtimeVersion());
		Training.trainSegmenter(images, masks, cfg, m -> System.out.printf("epoch %d loss %.4f dice %.3f %.2f s = %.1f slices/s%n",
			m.epoch(), m.trainLoss(), m.trainMetric(), m.seconds(), cases * 16 / m.seconds()), null, out);
		try (Segmenter s = Models.openSegmenter(out)) {
			s.segment(images.get(0), null, null);
			long t0 = System.nanoTime();
			for (Volume v : images) s.segment(v, null, null);
			double sec = (System.nanoTime() - t0) / 1e9;
			System.out.printf("inference %.1f slices/s%n", cases * 16 / sec);
		}
	}
}
