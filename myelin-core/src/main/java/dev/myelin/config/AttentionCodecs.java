package dev.myelin.config;

import static dev.myelin.config.KerasArgs.activation;
import static dev.myelin.config.KerasArgs.channelsLast;
import static dev.myelin.config.KerasArgs.layer;
import static dev.myelin.config.KerasArgs.onlyNull;
import static dev.myelin.config.KerasArgs.with;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.SinePositionEncoding;
import dev.myelin.nn.attention.TransformerDecoder;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.attention.TransformerSettings;
import dev.myelin.nn.init.GlorotUniform;
import dev.myelin.nn.init.Ones;
import dev.myelin.nn.init.Zeros;
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.GlobalMaxPooling1D;
import dev.myelin.nn.layers.LayerNormalization;
import java.util.List;
import java.util.Map;

/**
 * The attention layers ({@code dev.myelin.nn.attention}), LayerNormalization and the 1D global poolings with
 * Keras 3's arguments; TransformerEncoder, TransformerDecoder, PositionEmbedding and SinePositionEncoding
 * with keras-hub's (serialized under their class names in {@code keras.layers}).
 */
final class AttentionCodecs {
    private AttentionCodecs() {}

    static void register(Registry<Layer> r) {
        r.add("LayerNormalization", LayerNormalization.class, LayerNormalization.Config.class, LayerNormalization::config,
                AttentionCodecs::layerNormalization,
                c -> with(layer(c.layer()), "axis", c.axis(), "epsilon", c.epsilon(), "center", c.center(), "scale", c.scale(),
                        "rms_scaling", false, "beta_initializer", LayerCodecs.init(c.betaInitializer()),
                        "gamma_initializer", LayerCodecs.init(c.gammaInitializer()),
                        "beta_regularizer", Registries.REGULARIZERS.toJson(c.betaRegularizer()),
                        "gamma_regularizer", Registries.REGULARIZERS.toJson(c.gammaRegularizer())),
                LayerNormalization::fromConfig);
        r.add("MultiHeadAttention", MultiHeadAttention.class, MultiHeadAttention.Config.class, MultiHeadAttention::config,
                AttentionCodecs::multiHeadAttention,
                c -> with(layer(c.layer()), "num_heads", c.numHeads(), "key_dim", c.keyDim(), "value_dim", c.valueDim(),
                        "dropout", c.dropout(), "use_bias", c.useBias(), "output_shape", c.outputShape(), "attention_axes", null,
                        "kernel_initializer", LayerCodecs.init(c.kernelInitializer()), "bias_initializer", LayerCodecs.init(c.biasInitializer()),
                        "kernel_regularizer", Registries.REGULARIZERS.toJson(c.kernelRegularizer()),
                        "bias_regularizer", Registries.REGULARIZERS.toJson(c.biasRegularizer()),
                        "activity_regularizer", null, "kernel_constraint", null, "bias_constraint", null, "seed", c.seed()),
                MultiHeadAttention::fromConfig);
        r.add("TransformerEncoder", TransformerEncoder.class, TransformerEncoder.Config.class, TransformerEncoder::config,
                a -> new TransformerEncoder.Config(layer(a), block(a)), c -> block(layer(c.layer()), c.block()), TransformerEncoder::fromConfig);
        r.add("TransformerDecoder", TransformerDecoder.class, TransformerDecoder.Config.class, TransformerDecoder::config,
                a -> new TransformerDecoder.Config(layer(a), block(a)), c -> block(layer(c.layer()), c.block()), TransformerDecoder::fromConfig);
        r.add("PositionEmbedding", PositionEmbedding.class, PositionEmbedding.Config.class, PositionEmbedding::config,
                a -> new PositionEmbedding.Config(layer(a), a.requiredInt("sequence_length"),
                        a.object("initializer", Registries.INITIALIZERS, new GlorotUniform())),
                c -> with(layer(c.layer()), "sequence_length", c.sequenceLength(), "initializer", LayerCodecs.init(c.initializer())),
                PositionEmbedding::fromConfig);
        r.add("SinePositionEncoding", SinePositionEncoding.class, SinePositionEncoding.Config.class, SinePositionEncoding::config,
                a -> new SinePositionEncoding.Config(layer(a), a.optionalDouble("max_wavelength", 10_000)),
                c -> with(layer(c.layer()), "max_wavelength", c.maxWavelength()), SinePositionEncoding::fromConfig);
        r.add("GlobalAveragePooling1D", GlobalAveragePooling1D.class, GlobalAveragePooling1D.Config.class, GlobalAveragePooling1D::config,
                a -> {
                    channelsLast(a);
                    return new GlobalAveragePooling1D.Config(layer(a), a.optionalBoolean("keepdims", false));
                },
                c -> with(layer(c.layer()), "data_format", "channels_last", "keepdims", c.keepDims()), GlobalAveragePooling1D::fromConfig);
        r.add("GlobalMaxPooling1D", GlobalMaxPooling1D.class, GlobalMaxPooling1D.Config.class, GlobalMaxPooling1D::config,
                a -> {
                    channelsLast(a);
                    return new GlobalMaxPooling1D.Config(layer(a), a.optionalBoolean("keepdims", false));
                },
                c -> with(layer(c.layer()), "data_format", "channels_last", "keepdims", c.keepDims()), GlobalMaxPooling1D::fromConfig);
    }

    private static LayerNormalization.Config layerNormalization(ConfigArgs a) {
        onlyNull(a, "beta_constraint", "gamma_constraint");
        a.onlyDefault("rms_scaling", false);
        Object axis = a.raw("axis");
        int ax = -1;
        if (axis instanceof Long l) {
            ax = l.intValue();
        } else if (axis instanceof List<?> list && list.size() == 1 && list.get(0) instanceof Long l) {
            ax = l.intValue();
        } else if (axis != null) {
            throw a.error("argument 'axis' must be one axis (an integer or a list of one), got " + ConfigArgs.describe(axis)
                    + "; normalizing over several axes is not supported");
        }
        if (ax == 0) throw a.error("argument 'axis' cannot be 0 (the batch dimension)");
        return new LayerNormalization.Config(layer(a), ax, a.optionalDouble("epsilon", 1e-3), a.optionalBoolean("center", true),
                a.optionalBoolean("scale", true), a.object("beta_initializer", Registries.INITIALIZERS, new Zeros()),
                a.object("gamma_initializer", Registries.INITIALIZERS, new Ones()),
                a.object("beta_regularizer", Registries.REGULARIZERS, null), a.object("gamma_regularizer", Registries.REGULARIZERS, null));
    }

    private static MultiHeadAttention.Config multiHeadAttention(ConfigArgs a) {
        onlyNull(a, "activity_regularizer", "kernel_constraint", "bias_constraint");
        Object axes = a.raw("attention_axes");
        if (axes != null && !axes.equals(1L) && !axes.equals(List.of(1L))) {
            throw a.error("argument 'attention_axes' is supported only as null or [1] (attention over the time axis of [batch, time, features]"
                    + " inputs, Keras's default), got " + ConfigArgs.describe(axes));
        }
        Long valueDim = a.nullableLong("value_dim");
        Object out = a.raw("output_shape");
        Integer outputShape = null;
        if (out instanceof Long l) {
            outputShape = l.intValue();
        } else if (out instanceof List<?> list && list.size() == 1 && list.get(0) instanceof Long l) {
            outputShape = l.intValue();
        } else if (out != null) {
            throw a.error("argument 'output_shape' must be null or one size (an integer or a list of one), got " + ConfigArgs.describe(out));
        }
        int heads = a.requiredInt("num_heads"), keyDim = a.requiredInt("key_dim");
        double dropout = a.optionalDouble("dropout", 0);
        if (heads <= 0) throw a.error("argument 'num_heads' must be positive, got " + heads);
        if (keyDim <= 0) throw a.error("argument 'key_dim' must be positive, got " + keyDim);
        if (!(dropout >= 0 && dropout < 1)) throw a.error("argument 'dropout' must be in [0, 1), got " + dropout);
        if (valueDim != null && (valueDim <= 0 || valueDim > Integer.MAX_VALUE)) throw a.error("argument 'value_dim' must be positive, got " + valueDim);
        if (outputShape != null && outputShape <= 0) throw a.error("argument 'output_shape' must be positive, got " + outputShape);
        return new MultiHeadAttention.Config(layer(a), heads, keyDim, valueDim == null ? null : valueDim.intValue(), dropout,
                a.optionalBoolean("use_bias", true), outputShape,
                a.object("kernel_initializer", Registries.INITIALIZERS, new GlorotUniform()),
                a.object("bias_initializer", Registries.INITIALIZERS, new Zeros()),
                a.object("kernel_regularizer", Registries.REGULARIZERS, null), a.object("bias_regularizer", Registries.REGULARIZERS, null),
                a.nullableLong("seed"));
    }

    /** keras-hub's TransformerEncoder / TransformerDecoder arguments. */
    private static TransformerSettings block(ConfigArgs a) {
        TransformerSettings d = TransformerSettings.defaults(1, 1);
        try {
            return new TransformerSettings(a.requiredInt("intermediate_dim"), a.requiredInt("num_heads"), a.optionalDouble("dropout", 0),
                    activation(a, "activation", Activation.RELU), a.optionalDouble("layer_norm_epsilon", 1e-5),
                    a.object("kernel_initializer", Registries.INITIALIZERS, d.kernelInitializer()),
                    a.object("bias_initializer", Registries.INITIALIZERS, d.biasInitializer()), a.optionalBoolean("normalize_first", false));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(a.owner())) throw e;
            throw a.error(e.getMessage());
        }
    }

    private static Map<String, Object> block(Map<String, Object> m, TransformerSettings s) {
        return with(m, "intermediate_dim", s.intermediateDim(), "num_heads", s.numHeads(), "dropout", s.dropout(),
                "activation", s.activation().kerasName(), "layer_norm_epsilon", s.layerNormEpsilon(),
                "kernel_initializer", LayerCodecs.init(s.kernelInitializer()), "bias_initializer", LayerCodecs.init(s.biasInitializer()),
                "normalize_first", s.normalizeFirst());
    }
}
