package org.medcnn.nn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Measures U-Net training and inference speed on synthetic 128×128 slices with the default segmenter settings.
 * Run: {@code java -cp … org.medcnn.nn.UNetBenchmark [cases] [epochs] [valFraction]}. Prints slices per second
 * and, with a validation fraction, the Dice of the held-out cases per epoch.
 */
public final class UNetBenchmark {

	private UNetBenchmark() {}

	public static void main(String[] args) throws Exception {
		int cases = args.length > 0 ? Integer.parseInt(args[0]) : 4;
		int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
		double valFraction = args.length > 2 ? Double.parseDouble(args[2]) : 0;
		List<Mask> masks = new ArrayList<>();
		List<Volume> images = Synthetic.discCases(cases, 128, 16, 7, masks);
		SegmenterConfig cfg = SegmenterConfig.defaults().withTraining(TrainingConfig.segmenterDefaults().withEpochs(epochs)
			.withValFraction(valFraction));
		int trainSlices = (cases - (int) Math.round(cases * valFraction)) * 16;
		Path tmp = Files.createTempDirectory("unet-bench");
		Path out = tmp.resolve("model");
		System.out.println("device " + Models.device() + ", " + Models.runtimeVersion());
		Training.trainSegmenter(images, masks, cfg, m -> System.out.printf(
			"epoch %d loss %.4f dice %.3f val loss %.4f val dice %.3f, %.2f s = %.1f training slices/s (incl. validation)%n",
			m.epoch(), m.trainLoss(), m.trainMetric(), m.valLoss(), m.valMetric(), m.seconds(), trainSlices / m.seconds()), null, out);
		try (Segmenter s = Models.openSegmenter(out)) {
			s.segment(images.get(0), null, null);
			long t0 = System.nanoTime();
			for (Volume v : images) s.segment(v, null, null);
			double sec = (System.nanoTime() - t0) / 1e9;
			System.out.printf("inference %.1f slices/s%n", cases * 16 / sec);
		}
		try (var files = Files.walk(tmp)) {
			for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
		}
	}
}
