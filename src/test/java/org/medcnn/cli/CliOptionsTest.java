package org.medcnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options as picocli declares them (issue 12 item 15): every command's help lists each of its options once with
 * a description; ranges and choices are checked from the same declarations that the help shows.
 */
class CliOptionsTest {

	/** Every command and every subcommand (bench dicom, …), each with the arguments of its help. */
	private static List<CommandLine> commands() {
		List<CommandLine> all = new ArrayList<>();
		for (Supplier<Main.Command> c : Main.commands().values()) {
			CommandLine cl = Cli.commandLine(c.get());
			all.add(cl);
			all.addAll(cl.getSubcommands().values());
		}
		return all;
	}

	private static String[] helpArgs(CommandLine cl) {
		List<String> args = new ArrayList<>(List.of(Cli.name(cl).split(" ")));
		args.add("--help");
		return args.toArray(String[]::new);
	}

	@Test
	void everyHelpListsEachOptionOnceWithADescription() {
		List<CommandLine> all = commands();
		assertTrue(all.size() >= 15, "10 commands and bench's 5 benchmarks: " + all.size());
		for (CommandLine cl : all) {
			if (!cl.getSubcommands().isEmpty()) continue; // bench --help: its benchmarks' helps in turn
			MainTest.Run r = MainTest.run(helpArgs(cl));
			assertEquals(0, r.code(), Cli.name(cl));
			assertTrue(r.out().startsWith("usage: medcnn " + Cli.name(cl)), r.out());
			for (OptionSpec o : cl.getCommandSpec().options()) {
				// an option line: the name, its label, then the description after two or more spaces
				Pattern line = Pattern.compile("(?m)^ +" + Pattern.quote(o.longestName()) + "( \\S+)? {2,}\\S");
				long n = line.matcher(r.out()).results().count();
				assertEquals(1, n, Cli.name(cl) + " --help lists " + o.longestName() + " " + n + " times:\n" + r.out());
				assertTrue(o.description().length > 0 && !String.join("", o.description()).isBlank(),
					Cli.name(cl) + " " + o.longestName() + " has no description");
			}
		}
	}

	@Test
	void benchHelpHoldsEachBenchmarksHelp() {
		MainTest.Run r = MainTest.run("bench", "--help");
		assertEquals(0, r.code());
		for (String b : List.of("dicom", "train", "quality", "predict", "active-learning"))
			assertTrue(r.out().contains("usage: medcnn bench " + b), b + ":\n" + r.out());
		assertTrue(r.out().contains("--seeds N"), r.out());
		assertTrue(r.out().contains(String.valueOf(ActiveLearningBench.POOL)), "the constants are formatted in");
	}

	@Test
	void commandListIsGeneratedFromTheCommands() {
		MainTest.Run r = MainTest.run("--help");
		assertEquals(0, r.code());
		for (String c : Main.commands().keySet()) assertTrue(r.out().contains("  " + c + " "), c + ":\n" + r.out());
		assertTrue(r.out().contains("rank unlabelled cases"), r.out());
	}

	@Test
	void unknownOptionsAndArgumentsAreUsageErrorsNamingThem() {
		MainTest.Run r = MainTest.run("series", "--jsn", "dir");
		assertEquals(2, r.code());
		assertTrue(r.err().startsWith("medcnn series: unknown option --jsn (see series --help)"), r.err());
		assertEquals(1, r.err().lines().count(), r.err());
		r = MainTest.run("bench", "train", "--keep", "k");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("bench train: unknown option --keep (it is for bench dicom, bench quality, bench "
			+ "predict, bench active-learning)"), r.err());
		r = MainTest.run("bench", "--json", "dicom");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("bench: --json goes after the name of what it is for: bench dicom, bench train"),
			r.err());
		r = MainTest.run("evaluate", "--model", "m", "stray");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("evaluate: unexpected argument 'stray'"), r.err());
		r = MainTest.run("bench", "nope");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("unknown benchmark 'nope'"), r.err());
		r = MainTest.run("bench");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("give what to measure"), r.err());
		r = MainTest.run("predict", "--out", "o", "x");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--model"), r.err());
		r = MainTest.run("info", "--seeds=3", "x");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("unknown option --seeds "), r.err());
	}

	@Test
	void outOfRangeValuesNameTheOptionAndTheRange() {
		MainTest.Run r = MainTest.run("bench", "active-learning", "--seeds", "30");
		assertEquals(2, r.code());
		assertEquals("medcnn bench active-learning: --seeds 30 is out of range [1, 20]", r.err().strip());
		r = MainTest.run("predict", "--model", "m", "--out", "o", "--min-lesion", "0", "x");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--min-lesion 0 is out of range [1, "), r.err());
		r = MainTest.run("bench", "train", "--seconds", "many");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--seconds") && r.err().contains("many"), r.err());
		r = MainTest.run("train-segmenter", "--images", "a", "--masks", "b", "--out", "c", "--dims", "3", "--depth", "6");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--depth 6 is out of range [1, 5]"), r.err());
		assertTrue(MainTest.run("bench", "active-learning", "--help").out().contains("--seeds N"));
	}

	/** Every range of every command: its bounds pass the parser, one past them is refused naming the option. */
	@Test
	void everyRangeIsCheckedWhereItIsDeclared() throws Exception {
		int checked = 0;
		for (CommandLine cl : commands()) {
			for (OptionSpec o : cl.getCommandSpec().options()) {
				if (!(o.userObject() instanceof Field f) || f.getAnnotation(Cli.Range.class) == null) continue;
				Cli.Range range = f.getAnnotation(Cli.Range.class);
				boolean integral = f.getType() == int.class || f.getType() == Integer.class;
				String above = integral ? Long.toString((long) range.max() + 1) : Double.toString(range.max() + 1);
				CommandLine fresh = fresh(cl);
				if (range.max() < Integer.MAX_VALUE) {
					Cli.UsageException e = assertThrows(Cli.UsageException.class, () -> Cli.parse(fresh,
						args(cl, o.longestName(), above)), Cli.name(cl) + " " + o.longestName() + " " + above);
					assertTrue(e.getMessage().contains(o.longestName() + " " + above.replaceAll("\\.0$", ""))
						&& e.getMessage().contains("out of range ["), e.getMessage());
				}
				String min = integral ? Long.toString((long) range.min()) : Double.toString(range.min());
				CommandLine fresh2 = fresh(cl);
				Cli.parse(fresh2, args(cl, o.longestName(), min));
				checked++;
			}
		}
		assertTrue(checked >= 20, "ranges checked: " + checked);
	}

	/** A choice option shows its values in the help and refuses others, from the one declaration. */
	@Test
	void choicesAreShownAndValidatedFromTheirDeclaration() throws Exception {
		List<String> engines = new SharedOptions.Engines().values();
		assertEquals(List.of("tensorflow", "onnx"), engines);
		for (String c : List.of("predict", "evaluate"))
			assertTrue(MainTest.run(c, "--help").out().contains("--engine " + String.join("|", engines)), c);
		MainTest.Run r = MainTest.run("predict", "--model", "m", "--out", "o", "--engine", "nope", "x");
		assertEquals(2, r.code());
		assertEquals("medcnn predict: --engine must be one of tensorflow, onnx but got 'nope'", r.err().strip());
		int checked = 0;
		for (CommandLine cl : commands()) {
			String help = MainTest.run(helpArgs(cl)).out();
			for (OptionSpec o : cl.getCommandSpec().options()) {
				if (!(o.completionCandidates() instanceof Cli.Choices choices)) continue;
				for (String v : choices.values()) assertTrue(help.contains(v), Cli.name(cl) + " --help lacks " + v);
				CommandLine fresh = fresh(cl);
				Cli.UsageException e = assertThrows(Cli.UsageException.class, () -> Cli.parse(fresh, args(cl,
					o.longestName(), "nope")));
				assertTrue(e.getMessage().contains(o.longestName() + " must be one of " + String.join(", ", choices.values())),
					e.getMessage());
				for (String v : choices.values()) {
					CommandLine ok = fresh(cl);
					Cli.parse(ok, args(cl, o.longestName(), v));
				}
				checked++;
			}
		}
		assertTrue(checked >= 10, "choice options checked: " + checked);
	}

	@Test
	void aRepeatedOptionTakesTheLastValueAndEqualsSignsWork() throws Exception {
		CommandLine cl = Cli.commandLine(new BenchCommand());
		CommandLine sub = Cli.parse(cl, new String[] {"active-learning", "--seeds", "2", "--seeds=5"});
		assertEquals(5, ((BenchCommand.ActiveLearning) sub.getCommand()).seeds);
		assertFalse(((BenchCommand.ActiveLearning) sub.getCommand()).json.json);
	}

	/** A new parser of the command (of bench, for a benchmark: {@link #args} names the benchmark first). */
	private static CommandLine fresh(CommandLine cl) {
		return Cli.commandLine((Main.Command) newInstance(cl.getParent() == null ? cl : cl.getParent()));
	}

	private static Object newInstance(CommandLine cl) {
		try {
			var c = cl.getCommand().getClass().getDeclaredConstructor();
			c.setAccessible(true);
			return c.newInstance();
		} catch (ReflectiveOperationException e) {
			throw new AssertionError(e);
		}
	}

	/** Arguments that satisfy the command's required options and arguments, plus {@code option value}. */
	private static String[] args(CommandLine cl, String option, String value) {
		List<String> args = new ArrayList<>();
		if (cl.getParent() != null) args.add(cl.getCommandName());
		for (OptionSpec o : cl.getCommandSpec().options())
			if (o.required()) args.addAll(List.of(o.longestName(), "x"));
		args.addAll(List.of(option, value));
		if (cl.getCommandSpec().positionalParameters().stream().anyMatch(p -> p.arity().min() > 0)) args.add("x");
		return args.toArray(String[]::new);
	}
}
