package org.medcnn.nn;

/**
 * The result of classifying one image.
 *
 * @param classIndex index of the most probable class
 * @param className its name from the model card
 * @param probabilities softmax probability per class, in the card's class order
 */
public record Classification(int classIndex, String className, float[] probabilities) {

	public Classification {
		probabilities = probabilities.clone();
	}

	@Override
	public float[] probabilities() {
		return probabilities.clone();
	}

	/** Probability of the predicted class. */
	public float confidence() {
		return probabilities[classIndex];
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Classification c && classIndex == c.classIndex && className.equals(c.className)
			&& java.util.Arrays.equals(probabilities, c.probabilities);
	}

	@Override
	public int hashCode() {
		return classIndex * 31 + java.util.Arrays.hashCode(probabilities);
	}

	@Override
	public String toString() {
		return "Classification[" + className + " (" + classIndex + "), p=" + java.util.Arrays.toString(probabilities) + "]";
	}
}
