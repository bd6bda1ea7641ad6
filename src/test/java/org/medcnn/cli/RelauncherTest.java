package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medcnn.common.ChildJvm;

/**
 * Issue 15 items 11 and 12 with real processes: a relaunched child dies with its launcher (SIGKILL, which no hook
 * of the launcher sees, and SIGTERM, which the launcher forwards), and arguments that the locale's encoding cannot
 * carry (LANG=C and a path with "é") are recovered by a relaunch with a UTF-8 locale, or refused with a message
 * that says how to fix it. Every child process is bounded in time and killed by {@link ChildJvm#close}.
 */
class RelauncherTest {

	@TempDir
	Path tmp;

	/** Environment for a launcher: relaunching allowed (surefire sets TF_ENABLE_ONEDNN_OPTS, which would stop it). */
	private static Map<String, String> launcherEnv() {
		Map<String, String> env = new HashMap<>();
		env.put("TF_ENABLE_ONEDNN_OPTS", null);
		env.put("MEDCNN_NO_RELAUNCH", null);
		return env;
	}

	/** The launcher's child JVM, once it is there (within {@code seconds}). */
	private static ProcessHandle child(ChildJvm launcher, double seconds) throws InterruptedException {
		long end = System.nanoTime() + (long) (seconds * 1e9);
		while (System.nanoTime() < end) {
			Optional<ProcessHandle> c = launcher.process().children().findFirst();
			if (c.isPresent()) return c.get();
			Thread.sleep(50);
		}
		return null;
	}

	private static boolean endsWithin(ProcessHandle p, double seconds) throws InterruptedException {
		long end = System.nanoTime() + (long) (seconds * 1e9);
		while (System.nanoTime() < end) {
			if (!p.isAlive()) return true;
			Thread.sleep(50);
		}
		return false;
	}

	@Test
	void testChildEndsWhenItsLauncherIsKilled() throws Exception {
		try (ChildJvm launcher = ChildJvm.start(List.of("-Xmx64m"), Launcher.class.getName(), List.of(), launcherEnv())) {
			String pid = launcher.awaitLine("out: CHILD ", 30);
			assertNotNull(pid, launcher.transcript());
			ProcessHandle child = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
			launcher.process().destroyForcibly(); // SIGKILL: the launcher runs no code at all
			try {
				assertTrue(endsWithin(child, 5), "the child outlived its SIGKILLed launcher\n" + launcher.transcript());
			} finally {
				child.destroyForcibly();
			}
		}
	}

	/**
	 * Once its launcher is SIGKILLed, the child's outputs are refused on its way out (issue 15 item 11): before, the
	 * child's shutdown (which cancels training) still wrote the epoch's package and checkpoint.
	 */
	@Test
	void testChildWritesNothingOnceItsLauncherIsKilled() throws Exception {
		try (ChildJvm launcher = ChildJvm.start(List.of("-Xmx64m"), GateLauncher.class.getName(), List.of(), launcherEnv())) {
			String pid = launcher.awaitLine("out: CHILD ", 30);
			assertNotNull(pid, launcher.transcript());
			ProcessHandle child = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
			assertEquals("open", launcher.awaitLine("out: GATE WHILE RUNNING ", 10), launcher.transcript());
			launcher.process().destroyForcibly();
			try {
				String gate = launcher.awaitLine("out: GATE ON EXIT ", 10);
				assertNotNull(gate, launcher.transcript());
				assertTrue(gate.startsWith("closed") && gate.contains("(pid " + launcher.process().pid() + ") has ended"), gate);
			} finally {
				child.destroyForcibly();
			}
		}
	}

	/** A launcher that relaunches {@link GateChild}. */
	public static final class GateLauncher {
		public static void main(String[] args) {
			System.exit(Relauncher.relaunch(args, false, false, GateChild.class.getName()));
		}
	}

	/** A child that watches its launcher and, on its way out, asks whether it may still write an output. */
	public static final class GateChild {
		public static void main(String[] args) throws Exception {
			Relauncher.watchLauncher(System.err);
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				System.out.println("GATE ON EXIT " + gate());
				System.out.flush();
			}));
			System.out.println("CHILD " + ProcessHandle.current().pid());
			System.out.println("GATE WHILE RUNNING " + gate());
			System.out.flush();
			Thread.sleep(120_000);
		}

		private static String gate() {
			try {
				org.medcnn.common.OutputGate.check(Path.of("model"));
				return "open";
			} catch (java.io.IOException e) {
				return "closed: " + e.getMessage();
			}
		}
	}

	@Test
	void testLauncherForwardsSigterm() throws Exception {
		try (ChildJvm launcher = ChildJvm.start(List.of("-Xmx64m"), Launcher.class.getName(), List.of(), launcherEnv())) {
			String pid = launcher.awaitLine("out: CHILD ", 30);
			assertNotNull(pid, launcher.transcript());
			ProcessHandle child = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
			launcher.process().destroy(); // SIGTERM to the launcher only, not its process group
			try {
				assertTrue(endsWithin(child, 10), "the child outlived its SIGTERMed launcher\n" + launcher.transcript());
				assertNotNull(launcher.await(10), "the launcher did not end");
				assertTrue(launcher.transcript().contains("CHILD STOPPING"), launcher.transcript());
			} finally {
				child.destroyForcibly();
			}
		}
	}

	@Test
	void testTrainingChildStopsWhenTheCliIsKilled() throws Exception {
		// The reproduction of issue 15 item 11: java -jar medcnn.jar train-segmenter …, launcher SIGKILLed while
		// the relaunched JVM trains.
		Path images = Files.createDirectories(tmp.resolve("images"));
		Path masks = Files.createDirectories(tmp.resolve("masks"));
		Path samples = Path.of("sample-dicom", "phantom", "train");
		for (String c : List.of("case01", "case02")) {
			Path to = Files.createDirectories(images.resolve(c));
			try (var s = Files.list(samples.resolve("images").resolve(c))) {
				for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()));
			}
			Files.copy(samples.resolve("masks").resolve(c + ".nii.gz"), masks.resolve(c + ".nii.gz"));
		}
		Path out = tmp.resolve("model");
		try (ChildJvm launcher = ChildJvm.start(List.of("-Xmx512m", "-Dmedcnn.threads=1"), Main.class.getName(),
			List.of("train-segmenter", "--images", images.toString(), "--masks", masks.toString(), "--out", out.toString(),
				"--epochs", "10000"), launcherEnv())) {
			assertNotNull(launcher.awaitLine("err: Training a 2D U-Net", 120), launcher.transcript());
			ProcessHandle child = child(launcher, 1);
			assertNotNull(child, "no relaunched child\n" + launcher.transcript());
			launcher.process().destroyForcibly();
			try {
				assertTrue(endsWithin(child, 20), "the training child outlived its SIGKILLed launcher\n"
					+ launcher.transcript());
			} finally {
				child.destroyForcibly();
			}
			assertTrue(launcher.transcript().contains("the launching process (pid " + launcher.process().pid()
				+ ") has ended"), launcher.transcript());
		}
	}

	@Test
	void testUnicodePathUnderLangCIsRecoveredOrExplained() throws Exception {
		Path dir = Files.createDirectories(tmp.resolve("s\u00e9ries"));
		Path corpus = Path.of("..", "shared", "dicom-corpus", "files", "series_ct", "slice_00.dcm");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(corpus), "shared corpus not present");
		Files.copy(corpus, dir.resolve("slice_00.dcm"));
		Map<String, String> env = launcherEnv();
		env.put("LANG", "C");
		env.put("LC_ALL", "C");
		try (ChildJvm run = ChildJvm.start(List.of("-Xmx64m"), Main.class.getName(), List.of("series", "--json",
			dir.toString()), env)) {
			assertEquals(Integer.valueOf(0), run.await(60), run.transcript());
			assertTrue(run.transcript().contains("s\u00e9ries/slice_00.dcm"), run.transcript());
		}
		env.put("MEDCNN_NO_RELAUNCH", "1");
		try (ChildJvm run = ChildJvm.start(List.of("-Xmx64m"), Main.class.getName(), List.of("series", dir.toString()),
			env)) {
			assertEquals(Integer.valueOf(2), run.await(60), run.transcript());
			String t = run.transcript();
			assertTrue(t.contains("cannot be represented") && t.contains("UTF-8 locale") && t.contains("LC_ALL=C.UTF-8"),
				t);
		}
	}

	/**
	 * Under LANG=C with ASCII arguments, names found while scanning keep their characters (issue 15 item 12): before, no
	 * relaunch happened and series --json listed "s??ries/slice_00.dcm", a path that does not exist, with exit 0.
	 */
	@Test
	void testUnicodeNamesFoundUnderAnAsciiArgumentSurviveLangC() throws Exception {
		Path parent = Files.createDirectories(tmp.resolve("ascii-parent"));
		Path dir = Files.createDirectories(parent.resolve("s\u00e9ries_\u00fc"));
		Path corpus = Path.of("..", "shared", "dicom-corpus", "files", "series_ct", "slice_00.dcm");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(corpus), "shared corpus not present");
		Files.copy(corpus, dir.resolve("slice_00.dcm"));
		Map<String, String> env = launcherEnv();
		env.put("LANG", "C");
		env.put("LC_ALL", "C");
		try (ChildJvm run = ChildJvm.start(List.of("-Xmx64m"), Main.class.getName(), List.of("series", "--json",
			parent.toString()), env)) {
			assertEquals(Integer.valueOf(0), run.await(60), run.transcript());
			assertTrue(run.transcript().contains("s\u00e9ries_\u00fc/slice_00.dcm"), run.transcript());
		}
		env.put("MEDCNN_NO_RELAUNCH", "1");
		try (ChildJvm run = ChildJvm.start(List.of("-Xmx64m"), Main.class.getName(), List.of("series", parent.toString()),
			env)) {
			run.await(60);
			assertTrue(run.transcript().contains("warning") && run.transcript().contains("LC_ALL=C.UTF-8"), run.transcript());
		}
	}

	/** A launcher as Main is one: relaunches {@link Sleeper} and waits for it. */
	public static final class Launcher {
		public static void main(String[] args) {
			System.exit(Relauncher.relaunch(args, false, false, Sleeper.class.getName()));
		}
	}

	/** A child that watches its launcher as Main does, says its pid and sleeps. */
	public static final class Sleeper {
		public static void main(String[] args) throws Exception {
			Relauncher.watchLauncher(System.err);
			Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("CHILD STOPPING")));
			System.out.println("CHILD " + ProcessHandle.current().pid());
			System.out.flush();
			Thread.sleep(120_000);
		}
	}
}
