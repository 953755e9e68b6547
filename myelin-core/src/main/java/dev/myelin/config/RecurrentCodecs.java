package dev.myelin.config;

import static dev.myelin.config.KerasArgs.activation;
import static dev.myelin.config.KerasArgs.layer;
import static dev.myelin.config.KerasArgs.onlyNull;
import static dev.myelin.config.KerasArgs.with;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.LayerConfig;
import dev.myelin.nn.init.RandomUniform;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.nn.recurrent.RecurrentLayer.RecurrentSettings;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.nn.recurrent.TimeDistributed;
import java.util.Locale;
import java.util.Map;

/** The layers of {@code dev.myelin.nn.recurrent} with Keras 3's arguments. */
final class RecurrentCodecs {
    private RecurrentCodecs() {}

    static void register(Registry<Layer> r) {
        r.add("SimpleRNN", SimpleRNN.class, SimpleRNN.Config.class, SimpleRNN::config,
                a -> new SimpleRNN.Config(layer(a), a.requiredInt("units"), recurrent(a)),
                c -> recurrent(with(layer(c.layer()), "units", c.units(), "activation", "tanh"), c.recurrent()),
                SimpleRNN::fromConfig);
        r.add("LSTM", LSTM.class, LSTM.Config.class, LSTM::config,
                a -> new LSTM.Config(layer(a), a.requiredInt("units"), recurrent(a), a.optionalBoolean("unit_forget_bias", true),
                        activation(a, "recurrent_activation", Activation.SIGMOID)),
                c -> recurrent(with(layer(c.layer()), "units", c.units(), "activation", "tanh",
                        "recurrent_activation", c.recurrentActivation().kerasName(), "unit_forget_bias", c.unitForgetBias()), c.recurrent()),
                LSTM::fromConfig);
        r.add("GRU", GRU.class, GRU.Config.class, GRU::config,
                a -> new GRU.Config(layer(a), a.requiredInt("units"), recurrent(a), activation(a, "recurrent_activation", Activation.SIGMOID),
                        a.optionalBoolean("reset_after", true)),
                c -> recurrent(with(layer(c.layer()), "units", c.units(), "activation", "tanh",
                        "recurrent_activation", c.recurrentActivation().kerasName(), "reset_after", c.resetAfter()), c.recurrent()),
                GRU::fromConfig);
        r.add("Bidirectional", Bidirectional.class, Bidirectional.Config.class, Bidirectional::config,
                RecurrentCodecs::bidirectional,
                c -> with(layer(c.layer()), "layer", Registries.LAYERS.configToJson(c.wrapped()),
                        "merge_mode", c.merge().name().toLowerCase(Locale.ROOT)),
                c -> Bidirectional.fromConfig(c, Registries.LAYERS.fromConfig(c.wrapped())));
        r.add("TimeDistributed", TimeDistributed.class, TimeDistributed.Config.class, TimeDistributed::config,
                a -> new TimeDistributed.Config(layer(a), wrapped(a)),
                c -> with(layer(c.layer()), "layer", Registries.LAYERS.configToJson(c.wrapped())),
                c -> TimeDistributed.fromConfig(c, Registries.LAYERS.fromConfig(c.wrapped())));
        r.add("Embedding", Embedding.class, Embedding.Config.class, Embedding::config,
                a -> {
                    onlyNull(a, "embeddings_regularizer", "activity_regularizer", "embeddings_constraint", "lora_rank");
                    return new Embedding.Config(layer(a), a.requiredInt("input_dim"), a.requiredInt("output_dim"),
                            a.object("embeddings_initializer", Registries.INITIALIZERS, new RandomUniform(-0.05, 0.05)),
                            a.optionalBoolean("mask_zero", false));
                },
                c -> with(layer(c.layer()), "input_dim", c.inputDim(), "output_dim", c.outputDim(),
                        "embeddings_initializer", LayerCodecs.init(c.embeddingsInitializer()), "mask_zero", c.maskZero()),
                Embedding::fromConfig);
        r.add("Masking", Masking.class, Masking.Config.class, Masking::config,
                a -> new Masking.Config(layer(a), a.optionalDouble("mask_value", 0.0)),
                c -> with(layer(c.layer()), "mask_value", c.maskValue()), Masking::fromConfig);
    }

    /** The arguments SimpleRNN, LSTM and GRU share; the activation is fixed (tanh; LSTM and GRU read their gates' own). */
    private static RecurrentSettings recurrent(ConfigArgs a) {
        a.onlyDefault("activation", "tanh");
        onlyNull(a, "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "recurrent_constraint", "bias_constraint");
        a.onlyDefault("stateful", false);
        a.onlyDefault("unroll", false);
        // Keras 3 writes RNN's zero_output_for_mask (false: a masked step repeats the previous output, as Myelin),
        // tf.keras 2.x time_major (false: [batch, time, features])
        a.onlyDefault("zero_output_for_mask", false);
        a.onlyDefault("time_major", false);
        Object cudnn = a.raw("use_cudnn");
        if (cudnn != null && !(cudnn instanceof Boolean) && !"auto".equals(cudnn)) {
            throw a.error("argument 'use_cudnn' expected \"auto\", true or false, got " + ConfigArgs.describe(cudnn));
        }
        RecurrentSettings d = RecurrentSettings.defaults();
        try {
            return new RecurrentSettings(a.optionalBoolean("return_sequences", false), a.optionalBoolean("return_state", false),
                    a.optionalBoolean("go_backwards", false), a.optionalDouble("dropout", 0), a.optionalDouble("recurrent_dropout", 0),
                    a.nullableLong("seed"), cudnn instanceof Boolean b ? b : null, a.optionalBoolean("use_bias", true),
                    a.object("kernel_initializer", Registries.INITIALIZERS, d.kernelInitializer()),
                    a.object("recurrent_initializer", Registries.INITIALIZERS, d.recurrentInitializer()),
                    a.object("bias_initializer", Registries.INITIALIZERS, d.biasInitializer()));
        } catch (IllegalArgumentException e) {
            throw a.error(e.getMessage());
        }
    }

    /** {@code use_cudnn} stands for the fused float32 kernel: "auto" (the default), or forced on or off. */
    private static Map<String, Object> recurrent(Map<String, Object> m, RecurrentSettings s) {
        return with(m, "use_bias", s.useBias(), "kernel_initializer", LayerCodecs.init(s.kernelInitializer()),
                "recurrent_initializer", LayerCodecs.init(s.recurrentInitializer()), "bias_initializer", LayerCodecs.init(s.biasInitializer()),
                "dropout", s.dropout(), "recurrent_dropout", s.recurrentDropout(), "seed", s.seed(),
                "return_sequences", s.returnSequences(), "return_state", s.returnState(), "go_backwards", s.goBackwards(),
                "stateful", false, "unroll", false, "use_cudnn", s.fused() == null ? "auto" : s.fused());
    }

    private static Bidirectional.Config bidirectional(ConfigArgs a) {
        a.raw("backward_layer"); // Keras writes it; Myelin always derives the backward layer from "layer" (go_backwards flipped)
        if (!(a.raw("layer") instanceof Map<?, ?> inner)) throw a.error("needs \"layer\": {\"type\": \"LSTM\", ...}");
        LayerConfig wrapped = wrapped(a);
        Object cls = inner.containsKey("class_name") ? inner.get("class_name") : inner.get("type");
        if (!(wrapped instanceof LSTM.Config || wrapped instanceof GRU.Config || wrapped instanceof SimpleRNN.Config)) {
            throw a.error("Bidirectional \"layer\" must be an LSTM, GRU or SimpleRNN, got \"" + cls + "\"");
        }
        String merge = a.choice("merge_mode", "concat", "concat", "sum", "mul", "ave");
        return new Bidirectional.Config(layer(a), wrapped, Bidirectional.Merge.valueOf(merge.toUpperCase(Locale.ROOT)));
    }

    private static LayerConfig wrapped(ConfigArgs a) {
        Object inner = a.raw("layer");
        if (inner == null) throw a.error("missing required argument 'layer'");
        try {
            return (LayerConfig) Registries.LAYERS.configFromJson(inner);
        } catch (IllegalArgumentException e) {
            throw a.error("argument 'layer': " + e.getMessage());
        }
    }
}
