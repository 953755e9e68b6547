package dev.myelin.onnx;

import static dev.myelin.onnx.proto.AttributeProto.ofFloats;
import static dev.myelin.onnx.proto.AttributeProto.ofInt;
import static dev.myelin.onnx.proto.AttributeProto.ofInts;
import static dev.myelin.onnx.proto.AttributeProto.ofString;
import static dev.myelin.onnx.proto.AttributeProto.ofStrings;

import dev.myelin.nn.Activation;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.onnx.proto.AttributeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU operators. ONNX runs time-major ({@code [T, N, F]};
 * its {@code layout=1} batch-major form is not implemented by ONNX Runtime), so the input is transposed in,
 * and the output is {@code Y_h} squeezed to {@code [N, U]} or, with {@code returnSequences}, {@code Y}
 * squeezed and transposed back to {@code [N, T, U]}.
 *
 * <p>Weights: Keras's {@code kernel [F, G·U]} and {@code recurrent_kernel [U, G·U]} become ONNX's
 * {@code W [1, G·U, F]} and {@code R [1, G·U, U]} with the gates reordered: Keras LSTM i, f, c, o is ONNX
 * i, o, f, c; GRU z, r, h is the same in both ({@code linear_before_reset=1} for Keras's {@code reset_after=True},
 * 0 for {@code reset_after=False}). ONNX's {@code B} is the input bias then the recurrent bias (zeros except GRU's).
 */
final class RecurrentExport {
    /** For ONNX LSTM gate j (i, o, f, c), the Keras gate (i, f, c, o) it comes from. */
    private static final int[] LSTM_GATES = {0, 3, 1, 2};
    private static final int[] SAME_GATES = {0, 1, 2};

    private final GraphBuilder g;

    RecurrentExport(GraphBuilder g) {
        this.g = g;
    }

    Value export(RecurrentLayer<?> layer, Value x, int[] outShape, String base) {
        return export(layer, x, outShape, base, false);
    }

    /**
     * As {@link #export(RecurrentLayer, Value, int[], String)}; with {@code sequencesInInputOrder} a
     * backward layer's sequence comes out in input order (ONNX's reverse {@code Y} as it is), which is what
     * {@code Bidirectional} makes of its backward layer's output.
     */
    Value export(RecurrentLayer<?> layer, Value x, int[] outShape, String base, boolean sequencesInInputOrder) {
        if (layer.goBackwards() && layer.returnSequences() && !sequencesInInputOrder) {
            throw LayerExport.refuse(layer, "go_backwards with return_sequences returns the steps reversed, which is not exported");
        }
        int u = layer.units();
        int f = layer.kernel().value().shape().dim(0);
        String op;
        int[] gates;
        List<Activation> activations;
        float[] bias = null; // the input bias [G·U] in Keras gate order
        float[] recurrentBias = null;
        switch (layer) {
            case LSTM l -> {
                op = "LSTM";
                gates = LSTM_GATES;
                activations = List.of(l.recurrentActivation(), Activation.TANH, Activation.TANH);
                if (l.bias() != null) bias = l.bias().value().toFloatArray();
            }
            case GRU gru -> {
                op = "GRU";
                gates = SAME_GATES;
                activations = List.of(gru.recurrentActivation(), Activation.TANH);
                if (gru.bias() != null && gru.resetAfter()) {
                    float[] both = gru.bias().value().toFloatArray(); // [2, 3U]: input bias, recurrent bias
                    bias = java.util.Arrays.copyOfRange(both, 0, 3 * u);
                    recurrentBias = java.util.Arrays.copyOfRange(both, 3 * u, 6 * u);
                } else if (gru.bias() != null) {
                    bias = gru.bias().value().toFloatArray(); // reset_after=False: one [3U] bias, added as ONNX's Wb (Rb = 0)
                }
            }
            case SimpleRNN rnn -> {
                op = "RNN";
                gates = new int[] {0};
                activations = List.of(Activation.TANH);
                if (rnn.bias() != null) bias = rnn.bias().value().toFloatArray();
            }
            default -> throw LayerExport.refuse(layer, "");
        }
        int gcount = gates.length;
        String w = g.floats(base + "/W", reorder(layer.kernel().value().toFloatArray(), f, u, gates), 1, (long) gcount * u, f);
        String r = g.floats(base + "/R", reorder(layer.recurrentKernel().value().toFloatArray(), u, u, gates), 1, (long) gcount * u, u);
        List<String> inputs = new ArrayList<>();
        String timeMajor = g.node("Transpose", base + "/time_major", List.of(x.name()), ofInts("perm", 1, 0, 2));
        inputs.add(timeMajor);
        inputs.add(w);
        inputs.add(r);
        if (bias != null) {
            float[] b = new float[2 * gcount * u];
            for (int j = 0; j < gcount; j++) {
                System.arraycopy(bias, gates[j] * u, b, j * u, u);
                if (recurrentBias != null) System.arraycopy(recurrentBias, gates[j] * u, b, (gcount + j) * u, u);
            }
            inputs.add(g.floats(base + "/B", b, 1, b.length));
        }
        List<AttributeProto> attrs = new ArrayList<>();
        attrs.add(ofInt("hidden_size", u));
        attrs.add(ofString("direction", layer.goBackwards() ? "reverse" : "forward"));
        if (layer instanceof GRU gru) attrs.add(ofInt("linear_before_reset", gru.resetAfter() ? 1 : 0));
        addActivations(layer, activations, attrs);
        String y = g.fresh(base + "/Y");
        String yh = g.fresh(base + "/Y_h");
        g.node(op, base, inputs, List.of(y, yh), attrs.toArray(AttributeProto[]::new)); // LSTM's Y_c is left out
        String out;
        if (layer.returnSequences()) { // Y [T, 1, N, U] -> [T, N, U] -> [N, T, U]
            String squeezed = g.node("Squeeze", base + "/squeeze", List.of(y, g.longs(base + "/axes", 1)));
            out = g.node("Transpose", base + "/batch_major", List.of(squeezed), ofInts("perm", 1, 0, 2));
        } else { // Y_h [1, N, U] -> [N, U]
            out = g.node("Squeeze", base + "/last", List.of(yh, g.longs(base + "/axes", 0)));
        }
        return new Value(out, outShape, false);
    }

    /** Keras {@code [rows, G·U]} (gates side by side) to ONNX {@code [G·U, rows]} in ONNX's gate order. */
    private static float[] reorder(float[] keras, int rows, int u, int[] gates) {
        int gu = gates.length * u;
        float[] out = new float[gu * rows];
        for (int j = 0; j < gates.length; j++)
            for (int k = 0; k < u; k++)
                for (int i = 0; i < rows; i++) out[(j * u + k) * rows + i] = keras[i * gu + gates[j] * u + k];
        return out;
    }

    /** Writes {@code activations} unless they are ONNX's defaults; refuses those ONNX's recurrent operators lack. */
    private static void addActivations(RecurrentLayer<?> layer, List<Activation> activations, List<AttributeProto> attrs) {
        if (activations.getFirst() == Activation.SIGMOID || layer instanceof SimpleRNN) return; // the defaults
        List<String> names = new ArrayList<>();
        List<Float> alphas = new ArrayList<>();
        List<Float> betas = new ArrayList<>();
        for (Activation a : activations) {
            ActivationExport.RnnActivation onnx = ActivationExport.rnnActivation(a);
            if (onnx == null) throw LayerExport.refuse(layer, "recurrent activation " + a.kerasName() + " has no ONNX equivalent in recurrent operators");
            names.add(onnx.name());
            if (!Float.isNaN(onnx.alpha())) {
                alphas.add(onnx.alpha());
                betas.add(onnx.beta());
            }
        }
        attrs.add(ofStrings("activations", names.toArray(String[]::new)));
        if (!alphas.isEmpty()) {
            float[] a = new float[alphas.size()];
            float[] b = new float[betas.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = alphas.get(i);
                b[i] = betas.get(i);
            }
            attrs.add(ofFloats("activation_alpha", a));
            attrs.add(ofFloats("activation_beta", b));
        }
    }
}
