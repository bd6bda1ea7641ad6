package org.medcnn.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.medcnn.common.Json;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.DicomWriter;
import org.medcnn.dicom.DicomWriter.SeriesInfo;
import org.medcnn.dicom.Uids;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.PhantomCase;
import org.medcnn.volume.PhantomConfig;
import org.medcnn.volume.PhantomGenerator;
import org.medcnn.volume.PhantomLesion;

/**
 * Writes the bundled phantom data set ({@code sample-dicom/phantom/}) from {@link PhantomGenerator}:
 * <pre>
 * phantom/cases.json                         per case: split, seed, risk level, key slice, lesions, paths
 * phantom/{train,test}/images/caseNN/IM*.dcm  one CT series per case ({@link DicomWriter})
 * phantom/{train,test}/masks/caseNN.nii.gz    its lesion label mask (NIfTI-1 uint8, labels 1…n)
 * phantom/{train,test}/classes/{low,intermediate,high}/caseNN.dcm   the case's key slice, for classifiers
 * </pre>
 * {@value #CASES} cases: case i (1-based) uses seed {@code 1000 + i} and risk level
 * {@code RISK_LEVELS[(i - 1) % 3]}; cases 1–20 are "train" (7 low, 7 intermediate, 6 high) and 21–26 "test"
 * (2 of each). The output is byte-for-byte reproducible: UIDs come from seeds, dates are fixed.
 * <p>
 * Run: {@code java -cp "target/classes:target/lib/*" org.medcnn.data.SampleDataGenerator sample-dicom}
 * (the folder's {@code phantom/} sub-folder is replaced; other content such as {@code real/} is kept).
 */
public final class SampleDataGenerator {

	/** Number of cases written. */
	public static final int CASES = 26;
	/** Cases 1…TRAIN_CASES are the training split, the rest the test split. */
	public static final int TRAIN_CASES = 20;

	private SampleDataGenerator() {}

	/** The seed of case i (1-based). */
	public static long seed(int caseNumber) {
		return 1000L + caseNumber;
	}

	/** The risk level drawn for case i (1-based). */
	public static String riskLevel(int caseNumber) {
		return PhantomGenerator.RISK_LEVELS.get((caseNumber - 1) % PhantomGenerator.RISK_LEVELS.size());
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 1 || args[0].startsWith("-")) {
			System.err.println("usage: java -cp \"target/classes:target/lib/*\" org.medcnn.data.SampleDataGenerator "
				+ "OUTPUT_DIR   (e.g. sample-dicom; its phantom/ sub-folder is replaced)");
			System.exit(2);
		}
		Path root = Path.of(args[0]);
		generate(root, (f, m) -> System.err.println(m));
		System.err.println("Wrote " + CASES + " phantom cases to " + root.resolve("phantom"));
	}

	/**
	 * Writes the data set under {@code root/phantom}, replacing an earlier one there.
	 *
	 * @return the content of cases.json
	 * @throws IOException if {@code root/phantom} exists but was not made by this generator (no cases.json), or
	 *         a file cannot be written
	 */
	public static Map<String, Object> generate(Path root, ProgressListener progress) throws IOException {
		Path phantom = root.resolve("phantom");
		if (Files.exists(phantom)) {
			if (!Files.exists(phantom.resolve("cases.json")))
				throw new IOException(phantom + " exists but holds no cases.json; refusing to replace it");
			org.medcnn.common.AtomicFiles.deleteTree(phantom);
		}
		List<Object> cases = new ArrayList<>();
		for (int i = 1; i <= CASES; i++) {
			String name = String.format("case%02d", i);
			String split = i <= TRAIN_CASES ? "train" : "test";
			PhantomCase pc = PhantomGenerator.generate(seed(i), PhantomConfig.DEFAULT.withRiskLevel(riskLevel(i)));
			String images = split + "/images/" + name;
			String mask = split + "/masks/" + name + ".nii.gz";
			String keyImage = split + "/classes/" + pc.riskLevel() + "/" + name + ".dcm";
			String uidSeed = "medcnn-phantom/" + name;
			String patient = "PHANTOM^" + name.toUpperCase();
			String patientId = "PHANTOM-" + name.toUpperCase();
			SeriesInfo info = SeriesInfo.synthetic(uidSeed, patient, patientId, "Phantom CT " + name);
			DicomWriter.writeSeries(pc.volume(), phantom.resolve(images), info);
			Nifti.writeMask(pc.mask(), phantom.resolve(mask));
			DicomWriter.writeSingleSlice(pc.volume(), pc.keySlice(), phantom.resolve(keyImage), info.withSeries(
				Uids.fromSeed(uidSeed + "/key-slice"), 2, "Phantom key slice " + name));

			Map<String, Object> c = new LinkedHashMap<>();
			c.put("name", name);
			c.put("split", split);
			c.put("seed", seed(i));
			c.put("riskLevel", pc.riskLevel());
			c.put("keySlice", pc.keySlice());
			c.put("images", images);
			c.put("mask", mask);
			c.put("keySliceImage", keyImage);
			List<Object> lesions = new ArrayList<>();
			for (PhantomLesion l : pc.lesions()) {
				Map<String, Object> m = new LinkedHashMap<>();
				m.put("label", l.label());
				m.put("centreVoxel", round(l.centreVoxel()));
				m.put("centreMm", round(l.centreMm()));
				m.put("semiAxesMm", round(l.semiAxesMm()));
				m.put("nominalDiameterMm", round(l.nominalDiameterMm()));
				m.put("measuredDiameterMm", round(l.measuredDiameterMm()));
				m.put("contrastHu", round(l.contrastHu()));
				m.put("irregularity", l.irregularity());
				m.put("voxels", l.voxelCount());
				m.put("volumeMl", round(l.voxelCount() * pc.volume().geometry().voxelVolumeMm3() / 1000));
				lesions.add(m);
			}
			c.put("lesions", lesions);
			cases.add(c);
			progress.progress(i / (double) CASES, "Phantom " + name + " (" + split + ", " + pc.riskLevel() + ")");
		}
		Map<String, Object> doc = new LinkedHashMap<>();
		doc.put("generator", SampleDataGenerator.class.getName());
		doc.put("grid", "128x128x16, pixel spacing 2.5 mm, slice spacing 5 mm, axial");
		doc.put("maskLabels", "0 = background, 1..n = lesion n (1 = the lesion that sets the risk level)");
		doc.put("riskRule", "D = longest axial diameter of the largest lesion (max distance between pixel centres in "
			+ "one slice): low D < 25 mm, intermediate 25 <= D <= 40 mm, high D > 40 mm");
		doc.put("cases", cases);
		Files.writeString(phantom.resolve("cases.json"), Json.writePretty(doc) + "\n", StandardCharsets.UTF_8);
		return doc;
	}

	private static double round(double v) {
		return Math.rint(v * 1000) / 1000;
	}

	private static double[] round(double[] v) {
		double[] r = new double[v.length];
		for (int i = 0; i < v.length; i++) r[i] = round(v[i]);
		return r;
	}
}
