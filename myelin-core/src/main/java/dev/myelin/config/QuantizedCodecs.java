package dev.myelin.config;

import static dev.myelin.config.KerasArgs.activation;
import static dev.myelin.config.KerasArgs.channelsLast;
import static dev.myelin.config.KerasArgs.layer;
import static dev.myelin.config.KerasArgs.with;

import dev.myelin.compress.bf16.Bf16Conv2D;
import dev.myelin.compress.bf16.Bf16Dense;
import dev.myelin.compress.quant.ActivationQuantization;
import dev.myelin.compress.quant.QuantizedConv2D;
import dev.myelin.compress.quant.QuantizedDense;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import java.util.Map;

/**
 * The int8 layers of {@code dev.myelin.compress.quant}: Myelin's own classes (Keras keeps quantization in
 * a dtype policy of Dense), with Dense's and Conv2D's arguments plus {@code use_bias} and the input's
 * {@code input_scale} and {@code input_zero_point}; and the bf16 layers of {@code dev.myelin.compress.bf16},
 * with Dense's and Conv2D's arguments plus {@code use_bias}.
 */
final class QuantizedCodecs {
    private QuantizedCodecs() {}

    static void register(Registry<Layer> r) {
        r.add("QuantizedDense", QuantizedDense.class, QuantizedDense.Config.class, QuantizedDense::config,
                a -> new QuantizedDense.Config(layer(a), a.requiredInt("units"), activation(a, "activation", Activation.LINEAR),
                        a.optionalBoolean("use_bias", true), input(a)),
                c -> input(with(layer(c.layer()), "units", c.units(), "activation", c.activation().kerasName(), "use_bias", c.useBias()), c.input()),
                QuantizedDense::fromConfig);
        r.add("QuantizedConv2D", QuantizedConv2D.class, QuantizedConv2D.Config.class, QuantizedConv2D::config,
                a -> {
                    int[] k = a.intOrPair("kernel_size", null);
                    channelsLast(a);
                    return new QuantizedConv2D.Config(layer(a), a.requiredInt("filters"), k[0], k[1], LayerCodecs.convOptions(a, true),
                            activation(a, "activation", Activation.LINEAR), a.optionalBoolean("use_bias", true), input(a));
                },
                c -> input(with(LayerCodecs.conv(c.layer(), c.filters(), c.kernelH(), c.kernelW(), c.options(), true),
                        "activation", c.activation().kerasName(), "use_bias", c.useBias()), c.input()),
                QuantizedConv2D::fromConfig);
        r.add("Bf16Dense", Bf16Dense.class, Bf16Dense.Config.class, Bf16Dense::config,
                a -> new Bf16Dense.Config(layer(a), a.requiredInt("units"), activation(a, "activation", Activation.LINEAR), a.optionalBoolean("use_bias", true)),
                c -> with(layer(c.layer()), "units", c.units(), "activation", c.activation().kerasName(), "use_bias", c.useBias()),
                Bf16Dense::fromConfig);
        r.add("Bf16Conv2D", Bf16Conv2D.class, Bf16Conv2D.Config.class, Bf16Conv2D::config,
                a -> {
                    int[] k = a.intOrPair("kernel_size", null);
                    channelsLast(a);
                    return new Bf16Conv2D.Config(layer(a), a.requiredInt("filters"), k[0], k[1], LayerCodecs.convOptions(a, true),
                            activation(a, "activation", Activation.LINEAR), a.optionalBoolean("use_bias", true));
                },
                c -> with(LayerCodecs.conv(c.layer(), c.filters(), c.kernelH(), c.kernelW(), c.options(), true),
                        "activation", c.activation().kerasName(), "use_bias", c.useBias()),
                Bf16Conv2D::fromConfig);
    }

    private static ActivationQuantization input(ConfigArgs a) {
        double scale = a.requiredDouble("input_scale");
        int zeroPoint = a.requiredInt("input_zero_point");
        try {
            return new ActivationQuantization(scale, zeroPoint);
        } catch (IllegalArgumentException e) {
            throw a.error(e.getMessage());
        }
    }

    private static Map<String, Object> input(Map<String, Object> m, ActivationQuantization q) {
        return with(m, "input_scale", q.scale(), "input_zero_point", q.zeroPoint());
    }
}
