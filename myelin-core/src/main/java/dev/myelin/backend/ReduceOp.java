package dev.myelin.backend;

/** Reductions over axes. MAX and MIN propagate NaN. */
public enum ReduceOp {
    SUM,
    MAX,
    MIN
}
