package org.medcnn.nn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Measures 3D U-Net training and sliding-window inference speed on synthetic 32×128×128 volumes with the default
 * 3D settings (depth 3, 8 filters, 16×64×64 patches, batch 2). Run:
 * {@code java -cp … org.medcnn.nn.UNet3dBenchmark [cases] [epochs]}. Prints patches per second per epoch.
 */
public final class UNet3dBenchmark {

	private UNet3dBenchmark() {}

	public static void main(String[] args) throws Exception {
		int cases = args.length > 0 ? Integer.parseInt(args[0]) : 2;
		int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
		List<Mask> masks = new ArrayList<>();
		List<Volume> images = Synthetic.discCases(cases, 128, 32, 7, masks);
		Segmenter3dConfig cfg = Segmenter3dConfig.defaults().withTraining(Segmenter3dConfig.defaults().training()
			.withEpochs(epochs).withValFraction(0));
		int[] p = cfg.patchZyx();
		long pv = (long) p[0] * p[1] * p[2];
		int patches = cases * (int) Math.max(4, Math.min(64, (2L * 32 * 128 * 128 + pv - 1) / pv));
		Path out = Files.createTempDirectory("unet3d-bench").resolve("model");
		System.out.println("device " + Models.device() + ", " + Models.runtimeVersion() + ", " + cfg);
		Training.trainSegmenter3d(images, masks, cfg, m -> System.out.printf(
			"epoch %d loss %.4f dice %.3f, %.2f s = %.2f patches/s%n", m.epoch(), m.trainLoss(), m.trainMetric(), m.seconds(),
			patches / m.seconds()), null, out);
		try (Segmenter s = Models.openSegmenter(out)) {
			long t0 = System.nanoTime();
			for (Volume v : images) s.segment(v, null, null);
			double sec = (System.nanoTime() - t0) / 1e9;
			System.out.printf("inference %.2f s per 32×128×128 volume%n", sec / cases);
		}
	}
}
