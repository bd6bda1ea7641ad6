package org.medcnn.ij;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.medcnn.dicom.DicomWriter;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * A tiny synthetic CT data set for training and batch tests: 32×32×4 abdomens (water-like body, 40 HU, in air)
 * with one bright ball lesion (130 HU, radius 5 pixels) whose position depends on the case, plus noise. Written as
 * DICOM series folders ({@code images/CASE/}) and NIfTI label masks ({@code masks/CASE.nii.gz}).
 */
final class TinyCases {

	static final Geometry GRID = new Geometry(32, 32, 4, new double[] {1, 1, 3}, new double[] {-16, -16, 50},
		Geometry.AXIAL);

	private TinyCases() {}

	/** The image of case {@code k}; fills {@code mask} with its lesion. */
	static Volume phantom(int k, Mask mask) {
		Random rnd = new Random(100 + k);
		int cx = 10 + 4 * (k % 4), cy = 12 + 3 * (k % 3), cz = 1 + k % 2;
		float[] v = new float[GRID.voxelCount()];
		byte[] m = mask.labels();
		for (int z = 0; z < GRID.nz(); z++)
			for (int y = 0; y < GRID.ny(); y++)
				for (int x = 0; x < GRID.nx(); x++) {
					double body = sq((x - 16) / 14.0) + sq((y - 16) / 12.0);
					float hu = body <= 1 ? 40 : -1000;
					if (sq(x - cx) + sq(y - cy) + sq((z - cz) * 3.0) <= 25) {
						hu = 130;
						m[GRID.index(x, y, z)] = 1;
					}
					v[GRID.index(x, y, z)] = Math.round(hu + 6 * rnd.nextGaussian());
				}
		List<String> labels = new ArrayList<>();
		for (int z = 0; z < GRID.nz(); z++) labels.add("");
		return new Volume(GRID, v, "CT", labels);
	}

	/** Writes cases {@code 0…n-1} as {@code images/caseK/} DICOM series and {@code masks/caseK.nii.gz}. */
	static void write(Path images, Path masks, int n) throws IOException {
		Files.createDirectories(masks);
		for (int k = 0; k < n; k++) {
			Mask mask = Mask.empty(GRID);
			Volume v = phantom(k, mask);
			DicomWriter.writeSeries(v, images.resolve("case" + k),
				DicomWriter.SeriesInfo.synthetic("tiny-" + k, "Tiny^Case", "T" + k, "Tiny case " + k));
			Nifti.writeMask(mask, masks.resolve("case" + k + ".nii.gz"));
		}
	}

	/**
	 * A folder "caseBroken" in {@code parent} holding one truncated DICOM file (the first 200 bytes of a real slice,
	 * written first to {@code scratch}).
	 */
	static Path writeBroken(Path parent, Path scratch) throws IOException {
		Path tmp = Files.createDirectories(scratch);
		List<Path> files = DicomWriter.writeSeries(phantom(9, Mask.empty(GRID)), tmp,
			DicomWriter.SeriesInfo.synthetic("tiny-broken", "Tiny^Broken", "TB", "Broken"));
		byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(files.get(0)), 200);
		Path dir = Files.createDirectories(parent.resolve("caseBroken"));
		Files.write(dir.resolve("slice1.dcm"), head);
		return dir;
	}

	private static double sq(double a) {
		return a * a;
	}
}
