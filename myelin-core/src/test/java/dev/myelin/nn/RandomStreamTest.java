package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

class RandomStreamTest {
    private static RandomGenerator jdk(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    @Test
    void matchesTheJdkGeneratorThroughEveryMethodForManySeeds() {
        SplittableRandom seeds = new SplittableRandom(7);
        long[] fixed = {0, 1, -1, 42, Long.MIN_VALUE, Long.MAX_VALUE, 0x6A09E667F3BCC909L};
        for (int k = 0; k < 1000 + fixed.length; k++) {
            long seed = k < fixed.length ? fixed[k] : seeds.nextLong();
            RandomGenerator expected = jdk(seed);
            RandomStream actual = RandomStream.seeded(seed);
            for (int i = 0; i < 40; i++) {
                switch (i % 10) {
                    case 0 -> assertEquals(expected.nextLong(), actual.nextLong(), "nextLong, seed " + seed);
                    case 1 -> assertEquals(expected.nextInt(), actual.nextInt(), "nextInt, seed " + seed);
                    case 2 -> assertEquals(expected.nextInt(1000), actual.nextInt(1000), "nextInt(bound), seed " + seed);
                    case 3 -> assertEquals(expected.nextDouble(), actual.nextDouble(), "nextDouble, seed " + seed);
                    case 4 -> assertEquals(expected.nextFloat(), actual.nextFloat(), "nextFloat, seed " + seed);
                    case 5 -> assertEquals(expected.nextGaussian(), actual.nextGaussian(), "nextGaussian, seed " + seed);
                    case 6 -> assertEquals(expected.nextBoolean(), actual.nextBoolean(), "nextBoolean, seed " + seed);
                    case 7 -> assertEquals(expected.nextLong(3, 1L << 40), actual.nextLong(3, 1L << 40), "nextLong(origin, bound), seed " + seed);
                    case 8 -> assertEquals(expected.nextExponential(), actual.nextExponential(), "nextExponential, seed " + seed);
                    default -> assertEquals(expected.nextGaussian(2, 3), actual.nextGaussian(2, 3), "nextGaussian(mean, sd), seed " + seed);
                }
            }
        }
    }

    @Test
    void aRestoredStateContinuesTheStreamExactly() {
        RandomStream original = RandomStream.seeded(123);
        for (int i = 0; i < 17; i++) original.nextGaussian();
        long[] saved = original.state();
        long[] expected = new long[50];
        for (int i = 0; i < expected.length; i++) expected[i] = original.nextLong();

        RandomStream other = RandomStream.seeded(999);
        other.restoreState(saved);
        RandomStream fresh = RandomStream.fromState(saved);
        for (long e : expected) {
            assertEquals(e, other.nextLong());
            assertEquals(e, fresh.nextLong());
        }
    }

    @Test
    void stateIsACopy() {
        RandomStream rng = RandomStream.seeded(5);
        long[] state = rng.state();
        long[] before = state.clone();
        rng.nextLong();
        assertArrayEquals(before, state);
        state[1] = 77;
        assertTrue(rng.state()[1] != 77 || before[1] == 77);
    }

    @Test
    void rejectsStatesTheGeneratorCannotReach() {
        RandomStream rng = RandomStream.seeded(5);
        var wrongLength = assertThrows(IllegalArgumentException.class, () -> rng.restoreState(new long[3]));
        assertTrue(wrongLength.getMessage().contains("4 longs"), wrongLength.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rng.restoreState(null));
        assertThrows(IllegalArgumentException.class, () -> rng.restoreState(new long[] {2, 0, 1, 1}));
        assertThrows(IllegalArgumentException.class, () -> RandomStream.fromState(new long[] {1, 0, 0, 0}));
    }

    @Test
    void fillBernoulliDrawsWhatNextDoubleDrawsAndEndsInTheSameState() {
        for (double p : new double[] {0.7, 0.0, 1.0, 0.5, 0.3000000000000001, 1 - 0x1.0p-53, 0x1.0p-60, -0.5, 2.0}) {
            RandomStream bulk = RandomStream.seeded(11);
            RandomGenerator jdk = RandomGeneratorFactory.of("L64X128MixRandom").create(11);
            bulk.nextLong();
            jdk.nextLong();
            float[] got = new float[1003], want = new float[1003];
            bulk.fillBernoulli(got, 3, 1000, p, 1.25f);
            for (int i = 3; i < 1000; i++) want[i] = jdk.nextDouble() < p ? 1.25f : 0f;
            assertArrayEquals(want, got, "p=" + p);
            assertEquals(jdk.nextLong(), bulk.nextLong(), "the state after the mask, p=" + p);
        }
    }
}
