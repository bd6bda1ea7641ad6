package org.medcnn.pipeline;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

import org.medcnn.common.Cancellation;
import org.medcnn.common.ProgressListener;
import org.medcnn.dicom.seg.SegCompression;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.InferenceEngine;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Models;
import org.medcnn.nn.Segmenter;

/**
 * A segmentation package (and optionally a lesion classifier) opened for {@link CaseSegmentation#run}: what
 * {@code predict} and the Spark job ({@code org.medcnn.spark.BatchSegment}) hold while they process their cases, so
 * that both open the models, check them and build the {@link CaseSegmentation.Options} the same way. The caller owns
 * it and closes it (idempotent); {@link #run} may be called from several threads at once, as {@link Segmenter} and
 * {@link Classifier} allow.
 */
public final class CasePredictor implements AutoCloseable {

	/**
	 * What {@code predict} lets the user choose, as plain values (serialisable, so that a Spark job can send it to its
	 * executors).
	 *
	 * @param flipTta flip test-time augmentation
	 * @param minLesionVoxels connected components smaller than this are dropped (at least 1)
	 * @param seg also write a DICOM SEG per DICOM case with a lesion
	 * @param rtstruct also write an RT Structure Set per DICOM case with a lesion
	 * @param segCompression how the SEG's pixel data are stored
	 * @param assumeGeometry measure images whose pixel spacing or position was assumed ({@code --assume-geometry})
	 * @param engine the runtime of the packages ({@code --engine})
	 */
	public record Settings(boolean flipTta, int minLesionVoxels, boolean seg, boolean rtstruct, SegCompression segCompression,
		boolean assumeGeometry, InferenceEngine engine) implements Serializable {

		public Settings {
			if (minLesionVoxels < 1) throw new IllegalArgumentException("minLesionVoxels = " + minLesionVoxels + ": must be >= 1");
			if (segCompression == null) throw new IllegalArgumentException("segCompression must not be null");
			if (engine == null) throw new IllegalArgumentException("engine must not be null");
		}

		/** Images with assumed geometry refused, TensorFlow. */
		public Settings(boolean flipTta, int minLesionVoxels, boolean seg, boolean rtstruct, SegCompression segCompression) {
			this(flipTta, minLesionVoxels, seg, rtstruct, segCompression, false, InferenceEngine.TENSORFLOW);
		}

		/** A short, stable description (what a completion marker records). */
		public String describe() {
			return "tta=" + flipTta + " minLesion=" + minLesionVoxels + " seg=" + seg + " rtstruct=" + rtstruct
				+ " segCompression=" + segCompression.key() + " assumeGeometry=" + assumeGeometry + " engine=" + engine.key();
		}
	}

	private final Segmenter segmenter;
	private final Classifier grader;
	private final ModelCard card;
	private final CaseSegmentation.Options options;

	private CasePredictor(Segmenter segmenter, Classifier grader, ModelCard card, CaseSegmentation.Options options) {
		this.segmenter = segmenter;
		this.grader = grader;
		this.card = card;
		this.options = options;
	}

	/**
	 * Checks before any work that {@code model} is a segmentation package and that {@code lesionClassifier} (if any)
	 * has a readable card ({@link #open} checks that it grades lesion crops).
	 *
	 * @return the segmentation model's card
	 * @throws ModelFormatException when a card cannot be read
	 * @throws IllegalArgumentException when {@code model} is a classifier, naming it
	 */
	public static ModelCard check(Path model, Path lesionClassifier) throws ModelFormatException {
		ModelCard card = Models.readCard(model);
		if (!card.isSegmentation())
			throw new IllegalArgumentException(model + ": " + card.name() + " is a classifier; a segmentation model is needed");
		if (lesionClassifier != null) Models.readCard(lesionClassifier);
		return card;
	}

	/**
	 * Opens a segmentation package and, when given, a lesion classifier.
	 *
	 * @param lesionClassifier a classifier of lesion-centred crops, or null
	 * @throws IOException when a package cannot be opened (the message names it)
	 * @throws IllegalArgumentException when a package has the wrong task or the classifier does not grade crops
	 */
	public static CasePredictor open(Path model, Path lesionClassifier, Settings s) throws IOException {
		ModelCard card = check(model, lesionClassifier);
		Segmenter seg = Models.openSegmenter(model, s.engine());
		Classifier grader = null;
		try {
			grader = lesionClassifier == null ? null : Models.openClassifier(lesionClassifier, s.engine());
			CaseSegmentation.Options o = new CaseSegmentation.Options(s.flipTta(), s.minLesionVoxels(), s.seg(), s.rtstruct(),
				grader, s.segCompression()).withAssumeGeometry(s.assumeGeometry());
			return new CasePredictor(seg, grader, card, o);
		} catch (IOException | RuntimeException e) {
			if (grader != null) grader.close();
			seg.close();
			throw e;
		}
	}

	/** The segmentation model's card. */
	public ModelCard card() {
		return card;
	}

	public CaseSegmentation.Options options() {
		return options;
	}

	/** Processes one case into {@code outDir}: {@link CaseSegmentation#run} with these models and options. */
	public CaseSegmentation.Result run(CaseSegmentation.Input in, Path outDir, ProgressListener p, Cancellation c) {
		return CaseSegmentation.run(in, segmenter, card, outDir, options, p, c);
	}

	@Override
	public void close() {
		try {
			if (grader != null) grader.close();
		} finally {
			segmenter.close();
		}
	}
}
