package dev.myelin.bench;

import dev.myelin.losses.Loss;
import dev.myelin.nn.Layer;
import dev.myelin.nn.Parameter;
import dev.myelin.nn.attention.TransformerEncoder;
import dev.myelin.nn.layers.AveragePooling2D;
import dev.myelin.nn.layers.BatchNormalization;
import dev.myelin.nn.layers.Conv2D;
import dev.myelin.nn.layers.Conv2DTranspose;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.layers.Dropout;
import dev.myelin.nn.layers.GlobalAveragePooling2D;
import dev.myelin.nn.layers.MaxPooling2D;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.GRU;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.optim.Adagrad;
import dev.myelin.optim.Adam;
import dev.myelin.optim.AdamW;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.RMSprop;
import dev.myelin.optim.SGD;
import dev.myelin.tensor.BufferPool;
import dev.myelin.tensor.Padding;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The rows of {@link LayerBench}: layers in configurations typical of real models, each with its input.
 * The labels are the contract with the PyTorch twin {@code myelin-bench/scripts/torch_layers.py}, which
 * builds the same rows under the same labels (checked by {@code LayerBenchTest} when PyTorch is installed).
 *
 * <p>Label grammar: {@code kind [options] B<batch> <input> -> <output>}, shapes without the batch
 * dimension in Myelin's channels-last order ({@code HxWxC}); the twin converts them to its own layouts.
 */
final class LayerCases {
    private LayerCases() {}

    /** One row: its label and how to set it up (inputs and weights are created only when the row runs). */
    record Case(String name, Supplier<Bench> setup) {}

    /** A prepared row: one forward pass, and one forward + backward pass (null: the row has none). */
    interface Bench {
        void forward();

        /**
         * {@link #forward}, then the result handed back to the pool ({@link BufferPool#release}) as a PyTorch loop frees
         * {@code y} when it is reassigned, so the next pass's result takes its array: what the forward column times by
         * default. Rows whose result is not a layer's output (the loss, the optimizers) time {@link #forward}.
         */
        default void forwardReleasing() {
            forward();
        }

        /** Forward and backward, or nothing for rows without a backward pass (see {@link #hasBackward()}). */
        void forwardBackward();

        /**
         * {@link #forwardBackward} inside a {@link BufferPool#scope() step scope}, as {@code Model.trainStep} runs it:
         * the layer's output and the loss go back to the pool during backward, as a PyTorch loop's caching allocator
         * reuses the blocks of the step before. Rows that are not a layer (the loss, the optimizers) time
         * {@link #forwardBackward}.
         */
        default void forwardBackwardInStep() {
            forwardBackward();
        }

        default boolean hasBackward() {
            return true;
        }
    }

    /** Parameters of the optimizer rows: an MLP 784-1024-256-10, 1,068,810 weights. */
    static final int[][] OPTIMIZER_MODEL = {{784, 1024}, {1024}, {1024, 256}, {256}, {256, 10}, {10}};

    static final List<Case> ALL = build();

    private static List<Case> build() {
        List<Case> cs = new ArrayList<>();
        // Conv2D: kernel, padding, stride, dilation, batch, input HxWxC, filters.
        conv(cs, 3, Padding.VALID, 1, 1, 32, 28, 1, 32);
        conv(cs, 3, Padding.SAME, 1, 1, 128, 28, 1, 32);
        conv(cs, 3, Padding.SAME, 1, 1, 32, 28, 32, 32);
        conv(cs, 3, Padding.VALID, 1, 1, 32, 14, 32, 64);
        conv(cs, 3, Padding.SAME, 1, 1, 128, 14, 32, 64);
        conv(cs, 3, Padding.SAME, 2, 1, 32, 28, 32, 64);
        conv(cs, 3, Padding.SAME, 1, 1, 128, 7, 64, 128);
        conv(cs, 3, Padding.SAME, 2, 1, 128, 14, 64, 128);
        conv(cs, 3, Padding.SAME, 1, 2, 32, 14, 32, 64);
        conv(cs, 1, Padding.VALID, 1, 1, 32, 28, 32, 64);
        conv(cs, 1, Padding.VALID, 1, 1, 128, 14, 64, 128);
        conv(cs, 1, Padding.VALID, 2, 1, 32, 14, 64, 128);
        // The seed CNN C (issue 13, cifar-sized): its two convolutions at batch 32.
        conv(cs, 3, Padding.VALID, 1, 1, 32, 32, 3, 32);
        conv(cs, 3, Padding.VALID, 1, 1, 32, 15, 32, 64);
        // Conv2DTranspose 3x3 same stride 2 (doubles the size, as in a decoder).
        convTranspose(cs, 32, 7, 64, 32);
        convTranspose(cs, 128, 14, 32, 16);
        // Pooling.
        image(cs, "maxpool2", 32, 28, 32, () -> new MaxPooling2D(2), true);
        image(cs, "maxpool2", 128, 14, 64, () -> new MaxPooling2D(2), true);
        image(cs, "maxpool2", 32, 30, 32, () -> new MaxPooling2D(2), true);
        image(cs, "maxpool2", 32, 13, 64, () -> new MaxPooling2D(2), true);
        image(cs, "avgpool2", 32, 28, 32, () -> new AveragePooling2D(2), true);
        image(cs, "gap", 32, 14, 64, GlobalAveragePooling2D::new, true);
        image(cs, "gap", 128, 7, 128, GlobalAveragePooling2D::new, true);
        // BatchNormalization after a convolution (channels last) and after a dense layer.
        image(cs, "batchnorm train", 32, 28, 32, BatchNormalization::new, true);
        image(cs, "batchnorm infer", 32, 28, 32, BatchNormalization::new, false);
        image(cs, "batchnorm train", 128, 14, 64, BatchNormalization::new, true);
        flat(cs, "batchnorm train", 128, 512, BatchNormalization::new, true);
        flat(cs, "batchnorm infer", 128, 512, BatchNormalization::new, false);
        // Dropout.
        image(cs, "dropout0.5", 32, 28, 32, () -> new Dropout(0.5).seed(7), true);
        flat(cs, "dropout0.5", 128, 1024, () -> new Dropout(0.5).seed(7), true);
        // Dense (linear, bias).
        dense(cs, 32, 784, 128);
        dense(cs, 128, 784, 128);
        dense(cs, 128, 512, 512);
        dense(cs, 128, 1024, 1024);
        dense(cs, 128, 128, 10);
        // Embedding.
        embedding(cs, 32, 100, 10000, 128);
        embedding(cs, 128, 50, 20000, 64);
        // Recurrent layers, last output only (Keras's default return_sequences=False).
        recurrent(cs, "lstm", 32, 28, 28, 64);
        recurrent(cs, "lstm", 128, 50, 64, 128);
        recurrent(cs, "gru", 32, 28, 28, 64);
        recurrent(cs, "gru", 128, 50, 64, 128);
        // A Transformer encoder block (keras-hub's TransformerEncoder: post-norm, relu, dropout 0; issue 12's setting).
        transformer(cs, 32, 128, 128, 4, 512);
        // The loss: softmax + sparse categorical cross-entropy.
        loss(cs, 128, 10);
        loss(cs, 128, 1000);
        // Each optimizer's update over a 1M-parameter model (the update alone: no forward, no backward).
        optimizer(cs, "sgd", SGD::new);
        optimizer(cs, "sgd-momentum0.9", () -> new SGD().momentum(0.9));
        optimizer(cs, "adam", Adam::new);
        optimizer(cs, "adamw", AdamW::new);
        optimizer(cs, "rmsprop", RMSprop::new);
        optimizer(cs, "adagrad", Adagrad::new);
        return List.copyOf(cs);
    }

    /** A first convolution (on the images: 1 or 3 channels) needs no input gradient; deeper ones do. */
    private static void conv(List<Case> cs, int k, Padding pad, int stride, int dilation, int batch, int hw, int c, int f) {
        String name = String.format(Locale.ROOT, "conv2d %dx%d %s s%d d%d B%d %dx%dx%d -> %d", k, k, pad.name().toLowerCase(Locale.ROOT),
                stride, dilation, batch, hw, hw, c, f);
        cs.add(new Case(name, () -> new LayerRow(
                new Conv2D(f, k).strides(stride).padding(pad).dilation(dilation), batch, new int[] {hw, hw, c}, true, c > 3)));
    }

    private static void convTranspose(List<Case> cs, int batch, int hw, int c, int f) {
        String name = String.format(Locale.ROOT, "conv2dtranspose 3x3 same s2 B%d %dx%dx%d -> %d", batch, hw, hw, c, f);
        cs.add(new Case(name, () -> new LayerRow(new Conv2DTranspose(f, 3).strides(2).padding(Padding.SAME), batch, new int[] {hw, hw, c}, true, true)));
    }

    private static void image(List<Case> cs, String kind, int batch, int hw, int c, Supplier<Layer> make, boolean training) {
        String name = String.format(Locale.ROOT, "%s B%d %dx%dx%d", kind, batch, hw, hw, c);
        cs.add(new Case(name, () -> new LayerRow(make.get(), batch, new int[] {hw, hw, c}, training, true)));
    }

    private static void flat(List<Case> cs, String kind, int batch, int width, Supplier<Layer> make, boolean training) {
        String name = String.format(Locale.ROOT, "%s B%d %d", kind, batch, width);
        cs.add(new Case(name, () -> new LayerRow(make.get(), batch, new int[] {width}, training, true)));
    }

    private static void dense(List<Case> cs, int batch, int in, int out) {
        cs.add(new Case(String.format(Locale.ROOT, "dense B%d %d -> %d", batch, in, out), () -> new LayerRow(new Dense(out), batch, new int[] {in}, true, true)));
    }

    private static void embedding(List<Case> cs, int batch, int time, int vocab, int dim) {
        String name = String.format(Locale.ROOT, "embedding B%d T%d vocab%d -> %d", batch, time, vocab, dim);
        cs.add(new Case(name, () -> new LayerRow(new Embedding(vocab, dim), batch, new int[] {time}, true, false, vocab)));
    }

    private static void recurrent(List<Case> cs, String kind, int batch, int time, int features, int units) {
        String name = String.format(Locale.ROOT, "%s B%d T%d %d -> %d", kind, batch, time, features, units);
        Supplier<Layer> make = kind.equals("lstm") ? () -> new LSTM(units) : () -> new GRU(units);
        cs.add(new Case(name, () -> new LayerRow(make.get(), batch, new int[] {time, features}, true, true)));
    }

    private static void transformer(List<Case> cs, int batch, int time, int width, int heads, int ff) {
        String name = String.format(Locale.ROOT, "transformer_encoder B%d T%d %d h%d ff%d", batch, time, width, heads, ff);
        cs.add(new Case(name, () -> new LayerRow(new TransformerEncoder(ff, heads), batch, new int[] {time, width}, true, true)));
    }

    private static void loss(List<Case> cs, int batch, int classes) {
        cs.add(new Case(String.format(Locale.ROOT, "softmax+sparse_ce B%d %d", batch, classes), () -> new LossRow(batch, classes)));
    }

    private static void optimizer(List<Case> cs, String kind, Supplier<Optimizer> make) {
        cs.add(new Case("optimizer " + kind + " 1068810 params", () -> new OptimizerRow(make.get())));
    }

    /** Uniform values in [-1, 1) from a fixed seed. */
    static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        return a;
    }

    private static int[] withBatch(int batch, int[] dims) {
        int[] full = new int[dims.length + 1];
        full[0] = batch;
        System.arraycopy(dims, 0, full, 1, dims.length);
        return full;
    }

    /**
     * A layer through the public API: built for the input shape, {@code call(x, training)}; backward is
     * {@code y.sum().backward()} with the gradients of the weights (and of the input, when a real model
     * would need it: not for a first layer on images or for ids) cleared after each pass.
     */
    static final class LayerRow implements Bench {
        private final Layer layer;
        private final Tensor x;
        private final boolean training;

        LayerRow(Layer layer, int batch, int[] dims, boolean training, boolean inputGrad) {
            this(layer, batch, dims, training, inputGrad, 0);
        }

        /** @param ids when positive, the input holds integer ids in {@code [0, ids)} */
        LayerRow(Layer layer, int batch, int[] dims, boolean training, boolean inputGrad, int ids) {
            this.layer = layer;
            this.training = training;
            SplittableRandom rnd = new SplittableRandom(42);
            layer.build(Shape.of(dims), rnd);
            int[] shape = withBatch(batch, dims);
            int n = Math.multiplyExact(batch, Shape.of(dims).size());
            float[] data;
            if (ids > 0) {
                data = new float[n];
                for (int i = 0; i < n; i++) data[i] = rnd.nextInt(ids);
            } else {
                data = random(rnd, n);
            }
            this.x = Tensor.of(data, shape).requiresGrad(inputGrad);
        }

        Layer layer() {
            return layer;
        }

        Tensor input() {
            return x;
        }

        @Override
        public void forward() {
            layer.call(x, training);
        }

        @Override
        public void forwardReleasing() {
            BufferPool.release(layer.call(x, training));
        }

        @Override
        public void forwardBackward() {
            layer.call(x, training).sum().backward();
            for (Parameter p : layer.weights()) p.value().zeroGrad();
            x.zeroGrad();
        }

        @Override
        public void forwardBackwardInStep() {
            // the step scope of Model.trainStep: the output and the loss go back to the pool during backward
            try (var step = BufferPool.scope()) {
                layer.call(x, training).sum().backward();
            }
            for (Parameter p : layer.weights()) p.value().zeroGrad();
            x.zeroGrad();
        }
    }

    /** Keras's classifier head: {@code loss(labels, logits.softmax(-1))}, backward into the logits. */
    static final class LossRow implements Bench {
        private final Tensor logits, labels;

        LossRow(int batch, int classes) {
            SplittableRandom rnd = new SplittableRandom(42);
            logits = Tensor.of(random(rnd, batch * classes), batch, classes).requiresGrad(true);
            float[] y = new float[batch];
            for (int i = 0; i < batch; i++) y[i] = rnd.nextInt(classes);
            labels = Tensor.of(y, batch);
        }

        @Override
        public void forward() {
            Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(labels, logits.softmax(-1));
        }

        @Override
        public void forwardBackward() {
            Loss.SPARSE_CATEGORICAL_CROSSENTROPY.compute(labels, logits.softmax(-1)).backward();
            logits.zeroGrad();
        }
    }

    /** One optimizer step over {@link #OPTIMIZER_MODEL}'s weights with fixed gradients; "forward" is the update. */
    static final class OptimizerRow implements Bench {
        private final Optimizer optimizer;
        private final List<Parameter> params = new ArrayList<>();
        private final List<Tensor> grads = new ArrayList<>();

        OptimizerRow(Optimizer optimizer) {
            this.optimizer = optimizer;
            SplittableRandom rnd = new SplittableRandom(42);
            for (int i = 0; i < OPTIMIZER_MODEL.length; i++) {
                int[] s = OPTIMIZER_MODEL[i];
                int n = Shape.of(s).size();
                params.add(Parameter.of("w" + i, Tensor.of(random(rnd, n), s)));
                float[] g = random(rnd, n);
                for (int j = 0; j < n; j++) g[j] *= 1e-3f;
                grads.add(Tensor.of(g, s));
            }
        }

        List<Parameter> parameters() {
            return params;
        }

        @Override
        public void forward() {
            optimizer.applyGradients(grads, params);
        }

        @Override
        public void forwardBackward() {}

        @Override
        public boolean hasBackward() {
            return false;
        }
    }
}
