package dev.myelin.nn;

import dev.myelin.backend.DType;
import java.util.Objects;

/**
 * The settings every layer has, Keras's base {@code Layer} config: {@code name}, {@code trainable} and
 * {@code dtype}. Part of each layer's config record.
 *
 * @param name      the layer's name, or null for a generated one ({@code dense_3})
 * @param trainable false for a frozen layer
 * @param dtype     the weights' element type
 */
public record LayerSettings(String name, boolean trainable, DType dtype) {
    public LayerSettings {
        Objects.requireNonNull(dtype, "dtype");
    }

    /** Keras's defaults: a generated name, trainable, float32. */
    public static LayerSettings defaults() {
        return new LayerSettings(null, true, DType.FLOAT32);
    }
}
