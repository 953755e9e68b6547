package dev.myelin.config;

import static dev.myelin.config.KerasArgs.map;
import static dev.myelin.config.KerasArgs.with;

import dev.myelin.losses.BinaryCrossentropy;
import dev.myelin.losses.CategoricalCrossentropy;
import dev.myelin.losses.Huber;
import dev.myelin.losses.Loss;
import dev.myelin.losses.MeanAbsoluteError;
import dev.myelin.losses.MeanSquaredError;
import dev.myelin.losses.SparseCategoricalCrossentropy;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Losses with Keras 3's arguments. They are immutable records, so each is its own config. Keras's
 * {@code reduction} is accepted only as {@code "sum_over_batch_size"} (the mean over the batch, the only
 * one Myelin has), {@code axis} only as -1.
 */
final class LossCodecs {
    private LossCodecs() {}

    static void register(Registry<Loss> r) {
        r.addRecord("MeanSquaredError", MeanSquaredError.class, a -> base(a, MeanSquaredError::new), LossCodecs::base);
        r.addRecord("MeanAbsoluteError", MeanAbsoluteError.class, a -> base(a, MeanAbsoluteError::new), LossCodecs::base);
        r.addRecord("Huber", Huber.class, a -> base(a, () -> new Huber(a.optionalDouble("delta", 1.0))),
                l -> with(base(l), "delta", l.delta()));
        r.addRecord("BinaryCrossentropy", BinaryCrossentropy.class,
                a -> base(a, () -> {
                    a.onlyDefault("axis", -1L);
                    return new BinaryCrossentropy(a.optionalBoolean("from_logits", false), a.optionalDouble("label_smoothing", 0.0));
                }),
                l -> with(base(l), "from_logits", l.fromLogits(), "label_smoothing", l.labelSmoothing(), "axis", -1));
        r.addRecord("CategoricalCrossentropy", CategoricalCrossentropy.class,
                a -> base(a, () -> {
                    a.onlyDefault("axis", -1L);
                    return new CategoricalCrossentropy(a.optionalBoolean("from_logits", false), a.optionalDouble("label_smoothing", 0.0));
                }),
                l -> with(base(l), "from_logits", l.fromLogits(), "label_smoothing", l.labelSmoothing(), "axis", -1));
        r.addRecord("SparseCategoricalCrossentropy", SparseCategoricalCrossentropy.class,
                a -> base(a, () -> {
                    a.onlyDefault("ignore_class", null);
                    return new SparseCategoricalCrossentropy(a.optionalBoolean("from_logits", false));
                }),
                l -> with(base(l), "from_logits", l.fromLogits(), "ignore_class", null));
    }

    private static <L extends Loss> L base(ConfigArgs a, Supplier<L> make) {
        a.optionalString("name", null);
        a.onlyDefault("reduction", "sum_over_batch_size");
        Object dtype = a.raw("dtype");
        if (dtype != null && !"float32".equals(dtype)) throw a.error("argument 'dtype' is supported only as null or \"float32\", got " + ConfigArgs.describe(dtype));
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw a.error(e.getMessage());
        }
    }

    private static Map<String, Object> base(Loss l) {
        return map("name", l.name(), "reduction", "sum_over_batch_size");
    }
}
