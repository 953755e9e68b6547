package dev.myelin.onnx;

import static dev.myelin.onnx.proto.AttributeProto.ofFloat;
import static dev.myelin.onnx.proto.AttributeProto.ofInt;
import static dev.myelin.onnx.proto.AttributeProto.ofInts;

import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.TransformerDecoder;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.attention.TransformerSettings;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.onnx.proto.TensorProto;
import dev.myelin.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The attention and Transformer layers as ONNX nodes (opset 17), with Keras's formulas: LayerNormalization
 * is ONNX's operator of that name over the last axis; multi-head attention is composed of MatMul, Reshape,
 * Transpose and Softmax, the query scaled by {@code 1/sqrt(key_dim)} before {@code Q·Kᵀ} as Keras does;
 * a causal mask is a constant lower triangle, its masked scores replaced by {@code −1e9} with Where (Keras's
 * {@code where(mask, scores, −1e9)}); the Transformer blocks wire these with their residual sums as
 * keras-hub (post-norm or pre-norm). The position layers add no operator of their own: their table is a
 * constant expanded to the input's shape. Weights are read from the layers by their Keras names.
 */
final class AttentionExport {
    /** Keras's score for a masked position (MultiHeadAttention's {@code _large_negative_number}). */
    private static final float MASKED_SCORE = -1e9f;

    private final GraphBuilder g;

    AttentionExport(GraphBuilder g) {
        this.g = g;
    }

    // ---- layers ----

    Value layerNorm(LayerNormalization l, Value x, String base) {
        int rank = x.shape().length + 1;
        int axis = l.axis() < 0 ? l.axis() + rank : l.axis();
        if (axis != rank - 1) throw LayerExport.refuse(l, "normalizing over axis " + l.axis() + " of a rank-" + rank + " input (the last axis is exported)");
        String y = layerNorm(x.name(), x.shape()[x.shape().length - 1], l.gamma(), l.beta(), l.epsilon(), base);
        return new Value(y, x.shape(), false, x.masked());
    }

    /** ONNX's LayerNormalization over the last axis; a missing gamma is ones (ONNX's Scale is required), a missing beta left out. */
    private String layerNorm(String x, int features, Parameter gamma, Parameter beta, double epsilon, String base) {
        float[] ones = new float[features];
        Arrays.fill(ones, 1f);
        String scale = g.floats(base + "/gamma", gamma == null ? ones : gamma.value().toFloatArray(), features);
        List<String> in = beta == null ? List.of(x, scale) : List.of(x, scale, g.floats(base + "/beta", beta.value().toFloatArray(), features));
        return g.node("LayerNormalization", base + "/layer_norm", in, ofInt("axis", -1), ofFloat("epsilon", (float) epsilon));
    }

    /**
     * Multi-head attention of query {@code in[0]} over value {@code in[1]} (key {@code in[2]}, or the value);
     * self-attention with one input; {@code causal} for a functional call with {@code use_causal_mask};
     * {@code mask} (null for none) the call's {@code attention_mask}, {@code [N, T, S]} or {@code [N, H, T, S]}
     * (a dimension may be 1), where values above 0.5 attend, as Myelin's and Keras's masks.
     */
    Value multiHeadAttention(MultiHeadAttention m, List<Value> in, int[] outShape, String base, boolean causal, Value mask) {
        Value q = in.getFirst();
        Value v = in.size() > 1 ? in.get(1) : q;
        Value k = in.size() > 2 ? in.get(2) : v;
        String keep = null;
        if (mask != null) {
            keep = g.node("Greater", base + "/attention_mask_keep", List.of(mask.name(), g.scalar(base + "/attention_mask_half", 0.5f)));
            if (mask.shape().length == 2) { // [N, T, S] -> [N, 1, T, S]: one mask for every head
                keep = g.node("Unsqueeze", base + "/attention_mask_heads", List.of(keep, g.longs(base + "/attention_mask_axis", 1)));
            }
        }
        String y = attention(m, m.name(), q.name(), q.shape()[0], k.name(), v.name(), v.shape()[0], causal, keep, base);
        return new Value(y, outShape, false);
    }

    /**
     * The attention whose weights are {@code prefix/query/kernel} ... {@code prefix/attention_output/bias}
     * of {@code owner}: {@code [N, t, Dq]} queries over {@code [N, s, D]} keys and values.
     */
    private String attention(Layer owner, String prefix, String query, int t, String key, String value, int s, boolean causal, String base) {
        return attention(owner, prefix, query, t, key, value, s, causal, null, base);
    }

    /** As above, also keeping only the positions where the boolean {@code keep} (null: every position; broadcast to the scores) is true. */
    private String attention(Layer owner, String prefix, String query, int t, String key, String value, int s, boolean causal, String keep, String base) {
        Parameter wq = weight(owner, prefix + "/query/kernel"); // [Dq, H, kd]
        int heads = wq.value().dim(1), keyDim = wq.value().dim(2);
        Parameter wo = weight(owner, prefix + "/attention_output/kernel"); // [H, vd, out]
        int valueDim = wo.value().dim(1), out = wo.value().dim(2);
        String qh = heads(owner, prefix + "/query", query, t, heads, keyDim, base + "/query", 0, 2, 1, 3);
        String scaled = g.node("Mul", base + "/query_scaled", List.of(qh, g.scalar(base + "/scale", (float) (1.0 / Math.sqrt(keyDim)))));
        String kt = heads(owner, prefix + "/key", key, s, heads, keyDim, base + "/key", 0, 2, 3, 1);
        String vh = heads(owner, prefix + "/value", value, s, heads, valueDim, base + "/value", 0, 2, 1, 3);
        String scores = g.node("MatMul", base + "/scores", List.of(scaled, kt)); // [N, H, t, s]
        if (causal) {
            float[] lower = new float[t * s];
            for (int i = 0; i < t; i++) for (int j = 0; j <= i && j < s; j++) lower[i * s + j] = 1;
            String lowerKeep = g.node("Cast", base + "/causal_mask", List.of(g.floats(base + "/lower_triangle", lower, t, s)), ofInt("to", TensorProto.BOOL));
            keep = keep == null ? lowerKeep : g.node("And", base + "/attention_and_causal_mask", List.of(keep, lowerKeep));
        }
        if (keep != null) scores = g.node("Where", base + "/masked_scores", List.of(keep, scores, g.scalar(base + "/masked_score", MASKED_SCORE)));
        String weights = g.node("Softmax", base + "/weights", List.of(scores), ofInt("axis", -1));
        String attended = g.node("MatMul", base + "/attended", List.of(weights, vh)); // [N, H, t, vd]
        String merged = g.node("Transpose", base + "/merge_heads", List.of(attended), ofInts("perm", 0, 2, 1, 3));
        String flat = g.node("Reshape", base + "/merged", List.of(merged, g.longs(base + "/merged_shape", -1, t, (long) heads * valueDim)));
        return project(owner, prefix + "/attention_output", flat, heads * valueDim, out, base + "/output");
    }

    /** {@code x·W + b} with {@code W [D, H, dim]} seen as {@code [D, H·dim]}, split into heads and transposed by {@code perm}. */
    private String heads(Layer owner, String prefix, String x, int steps, int heads, int dim, String base, long... perm) {
        Parameter w = weight(owner, prefix + "/kernel");
        String y = project(owner, prefix, x, w.value().dim(0), heads * dim, base);
        String split = g.node("Reshape", base + "/split", List.of(y, g.longs(base + "/split_shape", -1, steps, heads, dim)));
        return g.node("Transpose", base + "/heads", List.of(split), ofInts("perm", perm));
    }

    /** {@code x·kernel + bias} of the weights {@code prefix/kernel} (any shape, seen as {@code [rows, cols]}) and {@code prefix/bias} (when present). */
    private String project(Layer owner, String prefix, String x, int rows, int cols, String base) {
        String w = g.floats(base + "/kernel", weight(owner, prefix + "/kernel").value().toFloatArray(), rows, cols);
        String y = g.node("MatMul", base + "/matmul", List.of(x, w));
        Parameter bias = optionalWeight(owner, prefix + "/bias");
        return bias == null ? y : g.node("Add", base + "/add", List.of(y, g.floats(base + "/bias", bias.value().toFloatArray(), cols)));
    }

    Value encoder(TransformerEncoder e, Value x, String base) {
        TransformerSettings s = e.block();
        int t = x.shape()[0], width = x.shape()[1];
        String n = e.name();
        String h = residual(e, n + "/self_attention_layer_norm", s, x.name(), width,
                q -> attention(e, n + "/self_attention", q, t, q, q, t, false, base + "/self_attention"), base + "/self_attention_block");
        h = residual(e, n + "/feedforward_layer_norm", s, h, width, f -> feedForward(e, s, f, width), base + "/feedforward_block");
        return new Value(h, x.shape(), false);
    }

    Value decoder(TransformerDecoder d, List<Value> in, String base) {
        TransformerSettings s = d.block();
        Value x = in.getFirst();
        int t = x.shape()[0], width = x.shape()[1];
        String n = d.name();
        String h = residual(d, n + "/self_attention_layer_norm", s, x.name(), width,
                q -> attention(d, n + "/self_attention", q, t, q, q, t, true, base + "/self_attention"), base + "/self_attention_block");
        if (d.hasCrossAttention()) {
            Value encoder = in.get(1);
            int source = encoder.shape()[0];
            h = residual(d, n + "/cross_attention_layer_norm", s, h, width,
                    q -> attention(d, n + "/cross_attention", q, t, encoder.name(), encoder.name(), source, false, base + "/cross_attention"),
                    base + "/cross_attention_block");
        }
        h = residual(d, n + "/feedforward_layer_norm", s, h, width, f -> feedForward(d, s, f, width), base + "/feedforward_block");
        return new Value(h, x.shape(), false);
    }

    /** keras-hub's residual sublayer: {@code norm(x + f(x))} (post-norm) or {@code x + f(norm(x))} (pre-norm); dropout is left out (inference). */
    private String residual(Layer owner, String norm, TransformerSettings s, String x, int width, java.util.function.UnaryOperator<String> sublayer, String base) {
        String in = s.normalizeFirst() ? layerNorm(x, width, weight(owner, norm + "/gamma"), weight(owner, norm + "/beta"), s.layerNormEpsilon(), base + "/pre_norm") : x;
        String sum = g.node("Add", base + "/residual", List.of(sublayer.apply(in), x));
        return s.normalizeFirst() ? sum : layerNorm(sum, width, weight(owner, norm + "/gamma"), weight(owner, norm + "/beta"), s.layerNormEpsilon(), base + "/post_norm");
    }

    /** {@code activation(x·W1 + b1)·W2 + b2}. */
    private String feedForward(Layer owner, TransformerSettings s, String x, int width) {
        String prefix = owner.name();
        String base = prefix + "/feedforward";
        String inner = project(owner, prefix + "/feedforward_intermediate_dense", x, width, s.intermediateDim(), base + "/intermediate");
        String activated = ActivationExport.apply(g, s.activation(), new Value(inner, new int[] {1, s.intermediateDim()}, false), base + "/activation").name();
        return project(owner, prefix + "/feedforward_output_dense", activated, s.intermediateDim(), width, base + "/output");
    }

    /**
     * PositionEmbedding and SinePositionEncoding, whose output depends on the input's shape only: a
     * {@code [time, width]} table expanded to the input's shape. PositionEmbedding's whole table
     * {@code [sequence_length, width]} is stored and its first {@code time} rows sliced (so it reads back
     * with all its weights); SinePositionEncoding's is the layer's own output for one example (so the formula
     * stays in one place).
     */
    Value positions(Layer layer, Value x, String base) {
        int t = x.shape()[0], width = x.shape()[1];
        String table;
        if (layer instanceof PositionEmbedding p && p.sequenceLength() > t) {
            String all = g.floats(base + "/embeddings", p.embeddings().value().toFloatArray(), p.sequenceLength(), width);
            table = g.node("Slice", base + "/first_rows", List.of(all, g.longs(base + "/starts", 0), g.longs(base + "/ends", t), g.longs(base + "/axes", 0)));
        } else {
            float[] rows = layer.call(Tensor.zeros(1, t, width), false).toFloatArray();
            table = g.floats(base + (layer instanceof PositionEmbedding ? "/embeddings" : "/table"), rows, t, width);
        }
        String shape = g.node("Shape", base + "/input_shape", List.of(x.name()));
        return new Value(g.node("Expand", base + "/positions", List.of(table, shape)), x.shape(), false);
    }

    private static Parameter weight(Layer owner, String fullName) {
        Parameter p = optionalWeight(owner, fullName);
        if (p == null) throw new IllegalStateException("layer '" + owner.name() + "' has no weight '" + fullName + "'");
        return p;
    }

    private static Parameter optionalWeight(Layer owner, String fullName) {
        for (Parameter p : owner.weights()) if (p.name().equals(fullName)) return p;
        return null;
    }
}
