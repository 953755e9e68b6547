package dev.myelin.backend;

/**
 * Element-wise functions of one argument. {@link #apply} is the reference definition that every
 * backend's kernels must match; {@code p} and {@code q} are the op's scalar parameters where it has any.
 */
public enum UnaryOp {
    NEG { public double apply(double x, double p, double q) { return -x; } },
    EXP { public double apply(double x, double p, double q) { return Math.exp(x); } },
    LOG { public double apply(double x, double p, double q) { return Math.log(x); } },
    LOG1P { public double apply(double x, double p, double q) { return Math.log1p(x); } },
    SQRT { public double apply(double x, double p, double q) { return Math.sqrt(x); } },
    RSQRT { public double apply(double x, double p, double q) { return 1.0 / Math.sqrt(x); } },
    ABS { public double apply(double x, double p, double q) { return Math.abs(x); } },
    SIGN { public double apply(double x, double p, double q) { return Math.signum(x); } },
    SQUARE { public double apply(double x, double p, double q) { return x * x; } },
    RECIPROCAL { public double apply(double x, double p, double q) { return 1.0 / x; } },
    RELU { public double apply(double x, double p, double q) { return x <= 0 ? 0.0 : x; } }, // NaN stays NaN, as PyTorch
    /** max(x, 0) + p·min(x, 0); p is the negative slope. */
    LEAKY_RELU { public double apply(double x, double p, double q) { return x > 0 ? x : p * x; } },
    /** x for x > 0, p·(exp(x) − 1) otherwise. */
    ELU { public double apply(double x, double p, double q) { return x > 0 ? x : p * Math.expm1(x); } },
    /** Exact GELU: x·Φ(x) with Φ the standard normal CDF (PyTorch's default, Keras's approximate=False). */
    GELU { public double apply(double x, double p, double q) { return x * MathFunctions.normalCdf(x); } },
    /** d/dx of exact GELU: Φ(x) + x·φ(x). */
    GELU_DERIVATIVE {
        public double apply(double x, double p, double q) {
            return MathFunctions.normalCdf(x) + x * MathFunctions.normalPdf(x);
        }
    },
    /** GELU's tanh approximation (Keras's approximate=True, PyTorch's approximate="tanh"): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    GELU_TANH {
        public double apply(double x, double p, double q) {
            return 0.5 * x * (1.0 + Math.tanh(GELU_TANH_C * (x + 0.044715 * x * x * x)));
        }
    },
    /** d/dx of GELU_TANH: 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²), t = tanh(√(2/π)·(x + 0.044715·x³)). */
    GELU_TANH_DERIVATIVE {
        public double apply(double x, double p, double q) {
            double t = Math.tanh(GELU_TANH_C * (x + 0.044715 * x * x * x));
            return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_TANH_C * (1.0 + 3 * 0.044715 * x * x);
        }
    },
    /** 1 / (1 + exp(−x)), computed without overflow for large |x|. */
    SIGMOID {
        public double apply(double x, double p, double q) {
            if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
            double e = Math.exp(x);
            return e / (1.0 + e);
        }
    },
    /** log(1 + exp(x)) = max(x, 0) + log1p(exp(−|x|)), stable for large |x|. */
    SOFTPLUS {
        public double apply(double x, double p, double q) {
            return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
        }
    },
    TANH { public double apply(double x, double p, double q) { return Math.tanh(x); } },
    /** x raised to the constant power p. */
    POW_SCALAR { public double apply(double x, double p, double q) { return Math.pow(x, p); } },
    /** min(max(x, p), q). */
    CLAMP { public double apply(double x, double p, double q) { return Math.min(Math.max(x, p), q); } },
    /** 1 where p &lt;= x &lt;= q, else 0: the derivative mask of CLAMP. */
    INSIDE { public double apply(double x, double p, double q) { return x >= p && x <= q ? 1.0 : 0.0; } };

    /** The reference value of this function at x. */
    public abstract double apply(double x, double p, double q);

    /** √(2/π), the slope inside GELU_TANH. */
    static final double GELU_TANH_C = Math.sqrt(2.0 / Math.PI);
}
