package dev.myelin.cli;

import dev.myelin.backend.Backends;
import picocli.CommandLine.Option;

/** {@code --threads T} for commands that run a model (a picocli mixin). */
final class ThreadsOption {
    @Option(names = "--threads", description = "Kernel threads (default: MYELIN_NUM_THREADS or all cores).")
    Integer threads;

    /** Applies the thread count, if given. */
    void apply() {
        if (threads != null) Backends.setThreads(threads);
    }
}
