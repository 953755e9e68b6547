package dev.myelin.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The options the timing benches share ({@link ConvBench}, {@link LayerBench}): thread counts, the
 * warm-up and chunk protocol, a case prefix, JSON output, and for some a row listing.
 *
 * @param exit null to run; otherwise the status to exit with at once (0 after {@code --help}, 2 after an
 *             error, both already printed)
 */
record BenchOptions(int[] threads, double warmup, double chunk, int chunks, String only, boolean json, boolean list, Integer exit) {
    /** The options in {@code args}, starting from the defaults given; {@code listOption} allows {@code --list}. */
    static BenchOptions parse(String tool, List<String> args, int[] threads, double warmup, double chunk, int chunks, boolean listOption) {
        String only = null;
        boolean json = false, list = false;
        String usage = "usage: " + tool + " [--threads " + String.join(",", Arrays.stream(threads).mapToObj(Integer::toString).toList())
                + "] [--warmup S] [--chunks N] [--chunk S] [--case PREFIX] [--json]" + (listOption ? " [--list]" : "");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            try {
                switch (a) {
                    case "--threads" -> threads = Arrays.stream(args.get(++i).split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--warmup" -> warmup = Double.parseDouble(args.get(++i));
                    case "--chunk" -> chunk = Double.parseDouble(args.get(++i));
                    case "--chunks" -> chunks = Integer.parseInt(args.get(++i));
                    case "--case" -> only = args.get(++i);
                    case "--json" -> json = true;
                    case "--help", "-h" -> {
                        System.out.println(usage);
                        return exit(0);
                    }
                    default -> {
                        if (listOption && a.equals("--list")) {
                            list = true;
                            continue;
                        }
                        System.err.println(tool + ": unknown argument '" + a + "' (try --help)");
                        return exit(2);
                    }
                }
            } catch (IndexOutOfBoundsException | NumberFormatException e) {
                System.err.println(tool + ": bad or missing value after '" + a + "'");
                return exit(2);
            }
        }
        if (chunks < 1 || chunk <= 0 || warmup < 0 || Arrays.stream(threads).anyMatch(t -> t < 1)) {
            System.err.println(tool + ": --chunks must be >= 1, --chunk > 0, --warmup >= 0 and --threads >= 1");
            return exit(2);
        }
        return new BenchOptions(threads, warmup, chunk, chunks, only, json, list, null);
    }

    private static BenchOptions exit(int status) {
        return new BenchOptions(null, 0, 0, 0, null, false, false, status);
    }
}
