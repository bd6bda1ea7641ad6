package org.medcnn.nn.tf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medcnn.nn.ModelCard;
import org.medcnn.nn.ModelFormatException;
import org.medcnn.nn.Models;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Reads the weights of a package's SavedModel for fine-tuning: the package is loaded as for prediction (the same
 * {@link GraphPolicy} checks, read only), and every variable of a freshly built {@link TrainableNet} is fetched from
 * the loaded graph by its name. MedCNN exports the training graph as it is, so a package trained with the same
 * architecture holds a variable of the same name and shape for each weight. Closed after use.
 */
final class ParentWeights extends LoadedModel {

	private ParentWeights(Path pkg, ModelCard card) throws IOException {
		super(pkg, card);
	}

	/**
	 * Sets {@code net}'s weights from the package {@code pkg} (see {@link TrainableNet#startFrom}).
	 *
	 * @throws ModelFormatException naming the package and the variable when the package lacks a weight of the network
	 *         or holds it with another shape (the network was not built as the parent's card describes)
	 */
	static void load(TrainableNet net, Path pkg) throws IOException {
		ModelCard card = Models.readCard(pkg);
		float[][] weights;
		try (ParentWeights p = new ParentWeights(pkg, card)) {
			weights = p.fetch(pkg, net.weightNames(), net.weightShapes());
		}
		net.startFrom(weights);
	}

	private float[][] fetch(Path pkg, List<String> names, List<Shape> shapes) throws ModelFormatException {
		ModelFormatException[] refused = {null};
		float[][] out = withBundle(b -> {
			Session.Runner r = b.session().runner();
			List<String> missing = new ArrayList<>();
			for (int i = 0; i < names.size(); i++) {
				GraphOperation op = b.graph().operation(names.get(i));
				if (op == null) {
					missing.add(names.get(i));
					continue;
				}
				Shape have = op.output(0).shape(), want = shapes.get(i);
				if (!have.equals(want)) {
					refused[0] = new ModelFormatException(pkg, "the weight " + names.get(i) + " has shape " + have
						+ " but the network rebuilt from the card needs " + want + " (the card does not describe the weights)", (Throwable) null);
					return null;
				}
				r.fetch(names.get(i));
			}
			if (!missing.isEmpty()) {
				refused[0] = new ModelFormatException(pkg, "the SavedModel has no weight " + missing.get(0) + (missing.size() > 1
					? " (and " + (missing.size() - 1) + " more)" : "") + " of the network rebuilt from the card; it was not"
					+ " trained by this MedCNN with the architecture its card names", (Throwable) null);
				return null;
			}
			float[][] w = new float[names.size()][];
			try (Result res = r.run()) {
				for (int i = 0; i < w.length; i++) {
					w[i] = new float[(int) res.get(i).shape().size()];
					((TFloat32) res.get(i)).copyTo(DataBuffers.of(w[i]));
				}
			}
			return w;
		});
		if (refused[0] != null) throw refused[0];
		return out;
	}
}
