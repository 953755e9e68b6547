package dev.myelin.cli;

import com.google.gson.JsonObject;
import dev.myelin.nn.Layer;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.nn.recurrent.SimpleRNN;
import java.util.Locale;

/**
 * The sequence layers of a model file ({@link ModelSpec}), with Keras's names: {@code LSTM}, {@code GRU},
 * {@code SimpleRNN} ({@code units}, {@code return_sequences}, {@code go_backwards}, {@code dropout},
 * {@code recurrent_dropout}), {@code Bidirectional} ({@code layer}: one of those, {@code merge_mode}:
 * concat, sum, mul, ave), {@code Embedding} ({@code input_dim}, {@code output_dim}, {@code mask_zero}) and
 * {@code Masking} ({@code mask_value}).
 */
final class SequenceLayerSpecs {
    static final String TYPES = "LSTM, GRU, SimpleRNN, Bidirectional, Embedding, Masking";

    private SequenceLayerSpecs() {}

    /** The layer {@code l} describes, or null when its type is not a sequence layer. */
    static Layer fromJson(JsonObject l, String type) {
        return switch (type) {
            case "LSTM", "GRU", "SimpleRNN" -> recurrent(l, type);
            case "Bidirectional" -> {
                if (!l.has("layer") || !l.get("layer").isJsonObject()) throw new IllegalArgumentException("Bidirectional needs \"layer\": {\"type\": \"LSTM\", ...}");
                JsonObject inner = l.getAsJsonObject("layer");
                String innerType = inner.has("type") ? inner.get("type").getAsString() : "";
                if (!innerType.equals("LSTM") && !innerType.equals("GRU") && !innerType.equals("SimpleRNN")) {
                    throw new IllegalArgumentException("Bidirectional \"layer\" must be an LSTM, GRU or SimpleRNN, got \"" + innerType + "\"");
                }
                String merge = l.has("merge_mode") ? l.get("merge_mode").getAsString() : "concat";
                Bidirectional.Merge mode;
                try {
                    mode = Bidirectional.Merge.valueOf(merge.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Bidirectional \"merge_mode\" must be concat, sum, mul or ave, got \"" + merge + "\"");
                }
                yield new Bidirectional(recurrent(inner, innerType), mode);
            }
            case "Embedding" -> new Embedding(need(l, "input_dim"), need(l, "output_dim"))
                    .maskZero(l.has("mask_zero") && l.get("mask_zero").getAsBoolean());
            case "Masking" -> new Masking(l.has("mask_value") ? l.get("mask_value").getAsDouble() : 0.0);
            default -> null;
        };
    }

    private static RecurrentLayer recurrent(JsonObject l, String type) {
        int units = need(l, "units");
        RecurrentLayer r = switch (type) {
            case "LSTM" -> new LSTM(units);
            case "GRU" -> new GRU(units);
            default -> new SimpleRNN(units);
        };
        if (l.has("return_sequences")) r.returnSequences(l.get("return_sequences").getAsBoolean());
        if (l.has("go_backwards")) r.goBackwards(l.get("go_backwards").getAsBoolean());
        if (l.has("dropout")) r.dropout(l.get("dropout").getAsDouble());
        if (l.has("recurrent_dropout")) r.recurrentDropout(l.get("recurrent_dropout").getAsDouble());
        return r;
    }

    private static int need(JsonObject l, String key) {
        if (!l.has(key)) throw new IllegalArgumentException(l.get("type").getAsString() + " needs \"" + key + "\"");
        return l.get(key).getAsInt();
    }
}
