package dev.myelin.config;

import static dev.myelin.config.KerasArgs.activation;
import static dev.myelin.config.KerasArgs.channelsLast;
import static dev.myelin.config.KerasArgs.layer;
import static dev.myelin.config.KerasArgs.onlyNull;
import static dev.myelin.config.KerasArgs.padding;
import static dev.myelin.config.KerasArgs.pair;
import static dev.myelin.config.KerasArgs.with;

import dev.myelin.nn.Activation;
import dev.myelin.nn.Layer;
import dev.myelin.nn.init.Initializer;
import dev.myelin.nn.init.Ones;
import dev.myelin.nn.init.Zeros;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.AveragePooling2D;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Conv1D;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Conv2DTranspose;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GatedFusion;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.GlobalMaxPooling2D;
import dev.myelin.nn.layers.KernelLayer.KernelSettings;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.nn.layers.UpSampling2D;
import dev.myelin.tensor.ConvOptions;
import dev.myelin.tensor.PoolOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The layers of {@code dev.myelin.nn.layers} with Keras 3's arguments (see each layer's {@code get_config}). */
final class LayerCodecs {
    private LayerCodecs() {}

    static void register(Registry<Layer> r) {
        r.add("Dense", Dense.class, Dense.Config.class, Dense::config,
                a -> new Dense.Config(layer(a), a.requiredInt("units"), kernel(a)),
                c -> kernel(with(layer(c.layer()), "units", c.units()), c.kernel()),
                Dense::fromConfig);
        r.add("Conv1D", Conv1D.class, Conv1D.Config.class, Conv1D::config, LayerCodecs::conv1d,
                c -> kernel(with(layer(c.layer()), "filters", c.filters(), "kernel_size", List.of(c.kernelSize()), "strides", List.of(c.strides()),
                        "padding", c.padding().name().toLowerCase(Locale.ROOT), "data_format", "channels_last",
                        "dilation_rate", List.of(c.dilationRate())), c.kernel()),
                Conv1D::fromConfig);
        r.add("Conv2D", Conv2D.class, Conv2D.Config.class, Conv2D::config,
                a -> {
                    int[] k = a.intOrPair("kernel_size", null);
                    channelsLast(a);
                    a.onlyDefault("groups", 1L);
                    return new Conv2D.Config(layer(a), a.requiredInt("filters"), k[0], k[1], convOptions(a, true), kernel(a));
                },
                c -> kernel(conv(c.layer(), c.filters(), c.kernelH(), c.kernelW(), c.options(), true), c.kernel()),
                Conv2D::fromConfig);
        r.add("Conv2DTranspose", Conv2DTranspose.class, Conv2DTranspose.Config.class, Conv2DTranspose::config,
                a -> {
                    int[] k = a.intOrPair("kernel_size", null);
                    channelsLast(a);
                    onlyNull(a, "output_padding");
                    a.onlyDefault("dilation_rate", List.of(1L, 1L));
                    return new Conv2DTranspose.Config(layer(a), a.requiredInt("filters"), k[0], k[1], convOptions(a, false), kernel(a));
                },
                c -> kernel(conv(c.layer(), c.filters(), c.kernelH(), c.kernelW(), c.options(), false), c.kernel()),
                Conv2DTranspose::fromConfig);
        r.add("MaxPooling2D", MaxPooling2D.class, MaxPooling2D.Config.class, MaxPooling2D::config,
                a -> new MaxPooling2D.Config(layer(a), poolOptions(a)), c -> pool(c.layer(), c.options()), MaxPooling2D::fromConfig);
        r.add("AveragePooling2D", AveragePooling2D.class, AveragePooling2D.Config.class, AveragePooling2D::config,
                a -> new AveragePooling2D.Config(layer(a), poolOptions(a)), c -> pool(c.layer(), c.options()), AveragePooling2D::fromConfig);
        r.add("GlobalAveragePooling2D", GlobalAveragePooling2D.class, GlobalAveragePooling2D.Config.class, GlobalAveragePooling2D::config,
                a -> {
                    channelsLast(a);
                    return new GlobalAveragePooling2D.Config(layer(a), a.optionalBoolean("keepdims", false));
                },
                c -> with(layer(c.layer()), "data_format", "channels_last", "keepdims", c.keepDims()), GlobalAveragePooling2D::fromConfig);
        r.add("GlobalMaxPooling2D", GlobalMaxPooling2D.class, GlobalMaxPooling2D.Config.class, GlobalMaxPooling2D::config,
                a -> {
                    channelsLast(a);
                    return new GlobalMaxPooling2D.Config(layer(a), a.optionalBoolean("keepdims", false));
                },
                c -> with(layer(c.layer()), "data_format", "channels_last", "keepdims", c.keepDims()), GlobalMaxPooling2D::fromConfig);
        r.add("Flatten", Flatten.class, Flatten.Config.class, Flatten::config,
                a -> {
                    channelsLast(a);
                    return new Flatten.Config(layer(a));
                },
                c -> with(layer(c.layer()), "data_format", "channels_last"), Flatten::fromConfig);
        r.add("Reshape", Reshape.class, Reshape.Config.class, Reshape::config,
                a -> new Reshape.Config(layer(a), Arrays.stream(a.requiredIntList("target_shape")).boxed().toList()),
                c -> with(layer(c.layer()), "target_shape", c.targetShape()), Reshape::fromConfig);
        r.add("Dropout", Dropout.class, Dropout.Config.class, Dropout::config,
                a -> {
                    onlyNull(a, "noise_shape");
                    return new Dropout.Config(layer(a), a.requiredDouble("rate"), a.nullableLong("seed"));
                },
                c -> with(layer(c.layer()), "rate", c.rate(), "seed", c.seed()), Dropout::fromConfig);
        r.add("BatchNormalization", BatchNormalization.class, BatchNormalization.Config.class, BatchNormalization::config,
                LayerCodecs::batchNormalization,
                c -> with(layer(c.layer()), "axis", c.axis(), "momentum", c.momentum(), "epsilon", c.epsilon(), "center", c.center(),
                        "scale", c.scale(), "beta_initializer", init(c.betaInitializer()), "gamma_initializer", init(c.gammaInitializer()),
                        "moving_mean_initializer", init(c.movingMeanInitializer()),
                        "moving_variance_initializer", init(c.movingVarianceInitializer()),
                        "beta_regularizer", Registries.REGULARIZERS.toJson(c.betaRegularizer()),
                        "gamma_regularizer", Registries.REGULARIZERS.toJson(c.gammaRegularizer())),
                BatchNormalization::fromConfig);
        r.add("Activation", ActivationLayer.class, ActivationLayer.Config.class, ActivationLayer::config,
                a -> {
                    if (!a.has("activation")) throw a.error("missing required argument 'activation'");
                    return new ActivationLayer.Config(layer(a), activation(a, "activation", Activation.LINEAR));
                },
                c -> with(layer(c.layer()), "activation", c.activation().kerasName()), ActivationLayer::fromConfig);
        r.add("LeakyReLU", LeakyReLU.class, LeakyReLU.Config.class, LeakyReLU::config,
                a -> new LeakyReLU.Config(layer(a), a.optionalDouble("negative_slope", 0.3)),
                c -> with(layer(c.layer()), "negative_slope", c.negativeSlope()), LeakyReLU::fromConfig);
        r.add("UpSampling2D", UpSampling2D.class, UpSampling2D.Config.class, UpSampling2D::config,
                a -> {
                    channelsLast(a);
                    a.onlyDefault("interpolation", "nearest");
                    int[] s = a.intOrPair("size", new int[] {2, 2});
                    return new UpSampling2D.Config(layer(a), s[0], s[1]);
                },
                c -> with(layer(c.layer()), "size", pair(c.sizeH(), c.sizeW()), "data_format", "channels_last", "interpolation", "nearest"),
                UpSampling2D::fromConfig);
        r.add("Add", Add.class, Add.Config.class, Add::config, a -> new Add.Config(layer(a)), c -> layer(c.layer()), Add::fromConfig);
        r.add("Concatenate", Concatenate.class, Concatenate.Config.class, Concatenate::config,
                a -> new Concatenate.Config(layer(a), a.optionalInt("axis", -1)),
                c -> with(layer(c.layer()), "axis", c.axis()), Concatenate::fromConfig);
        r.add("GatedFusion", GatedFusion.class, GatedFusion.Config.class, GatedFusion::config,
                a -> new GatedFusion.Config(layer(a), a.requiredInt("units"),
                        a.object("kernel_initializer", Registries.INITIALIZERS, new dev.myelin.nn.init.GlorotUniform()),
                        a.object("bias_initializer", Registries.INITIALIZERS, new Zeros())),
                c -> with(layer(c.layer()), "units", c.units(), "kernel_initializer", init(c.kernelInitializer()),
                        "bias_initializer", init(c.biasInitializer())),
                GatedFusion::fromConfig);
    }

    // ---- Dense, Conv2D, Conv2DTranspose ----

    private static KernelSettings kernel(ConfigArgs a) {
        onlyNull(a, "activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank");
        KernelSettings d = KernelSettings.defaults(activation(a, "activation", Activation.LINEAR));
        return new KernelSettings(d.activation(), a.optionalBoolean("use_bias", true),
                a.object("kernel_initializer", Registries.INITIALIZERS, d.kernelInitializer()),
                a.object("bias_initializer", Registries.INITIALIZERS, d.biasInitializer()),
                a.object("kernel_regularizer", Registries.REGULARIZERS, null),
                a.object("bias_regularizer", Registries.REGULARIZERS, null));
    }

    private static Map<String, Object> kernel(Map<String, Object> m, KernelSettings k) {
        return with(m, "activation", k.activation().kerasName(), "use_bias", k.useBias(),
                "kernel_initializer", init(k.kernelInitializer()), "bias_initializer", init(k.biasInitializer()),
                "kernel_regularizer", Registries.REGULARIZERS.toJson(k.kernelRegularizer()),
                "bias_regularizer", Registries.REGULARIZERS.toJson(k.biasRegularizer()));
    }

    private static Conv1D.Config conv1d(ConfigArgs a) {
        int k = a.intOrSingle("kernel_size", null);
        channelsLast(a);
        a.onlyDefault("groups", 1L);
        int s = a.intOrSingle("strides", 1);
        int d = a.intOrSingle("dilation_rate", 1);
        if (k <= 0) throw a.error("argument 'kernel_size' must be positive, got " + k);
        if (s <= 0) throw a.error("argument 'strides' must be positive, got " + s);
        if (d <= 0) throw a.error("argument 'dilation_rate' must be positive, got " + d);
        String p = a.choice("padding", "valid", "valid", "same", "causal");
        return new Conv1D.Config(layer(a), a.requiredInt("filters"), k, s, Conv1D.Padding1D.valueOf(p.toUpperCase(Locale.ROOT)), d, kernel(a));
    }

    static ConvOptions convOptions(ConfigArgs a, boolean dilation) {
        int[] s = a.intOrPair("strides", new int[] {1, 1});
        int[] d = dilation ? a.intOrPair("dilation_rate", new int[] {1, 1}) : new int[] {1, 1};
        if (s[0] <= 0 || s[1] <= 0) throw a.error("argument 'strides' must be positive, got " + Arrays.toString(s));
        if (d[0] <= 0 || d[1] <= 0) throw a.error("argument 'dilation_rate' must be positive, got " + Arrays.toString(d));
        return new ConvOptions(s[0], s[1], padding(a), d[0], d[1]);
    }

    static Map<String, Object> conv(dev.myelin.nn.LayerSettings s, int filters, int kh, int kw, ConvOptions o, boolean dilation) {
        Map<String, Object> m = with(layer(s), "filters", filters, "kernel_size", pair(kh, kw), "strides", pair(o.strideH(), o.strideW()),
                "padding", padding(o.padding()), "data_format", "channels_last");
        return dilation ? with(m, "dilation_rate", pair(o.dilationH(), o.dilationW())) : m;
    }

    // ---- pooling ----

    private static PoolOptions poolOptions(ConfigArgs a) {
        int[] p = a.intOrPair("pool_size", new int[] {2, 2});
        int[] s = a.raw("strides") == null ? p : a.intOrPair("strides", p);
        channelsLast(a);
        if (p[0] <= 0 || p[1] <= 0) throw a.error("argument 'pool_size' must be positive, got " + Arrays.toString(p));
        if (s[0] <= 0 || s[1] <= 0) throw a.error("argument 'strides' must be positive, got " + Arrays.toString(s));
        return new PoolOptions(p[0], p[1], s[0], s[1], padding(a));
    }

    private static Map<String, Object> pool(dev.myelin.nn.LayerSettings s, PoolOptions o) {
        return with(layer(s), "pool_size", pair(o.poolH(), o.poolW()), "padding", padding(o.padding()),
                "strides", pair(o.strideH(), o.strideW()), "data_format", "channels_last");
    }

    private static BatchNormalization.Config batchNormalization(ConfigArgs a) {
        onlyNull(a, "beta_constraint", "gamma_constraint");
        a.onlyDefault("synchronized", false);
        return new BatchNormalization.Config(layer(a), a.optionalInt("axis", -1), a.optionalDouble("momentum", 0.99),
                a.optionalDouble("epsilon", 1e-3), a.optionalBoolean("center", true), a.optionalBoolean("scale", true),
                a.object("beta_initializer", Registries.INITIALIZERS, new Zeros()),
                a.object("gamma_initializer", Registries.INITIALIZERS, new Ones()),
                a.object("moving_mean_initializer", Registries.INITIALIZERS, new Zeros()),
                a.object("moving_variance_initializer", Registries.INITIALIZERS, new Ones()),
                a.object("beta_regularizer", Registries.REGULARIZERS, null),
                a.object("gamma_regularizer", Registries.REGULARIZERS, null));
    }

    static Map<String, Object> init(Initializer i) {
        return Registries.INITIALIZERS.toJson(i);
    }
}
