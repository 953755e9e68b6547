package dev.myelin.keras;

import dev.myelin.io.FileFormatException;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.tensor.Tensor;
import io.jhdf.api.Dataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Keras 1 LSTM's weights, stored per gate (its default {@code consume_less="cpu"} or {@code "mem"}):
 * twelve arrays {@code W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o} (named like
 * {@code lstm_1_W_i:0}, listed in the order i, c, f, o), joined into Keras 2's and Myelin's fused
 * {@code kernel [features, 4·units]}, {@code recurrent_kernel [units, 4·units]} and {@code bias [4·units]}
 * with the gate blocks in the order i, f, c, o. Each array is found by its name, not its position.
 * (Keras 1 with {@code consume_less="gpu"} already stored the fused arrays.)
 */
final class Keras1SplitLstm {
    /** The fused gate order, Keras 2's and Myelin's. */
    private static final char[] GATES = {'i', 'f', 'c', 'o'};
    /** {@code W_i}, {@code U_c}, {@code b_o}, ... at the end of a weight name, after "_" or "/", before an optional ":0". */
    private static final Pattern NAME = Pattern.compile("(?:^|[_/])([WUb])_([icfo])(?::\\d+)?$");

    private Keras1SplitLstm() {}

    /** Whether {@code datasets} are the twelve per-gate arrays, one of each kind and gate. */
    static boolean matches(List<Dataset> datasets) {
        return datasets.size() == 12 && byName(datasets) != null;
    }

    /** Sets {@code lstm}'s kernel, recurrent kernel and bias from the twelve per-gate arrays. */
    static void assign(LSTM lstm, List<Dataset> datasets, String where) throws FileFormatException {
        Map<String, Dataset> parts = byName(datasets);
        if (parts == null) throw new FileFormatException(where + ": layer '" + lstm.name() + "': expected Keras 1's per-gate LSTM arrays");
        if (lstm.weights().size() != 3 || lstm.bias() == null) {
            throw new FileFormatException(where + ": layer '" + lstm.name() + "' has " + lstm.weights().size()
                    + " weights but the file holds Keras 1's twelve per-gate arrays, which include biases (use_bias must be true)");
        }
        int features = lstm.kernel().value().dim(0), units = lstm.units();
        List<Tensor> kernel = new ArrayList<>(), recurrent = new ArrayList<>(), bias = new ArrayList<>();
        for (char gate : GATES) {
            kernel.add(WeightReader.read(parts.get("W_" + gate), new int[] {features, units}, lstm, "kernel, gate " + gate, where));
            recurrent.add(WeightReader.read(parts.get("U_" + gate), new int[] {units, units}, lstm, "recurrent_kernel, gate " + gate, where));
            bias.add(WeightReader.read(parts.get("b_" + gate), new int[] {units}, lstm, "bias, gate " + gate, where));
        }
        WeightReader.assignValues(lstm, List.of(Tensor.concat(kernel, 1), Tensor.concat(recurrent, 1), Tensor.concat(bias, 0)));
    }

    /** The datasets keyed {@code W_i} ... {@code b_o}, or null unless there is exactly one of each. */
    private static Map<String, Dataset> byName(List<Dataset> datasets) {
        Map<String, Dataset> parts = new HashMap<>();
        for (Dataset d : datasets) {
            Matcher m = NAME.matcher(d.getName());
            if (!m.find() || parts.put(m.group(1) + "_" + m.group(2), d) != null) return null;
        }
        return parts.size() == 12 ? parts : null;
    }
}
