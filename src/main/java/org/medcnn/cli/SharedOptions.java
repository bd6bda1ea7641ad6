package org.medcnn.cli;

import java.util.Arrays;
import org.medcnn.nn.InferenceEngine;
import picocli.CommandLine.Option;

/**
 * Options that several commands share, each declared once as a picocli mixin ({@code @Mixin}). A command that needs
 * its own wording gives it in {@link Main.Command#helpValues()} under the option's {@code descriptionKey}.
 */
final class SharedOptions {

	private SharedOptions() {}

	/** {@code --json}: machine output on stdout. */
	static final class Json {
		@Option(names = "--json", descriptionKey = "json", description = "print the result as JSON")
		boolean json;
	}

	/** {@code --engine tensorflow|onnx}: which runtime runs a model package. */
	static final class Engine {
		@Option(names = "--engine", completionCandidates = Engines.class, descriptionKey = "engine", description =
			"run the package's SavedModel on TensorFlow (default) or its weights/model.onnx on ONNX Runtime; same "
				+ "preprocessing and outputs (threads: -Dmedcnn.threads)")
		String engine = InferenceEngine.TENSORFLOW.key();

		InferenceEngine engine() {
			return InferenceEngine.parse(engine);
		}
	}

	/** The keys of {@link InferenceEngine}. */
	static final class Engines extends Cli.Choices {
		Engines() {
			super(Arrays.stream(InferenceEngine.values()).map(InferenceEngine::key).toList());
		}
	}

	/** {@code --assume-geometry}: measure inputs whose geometry is not recorded. */
	static final class AssumeGeometry {
		@Option(names = "--assume-geometry", description =
			"measure an input whose pixel spacing, slice spacing or position is not recorded (1 mm or the instance "
				+ "order assumed); without it such a case is refused. The warnings go into CASE_lesions.json/.csv and "
				+ "the output JSON")
		boolean assumeGeometry;
	}

	/** {@code --keep DIR} of the benchmarks that generate data. */
	static final class Keep {
		@Option(names = "--keep", paramLabel = "DIR", descriptionKey = "keep", description =
			"keep the data, models and results in DIR (default: a temporary folder, deleted)")
		java.nio.file.Path keep;
	}
}
