package org.medcnn.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.medcnn.common.Versions;
import picocli.CommandLine;

/**
 * The {@code medcnn} command line: {@code java -jar target/medcnn.jar COMMAND [options]}.
 * <p>
 * Machine output goes to stdout, progress and errors to stderr. Exit codes: 0 success, 1 failure (bad input,
 * an unreadable file), 2 wrong usage, 130 cancelled.
 * <p>
 * Each command is a picocli {@code @Command} whose fields are its options, declared once; {@link Cli} parses and
 * validates them and generates each command's help.
 */
public final class Main {


	/** The commands in the order of the command list; each run gets a fresh instance (its fields are its options). */
	private static final Map<String, Supplier<Command>> COMMANDS = new LinkedHashMap<>();

	static {
		for (Supplier<Command> c : List.<Supplier<Command>>of(InfoCommand::new, SeriesCommand::new,
			TrainSegmenterCommand::new, TrainClassifierCommand::new, PredictCommand::new, DemoCommand::new,
			BenchCommand::new, EvaluateCommand::new, FinetuneCommand::new, SuggestCommand::new))
			COMMANDS.put(c.get().getClass().getAnnotation(CommandLine.Command.class).name(), c);
	}

	private Main() {}

	/** The commands by name, in the order of the command list; each call of a supplier gives a fresh instance. */
	static Map<String, Supplier<Command>> commands() {
		return java.util.Collections.unmodifiableMap(COMMANDS);
	}

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
		Supplier<Command> factory = COMMANDS.get(args[0]);
		if (factory == null) {
			err.println("medcnn: unknown command '" + args[0] + "'");
			printUsage(err);
			return 2;
		}
		CommandLine cl = Cli.commandLine(factory.get());
		Command command = cl.getCommand();
		String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
		for (String a : rest) {
			if (a.equals("--help") || a.equals("-h")) {
				out.println(Cli.help(cl, rest));
				return 0;
			}
		}
		String name = cl.getCommandName();
		try {
			String undecodable = Relauncher.undecodable(args);
			if (undecodable != null) {
				// LANG=C and the like: Java could not decode an argument (a path such as séries/ arrived as s??ries).
				String[] utf8 = Relauncher.mayRelaunchForEncoding() ? Relauncher.utf8Arguments(args) : null;
				if (utf8 != null) return Relauncher.relaunch(utf8, command.usesTensorFlow() && Relauncher.needsRelaunch(), true);
				err.println("medcnn " + name + ": " + Relauncher.encodingAdvice(undecodable));
				return 2;
			}
			String unencodable = Relauncher.unencodable(rest);
			if (unencodable != null) {
				err.println("medcnn " + name + ": " + Relauncher.encodingAdvice(unencodable));
				return 2;
			}
			if (Relauncher.asciiFileNames()) {
				// LANG=C with ASCII arguments: names found while scanning folders would still come out as '?'
				if (Relauncher.mayRelaunchForEncoding())
					return Relauncher.relaunch(args, command.usesTensorFlow() && Relauncher.needsRelaunch(), true);
				err.println("medcnn " + name + ": warning: " + Relauncher.asciiFileNamesWarning());
			}
			// Inside the try: a refused -Dmedcnn.… property (read when relaunching) is reported like any other error.
			if (command.usesTensorFlow() && Relauncher.needsRelaunch()) return Relauncher.relaunch(args);
			CommandLine parsed = Cli.parse(cl, rest);
			return ((Command) parsed.getCommand()).call(out, err);
		} catch (Cli.UsageException e) {
			err.println("medcnn " + e.getMessage());
			return 2;
		} catch (CancellationException e) {
			err.println("medcnn " + name + ": cancelled" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
			return 130;
		} catch (java.io.IOException | IllegalArgumentException | IllegalStateException e) {
			err.println("medcnn " + name + ": " + OutputPaths.describe(e));
			return 1;
		} catch (OutOfMemoryError e) {
			// Readers check the heap before large allocations; this is the last resort, still without a trace.
			StackTraceElement[] at = e.getStackTrace();
			err.println("medcnn " + name + ": out of Java heap memory (" + e.getMessage()
				+ (at.length > 0 ? ", in " + at[0] : "") + ", maximum "
				+ org.medcnn.common.HeapBudget.size(Runtime.getRuntime().maxMemory()) + "): run Java with a larger heap, "
				+ "e.g. java -Xmx" + Math.max(2, 2 * (Runtime.getRuntime().maxMemory() >> 30)) + "g -jar medcnn.jar ...");
			return 1;
		} catch (Exception | Error e) {
			// Unexpected: a short message and the trace for a bug report.
			err.println("medcnn " + name + ": unexpected error: " + e);
			for (StackTraceElement el : e.getStackTrace()) err.println("\tat " + el);
			return 1;
		}
	}

	private static void printUsage(PrintStream s) {
		s.println("MedCNN " + Versions.MEDCNN + " — DICOM, CNN training and tumour segmentation (research use only)");
		s.println("usage: java -jar medcnn.jar COMMAND [options]   (COMMAND --help for its options)");
		s.println();
		for (Supplier<Command> c : COMMANDS.values()) {
			CommandLine cl = Cli.commandLine(c.get());
			s.printf("  %-17s %s%n", cl.getCommandName(), String.join(" ", cl.getCommandSpec().usageMessage().header()));
		}
	}

	/**
	 * One CLI command: a picocli {@code @Command} (its {@code name}, its {@code header} for the command list, its
	 * description) whose {@code @Option} and {@code @Parameters} fields are filled before {@link #call} runs.
	 */
	interface Command {
		/** Whether the command loads TensorFlow (and so wants oneDNN enabled before the native library loads). */
		default boolean usesTensorFlow() {
			return false;
		}

		/**
		 * Values the help computes at run time (defaults of the engine's configurations), written
		 * {@code ${bundle:KEY}} in descriptions; a key that is an option's {@code descriptionKey} replaces that
		 * option's description (a shared option described for this command).
		 */
		default Map<String, String> helpValues() {
			return Map.of();
		}

		/** Runs the command with its options parsed; returns the exit code. */
		int call(PrintStream out, PrintStream err) throws Exception;
	}
}
