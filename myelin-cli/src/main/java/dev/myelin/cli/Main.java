package dev.myelin.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Entry point of the {@code myelin} command. */
@Command(name = "myelin", mixinStandardHelpOptions = true, version = "myelin 0.1.0",
        description = "Myelin: deep learning for Java.",
        subcommands = {DemoCommand.class, TrainCommand.class, GanCommand.class, ClipCommand.class, ExampleCommand.class, BenchCommand.class,
                SummaryCommand.class, EvaluateCommand.class, PredictCommand.class, ExplainCommand.class, FineTuneCommand.class, ImportCommand.class,
                ExportCommand.class, QuantizeCommand.class, PruneCommand.class, DistillCommand.class,
                SparkDataCommand.class, SparkTrainCommand.class, SparkPredictCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    private static final String RELAUNCHED = "MYELIN_RELAUNCHED";

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out); // this command line: it has every subcommand, lstm and charlm included
    }

    /** slf4j-api's provider that drops every message (the class the API falls back to when no binding exists). */
    static final String NO_LOGGING = "org.slf4j.helpers.NOP_FallbackServiceProvider";

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true"); // plots are drawn off-screen
        // jHDF (Keras .h5 import) logs through SLF4J; with no provider SLF4J warns on stderr. The command prints
        // its own messages, so pick slf4j-api's own no-operation provider unless the user chose one. Not for the
        // spark-* commands: Spark's jars bring log4j2 (warnings only, log4j2.properties), which should report.
        boolean spark = args.length > 0 && args[0].startsWith("spark-");
        if (System.getProperty("slf4j.provider") == null && !spark) {
            System.setProperty("slf4j.provider", NO_LOGGING);
            // and without SLF4J's own "Attempting to load provider ..." line (slf4j-api 2.0.10 and later)
            if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() && System.getenv(RELAUNCHED) == null) {
            // A jar manifest cannot add a module, so `java -jar myelin-cli.jar` restarts itself with the flag.
            System.exit(relaunchWithVectorApi(args));
        }
        System.exit(run(args, System.err));
    }

    /**
     * Runs the command and returns its exit status: 0 done, 2 bad input (arguments, files, shapes), 1 an
     * internal failure. Every failure, errors such as {@link OutOfMemoryError} included, is one line on
     * {@code err}: {@code error: <what>}; {@code MYELIN_DEBUG=1} adds the stack trace.
     */
    static int run(String[] args, PrintStream err) {
        try {
            CommandLine cli = new CommandLine(new Main());
            addSequenceCommands(cli);
            cli.setErr(new PrintWriter(err, true));
            cli.setParameterExceptionHandler((ex, ignored) -> {
                // One line and a hint, not the whole usage: the error is what the user must see.
                CommandLine command = ex.getCommandLine();
                command.getErr().println("error: " + ex.getMessage());
                CommandLine.UnmatchedArgumentException.printSuggestions(ex, command.getErr());
                command.getErr().println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
                return EXIT_BAD_INPUT;
            });
            cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, err));
            return cli.execute(args);
        } catch (Throwable t) { // errors escape picocli's handler; they get the same one line
            return report(t, err);
        }
    }

    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_INTERNAL = 1;

    /** Prints the one-line message of {@code t} and returns its exit status. */
    static int report(Throwable t, PrintStream err) {
        if (System.getenv("MYELIN_DEBUG") != null) t.printStackTrace(err);
        Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
        err.println("error: " + describe(cause) + (System.getenv("MYELIN_DEBUG") == null && !isBadInput(cause)
                ? " (MYELIN_DEBUG=1 shows where)" : ""));
        return isBadInput(cause) ? EXIT_BAD_INPUT : EXIT_INTERNAL;
    }

    private static boolean isBadInput(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof IllegalStateException || t instanceof IOException
                || t instanceof UncheckedIOException || t instanceof OutOfMemoryError;
    }

    private static String describe(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "out of memory (" + t.getMessage() + "): raise the heap limit, e.g. MYELIN_JAVA_OPTS=-Xmx8g, or use a smaller"
                    + " batch size, model or data set";
        }
        if (t instanceof UncheckedIOException u && u.getCause() != null) t = u.getCause();
        if (t instanceof NoSuchFileException f) return "no such file or directory: " + f.getFile() + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
        if (t instanceof AccessDeniedException f) return "permission denied: " + f.getFile();
        if (t instanceof FileSystemException f && f.getFile() != null && f.getReason() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + f.getReason();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static int relaunchWithVectorApi(String[] args) throws IOException, InterruptedException, URISyntaxException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path", jar.toString()), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(RELAUNCHED, "1");
        return pb.start().waitFor();
    }

    /** The sequence-model commands (issue 4), registered here rather than in the annotation. */
    static void addSequenceCommands(CommandLine cli) {
        cli.addSubcommand(new LstmCommand());
        cli.addSubcommand(new CharLmCommand());
        cli.addSubcommand(new GptCommand());
        cli.addSubcommand(new FortunesCommand());
    }
}
