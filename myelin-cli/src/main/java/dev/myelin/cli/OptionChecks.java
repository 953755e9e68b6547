package dev.myelin.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of command-line values, run before any data is read or any training starts: a bad value is a
 * one-line error naming the option and what it accepts (exit status 2), not a failure after an hour of
 * training. Each throws {@link IllegalArgumentException} (or {@link IOException} for the output folder).
 *
 * <p>Example: {@code OptionChecks.atLeast("--epochs", 0, 1)} throws "--epochs must be at least 1, got 0".
 */
final class OptionChecks {
    private OptionChecks() {}

    /** {@code value >= min}. */
    static void atLeast(String option, int value, int min) {
        if (value < min) throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
    }

    /** A finite number above zero (a learning rate). */
    static void positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException(option + " must be a number above 0, got " + value);
    }

    /** A finite number, zero or above (a temperature, where 0 means greedy). */
    static void nonNegative(String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw new IllegalArgumentException(option + " must be a number >= 0, got " + value);
    }

    /** A fraction in {@code [0, 1)} (a validation split, a smoothing amount, Adam's beta1). */
    static void fraction(String option, double value) {
        if (!(value >= 0 && value < 1)) throw new IllegalArgumentException(option + " must be in [0, 1), got " + value);
    }

    /**
     * Creates {@code folder} and writes and deletes a probe file in it, so that an output location that
     * cannot be written fails now rather than when the results are ready.
     *
     * @throws IOException naming the option, the folder and the reason
     */
    static void writableFolder(String option, Path folder) throws IOException {
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".myelin-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            String reason = e.getMessage() == null || e.getMessage().equals(String.valueOf(folder)) ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException(option + " " + folder + ": the output folder cannot be written (" + reason + ")", e);
        }
    }
}
