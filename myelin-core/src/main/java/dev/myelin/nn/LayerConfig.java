package dev.myelin.nn;

/**
 * A layer's configuration as an immutable value (a record per layer class, such as {@code Dense.Config}):
 * everything needed to rebuild an equal, unbuilt layer with the class's {@code fromConfig}. Weights are
 * not part of it. {@code dev.myelin.config.Registries.LAYERS} serializes configs with Keras's argument
 * names and rebuilds layers from them.
 */
public interface LayerConfig {
    /** The settings all layers share. */
    LayerSettings layer();
}
