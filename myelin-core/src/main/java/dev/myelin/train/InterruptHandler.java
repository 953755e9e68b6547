package dev.myelin.train;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) during {@code fit}: the first one asks the loop to stop after the current step, so that
 * the callbacks' {@code onTrainEnd} runs (a backup saves there) and {@code fit} returns the History so far;
 * it also puts the previous handler back, so a second Ctrl-C does what it did before (the JVM exits).
 * Installed for one {@code fit} and removed after it; does nothing where signals cannot be handled (a JVM
 * run with {@code -Xrs}, a platform without SIGINT).
 */
final class InterruptHandler implements AutoCloseable {
    private final Signal signal;
    private final Runnable onInterrupt;
    private SignalHandler previous;

    private InterruptHandler(Signal signal, Runnable onInterrupt) {
        this.signal = signal;
        this.onInterrupt = onInterrupt;
    }

    /**
     * Installs a handler for SIGINT that runs {@code onInterrupt} (on the JVM's signal thread: it should only
     * set a flag) on the first Ctrl-C; one that handles nothing when signals are unavailable.
     */
    static InterruptHandler install(Runnable onInterrupt) {
        Signal sigint;
        try {
            sigint = new Signal("INT");
        } catch (IllegalArgumentException | LinkageError e) {
            return new InterruptHandler(null, onInterrupt);
        }
        InterruptHandler h = new InterruptHandler(sigint, onInterrupt);
        synchronized (h) {
            try {
                h.previous = Signal.handle(sigint, s -> h.interrupt());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                h.previous = null; // signals reserved (-Xrs) or not supported: Ctrl-C keeps its usual effect
            }
        }
        return h;
    }

    /** Whether this handler is in place (signals are available). */
    synchronized boolean installed() {
        return previous != null;
    }

    private void interrupt() {
        close(); // first, so that a second Ctrl-C, however soon, reaches the previous handler
        onInterrupt.run();
        System.err.println("\nInterrupted: stopping after the current step (Ctrl-C again to exit now)");
    }

    /** Puts the previous handler back (once). */
    @Override
    public synchronized void close() {
        if (previous == null) return;
        Signal.handle(signal, previous);
        previous = null;
    }
}
