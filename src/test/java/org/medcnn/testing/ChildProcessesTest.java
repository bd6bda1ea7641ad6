package org.medcnn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * {@link ChildProcesses}: its time limit fires and kills the whole process tree, a child with much output never
 * blocks, and a finished child's exit code and output come back.
 */
class ChildProcessesTest {

	@Test
	void aChildPastItsLimitFailsTheTestAndDies() throws Exception {
		long start = System.nanoTime();
		AssertionFailedError e = assertThrows(AssertionFailedError.class,
			() -> ChildProcesses.run(List.of("sleep", "30"), Duration.ofSeconds(1)));
		double took = (System.nanoTime() - start) / 1e9;
		assertTrue(took < 10, "failed after " + took + " s");
		assertTrue(e.getMessage().startsWith("'sleep 30' did not finish within 1 s; it was killed"), e.getMessage());
	}

	@Test
	void theProcessesAChildStartedAreKilledWithIt() throws Exception {
		// sh starts a background sleep, says both process ids, then sleeps itself
		AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ChildProcesses.run(
			List.of("sh", "-c", "sleep 30 & echo \"child $!\"; echo \"self $$\"; sleep 30"), Duration.ofSeconds(2)));
		String m = e.getMessage();
		assertTrue(m.contains("did not finish within 2 s; it was killed with the 2 processes it had started"), m);
		long self = pid(m, "self"), child = pid(m, "child");
		assertTrue(dead(self, 5), "the shell " + self + " is dead\n" + m);
		assertTrue(dead(child, 5), "its background sleep " + child + " is dead\n" + m);
	}

	@Test
	void muchOutputDoesNotBlockTheChild() throws Exception {
		// 3 MB, far beyond a pipe's buffer (64 KiB on Linux), which would stall a child whose output nobody reads
		ChildProcesses.Finished f = ChildProcesses.run(List.of("sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x"),
			Duration.ofSeconds(30));
		assertEquals(0, f.exitCode());
		assertEquals(3_000_000, f.output().length);
		assertEquals('x', f.output()[2_999_999]);
	}

	@Test
	void aFinishedChildGivesItsExitCodeAndBothStreams() throws Exception {
		ChildProcesses.Finished f = ChildProcesses.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
			Duration.ofSeconds(30));
		assertEquals(3, f.exitCode());
		assertEquals("out\nerr\n", f.text());
	}

	@Test
	void theTailOfALongOutputIsQuoted() {
		AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> ChildProcesses.run(
			List.of("sh", "-c", "seq 1 100000; echo LAST; sleep 30"), Duration.ofSeconds(2)));
		String m = e.getMessage();
		// (after LAST, the shell may still report its killed sleep)
		assertTrue(m.contains("\n99999\n100000\nLAST\n"), m);
		assertFalse(m.contains("\n5000\n"), "only the tail");
		assertTrue(m.length() < ChildProcesses.TAIL_CHARS + 200, "only the tail");
	}

	@Test
	void aMissingProgramIsAnIOException() {
		assertThrows(IOException.class, () -> ChildProcesses.run(List.of("/nonexistent/medcnn-tool"), Duration.ofSeconds(5)));
	}

	private static long pid(String message, String name) {
		Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(message);
		assertTrue(m.find(), name + " pid in\n" + message);
		return Long.parseLong(m.group(1));
	}

	/** Whether the process has ended (gone, or a zombie waiting for whoever inherited it) within {@code seconds}. */
	private static boolean dead(long pid, double seconds) throws Exception {
		long end = System.nanoTime() + (long) (seconds * 1e9);
		do {
			if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) return true;
			Path stat = Path.of("/proc", Long.toString(pid), "stat");
			try {
				String s = Files.readString(stat);
				if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) return true;
			} catch (IOException gone) {
				return true;
			}
			Thread.sleep(50);
		} while (System.nanoTime() < end);
		return false;
	}

	@Test
	void aRunningProcessIsNotSeenAsDead() throws Exception {
		Process p = new ProcessBuilder("sleep", "30").start();
		try {
			assertFalse(dead(p.pid(), 0.5), "a running sleep");
		} finally {
			ChildProcesses.destroyTree(p.toHandle());
		}
		assertTrue(dead(p.pid(), 5));
	}
}
