package dev.myelin.data;

import dev.myelin.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A random transformation of a batch of images, applied by {@link DataLoader} to {@code x} of every
 * training batch. Implementations draw all randomness from {@code rng}, in a fixed order, so a seeded
 * generator makes the result repeatable; they return a new tensor and leave the input unchanged.
 *
 * <p>Shapes: {@code images [batch, height, width, channels]} (channels-last); the result has the same
 * shape unless the augmentation says otherwise ({@link RandomCrop} to another size).
 *
 * <p>Label mixing. {@link DataLoader} calls {@link #apply(DataLoader.Batch, RandomGenerator)} on each
 * batch: by default it transforms {@code x} and keeps the targets; {@link MixUp} and {@link CutMix} mix
 * images of the batch with each other and override it to mix their one-hot targets in the same proportions.
 *
 * <p>Example (CIFAR-10 style):
 * <pre>{@code
 * Augmentation aug = Augmentation.compose(RandomFlip.horizontal(), RandomCrop.padded(4));
 * DataLoader train = DataLoader.of(data).batchSize(128).shuffle(7).augment(aug);
 * }</pre>
 */
@FunctionalInterface
public interface Augmentation {

    /** Transforms {@code images [batch, height, width, channels]}, drawing randomness from {@code rng}. */
    Tensor apply(Tensor images, RandomGenerator rng);

    /**
     * Transforms a whole batch of one input: by default {@code x} through {@link #apply(Tensor,
     * RandomGenerator)}, the targets unchanged. Stages that mix the samples of a batch ({@link MixUp},
     * {@link CutMix}) override it to mix the targets too.
     */
    default DataLoader.Batch apply(DataLoader.Batch batch, RandomGenerator rng) {
        return new DataLoader.Batch(List.of(apply(batch.x(), rng)), batch.ys());
    }

    /** This augmentation, then {@code next}, sharing the generator. */
    default Augmentation andThen(Augmentation next) {
        return compose(this, next);
    }

    /** The steps applied in order, sharing one generator. */
    static Augmentation compose(Augmentation... steps) {
        return new Sequence(List.of(steps));
    }

    /** Augmentations applied one after another, as {@link #compose} builds them. */
    record Sequence(List<Augmentation> steps) implements Augmentation {
        public Sequence {
            steps = List.copyOf(steps);
        }

        @Override
        public Tensor apply(Tensor images, RandomGenerator rng) {
            Tensor t = images;
            for (Augmentation a : steps) t = a.apply(t, rng);
            return t;
        }

        @Override
        public DataLoader.Batch apply(DataLoader.Batch batch, RandomGenerator rng) {
            DataLoader.Batch b = batch;
            for (Augmentation a : steps) b = a.apply(b, rng);
            return b;
        }
    }
}
