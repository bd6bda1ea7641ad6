package org.medcnn.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads the TensorFlow {@link Engine} ({@code org.medcnn.nn.tf.TfEngine}) in its own child-first class loader, so
 * that other TensorFlow jars on the class path cannot shadow TensorFlow Java 1.x. Fiji installations with the
 * CSBDeep/StarDist update sites carry {@code libtensorflow-1.15.0.jar}, whose {@code org.tensorflow.Graph},
 * {@code Session}, {@code Tensor} … have the same names as ours but other members; loaded plainly, whichever jar
 * comes first wins and the engine fails with an {@link IncompatibleClassChangeError} or a
 * {@link NoSuchMethodError}.
 * <p>
 * The isolated loader's class path is the MedCNN classes (jar or folder) plus the TensorFlow Java 1.x jars
 * ({@code tensorflow-core-api}, {@code tensorflow-core-native} with its platform jars, {@code tensorflow-framework},
 * {@code ndarray}, {@code javacpp}, {@code protobuf-java}). They are found by file name among: the jars on the
 * current class path that hold their Maven marker resources or key classes (this covers manifest
 * {@code Class-Path}s such as those of {@code medcnn.jar} and of Maven's test runner), the folder of the MedCNN
 * jar, its {@code lib/} folder and Fiji's {@code jars/} folder (with one level of subfolders). When one artifact is found
 * in several versions, the highest is taken. Classes of {@code org.tensorflow}, {@code org.bytedeco},
 * {@code com.google.protobuf} and {@code org.medcnn.nn.tf} are loaded from these
 * jars only (never from the parent); everything else — the JDK, the TensorFlow-free API of {@code org.medcnn.nn},
 * {@code org.medcnn.common}, {@code org.medcnn.volume} — comes from the parent, so the objects the engine
 * exchanges (volumes, masks, {@link Segmenter}s, cards …) are the caller's own classes. JavaCPP extracts and
 * loads the native library through the class loader of its own classes, so the natives come from the isolated
 * jars too; the thread's context class loader is not consulted by TensorFlow Java at run time and is left alone.
 * <p>
 * System property {@value #PROPERTY}: {@code auto} (default: isolate only when plain loading would take one of
 * TensorFlow's, JavaCPP's or protobuf's classes from another jar, as with {@code libtensorflow-1.15.0.jar} first on
 * the class path), {@code isolated} (always) or {@code plain} (never). Without a clash the engine is loaded plainly,
 * so that one JVM never holds two copies of TensorFlow Java: the native library is shared, and callbacks it keeps
 * process-wide (custom gradients registered with {@code TensorFlow.registerCustomGradient}) would call into the
 * wrong copy. When the jars cannot be located, the engine is loaded plainly and a warning says why. Either way the logger {@code org.medcnn.nn.EngineLoader} records which loader
 * and which jars are used (level CONFIG; WARNING for the fallback); {@link #description()} returns the same
 * text. Thread-safe.
 *
 * @see <a href="https://github.com/tensorflow/java">TensorFlow Java</a>
 */
public final class EngineLoader {

	/** System property choosing how the engine is loaded: {@code auto} (default), {@code isolated} or {@code plain}. */
	public static final String PROPERTY = "medcnn.tensorflow.loader";
	/** Packages that the isolated loader loads itself, never from its parent. */
	static final List<String> CHILD_FIRST = List.of("org.tensorflow.", "org.bytedeco.", "com.google.protobuf.",
		"org.medcnn.nn.tf.");

	private static final Logger LOG = Logger.getLogger(EngineLoader.class.getName());
	private static final String ENGINE_RESOURCE = "org/medcnn/nn/tf/TfEngine.class";

	/** Artifacts needed, with their file-name patterns (group 1: version, group 2: classifier or null). */
	private static final Map<String, Pattern> ARTIFACTS = artifacts();
	/** Resources whose jars are candidates: Maven markers, and classes for jars without one (protobuf-java). */
	private static final List<String> MARKERS = List.of("META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties",
		"META-INF/maven/org.tensorflow/tensorflow-core-native/pom.properties",
		"META-INF/maven/org.tensorflow/tensorflow-framework/pom.properties", "META-INF/maven/org.tensorflow/ndarray/pom.properties",
		"META-INF/maven/org.bytedeco/javacpp/pom.properties", "com/google/protobuf/Message.class", "org/tensorflow/TensorFlow.class",
		"org/bytedeco/javacpp/Loader.class");

	private static volatile String description = "not loaded yet";

	private EngineLoader() {}

	private static Map<String, Pattern> artifacts() {
		Map<String, Pattern> m = new LinkedHashMap<>();
		m.put("tensorflow-core-api", Pattern.compile("tensorflow-core-api-(1\\.[0-9][\\w.]*?)(?:-([a-z][\\w-]*))?\\.jar"));
		m.put("tensorflow-core-native", Pattern.compile("tensorflow-core-native-(1\\.[0-9][\\w.]*?)(?:-([a-z][\\w-]*))?\\.jar"));
		m.put("tensorflow-framework", Pattern.compile("tensorflow-framework-(1\\.[0-9][\\w.]*?)(?:-([a-z][\\w-]*))?\\.jar"));
		m.put("ndarray", Pattern.compile("ndarray-([0-9][\\w.]*?)(?:-([a-z][\\w-]*))?\\.jar"));
		m.put("javacpp", Pattern.compile("javacpp-([0-9][\\w.]*?)(?:-([a-z][\\w-]*))?\\.jar"));
		m.put("protobuf-java", Pattern.compile("protobuf-java-([0-9][\\w.]*?)(?:-([a-z][\\w-]*))?\\.jar"));
		return Collections.unmodifiableMap(m);
	}

	/** How the engine was loaded: the loader and its jars, or why it was loaded plainly; "not loaded yet" before. */
	public static String description() {
		return description;
	}

	/**
	 * Loads and constructs the engine class (which loads the native library).
	 *
	 * @throws ReflectiveOperationException when the class cannot be found or its constructor fails
	 * @throws LinkageError when the native library or a class cannot be linked
	 */
	static Engine load(String engineClass) throws ReflectiveOperationException {
		ClassLoader parent = EngineLoader.class.getClassLoader();
		String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
		if (!List.of("auto", "isolated", "plain").contains(mode)) {
			LOG.warning(PROPERTY + "=" + mode + " is not 'auto', 'isolated' or 'plain'; using 'auto'");
			mode = "auto";
		}
		ClassLoader loader = parent;
		if (mode.equals("plain")) {
			describe(Level.CONFIG, "TensorFlow engine loaded plainly by " + parent + " (" + PROPERTY + "=plain)");
		} else {
			Isolation iso;
			try {
				iso = isolation(parent);
			} catch (IOException | UncheckedIOException e) {
				iso = new Isolation(null, "the class path could not be read: " + e.getMessage());
			}
			String shadowed = iso.urls() == null ? null : shadowed(parent, iso.urls());
			if (iso.urls() == null) {
				describe(Level.WARNING, "TensorFlow engine loaded plainly by " + parent + ", not in its own class loader: "
					+ iso.problem() + ". Other TensorFlow jars on the class path (e.g. libtensorflow-1.15.0.jar) may then"
					+ " break it; set -D" + PROPERTY + "=plain to silence this warning");
			} else if (mode.equals("auto") && shadowed == null) {
				describe(Level.CONFIG, "TensorFlow engine loaded plainly by " + parent + ": no other TensorFlow, JavaCPP or"
					+ " protobuf classes shadow " + iso.urls().stream().map(EngineLoader::fileName).toList());
			} else {
				loader = new IsolatedLoader(iso.urls(), parent);
				describe(Level.CONFIG, "TensorFlow engine loaded in its own class loader " + loader + " ("
					+ (shadowed != null ? shadowed : PROPERTY + "=isolated") + ") from "
					+ iso.urls().stream().map(EngineLoader::fileName).toList());
			}
		}
		return (Engine) Class.forName(engineClass, true, loader).getConstructor().newInstance();
	}

	/** Classes whose first copy on the parent's class path must come from the isolated jars for plain loading. */
	private static final List<String> PROBES = List.of("org/tensorflow/Graph.class", "org/tensorflow/TensorFlow.class",
		"org/tensorflow/ndarray/NdArray.class", "org/bytedeco/javacpp/Loader.class", "com/google/protobuf/Message.class");

	/**
	 * Why plain loading would pick classes from other jars (e.g. "org/tensorflow/Graph.class comes first from
	 * libtensorflow-1.15.0.jar"), or null when the parent's first copies are all those of {@code urls}.
	 */
	static String shadowed(ClassLoader parent, List<URL> urls) {
		Set<Path> own = new LinkedHashSet<>();
		for (URL u : urls) {
			try {
				own.add(Path.of(u.toURI()));
			} catch (URISyntaxException | IllegalArgumentException e) {
				return u + " is no local file";
			}
		}
		for (String probe : PROBES) {
			URL u = parent.getResource(probe);
			Path root = u == null ? null : root(u, probe);
			if (root == null || !own.contains(root))
				return probe + " comes first from " + (u == null ? "nowhere" : root != null ? root.getFileName() : u);
		}
		return null;
	}

	private static void describe(Level level, String text) {
		description = text;
		LOG.log(level, text);
	}

	/** The isolated class path, or (urls null) why there is none. */
	record Isolation(List<URL> urls, String problem) {}

	/** Finds the MedCNN classes and the TensorFlow Java jars visible from {@code parent}. */
	static Isolation isolation(ClassLoader parent) throws IOException {
		URL engine = parent.getResource(ENGINE_RESOURCE);
		if (engine == null) return new Isolation(null, ENGINE_RESOURCE + " is not on the class path");
		Path medcnn = root(engine, ENGINE_RESOURCE);
		if (medcnn == null) return new Isolation(null, "the MedCNN classes at " + engine + " are not in a local jar or folder");
		Set<Path> candidates = new LinkedHashSet<>();
		for (String marker : MARKERS)
			for (Enumeration<URL> e = parent.getResources(marker); e.hasMoreElements();) {
				Path p = root(e.nextElement(), marker);
				if (p != null) candidates.add(p);
			}
		if (Files.isRegularFile(medcnn)) {
			Path dir = medcnn.toAbsolutePath().getParent();
			addJars(dir, candidates, 0);
			addJars(dir.resolve("lib"), candidates, 0);
			if (dir.getParent() != null) addJars(dir.getParent().resolve("jars"), candidates, 1); // Fiji.app/plugins → jars
		}
		List<URL> urls = new ArrayList<>();
		urls.add(medcnn.toUri().toURL());
		List<String> missing = new ArrayList<>();
		for (Map.Entry<String, Pattern> a : ARTIFACTS.entrySet()) {
			List<Path> chosen = choose(candidates, a.getValue(), a.getKey().equals("tensorflow-core-native"));
			if (chosen.isEmpty()) missing.add(a.getKey());
			for (Path p : chosen) urls.add(p.toUri().toURL());
		}
		if (!missing.isEmpty()) return new Isolation(null, "no jar of " + String.join(", ", missing) + " was found next to "
			+ medcnn + " or on the class path");
		return new Isolation(List.copyOf(urls), null);
	}

	/**
	 * The jars of one artifact: the highest version's main jar and, for natives, also its classifier jars (one per
	 * platform); without natives, the main jar or else the first classifier jar.
	 */
	private static List<Path> choose(Set<Path> candidates, Pattern pattern, boolean withClassifiers) {
		String best = null;
		for (Path p : candidates) {
			Matcher m = pattern.matcher(p.getFileName().toString());
			if (m.matches() && (best == null || compareVersions(m.group(1), best) > 0)) best = m.group(1);
		}
		List<Path> main = new ArrayList<>(), classified = new ArrayList<>();
		Set<String> names = new LinkedHashSet<>();
		for (Path p : candidates) {
			Matcher m = pattern.matcher(p.getFileName().toString());
			if (!m.matches() || !m.group(1).equals(best) || !names.add(p.getFileName().toString())) continue;
			(m.group(2) == null ? main : classified).add(p);
		}
		List<Path> out = new ArrayList<>(main.isEmpty() ? List.of() : List.of(main.get(0)));
		if (withClassifiers) out.addAll(classified);
		else if (out.isEmpty() && !classified.isEmpty()) out.add(classified.get(0));
		return out;
	}

	/** Compares dotted versions numerically part by part ({@code 4.32.0 > 4.9.1 > 3.21.12}). */
	static int compareVersions(String a, String b) {
		String[] x = a.split("[.-]"), y = b.split("[.-]");
		for (int i = 0; i < Math.max(x.length, y.length); i++) {
			String s = i < x.length ? x[i] : "0", t = i < y.length ? y[i] : "0";
			int c = s.matches("\\d{1,9}") && t.matches("\\d{1,9}") ? Integer.compare(Integer.parseInt(s), Integer.parseInt(t))
				: s.compareTo(t);
			if (c != 0) return c;
		}
		return 0;
	}

	/** Adds the jars of a folder, and of its subfolders up to {@code depth} levels down (Fiji's jars/linux64). */
	private static void addJars(Path dir, Set<Path> out, int depth) throws IOException {
		if (!Files.isDirectory(dir)) return;
		try (Stream<Path> s = Files.list(dir)) {
			for (Path p : s.sorted().toList()) {
				if (Files.isDirectory(p) && depth > 0) addJars(p, out, depth - 1);
				else if (p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)) out.add(p);
			}
		}
	}

	/** The jar or folder that holds a resource found at {@code url}, or null when it is not a local file. */
	static Path root(URL url, String resource) {
		try {
			String s = url.toString();
			if (url.getProtocol().equals("jar")) {
				int bang = s.indexOf("!/");
				if (bang < 0) return null;
				URL inner = new URL(s.substring("jar:".length(), bang));
				return inner.getProtocol().equals("file") ? Path.of(inner.toURI()) : null;
			}
			if (url.getProtocol().equals("file") && s.endsWith(resource))
				return Path.of(new URL(s.substring(0, s.length() - resource.length())).toURI());
			return null;
		} catch (IOException | URISyntaxException | IllegalArgumentException e) {
			LOG.log(Level.FINE, "cannot tell where " + url + " lies", e);
			return null;
		}
	}

	private static String fileName(URL u) {
		String s = u.getPath();
		if (s.endsWith("/")) return s;
		return s.substring(s.lastIndexOf('/') + 1);
	}

	/** Whether a class or resource name belongs to the packages loaded child-first (names with '.' or '/'). */
	static boolean childFirst(String name) {
		String n = name.replace('/', '.');
		for (String p : CHILD_FIRST)
			if (n.startsWith(p)) return true;
		return false;
	}

	/**
	 * Loads {@link #CHILD_FIRST} packages from its own jars only and delegates everything else to the parent, so
	 * the API types stay shared. Classes and resources of those packages are never looked up in the parent: a
	 * missing one fails loudly instead of mixing in another TensorFlow version.
	 */
	static final class IsolatedLoader extends URLClassLoader {
		static {
			registerAsParallelCapable();
		}

		IsolatedLoader(List<URL> urls, ClassLoader parent) {
			super("medcnn-tensorflow", urls.toArray(URL[]::new), parent);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (!childFirst(name)) return super.loadClass(name, resolve);
			synchronized (getClassLoadingLock(name)) {
				Class<?> c = findLoadedClass(name);
				if (c == null) c = findClass(name);
				if (resolve) resolveClass(c);
				return c;
			}
		}

		@Override
		public URL getResource(String name) {
			return childFirst(name) ? findResource(name) : super.getResource(name);
		}

		@Override
		public Enumeration<URL> getResources(String name) throws IOException {
			return childFirst(name) ? findResources(name) : super.getResources(name);
		}

		@Override
		public String toString() {
			return getName() + "@" + Integer.toHexString(hashCode());
		}
	}
}
