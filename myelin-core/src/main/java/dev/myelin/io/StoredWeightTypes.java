package dev.myelin.io;

/**
 * Implemented by a layer that wants some of its float32 weights stored in a narrower safetensors type in
 * model files, such as an int8-quantized layer whose kernel holds integers in [−127, 127] (stored as
 * {@link Safetensors.DType#I8}: a quarter of the bytes). Reading widens them back to float32 exactly.
 */
public interface StoredWeightTypes {
    /**
     * The type weight {@code shortName} ({@code "kernel"}) is stored as, or null for the default (F32 for a
     * float32 weight). The weight's values must fit the type exactly: an integer type takes only integers in
     * its range.
     */
    Safetensors.DType storedType(String shortName);
}
