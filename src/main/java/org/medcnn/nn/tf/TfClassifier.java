package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import org.medcnn.nn.Classification;
import org.medcnn.nn.Classifier;
import org.medcnn.nn.Inputs;
import org.medcnn.nn.ModelCard;
import org.medcnn.volume.Volume;
import org.tensorflow.ndarray.Shape;

/** A classification package. Thread-safe. */
final class TfClassifier extends LoadedModel implements Classifier {

	TfClassifier(Path pkg, ModelCard card) throws IOException {
		super(pkg, card);
	}

	@Override
	public Classification classify(Volume image2d) {
		int s = card.inputSize();
		float[] x = Inputs.classifierInput(image2d, s, card.windowCenterHu(), card.windowWidthHu());
		float[] p = run(x, Shape.of(1, s, s, 1));
		if (p.length != card.classNames().size())
			throw new IllegalStateException("The model " + card.name() + " gives " + p.length + " probabilities but its card names "
				+ card.classNames().size() + " classes");
		int best = 0;
		for (int k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
		return new Classification(best, card.classNames().get(best), p);
	}
}
