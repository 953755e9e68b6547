package dev.myelin.nn.attention;

import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Records the attention weights of every {@link MultiHeadAttention} call made while a forward pass runs,
 * including the ones inside {@link TransformerEncoder} and {@link TransformerDecoder} blocks, which do not
 * return them. While recording, each attention layer takes the composed path that materialises the
 * probabilities ({@code softmax(q·kᵀ/√d + mask)}) instead of the fused kernel; outside a recording nothing
 * changes and nothing is kept.
 *
 * <p>Shapes: each call's weights are {@code [B, heads, T, S]}; a layer called several times (a model's
 * {@code predict} in batches) keeps one entry per call, in order.
 *
 * <p>Example:
 * <pre>{@code
 * var rec = AttentionRecorder.record(() -> model.predict(tokens));
 * Tensor firstBlock = rec.scores().get("transformer_encoder/self_attention").get(0);
 * }</pre>
 *
 * <p>The recording is bound to the calling thread for the duration of {@code forward} (a scoped value), so
 * two threads recording at once do not see each other's layers.
 */
public final class AttentionRecorder {
    private static final ScopedValue<AttentionRecorder> CURRENT = ScopedValue.newInstance();

    private final Map<String, List<Tensor>> scores = new LinkedHashMap<>();

    private AttentionRecorder() {}

    /** What a recorded forward pass returned, and every attention layer's weights by layer name, in call order. */
    public record Recording<T>(T value, Map<String, List<Tensor>> scores) {}

    /** Runs {@code forward} while recording, and returns its value with the weights of every attention call it made. */
    public static <T> Recording<T> record(Supplier<T> forward) {
        AttentionRecorder recorder = new AttentionRecorder();
        List<T> value = new ArrayList<>(1);
        ScopedValue.where(CURRENT, recorder).run(() -> value.add(forward.get()));
        Map<String, List<Tensor>> copy = new LinkedHashMap<>();
        recorder.scores.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return new Recording<>(value.get(0), Collections.unmodifiableMap(copy));
    }

    /** The recorder of the forward pass running on this thread, or null. */
    static AttentionRecorder current() {
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    void add(String layer, Tensor weights) {
        scores.computeIfAbsent(layer, k -> new ArrayList<>()).add(weights.detach());
    }
}
