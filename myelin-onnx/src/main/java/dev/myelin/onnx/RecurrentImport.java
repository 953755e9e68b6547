package dev.myelin.onnx;

import dev.myelin.io.FileFormatException;
import dev.myelin.nn.Activation;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.RecurrentLayer;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.onnx.ImportedValue.Computed;
import dev.myelin.onnx.ImportedValue.Constant;
import dev.myelin.onnx.ImportedValue.Layout;
import dev.myelin.onnx.ImportedValue.Zeros;
import dev.myelin.onnx.proto.NodeProto;
import java.util.List;
import java.util.Set;

/**
 * ONNX's LSTM, GRU and RNN operators as Myelin's LSTM, GRU and SimpleRNN: one direction (reverse as
 * {@code go_backwards} when only its last state {@code Y_h} is read), no peepholes or
 * clipping, zero (or absent) initial states and no sequence lengths. ONNX's two biases ({@code B = [Wb, Rb]})
 * are summed into Myelin's one (LSTM, SimpleRNN) or kept as GRU's {@code [2, 3·U]}; gates are reordered
 * from ONNX's i, o, f, c to Keras's i, f, c, o. The layer returns sequences when the graph reads {@code Y},
 * its last state when it reads {@code Y_h}; not both, and never {@code Y_c}.
 */
final class RecurrentImport {
    private static final int[] LSTM_GATES = {0, 2, 3, 1}; // Keras gate k (i, f, c, o) is ONNX gate LSTM_GATES[k] (i, o, f, c)
    private final NodeImport nodes;

    RecurrentImport(NodeImport nodes) {
        this.nodes = nodes;
    }

    void importNode(NodeProto n, Set<String> needed) throws FileFormatException {
        String op = n.opType();
        Computed x = nodes.computed(n, 0);
        if (x.layout() != Layout.TIME_MAJOR) throw nodes.refuse(n, "its input X is " + NodeImport.describe(x) + ", expected time-major [T, N, F]");
        if (NodeImport.intAttr(n, "layout", 0) != 0) throw nodes.refuse(n, "layout=1 (batch-major)");
        String direction = NodeImport.stringAttr(n, "direction", "forward");
        if (!direction.equals("forward") && !direction.equals("reverse")) {
            throw nodes.refuse(n, "direction " + direction + " (one direction is imported: forward, or reverse read through Y_h)");
        }
        if (n.attribute("clip") != null) throw nodes.refuse(n, "cell clipping");
        if (NodeImport.intAttr(n, "input_forget", 0) != 0) throw nodes.refuse(n, "input_forget=1");
        int gates = switch (op) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
        if (nodes.hasInput(n, 4)) throw nodes.refuse(n, "sequence_lens");
        for (int i = 5; i < n.inputs().size(); i++) {
            if (!nodes.hasInput(n, i)) continue;
            if (i == 7) throw nodes.refuse(n, "peephole weights");
            if (!(nodes.value(n, i) instanceof Zeros) && !(nodes.value(n, i) instanceof Constant c && allZero(c.data()))) {
                throw nodes.refuse(n, "a non-zero initial state (input " + i + ")");
            }
        }
        Constant w = nodes.constant(n, 1);
        Constant r = nodes.constant(n, 2);
        int u = (int) NodeImport.intAttr(n, "hidden_size", r.dims().length == 3 ? r.dims()[2] : 0);
        int f = x.tensor().shape().dim(1);
        if (w.dims().length != 3 || w.dims()[0] != 1 || w.dims()[1] != (long) gates * u || w.dims()[2] != f
                || r.dims().length != 3 || r.dims()[0] != 1 || r.dims()[1] != (long) gates * u || r.dims()[2] != u) {
            throw nodes.refuse(n, "W " + java.util.Arrays.toString(w.dims()) + " and R " + java.util.Arrays.toString(r.dims()) + " do not fit "
                    + gates + " gates of hidden_size " + u + " on " + f + " features");
        }
        List<String> activations = n.attribute("activations") == null ? null : n.attribute("activations").texts();
        Activation gate = gateActivation(n, activations);
        boolean wantsY = n.outputs().size() > 0 && needed.contains(n.outputs().get(0));
        boolean wantsH = n.outputs().size() > 1 && needed.contains(n.outputs().get(1));
        if (n.outputs().size() > 2 && needed.contains(n.outputs().get(2))) throw nodes.refuse(n, "reading the cell state Y_c");
        if (wantsY && wantsH) throw nodes.refuse(n, "reading both Y and Y_h");
        boolean reverse = direction.equals("reverse");
        if (reverse && wantsY) {
            throw nodes.refuse(n, "direction reverse with its sequence Y read (ONNX gives a reversed run's steps in input order, Myelin's go_backwards "
                    + "in reversed order); reading Y_h is imported");
        }
        float[] bias = nodes.hasInput(n, 3) ? nodes.vector(n, 3, 2 * gates * u) : null;
        RecurrentLayer<?> layer = switch (op) {
            case "LSTM" -> new LSTM(u).recurrentActivation(gate);
            case "GRU" -> {
                // linear_before_reset=1 is Keras's reset_after=True; 0 is reset_after=False, whose one bias is Wb + Rb
                yield new GRU(u).recurrentActivation(gate).resetAfter(NodeImport.intAttr(n, "linear_before_reset", 0) == 1);
            }
            default -> new SimpleRNN(u);
        };
        layer.returnSequences(wantsY).goBackwards(reverse).useBias(bias != null || op.equals("GRU"));
        SymbolicTensor y = layer.apply(x.tensor());
        int[] order = op.equals("LSTM") ? LSTM_GATES : gates == 3 ? new int[] {0, 1, 2} : new int[] {0};
        nodes.assignLater(layer::kernel, kerasLayout(w.data(), f, u, order));
        nodes.assignLater(layer::recurrentKernel, kerasLayout(r.data(), u, u, order));
        if (layer instanceof GRU gru && gru.resetAfter()) {
            nodes.assignLater(layer::bias, bias == null ? new float[6 * u] : bias); // [Wb; Rb] is GRU's [2, 3U] as it is
        } else if (op.equals("GRU") && bias == null) {
            nodes.assignLater(layer::bias, new float[3 * u]);
        } else if (bias != null) {
            float[] sum = new float[gates * u];
            for (int k = 0; k < gates; k++)
                for (int j = 0; j < u; j++) sum[k * u + j] = bias[order[k] * u + j] + bias[(gates + order[k]) * u + j];
            nodes.assignLater(layer::bias, sum);
        }
        if (wantsY) nodes.define(n.outputs().get(0), new Computed(y, Layout.RNN_Y));
        if (wantsH) nodes.define(n.outputs().get(1), new Computed(y, Layout.RNN_STATE));
    }

    private Activation gateActivation(NodeProto n, List<String> activations) throws FileFormatException {
        List<String> defaults = switch (n.opType()) {
            case "LSTM" -> List.of("Sigmoid", "Tanh", "Tanh");
            case "GRU" -> List.of("Sigmoid", "Tanh");
            default -> List.of("Tanh");
        };
        if (activations == null || activations.equals(defaults)) return Activation.SIGMOID;
        if (!n.opType().equals("RNN") && activations.size() == defaults.size() && activations.get(0).equals("HardSigmoid")
                && activations.subList(1, activations.size()).equals(defaults.subList(1, defaults.size()))) {
            float alpha = n.attribute("activation_alpha") == null ? 0.2f : n.attribute("activation_alpha").floats()[0];
            float beta = n.attribute("activation_beta") == null ? 0.5f : n.attribute("activation_beta").floats()[0];
            if (beta == 0.5f && alpha == 0.2f) return Activation.LEGACY_HARD_SIGMOID;
            if (beta == 0.5f && Math.abs(alpha - 1f / 6f) < 1e-7f) return Activation.HARD_SIGMOID;
        }
        throw nodes.refuse(n, "activations " + activations + " (Myelin's are " + defaults + ", or HardSigmoid gates)");
    }

    /** ONNX {@code [G·U, rows]} in ONNX gate order to Keras {@code [rows, G·U]}: Keras gate k from ONNX gate order[k]. */
    private static float[] kerasLayout(float[] onnx, int rows, int u, int[] order) {
        int gu = order.length * u;
        float[] out = new float[onnx.length];
        for (int k = 0; k < order.length; k++)
            for (int j = 0; j < u; j++)
                for (int i = 0; i < rows; i++) out[i * gu + k * u + j] = onnx[(order[k] * u + j) * rows + i];
        return out;
    }

    private static boolean allZero(float[] v) {
        for (float x : v) if (x != 0f) return false;
        return true;
    }
}
