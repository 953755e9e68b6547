package dev.myelin.examples;

import dev.myelin.config.Registries;
import dev.myelin.data.Dataset;
import dev.myelin.io.Json;
import dev.myelin.models.Model;
import dev.myelin.nn.Activation;
import dev.myelin.nn.Input;
import dev.myelin.nn.Layer;
import dev.myelin.nn.SymbolicTensor;
import dev.myelin.nn.layers.Dense;
import dev.myelin.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.IntStream;

/**
 * The steps of transfer learning on a classifier, shared by {@link TransferLearningExample} and
 * {@code myelin fine-tune}: pick the samples of some classes, draw a few labelled ones, put a new softmax
 * head on a trained model's features, and build the same network with fresh weights to compare against.
 *
 * <p>Example:
 * <pre>{@code
 * Model base = Model.load(Path.of("base.myelin"));                 // trained on classes 0-4
 * Dataset few = TransferLearning.sample(TransferLearning.classes(data.train(), 5, 6, 7, 8, 9), 1000, 2);
 * Model transfer = TransferLearning.withNewHead(base, TransferLearning.belowHead(base), 5, 3);
 * base.trainable(false);                                            // only the head learns
 * Model scratch = TransferLearning.freshCopy(transfer, 4);          // the same network, untrained
 * }</pre>
 */
public final class TransferLearning {
    private static final String PRNG = "L64X128MixRandom";

    private TransferLearning() {}

    /** The samples whose label is one of {@code classIds}, labels kept as they are. */
    public static Dataset only(Dataset all, int... classIds) {
        float[] y = all.y().toFloatArray();
        Set<Integer> wanted = new HashSet<>();
        for (int c : classIds) wanted.add(c);
        int[] keep = IntStream.range(0, y.length).filter(i -> y[i] == Math.rint(y[i]) && wanted.contains((int) y[i])).toArray();
        return all.take(keep);
    }

    /**
     * The samples whose label is one of {@code classIds}, relabelled by position: label {@code classIds[i]}
     * becomes {@code i} (classes 5–9 become 0–4), as a new {@code classIds.length}-way head expects.
     */
    public static Dataset classes(Dataset all, int... classIds) {
        Dataset picked = only(all, classIds);
        float[] y = picked.y().toFloatArray();
        for (int i = 0; i < y.length; i++) {
            for (int k = 0; k < classIds.length; k++) {
                if (y[i] == classIds[k]) {
                    y[i] = k;
                    break;
                }
            }
        }
        return Dataset.of(picked.x(), Tensor.of(y, picked.y().shape().toArray()));
    }

    /** {@code count} samples drawn without replacement with {@code seed} (all of them when there are fewer). */
    public static Dataset sample(Dataset all, int count, long seed) {
        return all.shuffled(seed).slice(0, Math.min(count, all.size()));
    }

    /**
     * The features of the model's convolutional base, as Keras's {@code include_top=False}: the output of its
     * last {@code Flatten} or global pooling layer, so that the new head replaces the whole classifier on top
     * (the dense layers learned to separate the old classes, and carry over worse than the convolutions);
     * {@link #belowHead} when the model has no such layer above a layer with weights (an MLP).
     */
    public static SymbolicTensor convolutionalBase(Model base) {
        SymbolicTensor last = null;
        boolean trainedBelow = false; // a Flatten at the input (an MLP on images) has no base under it
        for (Layer l : base.layers()) {
            if (trainedBelow && (l instanceof dev.myelin.nn.layers.Flatten || l instanceof dev.myelin.nn.layers.GlobalPooling2D)) last = l.output();
            trainedBelow |= !l.weights().isEmpty();
        }
        return last != null ? last : belowHead(base);
    }

    /**
     * What the last layer of a one-input, one-output model reads: the features a new head goes on
     * ("everything but the head").
     *
     * @throws IllegalArgumentException when the model's last layer reads the input directly or several tensors
     */
    public static SymbolicTensor belowHead(Model base) {
        if (base.inputs().size() != 1 || base.outputs().size() != 1) {
            throw new IllegalArgumentException("model '" + base.name() + "' has " + base.inputs().size() + " inputs and " + base.outputs().size()
                    + " outputs; a new head needs a model with one of each");
        }
        SymbolicTensor out = base.outputs().getFirst();
        if (out.isInput() || out.inputs().size() != 1 || out.inputs().getFirst().isInput()) {
            throw new IllegalArgumentException("model '" + base.name() + "' has no layers below its last layer '"
                    + (out.isInput() ? "(input)" : out.layer().name()) + "' to keep");
        }
        return out.inputs().getFirst();
    }

    /**
     * A functional model from {@code base}'s input to {@code features} (the same layer objects, so the
     * trained weights) under a new {@code Dense(classes, softmax)} head whose weights come from {@code seed}.
     * Freeze the base with {@code base.trainable(false)} to train the head alone.
     */
    public static Model withNewHead(Model base, SymbolicTensor features, int classes, long seed) {
        if (classes < 2) throw new IllegalArgumentException("a classifier head needs at least 2 classes, got " + classes);
        Set<String> taken = new HashSet<>();
        for (Layer l : base.layers()) taken.add(l.name());
        String name = "new_head";
        for (int i = 1; taken.contains(name); i++) name = "new_head_" + i;
        Layer head = new Dense(classes, Activation.SOFTMAX).name(name);
        head.build(features.shape(), RandomGeneratorFactory.of(PRNG).create(seed));
        return new Model(base.inputs().getFirst(), head.apply(features));
    }

    /**
     * The same architecture as {@code model} (layer configs and graph; nested models excepted), every layer
     * new, unfrozen and initialized from {@code seed}: the network "trained from scratch" to compare a
     * transfer against.
     *
     * @throws IllegalArgumentException when a layer reads several tensors (merge layers are not copied)
     */
    public static Model freshCopy(Model model, long seed) {
        RandomGenerator rng = RandomGeneratorFactory.of(PRNG).create(seed);
        Map<SymbolicTensor, SymbolicTensor> copies = new IdentityHashMap<>();
        Map<Layer, Layer> layers = new IdentityHashMap<>();
        List<SymbolicTensor> inputs = new ArrayList<>();
        for (SymbolicTensor in : model.inputs()) {
            SymbolicTensor copy = Input.of(in.shape().toArray());
            copies.put(in, copy);
            inputs.add(copy);
        }
        List<SymbolicTensor> outputs = new ArrayList<>();
        for (SymbolicTensor out : model.outputs()) outputs.add(copy(out, copies, layers, rng, model));
        Model fresh = new Model(inputs, outputs);
        fresh.trainable(true);
        return fresh;
    }

    private static SymbolicTensor copy(SymbolicTensor t, Map<SymbolicTensor, SymbolicTensor> copies, Map<Layer, Layer> layers,
                                       RandomGenerator rng, Model owner) {
        SymbolicTensor done = copies.get(t);
        if (done != null) return done;
        if (t.inputs().size() != 1) {
            throw new IllegalArgumentException("model '" + owner.name() + "': layer '" + t.layer().name() + "' reads " + t.inputs().size()
                    + " tensors; only chains of one-input layers can be copied with fresh weights");
        }
        SymbolicTensor in = copy(t.inputs().getFirst(), copies, layers, rng, owner);
        // through JSON text, as a model file holds it: the layer's config with JSON's number types
        Layer fresh = layers.computeIfAbsent(t.layer(), l -> Registries.layerFromJson(Json.parse(Json.write(Registries.layerToJson(l)))));
        if (!fresh.isBuilt()) fresh.build(in.shape(), rng);
        SymbolicTensor out = fresh.apply(in);
        copies.put(t, out);
        return out;
    }
}
