package org.medcnn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.medcnn.common.Cancellation;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Seeded generator of synthetic brain MR cases with lesions, built on a real T1 head ({@link MrTemplate}): a task
 * with the variability of clinical MR (intensity scale, bias field, noise, orientation, spacing) for measuring
 * training that must configure itself. No patient data is involved (the template is a public atlas subject).
 * <p>
 * Per case, everything is drawn from the seed and the {@link MrPhantomConfig} ranges:
 * <ul>
 * <li><b>Grid</b>: in-plane spacing, slice spacing, a field of view (the row axis gets 85–100 % of the column
 * axis'), a slice grid rotated about each patient axis (so ImageOrientationPatient is oblique and the slice
 * normal is at least 5° from every axis), and a slab that covers the brain along the normal (cut to
 * {@code maxVoxels} around its middle when longer).</li>
 * <li><b>Anatomy</b>: the template head under a random rigid rotation and an anisotropic scaling of its axes,
 * placed near the scanner's origin, and a smooth random deformation (a sum of four separable sine products with
 * wavelengths of 60–140 mm); each voxel of the grid is mapped back into the template and sampled trilinearly,
 * head and brain mask alike. Outside the template's box the head is air: where an oblique grid reaches past it
 * (ears, neck) the head ends in a flat cut, far from the brain.</li>
 * <li><b>Lesions</b> (1–3): each the union of one to three ellipsoidal lobes whose surfaces are perturbed by low
 * harmonics of direction (by 12–28 % of the radius), scaled to a drawn equivalent diameter and centred in brain
 * tissue (not CSF) where it fits in the brain and inside the slab, apart from the others. Kinds
 * ({@link MrLesion.Kind}): enhancing rim (a rim 1.3–1.7 × white matter, 2–4.5 mm thick ±40 % along the surface,
 * around a core that keeps half the tissue's contrast); necrotic core (the same rim, 2.5–5 mm, around a
 * fluid-like core at 0.2–0.4 × white matter); non-enhancing (0.5–0.64 × white matter, or 1.15–1.3 × in three
 * cases of ten, with an edge blurred over 2–3.5 mm). Every lesion has a ±3–8 % internal texture; its effect
 * fades out at the brain's edge. The label covers the whole lesion (rim and core, up to its nominal surface)
 * inside the brain mask.</li>
 * <li><b>Intensities</b>: the template is normalised to its white matter (= 1) and raised to a contrast exponent
 * 0.85–1.2 (changing grey/white/CSF/fat contrast); lesions are painted; the value is multiplied by
 * {@value #WHITE_MATTER} × a global scale and by a smooth multiplicative bias field (1 ± 20–35 % over the grid:
 * three separable sine products of 300–600 mm wavelength, scaled to the drawn amplitude), becomes the magnitude
 * of itself plus complex Gaussian noise (Rician; σ = 2–4.5 % of the white-matter level), and gets an offset of
 * 0–4 % of that level. The global scale is spread log-uniformly by a low-discrepancy rule on the seed
 * ({@code u = frac(seed × 0.618…)}): any 24 consecutive seeds span at least 94 % of the scale range on a log
 * scale (8.8× of the default 10×), the three-gap theorem bounding the largest gap.</li>
 * </ul>
 * A single global intensity threshold cannot separate the lesions: rims are darker than scalp fat and, through
 * the bias field, overlap white matter; necrotic cores are as dark as CSF; non-enhancing lesions lie between grey
 * matter and CSF or just above white matter ({@link ThresholdBaseline} measures it).
 * <p>
 * The same seed, configuration and template give the same case on every JVM: one {@link Random} is drawn in a
 * fixed order, noise comes from one {@link Random} per slice seeded from it (so slices render in parallel),
 * and transcendental functions are {@link StrictMath}'s. Stateless and thread-safe.
 */
public final class MrPhantomGenerator {

	/** The real-world value of white matter at intensity scale 1, before bias field and noise. */
	public static final double WHITE_MATTER = 1000;

	private static final double GOLDEN = 0.6180339887498949;
	private static final double MIN_TILT_DEG = 5;
	/** Width of the rim-to-core transition, mm. */
	private static final double RIM_EDGE_MM = 1.0;
	/** Clearance of a lesion from the slab's and field of view's edges, mm (covers the deformation). */
	private static final double GRID_MARGIN_MM = 6;
	private static final int PLACEMENT_TRIES = 400;
	/** Normalised template intensities of brain tissue where a lesion may be centred (not CSF). */
	private static final double TISSUE_MIN = 0.55, TISSUE_MAX = 1.3;
	private static final int BIAS_TERMS = 3, DEFORMATION_TERMS = 4;
	private static final int GAMMA_TABLE = 4096;
	private static final double GAMMA_TABLE_MAX = 4;

	private MrPhantomGenerator() {}

	/** A case with the default configuration. */
	public static MrPhantomCase generate(long seed, MrTemplate template) {
		return generate(seed, MrPhantomConfig.DEFAULT, template, null);
	}

	/**
	 * A case determined by the seed, the configuration and the template.
	 *
	 * @param cancel checked before each slice (may be null)
	 * @throws IllegalArgumentException when the configuration's grid cannot hold a slab of 4 slices
	 * @throws IllegalStateException when no place in the brain fits the first lesion (a field of view or voxel
	 *         budget too small for the brain)
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static MrPhantomCase generate(long seed, MrPhantomConfig cfg, MrTemplate template, Cancellation cancel) {
		// java.util.Random's first draws from nearby seeds are nearly equal: scramble the seed (SplitMix64's finaliser).
		Random rnd = new Random(mix(seed));
		double sxy = uniform(rnd, cfg.minPixelMm(), cfg.maxPixelMm());
		double sz = uniform(rnd, cfg.minSliceMm(), cfg.maxSliceMm());
		double fov = uniform(rnd, cfg.minFovMm(), cfg.maxFovMm());
		int ny = Math.max(16, (int) Math.round(fov / sxy));
		int nx = Math.max(16, (int) Math.round(ny * uniform(rnd, 0.85, 1)));
		double tilt = Math.toRadians(cfg.maxHeadTiltDeg());
		double[] headRotation = rotation(uniform(rnd, -tilt, tilt), uniform(rnd, -tilt, tilt), uniform(rnd, -tilt, tilt));
		double[] headScale = new double[3];
		for (int i = 0; i < 3; i++) headScale[i] = 1 + uniform(rnd, -cfg.maxScaling(), cfg.maxScaling());
		double[] grid = obliqueRotation(rnd, Math.toRadians(cfg.maxObliqueDeg()));
		double[] brainAt = {uniform(rnd, -10, 10), uniform(rnd, -10, 10), uniform(rnd, -15, 15)};
		double shiftRow = uniform(rnd, -6, 6), shiftColumn = uniform(rnd, -6, 6);

		// Atlas (template LPS mm) → patient: p = brainAt + head · (q − brainCentre).
		double[] head = new double[9];
		for (int r = 0; r < 3; r++)
			for (int c = 0; c < 3; c++) head[3 * r + c] = headRotation[3 * r + c] * headScale[c];
		double[] brainCentre = template.brainCentreMm();
		double[] row = column(grid, 0), col = column(grid, 1), normal = column(grid, 2);
		double tMin = Double.POSITIVE_INFINITY, tMax = Double.NEGATIVE_INFINITY;
		for (int i = 0; i < template.brainPoints(); i++) {
			double t = 0;
			for (int r = 0; r < 3; r++) {
				double pr = 0;
				for (int c = 0; c < 3; c++) pr += head[3 * r + c] * (template.brainPoint(i, c) - brainCentre[c]);
				t += normal[r] * pr;
			}
			tMin = Math.min(tMin, t);
			tMax = Math.max(tMax, t);
		}
		int nz = Math.min((int) Math.ceil((tMax - tMin + 10) / sz) + 1, cfg.maxVoxels() / (nx * ny));
		if (nz < 4)
			throw new IllegalArgumentException("a grid of " + nx + "×" + ny + " pixels leaves " + nz + " slices in maxVoxels "
				+ cfg.maxVoxels() + "; at least 4 are needed");
		double tMid = (tMin + tMax) / 2;
		double[] origin = new double[3];
		for (int i = 0; i < 3; i++)
			origin[i] = brainAt[i] + shiftRow * row[i] + shiftColumn * col[i] + tMid * normal[i]
				- (nx - 1) / 2.0 * sxy * row[i] - (ny - 1) / 2.0 * sxy * col[i] - (nz - 1) / 2.0 * sz * normal[i];
		Geometry g = new Geometry(nx, ny, nz, new double[] {sxy, sxy, sz}, origin,
			new double[] {row[0], row[1], row[2], col[0], col[1], col[2], normal[0], normal[1], normal[2]});

		double u = seed * GOLDEN - Math.floor(seed * GOLDEN);
		double scale = StrictMath.exp(StrictMath.log(cfg.minIntensityScale())
			+ u * (StrictMath.log(cfg.maxIntensityScale()) - StrictMath.log(cfg.minIntensityScale())));
		double offset = uniform(rnd, 0, 0.04) * WHITE_MATTER * scale;
		double gamma = StrictMath.exp(uniform(rnd, StrictMath.log(0.85), StrictMath.log(1.2)));
		double sigma = uniform(rnd, cfg.minNoise(), cfg.maxNoise()) * WHITE_MATTER * scale;
		double biasAmplitude = uniform(rnd, cfg.minBias(), cfg.maxBias());
		Field bias = Field.draw(rnd, g, BIAS_TERMS, 300, 600);
		Field deformation = Field.draw(rnd, g, DEFORMATION_TERMS, 60, 140);
		double[][] displacement = new double[DEFORMATION_TERMS][];
		for (int k = 0; k < DEFORMATION_TERMS; k++) {
			double[] d = unit(rnd);
			double amp = cfg.deformationMm() / DEFORMATION_TERMS * uniform(rnd, 0.5, 1);
			displacement[k] = new double[] {d[0] * amp, d[1] * amp, d[2] * amp};
		}

		Placement placement = new Placement(template, g, head, brainAt, brainCentre);
		int count = cfg.minLesions() + rnd.nextInt(cfg.maxLesions() - cfg.minLesions() + 1);
		List<LesionShape> lesions = new ArrayList<>();
		double span = cfg.maxDiameterMm() - cfg.minDiameterMm();
		for (int i = 0; i < count; i++) {
			MrLesion.Kind kind = MrLesion.Kind.values()[rnd.nextInt(MrLesion.Kind.values().length)];
			double diameter = i == 0 ? logUniform(rnd, cfg.minDiameterMm() + 0.4 * span, cfg.maxDiameterMm())
				: logUniform(rnd, cfg.minDiameterMm(), cfg.minDiameterMm() + 0.6 * span);
			LesionShape l = LesionShape.draw(rnd, kind, diameter);
			if (placement.place(rnd, l, lesions)) lesions.add(l);
			else if (i == 0)
				throw new IllegalStateException("no place in the brain fits a lesion of " + Math.round(diameter)
					+ " mm on the grid " + g + " (seed " + seed + ")");
		}
		long noiseSeed = rnd.nextLong();

		Renderer renderer = new Renderer(template, g, head, brainAt, brainCentre, gamma, lesions, bias.normalised(g,
			biasAmplitude), deformation, displacement, WHITE_MATTER * scale, sigma, offset, noiseSeed);
		IntStream.range(0, nz).parallel().forEach(z -> {
			if (cancel != null) cancel.check();
			renderer.slice(z);
		});

		int[] voxels = new int[lesions.size() + 1];
		for (byte b : renderer.labels) voxels[b & 0xFF]++;
		List<MrLesion> out = new ArrayList<>();
		for (int i = 0; i < lesions.size(); i++) {
			LesionShape l = lesions.get(i);
			double[] p = placement.toPatient(l.centre);
			double eq = 2 * Math.cbrt(3 * voxels[i + 1] * g.voxelVolumeMm3() / (4 * Math.PI));
			out.add(new MrLesion(i + 1, l.kind, p, l.diameterMm, voxels[i + 1], eq));
		}
		Volume volume = new Volume(g, renderer.image, "MR");
		return new MrPhantomCase(seed, volume, new Mask(g, renderer.labels), new Mask(g, renderer.brain), out, scale,
			offset, sigma, biasAmplitude, gamma);
	}

	/**
	 * A grid rotation Rz·Ry·Rx with each angle within ±max, redrawn until the slice normal (third column) is at
	 * least {@value #MIN_TILT_DEG}° from every patient axis.
	 */
	private static double[] obliqueRotation(Random rnd, double max) {
		double minTilt = Math.toRadians(MIN_TILT_DEG);
		double[] r = null;
		for (int attempt = 0; attempt < 1000; attempt++) {
			r = rotation(uniform(rnd, -max, max), uniform(rnd, -max, max), uniform(rnd, -max, max));
			boolean oblique = true;
			for (int axis = 0; axis < 3; axis++) oblique &= Math.abs(r[3 * axis + 2]) < StrictMath.cos(minTilt);
			if (oblique) return r;
		}
		// Unreachable for max ≥ 5° in practice; fall back to a fixed oblique grid.
		return rotation(max, max, 0);
	}

	/** The rotation matrix Rz(c)·Ry(b)·Rx(a), row-major. */
	static double[] rotation(double a, double b, double c) {
		double ca = StrictMath.cos(a), sa = StrictMath.sin(a), cb = StrictMath.cos(b), sb = StrictMath.sin(b);
		double cc = StrictMath.cos(c), sc = StrictMath.sin(c);
		return new double[] {cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa, sc * cb, sc * sb * sa + cc * ca,
			sc * sb * ca - cc * sa, -sb, cb * sa, cb * ca};
	}

	private static double[] column(double[] m, int c) {
		return new double[] {m[c], m[3 + c], m[6 + c]};
	}

	private static double[] unit(Random rnd) {
		while (true) {
			double x = uniform(rnd, -1, 1), y = uniform(rnd, -1, 1), z = uniform(rnd, -1, 1);
			double n = Math.sqrt(x * x + y * y + z * z);
			if (n > 0.1 && n <= 1) return new double[] {x / n, y / n, z / n};
		}
	}

	/** SplitMix64's finaliser: a bijection of the seed whose output bits all depend on all input bits. */
	static long mix(long seed) {
		long z = seed + 0x9E3779B97F4A7C15L;
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		return z ^ (z >>> 31);
	}

	static double uniform(Random rnd, double lo, double hi) {
		return lo + (hi - lo) * rnd.nextDouble();
	}

	private static double logUniform(Random rnd, double lo, double hi) {
		return StrictMath.exp(uniform(rnd, StrictMath.log(lo), StrictMath.log(hi)));
	}

	/** Hermite smooth step of u clamped to [0, 1]. */
	private static double smooth(double u) {
		return u <= 0 ? 0 : u >= 1 ? 1 : u * u * (3 - 2 * u);
	}

	/**
	 * A smooth scalar field on a grid: a sum of separable products sin(x)·sin(y)·sin(z) of the patient-space
	 * distance along each grid axis, kept as per-axis tables so a voxel costs a few multiplications.
	 */
	private static final class Field {
		final double[][] fx, fy, fz;
		final double[] weight;

		private Field(double[][] fx, double[][] fy, double[][] fz, double[] weight) {
			this.fx = fx;
			this.fy = fy;
			this.fz = fz;
			this.weight = weight;
		}

		/** Terms with wavelengths drawn in [minMm, maxMm] per axis, random phases and weights in [−1, 1]. */
		static Field draw(Random rnd, Geometry g, int terms, double minMm, double maxMm) {
			double[][] fx = new double[terms][], fy = new double[terms][], fz = new double[terms][];
			double[] w = new double[terms];
			double[] sp = g.spacingMm();
			for (int k = 0; k < terms; k++) {
				fx[k] = table(rnd, g.nx(), sp[0], minMm, maxMm);
				fy[k] = table(rnd, g.ny(), sp[1], minMm, maxMm);
				fz[k] = table(rnd, g.nz(), sp[2], minMm, maxMm);
				w[k] = uniform(rnd, -1, 1);
			}
			return new Field(fx, fy, fz, w);
		}

		private static double[] table(Random rnd, int n, double spacing, double minMm, double maxMm) {
			double omega = 2 * Math.PI / uniform(rnd, minMm, maxMm), phase = uniform(rnd, 0, 2 * Math.PI);
			double[] t = new double[n];
			for (int i = 0; i < n; i++) t[i] = StrictMath.sin(omega * i * spacing + phase);
			return t;
		}

		double at(int x, int y, int z) {
			double v = 0;
			for (int k = 0; k < weight.length; k++) v += weight[k] * fx[k][x] * fy[k][y] * fz[k][z];
			return v;
		}

		/** The same field scaled so that its largest |value| over the grid (every 4th voxel) is {@code amplitude}. */
		Field normalised(Geometry g, double amplitude) {
			double max = 0;
			for (int z = 0; z < g.nz(); z += 4)
				for (int y = 0; y < g.ny(); y += 4)
					for (int x = 0; x < g.nx(); x += 4) max = Math.max(max, Math.abs(at(x, y, z)));
			double[] w = weight.clone();
			for (int k = 0; k < w.length; k++) w[k] = max > 0 ? w[k] * amplitude / max : 0;
			return new Field(fx, fy, fz, w);
		}
	}

	/**
	 * One lesion in template (atlas) LPS mm: a union of perturbed ellipsoidal lobes around a centre, its kind and
	 * intensities (normalised: white matter = 1).
	 */
	private static final class LesionShape {
		final MrLesion.Kind kind;
		final double diameterMm;
		double[] centre = new double[3];
		/** Per lobe: offset from the centre (3), and the matrix (row-major 3 × 3) mapping mm to unit-sphere units. */
		final double[][] lobeOffset, lobeMatrix;
		final double[][] bumpDirection;
		final double[] bumpFrequency, bumpPhase, bumpAmplitude;
		final double rim, core, coreTissueShare, rimMm, edgeMm, textureAmplitude;
		/** Two waves of the internal texture, and a third that modulates the rim's thickness by ±40 %. */
		final double[][] textureWave = new double[3][3];
		final double[] texturePhase = new double[3];
		double boundMm;

		private LesionShape(Random rnd, MrLesion.Kind kind, double diameterMm) {
			this.kind = kind;
			this.diameterMm = diameterMm;
			double a = diameterMm / 2;
			int lobes = diameterMm < 12 ? 1 : 1 + rnd.nextInt(3);
			lobeOffset = new double[lobes][];
			lobeMatrix = new double[lobes][];
			double bound = 0;
			for (int k = 0; k < lobes; k++) {
				double size = k == 0 ? a : a * uniform(rnd, 0.45, 0.75);
				double[] axes = {size * uniform(rnd, 0.8, 1.2), size * uniform(rnd, 0.8, 1.2), size * uniform(rnd, 0.8, 1.2)};
				double[] r = rotation(uniform(rnd, 0, 2 * Math.PI), uniform(rnd, 0, 2 * Math.PI), uniform(rnd, 0, 2 * Math.PI));
				double[] m = new double[9];
				// m = diag(1/axes) · rᵀ: a point's coordinates in the lobe's frame, in units of its semi-axes.
				for (int i = 0; i < 3; i++)
					for (int j = 0; j < 3; j++) m[3 * i + j] = r[3 * j + i] / axes[i];
				lobeMatrix[k] = m;
				double[] d = unit(rnd);
				double dist = k == 0 ? 0 : a * uniform(rnd, 0.4, 0.8);
				lobeOffset[k] = new double[] {d[0] * dist, d[1] * dist, d[2] * dist};
				bound = Math.max(bound, dist + Math.max(axes[0], Math.max(axes[1], axes[2])));
			}
			int bumps = 3;
			bumpDirection = new double[bumps][];
			bumpFrequency = new double[bumps];
			bumpPhase = new double[bumps];
			bumpAmplitude = new double[bumps];
			double irregularity = uniform(rnd, 0.12, 0.28), total = 0;
			for (int m = 0; m < bumps; m++) {
				bumpDirection[m] = unit(rnd);
				bumpFrequency[m] = uniform(rnd, 1.5, 4.5) * Math.PI;
				bumpPhase[m] = uniform(rnd, 0, 2 * Math.PI);
				bumpAmplitude[m] = uniform(rnd, 0.3, 1);
				total += bumpAmplitude[m];
			}
			for (int m = 0; m < bumps; m++) bumpAmplitude[m] *= irregularity / total;
			switch (kind) {
				case ENHANCING_RIM -> {
					rim = uniform(rnd, 1.3, 1.7);
					core = uniform(rnd, 0.68, 0.85);
					coreTissueShare = 0.5;
					rimMm = uniform(rnd, 2, 4.5);
					edgeMm = uniform(rnd, 0.6, 1.0);
				}
				case NECROTIC_CORE -> {
					rim = uniform(rnd, 1.3, 1.7);
					core = uniform(rnd, 0.2, 0.4);
					coreTissueShare = 0;
					rimMm = Math.min(uniform(rnd, 2.5, 5), 0.35 * diameterMm);
					edgeMm = uniform(rnd, 0.6, 1.0);
				}
				default -> {
					rim = rnd.nextDouble() < 0.7 ? uniform(rnd, 0.5, 0.64) : uniform(rnd, 1.15, 1.3);
					core = rim;
					coreTissueShare = 0;
					rimMm = 0;
					edgeMm = uniform(rnd, 2, 3.5);
				}
			}
			textureAmplitude = uniform(rnd, 0.03, 0.08);
			for (int w = 0; w < 3; w++) {
				double[] d = unit(rnd);
				double k = 2 * Math.PI / (w < 2 ? uniform(rnd, 5, 10) : uniform(rnd, 12, 24));
				for (int i = 0; i < 3; i++) textureWave[w][i] = d[i] * k;
				texturePhase[w] = uniform(rnd, 0, 2 * Math.PI);
			}
			boundMm = bound * (1 + irregularity);
		}

		/** A lesion of a kind scaled so that its volume is that of a sphere of {@code diameterMm}. */
		static LesionShape draw(Random rnd, MrLesion.Kind kind, double diameterMm) {
			LesionShape l = new LesionShape(rnd, kind, diameterMm);
			// The shape is scale-invariant about its centre: one measurement on a lattice fixes its size.
			double h = l.boundMm / 12, inside = 0;
			for (int i = -12; i <= 12; i++)
				for (int j = -12; j <= 12; j++)
					for (int k = -12; k <= 12; k++) if (l.depthMm(i * h, j * h, k * h) >= 0) inside++;
			double measured = Math.cbrt(6 * inside * h * h * h / Math.PI);
			if (measured > 0) l.scale(diameterMm / measured);
			return l;
		}

		private void scale(double s) {
			for (int k = 0; k < lobeOffset.length; k++)
				for (int i = 0; i < 3; i++) {
					lobeOffset[k][i] *= s;
					for (int j = 0; j < 3; j++) lobeMatrix[k][3 * i + j] /= s;
				}
			boundMm *= s;
		}

		/** Radius of influence: the bounding radius plus the soft edge, mm. */
		double reachMm() {
			return boundMm + edgeMm;
		}

		/**
		 * Depth below the surface (mm, negative outside) of a point given relative to the centre: along the ray from
		 * the nearest lobe's centre, the distance from the point to the perturbed surface.
		 */
		double depthMm(double dx, double dy, double dz) {
			double best = Double.NEGATIVE_INFINITY;
			for (int k = 0; k < lobeOffset.length; k++) {
				double vx = dx - lobeOffset[k][0], vy = dy - lobeOffset[k][1], vz = dz - lobeOffset[k][2];
				double len = Math.sqrt(vx * vx + vy * vy + vz * vz);
				double[] m = lobeMatrix[k];
				double px = m[0] * vx + m[1] * vy + m[2] * vz, py = m[3] * vx + m[4] * vy + m[5] * vz;
				double pz = m[6] * vx + m[7] * vy + m[8] * vz;
				double rho = Math.sqrt(px * px + py * py + pz * pz);
				if (rho < 1e-9) return Double.POSITIVE_INFINITY; // at a lobe's centre: deep inside
				double bump = 0;
				for (int b = 0; b < bumpAmplitude.length; b++) {
					double[] e = bumpDirection[b];
					bump += bumpAmplitude[b] * StrictMath.cos(bumpFrequency[b] * (vx * e[0] + vy * e[1] + vz * e[2]) / len
						+ bumpPhase[b]);
				}
				best = Math.max(best, len / rho * (1 + bump) - len);
			}
			return best;
		}

		/** The lesion's normalised intensity at a depth, over tissue {@code t}, at template point q (texture). */
		double value(double depth, double t, double qx, double qy, double qz) {
			double inner;
			if (kind == MrLesion.Kind.NON_ENHANCING) {
				inner = rim;
			} else {
				double[] r = textureWave[2];
				double thickness = rimMm * (1 + 0.4 * StrictMath.sin(r[0] * qx + r[1] * qy + r[2] * qz + texturePhase[2]));
				double w = smooth((depth - thickness) / RIM_EDGE_MM + 0.5);
				inner = rim * (1 - w) + (coreTissueShare * t + (1 - coreTissueShare) * core) * w;
			}
			double[] a = textureWave[0], b = textureWave[1];
			return inner * (1 + textureAmplitude * StrictMath.sin(a[0] * qx + a[1] * qy + a[2] * qz + texturePhase[0])
				* StrictMath.sin(b[0] * qx + b[1] * qy + b[2] * qz + texturePhase[1]));
		}
	}

	/** Where lesions may go: maps template points to the case's patient space and grid. */
	private static final class Placement {
		final MrTemplate template;
		final Geometry g;
		final double[] head, brainAt, brainCentre;

		Placement(MrTemplate template, Geometry g, double[] head, double[] brainAt, double[] brainCentre) {
			this.template = template;
			this.g = g;
			this.head = head;
			this.brainAt = brainAt;
			this.brainCentre = brainCentre;
		}

		double[] toPatient(double[] q) {
			double[] p = new double[3];
			for (int r = 0; r < 3; r++) {
				p[r] = brainAt[r];
				for (int c = 0; c < 3; c++) p[r] += head[3 * r + c] * (q[c] - brainCentre[c]);
			}
			return p;
		}

		/** Tries random brain points as the lesion's centre; true (and the centre set) when one fits. */
		boolean place(Random rnd, LesionShape l, List<LesionShape> others) {
			double radius = l.diameterMm / 2;
			for (int t = 0; t < PLACEMENT_TRIES; t++) {
				int i = rnd.nextInt(template.brainPoints());
				double[] c = {template.brainPoint(i, 0), template.brainPoint(i, 1), template.brainPoint(i, 2)};
				if (fits(l, c, radius, others)) {
					l.centre = c;
					return true;
				}
			}
			return false;
		}

		private boolean fits(LesionShape l, double[] c, double radius, List<LesionShape> others) {
			double tissue = template.headAt(c[0], c[1], c[2]) / template.whiteMatter();
			if (tissue < TISSUE_MIN || tissue > TISSUE_MAX) return false;
			for (int dx = -1; dx <= 1; dx++)
				for (int dy = -1; dy <= 1; dy++)
					for (int dz = -1; dz <= 1; dz++) {
						double n = Math.sqrt(dx * dx + dy * dy + dz * dz);
						if (n == 0) continue;
						double f = 0.8 * radius / n;
						if (!template.inBrain(c[0] + dx * f, c[1] + dy * f, c[2] + dz * f)) return false;
					}
			for (LesionShape o : others) {
				double d = Math.sqrt(sq(c[0] - o.centre[0]) + sq(c[1] - o.centre[1]) + sq(c[2] - o.centre[2]));
				if (d < l.reachMm() + o.reachMm()) return false;
			}
			double[] p = toPatient(c), o = g.originMm(), d = g.direction(), sp = g.spacingMm();
			int[] n = {g.nx(), g.ny(), g.nz()};
			for (int axis = 0; axis < 3; axis++) {
				double along = 0;
				for (int i = 0; i < 3; i++) along += d[3 * axis + i] * (p[i] - o[i]);
				double margin = l.boundMm + GRID_MARGIN_MM;
				if (along < margin || along > (n[axis] - 1) * sp[axis] - margin) return false;
			}
			return true;
		}

		private static double sq(double v) {
			return v * v;
		}
	}

	/** Renders the slices of one case; each slice writes only its own part of the arrays. */
	private static final class Renderer {
		final MrTemplate template;
		final Geometry g;
		final List<LesionShape> lesions;
		final Field bias, deformation;
		final double[][] displacementIndex;
		final double whiteMatter, sigma, offset, templateWhiteMatter;
		final long noiseSeed;
		final float[] image;
		final byte[] labels, brain;
		final double[] gammaTable = new double[GAMMA_TABLE + 1];
		/** Grid index → template index: base + x·stepX + y·stepY + z·stepZ (3 each). */
		final double[] base = new double[3], stepX = new double[3], stepY = new double[3], stepZ = new double[3];
		/** Template index → template LPS mm: row-major 3 × 4. */
		final double[] indexToMm = new double[12];
		final double[][] lesionIndexCentre;
		final double[] lesionIndexReach;

		Renderer(MrTemplate template, Geometry g, double[] head, double[] brainAt, double[] brainCentre, double gamma,
			List<LesionShape> lesions, Field bias, Field deformation, double[][] displacement, double whiteMatter,
			double sigma, double offset, long noiseSeed) {
			this.template = template;
			this.g = g;
			this.lesions = lesions;
			this.bias = bias;
			this.deformation = deformation;
			this.whiteMatter = whiteMatter;
			this.sigma = sigma;
			this.offset = offset;
			this.noiseSeed = noiseSeed;
			this.templateWhiteMatter = template.whiteMatter();
			image = new float[g.voxelCount()];
			labels = new byte[g.voxelCount()];
			brain = new byte[g.voxelCount()];
			for (int i = 0; i <= GAMMA_TABLE; i++) gammaTable[i] = StrictMath.pow(i * GAMMA_TABLE_MAX / GAMMA_TABLE, gamma);
			// patient → template index: a · (q) with q = brainCentre + head⁻¹ (p − brainAt).
			double[] a = template.indexAffine(), inv = MrTemplate.inverse(head);
			double[] m = new double[9], t = new double[3];
			for (int r = 0; r < 3; r++) {
				for (int c = 0; c < 3; c++)
					for (int k = 0; k < 3; k++) m[3 * r + c] += a[4 * r + k] * inv[3 * k + c];
				t[r] = a[4 * r + 3];
				for (int k = 0; k < 3; k++) {
					double q = brainCentre[k];
					for (int c = 0; c < 3; c++) q -= inv[3 * k + c] * brainAt[c];
					t[r] += a[4 * r + k] * q;
				}
			}
			double[] o = g.originMm(), d = g.direction(), sp = g.spacingMm();
			for (int r = 0; r < 3; r++) {
				base[r] = t[r];
				for (int c = 0; c < 3; c++) {
					base[r] += m[3 * r + c] * o[c];
					stepX[r] += m[3 * r + c] * d[c] * sp[0];
					stepY[r] += m[3 * r + c] * d[3 + c] * sp[1];
					stepZ[r] += m[3 * r + c] * d[6 + c] * sp[2];
				}
			}
			displacementIndex = new double[displacement.length][3];
			for (int k = 0; k < displacement.length; k++)
				for (int r = 0; r < 3; r++)
					for (int c = 0; c < 3; c++) displacementIndex[k][r] += m[3 * r + c] * displacement[k][c];
			Geometry tg = template.geometry();
			double[] td = tg.direction(), ts = tg.spacingMm(), to = tg.originMm();
			for (int r = 0; r < 3; r++) {
				for (int c = 0; c < 3; c++) indexToMm[4 * r + c] = td[3 * c + r] * ts[c];
				indexToMm[4 * r + 3] = to[r];
			}
			lesionIndexCentre = new double[lesions.size()][3];
			lesionIndexReach = new double[lesions.size()];
			double minSpacing = Math.min(ts[0], Math.min(ts[1], ts[2]));
			for (int i = 0; i < lesions.size(); i++) {
				LesionShape l = lesions.get(i);
				for (int r = 0; r < 3; r++)
					lesionIndexCentre[i][r] = a[4 * r] * l.centre[0] + a[4 * r + 1] * l.centre[1] + a[4 * r + 2] * l.centre[2]
						+ a[4 * r + 3];
				lesionIndexReach[i] = l.reachMm() / minSpacing;
			}
		}

		void slice(int z) {
			Random noise = new Random(noiseSeed ^ (z + 1) * 0x9E3779B97F4A7C15L);
			int nx = g.nx(), ny = g.ny();
			double[] sample = new double[2];
			double[] dz = new double[displacementIndex.length], bz = new double[bias.weight.length];
			for (int y = 0; y < ny; y++) {
				for (int k = 0; k < dz.length; k++) dz[k] = deformation.weight[k] * deformation.fy[k][y] * deformation.fz[k][z];
				for (int k = 0; k < bz.length; k++) bz[k] = bias.weight[k] * bias.fy[k][y] * bias.fz[k][z];
				int idx = g.index(0, y, z);
				for (int x = 0; x < nx; x++, idx++) {
					double i = base[0] + x * stepX[0] + y * stepY[0] + z * stepZ[0];
					double j = base[1] + x * stepX[1] + y * stepY[1] + z * stepZ[1];
					double k = base[2] + x * stepX[2] + y * stepY[2] + z * stepZ[2];
					for (int t = 0; t < dz.length; t++) {
						double f = dz[t] * deformation.fx[t][x];
						i += f * displacementIndex[t][0];
						j += f * displacementIndex[t][1];
						k += f * displacementIndex[t][2];
					}
					template.sample(i, j, k, sample);
					double tissue = gamma(sample[0] / templateWhiteMatter), inBrain = sample[1];
					if (inBrain >= 0.5) brain[idx] = 1;
					for (int l = 0; l < lesionIndexCentre.length; l++) {
						double[] c = lesionIndexCentre[l];
						double reach = lesionIndexReach[l];
						if (Math.abs(i - c[0]) > reach || Math.abs(j - c[1]) > reach || Math.abs(k - c[2]) > reach) continue;
						LesionShape s = lesions.get(l);
						double qx = indexToMm[0] * i + indexToMm[1] * j + indexToMm[2] * k + indexToMm[3];
						double qy = indexToMm[4] * i + indexToMm[5] * j + indexToMm[6] * k + indexToMm[7];
						double qz = indexToMm[8] * i + indexToMm[9] * j + indexToMm[10] * k + indexToMm[11];
						double depth = s.depthMm(qx - s.centre[0], qy - s.centre[1], qz - s.centre[2]);
						if (depth < -s.edgeMm) continue;
						double w = smooth(depth / s.edgeMm + 0.5) * Math.min(1, inBrain);
						if (w > 0) tissue = tissue * (1 - w) + s.value(depth, tissue, qx, qy, qz) * w;
						if (depth >= 0 && inBrain >= 0.5) labels[idx] = (byte) (l + 1);
					}
					double b = 1;
					for (int t = 0; t < bz.length; t++) b += bz[t] * bias.fx[t][x];
					double signal = whiteMatter * b * tissue;
					double re = signal + sigma * noise.nextGaussian(), im = sigma * noise.nextGaussian();
					image[idx] = (float) (Math.sqrt(re * re + im * im) + offset);
				}
			}
		}

		/** u^gamma through a table with linear interpolation (u ≥ 0; beyond the table, proportional to u). */
		private double gamma(double u) {
			double f = u * (GAMMA_TABLE / GAMMA_TABLE_MAX);
			if (f >= GAMMA_TABLE) return gammaTable[GAMMA_TABLE] * u / GAMMA_TABLE_MAX;
			int i = (int) f;
			double w = f - i;
			return gammaTable[i] * (1 - w) + gammaTable[i + 1] * w;
		}
	}
}
