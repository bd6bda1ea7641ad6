package org.medcnn.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.Models;
import org.medcnn.nn.Synthetic;

/**
 * {@code Train Classifier...} from open images with a class each ({@code images=[title=class; …]
 * classes=[…]}), through ImageJ's real macro interpreter; each image gives its current slice. Needs a display
 * (Xvfb).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrainClassifierFromImagesMacroTest {

	@TempDir
	static Path tmp;
	private static final String SETTINGS = " epochs=2 architecture=cnn batch=4 learning=0.01 optimizer=adam"
		+ " loss=cross-entropy activation=relu pooling=max validation=0";

	@BeforeAll
	static void setUp() throws IOException {
		assumeFalse(java.awt.GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
		IjHarness.start(tmp);
	}

	@AfterEach
	void closeImages() {
		for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
			ImagePlus imp = WindowManager.getImage(id);
			if (imp != null) {
				imp.changes = false;
				imp.close();
			}
		}
	}

	private static String macro(String code) {
		IJ.log("\\Clear");
		IjHarness.clearDialogs();
		return IJ.runMacro("setBatchMode(true);\n" + code + "\nreturn \"ran\";");
	}

	private static void openShapes() {
		Random rng = new Random(4);
		for (int i = 0; i < 6; i++) {
			ImagePlus imp = IjVolumes.toImagePlus(Synthetic.shape(32, i % 2, rng), (i % 2 == 0 ? "disc " : "square ") + i);
			imp.show();
		}
	}

	@Test
	void eachOpenImageGetsItsClass() throws IOException {
		openShapes();
		Path out = tmp.resolve("from-open-images");
		String assign = "disc 0=disc; square 1=square; disc 2=disc; square 3=square; disc 4=disc; square 5=";
		String r = macro("run(\"Train Classifier...\", \"images=[" + assign + "] classes=[disc, square] out=[" + out + "]"
			+ SETTINGS + "\");");
		assertEquals("ran", r, IjHarness.DIALOGS.toString());
		ModelCard card = Models.readCard(out);
		assertEquals(List.of("disc", "square"), card.classNames());
		assertTrue(IJ.getLog().contains("5 items in classes [disc, square] from open images"), IJ.getLog());
		assertTrue(Files.isDirectory(out.resolve(Models.SAVED_MODEL_DIR)));
	}

	@Test
	void anUnknownClassOrImageIsNamed() {
		openShapes();
		String r = macro("run(\"Train Classifier...\", \"images=[disc 0=disc; square 1=cube] classes=[disc, square] out=["
			+ tmp.resolve("never") + "]" + SETTINGS + "\");");
		assertNotEquals("ran", r);
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("\"cube\"") && d.contains("[disc, square]")),
			IjHarness.DIALOGS.toString());
		r = macro("run(\"Train Classifier...\", \"images=[disc 9=disc; square 1=square] classes=[disc, square] out=["
			+ tmp.resolve("never") + "]" + SETTINGS + "\");");
		assertNotEquals("ran", r);
		assertTrue(IjHarness.DIALOGS.stream().anyMatch(d -> d.contains("no open image is called \"disc 9\"")),
			IjHarness.DIALOGS.toString());
		assertTrue(!Files.exists(tmp.resolve("never")));
	}
}
