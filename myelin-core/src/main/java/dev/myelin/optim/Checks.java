package dev.myelin.optim;

/**
 * Argument checks shared by the optimizers and schedules. Messages name the owner, the argument, the
 * accepted range and the value received, such as {@code "Adam beta1 must be in [0, 1), got 1.0"}.
 * NaN fails every check.
 */
final class Checks {
    private Checks() {}

    /** {@code value >= 0} and finite. */
    static double nonNegative(String owner, String argument, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(owner + " " + argument + " must be >= 0 and finite, got " + value);
        }
        return value;
    }

    /** {@code value > 0} and finite. */
    static double positive(String owner, String argument, double value) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(owner + " " + argument + " must be > 0 and finite, got " + value);
        }
        return value;
    }

    /** {@code value > 0}. */
    static long positive(String owner, String argument, long value) {
        if (value <= 0) throw new IllegalArgumentException(owner + " " + argument + " must be > 0, got " + value);
        return value;
    }

    /** {@code value >= 0}. */
    static long nonNegative(String owner, String argument, long value) {
        if (value < 0) throw new IllegalArgumentException(owner + " " + argument + " must be >= 0, got " + value);
        return value;
    }

    /** {@code 0 <= value < 1}: decay rates such as Adam's betas and RMSprop's rho. */
    static double halfOpenUnit(String owner, String argument, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(owner + " " + argument + " must be in [0, 1), got " + value);
        }
        return value;
    }

    /** {@code 0 <= value <= 1}. */
    static double unit(String owner, String argument, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(owner + " " + argument + " must be in [0, 1], got " + value);
        }
        return value;
    }
}
