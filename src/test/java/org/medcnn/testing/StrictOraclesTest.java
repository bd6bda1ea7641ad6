package org.medcnn.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Strict mode turns a missing oracle into a failure, and only then (issue 12 item 9). */
class StrictOraclesTest {

	private final String before = System.getProperty(StrictOracles.PROPERTY);

	@AfterEach
	void restore() {
		if (before == null) System.clearProperty(StrictOracles.PROPERTY);
		else System.setProperty(StrictOracles.PROPERTY, before);
	}

	@Test
	void aSkippedOracleFailsInStrictMode() {
		System.setProperty(StrictOracles.PROPERTY, "true");
		TestAbortedException skip = new TestAbortedException("Assumption failed: dciodvfy (dicom3tools) is not installed");
		Throwable judged = StrictOracles.judged(skip, "validatesWithDciodvfy()");
		assertInstanceOf(AssertionFailedError.class, judged);
		assertTrue(judged.getMessage().contains("validatesWithDciodvfy()") && judged.getMessage().contains("dciodvfy"),
			judged.getMessage());
		assertSame(skip, judged.getCause());
	}

	@Test
	void withoutStrictModeItStaysASkip() {
		System.setProperty(StrictOracles.PROPERTY, "false");
		TestAbortedException skip = new TestAbortedException("shared corpus not present");
		assertSame(skip, StrictOracles.judged(skip, "x"));
	}

	@Test
	void otherFailuresAreLeftAlone() {
		System.setProperty(StrictOracles.PROPERTY, "true");
		IllegalStateException e = new IllegalStateException("a real error");
		assertSame(e, StrictOracles.judged(e, "x"));
	}

	/** The build passes the property through: under bin/test this JVM is strict (what CI relies on). */
	@Test
	void theBuildSetsTheProperty() {
		assertTrue(before != null, "surefire passes -D" + StrictOracles.PROPERTY + " to the tests (pom.xml)");
	}
}
