package org.medcnn.volume;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded generator of small synthetic abdominal CT cases with liver lesions, for demos, tests and teaching.
 * No real patient data is involved.
 * <p>
 * <b>Grid</b> ({@link PhantomConfig#DEFAULT}): 128 × 128 pixels of 2.5 mm (FOV 320 mm), 16 axial slices of
 * 5 mm, centred on the patient-space origin, identity (axial, LPS) orientation. The anatomy scales with the
 * field of view; lesions keep their size in mm.
 * <p>
 * <b>Anatomy</b> (HU before noise): air −1000 outside an elliptical body; skin +40; subcutaneous fat −100;
 * an abdominal-wall muscle ring +45; abdominal cavity of bowel loops +25 in mesenteric fat −80 with a few
 * bowel gas bubbles −900; liver (patient's
 * right, image left) 55…65 with a few enhancing hepatic vessels (+140…170); IVC +130 and aorta +170;
 * spleen +50; stomach with fluid +15 and an anterior gas cap −950; kidneys +30 in perirenal fat −90 (lower
 * slices); a vertebral body (cortex +800, cancellous bone +400), spinous process +700 and paraspinal muscles
 * +50 posteriorly. Organs are ellipsoids whose in-plane size shrinks towards their ends along z. The noiseless
 * image is smoothed with a [1 2 1]/4 kernel in-plane (partial volume), a smooth ±3…6 HU intensity field is added
 * inside the body, then Gaussian noise (σ = {@link PhantomConfig#noiseSigmaHu()}, 12 HU by default); values are
 * rounded to integral HU and clamped to [−1024, 3071], so DICOM storage is exact.
 * <p>
 * <b>Lesions</b>: 1–3 per case, all inside the liver (clipped to it), each an ellipsoid (in-plane semi-axes
 * a ≥ b, axial semi-axis 0.8…1.0 a) with a low-frequency perturbation of its radius (harmonics 2–4; relative
 * amplitude 0.04 for low, 0.07 for intermediate, 0.12 for high risk, 0.05 for the other lesions) and a contrast
 * to the liver of −70…−35 HU (hypodense, as metastases in the portal venous phase). High-risk lesions are also
 * heterogeneous (a ±12 HU internal texture and a −15 HU necrotic-looking centre).
 * The other lesions measure 12–16 mm. Lesions are at least 8 mm apart, so each is its own 26-connected component. The mask holds label i for
 * lesion i (1…n); label 1 is the lesion with the longest axial diameter.
 * <p>
 * <b>Risk rule</b> ({@link #riskLevel(double)}): with D the longest axial diameter of the largest lesion, measured
 * on the mask as {@link Lesions} does (largest distance between pixel centres within one slice),
 * <ul>
 * <li>{@code low}: D &lt; 25 mm</li>
 * <li>{@code intermediate}: 25 mm ≤ D ≤ 40 mm</li>
 * <li>{@code high}: D &gt; 40 mm</li>
 * </ul>
 * The generator draws the target level first and the largest lesion's nominal diameter inside a band that keeps
 * clear of the thresholds (low 17–22 mm, intermediate 29–36 mm, high 46–54 mm), redrawing the lesions until
 * the measured D lies at least 2 mm from every threshold (low ≤ 23, intermediate 27–38, high ≥ 42 mm); the
 * returned risk level is always the rule applied to the measured D. So the level is visible in the key slice
 * (the slice with the largest area of lesion 1): a lesion of about 3, 5 or 7 pixels across on a 64 × 64
 * resize of the 128 × 128 slice.
 * <p>
 * The same seed and configuration give the same case on every JVM: one {@link Random} is drawn in a fixed
 * order and only {@link StrictMath} is used for transcendental functions. Stateless and thread-safe.
 */
public final class PhantomGenerator {

	public static final String LOW = "low";
	public static final String INTERMEDIATE = "intermediate";
	public static final String HIGH = "high";
	/** The risk levels in increasing order. */
	public static final List<String> RISK_LEVELS = List.of(LOW, INTERMEDIATE, HIGH);
	/** Threshold between low and intermediate risk: longest axial diameter in mm. */
	public static final double INTERMEDIATE_FROM_MM = 25;
	/** Threshold between intermediate and high risk: longest axial diameter in mm (exclusive). */
	public static final double HIGH_ABOVE_MM = 40;

	private static final int MAX_ATTEMPTS = 60;

	private PhantomGenerator() {}

	/** The risk level of a largest-lesion longest axial diameter (see the class comment). */
	public static String riskLevel(double longestAxialDiameterMm) {
		if (longestAxialDiameterMm < INTERMEDIATE_FROM_MM) return LOW;
		return longestAxialDiameterMm <= HIGH_ABOVE_MM ? INTERMEDIATE : HIGH;
	}

	/** The risk level of a lesion mask: the rule applied to its largest longest axial diameter ("low" if empty). */
	public static String riskLevel(Mask mask) {
		double d = 0;
		for (Lesion l : Lesions.measure(mask, null)) d = Math.max(d, l.longestAxialDiameterMm());
		return riskLevel(d);
	}

	/** A case with the default configuration. */
	public static PhantomCase generate(long seed) {
		return generate(seed, PhantomConfig.DEFAULT);
	}

	/** A case determined by the seed and the configuration. */
	public static PhantomCase generate(long seed, PhantomConfig cfg) {
		Random rnd = new Random(seed);
		String target = cfg.riskLevel() != null ? cfg.riskLevel() : RISK_LEVELS.get(rnd.nextInt(RISK_LEVELS.size()));
		double fovMm = Math.min(cfg.nx(), cfg.ny()) * cfg.pixelSpacingMm();
		Anatomy anatomy = new Anatomy(rnd, Math.min(1.2, fovMm / 320));
		Geometry g = new Geometry(cfg.nx(), cfg.ny(), cfg.nz(),
			new double[] {cfg.pixelSpacingMm(), cfg.pixelSpacingMm(), cfg.sliceSpacingMm()},
			new double[] {-(cfg.nx() - 1) / 2.0 * cfg.pixelSpacingMm(), -(cfg.ny() - 1) / 2.0 * cfg.pixelSpacingMm(),
				-(cfg.nz() - 1) / 2.0 * cfg.sliceSpacingMm()},
			Geometry.AXIAL);
		float[] image = new float[g.voxelCount()];
		boolean[] liver = new boolean[g.voxelCount()];
		boolean[] body = new boolean[g.voxelCount()];
		anatomy.render(g, image, liver, body);

		List<LesionDesign> designs = null;
		byte[] labels = null;
		double[] measured = null;
		int[] counts = null;
		for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
			List<LesionDesign> d = designLesions(rnd, target, anatomy, g, cfg);
			if (d.isEmpty()) continue;
			byte[] l = renderMask(g, d, liver);
			double[] m = new double[d.size()];
			int[] c = new int[d.size()];
			boolean separate = measure(g, l, d.size(), m, c);
			boolean label1Largest = true;
			for (int i = 1; i < m.length; i++) label1Largest &= m[i] < m[0];
			if (!separate || !label1Largest || c[0] == 0) continue;
			designs = d;
			labels = l;
			measured = m;
			counts = c;
			if (clearOfThresholds(target, m[0])) break;
		}
		if (designs == null)
			throw new IllegalStateException("no lesion fitted the liver in " + MAX_ATTEMPTS + " attempts (seed " + seed
				+ ", " + cfg + "); use a larger field of view");

		paintLesions(g, image, labels, designs, anatomy.liverHu);
		smoothInPlane(g, image);
		anatomy.addFieldAndNoise(g, image, body, cfg.noiseSigmaHu(), rnd);

		Mask mask = new Mask(g, labels);
		Volume volume = new Volume(g, image, "CT");
		int keySlice = 0, bestArea = -1;
		for (int z = 0; z < g.nz(); z++) {
			int area = 0;
			for (int i = z * g.sliceSize(); i < (z + 1) * g.sliceSize(); i++) if (labels[i] == 1) area++;
			if (area > bestArea) {
				bestArea = area;
				keySlice = z;
			}
		}
		List<PhantomLesion> lesions = new ArrayList<>();
		for (int i = 0; i < designs.size(); i++) {
			LesionDesign d = designs.get(i);
			double[] cv = {(d.cu - g.originMm()[0]) / g.spacingMm()[0], (d.cv - g.originMm()[1]) / g.spacingMm()[1],
				(d.cz - g.originMm()[2]) / g.spacingMm()[2]};
			lesions.add(new PhantomLesion(i + 1, cv, new double[] {d.cu, d.cv, d.cz}, new double[] {d.a, d.b, d.c},
				2 * d.a, measured[i], d.contrast, d.amp, counts[i]));
		}
		return new PhantomCase(seed, volume, mask, riskLevel(measured[0]), keySlice, lesions);
	}

	private static boolean clearOfThresholds(String target, double d) {
		return switch (target) {
			case LOW -> d <= INTERMEDIATE_FROM_MM - 3;
			case INTERMEDIATE -> d >= INTERMEDIATE_FROM_MM + 2 && d <= HIGH_ABOVE_MM - 2;
			default -> d >= HIGH_ABOVE_MM + 3 && d <= 46;
		};
	}

	/** Design parameters of one lesion, in patient mm. */
	private static final class LesionDesign {
		double cu, cv, cz, a, b, c, rot, contrast, amp;
		final double[] phase = new double[3], zPhase = new double[3], texture = new double[2];
		boolean heterogeneous;

		/** Bounding radius including the border perturbation. */
		double radius() {
			return a * (1 + amp);
		}

		/** Normalised radius (≤ 1 inside) of a point, or a value &gt; 1 outside. */
		double inside(double u, double v, double z) {
			double du = u - cu, dv = v - cv, dz = z - cz;
			double cr = StrictMath.cos(rot), sr = StrictMath.sin(rot);
			double p = (du * cr + dv * sr) / a, q = (-du * sr + dv * cr) / b, w = dz / c;
			double rho = Math.sqrt(p * p + q * q + w * w);
			if (rho > 1 + amp) return rho;
			double theta = StrictMath.atan2(q, p);
			double r = 1 + amp * (0.5 * StrictMath.cos(2 * theta + phase[0] + zPhase[0] * w)
				+ 0.3 * StrictMath.cos(3 * theta + phase[1] + zPhase[1] * w)
				+ 0.2 * StrictMath.cos(4 * theta + phase[2] + zPhase[2] * w));
			return rho / r;
		}
	}

	private static List<LesionDesign> designLesions(Random rnd, String target, Anatomy an, Geometry g,
		PhantomConfig cfg) {
		int n = cfg.minLesions() + rnd.nextInt(cfg.maxLesions() - cfg.minLesions() + 1);
		List<LesionDesign> out = new ArrayList<>();
		double largest = switch (target) {
			case LOW -> uniform(rnd, 17, 22);
			case INTERMEDIATE -> uniform(rnd, 29, 36);
			default -> uniform(rnd, 46, 54);
		};
		for (int i = 0; i < n; i++) {
			LesionDesign d = new LesionDesign();
			double diameter = i == 0 ? largest : uniform(rnd, 12, Math.min(16, largest - 1));
			d.a = diameter / 2;
			d.b = d.a * uniform(rnd, 0.75, 0.95);
			d.c = d.a * uniform(rnd, 0.8, 1.0);
			d.rot = uniform(rnd, 0, Math.PI);
			d.amp = i > 0 ? 0.05 : switch (target) {
				case LOW -> 0.04;
				case INTERMEDIATE -> 0.07;
				default -> 0.12;
			};
			d.heterogeneous = i == 0 && target.equals(HIGH);
			d.contrast = -uniform(rnd, 35, 70);
			for (int k = 0; k < 3; k++) {
				d.phase[k] = uniform(rnd, 0, 2 * Math.PI);
				d.zPhase[k] = uniform(rnd, -1, 1);
			}
			d.texture[0] = uniform(rnd, 0, 2 * Math.PI);
			d.texture[1] = uniform(rnd, 0, 2 * Math.PI);
			// The largest lesion sits where the liver is wide (middle slices); others anywhere but the end slices.
			int nz = g.nz();
			int kz = i == 0 ? nz / 2 - 2 + rnd.nextInt(Math.max(1, Math.min(5, nz - 2)))
				: 1 + rnd.nextInt(Math.max(1, nz - 2));
			d.cz = g.originMm()[2] + kz * g.spacingMm()[2];
			if (!place(rnd, d, an, out)) {
				if (i == 0) return List.of();
				continue;
			}
			out.add(d);
		}
		return out;
	}

	/** Picks an in-plane centre inside the liver with a margin, away from the lesions already placed. */
	private static boolean place(Random rnd, LesionDesign d, Anatomy an, List<LesionDesign> others) {
		double[] liver = an.liverAt(d.cz);
		if (liver == null) return false;
		double margin = d.radius() + 3;
		double la = liver[2] - margin, lb = liver[3] - margin;
		if (la <= 0 || lb <= 0) return false;
		for (int t = 0; t < 200; t++) {
			double p = uniform(rnd, -1, 1), q = uniform(rnd, -1, 1);
			if (p * p + q * q > 1) continue;
			double cr = StrictMath.cos(liver[4]), sr = StrictMath.sin(liver[4]);
			double u = liver[0] + p * la * cr - q * lb * sr, v = liver[1] + p * la * sr + q * lb * cr;
			boolean free = true;
			for (LesionDesign o : others) {
				double dist = Math.sqrt((u - o.cu) * (u - o.cu) + (v - o.cv) * (v - o.cv) + (d.cz - o.cz) * (d.cz - o.cz));
				free &= dist >= d.radius() + o.radius() + 8;
			}
			if (free) {
				d.cu = u;
				d.cv = v;
				return true;
			}
		}
		return false;
	}

	private static byte[] renderMask(Geometry g, List<LesionDesign> designs, boolean[] liver) {
		byte[] labels = new byte[g.voxelCount()];
		for (int i = 0; i < designs.size(); i++) {
			LesionDesign d = designs.get(i);
			double r = d.radius() + 1;
			int[] lo = bounds(g, d.cu - r, d.cv - r, d.cz - d.c * (1 + d.amp) - 1);
			int[] hi = bounds(g, d.cu + r, d.cv + r, d.cz + d.c * (1 + d.amp) + 1);
			for (int z = lo[2]; z <= hi[2]; z++)
				for (int y = lo[1]; y <= hi[1]; y++)
					for (int x = lo[0]; x <= hi[0]; x++) {
						int idx = g.index(x, y, z);
						if (!liver[idx]) continue;
						double[] p = g.toPatient(x, y, z);
						if (d.inside(p[0], p[1], p[2]) <= 1) labels[idx] = (byte) (i + 1);
					}
		}
		return labels;
	}

	/** Clamped voxel indices of a patient point on an axial grid. */
	private static int[] bounds(Geometry g, double u, double v, double z) {
		double[] o = g.originMm(), s = g.spacingMm();
		return new int[] {clamp((int) Math.round((u - o[0]) / s[0]), 0, g.nx() - 1),
			clamp((int) Math.round((v - o[1]) / s[1]), 0, g.ny() - 1),
			clamp((int) Math.round((z - o[2]) / s[2]), 0, g.nz() - 1)};
	}

	/**
	 * Measures each label's longest axial diameter and voxel count; false when the labels do not form exactly
	 * one 26-connected component each (lesions touching or split by the liver's edge).
	 */
	private static boolean measure(Geometry g, byte[] labels, int n, double[] diameter, int[] count) {
		List<Lesion> all = Lesions.measure(new Mask(g, labels), null);
		if (all.size() != n) return false;
		for (int i = 0; i < n; i++) {
			byte[] one = new byte[labels.length];
			for (int j = 0; j < labels.length; j++) if (labels[j] == i + 1) one[j] = 1;
			List<Lesion> l = Lesions.measure(new Mask(g, one), null);
			if (l.size() != 1) return false;
			diameter[i] = l.get(0).longestAxialDiameterMm();
			count[i] = l.get(0).voxelCount();
		}
		return true;
	}

	/** Lesion voxels replace the liver (and any vessel) with liver + contrast. */
	private static void paintLesions(Geometry g, float[] image, byte[] labels, List<LesionDesign> designs,
		double liverHu) {
		for (int idx = 0; idx < labels.length; idx++) {
			if (labels[idx] == 0) continue;
			LesionDesign d = designs.get(labels[idx] - 1);
			double value = liverHu + d.contrast;
			if (d.heterogeneous) {
				int x = idx % g.nx(), y = idx / g.nx() % g.ny(), z = idx / g.sliceSize();
				double[] p = g.toPatient(x, y, z);
				double pu = (p[0] - d.cu) / d.a, pv = (p[1] - d.cv) / d.a;
				value += 12 * StrictMath.cos(3 * pu + d.texture[0]) * StrictMath.cos(3 * pv + d.texture[1]);
				if (d.contrast < 0 && d.inside(p[0], p[1], p[2]) < 0.45) value -= 15;
			}
			image[idx] = (float) value;
		}
	}

	/** In-plane [1 2 1]/4 smoothing in x then y: the partial-volume blur of a CT reconstruction. */
	private static void smoothInPlane(Geometry g, float[] image) {
		int nx = g.nx(), ny = g.ny();
		float[] row = new float[Math.max(nx, ny)];
		for (int z = 0; z < g.nz(); z++) {
			int base = z * g.sliceSize();
			for (int y = 0; y < ny; y++) {
				for (int x = 0; x < nx; x++) row[x] = image[base + y * nx + x];
				for (int x = 0; x < nx; x++)
					image[base + y * nx + x] = (row[Math.max(0, x - 1)] + 2 * row[x] + row[Math.min(nx - 1, x + 1)]) / 4;
			}
			for (int x = 0; x < nx; x++) {
				for (int y = 0; y < ny; y++) row[y] = image[base + y * nx + x];
				for (int y = 0; y < ny; y++)
					image[base + y * nx + x] = (row[Math.max(0, y - 1)] + 2 * row[y] + row[Math.min(ny - 1, y + 1)]) / 4;
			}
		}
	}

	/** Anatomy parameters drawn once per case, in patient mm (u = x, v = y, both centred on the grid). */
	private static final class Anatomy {
		final double scale, bodyA, bodyB, fat, liverHu, stomachZ;
		final double[] liver, spleen, stomach, kidneyL, kidneyR;
		final double[][] vessels = new double[3][];
		final double[][] gas = new double[3][];
		final double[] field = new double[5];
		final double[] bowel = new double[3];

		Anatomy(Random rnd, double scale) {
			this.scale = scale;
			bodyA = uniform(rnd, 127, 143) * scale;
			bodyB = uniform(rnd, 94, 106) * scale;
			fat = uniform(rnd, 10, 22) * scale;
			liverHu = uniform(rnd, 55, 65);
			// {cu, cv, semi-u, semi-v, rotation, z-centre, z-semi-axis}
			liver = new double[] {uniform(rnd, -60, -50) * scale, uniform(rnd, -12, -4) * scale,
				uniform(rnd, 52, 60) * scale, uniform(rnd, 46, 52) * scale, uniform(rnd, -0.3, 0), 10 * scale,
				75 * scale};
			spleen = new double[] {80 * scale, 20 * scale, 18 * scale, 38 * scale, 0.5, 15 * scale, 50 * scale};
			stomachZ = 20 * scale;
			stomach = new double[] {40 * scale, -40 * scale, 32 * scale, 24 * scale, -0.35, stomachZ, 45 * scale};
			kidneyL = new double[] {65 * scale, 45 * scale, 20 * scale, 28 * scale, -0.45, -20 * scale, 55 * scale};
			kidneyR = new double[] {-65 * scale, 45 * scale, 20 * scale, 28 * scale, 0.45, -20 * scale, 55 * scale};
			for (int i = 0; i < vessels.length; i++) {
				double p = uniform(rnd, -0.6, 0.6), q = uniform(rnd, -0.6, 0.6);
				vessels[i] = new double[] {liver[0] + p * liver[2], liver[1] + q * liver[3], uniform(rnd, 3, 4.5) * scale,
					uniform(rnd, 140, 170)};
			}
			for (int i = 0; i < gas.length; i++)
				gas[i] = new double[] {uniform(rnd, -20, 60) * scale, uniform(rnd, -75, -25) * scale,
					uniform(rnd, 5, 10) * scale, uniform(rnd, -35, 0) * scale};
			field[0] = uniform(rnd, 3, 6);
			field[1] = uniform(rnd, 250, 400);
			field[2] = uniform(rnd, 250, 400);
			field[3] = uniform(rnd, 0, 2 * Math.PI);
			field[4] = uniform(rnd, 0, 2 * Math.PI);
			for (int i = 0; i < bowel.length; i++) bowel[i] = uniform(rnd, 0, 2 * Math.PI);
		}

		/** The liver's in-plane ellipse {cu, cv, semi-u, semi-v, rotation} at height z, or null outside it. */
		double[] liverAt(double z) {
			double s = zScale(liver, z);
			return s <= 0 ? null : new double[] {liver[0], liver[1], liver[2] * s, liver[3] * s, liver[4]};
		}

		void render(Geometry g, float[] image, boolean[] liverMask, boolean[] bodyMask) {
			for (int z = 0; z < g.nz(); z++)
				for (int y = 0; y < g.ny(); y++)
					for (int x = 0; x < g.nx(); x++) {
						double[] p = g.toPatient(x, y, z);
						int idx = g.index(x, y, z);
						image[idx] = (float) tissue(p[0], p[1], p[2], idx, liverMask, bodyMask);
					}
		}

		private double tissue(double u, double v, double z, int idx, boolean[] liverMask, boolean[] bodyMask) {
			double a = bodyA * (1 + 0.0006 * z), b = bodyB * (1 + 0.0004 * z);
			double r = Math.sqrt((u / a) * (u / a) + (v / b) * (v / b));
			if (r > 1) return -1000;
			bodyMask[idx] = true;
			double rho = Math.sqrt(u * u + v * v);
			double depth = r > 0 ? rho * (1 - r) / r : Double.POSITIVE_INFINITY;
			double value;
			if (depth < 2.5 * scale) value = 40;
			else if (depth < 2.5 * scale + fat) value = -100;
			else if (depth < 2.5 * scale + fat + 8 * scale) value = 45;
			else {
				// Bowel loops (+25) in mesenteric fat (-80): a smooth pattern, fat where it is high.
				double t = StrictMath.sin(u / (11 * scale) + bowel[0]) * StrictMath.sin(v / (13 * scale) + bowel[1])
					* StrictMath.cos(z / (17 * scale) + bowel[2]);
				value = t > 0.3 ? -80 : 25;
				if (z < 0) for (double[] gb : gas) if (ellipse(u, v, gb[0], gb[1], gb[2], gb[2] * 0.8, 0) <= 1
					&& Math.abs(z - gb[3]) < gb[2]) value = -900;
			}
			double spineV = bodyB - 38 * scale;
			for (double[] k : new double[][] {kidneyL, kidneyR}) {
				double s = zScale(k, z);
				if (s > 0 && ellipse(u, v, k[0], k[1], k[2] * s * 1.25, k[3] * s * 1.2, k[4]) <= 1) value = -90;
			}
			for (double[] k : new double[][] {kidneyL, kidneyR}) {
				double s = zScale(k, z);
				if (s > 0 && ellipse(u, v, k[0], k[1], k[2] * s, k[3] * s, k[4]) <= 1) value = 30;
			}
			for (int side = -1; side <= 1; side += 2)
				if (ellipse(u, v, side * 28 * scale, bodyB - 26 * scale, 18 * scale, 14 * scale, 0) <= 1) value = 50;
			double rv = Math.sqrt(u * u + (v - spineV) * (v - spineV));
			if (rv <= 16 * scale) value = rv >= 13.5 * scale ? 800 : 400;
			if (ellipse(u, v, 0, bodyB - 14 * scale, 4 * scale, 9 * scale, 0) <= 1 && r <= 0.97) value = 700;
			if (Math.sqrt((u - 10 * scale) * (u - 10 * scale) + (v - spineV + 28 * scale) * (v - spineV + 28 * scale))
				<= 10 * scale) value = 170;
			double s = zScale(spleen, z);
			if (s > 0 && ellipse(u, v, spleen[0], spleen[1], spleen[2] * s, spleen[3] * s, spleen[4]) <= 1) value = 50;
			s = zScale(stomach, z);
			if (s > 0 && ellipse(u, v, stomach[0], stomach[1], stomach[2] * s, stomach[3] * s, stomach[4]) <= 1)
				value = v < stomach[1] - 0.35 * stomach[3] * s ? -950 : 15;
			s = zScale(liver, z);
			if (s > 0 && ellipse(u, v, liver[0], liver[1], liver[2] * s, liver[3] * s, liver[4]) <= 1
				&& depth >= 2.5 * scale + fat + 8 * scale) {
				value = liverHu;
				liverMask[idx] = true;
				for (double[] ve : vessels)
					if (Math.sqrt((u - ve[0]) * (u - ve[0]) + (v - ve[1]) * (v - ve[1])) <= ve[2]) value = ve[3];
			}
			if (Math.sqrt((u + 22 * scale) * (u + 22 * scale) + (v - spineV + 26 * scale) * (v - spineV + 26 * scale))
				<= 9 * scale) {
				value = 130;
				liverMask[idx] = false;
			}
			return value;
		}

		void addFieldAndNoise(Geometry g, float[] image, boolean[] bodyMask, double sigma, Random rnd) {
			for (int z = 0; z < g.nz(); z++)
				for (int y = 0; y < g.ny(); y++)
					for (int x = 0; x < g.nx(); x++) {
						int idx = g.index(x, y, z);
						double[] p = g.toPatient(x, y, z);
						double v = image[idx];
						if (bodyMask[idx])
							v += field[0] * StrictMath.sin(2 * Math.PI * p[0] / field[1] + field[3])
								* StrictMath.cos(2 * Math.PI * p[1] / field[2] + field[4]);
						v += sigma * rnd.nextGaussian();
						// "+ 0.0" avoids -0.0, which would compare unequal to the 0 a DICOM reader returns.
						image[idx] = (float) (Math.max(-1024, Math.min(3071, Math.rint(v))) + 0.0);
					}
		}

		/** In-plane scale of an ellipsoidal organ {…, z-centre, z-semi-axis} at height z (0 outside it). */
		private static double zScale(double[] organ, double z) {
			double t = (z - organ[5]) / organ[6];
			return t * t >= 1 ? 0 : Math.sqrt(1 - t * t);
		}

		private static double ellipse(double u, double v, double cu, double cv, double a, double b, double rot) {
			double du = u - cu, dv = v - cv, cr = StrictMath.cos(rot), sr = StrictMath.sin(rot);
			double p = (du * cr + dv * sr) / a, q = (-du * sr + dv * cr) / b;
			return p * p + q * q;
		}
	}

	private static double uniform(Random rnd, double lo, double hi) {
		return lo + (hi - lo) * rnd.nextDouble();
	}

	private static int clamp(int v, int lo, int hi) {
		return Math.max(lo, Math.min(hi, v));
	}
}
