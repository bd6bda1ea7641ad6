package org.medcnn.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The check of a package's test tensors when it is opened: {@value BioImageIo#TEST_INPUT} (real-world values) is
 * normalised as the package's rdf.yaml describes and run through the loaded network, and the result must match
 * {@value BioImageIo#TEST_OUTPUT} within float32 tolerance. The integrity record alone cannot tell a package whose
 * card was re-hashed after its graph was edited (to output a constant, say); this catches every such edit that the
 * editor did not also bake into the test output. A package of card format 2 must hold both tensors (format 1
 * predates the integrity record; its tensors are checked when present). TensorFlow-free: the engine runs the input.
 * Stateless and thread-safe.
 */
public final class TestTensors {

	/** Most values a test tensor may hold (64 MiB of float32): a test input is one slice or patch. */
	public static final int MAX_VALUES = 1 << 24;
	/**
	 * A value matches when {@code |got − expected| ≤ ABS_TOLERANCE + REL_TOLERANCE · |expected|}: float32 CPU runs on
	 * other processors (other SIMD paths, thread counts) differ by about 1e-6 on MedCNN's outputs (probabilities).
	 */
	public static final double ABS_TOLERANCE = 1e-3, REL_TOLERANCE = 1e-3;

	private TestTensors() {}

	/**
	 * The network input built from {@code test_input.npy} and what the network must give on it.
	 *
	 * @param input the normalised network input, channels last
	 * @param inputShape its shape, e.g. {@code [1, h, w, c]} or {@code [1, d, h, w, 1]}
	 * @param expected the values of {@code test_output.npy}
	 * @param outputShape their shape
	 */
	public record Pair(float[] input, long[] inputShape, float[] expected, int[] outputShape) {}

	/**
	 * Reads a package folder's test tensors and checks their shapes against the card.
	 *
	 * @return the pair, or null for a card of format 1 without test tensors
	 * @throws ModelFormatException naming the package and the file when a tensor is missing (format 2), unreadable, too
	 *         large or shaped unlike the card's input and output
	 */
	public static Pair read(Path pkg, ModelCard card) throws ModelFormatException {
		Path inFile = pkg.resolve(BioImageIo.TEST_INPUT), outFile = pkg.resolve(BioImageIo.TEST_OUTPUT);
		boolean hasIn = Files.isRegularFile(inFile), hasOut = Files.isRegularFile(outFile);
		if (!hasIn || !hasOut) {
			if (card.formatVersion().equals("1") && !hasIn && !hasOut) return null;
			throw new ModelFormatException(pkg, null, "has no " + (hasIn ? BioImageIo.TEST_OUTPUT : BioImageIo.TEST_INPUT)
				+ ": a package must hold its test input and the network's output on it, which are checked whenever it is"
				+ " opened");
		}
		Npy.FloatArray in = tensor(pkg, inFile), out = tensor(pkg, outFile);
		int[] is = in.shape(), os = out.shape();
		int rank = card.dims() == 3 ? 5 : 4, channels = card.dims() == 3 ? 1 : card.channels();
		if (is.length != rank || is[0] < 1)
			throw new ModelFormatException(pkg, null, shapeReason(BioImageIo.TEST_INPUT, is, "(batch, " + (rank == 5 ? "z, " : "")
				+ "y, x, " + channels + ")", card));
		if (is[rank - 1] != channels)
			throw new ModelFormatException(pkg, "input.channels", "is " + channels + " but " + BioImageIo.TEST_INPUT + " has "
				+ is[rank - 1] + " channel(s) (shape " + Arrays.toString(is) + "): the card does not describe its network");
		if (card.isClassification()) {
			int s = card.inputSize();
			if (is[1] != s || is[2] != s)
				throw new ModelFormatException(pkg, "input.inputSize", "is " + s + " but " + BioImageIo.TEST_INPUT + " has the shape "
					+ Arrays.toString(is));
			if (os.length != 2 || os[0] != is[0] || os[1] != card.classNames().size())
				throw new ModelFormatException(pkg, null, shapeReason(BioImageIo.TEST_OUTPUT, os, "(" + is[0] + ", "
					+ card.classNames().size() + "), one probability per class", card));
		} else {
			int[] want = is.clone();
			want[rank - 1] = 1;
			if (!Arrays.equals(os, want))
				throw new ModelFormatException(pkg, null, shapeReason(BioImageIo.TEST_OUTPUT, os, Arrays.toString(want)
					+ ", one probability per voxel of " + BioImageIo.TEST_INPUT, card));
		}
		long[] shape = new long[is.length];
		for (int i = 0; i < is.length; i++) shape[i] = is[i];
		return new Pair(networkInput(in.data(), is[rank - 1], card), shape, out.data(), os);
	}

	/**
	 * Compares the network's output on a pair's input with the expected values.
	 *
	 * @throws ModelFormatException naming the package and both files when any value differs beyond the tolerance
	 */
	public static void compare(Path pkg, Pair pair, float[] got) throws ModelFormatException {
		float[] want = pair.expected();
		if (got.length != want.length)
			throw new ModelFormatException(pkg, null, "gives " + got.length + " values on its " + BioImageIo.TEST_INPUT + " where "
				+ BioImageIo.TEST_OUTPUT + " holds " + want.length + ": the network does not match its test tensors, so it was"
				+ " changed after the package was written; refused");
		long bad = 0;
		int worst = -1;
		double worstDiff = 0;
		for (int i = 0; i < want.length; i++) {
			double d = Math.abs((double) got[i] - want[i]);
			boolean ok = d <= ABS_TOLERANCE + REL_TOLERANCE * Math.abs(want[i]); // NaN fails
			if (!ok) {
				bad++;
				if (worst < 0 || !(d <= worstDiff)) {
					worst = i;
					worstDiff = d;
				}
			}
		}
		if (bad > 0)
			throw new ModelFormatException(pkg, null, String.format(Locale.ROOT, "runs its %s through %s/ and gets values unlike"
				+ " %s: %d of %d differ by more than %s (at value %d: %s expected, %s given): the network or its test tensors"
				+ " were changed after the package was written (whatever its card's hashes say); refused", BioImageIo.TEST_INPUT,
				Models.SAVED_MODEL_DIR, BioImageIo.TEST_OUTPUT, bad, want.length, ABS_TOLERANCE, worst, want[worst], got[worst]));
	}

	/**
	 * The network input for a test tensor in real-world values (channels last): the card's normalisation, except for a
	 * per-image z-score, whose body statistics bioimage.io cannot express, where it is rdf.yaml's
	 * {@code zero_mean_unit_variance} per channel ({@link #zeroMeanUnitVariance}).
	 */
	public static float[] networkInput(float[] values, int channels, ModelCard card) {
		Normalisation n = card.preprocessing().normalisation();
		if (n instanceof Normalisation.ZScore) return zeroMeanUnitVariance(values, channels);
		String modality = card.input().get("modality") instanceof String s ? s : null;
		return n.forImage(values, modality).apply(values); // every other scheme maps each value alone
	}

	/**
	 * bioimage.io's {@code zero_mean_unit_variance} over the space axes of each channel of a channels-last tensor:
	 * {@code (x − mean) / (std + }{@value BioImageIo#ZMUV_EPS}{@code )}.
	 */
	public static float[] zeroMeanUnitVariance(float[] values, int channels) {
		float[] out = new float[values.length];
		int n = values.length / channels;
		for (int k = 0; k < channels; k++) {
			double sum = 0, ss = 0;
			for (int i = 0; i < n; i++) sum += values[i * channels + k];
			double mean = sum / n;
			for (int i = 0; i < n; i++) ss += (values[i * channels + k] - mean) * (values[i * channels + k] - mean);
			double sd = Math.sqrt(ss / n) + BioImageIo.ZMUV_EPS;
			for (int i = 0; i < n; i++) out[i * channels + k] = (float) ((values[i * channels + k] - mean) / sd);
		}
		return out;
	}

	private static Npy.FloatArray tensor(Path pkg, Path file) throws ModelFormatException {
		try {
			long size = Files.size(file);
			if (size > 4L * MAX_VALUES + 65536)
				throw new ModelFormatException(pkg, null, "has a " + file.getFileName() + " of " + size + " bytes; a test tensor"
					+ " holds one slice or patch (at most " + MAX_VALUES + " values)");
			return Npy.read(file);
		} catch (ModelFormatException e) {
			throw e;
		} catch (IOException e) {
			throw new ModelFormatException(pkg, file.getFileName() + " cannot be read: " + e.getMessage(), e);
		}
	}

	private static String shapeReason(String file, int[] shape, String expected, ModelCard card) {
		return "has a " + file + " of shape " + Arrays.toString(shape) + " where its card (" + card.architecture() + ") needs "
			+ expected;
	}
}
