// MedCNN example: segment every case in a folder with a trained segmentation model
// (Plugins>MedCNN>Batch Process...). Research use only.
//
// Input folder: one case per entry, a DICOM series folder or a NIfTI image (.nii, .nii.gz).
// Output folder (created if needed, never inside the input folder), per case:
//   CASE.nii.gz          the predicted lesion mask on the image's grid (label 1 = lesion)
//   CASE_lesions.csv     one row per lesion: volume (mL), mean/max HU, longest axial diameter (mm), slices
//   CASE_overlay.png     the key slice of the largest lesion with the mask outlined
// and summary.csv with one row per case (case, series UID, lesions, total volume, largest diameter, error).
// A case that cannot be read is listed with its error; the others are still processed.
//
// Run it from Fiji (Plugins>Macros>Run...): it asks for the folders. Or pass them as the argument, e.g.
//   ImageJ-linux64 --headless -batch batch_segment_folder.ijm "input=[/data/cases] model=[/models/liver] output=[/data/results]"

arg = getArgument();
input = call("ij.Macro.getValue", arg, "input", "");
model = call("ij.Macro.getValue", arg, "model", "");
output = call("ij.Macro.getValue", arg, "output", "");
if (input == "") input = getDirectory("Folder of cases (DICOM series folders or NIfTI files)");
if (model == "") model = getDirectory("Segmentation model package (the folder holding medcnn.json)");
if (output == "") output = getDirectory("Output folder (outside the folder of cases)");

setBatchMode(true); // no windows; the summary still becomes the "MedCNN Batch" table
run("Batch Process...", "input=[" + input + "] model=[" + model + "] output=[" + output + "]");
print("MedCNN batch finished; summary: " + output + File.separator + "summary.csv");
