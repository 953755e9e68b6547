package dev.myelin.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code myelin} command. */
@Command(name = "myelin", mixinStandardHelpOptions = true, version = "myelin 0.1.0",
        description = "Myelin: deep learning for Java.",
        subcommands = {DemoCommand.class, TrainCommand.class, GanCommand.class, ExampleCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    private static final String RELAUNCHED = "MYELIN_RELAUNCHED";

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true"); // plots are drawn off-screen
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() && System.getenv(RELAUNCHED) == null) {
            // A jar manifest cannot add a module, so `java -jar myelin-cli.jar` restarts itself with the flag.
            System.exit(relaunchWithVectorApi(args));
        }
        CommandLine cli = new CommandLine(new Main());
        addSequenceCommands(cli);
        // Bad input (a missing or corrupt file, a wrong shape) is the user's to fix: one line, no stack trace;
        // MYELIN_DEBUG=1 shows the trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (System.getenv("MYELIN_DEBUG") != null) e.printStackTrace();
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            commandLine.getErr().println("error: " + message);
            return e instanceof IllegalStateException || e instanceof IllegalArgumentException || e instanceof java.io.IOException ? 2 : 1;
        });
        System.exit(cli.execute(args));
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
    }
}
