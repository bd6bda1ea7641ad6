package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;

/**
 * The {@value TrainSegmenterPlugin#KEY_CONTEXT} macro key of {@code Train Segmenter...}: a 2.5D U-Net from a macro,
 * refused with {@code dims=3}. Needs a display (Xvfb); skipped when headless.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrainSegmenterContextMacroTest {

	@TempDir
	static Path tmp;
	private static Path images, masks;

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
		images = tmp.resolve("images");
		masks = tmp.resolve("masks");
		TinyCases.write(images, masks, 2);
	}

	private static String macro(String code) {
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		return IJ.runMacro("setBatchMode(true);\n" + code + "\nreturn \"ran\";");
	}

	@Test
	void contextOneTrainsAThreeChannelModel() throws IOException {
		Path out = tmp.resolve("ctx1");
		String result = macro("run(\"Train Segmenter...\", \"images=[" + images + "] masks=[" + masks + "] out=[" + out
			+ "] epochs=1 dims=2 batch=4 filters=2 validation=0 context=1\");");
		assertEquals("ran", result, "dialogs: " + IjHarness.DIALOGS);
		ModelCard card = Models.readCard(out);
		assertEquals(3, card.channels());
		assertEquals(1, card.context());
		String log = IJ.getLog();
		assertTrue(log != null && log.contains("2.5D U-Net (3 slices as channels)"), log);
	}

	@Test
	void contextWithThreeDimensionsIsRefused() {
		Path never = tmp.resolve("never");
		String result = macro("run(\"Train Segmenter...\", \"images=[" + images + "] masks=[" + masks + "] out=[" + never
			+ "] epochs=1 dims=3 context=1\");");
		assertNotEquals("ran", result);
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("macro key context") && d.contains("2D U-Net only")),
			IjHarness.DIALOGS.toString());
		assertFalse(Files.exists(never));
	}
}
