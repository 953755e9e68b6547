package dev.myelin.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code myelin} command. */
@Command(name = "myelin", mixinStandardHelpOptions = true, version = "myelin 0.1.0",
        description = "Myelin: deep learning for Java.",
        subcommands = {CommandLine.HelpCommand.class, BenchCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
