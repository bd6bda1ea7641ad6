package org.medcnn.ij;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.Training;
import org.medcnn.nn.TrainingConfig;

/**
 * {@code Plugins>MedCNN>Train Segmenter...}: trains a 2D U-Net from an images folder and a masks folder (the
 * layout of DESIGN.md, "Training data layouts") and writes a model package, showing a live plot of loss and Dice
 * per epoch with a Stop button ({@link TrainingMonitor}); in batch mode one Log line per epoch.
 * <p>
 * Macro keys: {@value #KEY_IMAGES}, {@value #KEY_MASKS}, {@value #KEY_OUT} (the package folder to write),
 * {@value #KEY_EPOCHS}, {@value #KEY_DIMS} (2; 3 is refused: the 3D U-Net is not built yet), {@value #KEY_BATCH}
 * (slices per step), {@value #KEY_LEARNING} (learning rate), {@value #KEY_OPTIMIZER}, {@value #KEY_LOSS},
 * {@value #KEY_ACTIVATION}, {@value #KEY_FILTERS} (filters of the first U-Net level) and {@value #KEY_VALIDATION}
 * (fraction of cases held out). Keys left out take the defaults of {@link SegmenterConfig#defaults()} in a macro,
 * the last values used in the dialog. Example:
 * {@code run("Train Segmenter...", "images=[/data/images] masks=[/data/masks] out=[/models/liver] epochs=30 dims=2");}
 */
public class TrainSegmenterPlugin implements PlugIn {

	static final String TITLE = "Train Segmenter";
	public static final String KEY_IMAGES = "images", KEY_MASKS = "masks", KEY_OUT = "out", KEY_EPOCHS = "epochs",
		KEY_DIMS = "dims", KEY_BATCH = "batch", KEY_LEARNING = "learning", KEY_OPTIMIZER = "optimizer", KEY_LOSS = "loss",
		KEY_ACTIVATION = "activation", KEY_FILTERS = "filters", KEY_VALIDATION = "validation";
	static final List<String> KEYS = List.of(KEY_IMAGES, KEY_MASKS, KEY_OUT, KEY_EPOCHS, KEY_DIMS, KEY_BATCH,
		KEY_LEARNING, KEY_OPTIMIZER, KEY_LOSS, KEY_ACTIVATION, KEY_FILTERS, KEY_VALIDATION);
	private static final String PREF = "medcnn.trainsegmenter.";

	@Override
	public void run(String arg) {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, KEYS);
			boolean macro = options != null;
			SegmenterConfig def = SegmenterConfig.defaults();
			TrainingConfig td = def.training();
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Images folder", pref(macro, KEY_IMAGES, ""), 40);
			gd.addDirectoryField("Masks folder", pref(macro, KEY_MASKS, ""), 40);
			gd.addDirectoryField("Out (model package folder)", pref(macro, KEY_OUT, ""), 40);
			gd.addNumericField("Epochs", num(macro, KEY_EPOCHS, td.epochs()), 0);
			gd.addChoice("Dims (2D or 3D U-Net)", new String[] {"2", "3"}, pref(macro, KEY_DIMS, "2"));
			gd.addNumericField("Batch size (slices per step)", num(macro, KEY_BATCH, td.batchSize()), 0);
			gd.addNumericField("Learning rate", num(macro, KEY_LEARNING, td.learningRate()), 5);
			gd.addChoice("Optimizer", TrainingConfig.OPTIMIZERS.toArray(String[]::new), pref(macro, KEY_OPTIMIZER, td.optimizer()));
			gd.addChoice("Loss", TrainingConfig.LOSSES.toArray(String[]::new), pref(macro, KEY_LOSS, td.loss()));
			gd.addChoice("Activation", TrainingConfig.ACTIVATIONS.toArray(String[]::new),
				pref(macro, KEY_ACTIVATION, td.activation()));
			gd.addNumericField("Filters (first U-Net level)", num(macro, KEY_FILTERS, def.baseFilters()), 0);
			gd.addNumericField("Validation fraction (of cases)", num(macro, KEY_VALIDATION, td.valFraction()), 2);
			gd.addMessage("Images: one case per entry (DICOM series folder or NIfTI file); masks: the entry with the\n"
				+ "same name (NIfTI label image). A live plot shows loss and Dice per epoch; Stop keeps the best model.");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String images = gd.getNextString(), masks = gd.getNextString(), out = gd.getNextString();
			double epochs = gd.getNextNumber();
			String dims = gd.getNextChoice();
			double batch = gd.getNextNumber(), lr = gd.getNextNumber();
			String optimizer = gd.getNextChoice(), loss = gd.getNextChoice(), activation = gd.getNextChoice();
			double filters = gd.getNextNumber(), validation = gd.getNextNumber();

			Path imagesDir = DialogValues.folder("Images folder", KEY_IMAGES, images);
			Path masksDir = DialogValues.folder("Masks folder", KEY_MASKS, masks);
			Path outDir = DialogValues.path("Out (model package folder)", KEY_OUT, out);
			if (!dims.equals("2"))
				throw new IllegalArgumentException("Dims " + dims + ": the 3D U-Net is not built yet; use dims=2 (a 2D U-Net on"
					+ " axial slices).");
			TrainingConfig tc = td.withEpochs(DialogValues.whole("Epochs", KEY_EPOCHS, epochs, 1, 10000))
				.withBatchSize(DialogValues.whole("Batch size", KEY_BATCH, batch, 1, 4096))
				.withLearningRate(DialogValues.number("Learning rate", KEY_LEARNING, lr, 0, true, 10))
				.withOptimizer(optimizer).withLoss(loss).withActivation(activation)
				.withValFraction(DialogValues.number("Validation fraction", KEY_VALIDATION, validation, 0, false, 0.9));
			SegmenterConfig cfg = new SegmenterConfig(def.depth(), DialogValues.whole("Filters", KEY_FILTERS, filters, 1, 256),
				def.windowCenterHu(), def.windowWidthHu(), tc);
			if (!macro) {
				save(KEY_IMAGES, images);
				save(KEY_MASKS, masks);
				save(KEY_OUT, out);
				save(KEY_DIMS, dims);
				save(KEY_OPTIMIZER, optimizer);
				save(KEY_LOSS, loss);
				save(KEY_ACTIVATION, activation);
				Prefs.set(PREF + KEY_EPOCHS, tc.epochs());
				Prefs.set(PREF + KEY_BATCH, tc.batchSize());
				Prefs.set(PREF + KEY_LEARNING, tc.learningRate());
				Prefs.set(PREF + KEY_FILTERS, cfg.baseFilters());
				Prefs.set(PREF + KEY_VALIDATION, tc.valFraction());
			}

			List<Datasets.Case> cases = Datasets.loadCases(imagesDir, masksDir, progress, cancel);
			progress.done();
			IJ.log(TITLE + ": " + cases.size() + " cases from " + imagesDir + "; 2D U-Net, " + tc.epochs() + " epochs, "
				+ tc.optimizer() + " " + tc.learningRate() + ", loss " + tc.loss());
			TrainingRun.Result r = TrainingRun.run(TITLE, tc.epochs(), outDir, (l, c) -> Training.trainSegmenter(
				cases.stream().map(Datasets.Case::image).toList(), cases.stream().map(Datasets.Case::mask).toList(), cfg, l, c,
				outDir), cancel);
			IJ.showStatus(TITLE + ": " + r.status());
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}

	private static String pref(boolean macro, String key, String def) {
		return macro ? def : Prefs.get(PREF + key, def);
	}

	private static double num(boolean macro, String key, double def) {
		return macro ? def : Prefs.get(PREF + key, def);
	}

	private static void save(String key, String value) {
		Prefs.set(PREF + key, value.trim());
	}
}
