package org.medcnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.testing.ChildProcesses;
import org.medcnn.volume.Mask;
import org.medcnn.volume.Volume;

/**
 * The TensorFlow engine runs although an old TensorFlow ({@code org.tensorflow:libtensorflow:1.15.0}, as the
 * CSBDeep/StarDist Fiji update sites install it) comes first on the class path. The test builds a class loader
 * with {@code libtensorflow-1.15.0.jar} first and then this test's class path, as a Fiji with those update sites
 * has, and runs {@link Driver} (training and prediction through the public API) in a JVM with that class path. It is skipped when the
 * jar is absent: property {@value #JAR_PROPERTY}, else the local Maven repository.
 */
class EngineIsolationTest {

	/** System property naming {@code libtensorflow-1.15.0.jar}. */
	static final String JAR_PROPERTY = "medcnn.test.libtensorflow115";

	@TempDir
	Path dir;

	@Test
	void trainsAndPredictsWithTensorFlow115FirstOnTheClassPath() throws Exception {
		try (URLClassLoader fiji = fijiLikeLoader()) {
			Class<?> graph = Class.forName("org.tensorflow.Graph", false, fiji);
			assertEquals(libtensorflow115(), Path.of(graph.getProtectionDomain().getCodeSource().getLocation().toURI()),
				"without isolation org.tensorflow.Graph is the 1.15 class, so the test is meaningful");
			EngineLoader.Isolation iso = EngineLoader.isolation(fiji);
			assertTrue(iso.urls() != null, iso.problem());
			String why = EngineLoader.shadowed(fiji, iso.urls());
			assertTrue(why != null && why.contains("libtensorflow-1.15.0.jar"), why);

			// A JVM of its own, with that class path as its system class path (as Fiji's launcher sets it): one JVM
			// must not hold two copies of TensorFlow Java (the native library keeps process-wide callbacks).
			List<String> cp = new ArrayList<>();
			for (URL u : fiji.getURLs()) cp.add(Path.of(u.toURI()).toString());
			Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
			ChildProcesses.Finished driver = ChildProcesses.run(List.of(javaBin.toString(), "-Xmx1g", "-cp",
				String.join(File.pathSeparator, cp), Driver.class.getName(), dir.toString()), Duration.ofSeconds(120));
			String output = driver.text();
			assertEquals(0, driver.exitCode(), output);
			String report = output.lines().filter(l -> l.startsWith(Driver.REPORT)).findFirst().orElse(output);
			assertTrue(report.contains("TensorFlow Java 1.1.0"), report);
			assertTrue(report.contains("own class loader") && report.contains("tensorflow-core-api-1.1.0.jar"), report);
			assertTrue(report.contains("engine Graph from tensorflow-core-api"), report);
		}
	}

	@Test
	void withoutAClashTheEngineIsLoadedPlainly() throws IOException {
		ClassLoader parent = EngineIsolationTest.class.getClassLoader();
		EngineLoader.Isolation iso = EngineLoader.isolation(parent);
		assertTrue(iso.urls() != null, iso.problem());
		assertEquals(null, EngineLoader.shadowed(parent, iso.urls()));
	}

	@Test
	void plainLoadingPicksTheOldClassesAndFails() throws Exception {
		String before = System.getProperty(EngineLoader.PROPERTY);
		System.setProperty(EngineLoader.PROPERTY, "plain");
		try (URLClassLoader fiji = fijiLikeLoader()) {
			Class<?> driver = Class.forName(Driver.class.getName(), true, fiji);
			InvocationTargetException e = assertThrows(InvocationTargetException.class,
				() -> driver.getMethod("version").invoke(null));
			assertTrue(e.getCause() instanceof IOException, e.getCause().toString());
			assertTrue(e.getCause().getMessage().contains("TensorFlow"), e.getCause().getMessage());
		} finally {
			if (before == null) System.clearProperty(EngineLoader.PROPERTY);
			else System.setProperty(EngineLoader.PROPERTY, before);
		}
	}

	@Test
	void isolatedLoaderSharesTheApiAndLoadsTensorFlowItself() throws Exception {
		ClassLoader parent = EngineIsolationTest.class.getClassLoader();
		EngineLoader.Isolation iso = EngineLoader.isolation(parent);
		assertTrue(iso.urls() != null, "jars found: " + iso.problem());
		try (EngineLoader.IsolatedLoader l = new EngineLoader.IsolatedLoader(iso.urls(), parent)) {
			assertSame(Engine.class, l.loadClass(Engine.class.getName()));
			assertSame(Volume.class, l.loadClass(Volume.class.getName()));
			assertSame(String.class, l.loadClass("java.lang.String"));
			Class<?> graph = l.loadClass("org.tensorflow.Graph");
			assertSame(l, graph.getClassLoader());
			assertNotSame(Class.forName("org.tensorflow.Graph", false, parent), graph);
			assertSame(l, l.loadClass("org.medcnn.nn.tf.TfEngine").getClassLoader());
			assertThrows(ClassNotFoundException.class, () -> l.loadClass("org.tensorflow.NoSuchClass"));
			URL natives = l.getResource("org/bytedeco/javacpp/Loader.class");
			assertTrue(natives != null && natives.toString().contains("javacpp"), String.valueOf(natives));
		}
	}

	@Test
	void versionsCompareNumerically() {
		assertTrue(EngineLoader.compareVersions("4.32.0", "4.9.1") > 0);
		assertTrue(EngineLoader.compareVersions("3.21.12", "4.0.0") < 0);
		assertEquals(0, EngineLoader.compareVersions("1.1", "1.1.0"));
		assertTrue(EngineLoader.childFirst("org/tensorflow/internal/c_api/linux-x86_64/libjnitensorflow.so"));
		assertTrue(EngineLoader.childFirst("org.medcnn.nn.tf.TfEngine"));
		assertTrue(!EngineLoader.childFirst("org.medcnn.nn.Engine") && !EngineLoader.childFirst("org.tensorflowx.A"));
	}

	@Test
	void jarsAreFoundNextToAJarInAFijiLayout() throws IOException {
		Path plugins = Files.createDirectories(dir.resolve("Fiji.app/plugins"));
		Path jars = Files.createDirectories(dir.resolve("Fiji.app/jars/linux64"));
		Path medcnn = plugins.resolve("MedCNN_-0.1.0.jar");
		try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(medcnn))) {
			out.putNextEntry(new java.util.zip.ZipEntry("org/medcnn/nn/tf/TfEngine.class"));
			out.write(new byte[] {1});
		}
		for (String name : List.of("tensorflow-core-api-1.1.0.jar", "tensorflow-core-native-1.1.0.jar",
			"linux64/tensorflow-core-native-1.1.0-linux-x86_64.jar", "tensorflow-framework-1.1.0.jar", "ndarray-1.0.0.jar",
			"javacpp-1.5.10.jar", "javacpp-1.5.9.jar", "protobuf-java-3.21.12.jar", "protobuf-java-4.32.0.jar",
			"libtensorflow-1.15.0.jar"))
			Files.write(dir.resolve("Fiji.app/jars").resolve(name), new byte[0]);
		try (URLClassLoader l = new URLClassLoader(new URL[] {medcnn.toUri().toURL()}, null)) {
			EngineLoader.Isolation iso = EngineLoader.isolation(l);
			assertTrue(iso.urls() != null, iso.problem());
			List<String> names = iso.urls().stream().map(u -> Path.of(u.getPath()).getFileName().toString()).toList();
			assertEquals(List.of("MedCNN_-0.1.0.jar", "tensorflow-core-api-1.1.0.jar", "tensorflow-core-native-1.1.0.jar",
				"tensorflow-core-native-1.1.0-linux-x86_64.jar", "tensorflow-framework-1.1.0.jar", "ndarray-1.0.0.jar",
				"javacpp-1.5.10.jar", "protobuf-java-4.32.0.jar"), names);
			assertTrue(jars.toFile().isDirectory());
		}
		Files.delete(dir.resolve("Fiji.app/jars/ndarray-1.0.0.jar"));
		try (URLClassLoader l = new URLClassLoader(new URL[] {medcnn.toUri().toURL()}, null)) {
			EngineLoader.Isolation iso = EngineLoader.isolation(l);
			assertEquals(null, iso.urls());
			assertTrue(iso.problem().contains("ndarray"), iso.problem());
		}
	}

	/** {@code libtensorflow-1.15.0.jar}; the test is skipped without it. */
	static Path libtensorflow115() {
		String p = System.getProperty(JAR_PROPERTY);
		Path jar = p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "tensorflow",
			"libtensorflow", "1.15.0", "libtensorflow-1.15.0.jar");
		assumeTrue(Files.isRegularFile(jar), "no " + jar + " (org.tensorflow:libtensorflow:1.15.0): isolation not tested");
		return jar.toAbsolutePath();
	}

	/**
	 * A loader like Fiji's with the CSBDeep update site: {@code libtensorflow-1.15.0.jar} first, then this test's
	 * class path (the URLs of its class loaders, else {@code java.class.path}); only the JDK comes from outside.
	 */
	static URLClassLoader fijiLikeLoader() throws IOException {
		Set<URL> urls = new LinkedHashSet<>();
		urls.add(libtensorflow115().toUri().toURL());
		for (ClassLoader l = EngineIsolationTest.class.getClassLoader(); l != null; l = l.getParent())
			if (l instanceof URLClassLoader u) urls.addAll(List.of(u.getURLs()));
		for (String e : System.getProperty("java.class.path").split(File.pathSeparator))
			if (!e.isBlank()) urls.add(Path.of(e).toAbsolutePath().toUri().toURL());
		return new URLClassLoader("fiji-like", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
	}

	/** Runs inside the Fiji-like loader: only MedCNN's public API, as a plugin would use it. */
	public static final class Driver {

		/** Start of the line that {@link #main} prints. */
		static final String REPORT = "REPORT ";

		private Driver() {}

		/** Runs {@link #run(Path)} in the folder {@code args[0]} and prints its report. */
		public static void main(String[] args) throws IOException {
			System.out.println(REPORT + run(Path.of(args[0])));
		}

		/** The runtime version (loads the engine). */
		public static String version() throws IOException {
			return Models.runtimeVersion();
		}

		/** Trains a tiny U-Net for 2 epochs, reopens it and segments a case; returns what was used. */
		public static String run(Path dir) throws IOException {
			List<Mask> masks = new ArrayList<>();
			List<Volume> images = Synthetic.discCases(2, 16, 2, 7, masks);
			TrainingConfig tc = new TrainingConfig(2, 2, 1e-2, "adam", "dice-ce", "relu", 3, 0);
			Path pkg = Training.trainSegmenter(images, masks, new SegmenterConfig(2, 4, 40, 400, tc), null, null,
				dir.resolve("seg"));
			try (Segmenter s = Models.openSegmenter(pkg)) {
				Segmentation seg = s.segment(images.get(0), null, null);
				if (!seg.mask().geometry().equals(images.get(0).geometry())) throw new IllegalStateException("wrong grid");
			}
			try (Classifier c = Models.openClassifier(trainClassifier(dir))) {
				if (c.classify(Synthetic.shape(16, 0, new Random(1))).probabilities().length != 2)
					throw new IllegalStateException("two classes expected");
			}
			Class<?> graph;
			try {
				graph = Class.forName("org.tensorflow.Graph", false, Models.engine().getClass().getClassLoader());
			} catch (ClassNotFoundException e) {
				throw new IllegalStateException("the engine's loader has no org.tensorflow.Graph", e);
			}
			return Models.runtimeVersion() + " on " + Models.device() + "; " + EngineLoader.description() + "; engine Graph from "
				+ Path.of(graph.getProtectionDomain().getCodeSource().getLocation().getPath()).getFileName();
		}

		private static Path trainClassifier(Path dir) throws IOException {
			Random rng = new Random(3);
			List<Volume> items = new ArrayList<>();
			int[] labels = new int[8];
			for (int i = 0; i < labels.length; i++) {
				labels[i] = i % 2;
				items.add(Synthetic.shape(16, labels[i], rng));
			}
			ClassifierConfig cfg = new ClassifierConfig("cnn", 16, new int[] {4}, 8, "max", 40, 400,
				new TrainingConfig(2, 4, 1e-2, "adam", "cross-entropy", "relu", 3, 0));
			return Training.trainClassifier(items, labels, List.of("disc", "square"), cfg, null, null, dir.resolve("cls"));
		}
	}
}
