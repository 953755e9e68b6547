package dev.myelin.cli;

import dev.myelin.backend.Backends;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options that {@code demo} and {@code train} share (a picocli mixin). */
final class CommonTrainingOptions {
    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
    Integer threads;

    @Option(names = "--out", defaultValue = "myelin-out", description = "Folder for the PNG plots (default: ${DEFAULT-VALUE}).")
    Path out;

    /** Applies the thread count, if given. */
    void applyThreads() {
        if (threads != null) Backends.setThreads(threads);
    }
}
