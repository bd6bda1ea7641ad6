// MedCNN example: train a small 2D U-Net from folders, show its model card, then segment one series with it.
// Research use only.
//
// Training data (DESIGN.md "Training data layouts"):
//   images/  one case per entry: a DICOM series folder or a NIfTI image
//   masks/   per case the entry with the same name: a NIfTI label image (0 = background, 1 = lesion)
// The model package is written to "model" (a new folder, or an earlier MedCNN package, which is replaced).
// Without batch mode a live plot of loss and Dice opens, with a Stop button that keeps the best model so far;
// in batch mode each epoch is a line in the Log.
//
// Arguments (all optional; missing folders are asked for):
//   "images=[/data/images] masks=[/data/masks] model=[/models/liver] series=[/data/new/case07] epochs=30"

arg = getArgument();
images = call("ij.Macro.getValue", arg, "images", "");
masks = call("ij.Macro.getValue", arg, "masks", "");
model = call("ij.Macro.getValue", arg, "model", "");
series = call("ij.Macro.getValue", arg, "series", "");
epochs = call("ij.Macro.getValue", arg, "epochs", "30");
if (images == "") images = getDirectory("Training images (one case per entry)");
if (masks == "") masks = getDirectory("Training masks (same names as the images)");
if (model == "") model = getDirectory("Where to write the model package");
if (series == "") series = getDirectory("A DICOM series to segment with the new model");

setBatchMode(true);
// 1. Train. Other keys: batch, learning (rate), optimizer (sgd|momentum|adam), loss (dice|dice-ce|cross-entropy|mse),
//    activation (relu|tanh|sigmoid|elu), filters (first U-Net level), validation (fraction of cases held out).
run("Train Segmenter...", "images=[" + images + "] masks=[" + masks + "] out=[" + model + "] epochs=" + epochs
	+ " dims=2 batch=8 learning=0.001 optimizer=adam loss=dice-ce validation=0.2");
// 2. The model card: task, architecture, training record, validation Dice (to the Log in batch mode).
run("Model Info...", "model=[" + model + "]");
// 3. Segment a series: mask overlay, lesion outlines and the "MedCNN Lesions" table.
run("Open DICOM...", "path=[" + series + "]");
run("Segment Tumors...", "model=[" + model + "]");
print("Segmented " + getTitle() + " with " + model);
setBatchMode("exit and display");
