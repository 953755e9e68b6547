package dev.myelin.optim;

import static dev.myelin.optim.OptimizerTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Schedules at chosen steps against values worked out by hand from Keras's formulas. */
class LearningRateScheduleTest {
    private static final double EPS = 1e-15;

    @Test
    void exponentialDecay() {
        var s = new ExponentialDecay(0.1, 10, 0.5);
        assertEquals(0.1, s.rate(0), EPS);
        assertEquals(0.1 * Math.sqrt(0.5), s.rate(5), EPS); // 0.5^(5/10)
        assertEquals(0.05, s.rate(10), EPS);
        assertEquals(0.1 * Math.pow(0.5, 2.5), s.rate(25), EPS);
    }

    @Test
    void exponentialDecayStaircase() {
        var s = new ExponentialDecay(0.1, 10, 0.5, true);
        assertEquals(0.1, s.rate(9), EPS);
        assertEquals(0.05, s.rate(10), EPS);
        assertEquals(0.05, s.rate(19), EPS);
        assertEquals(0.025, s.rate(25), EPS);
    }

    @Test
    void piecewiseConstantDecayIncludesEachBoundaryInTheEarlierPiece() {
        var s = PiecewiseConstantDecay.of(new long[] {10, 20}, 1.0, 0.5, 0.1);
        assertEquals(1.0, s.rate(0));
        assertEquals(1.0, s.rate(10));
        assertEquals(0.5, s.rate(11));
        assertEquals(0.5, s.rate(20));
        assertEquals(0.1, s.rate(21));
        assertEquals(0.1, s.rate(1_000_000));
        assertEquals(List.of(10L, 20L), s.boundaries());
        assertEquals(7.0, PiecewiseConstantDecay.of(new long[0], 7.0).rate(123));
    }

    @Test
    void cosineDecay() {
        var s = new CosineDecay(1.0, 100);
        assertEquals(1.0, s.rate(0), EPS);
        assertEquals(0.5 * (1 + Math.sqrt(0.5)), s.rate(25), EPS); // 0.5 (1 + cos(pi/4))
        assertEquals(0.5, s.rate(50), EPS);
        assertEquals(0.0, s.rate(100), EPS);
        assertEquals(0.0, s.rate(250), EPS);
    }

    @Test
    void cosineDecayWithAlphaEndsAtAlpha() {
        var s = new CosineDecay(2.0, 100, 0.1);
        assertEquals(2.0, s.rate(0), EPS);
        assertEquals(2.0 * (0.9 * 0.5 + 0.1), s.rate(50), EPS);
        assertEquals(0.2, s.rate(100), 1e-15);
        assertEquals(0.2, s.rate(1000), 1e-15);
    }

    @Test
    void cosineDecayWithWarmup() {
        var s = new CosineDecay(0.2, 100, 0.0, 1.0, 10);
        assertEquals(0.2, s.rate(0), EPS);
        assertEquals(0.6, s.rate(5), EPS);   // 0.2 + (1.0 - 0.2) * 5/10
        assertEquals(0.92, s.rate(9), EPS);
        assertEquals(1.0, s.rate(10), EPS);  // warm-up done, cosine starts at the target
        assertEquals(0.5, s.rate(60), EPS);  // half-way through the decay
        assertEquals(0.0, s.rate(110), EPS);
        assertEquals(0.0, s.rate(5000), EPS);
    }

    @Test
    void badArgumentsAreRefused() {
        assertMessage(() -> new ExponentialDecay(0.1, 0, 0.5), "decaySteps", "0");
        assertMessage(() -> new ExponentialDecay(-0.1, 10, 0.5), "initialLearningRate", "-0.1");
        assertMessage(() -> new ExponentialDecay(0.1, 10, -0.5), "decayRate", "-0.5");
        assertMessage(() -> PiecewiseConstantDecay.of(new long[] {10, 20}, 1.0, 0.5), "2 boundaries", "2 values");
        assertMessage(() -> PiecewiseConstantDecay.of(new long[] {20, 10}, 1.0, 0.5, 0.1), "increasing", "[20, 10]");
        assertMessage(() -> PiecewiseConstantDecay.of(new long[] {10}, 1.0, -0.5), "-0.5");
        assertMessage(() -> new CosineDecay(1.0, -5), "decaySteps", "-5");
        assertMessage(() -> new CosineDecay(1.0, 100, 1.5), "alpha", "1.5");
        assertMessage(() -> new CosineDecay(1.0, 100, 0.0, -1.0, 10), "warmupTarget", "-1.0");
        assertMessage(() -> new CosineDecay(1.0, 100, 0.0, 2.0, -1), "warmupSteps", "-1");
    }
}
