package org.medcnn.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line's options, through picocli: each command declares every option once ({@code @Option} on a field,
 * shared ones in mixins) with its description, default, {@link Range} and {@link Choices}; this class parses and
 * validates the arguments against those declarations and generates the help from them.
 * <p>
 * What picocli does not do itself lives here: numeric ranges ({@link Range}, checked after parsing, refused as
 * {@code --NAME V is out of range [MIN, MAX]}), closed lists of values ({@link Choices}: validated as
 * {@code --NAME must be one of a, b but got 'v'}, shown in the help as {@code --NAME a|b} unless the option has a
 * label, such as {@code NAME}, and lists them in its description), help values computed at
 * run time ({@link Main.Command#helpValues()}, as {@code ${bundle:KEY}} in descriptions), and usage errors as
 * {@code COMMAND: message} lines (exit code 2 in {@link Main}).
 */
final class Cli {

	/** Width of the generated help. */
	static final int HELP_WIDTH = 110;

	private Cli() {}

	/** The inclusive range of a numeric option; a value outside it is a usage error naming the option and the range. */
	@Retention(RetentionPolicy.RUNTIME)
	@Target(ElementType.FIELD)
	@interface Range {
		double min();

		double max();
	}

	/**
	 * The accepted values of a string option, as its {@code completionCandidates}: the one list the parser validates
	 * against and the help shows.
	 */
	abstract static class Choices implements Iterable<String> {
		private final List<String> values;

		Choices(String... values) {
			this.values = List.of(values);
		}

		Choices(List<String> values) {
			this.values = List.copyOf(values);
		}

		@Override
		public Iterator<String> iterator() {
			return values.iterator();
		}

		List<String> values() {
			return values;
		}
	}

	/** Wrong usage: printed as {@code medcnn MESSAGE}, exit code 2. */
	static final class UsageException extends Exception {
		UsageException(String message) {
			super(message);
		}
	}

	/** A command's parser, with the help values of {@link Main.Command#helpValues()} and those of its subcommands. */
	static CommandLine commandLine(Main.Command command) {
		CommandLine cl = new CommandLine(command);
		configure(cl);
		return cl;
	}

	private static void configure(CommandLine cl) {
		// as before picocli: a repeated option takes the last value
		cl.setOverwrittenOptionsAllowed(true);
		cl.setUsageHelpWidth(HELP_WIDTH);
		cl.setHelpFactory(Cli::help);
		CommandSpec spec = cl.getCommandSpec();
		spec.usageMessage().sortOptions(false).sortSynopsis(false).synopsisHeading("usage: medcnn ").descriptionHeading("%n")
			.parameterListHeading("%narguments:%n").optionListHeading("%noptions:%n").footerHeading("%n")
			.longOptionsMaxWidth(30).autoWidth(false);
		spec.usageMessage().sectionKeys(List.of(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION_HEADING,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST_HEADING,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING,
			CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER));
		if (spec.userObject() instanceof Main.Command c) {
			Map<String, String> values = c.helpValues();
			if (!values.isEmpty()) cl.setResourceBundle(bundle(values));
		}
		for (CommandLine sub : cl.getSubcommands().values()) configure(sub);
	}

	private static ListResourceBundle bundle(Map<String, String> values) {
		Object[][] contents = values.entrySet().stream().map(e -> new Object[] {e.getKey(), e.getValue()})
			.toArray(Object[][]::new);
		return new ListResourceBundle() {
			@Override
			protected Object[][] getContents() {
				return contents;
			}
		};
	}

	/** Name for messages: {@code info}, {@code bench quality}. */
	static String name(CommandLine cl) {
		return cl.getCommandSpec().qualifiedName(" ");
	}

	/**
	 * Parses {@code argv} into the command's fields (and a subcommand's) and checks {@link Range}s and
	 * {@link Choices}.
	 *
	 * @return the command (or subcommand) that was named, its fields filled
	 * @throws UsageException naming the option and what is wrong
	 */
	static CommandLine parse(CommandLine cl, String[] argv) throws UsageException {
		ParseResult result;
		try {
			result = cl.parseArgs(argv);
		} catch (ParameterException e) {
			throw new UsageException(name(e.getCommandLine()) + ": " + message(e));
		}
		CommandLine last = cl;
		for (ParseResult r = result; r != null; r = r.subcommand()) {
			validate(r);
			last = r.commandSpec().commandLine();
		}
		return last;
	}

	private static String message(ParameterException e) {
		if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
			String arg = u.getUnmatched().get(0);
			CommandLine cl = e.getCommandLine();
			if (!arg.startsWith("-") || arg.equals("-")) return "unexpected argument '" + arg + "'";
			String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
			List<String> siblings = new ArrayList<>();
			if (cl.getParent() != null)
				for (CommandLine s : cl.getParent().getSubcommands().values())
					if (s != cl && s.getCommandSpec().findOption(option) != null) siblings.add(name(s));
			List<String> subs = new ArrayList<>();
			for (CommandLine s : cl.getSubcommands().values())
				if (s.getCommandSpec().findOption(option) != null) subs.add(name(s));
			if (!subs.isEmpty()) // bench --json dicom: the benchmark's options follow its name
				return option + " goes after the name of what it is for: " + String.join(", ", subs) + " (see " + name(cl)
					+ " --help)";
			return "unknown option " + option + (siblings.isEmpty() ? "" : " (it is for " + String.join(", ", siblings)
				+ ")") + " (see " + name(cl) + " --help)";
		}
		String m = e.getMessage();
		if (e instanceof CommandLine.MissingParameterException missing
			&& (m.startsWith("Missing required option") || m.startsWith("Missing required parameter: "))) {
			// picocli writes '--model=MODEL'; name them as users type them
			List<String> names = missing.getMissing().stream().map(a -> a.isOption() ? ((OptionSpec) a).longestName() + " "
				+ a.paramLabel() : a.paramLabel() + (a.arity().max() > 1 ? "..." : "")).toList();
			return String.join(", ", names) + (names.size() == 1 ? " is required" : " are required");
		}
		return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
	}

	private static void validate(ParseResult r) throws UsageException {
		String command = name(r.commandSpec().commandLine());
		for (OptionSpec o : r.matchedOptions()) {
			Object value = o.getValue();
			if (value == null) continue;
			if (o.completionCandidates() instanceof Choices c && !c.values().contains(value.toString()))
				throw new UsageException(command + ": " + o.longestName() + " must be one of " + String.join(", ", c.values())
					+ " but got '" + value + "'");
			Range range = range(o);
			if (range != null && value instanceof Number n && !(n.doubleValue() >= range.min() && n.doubleValue() <= range.max())) {
				List<String> typed = o.originalStringValues();
				throw outOfRange(command, o.longestName(), typed.isEmpty() ? n.toString() : typed.get(typed.size() - 1),
					range.min(), range.max());
			}
		}
	}

	/** Refuses {@code value} outside [min, max] (NaN too) with a message naming the option and the range. */
	static void checkRange(String command, String option, Number value, double min, double max) throws UsageException {
		double v = value.doubleValue();
		if (!(v >= min && v <= max)) throw outOfRange(command, option, value.toString(), min, max);
	}

	private static UsageException outOfRange(String command, String option, String value, double min, double max) {
		return new UsageException(command + ": " + option + " " + value + " is out of range [" + number(min) + ", "
			+ number(max) + "]");
	}

	private static Range range(ArgSpec a) {
		return a.userObject() instanceof Field f ? f.getAnnotation(Range.class) : null;
	}

	private static String number(double d) {
		if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
		return new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
	}

	/**
	 * The help of the command named in {@code args}: a subcommand's when one is named; for a command with
	 * subcommands but none named, each subcommand's help in turn; otherwise the command's own.
	 */
	static String help(CommandLine cl, String[] args) {
		for (String a : args) {
			CommandLine sub = cl.getSubcommands().get(a);
			if (sub != null) return help(sub, new String[0]);
		}
		if (!cl.getSubcommands().isEmpty()) {
			StringBuilder sb = new StringBuilder();
			for (CommandLine sub : cl.getSubcommands().values()) sb.append(usage(sub));
			return sb.toString().stripTrailing();
		}
		return usage(cl).stripTrailing();
	}

	/** The usage text of one command, labels written {@code --name VALUE} (as users type them). */
	private static String usage(CommandLine cl) {
		String separator = cl.getSeparator();
		try {
			// only the help's labels: the parser keeps accepting --name=VALUE as well as --name VALUE
			cl.setSeparator(" ");
			return cl.getUsageMessage(Help.Ansi.OFF);
		} finally {
			cl.setSeparator(separator);
		}
	}

	/** picocli's help with {@link Choices} as {@code a|b} labels and {@link Range}s after the descriptions. */
	private static Help help(CommandSpec spec, Help.ColorScheme scheme) {
		return new Help(spec, scheme) {
			/** Required options first, as users write them: usage: medcnn predict --model MODEL --out DIR [--seg] … */
			@Override
			public String synopsis(int synopsisHeadingLength) {
				return detailedSynopsis(synopsisHeadingLength, java.util.Comparator.comparing(o -> !o.required()), false);
			}

			@Override
			public Help.IParamLabelRenderer parameterLabelRenderer() {
				Help.IParamLabelRenderer plain = super.parameterLabelRenderer();
				return new Help.IParamLabelRenderer() {
					@Override
					public Help.Ansi.Text renderParameterLabel(ArgSpec arg, Help.Ansi ansi, List<Help.Ansi.IStyle> styles) {
						// a choice option without a label of its own shows its values: --engine tensorflow|onnx
						if (arg.isOption() && arg.completionCandidates() instanceof Choices c && arg.paramLabel().startsWith("<"))
							return ansi.new Text(separator() + String.join("|", c.values()));
						return plain.renderParameterLabel(arg, ansi, styles);
					}

					@Override
					public String separator() {
						return plain.separator();
					}
				};
			}

			@Override
			public Help.IOptionRenderer createDefaultOptionRenderer() {
				Help.IOptionRenderer plain = super.createDefaultOptionRenderer();
				return (option, labels, colours) -> {
					Range r = range(option);
					if (r == null) return plain.render(option, labels, colours);
					String[] d = option.description();
					List<String> lines = new ArrayList<>(List.of(d.length == 0 ? new String[] {""} : d));
					int last = lines.size() - 1;
					String range = r.max() >= Integer.MAX_VALUE ? "at least " + number(r.min())
						: number(r.min()) + "…" + number(r.max());
					lines.set(last, (lines.get(last) + " (" + range + ")").strip());
					return plain.render(OptionSpec.builder(option).description(lines.toArray(String[]::new)).build(), labels,
						colours);
				};
			}
		};
	}

	/** Values for {@code ${bundle:KEY}} in descriptions: an ordered map of KEY to text. */
	static Map<String, String> values(Object... keyValues) {
		Map<String, String> m = new LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
		return m;
	}
}
