package dev.myelin.onnx;

import static dev.myelin.onnx.TestModels.ids;
import static dev.myelin.onnx.TestModels.input;
import static dev.myelin.onnx.TestModels.randomizeWeights;

import dev.myelin.models.Model;
import dev.myelin.models.Sequential;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.ActivationLayer;
import dev.myelin.nn.layers.Add;
import dev.myelin.nn.layers.AveragePooling2D;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Concatenate;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.Flatten;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.GlobalMaxPooling2D;
import dev.myelin.nn.layers.LeakyReLU;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.layers.Reshape;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.nn.recurrent.SimpleRNN;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Tensor;
import dev.myelin.zoo.SeedModels;
import java.util.ArrayList;
import java.util.List;
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
        c.add(of("gru sequences hard sigmoid", () -> new Sequential(new GRU(3).returnSequences(true).recurrentActivation(Activation.HARD_SIGMOID).inputShape(6, 2)), 6, 2));
        c.add(of("simple rnn", () -> new Sequential(new SimpleRNN(4).returnSequences(true).inputShape(5, 3), new SimpleRNN(2)), 5, 3));
        c.add(of("nested model", ExportCases::nested, 6, 6, 1));
        return c;
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
