package dev.myelin.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options that {@code demo} and {@code train} share (a picocli mixin). */
final class CommonTrainingOptions {
    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--out", defaultValue = "myelin-out", description = "Folder for the PNG plots (default: ${DEFAULT-VALUE}).")
    Path out;

    /** Applies the thread count, if given. */
    void applyThreads() {
        threads.apply();
    }
}
