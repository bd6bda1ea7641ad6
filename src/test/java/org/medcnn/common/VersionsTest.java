package org.medcnn.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The version strings come from the POM, not from literals in the code. */
class VersionsTest {

	@Test
	void versionsAreThoseOfThePom() throws IOException {
		String pom = Files.readString(Path.of("pom.xml"));
		// The project's own version: the first <version> after </parent> (or after the artifactId when there is no parent).
		int from = Math.max(pom.indexOf("</parent>"), 0);
		Matcher v = Pattern.compile("<version>([^<]+)</version>").matcher(pom);
		assertEquals(true, v.find(from), "pom.xml has no <version>");
		assertEquals(v.group(1), Versions.MEDCNN);
		Matcher tf = Pattern.compile("<tensorflow.version>([^<]+)</tensorflow.version>").matcher(pom);
		assertEquals(true, tf.find(), "pom.xml has no <tensorflow.version>");
		assertEquals(tf.group(1), Versions.TENSORFLOW_JAVA);
	}
}
