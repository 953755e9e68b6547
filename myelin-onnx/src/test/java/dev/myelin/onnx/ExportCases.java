package dev.myelin.onnx;

import static dev.myelin.onnx.TestModels.ids;
import static dev.myelin.onnx.TestModels.input;
import static dev.myelin.onnx.TestModels.randomizeWeights;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.attention.MultiHeadAttention;
import dev.myelin.nn.attention.PositionEmbedding;
import dev.myelin.nn.attention.SinePositionEncoding;
import dev.myelin.nn.attention.TransformerDecoder;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.attention.TransformerSettings;
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
import dev.myelin.nn.layers.GlobalAveragePooling1D;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.GlobalMaxPooling1D;
import dev.myelin.nn.layers.GlobalMaxPooling2D;
import dev.myelin.nn.layers.LayerNormalization;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.nn.layers.UpSampling2D;
import dev.myelin.nn.recurrent.Bidirectional;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.Masking;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.nn.recurrent.TimeDistributed;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import dev.myelin.zoo.SeedModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/** The models every export test runs: the seed models and small models of each exported layer and setting. */
final class ExportCases {
    private ExportCases() {}

    /** A model (weights randomized) and an input batch for it. */
    record Case(String name, Supplier<Model> model, Supplier<List<Tensor>> inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case of(String name, Supplier<Model> model, int... sampleShape) {
        return new Case(name, () -> randomizeWeights(model.get(), name.hashCode()), () -> List.of(input(name.hashCode() + 1L, 3, sampleShape)));
    }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        c.add(of("seed mlp", SeedModels::mlp, 28, 28, 1));
        c.add(of("seed cnn", SeedModels::cnnMnist, 28, 28, 1));
        c.add(of("seed cnn-cifar", SeedModels::cnnCifar, 32, 32, 3));
        c.add(of("seed lstm", SeedModels::lstm, 28, 28));
        c.add(of("dense on sequences (MatMul)", () -> new Sequential(new Dense(5, Activation.TANH).inputShape(4, 7), new Dense(3).useBias(false)), 4, 7));
        c.add(of("conv same stride 2", () -> new Sequential(new Conv2D(4, 3).strides(2).padding(Padding.SAME).inputShape(9, 8, 3)), 9, 8, 3));
        c.add(of("conv 2x3 dilated, no bias", () -> new Sequential(new Conv2D(5, 2, 3).dilation(2).useBias(false).inputShape(10, 9, 2)), 10, 9, 2));
        c.add(of("conv same even kernel", () -> new Sequential(new Conv2D(2, 4).padding(Padding.SAME).inputShape(7, 6, 1), new Flatten()), 7, 6, 1));
        c.add(of("max pool same stride 2", () -> new Sequential(new MaxPooling2D(3).strides(2).padding(Padding.SAME).inputShape(7, 8, 2)), 7, 8, 2));
        c.add(of("average pool same", () -> new Sequential(new AveragePooling2D(3).strides(2).padding(Padding.SAME).inputShape(7, 8, 2)), 7, 8, 2));
        c.add(of("average pool valid", () -> new Sequential(new AveragePooling2D(2).inputShape(6, 5, 3)), 6, 5, 3));
        c.add(of("global average pool", () -> new Sequential(new Conv2D(3, 3).inputShape(6, 6, 2), new GlobalAveragePooling2D()), 6, 6, 2));
        c.add(of("global max pool keepdims", () -> new Sequential(new GlobalMaxPooling2D().keepDims(true).inputShape(5, 4, 3)), 5, 4, 3));
        c.add(of("batchnorm on images", () -> new Sequential(new Conv2D(4, 3).inputShape(8, 8, 2), new BatchNormalization(), new ActivationLayer(Activation.RELU)), 8, 8, 2));
        c.add(of("batchnorm on features", () -> new Sequential(new Dense(6).inputShape(5), new BatchNormalization().epsilon(0.01)), 5));
        for (Activation a : Activation.values()) {
            c.add(of("activation " + a.kerasName(), () -> new Sequential(new Dense(7, a).inputShape(5)), 5));
        }
        c.add(of("softmax on images", () -> new Sequential(new Conv2D(4, 1, Activation.SOFTMAX).inputShape(3, 3, 2)), 3, 3, 2));
        c.add(of("activations on images", () -> new Sequential(new ActivationLayer(Activation.GELU).inputShape(4, 4, 3), new Conv2D(3, 1, Activation.SWISH),
                new ActivationLayer(Activation.HARD_SIGMOID)), 4, 4, 3));
        c.add(of("leaky relu layer", () -> new Sequential(new Dense(6).inputShape(4), new LeakyReLU(0.3)), 4));
        c.add(of("flatten after conv (channels-last order)", () -> new Sequential(new Conv2D(3, 2).inputShape(5, 4, 2), new Flatten(), new Dense(4)), 5, 4, 2));
        c.add(of("reshape and dropout", () -> new Sequential(new Dense(12).inputShape(6), new Dropout(0.5), new Reshape(3, 4), new Dense(2)), 6));
        c.add(of("reshape to image then conv", () -> new Sequential(new Reshape(4, 4, 2).inputShape(32), new Conv2D(2, 3)), 32));
        c.add(of("add of two conv branches", ExportCases::residual, 6, 6, 2));
        c.add(of("concatenate channels and features", ExportCases::concatenation, 6, 6, 2));
        c.add(new Case("embedding + lstm", () -> randomizeWeights(new Sequential(new Embedding(11, 4).inputShape(6), new LSTM(5)), 7),
                () -> List.of(ids(8, 3, 6, 11))));
        c.add(of("lstm sequences", () -> new Sequential(new LSTM(4).returnSequences(true).inputShape(5, 3)), 5, 3));
        c.add(of("lstm hard sigmoid, no bias", () -> new Sequential(new LSTM(4).recurrentActivation(Activation.LEGACY_HARD_SIGMOID).useBias(false).inputShape(5, 3)), 5, 3));
        c.add(of("lstm backwards", () -> new Sequential(new LSTM(4).goBackwards(true).inputShape(5, 3)), 5, 3));
        c.add(of("gru", () -> new Sequential(new GRU(4).inputShape(5, 3)), 5, 3));
        c.add(of("gru reset before", () -> new Sequential(new GRU(4).resetAfter(false).inputShape(5, 3)), 5, 3));
        c.add(of("gru reset before sequences", () -> new Sequential(new GRU(3).resetAfter(false).returnSequences(true).inputShape(6, 2)), 6, 2));
        c.add(of("gru reset before backwards", () -> new Sequential(new GRU(3).resetAfter(false).goBackwards(true).inputShape(6, 2)), 6, 2));
        c.add(of("gru sequences hard sigmoid", () -> new Sequential(new GRU(3).returnSequences(true).recurrentActivation(Activation.HARD_SIGMOID).inputShape(6, 2)), 6, 2));
        c.add(of("simple rnn", () -> new Sequential(new SimpleRNN(4).returnSequences(true).inputShape(5, 3), new SimpleRNN(2)), 5, 3));
        c.add(of("nested model", ExportCases::nested, 6, 6, 1));
        c.addAll(sequenceAndImageCases());
        c.addAll(attentionCases());
        return c;
    }

    /** Conv1D, the 1-D poolings, Conv2DTranspose, UpSampling2D, LayerNormalization, the wrappers and Masking. */
    static List<Case> sequenceAndImageCases() {
        List<Case> c = new ArrayList<>();
        c.add(of("conv1d valid", () -> new Sequential(new Conv1D(4, 3).inputShape(9, 3)), 9, 3));
        c.add(of("conv1d same stride 2 even kernel, relu", () -> new Sequential(new Conv1D(3, 4, Activation.RELU).strides(2).padding(Conv1D.Padding1D.SAME).inputShape(11, 2)), 11, 2));
        c.add(of("conv1d causal dilated softmax, no bias", () -> new Sequential(new Conv1D(5, 3, Activation.SOFTMAX).dilation(2).useBias(false)
                .padding(Conv1D.Padding1D.CAUSAL).inputShape(7, 3)), 7, 3));
        c.add(of("global average pooling 1d", () -> new Sequential(new Conv1D(4, 2).inputShape(6, 3), new GlobalAveragePooling1D()), 6, 3));
        c.add(of("global max pooling 1d keepdims", () -> new Sequential(new GlobalMaxPooling1D().keepDims(true).inputShape(5, 3)), 5, 3));
        c.add(of("conv2d transpose valid stride 2", () -> new Sequential(new Conv2DTranspose(3, 3).strides(2).inputShape(4, 5, 2)), 4, 5, 2));
        c.add(of("conv2d transpose same stride 2 kernel 4x3, tanh", () -> new Sequential(new Conv2DTranspose(2, 4, 3, Activation.TANH).strides(2)
                .padding(Padding.SAME).inputShape(3, 4, 3)), 3, 4, 3));
        c.add(of("conv2d transpose kernel under stride, no bias", () -> new Sequential(new Conv2DTranspose(2, 1).strides(3, 2).useBias(false)
                .inputShape(3, 3, 2), new Conv2DTranspose(2, 2).strides(3).padding(Padding.SAME)), 3, 3, 2));
        c.add(of("conv then upsampling 2x3", () -> new Sequential(new Conv2D(3, 2).inputShape(5, 4, 2), new UpSampling2D(2, 3), new Flatten()), 5, 4, 2));
        c.add(of("layer norm on sequences", () -> new Sequential(new Dense(6).inputShape(4, 5), new LayerNormalization()), 4, 5));
        c.add(of("layer norm on features, no center, epsilon 1e-5", () -> new Sequential(new Dense(7).inputShape(5), new LayerNormalization().center(false).epsilon(1e-5)), 5));
        c.add(of("time distributed dense", () -> new Sequential(new TimeDistributed(new Dense(3, Activation.SOFTMAX)).inputShape(4, 5)), 4, 5));
        c.add(of("time distributed conv2d", () -> new Sequential(new TimeDistributed(new Conv2D(2, 3)).inputShape(3, 5, 5, 2),
                new TimeDistributed(new Flatten())), 3, 5, 5, 2));
        c.add(of("bidirectional lstm sequences concat", () -> new Sequential(new Bidirectional(new LSTM(3).returnSequences(true)).inputShape(5, 2)), 5, 2));
        c.add(of("bidirectional gru sum", () -> new Sequential(new Bidirectional(new GRU(4), Bidirectional.Merge.SUM).inputShape(6, 3)), 6, 3));
        c.add(of("bidirectional simple rnn sequences ave, then mul", () -> new Sequential(new Bidirectional(new SimpleRNN(3).returnSequences(true),
                Bidirectional.Merge.AVE).inputShape(4, 2), new Bidirectional(new LSTM(2), Bidirectional.Merge.MUL)), 4, 2));
        c.add(new Case("masking then dense and max pooling", () -> randomizeWeights(new Sequential(new Masking(0.0).inputShape(5, 3), new Dense(4),
                new GlobalMaxPooling1D()), 11), () -> List.of(withPaddedSteps(input(12, 3, 5, 3)))));
        return c;
    }

    /** MultiHeadAttention, the Transformer blocks and the position layers. */
    static List<Case> attentionCases() {
        List<Case> c = new ArrayList<>();
        c.add(of("self-attention", () -> functional(new int[] {5, 4}, x -> new MultiHeadAttention(2, 3).apply(x, x)), 5, 4));
        c.add(of("causal self-attention (use_causal_mask)", () -> functional(new int[] {6, 4}, x -> new MultiHeadAttention(2, 3).apply(x, x, null, true)), 6, 4));
        c.add(new Case("causal cross-attention, 4 queries over 7 keys", () -> randomizeWeights(causalCrossAttention(), 25),
                () -> List.of(input(26, 2, 4, 6), input(27, 2, 7, 5))));
        c.add(new Case("cross-attention with an attention_mask input [T, S]", () -> randomizeWeights(maskedAttention(false, 4, 7), 51),
                () -> List.of(input(52, 3, 4, 6), input(53, 3, 7, 6), attentionMask(54, 3, 4, 7))));
        c.add(new Case("causal self-attention with a per-head attention_mask [H, T, S]", () -> randomizeWeights(maskedAttention(true, 2, 6, 6), 55),
                () -> List.of(input(56, 2, 6, 6), input(57, 2, 6, 6), attentionMask(58, 2, 2, 6, 6))));
        c.add(new Case("attention_mask broadcast over the queries [1, S]", () -> randomizeWeights(maskedAttention(false, 1, 7), 59),
                () -> List.of(input(60, 3, 4, 6), input(61, 3, 7, 6), attentionMask(62, 3, 1, 7))));
        c.add(new Case("cross-attention with key, value_dim, output_shape, no bias", () -> randomizeWeights(crossAttention(), 21),
                () -> List.of(input(22, 3, 4, 6), input(23, 3, 7, 5), input(24, 3, 7, 3))));
        c.add(of("transformer encoder", () -> new Sequential(new TransformerEncoder(8, 2).inputShape(5, 6)), 5, 6));
        c.add(of("transformer encoder pre-norm gelu", () -> new Sequential(new TransformerEncoder(TransformerSettings.defaults(7, 3)
                .withNormalizeFirst(true).withActivation(Activation.GELU).withLayerNormEpsilon(1e-3)).inputShape(4, 6)), 4, 6));
        c.add(of("transformer decoder (causal, decoder-only)", () -> functional(new int[] {6, 4}, x -> new TransformerDecoder(8, 2).apply(x)), 6, 4));
        c.add(new Case("transformer decoder with cross-attention", () -> randomizeWeights(encoderDecoder(), 31),
                () -> List.of(input(32, 2, 5, 4), input(33, 2, 3, 6))));
        c.add(of("sine position encoding added", () -> withPositions(new SinePositionEncoding()), 6, 8));
        c.add(new Case("transformer classifier", () -> randomizeWeights(transformerClassifier(), 41), () -> List.of(ids(42, 3, 10, 20))));
        return c;
    }

    /** {@code x} with its last time step set to zeros in every example (a step Masking masks). */
    private static Tensor withPaddedSteps(Tensor x) {
        float[] v = x.toFloatArray();
        int t = x.dim(1), f = x.dim(2);
        for (int b = 0; b < x.dim(0); b++) java.util.Arrays.fill(v, (b * t + t - 1) * f, (b * t + t) * f, 0f);
        return Tensor.of(v, x.shape().toArray());
    }

    /** The one-input model {@code body(input)}. */
    static Model functional(int[] inputShape, java.util.function.UnaryOperator<SymbolicTensor> body) {
        SymbolicTensor x = Input.of(inputShape);
        return new Model(x, body.apply(x));
    }

    private static Model crossAttention() {
        SymbolicTensor q = Input.of(4, 6), v = Input.of(7, 5), k = Input.of(7, 3);
        return new Model(List.of(q, v, k), List.of(new MultiHeadAttention(3, 2).valueDim(4).outputShape(5).useBias(false).apply(q, v, k)));
    }

    /** {@code mha(query, value, attention_mask=mask, use_causal_mask=causal)}, the mask a model input of {@code maskShape}; width 6. */
    private static Model maskedAttention(boolean causal, int... maskShape) {
        int t = maskShape[maskShape.length - 2] == 1 ? 4 : maskShape[maskShape.length - 2], s = maskShape[maskShape.length - 1];
        SymbolicTensor q = Input.of(t, 6), v = Input.of(s, 6), mask = Input.of(maskShape);
        return new Model(List.of(q, v, mask), List.of(new MultiHeadAttention(2, 3).apply(q, v, null, mask, causal)));
    }

    /** 0/1 attention masks of {@code shape} (after the batch), each row keeping its first key. */
    private static Tensor attentionMask(long seed, int batch, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor shaped = input(seed, batch, shape);
        float[] m = new float[shaped.size()];
        int s = shape[shape.length - 1];
        for (int i = 0; i < m.length; i++) m[i] = i % s == 0 || rng.nextDouble() < 0.5 ? 1 : 0;
        return Tensor.of(m, shaped.shape().toArray());
    }

    private static Model causalCrossAttention() {
        SymbolicTensor q = Input.of(4, 6), v = Input.of(7, 5);
        return new Model(List.of(q, v), List.of(new MultiHeadAttention(2, 3).apply(q, v, null, true)));
    }

    private static Model encoderDecoder() {
        SymbolicTensor target = Input.of(5, 4), source = Input.of(3, 6);
        SymbolicTensor encoded = new TransformerEncoder(5, 2).apply(source);
        return new Model(List.of(target, source), List.of(new TransformerDecoder(6, 2).apply(target, encoded)));
    }

    private static Model withPositions(dev.myelin.nn.Layer positions) {
        SymbolicTensor x = Input.of(6, 8);
        return new Model(x, new Add().apply(x, positions.apply(x)));
    }

    /** Embedding + PositionEmbedding + TransformerEncoder + GlobalAveragePooling1D + Dense, the brief's small classifier. */
    static Model transformerClassifier() {
        SymbolicTensor ids = Input.of(10);
        SymbolicTensor tokens = new Embedding(20, 8).apply(ids);
        SymbolicTensor x = new Add().apply(tokens, new PositionEmbedding(12).apply(tokens));
        x = new TransformerEncoder(16, 2).apply(x);
        return new Model(ids, new Dense(3, Activation.SOFTMAX).apply(new GlobalAveragePooling1D().apply(x)));
    }

    private static Model residual() {
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor a = new Conv2D(3, 3).padding(Padding.SAME).apply(in);
        SymbolicTensor b = new Conv2D(3, 1).apply(in);
        SymbolicTensor sum = new Add().apply(a, b);
        return new Model(in, new Dense(2).apply(new Flatten().apply(sum)));
    }

    private static Model concatenation() {
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor a = new Conv2D(3, 3).apply(in);
        SymbolicTensor b = new MaxPooling2D(3, 3).strides(1).apply(in);
        SymbolicTensor channels = new Concatenate().apply(a, b);
        SymbolicTensor f1 = new Flatten().apply(channels);
        SymbolicTensor f2 = new Dense(3).apply(new GlobalAveragePooling2D().apply(in));
        return new Model(in, new Concatenate(1).apply(f1, f2));
    }

    private static Model nested() {
        Sequential base = new Sequential(new Conv2D(2, 3, Activation.RELU).inputShape(6, 6, 1), new MaxPooling2D(2));
        return new Sequential(base.asLayer(), new Flatten(), new Dense(3, Activation.SOFTMAX));
    }
}
