package dev.myelin.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Chooses the backend that creation functions ({@code Tensor.zeros}, {@code Tensor.of}, …) use; results
 * of operations live on their operands' backend. Backends are found with {@link ServiceLoader} (a line in
 * {@code META-INF/services/dev.myelin.backend.Backend}, on the class path or the module path): the usable
 * one ({@link Backend#unavailableReason} null) with the highest {@link Backend#priority} wins. When none
 * is usable the scalar {@link ReferenceBackend} is used, with a warning on standard error that names
 * each unusable backend and how to make it usable.
 *
 * <p>Example: {@code Backends.setThreads(4)} sets the thread count of the default backend's kernels.
 */
public final class Backends {
    private static volatile Backend defaultBackend;

    private Backends() {}

    /** The backend that creation functions use. */
    public static Backend defaultBackend() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                if (defaultBackend == null) defaultBackend = detect();
                b = defaultBackend;
            }
        }
        return b;
    }

    /** How many threads the default backend's kernels use. */
    public static int threads() {
        return defaultBackend().threads();
    }

    /** Sets how many threads the default backend's kernels use (at least 1). */
    public static void setThreads(int n) {
        defaultBackend().setThreads(n);
    }

    /**
     * Makes {@code backend} the default until the returned scope is closed, then restores the previous one:
     * {@code try (var scope = Backends.use(myBackend)) { ... }}. For tests and tools that run the same code
     * on several backends; the default is global, so scopes must not overlap across threads.
     */
    public static Scope use(Backend backend) {
        if (backend == null) throw new IllegalArgumentException("backend must not be null");
        Backend previous = defaultBackend();
        defaultBackend = backend;
        return () -> defaultBackend = previous;
    }

    /** Restores the previous default backend. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static Backend detect() {
        Backend best = null;
        List<String> unusable = new ArrayList<>();
        for (Backend candidate : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            String reason = candidate.unavailableReason();
            if (reason != null) {
                unusable.add(candidate.name() + ": " + reason);
            } else if (best == null || candidate.priority() > best.priority()) {
                best = candidate;
            }
        }
        if (best != null) return best;
        System.err.println("myelin: WARNING: using the slow scalar reference backend"
                + (unusable.isEmpty() ? " (no faster backend was found on the class path)" : "; " + String.join("; ", unusable)));
        return new ReferenceBackend();
    }
}
