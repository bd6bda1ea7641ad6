package org.medcnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.medcnn.volume.Geometry;
import org.medcnn.volume.Nifti;
import org.medcnn.volume.Volume;

/**
 * The real anatomy behind {@link MrPhantomGenerator}: a T1-weighted head and its brain mask on one grid, read
 * with {@link Nifti} (so in DICOM LPS millimetres, whatever the files' RAS+ affine says).
 * <p>
 * By default ({@link #debian()}) these are the Colin27 single-subject T1 head of the MNI ({@code ch2.nii.gz}:
 * 181 × 217 × 181 voxels of 1 mm, scalp, skull, fat and brain, values 0…254) and its skull-stripped brain
 * ({@code ch2bet.nii.gz}, same grid; brain = value &gt; 0) from Debian's {@code mricron-data} package, read from
 * {@value #DEBIAN_DIR} at run time: MedCNN ships no copy. ({@code ch2better.nii.gz} of the same package is a
 * 0.5 mm brain-only version without scalp and with CSF set to 0, which does not look like an MR of a head.)
 * <p>
 * On loading, the white-matter level (the mode of the brain's intensities above their median) and a lattice
 * of brain points (every second voxel along each axis) are computed once. Immutable and thread-safe; holds
 * about 40 MB.
 */
public final class MrTemplate {

	/** Where Debian's {@code mricron-data} installs its templates. */
	public static final String DEBIAN_DIR = "/usr/share/mricron/templates";
	/** The T1 head of {@link #debian()}. */
	public static final String HEAD_FILE = "ch2.nii.gz";
	/** The brain (skull-stripped head) of {@link #debian()}. */
	public static final String BRAIN_FILE = "ch2bet.nii.gz";
	/** What to do when the files are missing. */
	public static final String INSTALL_HINT = "the MR phantom's anatomy comes from Debian's mricron-data package; "
		+ "install it with: apt-get install mricron-data";

	private final Geometry geometry;
	private final float[] head;
	private final byte[] brain;
	private final double whiteMatter;
	private final double[] brainCentreMm;
	private final float[] brainPointsMm;
	/** LPS mm → continuous voxel index, row-major 3 × 4 (see {@link #indexAffine()}). */
	private final double[] indexAffine;

	private MrTemplate(Geometry geometry, float[] head, byte[] brain) {
		this.geometry = geometry;
		this.head = head;
		this.brain = brain;
		this.indexAffine = indexAffine(geometry);
		int count = 0;
		double[] sum = new double[3];
		int nx = geometry.nx(), ny = geometry.ny(), nz = geometry.nz();
		for (int z = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++)
					if (brain[geometry.index(x, y, z)] != 0) {
						double[] p = geometry.toPatient(x, y, z);
						for (int i = 0; i < 3; i++) sum[i] += p[i];
						count++;
					}
		if (count == 0) throw new IllegalArgumentException("the brain mask is empty");
		brainCentreMm = new double[] {sum[0] / count, sum[1] / count, sum[2] / count};
		float[] pts = new float[3 * count];
		int n = 0;
		for (int z = 0; z < nz; z += 2)
			for (int y = 0; y < ny; y += 2)
				for (int x = 0; x < nx; x += 2)
					if (brain[geometry.index(x, y, z)] != 0) {
						double[] p = geometry.toPatient(x, y, z);
						for (int i = 0; i < 3; i++) pts[n++] = (float) p[i];
					}
		brainPointsMm = java.util.Arrays.copyOf(pts, n);
		whiteMatter = whiteMatter(head, brain);
	}

	/**
	 * The Colin27 head and brain of Debian's mricron-data ({@value #DEBIAN_DIR}/{@value #HEAD_FILE} and
	 * {@value #BRAIN_FILE}).
	 *
	 * @throws NoSuchFileException when a file is missing, with {@link #INSTALL_HINT} as the reason
	 * @throws IOException when a file cannot be read
	 */
	public static MrTemplate debian() throws IOException {
		return load(Path.of(DEBIAN_DIR, HEAD_FILE), Path.of(DEBIAN_DIR, BRAIN_FILE));
	}

	/**
	 * A T1 head and its brain from two NIfTI files on the same grid (brain = value &gt; 0).
	 *
	 * @throws NoSuchFileException when a file is missing, with {@link #INSTALL_HINT} as the reason
	 * @throws IOException when a file cannot be read, or the grids differ (the message says how)
	 */
	public static MrTemplate load(Path headFile, Path brainFile) throws IOException {
		for (Path f : new Path[] {headFile, brainFile})
			if (!Files.isRegularFile(f)) throw new NoSuchFileException(f.toString(), null, INSTALL_HINT);
		Volume h = Nifti.readVolume(headFile), b = Nifti.readVolume(brainFile);
		String mismatch = h.geometry().describeMismatch(b.geometry(), 1e-3);
		if (!mismatch.isEmpty())
			throw new IOException(brainFile + ": the brain mask is not on the head's grid (" + mismatch + ")");
		byte[] mask = new byte[b.voxels().length];
		for (int i = 0; i < mask.length; i++) mask[i] = (byte) (b.voxels()[i] > 0 ? 1 : 0);
		return new MrTemplate(h.geometry(), h.voxels(), mask);
	}

	/** The template's grid (LPS). */
	public Geometry geometry() {
		return geometry;
	}

	/** The head's white-matter intensity (template units). */
	public double whiteMatter() {
		return whiteMatter;
	}

	/** The centroid of the brain, LPS mm. */
	public double[] brainCentreMm() {
		return brainCentreMm.clone();
	}

	/** Number of points of the brain lattice (every second voxel along each axis). */
	int brainPoints() {
		return brainPointsMm.length / 3;
	}

	/** Coordinate {@code axis} (0 = x, 1 = y, 2 = z; LPS mm) of brain lattice point i. */
	double brainPoint(int i, int axis) {
		return brainPointsMm[3 * i + axis];
	}

	/** The affine from LPS mm to continuous voxel indices: {m00, m01, m02, t0, m10, …, t2}, row-major 3 × 4. */
	double[] indexAffine() {
		return indexAffine.clone();
	}

	/**
	 * Trilinear samples at a continuous voxel index of the head ({@code out[0]}, template units) and of the brain
	 * mask ({@code out[1]}, 0…1); voxels outside the grid count as 0.
	 */
	void sample(double i, double j, double k, double[] out) {
		int nx = geometry.nx(), ny = geometry.ny(), nz = geometry.nz();
		int x0 = (int) Math.floor(i), y0 = (int) Math.floor(j), z0 = (int) Math.floor(k);
		double fx = i - x0, fy = j - y0, fz = k - z0;
		double h = 0, b = 0;
		if (x0 >= 0 && y0 >= 0 && z0 >= 0 && x0 < nx - 1 && y0 < ny - 1 && z0 < nz - 1) {
			int base = (z0 * ny + y0) * nx + x0, sy = nx, sz = nx * ny;
			double w000 = (1 - fx) * (1 - fy) * (1 - fz), w100 = fx * (1 - fy) * (1 - fz);
			double w010 = (1 - fx) * fy * (1 - fz), w110 = fx * fy * (1 - fz);
			double w001 = (1 - fx) * (1 - fy) * fz, w101 = fx * (1 - fy) * fz;
			double w011 = (1 - fx) * fy * fz, w111 = fx * fy * fz;
			h = w000 * head[base] + w100 * head[base + 1] + w010 * head[base + sy] + w110 * head[base + sy + 1]
				+ w001 * head[base + sz] + w101 * head[base + sz + 1] + w011 * head[base + sz + sy]
				+ w111 * head[base + sz + sy + 1];
			b = w000 * brain[base] + w100 * brain[base + 1] + w010 * brain[base + sy] + w110 * brain[base + sy + 1]
				+ w001 * brain[base + sz] + w101 * brain[base + sz + 1] + w011 * brain[base + sz + sy]
				+ w111 * brain[base + sz + sy + 1];
		} else if (x0 >= -1 && y0 >= -1 && z0 >= -1 && x0 < nx && y0 < ny && z0 < nz) {
			for (int c = 0; c < 8; c++) {
				int x = x0 + (c & 1), y = y0 + (c >> 1 & 1), z = z0 + (c >> 2);
				if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) continue;
				double w = ((c & 1) == 0 ? 1 - fx : fx) * ((c >> 1 & 1) == 0 ? 1 - fy : fy) * ((c >> 2) == 0 ? 1 - fz : fz);
				int idx = (z * ny + y) * nx + x;
				h += w * head[idx];
				b += w * brain[idx];
			}
		}
		out[0] = h;
		out[1] = b;
	}

	/** Whether the brain mask holds the voxel nearest to an LPS point. */
	boolean inBrain(double xMm, double yMm, double zMm) {
		int i = nearest(xMm, yMm, zMm);
		return i >= 0 && brain[i] != 0;
	}

	/** The head's value (template units) at the voxel nearest to an LPS point; 0 outside the grid. */
	double headAt(double xMm, double yMm, double zMm) {
		int i = nearest(xMm, yMm, zMm);
		return i >= 0 ? head[i] : 0;
	}

	/** Flat index of the voxel nearest to an LPS point, or -1 outside the grid. */
	private int nearest(double xMm, double yMm, double zMm) {
		double[] a = indexAffine;
		long i = Math.round(a[0] * xMm + a[1] * yMm + a[2] * zMm + a[3]);
		long j = Math.round(a[4] * xMm + a[5] * yMm + a[6] * zMm + a[7]);
		long k = Math.round(a[8] * xMm + a[9] * yMm + a[10] * zMm + a[11]);
		if (i < 0 || j < 0 || k < 0 || i >= geometry.nx() || j >= geometry.ny() || k >= geometry.nz()) return -1;
		return geometry.index((int) i, (int) j, (int) k);
	}

	/** LPS mm → continuous voxel index of a grid, row-major 3 × 4. */
	private static double[] indexAffine(Geometry g) {
		double[] m = inverse(axes(g)), o = g.originMm(), a = new double[12];
		for (int r = 0; r < 3; r++) {
			double t = 0;
			for (int c = 0; c < 3; c++) {
				a[4 * r + c] = m[3 * r + c];
				t -= m[3 * r + c] * o[c];
			}
			a[4 * r + 3] = t;
		}
		return a;
	}

	/** The 3 × 3 matrix (row-major) whose columns are the grid's axes times their spacing. */
	private static double[] axes(Geometry g) {
		double[] d = g.direction(), s = g.spacingMm(), m = new double[9];
		for (int r = 0; r < 3; r++)
			for (int c = 0; c < 3; c++) m[3 * r + c] = d[3 * c + r] * s[c];
		return m;
	}

	/** Inverse of a row-major 3 × 3 matrix. */
	static double[] inverse(double[] m) {
		double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
		double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
		if (Math.abs(det) < 1e-12) throw new IllegalArgumentException("singular matrix (determinant " + det + ")");
		return new double[] {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
			(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
			(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
	}

	/** Mode of a 256-bin histogram of the brain's values above their median: the white-matter peak of a T1. */
	private static double whiteMatter(float[] head, byte[] brain) {
		double max = 0;
		for (int i = 0; i < head.length; i++) if (brain[i] != 0) max = Math.max(max, head[i]);
		if (!(max > 0)) throw new IllegalArgumentException("the head is dark inside the brain mask");
		long[] hist = new long[256];
		long total = 0;
		for (int i = 0; i < head.length; i++)
			if (brain[i] != 0 && head[i] > 0) {
				hist[(int) Math.min(255, head[i] / max * 256)]++;
				total++;
			}
		int median = 0;
		long below = hist[0];
		while (median < 255 && below < total / 2) below += hist[++median];
		int mode = median;
		for (int bin = median; bin < 256; bin++) if (hist[bin] > hist[mode]) mode = bin;
		return (mode + 0.5) * max / 256;
	}
}
