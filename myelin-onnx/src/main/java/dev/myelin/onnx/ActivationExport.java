package dev.myelin.onnx;

import static dev.myelin.onnx.proto.AttributeProto.ofFloat;
import static dev.myelin.onnx.proto.AttributeProto.ofInt;

import dev.myelin.nn.Activation;
import java.util.List;

/** Myelin's activations as ONNX nodes (opset 17), with Keras's constants written explicitly. */
final class ActivationExport {
    private ActivationExport() {}

    /**
     * {@code activation} applied to {@code v}. Softmax is over Myelin's last axis: the channels, which is
     * axis 1 of a tensor held channels-first.
     */
    static Value apply(GraphBuilder g, Activation activation, Value v, String base) {
        String x = v.name();
        String y = switch (activation) {
            case LINEAR -> x;
            case RELU -> g.node("Relu", base, List.of(x));
            case LEAKY_RELU -> g.node("LeakyRelu", base, List.of(x), ofFloat("alpha", 0.2f));
            case ELU -> g.node("Elu", base, List.of(x), ofFloat("alpha", 1f));
            case GELU -> gelu(g, x, base);
            case GELU_APPROXIMATE -> geluTanh(g, x, base);
            case SWISH -> g.node("Mul", base, List.of(x, g.node("Sigmoid", base + "/sigmoid", List.of(x))));
            case SIGMOID -> g.node("Sigmoid", base, List.of(x));
            case TANH -> g.node("Tanh", base, List.of(x));
            case SOFTMAX -> g.node("Softmax", base, List.of(x), ofInt("axis", v.channelsFirst() ? 1 : -1));
            case SOFTPLUS -> g.node("Softplus", base, List.of(x));
            // Keras 3: relu6(x + 3) / 6 = clip(x/6 + 1/2, 0, 1); Keras 1/2: clip(0.2·x + 0.5, 0, 1)
            case HARD_SIGMOID -> g.node("HardSigmoid", base, List.of(x), ofFloat("alpha", 1f / 6f), ofFloat("beta", 0.5f));
            case LEGACY_HARD_SIGMOID -> g.node("HardSigmoid", base, List.of(x), ofFloat("alpha", 0.2f), ofFloat("beta", 0.5f));
        };
        return new Value(y, v.shape(), v.channelsFirst());
    }

    /** The exact GELU, {@code 0.5·x·(1 + erf(x/√2))} (opset 17 has no Gelu operator; opset 20 does). */
    private static String gelu(GraphBuilder g, String x, String base) {
        String scaled = g.node("Div", base + "/scaled", List.of(x, g.scalar(base + "/sqrt2", (float) Math.sqrt(2.0))));
        String erf = g.node("Erf", base + "/erf", List.of(scaled));
        String onePlus = g.node("Add", base + "/one_plus", List.of(erf, g.scalar(base + "/one", 1f)));
        String times = g.node("Mul", base + "/times_x", List.of(x, onePlus));
        return g.node("Mul", base, List.of(times, g.scalar(base + "/half", 0.5f)));
    }

    /** GELU's tanh form, {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (Keras's {@code gelu(x, approximate=True)}). */
    private static String geluTanh(GraphBuilder g, String x, String base) {
        String cube = g.node("Mul", base + "/x3", List.of(x, g.node("Mul", base + "/x2", List.of(x, x))));
        String inner = g.node("Add", base + "/inner", List.of(x, g.node("Mul", base + "/c_x3", List.of(cube, g.scalar(base + "/c", 0.044715f)))));
        String tanh = g.node("Tanh", base + "/tanh", List.of(g.node("Mul", base + "/scaled", List.of(inner, g.scalar(base + "/k", (float) Math.sqrt(2 / Math.PI))))));
        String onePlus = g.node("Add", base + "/one_plus", List.of(tanh, g.scalar(base + "/one", 1f)));
        String times = g.node("Mul", base + "/times_x", List.of(x, onePlus));
        return g.node("Mul", base, List.of(times, g.scalar(base + "/half", 0.5f)));
    }

    /** The ONNX name of a recurrent gate activation with its alpha and beta, or null when ONNX's RNN operators have none for it. */
    static RnnActivation rnnActivation(Activation a) {
        return switch (a) {
            case SIGMOID -> new RnnActivation("Sigmoid", Float.NaN, Float.NaN);
            case TANH -> new RnnActivation("Tanh", Float.NaN, Float.NaN);
            case RELU -> new RnnActivation("Relu", Float.NaN, Float.NaN);
            case HARD_SIGMOID -> new RnnActivation("HardSigmoid", 1f / 6f, 0.5f);
            case LEGACY_HARD_SIGMOID -> new RnnActivation("HardSigmoid", 0.2f, 0.5f);
            default -> null;
        };
    }

    /** An activation of ONNX's LSTM/GRU/RNN {@code activations} list; NaN when it takes no alpha (beta). */
    record RnnActivation(String name, float alpha, float beta) {}
}
