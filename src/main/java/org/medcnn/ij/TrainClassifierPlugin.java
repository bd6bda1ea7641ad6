package org.medcnn.ij;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.ClassifierConfig;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.pipeline.ClassifierRequest;
import org.medcnn.pipeline.TrainingPlanner;
import org.medcnn.pipeline.Trainings;

/**
 * {@code Plugins>MedCNN>Train Classifier...}: trains an image classifier (a small CNN, or the fully connected MLP
 * baseline) from a folder with one sub-folder per class (DESIGN.md, "Training data layouts") and writes a model
 * package, showing a live plot of loss and accuracy per epoch with a Stop button ({@link TrainingMonitor}); in
 * batch mode one Log line per epoch.
 * <p>
 * Macro keys: {@value #KEY_DATA}, {@value #KEY_OUT} (the package folder to write), {@value #KEY_EPOCHS},
 * {@value #KEY_ARCHITECTURE} ({@code cnn} or {@code mlp}), {@value #KEY_BATCH}, {@value #KEY_LEARNING} (learning
 * rate), {@value #KEY_OPTIMIZER}, {@value #KEY_LOSS} ({@code cross-entropy} or {@code mse}),
 * {@value #KEY_ACTIVATION}, {@value #KEY_POOLING} ({@code max} or {@code avg}), {@value #KEY_VALIDATION}
 * (fraction of items held out), {@code augment}, {@code resume}, {@code batch_norm}, {@code dropout} and {@code init}
 * (as in {@link TrainSegmenterPlugin}). Without a data folder, the open images are the items:
 * {@value #KEY_IMAGES} assigns each a class ({@code title=class; title=class}, each image's current slice is used)
 * and {@value #KEY_CLASSES} names the classes in output order (e.g. {@code no-tumour, tumour}).
 * {@value #KEY_NORMALISE} chooses the normalisation ({@code auto}, {@code ct}, {@code zscore}, {@code none},
 * {@code window C/W}), {@value #KEY_CROP_MM} records that the items are lesion-centred crops of that many mm (0: whole
 * images), {@code overwrite} (checkbox: replace a package already at {@value #KEY_OUT}), {@code assume_geometry}
 * (checkbox: train on DICOM items whose pixel spacing or position is not recorded; refused without). Epochs and batch 0 and keys left out are planned from the data by the same {@link Trainings} pipeline as
 * the CLI's (see {@link TrainingPlanner}); the dialog remembers the last values used. Example:
 * {@code run("Train Classifier...", "data=[/data/risk] out=[/models/risk] epochs=30 architecture=cnn");}
 */
public class TrainClassifierPlugin implements PlugIn {

	static final String TITLE = "Train Classifier";
	public static final String KEY_DATA = "data", KEY_OUT = "out", KEY_EPOCHS = "epochs", KEY_ARCHITECTURE = "architecture",
		KEY_BATCH = "batch", KEY_LEARNING = "learning", KEY_OPTIMIZER = "optimizer", KEY_LOSS = "loss",
		KEY_ACTIVATION = "activation", KEY_POOLING = "pooling", KEY_VALIDATION = "validation";
	/** Macro keys for training from open images: {@code title=class; …} and the class names in output order. */
	public static final String KEY_IMAGES = "images", KEY_CLASSES = "classes";
	/** Macro keys: the normalisation, and the side (mm) of the lesion-centred crops the items are. */
	public static final String KEY_NORMALISE = TrainSegmenterPlugin.KEY_NORMALISE, KEY_CROP_MM = "crop_mm";
	static final List<String> KEYS = List.of(KEY_DATA, KEY_OUT, KEY_EPOCHS, KEY_ARCHITECTURE, KEY_BATCH, KEY_LEARNING,
		KEY_OPTIMIZER, KEY_LOSS, KEY_ACTIVATION, KEY_POOLING, KEY_VALIDATION, TrainSegmenterPlugin.KEY_AUGMENT,
		TrainSegmenterPlugin.KEY_RESUME, TrainSegmenterPlugin.KEY_BATCH_NORM, TrainSegmenterPlugin.KEY_DROPOUT,
		TrainSegmenterPlugin.KEY_INIT, KEY_IMAGES, KEY_CLASSES, KEY_NORMALISE, KEY_CROP_MM, TrainSegmenterPlugin.KEY_OVERWRITE,
		TrainSegmenterPlugin.KEY_ASSUME_GEOMETRY);
	/** The losses a classifier accepts. */
	static final String[] LOSSES = {"cross-entropy", "mse"};
	private static final String PREF = "medcnn.trainclassifier.";

	@Override
	public void run(String arg) {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, KEYS);
			boolean macro = options != null;
			ClassifierConfig def = ClassifierConfig.defaults();
			TrainingConfig td = TrainingConfig.classifierDefaults();
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Data folder (one sub-folder per class)", pref(macro, KEY_DATA, ""), 40);
			String[] open = WindowManager.getImageTitles();
			StringBuilder assign = new StringBuilder();
			for (String t : open) assign.append(assign.length() == 0 ? "" : "; ").append(t).append('=');
			gd.addStringField("Images (open images: title=class; ..., each its current slice)", macro ? "" : assign.toString(), 40);
			gd.addStringField("Classes (for open images, in order)", pref(macro, KEY_CLASSES, "no-tumour, tumour"), 40);
			gd.addDirectoryField("Out (model package folder)", pref(macro, KEY_OUT, ""), 40);
			gd.addNumericField("Epochs (0 = auto)", num(macro, KEY_EPOCHS, 0), 0);
			gd.addChoice("Architecture", ClassifierConfig.ARCHITECTURES.toArray(String[]::new),
				pref(macro, KEY_ARCHITECTURE, def.architecture()));
			gd.addNumericField("Batch size (0 = auto)", num(macro, KEY_BATCH, 0), 0);
			gd.addNumericField("Learning rate", num(macro, KEY_LEARNING, td.learningRate()), 5);
			gd.addChoice("Optimizer", TrainingConfig.OPTIMIZERS.toArray(String[]::new), pref(macro, KEY_OPTIMIZER, td.optimizer()));
			gd.addChoice("Loss", LOSSES, pref(macro, KEY_LOSS, td.loss()));
			gd.addChoice("Activation", TrainingConfig.ACTIVATIONS.toArray(String[]::new),
				pref(macro, KEY_ACTIVATION, td.activation()));
			gd.addChoice("Pooling (CNN)", ClassifierConfig.POOLINGS.toArray(String[]::new), pref(macro, KEY_POOLING, def.pooling()));
			gd.addNumericField("Validation fraction (of items)", num(macro, KEY_VALIDATION, td.valFraction()), 2);
			gd.addChoice("Augment (training-time)", TrainingConfig.AUGMENTATIONS.toArray(String[]::new),
				pref(macro, TrainSegmenterPlugin.KEY_AUGMENT, td.augment()));
			gd.addCheckbox("Resume (continue the interrupted run's checkpoint)", false);
			gd.addCheckbox("Overwrite (replace a model package already at Out)", false);
			gd.addCheckbox("Assume_geometry (train on images without a recorded pixel spacing or position)", false);
			TrainSegmenterPlugin.addLayerFields(gd, macro, PREF);
			gd.addStringField("Normalise (auto, ct, zscore, none or window C/W)", pref(macro, KEY_NORMALISE, "auto"), 16);
			gd.addNumericField("Crop_mm (items are lesion-centred crops of this many mm; 0 = whole images)",
				num(macro, KEY_CROP_MM, 0), 1);
			gd.addMessage("Data: one sub-folder per class (e.g. benign/, malignant/ or low/, intermediate/, high/), each\n"
				+ "item a DICOM file or series folder or a NIfTI file. A live plot shows loss and accuracy per epoch.");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String data = gd.getNextString(), images = gd.getNextString(), classNames = gd.getNextString(),
				out = gd.getNextString();
			double epochs = gd.getNextNumber();
			String architecture = gd.getNextChoice();
			double batch = gd.getNextNumber(), lr = gd.getNextNumber();
			String optimizer = gd.getNextChoice(), loss = gd.getNextChoice(), activation = gd.getNextChoice(),
				pooling = gd.getNextChoice();
			double validation = gd.getNextNumber();
			String augment = gd.getNextChoice();
			boolean resume = gd.getNextBoolean();
			boolean overwrite = gd.getNextBoolean();
			boolean assumeGeometry = gd.getNextBoolean(); // never remembered: an explicit choice each time
			LayerConfig layers = TrainSegmenterPlugin.layerValues(gd, macro, PREF);
			String normalise = gd.getNextString().trim();
			double cropMm = DialogValues.number("Crop_mm", KEY_CROP_MM, gd.getNextNumber(), 0, false, 10_000);

			boolean fromImages = data.isBlank() && images.contains("=");
			Path dataDir = fromImages ? null : DialogValues.folder("Data folder", KEY_DATA, data);
			Path outDir = DialogValues.path("Out (model package folder)", KEY_OUT, out);
			int epochCount = DialogValues.whole("Epochs", KEY_EPOCHS, epochs, 0, 10000);
			int batchSize = DialogValues.whole("Batch size", KEY_BATCH, batch, 0, 4096);
			ClassifierRequest request = ClassifierRequest.builder().architecture(architecture).pooling(pooling)
				.epochs(epochCount == 0 ? null : epochCount).batch(batchSize == 0 ? null : batchSize)
				.learningRate(DialogValues.number("Learning rate", KEY_LEARNING, lr, 0, true, 10)).optimizer(optimizer).loss(loss)
				.activation(activation).valFraction(DialogValues.number("Validation fraction", KEY_VALIDATION, validation, 0, false, 0.9))
				.augment(augment).resume(resume).overwrite(overwrite).assumeGeometry(assumeGeometry).layers(layers).normalise(normalise.isEmpty() ? null : normalise)
				.cropMm(cropMm).build();
			if (!macro) {
				for (String[] kv : new String[][] {{KEY_DATA, data}, {KEY_OUT, out}, {KEY_ARCHITECTURE, architecture},
					{KEY_OPTIMIZER, optimizer}, {KEY_LOSS, loss}, {KEY_ACTIVATION, activation}, {KEY_POOLING, pooling}, {TrainSegmenterPlugin.KEY_AUGMENT, augment}})
					Prefs.set(PREF + kv[0], kv[1].trim());
				Prefs.set(PREF + KEY_NORMALISE, normalise);
				Prefs.set(PREF + KEY_EPOCHS, epochCount);
				Prefs.set(PREF + KEY_BATCH, batchSize);
				Prefs.set(PREF + KEY_LEARNING, lr);
				Prefs.set(PREF + KEY_VALIDATION, validation);
				Prefs.set(PREF + KEY_CROP_MM, cropMm);
			}

			Trainings.checkTarget(outDir, overwrite || resume);
			List<String> classes;
			List<Datasets.Item> items;
			String source;
			if (fromImages) {
				ImageTrainingData.LabelledImages li = ImageTrainingData.labelled(images, classNames, WindowManager::getImage);
				classes = li.classNames();
				items = new java.util.ArrayList<>();
				for (int i = 0; i < li.items().size(); i++)
					items.add(new Datasets.Item(li.titles().get(i), li.items().get(i), li.labels()[i]));
				source = "open images " + li.titles();
				if (!macro) Prefs.set(PREF + KEY_CLASSES, classNames.trim());
			} else {
				classes = Datasets.classNames(dataDir);
				items = Datasets.loadItems(dataDir, progress, cancel);
				source = dataDir.toString();
			}
			progress.done();
			TrainingPlanner.ClassifierPlan plan = Trainings.planClassifier(request, items, classes);
			TrainingConfig tc = plan.config().training();
			IJ.log(TITLE + ": " + items.size() + " items in classes " + classes + " from " + source + "; "
				+ plan.config().architecture().toUpperCase(java.util.Locale.ROOT) + ", " + tc.epochs() + " epochs, "
				+ tc.optimizer() + " " + tc.learningRate() + ", loss " + tc.loss());
			List<Datasets.Item> training = items;
			TrainingRun.Result r = TrainingRun.run(TITLE, tc.epochs(), outDir,
				(l, c) -> Trainings.trainClassifier(plan, training, classes, l, c, outDir), cancel);
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
}
