package dev.myelin.optim;

/**
 * An optimizer's configuration as an immutable value (a record per class, such as {@code Adam.Config}),
 * from which the class's {@code fromConfig} builds a new optimizer with the same hyperparameters and no
 * state. {@code dev.myelin.config.Registries.OPTIMIZERS} serializes it with Keras's argument names.
 */
public interface OptimizerConfig {
    /** The settings all optimizers share. */
    OptimizerSettings optimizer();
}
