package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medcnn.common.ChildJvm;

/**
 * A bad {@code -Dmedcnn.threads} stops a TensorFlow command with one line naming the property, the value and what
 * is allowed, and exit code 1 (no stack trace, no silent fallback to the default), whether the launcher restarts
 * the JVM for TensorFlow (where it reads the property first) or runs the command itself.
 */
class BadPropertyTest {

	@ParameterizedTest
	@ValueSource(booleans = {true, false})
	void aBadThreadCountIsRefusedWithAClearMessage(boolean relaunch) throws Exception {
		Map<String, String> env = new HashMap<>();
		env.put("TF_ENABLE_ONEDNN_OPTS", relaunch ? null : "1");
		env.put("MEDCNN_NO_RELAUNCH", relaunch ? null : "1");
		try (ChildJvm run = ChildJvm.start(List.of("-Xmx256m", "-Dmedcnn.threads=abc"), Main.class.getName(),
			List.of("bench", "train", "--json", "--seconds", "1"), env)) {
			Integer rc = run.await(120);
			String t = run.transcript();
			assertEquals(1, rc, t);
			assertTrue(t.contains("err: medcnn bench: system property medcnn.threads = 'abc' is refused: allowed is a whole "
				+ "number from 1 to 1024"), t);
			assertFalse(t.contains("\tat "), t);
		}
	}
}
