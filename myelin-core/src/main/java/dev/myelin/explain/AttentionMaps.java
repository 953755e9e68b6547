package dev.myelin.explain;

import dev.myelin.io.PngWriter;
import dev.myelin.models.Model;
import dev.myelin.nn.attention.AttentionRecorder;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attention weights of a model's attention layers on some inputs, per layer and head, with attention
 * rollout across a stack of self-attention layers and pictures of both.
 *
 * <p>Shapes: {@link #scores} {@code [B, heads, T, S]} (row {@code t}: how much query position {@code t}
 * attends to each key position; every row sums to 1, masked keys get 0); {@link #headAverage}
 * {@code [B, T, S]}; {@link #rollout} {@code [B, T, T]}.
 *
 * <p>Rollout (Abnar and Zuidema, 2020, "Quantifying Attention Flow in Transformers"): each layer's
 * head-averaged weights mixed with the residual connection, {@code Â = ½·A + ½·I}, rows renormalised, and
 * multiplied through the layers in order: {@code R = Â_L · … · Â_1}. Row {@code t} of {@code R} estimates
 * how much each input token contributes to position {@code t} after the last layer. Raw attention maps
 * are not attributions (Jain and Wallace, 2019): read them as where the model looked, and use
 * {@link IntegratedGradients} for what mattered.
 *
 * <p>Example:
 * <pre>{@code
 * AttentionMaps maps = AttentionMaps.record(classifier, tokens);          // tokens [B, T]
 * maps.writePng(maps.layers().get(0), 0, 8, Path.of("heads.png"));        // one tile per head
 * double[] toFirst = maps.rolloutMean(0);                                // per token, for TokenHtml
 * }</pre>
 */
public final class AttentionMaps {
    private final Map<String, Tensor> scores;

    private AttentionMaps(Map<String, Tensor> scores) {
        this.scores = scores;
    }

    /**
     * Runs {@code model} on {@code x} in inference mode and keeps every attention layer's weights (a layer
     * called several times, as a shared one, keeps its first call's).
     *
     * @throws IllegalArgumentException when the model has no attention layer
     */
    public static AttentionMaps record(Model model, Tensor x) {
        return record(model, List.of(x));
    }

    /** As {@link #record(Model, Tensor)} for a model with several inputs. */
    public static AttentionMaps record(Model model, List<Tensor> xs) {
        var recording = AttentionRecorder.record(() -> model.call(xs, false));
        if (recording.scores().isEmpty()) {
            throw new IllegalArgumentException("model '" + model.name() + "' made no attention call: it has no MultiHeadAttention, "
                    + "TransformerEncoder or TransformerDecoder layer");
        }
        Map<String, Tensor> first = new LinkedHashMap<>();
        recording.scores().forEach((layer, calls) -> first.put(layer, calls.get(0)));
        return new AttentionMaps(Collections.unmodifiableMap(first));
    }

    /** The attention layers' names, in the order the forward pass called them. */
    public List<String> layers() {
        return List.copyOf(scores.keySet());
    }

    /** The weights {@code [B, heads, T, S]} of {@code layer}. */
    public Tensor scores(String layer) {
        Tensor s = scores.get(layer);
        if (s == null) throw new IllegalArgumentException("no attention layer '" + layer + "'; recorded: " + scores.keySet());
        return s;
    }

    /** The weights of {@code layer} averaged over its heads, {@code [B, T, S]}. */
    public Tensor headAverage(String layer) {
        return scores(layer).mean(new int[] {1}, false);
    }

    /**
     * Attention rollout {@code [B, T, T]} over every recorded layer, in call order (see the class comment).
     *
     * @throws IllegalArgumentException when a layer is not self-attention ({@code T ≠ S}, as cross-attention)
     */
    public Tensor rollout() {
        Tensor r = null;
        for (String layer : scores.keySet()) {
            Tensor a = headAverage(layer).contiguous();
            int b = a.dim(0), t = a.dim(1), s = a.dim(2);
            if (t != s) throw new IllegalArgumentException("rollout needs self-attention layers; '" + layer + "' attends from " + t + " to " + s + " positions");
            float[] v = a.toFloatArray();
            for (int i = 0; i < b; i++) {
                for (int row = 0; row < t; row++) {
                    int base = (i * t + row) * t;
                    v[base + row] += 1f;
                    double sum = 0;
                    for (int c = 0; c < t; c++) sum += v[base + c];
                    for (int c = 0; c < t; c++) v[base + c] = (float) (v[base + c] / sum);
                }
            }
            Tensor mixed = Tensor.of(v, b, t, t);
            if (r != null && r.dim(1) != t) throw new IllegalArgumentException("rollout: layer '" + layer + "' has " + t + " positions, the layers before " + r.dim(1));
            r = r == null ? mixed : mixed.matmul(r);
        }
        return r;
    }

    /**
     * Sample {@code sample}'s rollout averaged over the query positions, one value per input token
     * (what {@link TokenHtml#of} colours for a model that pools over all positions).
     */
    public double[] rolloutMean(int sample) {
        Tensor r = rollout();
        if (sample < 0 || sample >= r.dim(0)) throw new IllegalArgumentException("sample " + sample + " outside the batch of " + r.dim(0));
        Tensor row = r.slice(0, sample, sample + 1).mean(new int[] {0, 1}, false);
        return row.toDoubleArray();
    }

    /**
     * Writes one PNG with a tile per head of {@code layer} for sample {@code sample}: rows are query
     * positions, columns key positions, each weight drawn in {@link ColorMap#VIRIDIS} relative to the tile's
     * largest weight, {@code scale × scale} pixels each.
     */
    public void writePng(String layer, int sample, int scale, Path file) throws IOException {
        Tensor s = scores(layer);
        if (sample < 0 || sample >= s.dim(0)) throw new IllegalArgumentException("sample " + sample + " outside the batch of " + s.dim(0));
        int heads = s.dim(1), t = s.dim(2), k = s.dim(3);
        float[] v = s.slice(0, sample, sample + 1).contiguous().toFloatArray();
        float[] rgb = new float[heads * t * k * 3];
        for (int h = 0; h < heads; h++) {
            double max = 0;
            for (int p = h * t * k; p < (h + 1) * t * k; p++) max = Math.max(max, v[p]);
            for (int p = h * t * k; p < (h + 1) * t * k; p++) {
                double[] c = ColorMap.VIRIDIS.rgb(max > 0 ? v[p] / max : 0);
                for (int ch = 0; ch < 3; ch++) rgb[p * 3 + ch] = (float) c[ch];
            }
        }
        PngWriter.writeGrid(Tensor.of(rgb, heads, t, k, 3), Math.min(heads, 4), 0, 1, scale, file);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        scores.forEach((layer, s) -> parts.add(layer + " " + s.shape()));
        return "AttentionMaps" + parts;
    }
}
