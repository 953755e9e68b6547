package dev.myelin.autograd;

/**
 * Whether operations on this thread are recorded for backpropagation. On by default; turned off inside
 * a {@link NoGrad} scope.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    static boolean set(boolean enabled) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return previous;
    }
}
