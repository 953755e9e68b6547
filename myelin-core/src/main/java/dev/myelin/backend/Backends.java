package dev.myelin.backend;

/**
 * Chooses the backend new tensors use. The CPU backend with Vector API kernels is picked when the JVM
 * was started with {@code --add-modules jdk.incubator.vector}; otherwise the scalar reference backend is
 * used and a warning says how to get the fast one.
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

    /** Replaces the default backend (tests compare backends this way). */
    public static void setDefaultBackend(Backend backend) {
        if (backend == null) throw new IllegalArgumentException("backend must not be null");
        defaultBackend = backend;
    }

    private static Backend detect() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            return new dev.myelin.backend.cpu.CpuBackend();
        }
        System.err.println("myelin: the Vector API is not available (start the JVM with --add-modules jdk.incubator.vector);"
                + " using the slow scalar reference backend");
        return new ReferenceBackend();
    }
}
