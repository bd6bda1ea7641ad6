package org.medcnn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Holds the layering of STYLE.md and DESIGN.md ("dicom → volume → nn (TensorFlow only here) → ij and cli") by
 * scanning the sources under {@code src/main/java} for references to forbidden packages, in imports and in
 * fully qualified names (comments and string literals are ignored).
 * <ul>
 * <li>{@code common} is JDK only: no other MedCNN package, no ImageJ, SciJava or TensorFlow.</li>
 * <li>{@code dicom} and {@code volume}: no {@code nn}, {@code ij}, {@code cli}, no ImageJ/SciJava, no
 * TensorFlow.</li>
 * <li>{@code data} (data layouts): no {@code nn}, {@code pipeline}, {@code ij}, {@code cli}, no ImageJ, SciJava or
 * TensorFlow.</li>
 * <li>{@code nn}: no {@code ij}, {@code cli}, {@code pipeline}, no ImageJ/SciJava; the only package that may use
 * TensorFlow.</li>
 * <li>{@code pipeline} (what every front end shares): no {@code ij}, {@code cli}, {@code nn.tf}, no ImageJ, SciJava or
 * TensorFlow.</li>
 * <li>{@code ij} and {@code cli}: no TensorFlow, and not {@code nn.tf} (the TensorFlow-backed implementation that
 * is loaded behind the TF-free API); they do not use each other.</li>
 * <li>{@code spark} (the Spark job, a front end): no TensorFlow, {@code nn.tf}, {@code ij}, {@code cli}, ImageJ or SciJava;
 * no other package uses Spark or Scala (a provided dependency, absent in Fiji).</li>
 * <li>{@code cli} uses no ImageJ user-interface classes ({@code ij.gui}, {@code ij.plugin}, {@code ij.ImageJ},
 * {@code ij.WindowManager}, {@code ij.text}).</li>
 * </ul>
 */
class LayeringTest {

	private static final Path MAIN = Path.of("src", "main", "java", "org", "medcnn");
	private static final String IMAGEJ = "ij.";
	private static final String SCIJAVA = "org.scijava.";
	private static final String TENSORFLOW = "org.tensorflow.";
	private static final String[] IJ_UI = {"ij.gui.", "ij.plugin.", "ij.ImageJ", "ij.WindowManager", "ij.text."};

	/** A qualified name: a Java identifier followed by at least one ".identifier". */
	private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])([a-z][\\w]*(?:\\.[A-Za-z_][\\w]*)+)");

	@Test
	void commonIsJdkOnly() throws IOException {
		assertNoReferences("common", "org.medcnn.dicom.", "org.medcnn.volume.", "org.medcnn.nn.", "org.medcnn.ij.",
			"org.medcnn.cli.", IMAGEJ, SCIJAVA, TENSORFLOW);
	}

	@Test
	void dicomAndVolumeKnowNoModelsAndNoUserInterface() throws IOException {
		for (String pkg : new String[] {"dicom", "volume"})
			assertNoReferences(pkg, "org.medcnn.nn.", "org.medcnn.ij.", "org.medcnn.cli.", IMAGEJ, SCIJAVA, TENSORFLOW);
	}

	@Test
	void dataKnowsNoModelsAndNoUserInterface() throws IOException {
		assertNoReferences("data", "org.medcnn.nn.", "org.medcnn.pipeline.", "org.medcnn.ij.", "org.medcnn.cli.", IMAGEJ,
			SCIJAVA, TENSORFLOW);
	}

	@Test
	void pipelineIsSharedByTheFrontEndsAndKnowsNoneOfThem() throws IOException {
		// the per-case inference and the training requests every front end uses: no ImageJ, CLI or TensorFlow
		assertNoReferences("pipeline", "org.medcnn.ij.", "org.medcnn.cli.", "org.medcnn.nn.tf.", IMAGEJ, SCIJAVA, TENSORFLOW);
	}

	@Test
	void nnKnowsNoUserInterface() throws IOException {
		assertNoReferences("nn", "org.medcnn.ij.", "org.medcnn.cli.", "org.medcnn.pipeline.", IMAGEJ, SCIJAVA);
	}

	@Test
	void engineApiIsFreeOfTensorFlow() throws IOException {
		// Only org.medcnn.nn.tf touches TensorFlow, so that it can live in its own class loader.
		assertNoReferences("nn", 1, TENSORFLOW, "org.medcnn.nn.tf.");
	}

	@Test
	void imagejLayerNeverSeesTensorFlow() throws IOException {
		assertNoReferences("ij", TENSORFLOW, "org.medcnn.nn.tf.", "org.medcnn.cli.");
	}

	@Test
	void cliNeverSeesTensorFlowOrImageJUserInterface() throws IOException {
		List<String> forbidden = new ArrayList<>(List.of(TENSORFLOW, "org.medcnn.nn.tf.", "org.medcnn.ij."));
		forbidden.addAll(List.of(IJ_UI));
		assertNoReferences("cli", forbidden.toArray(String[]::new));
	}

	@Test
	void sparkJobIsAFrontEndWithoutTensorFlowOrImageJ() throws IOException {
		// the Spark job runs the shared pipeline; TensorFlow stays behind the engine's class loader
		assertNoReferences("spark", TENSORFLOW, "org.medcnn.nn.tf.", "org.medcnn.ij.", "org.medcnn.cli.", IMAGEJ, SCIJAVA);
	}

	@Test
	void onlyTheSparkJobUsesSpark() throws IOException {
		// Spark is a provided dependency: the plugin jar's other classes must load in a Fiji without it
		for (String pkg : new String[] {"common", "dicom", "volume", "data", "nn", "pipeline", "ij", "cli"})
			assertNoReferences(pkg, "org.apache.spark.", "scala.", "org.apache.parquet.", "org.apache.hadoop.");
	}

	@Test
	void scannerSeesThroughCommentsAndFindsQualifiedNames() {
		String code = "import java.util.List; // org.tensorflow.Graph in a comment\n"
			+ "/* org.tensorflow.Session */ class A { String s = \"org.tensorflow.Tensor\"; "
			+ "org.tensorflow.Graph g; ij.gui.Roi r; }";
		List<String> refs = references(code);
		assertTrue(refs.contains("org.tensorflow.Graph"), refs.toString());
		assertTrue(refs.contains("ij.gui.Roi"), refs.toString());
		assertTrue(refs.contains("java.util.List"), refs.toString());
		assertFalse(refs.stream().anyMatch(r -> r.startsWith("org.tensorflow.Session")), refs.toString());
		assertFalse(refs.stream().anyMatch(r -> r.startsWith("org.tensorflow.Tensor")), refs.toString());
	}

	private static void assertNoReferences(String pkg, String... forbidden) throws IOException {
		assertNoReferences(pkg, Integer.MAX_VALUE, forbidden);
	}

	/** @param depth 1 = the package's own files only, without its sub-packages */
	private static void assertNoReferences(String pkg, int depth, String... forbidden) throws IOException {
		Path dir = MAIN.resolve(pkg);
		if (!Files.isDirectory(dir)) return; // a layer not written yet has nothing to break
		List<String> violations = new ArrayList<>();
		try (Stream<Path> files = Files.walk(dir, depth)) {
			for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")).sorted()::iterator) {
				for (String ref : references(Files.readString(f, StandardCharsets.UTF_8)))
					for (String bad : forbidden)
						if (ref.startsWith(bad) || ref.equals(bad.endsWith(".") ? bad.substring(0, bad.length() - 1) : bad))
							violations.add(MAIN.relativize(f) + " uses " + ref);
			}
		}
		assertTrue(violations.isEmpty(), "Layering violations in " + pkg + ":\n" + String.join("\n", violations));
	}

	/** Qualified names in Java source with comments, string and character literals removed. */
	static List<String> references(String source) {
		String code = stripCommentsAndLiterals(source);
		List<String> refs = new ArrayList<>();
		Matcher m = QUALIFIED.matcher(code);
		while (m.find()) refs.add(m.group(1));
		return refs;
	}

	private static String stripCommentsAndLiterals(String s) {
		StringBuilder out = new StringBuilder(s.length());
		int i = 0, n = s.length();
		while (i < n) {
			char c = s.charAt(i);
			if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
				while (i < n && s.charAt(i) != '\n') i++;
			} else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
				int end = s.indexOf("*/", i + 2);
				i = end < 0 ? n : end + 2;
				out.append(' ');
			} else if (s.startsWith("\"\"\"", i)) {
				int end = s.indexOf("\"\"\"", i + 3);
				i = end < 0 ? n : end + 3;
				out.append("\"\"");
			} else if (c == '"' || c == '\'') {
				i++;
				while (i < n && s.charAt(i) != c) i += s.charAt(i) == '\\' ? 2 : 1;
				i++;
				out.append(c).append(c);
			} else {
				out.append(c);
				i++;
			}
		}
		return out.toString();
	}
}
