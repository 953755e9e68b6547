package dev.myelin.backend;

/**
 * Element-wise functions of two arguments. {@link #apply} is the reference definition; comparisons
 * return 1.0 for true and 0.0 for false.
 */
public enum BinaryOp {
    ADD { public double apply(double a, double b) { return a + b; } },
    SUB { public double apply(double a, double b) { return a - b; } },
    MUL { public double apply(double a, double b) { return a * b; } },
    DIV { public double apply(double a, double b) { return a / b; } },
    POW { public double apply(double a, double b) { return Math.pow(a, b); } },
    MAXIMUM { public double apply(double a, double b) { return Double.isNaN(a) || a >= b ? a : b; } },
    MINIMUM { public double apply(double a, double b) { return Double.isNaN(a) || a <= b ? a : b; } },
    EQ { public double apply(double a, double b) { return a == b ? 1 : 0; } },
    NE { public double apply(double a, double b) { return a != b ? 1 : 0; } },
    LT { public double apply(double a, double b) { return a < b ? 1 : 0; } },
    LE { public double apply(double a, double b) { return a <= b ? 1 : 0; } },
    GT { public double apply(double a, double b) { return a > b ? 1 : 0; } },
    GE { public double apply(double a, double b) { return a >= b ? 1 : 0; } },
    /**
     * The gradient of relu in one pass: a (the incoming gradient) where b (relu's input) is positive or
     * NaN, 0 where b ≤ 0. As PyTorch's threshold_backward: relu keeps NaN, and so passes its gradient.
     */
    RELU_GRAD { public double apply(double a, double b) { return b <= 0 ? 0 : a; } };

    /** The reference value of this function. */
    public abstract double apply(double a, double b);
}
