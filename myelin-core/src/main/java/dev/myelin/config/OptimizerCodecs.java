package dev.myelin.config;

import static dev.myelin.config.KerasArgs.map;
import static dev.myelin.config.KerasArgs.with;

import dev.myelin.optim.Adagrad;
import dev.myelin.optim.Adam;
import dev.myelin.optim.AdamW;
import dev.myelin.optim.CosineDecay;
import dev.myelin.optim.ExponentialDecay;
import dev.myelin.optim.LearningRateSchedule;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.OptimizerSettings;
import dev.myelin.optim.PiecewiseConstantDecay;
import dev.myelin.optim.RMSprop;
import dev.myelin.optim.SGD;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Optimizers and learning-rate schedules with Keras 3's arguments. Keras's {@code learning_rate} is a
 * number or a serialized schedule; its EMA, loss-scale and gradient-accumulation arguments are accepted
 * at their defaults only.
 */
final class OptimizerCodecs {
    private OptimizerCodecs() {}

    static void registerOptimizers(Registry<Optimizer> r) {
        r.add("SGD", SGD.class, SGD.Config.class, SGD::config,
                a -> new SGD.Config(settings(a, 0.01, 0.0), a.optionalDouble("momentum", 0.0), a.optionalBoolean("nesterov", false)),
                c -> with(settings("SGD", c.optimizer()), "momentum", c.momentum(), "nesterov", c.nesterov()),
                c -> checked(() -> SGD.fromConfig(c)));
        r.add("Adam", Adam.class, Adam.Config.class, o -> (Adam.Config) o.config(),
                a -> new Adam.Config(settings(a, 0.001, 0.0), a.optionalDouble("beta_1", 0.9), a.optionalDouble("beta_2", 0.999),
                        a.optionalDouble("epsilon", 1e-7), a.optionalBoolean("amsgrad", false)),
                c -> with(settings("adam", c.optimizer()), "beta_1", c.beta1(), "beta_2", c.beta2(), "epsilon", c.epsilon(), "amsgrad", c.amsgrad()),
                c -> checked(() -> Adam.fromConfig(c)));
        r.add("AdamW", AdamW.class, AdamW.Config.class, AdamW::config,
                a -> new AdamW.Config(settings(a, 0.001, 0.004), a.optionalDouble("beta_1", 0.9), a.optionalDouble("beta_2", 0.999),
                        a.optionalDouble("epsilon", 1e-7), a.optionalBoolean("amsgrad", false)),
                c -> with(settings("adamw", c.optimizer()), "beta_1", c.beta1(), "beta_2", c.beta2(), "epsilon", c.epsilon(), "amsgrad", c.amsgrad()),
                c -> checked(() -> AdamW.fromConfig(c)));
        r.add("RMSprop", RMSprop.class, RMSprop.Config.class, RMSprop::config,
                a -> new RMSprop.Config(settings(a, 0.001, 0.0), a.optionalDouble("rho", 0.9), a.optionalDouble("momentum", 0.0),
                        a.optionalDouble("epsilon", 1e-7), a.optionalBoolean("centered", false)),
                c -> with(settings("rmsprop", c.optimizer()), "rho", c.rho(), "momentum", c.momentum(), "epsilon", c.epsilon(), "centered", c.centered()),
                c -> checked(() -> RMSprop.fromConfig(c)));
        r.add("Adagrad", Adagrad.class, Adagrad.Config.class, Adagrad::config,
                a -> new Adagrad.Config(settings(a, 0.001, 0.0), a.optionalDouble("initial_accumulator_value", 0.1), a.optionalDouble("epsilon", 1e-7)),
                c -> with(settings("adagrad", c.optimizer()), "initial_accumulator_value", c.initialAccumulatorValue(), "epsilon", c.epsilon()),
                c -> checked(() -> Adagrad.fromConfig(c)));
    }

    static void registerSchedules(Registry<LearningRateSchedule> r) {
        r.addRecord("ExponentialDecay", ExponentialDecay.class,
                a -> schedule(a, () -> new ExponentialDecay(a.requiredDouble("initial_learning_rate"), a.requiredLong("decay_steps"),
                        a.requiredDouble("decay_rate"), a.optionalBoolean("staircase", false))),
                s -> map("initial_learning_rate", s.initialLearningRate(), "decay_steps", s.decaySteps(), "decay_rate", s.decayRate(),
                        "staircase", s.staircase(), "name", "ExponentialDecay"));
        r.addRecord("CosineDecay", CosineDecay.class,
                a -> schedule(a, () -> new CosineDecay(a.requiredDouble("initial_learning_rate"), a.requiredLong("decay_steps"),
                        a.optionalDouble("alpha", 0.0), a.nullableDouble("warmup_target"), a.optionalLong("warmup_steps", 0))),
                s -> map("initial_learning_rate", s.initialLearningRate(), "decay_steps", s.decaySteps(), "alpha", s.alpha(),
                        "name", "CosineDecay", "warmup_target", s.warmupTarget(), "warmup_steps", s.warmupSteps()));
        r.addRecord("PiecewiseConstantDecay", PiecewiseConstantDecay.class,
                a -> schedule(a, () -> new PiecewiseConstantDecay(a.requiredLongList("boundaries"), a.requiredDoubleList("values"))),
                s -> map("boundaries", s.boundaries(), "values", s.values(), "name", "PiecewiseConstant"));
    }

    /** The shared arguments; {@code learning_rate} is a number or a schedule. */
    private static OptimizerSettings settings(ConfigArgs a, double defaultRate, double defaultWeightDecay) {
        a.optionalString("name", null);
        a.onlyDefault("use_ema", false);
        a.raw("ema_momentum"); // only used with use_ema
        a.onlyDefault("ema_overwrite_frequency", null);
        a.onlyDefault("loss_scale_factor", null);
        a.onlyDefault("gradient_accumulation_steps", null);
        Object lr = a.raw("learning_rate");
        LearningRateSchedule schedule = lr instanceof Map<?, ?> ? a.object("learning_rate", Registries.SCHEDULES, null) : null;
        double rate = schedule != null ? defaultRate : a.optionalDouble("learning_rate", defaultRate);
        return new OptimizerSettings(rate, schedule, a.optionalDouble("weight_decay", defaultWeightDecay),
                a.optionalDouble("clipvalue", 0.0), a.optionalDouble("clipnorm", 0.0), a.optionalDouble("global_clipnorm", 0.0));
    }

    /** Keras writes null for the clipping options that are off and for no weight decay. */
    private static Map<String, Object> settings(String name, OptimizerSettings s) {
        Object lr = s.schedule() == null ? s.learningRate() : Registries.SCHEDULES.toJson(s.schedule());
        return map("name", name, "learning_rate", lr, "weight_decay", orNull(s.weightDecay()), "clipnorm", orNull(s.clipNorm()),
                "global_clipnorm", orNull(s.globalClipNorm()), "clipvalue", orNull(s.clipValue()), "use_ema", false,
                "ema_momentum", 0.99, "ema_overwrite_frequency", null, "loss_scale_factor", null, "gradient_accumulation_steps", null);
    }

    private static Double orNull(double v) {
        return v == 0 ? null : v;
    }

    private static <T> T schedule(ConfigArgs a, Supplier<T> make) {
        a.optionalString("name", null);
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw a.error(e.getMessage());
        }
    }

    private static <T> T checked(Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
