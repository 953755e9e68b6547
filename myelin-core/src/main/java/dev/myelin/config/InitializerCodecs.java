package dev.myelin.config;

import static dev.myelin.config.KerasArgs.map;

import dev.myelin.nn.Regularizer;
import dev.myelin.nn.init.Constant;
import dev.myelin.nn.init.GlorotNormal;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.HeNormal;
import dev.myelin.nn.init.HeUniform;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.LecunNormal;
import dev.myelin.nn.init.LecunUniform;
import dev.myelin.nn.init.Ones;
import dev.myelin.nn.init.Orthogonal;
import dev.myelin.nn.init.RandomNormal;
import dev.myelin.nn.init.RandomUniform;
import dev.myelin.nn.init.TruncatedNormal;
import dev.myelin.nn.init.VarianceScaling;
import dev.myelin.nn.init.Zeros;
import dev.myelin.nn.regularizers.L1;
import dev.myelin.nn.regularizers.L1L2;
import dev.myelin.nn.regularizers.L2;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Initializers and regularizers, with Keras 3's arguments. They are immutable records, so each is its
 * own config. Keras's {@code seed} is accepted only as null: Myelin's initializers draw from the
 * generator given to {@code build}, which a model's seed sets.
 */
final class InitializerCodecs {
    private InitializerCodecs() {}

    static void registerInitializers(Registry<Initializer> r) {
        r.addRecord("Zeros", Zeros.class, a -> new Zeros(), i -> map());
        r.addRecord("Ones", Ones.class, a -> new Ones(), i -> map());
        r.addRecord("Constant", Constant.class, a -> new Constant(a.optionalDouble("value", 0.0)), i -> map("value", i.value()));
        seeded(r, "GlorotUniform", GlorotUniform.class, GlorotUniform::new);
        seeded(r, "GlorotNormal", GlorotNormal.class, GlorotNormal::new);
        seeded(r, "HeUniform", HeUniform.class, HeUniform::new);
        seeded(r, "HeNormal", HeNormal.class, HeNormal::new);
        seeded(r, "LecunUniform", LecunUniform.class, LecunUniform::new);
        seeded(r, "LecunNormal", LecunNormal.class, LecunNormal::new);
        r.addRecord("RandomNormal", RandomNormal.class,
                a -> withSeed(a, () -> new RandomNormal(a.optionalDouble("mean", 0.0), a.optionalDouble("stddev", 0.05))),
                i -> map("mean", i.mean(), "stddev", i.stddev(), "seed", null));
        r.addRecord("RandomUniform", RandomUniform.class,
                a -> withSeed(a, () -> new RandomUniform(a.optionalDouble("minval", -0.05), a.optionalDouble("maxval", 0.05))),
                i -> map("minval", i.minval(), "maxval", i.maxval(), "seed", null));
        r.addRecord("TruncatedNormal", TruncatedNormal.class,
                a -> withSeed(a, () -> new TruncatedNormal(a.optionalDouble("mean", 0.0), a.optionalDouble("stddev", 0.05))),
                i -> map("mean", i.mean(), "stddev", i.stddev(), "seed", null));
        r.addRecord("VarianceScaling", VarianceScaling.class,
                a -> withSeed(a, () -> new VarianceScaling(a.optionalDouble("scale", 1.0),
                        VarianceScaling.Mode.valueOf(a.choice("mode", "fan_in", "fan_in", "fan_out", "fan_avg").toUpperCase(Locale.ROOT)),
                        VarianceScaling.Distribution.valueOf(a.choice("distribution", "truncated_normal",
                                "truncated_normal", "untruncated_normal", "uniform").toUpperCase(Locale.ROOT)))),
                i -> map("scale", i.scale(), "mode", i.mode().name().toLowerCase(Locale.ROOT),
                        "distribution", i.distribution().name().toLowerCase(Locale.ROOT), "seed", null));
        r.addRecord("Orthogonal", Orthogonal.class, a -> withSeed(a, () -> new Orthogonal(a.optionalDouble("gain", 1.0))),
                i -> map("gain", i.gain(), "seed", null));
    }

    static void registerRegularizers(Registry<Regularizer> r) {
        r.addRecord("L1", L1.class, a -> checked(a, () -> new L1(a.optionalDouble("l1", 0.01))), x -> map("l1", x.l1()));
        r.addRecord("L2", L2.class, a -> checked(a, () -> new L2(a.optionalDouble("l2", 0.01))), x -> map("l2", x.l2()));
        r.addRecord("L1L2", L1L2.class, a -> checked(a, () -> new L1L2(a.optionalDouble("l1", 0.0), a.optionalDouble("l2", 0.0))),
                x -> map("l1", x.l1(), "l2", x.l2()));
    }

    /** Glorot, He and LeCun: no argument but Keras's {@code seed}. */
    private static <I extends Initializer> void seeded(Registry<Initializer> r, String name, Class<I> type, Supplier<I> make) {
        r.addRecord(name, type, a -> {
            seed(a);
            return make.get();
        }, i -> map("seed", null));
    }

    /** Reads {@code seed}, which must be null (see the class documentation), then runs the constructor as {@link #checked}. */
    private static <T> T withSeed(ConfigArgs a, Supplier<T> make) {
        seed(a);
        return checked(a, make);
    }

    /** Runs the constructor, naming the owner in its errors. */
    private static <T> T checked(ConfigArgs a, Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw a.error(e.getMessage());
        }
    }

    private static void seed(ConfigArgs a) {
        a.onlyDefault("seed", null);
    }
}
