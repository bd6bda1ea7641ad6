package org.medcnn.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.medcnn.common.Versions;

/**
 * The {@code medcnn} command line: {@code java -jar target/medcnn.jar COMMAND [options]}.
 * <p>
 * Machine output goes to stdout, progress and errors to stderr. Exit codes: 0 success, 1 failure (bad input,
 * an unreadable file), 2 wrong usage, 130 cancelled.
 */
public final class Main {


	private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

	static {
		for (Command c : new Command[] {new InfoCommand(), new SeriesCommand(), new TrainSegmenterCommand(),
			new TrainClassifierCommand(), new PredictCommand(), new DemoCommand(), new BenchCommand(), new EvaluateCommand(),
			new FinetuneCommand(), new SuggestCommand()})
			COMMANDS.put(c.name(), c);
	}

	private Main() {}

	public static void main(String[] args) {
		// A child started by Relauncher ends with its launcher, and may get its arguments from it.
		Relauncher.watchLauncher(System.err);
		System.exit(run(Relauncher.arguments(args), System.out, System.err));
	}

	/** Runs one command; returns the exit code. */
	static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
			printUsage(args.length == 0 ? err : out);
			return args.length == 0 ? 2 : 0;
		}
		if (args[0].equals("--version")) {
			out.println("MedCNN " + Versions.MEDCNN);
			return 0;
		}
		Command command = COMMANDS.get(args[0]);
		if (command == null) {
			err.println("medcnn: unknown command '" + args[0] + "'");
			printUsage(err);
			return 2;
		}
		String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
		for (String a : rest) {
			if (a.equals("--help") || a.equals("-h")) {
				out.println(command.usage());
				return 0;
			}
		}
		try {
			String undecodable = Relauncher.undecodable(args);
			if (undecodable != null) {
				// LANG=C and the like: Java could not decode an argument (a path such as séries/ arrived as s??ries).
				String[] utf8 = Relauncher.mayRelaunchForEncoding() ? Relauncher.utf8Arguments(args) : null;
				if (utf8 != null) return Relauncher.relaunch(utf8, command.usesTensorFlow() && Relauncher.needsRelaunch(), true);
				err.println("medcnn " + command.name() + ": " + Relauncher.encodingAdvice(undecodable));
				return 2;
			}
			String unencodable = Relauncher.unencodable(rest);
			if (unencodable != null) {
				err.println("medcnn " + command.name() + ": " + Relauncher.encodingAdvice(unencodable));
				return 2;
			}
			if (Relauncher.asciiFileNames()) {
				// LANG=C with ASCII arguments: names found while scanning folders would still come out as '?'
				if (Relauncher.mayRelaunchForEncoding())
					return Relauncher.relaunch(args, command.usesTensorFlow() && Relauncher.needsRelaunch(), true);
				err.println("medcnn " + command.name() + ": warning: " + Relauncher.asciiFileNamesWarning());
			}
			// Inside the try: a refused -Dmedcnn.… property (read when relaunching) is reported like any other error.
			if (command.usesTensorFlow() && Relauncher.needsRelaunch()) return Relauncher.relaunch(args);
			return command.run(rest, out, err);
		} catch (Args.UsageException e) {
			err.println("medcnn " + e.getMessage());
			return 2;
		} catch (CancellationException e) {
			err.println("medcnn " + command.name() + ": cancelled" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
			return 130;
		} catch (java.io.IOException | IllegalArgumentException | IllegalStateException e) {
			err.println("medcnn " + command.name() + ": " + OutputPaths.describe(e));
			return 1;
		} catch (OutOfMemoryError e) {
			// Readers check the heap before large allocations; this is the last resort, still without a trace.
			StackTraceElement[] at = e.getStackTrace();
			err.println("medcnn " + command.name() + ": out of Java heap memory (" + e.getMessage()
				+ (at.length > 0 ? ", in " + at[0] : "") + ", maximum "
				+ org.medcnn.common.HeapBudget.size(Runtime.getRuntime().maxMemory()) + "): run Java with a larger heap, "
				+ "e.g. java -Xmx" + Math.max(2, 2 * (Runtime.getRuntime().maxMemory() >> 30)) + "g -jar medcnn.jar ...");
			return 1;
		} catch (Exception | Error e) {
			// Unexpected: a short message and the trace for a bug report.
			err.println("medcnn " + command.name() + ": unexpected error: " + e);
			for (StackTraceElement el : e.getStackTrace()) err.println("\tat " + el);
			return 1;
		}
	}

	private static void printUsage(PrintStream s) {
		s.println("MedCNN " + Versions.MEDCNN + " — DICOM, CNN training and tumour segmentation (research use only)");
		s.println("usage: java -jar medcnn.jar COMMAND [options]   (COMMAND --help for its options)");
		s.println();
		for (Command c : COMMANDS.values()) s.printf("  %-17s %s%n", c.name(), c.summary());
	}

	/** One CLI command. */
	interface Command {
		String name();

		String summary();

		String usage();

		/** Whether the command loads TensorFlow (and so wants oneDNN enabled before the native library loads). */
		default boolean usesTensorFlow() {
			return false;
		}

		int run(String[] args, PrintStream out, PrintStream err) throws Exception;
	}
}
