package org.medcnn.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Version strings of MedCNN and of the libraries it reports (model cards, rdf.yaml, DICOM SoftwareVersions,
 * {@code medcnn --version}), taken from the build: Maven writes them into {@code versions.properties} beside this
 * class (resource filtering of {@code src/main/resources-filtered}), so the POM is their only source.
 */
public final class Versions {

	/** MedCNN's version, the POM's {@code project.version}, e.g. {@code 0.1.0-SNAPSHOT}. */
	public static final String MEDCNN;
	/** The TensorFlow Java version MedCNN was built against, the POM's {@code tensorflow.version}. */
	public static final String TENSORFLOW_JAVA;

	static {
		Properties p = new Properties();
		try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
			if (in == null) throw new IllegalStateException("versions.properties is missing beside " + Versions.class.getName()
				+ ": the class path holds classes that were not built by Maven");
			p.load(in);
		} catch (IOException e) {
			throw new UncheckedIOException("versions.properties beside " + Versions.class.getName() + " cannot be read", e);
		}
		MEDCNN = value(p, "medcnn");
		TENSORFLOW_JAVA = value(p, "tensorflowJava");
	}

	private Versions() {}

	private static String value(Properties p, String key) {
		String v = p.getProperty(key);
		if (v == null || v.isBlank() || v.contains("${"))
			throw new IllegalStateException("versions.properties: " + key + " = " + v + " was not filled in by the build");
		return v;
	}
}
