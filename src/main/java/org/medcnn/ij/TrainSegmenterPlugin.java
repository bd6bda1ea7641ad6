package org.medcnn.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.medcnn.common.Cancellation;
import org.medcnn.data.Datasets;
import org.medcnn.nn.LayerConfig;
import org.medcnn.nn.SegmenterConfig;
import org.medcnn.nn.TrainingConfig;
import org.medcnn.pipeline.AssumedGeometry;
import org.medcnn.pipeline.SegmenterRequest;
import org.medcnn.pipeline.TrainingPlanner;
import org.medcnn.pipeline.Trainings;
import org.medcnn.volume.Mask;

/**
 * {@code Plugins>MedCNN>Train Segmenter...}: trains a 2D U-Net from an images folder and a masks folder (the
 * layout of DESIGN.md, "Training data layouts") and writes a model package, showing a live plot of loss and Dice
 * per epoch with a Stop button ({@link TrainingMonitor}); in batch mode one Log line per epoch.
 * <p>
 * Instead of the folders, the current image can be the (single) training case, with its labels from an open
 * label image on the same grid ({@value #KEY_MASK_IMAGE}) or from the ROI Manager's area ROIs, each on the slice
 * of its position ({@value #KEY_ROIS}); see {@link ImageTrainingData}.
 * <p>
 * The same {@link Trainings} pipeline as the CLI's {@code train-segmenter} measures the data's fingerprint and plans
 * what was not given (normalisation, target spacing, depth, patch, batch, epochs; see {@link TrainingPlanner}); the
 * fingerprint and the plan go to the Log before the first epoch.
 * <p>
 * Macro keys: {@value #KEY_IMAGES}, {@value #KEY_MASKS}, {@value #KEY_MASK_IMAGE}, {@value #KEY_ROIS}, {@value #KEY_OUT}
 * (the package folder to write), {@value #KEY_EPOCHS} (0 = auto), {@value #KEY_CLIP_NORM} (gradient clipping, see
 * {@link TrainingConfig#clipNorm()}), {@value #KEY_DIMS} (2: a 2D U-Net on axial slices; 3: a 3D U-Net on patches),
 * {@value #KEY_BATCH} (patches per step, 0 = auto), {@value #KEY_LEARNING} (learning rate), {@value #KEY_OPTIMIZER},
 * {@value #KEY_LOSS}, {@value #KEY_ACTIVATION}, {@value #KEY_FILTERS} (filters of the first U-Net level, 0 = auto),
 * {@value #KEY_CONTEXT} (2.5D, 2D only: neighbouring slices on each side fed as channels, see
 * {@link SegmenterConfig#context()}; 0 = plain 2D), {@value #KEY_NORMALISE} ({@code auto}, {@code ct}, {@code zscore},
 * {@code none} or {@code window C/W}), {@value #KEY_VALIDATION} (fraction of cases held out), {@value #KEY_AUGMENT}
 * (see {@link TrainingConfig#augment()}) and {@value #KEY_RESUME} (checkbox: continue the interrupted run whose
 * checkpoint lies beside the package), {@value #KEY_BATCH_NORM} (checkbox), {@value #KEY_DROPOUT} and {@value #KEY_INIT}
 * (see {@link LayerConfig}), {@value #KEY_OVERWRITE} (checkbox: replace a package already at {@value #KEY_OUT}; without
 * it such a target is refused before anything is loaded), {@value #KEY_ASSUME_GEOMETRY} (checkbox: train on images whose
 * pixel spacing or position is not recorded, which are refused without it; the card records what was assumed). Keys left out are planned from the data (or take the CLI's defaults) in a macro,
 * the last values used in the dialog. Example:
 * {@code run("Train Segmenter...", "images=[/data/images] masks=[/data/masks] out=[/models/liver] epochs=30 dims=2");}
 * or, with the CT image current: {@code run("Train Segmenter...", "mask_image=[liver labels] out=[/models/liver]");}
 */
public class TrainSegmenterPlugin implements PlugIn {

	static final String TITLE = "Train Segmenter";
	public static final String KEY_IMAGES = "images", KEY_MASKS = "masks", KEY_OUT = "out", KEY_EPOCHS = "epochs",
		KEY_DIMS = "dims", KEY_BATCH = "batch", KEY_LEARNING = "learning", KEY_OPTIMIZER = "optimizer", KEY_LOSS = "loss",
		KEY_ACTIVATION = "activation", KEY_FILTERS = "filters", KEY_VALIDATION = "validation";
	/** Macro key: title of an open label image on the current image's grid (train from the current image). */
	public static final String KEY_MASK_IMAGE = "mask_image";
	/** Macro key (checkbox): train from the current image and the ROI Manager's area ROIs. */
	public static final String KEY_ROIS = "rois";
	/** Macro keys: training-time augmentation, and (checkbox) resuming from the checkpoint. */
	public static final String KEY_AUGMENT = "augment", KEY_RESUME = "resume";
	/** Macro keys of {@link LayerConfig}: batch norm (checkbox), dropout rate, weight initialisation. */
	public static final String KEY_BATCH_NORM = "batch_norm", KEY_DROPOUT = "dropout", KEY_INIT = "init";
	/** Macro key: neighbouring slices on each side as input channels (2.5D U-Net; 0 = plain 2D). */
	public static final String KEY_CONTEXT = "context";
	/** Macro key: gradient clipping at this global norm, 0 = off (see {@link TrainingConfig#clipNorm()}). */
	public static final String KEY_CLIP_NORM = "clip_norm";
	/** Macro key: the normalisation, {@code auto} (the default), {@code ct}, {@code zscore}, {@code none} or {@code window C/W}. */
	public static final String KEY_NORMALISE = "normalise";
	/** Macro key (checkbox): replace a model package already at the output folder. */
	public static final String KEY_OVERWRITE = "overwrite";
	/** Macro key (checkbox): train on images of assumed geometry ({@link AssumedGeometry}); refused without. */
	public static final String KEY_ASSUME_GEOMETRY = AssumedGeometry.KEY;
	static final List<String> KEYS = List.of(KEY_IMAGES, KEY_MASKS, KEY_MASK_IMAGE, KEY_ROIS, KEY_OUT, KEY_EPOCHS, KEY_DIMS,
		KEY_BATCH, KEY_LEARNING, KEY_OPTIMIZER, KEY_LOSS, KEY_ACTIVATION, KEY_FILTERS, KEY_VALIDATION, KEY_AUGMENT,
		KEY_RESUME, KEY_BATCH_NORM, KEY_DROPOUT, KEY_INIT, KEY_CONTEXT, KEY_CLIP_NORM, KEY_NORMALISE, KEY_OVERWRITE,
		KEY_ASSUME_GEOMETRY);
	/** The {@value #KEY_MASK_IMAGE} choice for "no mask image". */
	static final String NO_MASK_IMAGE = "(none)";
	private static final String PREF = "medcnn.trainsegmenter.";

	@Override
	public void run(String arg) {
		Cancellation cancel = new Cancellation();
		IjProgress progress = new IjProgress(TITLE, cancel);
		try {
			String options = Macro.getOptions();
			MacroOptions.checkKeys(TITLE + "...", options, KEYS);
			boolean macro = options != null;
			TrainingConfig td = TrainingConfig.segmenterDefaults();
			GenericDialog gd = new GenericDialog(TITLE);
			gd.addDirectoryField("Images folder", pref(macro, KEY_IMAGES, ""), 40);
			gd.addDirectoryField("Masks folder", pref(macro, KEY_MASKS, ""), 40);
			String[] titles = WindowManager.getImageTitles();
			String[] maskChoices = new String[titles.length + 1];
			maskChoices[0] = NO_MASK_IMAGE;
			System.arraycopy(titles, 0, maskChoices, 1, titles.length);
			gd.addChoice("Mask_image (label image for the current image)", maskChoices, NO_MASK_IMAGE);
			gd.addCheckbox("Rois (ROI Manager outlines on the current image)", false);
			gd.addDirectoryField("Out (model package folder)", pref(macro, KEY_OUT, ""), 40);
			gd.addNumericField("Epochs (0 = auto)", num(macro, KEY_EPOCHS, 0), 0);
			gd.addChoice("Dims (2D or 3D U-Net)", new String[] {"2", "3"}, pref(macro, KEY_DIMS, "2"));
			gd.addNumericField("Batch size (patches per step; 0 = auto)", num(macro, KEY_BATCH, 0), 0);
			gd.addNumericField("Learning rate", num(macro, KEY_LEARNING, td.learningRate()), 5);
			gd.addNumericField("Clip_norm (gradient clipping at this global norm; 0 = off)", num(macro, KEY_CLIP_NORM,
				td.clipNorm()), 2);
			gd.addChoice("Optimizer", TrainingConfig.OPTIMIZERS.toArray(String[]::new), pref(macro, KEY_OPTIMIZER, td.optimizer()));
			gd.addChoice("Loss", TrainingConfig.LOSSES.toArray(String[]::new), pref(macro, KEY_LOSS, td.loss()));
			gd.addChoice("Activation", TrainingConfig.ACTIVATIONS.toArray(String[]::new),
				pref(macro, KEY_ACTIVATION, td.activation()));
			gd.addNumericField("Filters (first U-Net level; 0 = auto)", num(macro, KEY_FILTERS, 0), 0);
			gd.addNumericField("Context (neighbouring slices on each side as channels, 2D only)",
				num(macro, KEY_CONTEXT, 0), 0);
			gd.addStringField("Normalise (auto, ct, zscore, none or window C/W)", pref(macro, KEY_NORMALISE, "auto"), 16);
			gd.addNumericField("Validation fraction (of cases)", num(macro, KEY_VALIDATION, td.valFraction()), 2);
			gd.addChoice("Augment (training-time)", TrainingConfig.AUGMENTATIONS.toArray(String[]::new),
				pref(macro, KEY_AUGMENT, td.augment()));
			gd.addCheckbox("Resume (continue the interrupted run's checkpoint)", false);
			gd.addCheckbox("Overwrite (replace a model package already at Out)", false);
			gd.addCheckbox("Assume_geometry (train on images without a recorded pixel spacing or position)", false);
			addLayerFields(gd, macro, PREF);
			gd.addMessage("Images: one case per entry (DICOM series folder or NIfTI file); masks: the entry with the\n"
				+ "same name (NIfTI label image). Or, leaving both folders empty, the current image with a mask image\n"
				+ "or the ROI Manager's outlines (each on its slice). Settings at 0 / auto follow the data (its fingerprint\n"
				+ "is shown in the Log). A live plot shows loss and Dice per epoch; Stop keeps the best model.");
			gd.showDialog();
			if (gd.wasCanceled()) return;
			String images = gd.getNextString(), masks = gd.getNextString();
			String maskImage = gd.getNextChoice();
			boolean rois = gd.getNextBoolean();
			String out = gd.getNextString();
			double epochs = gd.getNextNumber();
			String dims = gd.getNextChoice();
			double batch = gd.getNextNumber(), lr = gd.getNextNumber(), clip = gd.getNextNumber();
			String optimizer = gd.getNextChoice(), loss = gd.getNextChoice(), activation = gd.getNextChoice();
			double filters = gd.getNextNumber(), contextValue = gd.getNextNumber();
			String normalise = gd.getNextString().trim();
			double validation = gd.getNextNumber();
			String augment = gd.getNextChoice();
			boolean resume = gd.getNextBoolean();
			boolean overwrite = gd.getNextBoolean();
			boolean assumeGeometry = gd.getNextBoolean(); // never remembered: an explicit choice each time
			LayerConfig layers = layerValues(gd, macro, PREF);

			boolean fromImage = rois || !NO_MASK_IMAGE.equals(maskImage);
			if (fromImage && (!images.isBlank() || !masks.isBlank()))
				throw new IllegalArgumentException("Give either the images and masks folders (keys images, masks) or a mask"
					+ " image / ROIs for the current image (keys mask_image, rois), not both.");
			if (rois && !NO_MASK_IMAGE.equals(maskImage))
				throw new IllegalArgumentException("Give either a mask image (key mask_image) or ROIs (key rois), not both.");
			Path imagesDir = fromImage ? null : DialogValues.folder("Images folder", KEY_IMAGES, images);
			Path masksDir = fromImage ? null : DialogValues.folder("Masks folder", KEY_MASKS, masks);
			Path outDir = DialogValues.path("Out (model package folder)", KEY_OUT, out);
			boolean threeD = dims.equals("3");
			int epochCount = DialogValues.whole("Epochs", KEY_EPOCHS, epochs, 0, 10000);
			int batchSize = DialogValues.whole("Batch size", KEY_BATCH, batch, 0, 4096);
			int baseFilters = DialogValues.whole("Filters", KEY_FILTERS, filters, 0, 256);
			int context = DialogValues.whole("Context", KEY_CONTEXT, contextValue, 0, SegmenterConfig.MAX_CONTEXT);
			if (threeD && context > 0)
				throw new IllegalArgumentException("Context (macro key " + KEY_CONTEXT + ") = " + context + " is for the 2D U-Net"
					+ " only; set it to 0 with Dims 3, whose 3D convolutions see the neighbouring slices already.");
			SegmenterRequest request = SegmenterRequest.builder().dims(threeD ? 3 : 2).epochs(epochCount == 0 ? null : epochCount)
				.batch(batchSize == 0 ? null : batchSize)
				.learningRate(DialogValues.number("Learning rate", KEY_LEARNING, lr, 0, true, 10))
				.clipNorm(DialogValues.number("Clip_norm", KEY_CLIP_NORM, clip, 0, false, 1e6)).optimizer(optimizer).loss(loss)
				.activation(activation).filters(baseFilters == 0 ? null : baseFilters).context(context)
				.valFraction(DialogValues.number("Validation fraction", KEY_VALIDATION, validation, 0, false, 0.9))
				.augment(augment).resume(resume).overwrite(overwrite).assumeGeometry(assumeGeometry).layers(layers).normalise(normalise.isEmpty() ? null : normalise).build();
			if (!macro) {
				save(KEY_IMAGES, images);
				save(KEY_MASKS, masks);
				save(KEY_OUT, out);
				save(KEY_DIMS, dims);
				save(KEY_OPTIMIZER, optimizer);
				save(KEY_LOSS, loss);
				save(KEY_ACTIVATION, activation);
				save(KEY_AUGMENT, augment);
				save(KEY_NORMALISE, normalise);
				Prefs.set(PREF + KEY_EPOCHS, epochCount);
				Prefs.set(PREF + KEY_BATCH, batchSize);
				Prefs.set(PREF + KEY_LEARNING, lr);
				Prefs.set(PREF + KEY_CLIP_NORM, clip);
				Prefs.set(PREF + KEY_FILTERS, baseFilters);
				Prefs.set(PREF + KEY_CONTEXT, context);
				Prefs.set(PREF + KEY_VALIDATION, validation);
			}

			Trainings.checkTarget(outDir, overwrite || resume);
			List<Datasets.Case> cases;
			String source;
			if (fromImage) {
				ImagePlus imp = WindowManager.getCurrentImage();
				if (imp == null) throw new IllegalArgumentException("Please open the image to train on.");
				Mask mask;
				if (rois) {
					RoiManager rm = RoiManager.getInstance2();
					mask = ImageTrainingData.fromRois(imp, rm == null ? null : rm.getRoisAsArray());
					source = "\"" + imp.getTitle() + "\" and " + (rm == null ? 0 : rm.getCount()) + " ROIs";
				} else {
					ImagePlus labels = WindowManager.getImage(maskImage);
					if (labels == null) throw new IllegalArgumentException("No open image is called \"" + maskImage + "\"");
					if (labels == imp)
						throw new IllegalArgumentException("The mask image \"" + maskImage + "\" is the current image; select the"
							+ " image to train on first.");
					mask = ImageTrainingData.fromLabelImage(imp, labels);
					source = "\"" + imp.getTitle() + "\" with the mask \"" + labels.getTitle() + "\"";
				}
				if (mask.foregroundCount() == 0)
					throw new IllegalArgumentException("The mask of \"" + imp.getTitle() + "\" is empty: nothing to learn.");
				cases = List.of(new Datasets.Case(imp.getTitle(), IjVolumes.toVolume(imp), mask));
			} else {
				cases = Datasets.loadCases(imagesDir, masksDir, progress, cancel);
				source = cases.size() + " cases from " + imagesDir;
			}
			progress.done();
			TrainingPlanner.SegmenterPlan plan = Trainings.planSegmenter(request, cases);
			TrainingConfig tc = plan.training();
			IJ.log(TITLE + ": " + source + "; " + (plan.dims() == 3 ? "3D U-Net on "
				+ java.util.Arrays.toString(plan.config3d().patchZyx()) + " patches" : context > 0 ? "2.5D U-Net ("
				+ plan.config2d().channels() + " slices as channels)" : "2D U-Net") + ", "
				+ tc.epochs() + " epochs, " + tc.optimizer() + " " + tc.learningRate() + ", loss " + tc.loss() + ", augment "
				+ tc.augment() + (resume ? ", resuming" : ""));
			TrainingRun.Result r = TrainingRun.run(TITLE, tc.epochs(), outDir,
				(l, c) -> Trainings.trainSegmenter(plan, cases, l, c, outDir), cancel);
			IJ.showStatus(TITLE + ": " + r.status());
		} catch (IOException | RuntimeException e) {
			progress.done();
			Errors.report(TITLE, e);
		}
	}

	/** Batch norm, dropout and initialisation fields (shared with {@link TrainClassifierPlugin}). */
	static void addLayerFields(GenericDialog gd, boolean macro, String pref) {
		LayerConfig d = LayerConfig.DEFAULT;
		gd.addCheckbox("Batch_norm (after each convolution)", !macro && Prefs.get(pref + KEY_BATCH_NORM, d.batchNorm()));
		gd.addNumericField("Dropout (rate in training, 0 = off)", macro ? d.dropout() : Prefs.get(pref + KEY_DROPOUT, d.dropout()), 2);
		gd.addChoice("Init (weight initialisation)", LayerConfig.INITS.toArray(String[]::new),
			macro ? d.init() : Prefs.get(pref + KEY_INIT, d.init()));
	}

	/** Reads the fields of {@link #addLayerFields}, validates them and remembers them for the next dialog. */
	static LayerConfig layerValues(GenericDialog gd, boolean macro, String pref) {
		boolean bn = gd.getNextBoolean();
		double dropout = DialogValues.number("Dropout", KEY_DROPOUT, gd.getNextNumber(), 0, false, LayerConfig.MAX_DROPOUT);
		String init = gd.getNextChoice();
		if (!macro) {
			Prefs.set(pref + KEY_BATCH_NORM, bn);
			Prefs.set(pref + KEY_DROPOUT, dropout);
			Prefs.set(pref + KEY_INIT, init);
		}
		return new LayerConfig(bn, dropout, init);
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
