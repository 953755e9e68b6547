package dev.myelin.cli;

import dev.myelin.train.TerminateOnNaN;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@link TerminateOnNaN} for the commands' training runs (on by default): a loss that became NaN or
 * infinite stops training, and the command then fails with that one line (exit status 2) instead of
 * printing results of a model that learnt nothing.
 */
final class NanStop {
    /** The callback to add to the run; it stays silent, as the command's error line says it all. */
    final TerminateOnNaN callback = new TerminateOnNaN(new PrintStream(OutputStream.nullOutputStream()));

    /** @throws IllegalStateException with the callback's message when it stopped training */
    void throwIfStopped() {
        if (callback.message() != null) throw new IllegalStateException("training stopped: " + callback.message());
    }
}
