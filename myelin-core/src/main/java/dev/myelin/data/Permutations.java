package dev.myelin.data;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** Seeded generators and Fisher–Yates permutations, shared by {@link Dataset}, {@link DataLoader} and the fit loop. */
public final class Permutations {
    /** The algorithm used everywhere in this package for seeded randomness (as the rest of Myelin). */
    static final String ALGORITHM = "L64X128MixRandom";
    private static final RandomGeneratorFactory<RandomGenerator> FACTORY = RandomGeneratorFactory.of(ALGORITHM);

    private Permutations() {}

    static RandomGenerator.SplittableGenerator generator(long seed) {
        return (RandomGenerator.SplittableGenerator) FACTORY.create(seed);
    }

    /** 0..n-1 in a uniformly random order (Fisher–Yates, {@code n − 1} draws of {@code nextInt(i + 1)}). */
    public static int[] shuffled(int n, RandomGenerator rng) {
        int[] p = identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** 0..n-1 in order. */
    public static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }
}
