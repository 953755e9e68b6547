package dev.myelin.examples;

import java.nio.file.Path;

/**
 * The command line of the seed examples: {@code DATA_DIR [EPOCHS [SEED]]}. The seed makes a run repeatable:
 * it fixes the initial weights and the shuffling.
 */
record ExampleArgs(Path data, int epochs, long seed) {
    static final long DEFAULT_SEED = 42;

    /** Parses {@code args}; {@code defaultData} null means the data folder is required. Errors name the argument. */
    static ExampleArgs parse(String[] args, String usage, String defaultData, int defaultEpochs) {
        if (args.length == 0 && defaultData == null) throw new IllegalArgumentException("usage: " + usage);
        if (args.length > 3) throw new IllegalArgumentException("too many arguments; usage: " + usage);
        Path data = Path.of(args.length > 0 ? args[0] : defaultData);
        int epochs = args.length > 1 ? number(args[1], "EPOCHS", usage) : defaultEpochs;
        if (epochs < 1) throw new IllegalArgumentException("EPOCHS must be at least 1, got " + epochs + "; usage: " + usage);
        long seed = args.length > 2 ? number(args[2], "SEED", usage) : DEFAULT_SEED;
        return new ExampleArgs(data, epochs, seed);
    }

    private static int number(String s, String name, String usage) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + s + "'; usage: " + usage);
        }
    }
}
