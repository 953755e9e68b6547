package dev.myelin.backend.naive;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendConformanceTest;

/** The naive backend (primitives only, every fused kernel composed) passes the suite every backend passes. */
class NaiveBackendConformanceTest extends BackendConformanceTest {
    private static final NaiveBackend SUBJECT = new NaiveBackend();

    @Override
    protected Backend subject() {
        return SUBJECT;
    }

    /** The composed softmax sums each row sequentially in float32: up to n·ε of relative error. */
    @Override
    protected double softmaxSumSlack(int n) {
        return n;
    }
}
