package org.medcnn.nn.tf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.medcnn.common.Cancellation;
import org.medcnn.common.Parallel;
import org.medcnn.common.ProgressListener;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.Preprocessing;
import org.medcnn.nn.metrics.SegmentationMetrics;
import org.medcnn.volume.Geometry;
import org.medcnn.volume.Lesions;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * Segmentation training data on the network's grid: each case's image normalised and resampled by the
 * {@link Preprocessing}, its mask resampled with it; the samplers that draw training patches from them (2D slices
 * with their neighbours as channels, or 3D patches), about a third centred on a lesion voxel; the validation samples
 * that cover whole cases; and the {@link Trainer.Validator} that puts the validation outputs back together per case
 * to count detected lesions. Immutable after construction; the samplers are thread-safe (all state comes from the
 * random source passed in).
 */
final class PreparedCases {

	/** Every this-many-th training patch is centred near a lesion voxel (nnU-Net oversamples foreground to a third). */
	static final int CENTRED_EVERY = 3;
	/**
	 * Validation data of 2D models at most (floats): larger sets are validated on every k-th slice, so that validating
	 * costs a few seconds per epoch, not a share of the training (16 M floats: about 260 slices of 176 × 176).
	 */
	static final long MAX_VALIDATION_FLOATS = 16L << 20;

	/**
	 * One case on the network's grid.
	 *
	 * @param image normalised values and grid
	 * @param labels 0/1 per voxel on the same grid
	 * @param foreground flat indices of the lesion voxels
	 * @param original the image as given (real-world values on its own grid), for the package's test tensors
	 */
	record Case(Preprocessing.Prepared image, byte[] labels, int[] foreground, Volume original) {

		Geometry grid() {
			return image.grid();
		}
	}

	final List<Case> cases;

	private PreparedCases(List<Case> cases) {
		this.cases = cases;
	}

	/** Prepares the cases {@code indices} of {@code images}/{@code masks} (in parallel, one case per task). */
	static PreparedCases of(List<Volume> images, List<Mask> masks, List<Integer> indices, Preprocessing pre, Cancellation c) {
		Case[] out = new Case[indices.size()];
		try {
			Parallel.forEachIndex(indices.size(), ProgressListener.NONE, c == null ? new Cancellation() : c, "case",
				i -> prepareOne(images, masks, indices, pre, out, i));
		} catch (IOException e) {
			throw new UncheckedIOException(e); // preparing reads no files
		}
		return new PreparedCases(List.of(out));
	}

	private static void prepareOne(List<Volume> images, List<Mask> masks, List<Integer> indices, Preprocessing pre, Case[] out,
		int i) {
		int ci = indices.get(i);
		Preprocessing.Prepared p = pre.prepare(images.get(ci));
		byte[] l = pre.prepare(masks.get(ci)).labels();
		byte[] labels = new byte[l.length];
		int n = 0;
		for (int k = 0; k < l.length; k++)
			if (l[k] != 0) {
				labels[k] = 1;
				n++;
			}
		int[] fg = new int[n];
		for (int k = 0, j = 0; k < l.length; k++) if (l[k] != 0) fg[j++] = k;
		out[i] = new Case(p, labels, fg, images.get(ci));
	}

	boolean isEmpty() {
		return cases.isEmpty();
	}

	/** The largest slice over the cases, {y, x}, each rounded up to {@code multiple}. */
	int[] largestSlice(int multiple) {
		int h = multiple, w = multiple;
		for (Case c : cases) {
			h = Math.max(h, Inputs.roundUp(c.grid().ny(), multiple));
			w = Math.max(w, Inputs.roundUp(c.grid().nx(), multiple));
		}
		return new int[] {h, w};
	}

	int slices() {
		int n = 0;
		for (Case c : cases) n += c.grid().nz();
		return n;
	}

	/**
	 * 2D training patches of {@code patch} {y, x} with {@code 2·context+1} channels (slices z−context…z+context,
	 * channel-planar), {@code perEpoch} per epoch: every {@value #CENTRED_EVERY}th centred on a random lesion voxel
	 * (shifted by up to a quarter patch), the others on a random slice (each slice equally likely) at a random
	 * position. A slice smaller than the patch lies at the patch's top-left corner; the rest is padding.
	 */
	Trainer.PatchSource slicePatches(int[] patch, int context, int perEpoch) {
		List<Case> withLesion = cases.stream().filter(c -> c.foreground().length > 0).toList();
		int[] sliceStart = new int[cases.size() + 1];
		for (int i = 0; i < cases.size(); i++) sliceStart[i + 1] = sliceStart[i] + cases.get(i).grid().nz();
		return Trainer.PatchSource.of(perEpoch, (index, rng) -> {
			int ph = patch[0], pw = patch[1];
			Case c;
			int z, y0, x0;
			if (index % CENTRED_EVERY == 0 && !withLesion.isEmpty()) {
				c = withLesion.get(rng.nextInt(withLesion.size()));
				Geometry g = c.grid();
				int v = c.foreground()[rng.nextInt(c.foreground().length)];
				z = v / g.sliceSize();
				y0 = start(v / g.nx() % g.ny(), ph, g.ny(), rng);
				x0 = start(v % g.nx(), pw, g.nx(), rng);
			} else {
				int s = rng.nextInt(sliceStart[cases.size()]);
				int ci = Arrays.binarySearch(sliceStart, s);
				ci = ci >= 0 ? ci : -ci - 2;
				while (sliceStart[ci + 1] <= s) ci++;
				c = cases.get(ci);
				z = s - sliceStart[ci];
				Geometry g = c.grid();
				y0 = g.ny() > ph ? rng.nextInt(g.ny() - ph + 1) : 0;
				x0 = g.nx() > pw ? rng.nextInt(g.nx() - pw + 1) : 0;
			}
			return slicePatch(c, z, y0, x0, ph, pw, context);
		});
	}

	/** A patch start along an axis of length n: centred on {@code centre} ± a quarter patch, kept inside when possible. */
	private static int start(int centre, int p, int n, Random rng) {
		if (n <= p) return 0;
		int jitter = p / 4 > 0 ? rng.nextInt(2 * (p / 4) + 1) - p / 4 : 0;
		return Math.max(0, Math.min(n - p, centre - p / 2 + jitter));
	}

	/** The 2D sample at slice z, window {@code (y0, x0)} of {@code ph × pw}, padded outside the slice. */
	static Trainer.Sample slicePatch(Case c, int z, int y0, int x0, int ph, int pw, int context) {
		Geometry g = c.grid();
		int nx = g.nx(), ny = g.ny(), pn = ph * pw;
		float[] x = stack(c.image().values(), g, z, y0, x0, ph, pw, context, c.image().padValue()), y = new float[pn];
		int h = Math.min(ph, ny - y0), w = Math.min(pw, nx - x0);
		byte[] l = c.labels();
		for (int yy = 0; yy < h; yy++)
			for (int xx = 0; xx < w; xx++) y[yy * pw + xx] = l[(z * ny + y0 + yy) * nx + x0 + xx];
		return new Trainer.Sample(x, y, pw, ph, 0, 2 * context + 1);
	}

	/**
	 * Slices z−context … z+context (clamped to the volume) of {@code values} on grid {@code g}, window
	 * {@code (y0, x0)} of {@code ph × pw}, channel-planar, {@code pad} outside the slice.
	 */
	static float[] stack(float[] values, Geometry g, int z, int y0, int x0, int ph, int pw, int context, float pad) {
		int nx = g.nx(), ny = g.ny(), channels = 2 * context + 1, pn = ph * pw;
		float[] x = new float[channels * pn];
		int[] zs = Inputs.contextSlices(z, g.nz(), context);
		int h = Math.min(ph, ny - y0), w = Math.min(pw, nx - x0);
		if (pad != 0) Arrays.fill(x, pad);
		for (int k = 0; k < channels; k++)
			for (int yy = 0; yy < h; yy++)
				System.arraycopy(values, (zs[k] * ny + y0 + yy) * nx + x0, x, k * pn + yy * pw, w);
		return x;
	}

	/** Where a validation sample's output goes: its case and its window on the case's grid. */
	record Placement(int caseIndex, int z0, int y0, int x0, int d, int h, int w) {}

	/** Validation samples with their placements, in the order they are run. */
	record Validation(List<Trainer.Sample> samples, Map<Trainer.Sample, Placement> placements) {}

	/**
	 * Whole slices of every case, each padded to a multiple of {@code multiple}, with their neighbours as channels;
	 * when they would exceed {@value #MAX_VALIDATION_FLOATS} floats, every k-th slice.
	 */
	Validation validationSlices(int multiple, int context) {
		long floats = 0;
		for (Case c : cases)
			floats += (long) c.grid().nz() * Inputs.roundUp(c.grid().ny(), multiple) * Inputs.roundUp(c.grid().nx(), multiple)
				* (2L * context + 2);
		int stride = (int) Math.max(1, (floats + MAX_VALIDATION_FLOATS - 1) / MAX_VALIDATION_FLOATS);
		List<Trainer.Sample> samples = new ArrayList<>();
		Map<Trainer.Sample, Placement> where = new IdentityHashMap<>();
		for (int ci = 0; ci < cases.size(); ci++) {
			Case c = cases.get(ci);
			Geometry g = c.grid();
			int ph = Inputs.roundUp(g.ny(), multiple), pw = Inputs.roundUp(g.nx(), multiple);
			for (int z = 0; z < g.nz(); z += stride) {
				Trainer.Sample s = slicePatch(c, z, 0, 0, ph, pw, context);
				samples.add(s);
				where.put(s, new Placement(ci, z, 0, 0, 1, ph, pw));
			}
		}
		return new Validation(samples, where);
	}

	/** 3D tiles of {@code patch} {z, y, x} covering every case (the last tile of an axis ends at its end). */
	Validation validationTiles(int[] patch) {
		List<Trainer.Sample> samples = new ArrayList<>();
		Map<Trainer.Sample, Placement> where = new IdentityHashMap<>();
		for (int ci = 0; ci < cases.size(); ci++) {
			Patches.Grid grid = grid(cases.get(ci), patch);
			for (int z0 : Patches.positions(grid.nz, patch[0], patch[0]))
				for (int y0 : Patches.positions(grid.ny, patch[1], patch[1]))
					for (int x0 : Patches.positions(grid.nx, patch[2], patch[2])) {
						Trainer.Sample s = new Trainer.Sample(grid.extract(grid.x, z0, y0, x0, patch),
							grid.extract(grid.y, z0, y0, x0, patch), patch[2], patch[1], patch[0]);
						samples.add(s);
						where.put(s, new Placement(ci, z0, y0, x0, patch[0], patch[1], patch[2]));
					}
		}
		return new Validation(samples, where);
	}

	/** The case's values and labels as a patch grid padded (with its pad value) to at least {@code patch}. */
	static Patches.Grid grid(Case c, int[] patch) {
		Geometry g = c.grid();
		float[] y = new float[c.labels().length];
		for (int i = 0; i < y.length; i++) y[i] = c.labels()[i];
		return new Patches.Grid(c.image().values(), y, g.nz(), g.ny(), g.nx(), patch, c.image().padValue());
	}

	/**
	 * 3D training patches of {@code patch} {z, y, x} from random cases, every {@value #CENTRED_EVERY}th centred near a
	 * random lesion voxel of its case (when it has one).
	 */
	Trainer.PatchSource volumePatches(int[] patch, int perEpoch) {
		List<Patches.Grid> grids = new ArrayList<>();
		for (Case c : cases) grids.add(grid(c, patch));
		return Trainer.PatchSource.of(perEpoch, (index, rng) -> {
			Patches.Grid g = grids.size() == 1 ? grids.get(0) : grids.get(rng.nextInt(grids.size()));
			int[] s = g.start(patch, index % CENTRED_EVERY == 0, rng);
			return new Trainer.Sample(g.extract(g.x, s[0], s[1], s[2], patch), g.extract(g.y, s[0], s[1], s[2], patch),
				patch[2], patch[1], patch[0]);
		});
	}

	/**
	 * Assembles validation outputs into probability volumes per case and counts lesions (components of at least
	 * {@link Lesions#DEFAULT_MIN_VOXELS} voxels of the thresholded prediction, as MedCNN delivers them) detected and
	 * predicted, pooled over the cases.
	 */
	Trainer.Validator validator(Validation v) {
		return new Trainer.Validator() {
			private float[][] prob;

			@Override
			public void reset() {
				prob = new float[cases.size()][];
				for (int i = 0; i < prob.length; i++) prob[i] = new float[cases.get(i).labels().length];
			}

			@Override
			public void add(List<Trainer.Sample> batch, float[] output) {
				int offset = 0;
				for (Trainer.Sample s : batch) {
					Placement p = v.placements().get(s);
					int len = p.d() * p.h() * p.w();
					Geometry g = cases.get(p.caseIndex()).grid();
					float[] dst = prob[p.caseIndex()];
					for (int z = 0; z < p.d() && p.z0() + z < g.nz(); z++)
						for (int y = 0; y < p.h() && p.y0() + y < g.ny(); y++) {
							int w = Math.min(p.w(), g.nx() - p.x0());
							if (w > 0)
								System.arraycopy(output, offset + (z * p.h() + y) * p.w(), dst,
									((p.z0() + z) * g.ny() + p.y0() + y) * g.nx() + p.x0(), w);
						}
					offset += len;
				}
			}

			@Override
			public double[] finish() {
				long ref = 0, detected = 0, pred = 0, truePred = 0;
				for (int ci = 0; ci < cases.size(); ci++) {
					Case c = cases.get(ci);
					byte[] labels = new byte[prob[ci].length];
					for (int i = 0; i < labels.length; i++) if (prob[ci][i] >= TfSegmenter.THRESHOLD) labels[i] = 1;
					Mask m = Lesions.removeSmall(new Mask(c.grid(), labels), Lesions.DEFAULT_MIN_VOXELS);
					int[] lc = SegmentationMetrics.lesionCounts(m.labels(), c.labels(), c.grid());
					ref += lc[0];
					detected += lc[1];
					pred += lc[2];
					truePred += lc[3];
				}
				return new double[] {ref == 0 ? Double.NaN : (double) detected / ref, pred == 0 ? Double.NaN : (double) truePred / pred};
			}
		};
	}
}
