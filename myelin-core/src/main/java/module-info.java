/**
 * Myelin's core library: tensors, autograd, backends, layers, models, training, data and io.
 *
 * <p>Exports the public API only: the CPU backend's kernels ({@code dev.myelin.backend.cpu}) are reached
 * through {@link dev.myelin.backend.Backend}, found with {@link java.util.ServiceLoader}. The Vector API
 * is optional at run time ({@code requires static}): without {@code --add-modules jdk.incubator.vector} the
 * CPU backend reports itself unusable and the scalar reference backend runs, with a warning.
 */
module dev.myelin.core {
    requires static jdk.incubator.vector;
    requires transitive java.desktop; // PngWriter.toImage returns a java.awt.image.BufferedImage
    requires jdk.httpserver; // the training dashboard's loopback server (dashboard.TrainingDashboard)
    requires jdk.unsupported; // sun.misc.Signal: Ctrl-C during fit stops after the current step (train.InterruptHandler)

    exports dev.myelin.autograd;
    exports dev.myelin.backend;
    exports dev.myelin.compress;
    exports dev.myelin.compress.bf16;
    exports dev.myelin.compress.quant;
    exports dev.myelin.config;
    exports dev.myelin.dashboard;
    exports dev.myelin.data;
    exports dev.myelin.explain;
    exports dev.myelin.gan;
    exports dev.myelin.io;
    exports dev.myelin.losses;
    exports dev.myelin.metrics;
    exports dev.myelin.models;
    exports dev.myelin.multimodal;
    exports dev.myelin.nn;
    exports dev.myelin.nn.attention;
    exports dev.myelin.nn.init;
    exports dev.myelin.nn.layers;
    exports dev.myelin.nn.recurrent;
    exports dev.myelin.nn.regularizers;
    exports dev.myelin.optim;
    exports dev.myelin.privacy;
    exports dev.myelin.semisupervised;
    exports dev.myelin.tensor;
    exports dev.myelin.text;
    exports dev.myelin.text.gpt;
    exports dev.myelin.train;
    exports dev.myelin.zoo;

    uses dev.myelin.backend.Backend;
    provides dev.myelin.backend.Backend with dev.myelin.backend.cpu.CpuBackend;
}
