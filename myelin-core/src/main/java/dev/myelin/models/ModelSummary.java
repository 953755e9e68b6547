package dev.myelin.models;

import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.tensor.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Formats {@link Model#summary()} as Keras does: one row per layer call, then parameter totals. */
final class ModelSummary {
    private ModelSummary() {}

    static String format(Model model, List<SymbolicTensor> steps) {
        boolean functional = !(model instanceof Sequential);
        int longest = 0; // a long "name (Type)" widens the first column instead of pushing its row out of line
        for (SymbolicTensor t : steps) longest = Math.max(longest, t.layer().name().length() + typeName(t.layer()).length() + 4);
        if (functional) for (SymbolicTensor in : model.inputs()) longest = Math.max(longest, inputName(in).length() + 15);
        int w1 = Math.max(34, longest + 1), w2 = 26, w3 = 12, w4 = functional ? 30 : 0;
        int width = w1 + w2 + w3 + w4;
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(model.name()).append("\"\n");
        sb.append("_".repeat(width)).append('\n');
        row(sb, functional, w1, w2, w3, "Layer (type)", "Output Shape", "Param #", "Connected to");
        sb.append("=".repeat(width)).append('\n');
        if (functional) {
            for (SymbolicTensor in : model.inputs()) {
                row(sb, true, w1, w2, w3, inputName(in) + " (InputLayer)", shape(in.shape()), "0", "-");
            }
        }
        Set<Layer> counted = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            SymbolicTensor t = steps.get(i);
            Layer l = t.layer();
            long params = counted.add(l) ? l.countParams() : 0;
            List<String> sources = new ArrayList<>(t.inputs().stream().map(ModelSummary::source).toList());
            t.keywordTensors().forEach((keyword, x) -> sources.add(keyword + "=" + source(x))); // Keras's attention_mask=mask
            String from = String.join(", ", sources);
            row(sb, functional, w1, w2, w3, l.name() + " (" + typeName(l) + ")", shape(t.shape()), group(params), from);
        }
        sb.append("=".repeat(width)).append('\n');
        long total = 0, trainable = 0;
        for (Parameter p : model.weights()) {
            total += p.value().size();
            if (p.trainable()) trainable += p.value().size();
        }
        sb.append("Total params: ").append(group(total)).append(" (").append(bytes(total * 4)).append(")\n");
        sb.append("Trainable params: ").append(group(trainable)).append(" (").append(bytes(trainable * 4)).append(")\n");
        sb.append("Non-trainable params: ").append(group(total - trainable)).append(" (").append(bytes((total - trainable) * 4)).append(")\n");
        sb.append("_".repeat(width)).append('\n');
        return sb.toString();
    }

    /** A nested model shows as one row of its model's class, as Keras shows {@code sequential (Sequential)}. */
    private static String typeName(Layer l) {
        return l instanceof ModelLayer nested ? nested.model().getClass().getSimpleName() : l.getClass().getSimpleName();
    }

    /** Where a tensor comes from: its input's name or its layer's. */
    private static String source(SymbolicTensor x) {
        return x.isInput() ? inputName(x) : x.layer().name();
    }

    private static String inputName(SymbolicTensor in) {
        return in.inputName();
    }

    private static void row(StringBuilder sb, boolean functional, int w1, int w2, int w3, String a, String b, String c, String d) {
        sb.append(pad(" " + a, w1)).append(pad(b, w2)).append(pad(c, w3));
        if (functional) sb.append(d);
        sb.append('\n');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    private static String shape(Shape s) {
        StringBuilder sb = new StringBuilder("(None");
        for (int i = 0; i < s.rank(); i++) sb.append(", ").append(s.dim(i));
        return sb.append(')').toString();
    }

    static String group(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.2f KB", b / 1024.0);
        return String.format(Locale.ROOT, "%.2f MB", b / (1024.0 * 1024));
    }
}
