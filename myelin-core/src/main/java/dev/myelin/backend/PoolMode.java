package dev.myelin.backend;

/** How a pooling window is summarized. */
public enum PoolMode {
    MAX,
    AVERAGE
}
